"""Pages des votes, avis, décisions et conditions : vues minces (droits, formulaire, service, rendu)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise import versions
from balise.envois.services import une_seule_fois
from balise.formulaires import ecrire, reprendre_apres_conflit
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.registre import selectors as registre

from . import droits, selectors_avis, services_avis
from .forms_avis import (
    AvisForm,
    ConditionForm,
    ConditionsFormSet,
    DecisionForm,
    VoteForm,
    conditions_saisies,
)
from .models import Condition, Instance

PAR_PAGE = 50


def _point_visible(request: HttpRequest, slug: str, pk: int):
    """L'adhésion et le point, si la personne voit l'instance (membre de l'organisation ou siège)."""
    adhesion = acces.exiger(request.user, slug, Permission.SIEGER)
    point = selectors_avis.point(adhesion.organisation, pk)
    if not droits.peut_voir(adhesion, point.seance.instance):
        raise PermissionDenied("Vous ne siégez pas dans cette instance.")
    return adhesion, point


def _exiger_instruire(adhesion, instance: Instance) -> None:
    if not droits.peut_instruire(adhesion, instance):
        raise PermissionDenied(
            "Seuls la présidence, le secrétariat de l'instance ou qui gouverne consignent l'avis."
        )


@login_required
def point(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, p = _point_visible(request, slug, pk)
    instance = p.seance.instance
    votes = selectors_avis.votes(p)
    avis = selectors_avis.avis_du_point(p)
    membre = droits.peut_voter(adhesion, instance)
    mon_vote = next((v for v in votes if membre is not None and v.membre_id == membre.pk), None)
    vote_form = None
    if membre is not None and avis is None:
        initial = (
            {"sens": mon_vote.sens, "opinion": mon_vote.opinion, "version": mon_vote.version}
            if mon_vote
            else {}
        )
        vote_form = VoteForm(initial=initial)
    return render(
        request,
        "gouvernance/avis/point.html",
        {
            "organisation": adhesion.organisation,
            "point": p,
            "instance": instance,
            "votes": votes,
            "decompte": selectors_avis.decompte_du_point(p, votes),
            "avis": avis,
            "conditions_avis": list(avis.conditions.select_related("responsable")) if avis else [],
            "decisions": selectors_avis.decisions_du_point(p),
            "mon_vote": mon_vote,
            "vote_form": vote_form,
            "instruire": droits.peut_instruire(adhesion, instance),
            "decisionnelle": instance.nature == Instance.Nature.DECISIONNELLE,
            # Le registre de l'organisation du point : la sienne, ou celle d'un membre de la mutualisante.
            "voir_registre": peut(adhesion.role, Permission.VOIR_REGISTRE)
            if p.organisation_id == adhesion.organisation.pk
            else acces.permet(request.user, p.organisation.slug, Permission.VOIR_REGISTRE),
        },
    )


@require_POST
@login_required
def voter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, p = _point_visible(request, slug, pk)
    if droits.peut_voter(adhesion, p.seance.instance) is None:
        raise PermissionDenied("Vous ne votez pas dans cette instance (siège à voix délibérative requis).")
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez votre vote : pour, contre ou abstention.")
        return redirect("gouvernance:point", slug=slug, pk=pk)
    d = form.cleaned_data
    try:
        services_avis.voter(p, adhesion, d["sens"], d["opinion"], d["version"], request.user)
    except versions.ConflitEdition as erreur:
        messages.error(request, erreur.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Votre vote est enregistré.")
    return redirect("gouvernance:point", slug=slug, pk=pk)


def _formset(request: HttpRequest, organisation):
    return ConditionsFormSet(
        request.POST or None, prefix="conditions", form_kwargs={"organisation": organisation}
    )


@login_required
def rendre_avis(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, p = _point_visible(request, slug, pk)
    instance = p.seance.instance
    _exiger_instruire(adhesion, instance)
    existant = selectors_avis.avis_du_point(p)
    if existant is not None:
        return redirect("gouvernance:avis", slug=slug, pk=existant.pk)
    form = AvisForm(request.POST or None, initial={"public": instance.avis_publics})
    formset = _formset(request, p.organisation)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            envoi = une_seule_fois(
                request,
                lambda: services_avis.rendre_avis(p, donnees, conditions_saisies(formset), request.user),
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            if not envoi.doublon:
                messages.success(request, "L'avis est consigné.")
            return redirect("gouvernance:point", slug=slug, pk=pk)
    votes = selectors_avis.votes(p)
    return render(
        request,
        "gouvernance/avis/avis_formulaire.html",
        {
            "organisation": adhesion.organisation,
            "point": p,
            "form": form,
            "formset": formset,
            "decompte": selectors_avis.decompte_du_point(p, votes),
            "nouveau": True,
        },
        status=400 if request.method == "POST" else 200,
    )


def _corriger(request, form, formset, corriger, pk):
    """Enregistre la correction d'un avis ou d'une décision, avec ses nouvelles conditions : renvoie
    (enregistrée, conflit d'édition éventuel) ; une saisie refusée reste dans le formulaire."""
    if not (request.method == "POST" and form.is_valid() and formset.is_valid()):
        return False, None
    donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        corriger(pk, donnees, conditions_saisies(formset), form.cleaned_data["version"], request.user)
    except versions.ConflitEdition as erreur:
        reprendre_apres_conflit(form, erreur)
        return False, erreur
    except ValidationError as erreur:
        form.add_error(None, erreur)
        return False, None
    return True, None


@login_required
def avis(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Corriger un avis rendu : historisé et attribué, jamais supprimé."""
    adhesion = acces.exiger(request.user, slug, Permission.SIEGER)
    rendu = selectors_avis.avis(adhesion.organisation, pk)
    p = rendu.point
    _exiger_instruire(adhesion, p.seance.instance)
    initial = {c: getattr(rendu, c) for c in services_avis.CHAMPS_AVIS} | {"version": rendu.version}
    form = AvisForm(request.POST or None, initial=initial)
    formset = _formset(request, p.organisation)
    fait, conflit = _corriger(request, form, formset, services_avis.corriger_avis, rendu.pk)
    if fait:
        messages.success(request, "L'avis est corrigé.")
        return redirect("gouvernance:point", slug=slug, pk=p.pk)
    return render(
        request,
        "gouvernance/avis/avis_formulaire.html",
        {
            "organisation": adhesion.organisation,
            "point": p,
            "avis": rendu,
            "form": form,
            "formset": formset,
            "decompte": selectors_avis.decompte_du_point(p),
            "conflit": conflit,
            "historique": versions.historique(rendu),
        },
        status=409 if conflit else (400 if request.method == "POST" else 200),
    )


def _decider(request: HttpRequest, adhesion, systeme, p=None) -> HttpResponse:
    form = DecisionForm(request.POST or None, initial={"decidee_le": timezone.localdate()})
    formset = _formset(request, systeme.organisation)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            envoi = une_seule_fois(
                request,
                lambda: services_avis.prendre_decision(
                    systeme, donnees, conditions_saisies(formset), request.user, point=p
                ),
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            if envoi.objet is None:
                return redirect("registre:detail", slug=adhesion.organisation.slug, pk=systeme.pk)
            if not envoi.doublon:
                messages.success(request, "La décision est enregistrée.")
            return redirect("gouvernance:decision", slug=adhesion.organisation.slug, pk=envoi.objet.pk)
    return render(
        request,
        "gouvernance/avis/decision_formulaire.html",
        {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "point": p,
            "form": form,
            "formset": formset,
            "consultative": p is not None and p.seance.instance.nature != Instance.Nature.DECISIONNELLE,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def decision_sur_point(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, p = _point_visible(request, slug, pk)
    _exiger_instruire(adhesion, p.seance.instance)
    if p.systeme is None:
        messages.error(request, "Ce point ne porte sur aucun système : aucune décision à y consigner.")
        return redirect("gouvernance:point", slug=slug, pk=pk)
    return _decider(request, adhesion, p.systeme, p)


@login_required
def decision_directe(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Une décision prise hors séance d'une instance de Balise (délibération de l'assemblée)."""
    adhesion = acces.exiger(request.user, slug, Permission.GOUVERNER)
    systeme = registre.systeme(adhesion.organisation, pk, False)
    return _decider(request, adhesion, systeme)


def _peut_corriger_decision(adhesion, decision) -> bool:
    if peut(adhesion.role, Permission.GOUVERNER):
        return True
    return decision.instance is not None and droits.peut_instruire(adhesion, decision.instance)


@login_required
def decision(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    d = selectors_avis.decision(adhesion.organisation, pk)
    corriger = _peut_corriger_decision(adhesion, d)
    if request.method == "POST" and not corriger:
        raise PermissionDenied("Votre rôle ne permet pas de corriger cette décision.")
    initial = {c: getattr(d, c) for c in services_avis.CHAMPS_DECISION} | {"version": d.version}
    form = DecisionForm(request.POST or None, initial=initial)
    formset = _formset(request, adhesion.organisation)
    fait, conflit = _corriger(request, form, formset, services_avis.corriger_decision, d.pk)
    if fait:
        messages.success(request, "La décision est corrigée.")
        return redirect("gouvernance:decision", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/avis/decision.html",
        {
            "organisation": adhesion.organisation,
            "decision": d,
            "conditions": d.conditions.select_related("responsable"),
            "form": form if corriger else None,
            "formset": formset,
            "conflit": conflit,
            "historique": versions.historique(d),
            "changer_stade": peut(adhesion.role, Permission.CHANGER_STADE),
        },
        status=409 if conflit else (400 if request.method == "POST" else 200),
    )


@login_required
def conditions(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    filtre = request.GET.get("filtre", "en_attente")
    if filtre not in selectors_avis.FILTRES_CONDITIONS:
        filtre = "en_attente"
    responsable = request.GET.get("responsable", "")
    responsable_id = int(responsable) if responsable.isdigit() and len(responsable) < 12 else None
    liste = selectors_avis.conditions(adhesion.organisation, timezone.localdate(), filtre, responsable_id)
    page = Paginator(liste, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "gouvernance/avis/conditions.html",
        {
            "organisation": adhesion.organisation,
            "page": page,
            "filtre": filtre,
            "filtres": selectors_avis.FILTRES_CONDITIONS,
            "responsable": responsable_id,
            "personnes": selectors_avis.personnes(adhesion.organisation),
        },
    )


@login_required
def condition(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    c: Condition = selectors_avis.condition(adhesion.organisation, pk, timezone.localdate())
    suivre = services_avis.peut_suivre(adhesion, c)
    if request.method == "POST" and not suivre:
        raise PermissionDenied(
            "Seuls le responsable de la condition, qui gouverne ou qui qualifie la font avancer."
        )
    form = ConditionForm(request.POST or None, instance=c, initial={"version": c.version})
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        ecriture = ecrire(
            form,
            lambda: services_avis.modifier_condition(
                c.pk, donnees, form.cleaned_data["version"], request.user
            ),
        )
        conflit = ecriture.conflit
        if ecriture.ecrit:
            messages.success(request, "Condition mise à jour.")
            return redirect("gouvernance:condition", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/avis/condition.html",
        {
            "organisation": adhesion.organisation,
            "condition": c,
            "form": form if suivre else None,
            "conflit": conflit,
            "historique": versions.historique(c),
        },
        status=409 if conflit else (400 if request.method == "POST" else 200),
    )
