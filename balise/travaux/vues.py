"""Ce que les pages d'avancement d'un travail de fond ont en commun (imports des effectifs, du registre)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, JsonResponse

from .models import Travail
from .services import TravailTermine


def etat_json(etat: dict[str, Any]) -> JsonResponse:
    """L'état du travail, lu par avancement.js ; jamais gardé en cache (`actif` faux : page à recharger)."""
    reponse = JsonResponse(etat)
    reponse["Cache-Control"] = "no-store"
    return reponse


def annoncer_annulation(request: HttpRequest, annuler: Callable[[], Travail]) -> None:
    """Annule le travail et dit ce qui s'est passé : annulé, annulation demandée, ou déjà terminé."""
    try:
        travail = annuler()
    except TravailTermine as erreur:
        messages.info(request, str(erreur))
        return
    if travail.etat == Travail.Etat.ANNULE:
        messages.success(request, "Annulé : rien n'a été enregistré.")
    else:
        messages.success(request, "Annulation demandée : le travail s'arrête sans rien enregistrer.")
