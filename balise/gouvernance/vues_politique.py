"""Pages de la politique des portes de l'organisation : la lire (toute personne qui voit le registre,
pas le membre externe), l'adapter par un formulaire ou revenir à la politique nationale (GOUVERNER).
Les vues n'écrivent pas : elles appellent services_politique."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from balise.comptes.models import Utilisateur
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from . import politique
from . import selectors_politique as selecteurs
from . import services_politique as services
from .forms_politique import AdaptationForm, ChampNumero


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    return {
        "organisation": adhesion.organisation,
        "peut_gouverner": peut(adhesion.role, Permission.GOUVERNER),
        **autres,
    }


def _formulaire(adhesion: Adhesion, applicable: selecteurs.Applicable, data: Any = None) -> AdaptationForm:
    return AdaptationForm(
        data,
        initial={"depuis_numero": applicable.numero},
        politique=applicable.politique,
        instruments=services.instruments_connus(adhesion.organisation),
        obligations=politique.obligations_connues(),
        nom_organisation=adhesion.organisation.nom,
    )


def _portes_lisibles(p: politique.Politique) -> list[dict[str, Any]]:
    """Les portes dans l'ordre du cycle de vie, chaque critère avec ses références et leurs sources."""
    resultat = []
    for nom in politique.LIBELLES_PORTES:
        porte = p.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
        if porte is None:
            continue
        criteres = [
            {
                "c": c,
                "references": [
                    {"source": p.sources.get(r.source), "cle": r.source, "article": r.article}
                    for r in c.references
                ],
            }
            for c in porte.criteres
        ]
        resultat.append({"nom": nom, "porte": porte, "criteres": criteres})
    return resultat


@login_required
def politique_portes(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    applicable = selecteurs.applicable(adhesion.organisation)
    nationale = politique.en_vigueur()
    return render(
        request,
        "gouvernance/politique/politique.html",
        _contexte(
            adhesion,
            applicable=applicable,
            p=applicable.politique,
            portes=_portes_lisibles(applicable.politique),
            historique=selecteurs.historique(adhesion.organisation),
            nationale_plus_recente=nationale.version > applicable.politique.version,
            nationale=nationale,
            longueur_motif=services.LONGUEUR_MOTIF,
        ),
    )


@login_required
def adapter(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GOUVERNER)
    applicable = selecteurs.applicable(adhesion.organisation)
    form = _formulaire(adhesion, applicable, request.POST if request.method == "POST" else None)
    apercu: list[str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "apercu":
                lue = services.verifier_politique(adhesion.organisation, form.contenu)
                apercu = politique.differences(applicable.politique, lue)
            else:
                version = services.adapter_politique(
                    adhesion.organisation,
                    form.contenu,
                    form.cleaned_data["motif"],
                    cast(Utilisateur, request.user),
                    form.cleaned_data["depuis_numero"],
                )
                messages.success(
                    request, f"La politique des portes adaptée n° {version.numero} est en vigueur."
                )
                return redirect("gouvernance:politique_portes", slug=slug)
        except services.ConflitPolitique as conflit:
            messages.error(request, " ".join(conflit.messages))
            # Le formulaire repart de la politique désormais en vigueur (la saisie reposait sur une autre).
            applicable = selecteurs.applicable(adhesion.organisation)
            form = _formulaire(adhesion, applicable)
        except ValidationError as erreur:
            form.add_error(None, erreur)
    return render(
        request,
        "gouvernance/politique/adapter.html",
        _contexte(adhesion, applicable=applicable, form=form, apercu=apercu),
    )


@require_POST
@login_required
def revenir(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GOUVERNER)
    try:
        version = services.revenir_a_la_politique_nationale(
            adhesion.organisation,
            request.POST.get("motif", ""),
            cast(Utilisateur, request.user),
            ChampNumero().clean(request.POST.get("depuis_numero")),
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(
            request,
            f"Votre organisation suit de nouveau la politique nationale v{version.base_version} "
            f"(version n° {version.numero}).",
        )
    return redirect("gouvernance:politique_portes", slug=slug)
