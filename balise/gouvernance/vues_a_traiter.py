"""Pages « À traiter » (ce qui attend la personne) et « Pilotage » (vue d'ensemble de l'organisation).

Ni l'une ni l'autre n'est en cache : elles dépendent de la date (une échéance passe à minuit sans
aucune écriture) et de la personne.
"""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.programme import demarrage

from . import a_traiter as selecteur
from . import pilotage as vue_d_ensemble


@login_required
def a_traiter(request: HttpRequest, slug: str) -> HttpResponse:
    # SIEGER suffit : un membre externe y trouve ses séances, et rien d'autre.
    adhesion = acces.exiger(request.user, slug, Permission.SIEGER)
    personne = cast(Utilisateur, request.user)
    donnees = selecteur.pour_personne(personne, adhesion.organisation, adhesion.role, timezone.localdate())
    return render(
        request,
        "gouvernance/a_traiter/a_traiter.html",
        {
            "organisation": adhesion.organisation,
            "t": donnees,
            "jours_proches": selecteur.JOURS_PROCHES,
            "limite": selecteur.LIMITE,
            "peut_piloter": peut(adhesion.role, Permission.VOIR_REGISTRE),
            # Le démarrage guidé, tant que l'organisation n'a pas franchi les cinq pas (programme/demarrage.py).
            "demarrage": demarrage.etat(adhesion.organisation)
            if peut(adhesion.role, Permission.VOIR_REGISTRE)
            else None,
        },
    )


@login_required
def pilotage(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request,
        "gouvernance/a_traiter/pilotage.html",
        {
            "organisation": adhesion.organisation,
            "p": vue_d_ensemble.pilotage(adhesion.organisation, timezone.localdate()),
            "mois": vue_d_ensemble.MOIS_DECISIONS,
        },
    )
