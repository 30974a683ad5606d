"""Pages de la mutualisation : les conventions de l'organisation (comme mutualisante et comme membre),
proposer ou demander une convention, la signer, la refuser, y mettre fin. Les vues n'écrivent pas :
elles appellent services.py ; qui gère les membres décide, de chaque côté."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.envois.services import une_seule_fois
from balise.formulaires import ConflitEdition, ecrire, version_postee
from balise.organisations import acces
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Permission, peut

from . import invitations, modeles_partages, partages, selectors, services, sessions
from . import portefeuille as portefeuilles
from .forms import DemandeForm, InvitationForm, MotifForm, PropositionForm, SignatureForm
from .models import TYPES_MUTUALISANTS, Convention


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    org = adhesion.organisation
    cotes = selectors.cotes(org)
    gere = peut(adhesion.role, Permission.GERER_MEMBRES)
    mutualisante = org.type in TYPES_MUTUALISANTS
    return {
        "organisation": org,
        "cotes": cotes,
        "a_signer": cotes.a_signer(org),
        "ouvertes": selectors.ouvertes(org, timezone.localdate()) if mutualisante else [],
        "intervenants": list(selectors.intervenants(org)) if mutualisante else [],
        "est_mutualisante": mutualisante,
        "gere": gere,
        "intervient": peut(adhesion.role, Permission.MUTUALISER),
        "suggeree": selectors.mutualisante_suggeree(org) if gere and not cotes.comme_membre else None,
        "evalue": peut(adhesion.role, Permission.EVALUER),
        "partages_de": partages.partages_de(org) if mutualisante else [],
        "partageables": partages.codes_partageables(org) if mutualisante else [],
        "partages_pour": partages.partages_pour(org, timezone.localdate()),
        "forme": peut(adhesion.role, Permission.GERER_FORMATIONS),
        "sessions_de": sessions.de_la_mutualisante(org) if mutualisante else ([], []),
        "sessions_pour": sessions.pour_le_membre(org, timezone.localdate()),
        "modeles": modeles_partages.tableau(org, adhesion.role, timezone.localdate()),
        "a_inviter": invitations.communes_a_inviter(org) if mutualisante and gere else [],
        "invitations": list(invitations.en_attente(org)) if mutualisante else [],
        **autres,
    }


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request,
        "mutualisation/accueil.html",
        _contexte(
            adhesion, proposition=PropositionForm(), demande=DemandeForm(), invitation=InvitationForm()
        ),
    )


def _creer(
    request: HttpRequest,
    slug: str,
    form_classe: type[PropositionForm] | type[DemandeForm],
    champ_autre: str,
    creer: Callable[[Adhesion, Any, dict[str, Any]], Convention],
) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    if request.method != "POST":  # les droits d'abord (404, 403), puis la méthode
        return redirect("mutualisation:accueil", slug=slug)
    form = form_classe(request.POST)
    if form.is_valid():
        champs = {k: v for k, v in form.cleaned_data.items() if k != champ_autre}
        autre = selectors.par_reference(form.cleaned_data[champ_autre])
        if autre is None:
            form.add_error(champ_autre, "Aucune organisation de Balise n'a cet identifiant ou ce SIREN.")
        else:
            ecriture = ecrire(form, lambda: une_seule_fois(request, lambda: creer(adhesion, autre, champs)))
            if ecriture.ecrit and ecriture.resultat is not None and ecriture.resultat.objet is not None:
                messages.success(
                    request, "La convention est enregistrée : l'autre organisation doit maintenant la signer."
                )
                return redirect("mutualisation:fiche", slug=slug, pk=ecriture.resultat.objet.pk)
    formulaires = {"proposition": PropositionForm(), "demande": DemandeForm(), "invitation": InvitationForm()}
    formulaires["proposition" if form_classe is PropositionForm else "demande"] = form  # type: ignore[assignment]
    return render(request, "mutualisation/accueil.html", _contexte(adhesion, **formulaires), status=400)


@login_required
def proposer(request: HttpRequest, slug: str) -> HttpResponse:
    return _creer(
        request,
        slug,
        PropositionForm,
        "membre",
        lambda adhesion, membre, champs: services.proposer(
            adhesion.organisation, membre, request.user, **champs
        ),  # type: ignore[arg-type]
    )


@login_required
def demander(request: HttpRequest, slug: str) -> HttpResponse:
    return _creer(
        request,
        slug,
        DemandeForm,
        "mutualisante",
        lambda adhesion, mutualisante, champs: services.demander(
            adhesion.organisation, mutualisante, request.user, **champs
        ),  # type: ignore[arg-type]
    )


def _convention(adhesion: Adhesion, pk: int) -> Convention:
    c = selectors.convention(adhesion.organisation, pk)
    if c is None:
        raise Http404("Convention introuvable.")
    return c


@login_required
def portefeuille(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    org = adhesion.organisation
    return render(
        request,
        "mutualisation/portefeuille.html",
        {
            "organisation": org,
            "est_mutualisante": org.type in TYPES_MUTUALISANTS,
            "portefeuille": portefeuilles.portefeuille(org, timezone.localdate()),
        },
    )


@login_required
def fiche(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    c = _convention(adhesion, pk)
    org = adhesion.organisation
    return render(
        request,
        "mutualisation/fiche.html",
        {
            "organisation": org,
            "convention": c,
            "cote": "membre" if c.membre_id == org.pk else "mutualisante",
            "a_signer": c in selectors.cotes(org).a_signer(org),
            "ouvre": c.ouvre_l_acces(timezone.localdate()),
            "gere": peut(adhesion.role, Permission.GERER_MEMBRES),
            "intervenants": list(selectors.intervenants(c.mutualisante)),
            "historique": versions.historique(c, 30),
            "signature": SignatureForm(initial={"role": c.role, "version": c.version}),
            "motif": MotifForm(initial={"version": c.version}),
        },
    )


def _action(
    request: HttpRequest, slug: str, pk: int, agir: Callable[[Adhesion, int | None], Convention], succes: str
) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    _convention(adhesion, pk)
    if request.method != "POST":  # les droits d'abord (404, 403), puis la méthode
        return redirect("mutualisation:fiche", slug=slug, pk=pk)
    try:
        agir(adhesion, version_postee(request))
    except ConflitEdition:
        messages.error(request, "La convention a changé entre-temps : rien n'a été fait, relisez-la.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes)
    return redirect("mutualisation:fiche", slug=slug, pk=pk)


def _motif(request: HttpRequest) -> str:
    return request.POST.get("motif", "")


@login_required
def signer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    role = request.POST.get("role") or None
    return _action(
        request,
        slug,
        pk,
        lambda a, v: services.signer(a.organisation, pk, v, request.user, role),  # type: ignore[arg-type]
        "La convention est signée.",
    )


@login_required
def partager(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partage = request.POST.get("partage") == "oui"
    return _action(
        request,
        slug,
        pk,
        lambda a, v: services.partager_portefeuille(a.organisation, pk, v, request.user, partage),  # type: ignore[arg-type]
        "Votre choix de partage est enregistré.",
    )


@login_required
def refuser(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _action(
        request,
        slug,
        pk,
        lambda a, v: services.refuser(a.organisation, pk, v, request.user, _motif(request)),  # type: ignore[arg-type]
        "La convention est refusée.",
    )


@login_required
def terminer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _action(
        request,
        slug,
        pk,
        lambda a, v: services.terminer(a.organisation, pk, v, request.user, _motif(request)),  # type: ignore[arg-type]
        "La convention a pris fin : le personnel de la mutualisante n'a plus accès à l'espace du membre.",
    )


def _vers_accueil(
    request: HttpRequest,
    slug: str,
    agir: Callable[[Adhesion], object],
    succes: str,
    permission: Permission = Permission.EVALUER,
    trouver: Callable[[Organisation, date], object | None] | None = None,
) -> HttpResponse:
    """Une action sur un partage (instrument, session) : les droits d'abord (404, 403), l'objet visible
    de l'organisation (`trouver`, 404 sinon), puis la méthode ; un refus du service revient en message,
    rien n'est écrit."""
    adhesion = acces.exiger(request.user, slug, permission)
    if trouver is not None and trouver(adhesion.organisation, timezone.localdate()) is None:
        raise Http404("Introuvable pour votre organisation.")
    if request.method == "POST":
        try:
            agir(adhesion)
        except ConflitEdition:
            messages.error(request, "Cela a changé entre-temps : rien n'a été fait, relisez la page.")
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, succes)
    return redirect("mutualisation:accueil", slug=slug)


