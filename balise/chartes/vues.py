"""Pages de la charte : l'accueil (version adoptée et versions), la bibliothèque des jeux de principes,
composer, modifier, soumettre à une séance, adopter, reprendre. Lire : VOIR_REGISTRE ; écrire :
PILOTER_PROGRAMME (organisations/roles.py)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from balise import versions as historiques
from balise.comptes.models import Utilisateur
from balise.envois.services import une_seule_fois
from balise.formulaires import reprendre_apres_conflit
from balise.organisations import acces
from balise.organisations.roles import Permission, peut

from . import jeux, selectors, services
from .forms import AdopterForm, ComposerForm, ModifierForm, SoumettreForm


def _personne(request: HttpRequest) -> Utilisateur:
    # Les vues sont sous @login_required : la personne est connectée.
    return cast(Utilisateur, request.user)


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    toutes = selectors.versions(organisation)
    return render(
        request,
        "chartes/accueil.html",
        {
            "organisation": organisation,
            "adoptee": next((v for v in toutes if v.statut == v.Statut.ADOPTEE), None),
            "versions": toutes,
            "peut_piloter": peut(adhesion.role, Permission.PILOTER_PROGRAMME),
        },
    )


@login_required
def bibliotheque(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.VOIR_REGISTRE)
    return render(request, "chartes/jeux.html", {"organisation": adhesion.organisation, "jeux": jeux.tous()})


@login_required
def composer(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.PILOTER_PROGRAMME)
    form = ComposerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            envoi = une_seule_fois(
                request, lambda: services.composer(adhesion.organisation, form.donnees(), _personne(request))
            )
        except ValidationError as erreur:
            form.add_error(None, erreur.messages)
        else:
            if envoi.objet is None:
                return redirect("chartes:accueil", slug=slug)
            if not envoi.doublon:
                messages.success(
                    request, "Version brouillon créée : relisez-la, puis soumettez-la à la consultation."
                )
            return redirect("chartes:version", slug=slug, pk=envoi.objet.pk)
    return render(
        request,
        "chartes/composer.html",
        {"organisation": adhesion.organisation, "form": form, "jeux": jeux.tous()},
    )


@login_required
def version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    v = selectors.version(organisation, pk)
    pilote = peut(adhesion.role, Permission.PILOTER_PROGRAMME)
    return render(
        request,
        "chartes/version.html",
        {
            "organisation": organisation,
            "charte": v,
            "consultations": selectors.consultations(v),
            "historique": historiques.historique(v, limite=20),
            "peut_piloter": pilote,
            "soumettre_form": SoumettreForm(
                initial={"version": v.version}, seances=selectors.seances_proposees(organisation)
            )
            if pilote and v.statut in (v.Statut.BROUILLON, v.Statut.SOUMISE)
            else None,
            "adopter_form": AdopterForm(initial={"version": v.version})
            if pilote and v.statut == v.Statut.SOUMISE
            else None,
        },
    )


@login_required
def modifier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version(adhesion.organisation, pk)
    form = ModifierForm(request.POST or None, charte=v)
    conflit = None
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier(v.pk, form.donnees(), form.cleaned_data["version"], _personne(request))
        except services.ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        except services.RefusCharte as erreur:
            form.add_error(None, erreur.messages)
        except ValidationError as erreur:
            form.add_error(None, erreur.messages)
        else:
            messages.success(request, "Version enregistrée.")
            return redirect("chartes:version", slug=slug, pk=v.pk)
    return render(
        request,
        "chartes/modifier.html",
        {"organisation": adhesion.organisation, "charte": v, "form": form, "conflit": conflit},
    )


def _apres_refus(request: HttpRequest, erreur: Exception) -> None:
    if isinstance(erreur, services.ConflitEdition):
        messages.error(request, erreur.message)
    elif isinstance(erreur, ValidationError):
        messages.error(request, " ".join(erreur.messages))


@require_POST
@login_required
def soumettre(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version(adhesion.organisation, pk)
    form = SoumettreForm(request.POST, seances=selectors.seances_proposees(adhesion.organisation))
    if not form.is_valid():
        messages.error(request, "Choisissez une séance à venir d'une instance de l'organisation.")
        return redirect("chartes:version", slug=slug, pk=v.pk)
    try:
        point = services.soumettre(
            v.pk, form.cleaned_data["seance"], form.cleaned_data["version"], _personne(request)
        )
    except (services.ConflitEdition, ValidationError) as erreur:
        _apres_refus(request, erreur)
    else:
        messages.success(request, f"Version inscrite à l'ordre du jour : « {point.seance.instance.nom} ».")
    return redirect("chartes:version", slug=slug, pk=v.pk)


@require_POST
@login_required
def adopter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version(adhesion.organisation, pk)
    form = AdopterForm(request.POST)
    if not form.is_valid():
        erreurs = [str(m) for liste in form.errors.values() for m in liste]
        messages.error(request, "Adoption non enregistrée : " + " ".join(erreurs))
        return redirect("chartes:version", slug=slug, pk=v.pk)
    d = form.cleaned_data
    try:
        services.adopter(
            v.pk,
            d["mode_adoption"],
            d["adoptee_le"],
            d["version"],
            _personne(request),
            deliberation_numero=d["deliberation_numero"],
        )
    except (services.ConflitEdition, ValidationError) as erreur:
        _apres_refus(request, erreur)
    else:
        messages.success(request, "Charte adoptée : elle est publiée au registre public.")
    return redirect("chartes:version", slug=slug, pk=v.pk)


@require_POST
@login_required
def reprendre(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(_personne(request), slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version(adhesion.organisation, pk)
    envoi = une_seule_fois(request, lambda: services.reprendre(v.pk, _personne(request)))
    if envoi.objet is None:
        return redirect("chartes:accueil", slug=slug)
    if not envoi.doublon:
        messages.success(request, "Nouvelle version brouillon, reprise de la précédente.")
    return redirect("chartes:version", slug=slug, pk=envoi.objet.pk)
