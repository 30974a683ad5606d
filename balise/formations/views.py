"""Pages de la formation et de l'acculturation : vues minces au-dessus de services et selectors.
Lire : VOIR_REGISTRE ; écrire (populations, offres, sessions) : GERER_FORMATIONS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise import versions
from balise.envois.services import une_seule_fois
from balise.formulaires import ecrire, supprimer_ou_signaler
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from . import graphiques, referentiel, selectors, services
from .forms import OffreForm, PopulationForm, SessionForm


def _donnees(request: HttpRequest) -> tuple:
    return (request.POST,) if request.method == "POST" else ()


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    return {
        "organisation": adhesion.organisation,
        "peut_gerer": peut(adhesion.role, Permission.GERER_FORMATIONS),
        "paliers": referentiel.populations().paliers,
        **autres,
    }


def _ecrire(request: HttpRequest, pk: int | None, enregistrer: Callable[[], Model]) -> bool:
    """Création : envoi unique (balise/envois) ; modification : verrou optimiste. Faux pour un doublon."""
    if pk is None:
        return not une_seule_fois(request, enregistrer).doublon
    enregistrer()
    return True


def _saisie(
    request: HttpRequest,
    adhesion: Adhesion,
    form: Any,
    instance: Model | None,
    enregistrer: Callable[[], Model],
    succes: tuple[str, str],
    gabarit: str,
    nom: str,
) -> HttpResponse:
    """Le cycle commun des pages de saisie : enregistrer si le formulaire est valide (création : envoi
    unique ; modification : verrou optimiste, conflit montré en 409), sinon réafficher avec les erreurs
    (400). `succes` : le message et l'adresse de retour ; `nom` : le nom de l'objet dans le gabarit."""
    conflit = None
    if request.method == "POST" and form.is_valid():
        ecriture = ecrire(form, lambda: _ecrire(request, instance.pk if instance else None, enregistrer))
        conflit = ecriture.conflit
        if ecriture.ecrit:
            messages.success(request, succes[0])
            return redirect(succes[1], slug=adhesion.organisation.slug)
    return render(
        request,
        gabarit,
        _contexte(
            adhesion,
            form=form,
            conflit=conflit,
            historique=versions.historique(instance, 20) if instance else [],  # type: ignore[arg-type]
            **{nom: instance},
        ),
        status=409 if conflit else 400 if form.errors else 200,
    )


def _exiger(request: HttpRequest, slug: str) -> Adhesion:
    """Les pages de saisie (création, modification) : gérer les formations, même pour les afficher."""
    return acces.exiger(request.user, slug, Permission.GERER_FORMATIONS)


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    aujourd_hui = timezone.localdate()
    lignes = selectors.couverture(organisation, aujourd_hui)
    return render(
        request,
        "formations/accueil.html",
        _contexte(
            adhesion,
            lignes=lignes,
            aujourd_hui=aujourd_hui,
            graphique=graphiques.couverture_dans_le_temps(lignes, aujourd_hui, "couverture-formation"),
            groupes=selectors.groupes_exposes(organisation, lignes),
            sessions=selectors.sessions(organisation)[:10],
            trajectoire=referentiel.populations().source_trajectoire,
        ),
    )


@require_POST
@login_required
def initialiser(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_FORMATIONS)
    creees = services.initialiser_populations(adhesion.organisation, request.user)
    messages.success(request, f"{len(creees)} population(s) de référence créée(s).")
    return redirect("formations:accueil", slug=slug)


@login_required
def population(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    adhesion = _exiger(request, slug)
    organisation = adhesion.organisation
    instance = selectors.population_de(organisation, pk) if pk is not None else None
    form = PopulationForm(*_donnees(request), instance=instance, organisation=organisation)

    def enregistrer() -> Model:
        d = form.cleaned_data
        donnees = {c: d[c] for c in services.CHAMPS_POPULATION}
        return services.enregistrer_population(
            organisation, donnees, request.user, pk, d["version"], d["systemes"]
        )

    succes = ("Population enregistrée.", "formations:accueil")
    return _saisie(
        request, adhesion, form, instance, enregistrer, succes, "formations/population.html", "population"
    )


@require_POST
@login_required
def population_suppression(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _exiger(request, slug)
    population = selectors.population_de(adhesion.organisation, pk)
    return supprimer_ou_signaler(
        request,
        lambda version: services.supprimer_population(adhesion.organisation, pk, version, request.user),
        f"Population « {population.titre} » supprimée.",
        reverse("formations:accueil", args=[slug]),
    )


@login_required
def offres(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    formats = dict(referentiel.choix_formats())
    return render(
        request,
        "formations/offres.html",
        _contexte(
            adhesion,
            catalogue=referentiel.catalogue(),
            offres_catalogue=[(o, formats[o.format]) for o in referentiel.catalogue().offres],
            propres=selectors.offres(adhesion.organisation),
        ),
    )


@login_required
def offre(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    adhesion = _exiger(request, slug)
    organisation = adhesion.organisation
    instance = selectors.offre_de(organisation, pk) if pk is not None else None
    form = OffreForm(*_donnees(request), instance=instance)

    def enregistrer() -> Model:
        donnees = {c: form.cleaned_data[c] for c in services.CHAMPS_OFFRE}
        return services.enregistrer_offre(
            organisation, donnees, request.user, pk, form.cleaned_data["version"]
        )

    succes = ("Offre enregistrée.", "formations:offres")
    return _saisie(request, adhesion, form, instance, enregistrer, succes, "formations/offre.html", "offre")


@login_required
def sessions(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request,
        "formations/sessions.html",
        _contexte(adhesion, sessions=selectors.sessions(adhesion.organisation)[:500]),
    )


@login_required
def session(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    adhesion = _exiger(request, slug)
    organisation = adhesion.organisation
    instance = selectors.session_de(organisation, pk) if pk is not None else None
    form = SessionForm(
        *_donnees(request),
        populations=list(selectors.populations(organisation)),
        offres=list(selectors.offres(organisation)),
        session=instance,
    )

    def enregistrer() -> Model:
        d = form.cleaned_data
        donnees = {
            "date": d["date"],
            "palier": d["palier"],
            "commentaire": d["commentaire"],
            "offre_catalogue": d["offre_catalogue"],
            "offre": d["offre_organisation"],
        }
        return services.enregistrer_session(
            organisation, donnees, d["lignes"], request.user, pk, d["version"]
        )

    succes = (
        "Session enregistrée ; la couverture et les obligations de formation sont à jour.",
        "formations:accueil",
    )
    return _saisie(
        request, adhesion, form, instance, enregistrer, succes, "formations/session.html", "session"
    )


@require_POST
@login_required
def session_suppression(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _exiger(request, slug)
    session = selectors.session_de(adhesion.organisation, pk)
    return supprimer_ou_signaler(
        request,
        lambda version: services.supprimer_session(adhesion.organisation, pk, version, request.user),
        f"Session du {session.date:%d/%m/%Y} supprimée ; la couverture et les obligations de formation sont à jour.",
        reverse("formations:accueil", args=[slug]),
    )