def _entier(valeur: str) -> int | None:
    valeur = valeur.strip()
    return int(valeur) if valeur.isascii() and valeur.isdigit() and len(valeur) <= 9 else None


def _par(request: HttpRequest) -> Utilisateur:
    return request.user  # type: ignore[return-value]  # @login_required : une personne connectée


@login_required
def partager_instrument(request: HttpRequest, slug: str) -> HttpResponse:
    code, note = request.POST.get("code", ""), request.POST.get("note", "")
    return _vers_accueil(
        request,
        slug,
        lambda a: partages.partager(a.organisation, code, note, _par(request)),
        "L'instrument est partagé : vos membres le voient et peuvent le reprendre.",
    )


@login_required
def retirer_partage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vers_accueil(
        request,
        slug,
        lambda a: partages.retirer(a.organisation, pk, version_postee(request), _par(request)),
        "Le partage est retiré ; ce que vos membres ont repris reste à eux.",
        trouver=lambda org, jour: partages.partage_visible(org, pk, jour),
    )


@login_required
def reprendre_partage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vers_accueil(
        request,
        slug,
        lambda a: partages.reprendre(
            a.organisation, pk, _par(request), version_postee(request), timezone.localdate()
        ),
        "L'instrument est repris : c'est désormais la version proposée pour vos évaluations.",
        trouver=lambda org, jour: partages.partage_visible(org, pk, jour),
    )


@login_required
def ouvrir_session(request: HttpRequest, slug: str) -> HttpResponse:
    session = _entier(request.POST.get("session", "")) or 0
    return _vers_accueil(
        request,
        slug,
        lambda a: sessions.ouvrir(a.organisation, session, _par(request)),
        "La session est ouverte : vos membres peuvent y compter leurs agents.",
        Permission.GERER_FORMATIONS,
    )


@login_required
def fermer_session(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vers_accueil(
        request,
        slug,
        lambda a: sessions.fermer(a.organisation, pk, version_postee(request), _par(request)),
        "La session est fermée aux membres ; les participants déjà comptés restent.",
        Permission.GERER_FORMATIONS,
        trouver=lambda org, jour: sessions.ouverte_pour(org, pk, jour),
    )


def _nombres(request: HttpRequest) -> dict[int, int]:
    """Les participants saisis par population (`population_<pk>`) ; une saisie illisible est refusée."""
    nombres: dict[int, int] = {}
    for cle, valeur in request.POST.items():
        if cle.startswith("population_"):
            population, nombre = _entier(cle.removeprefix("population_")), _entier(valeur or "0")
            if population is None or nombre is None:
                raise ValidationError("Le nombre de participants est un entier positif ou nul.")
            nombres[population] = nombre
    return nombres


@login_required
def compter_participants(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _vers_accueil(
        request,
        slug,
        lambda a: sessions.compter(
            a.organisation, pk, _nombres(request), _par(request), timezone.localdate()
        ),
        "Vos participants sont comptés : votre couverture de formation les inclut.",
        Permission.GERER_FORMATIONS,
        trouver=lambda org, jour: sessions.ouverte_pour(org, pk, jour),
    )


@login_required
def inviter(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    if request.method != "POST":  # les droits d'abord (404, 403), puis la méthode
        return redirect("mutualisation:accueil", slug=slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        ecriture = ecrire(
            form, lambda: invitations.inviter(adhesion.organisation, request.user, **form.cleaned_data)
        )  # type: ignore[arg-type]
        if ecriture.ecrit:
            messages.success(
                request,
                "L'invitation est envoyée : l'administrateur de l'instance ouvrira l'espace de la collectivité, "
                "puis son premier administrateur signera votre convention.",
            )
            return redirect("mutualisation:accueil", slug=slug)
    return render(
        request,
        "mutualisation/accueil.html",
        _contexte(adhesion, proposition=PropositionForm(), demande=DemandeForm(), invitation=form),
        status=400,
    )
