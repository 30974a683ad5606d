"""Écritures de l'observatoire : le choix d'une organisation, et un relevé (calcul complet)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation

from . import calcul, extraction, referentiel, selectors
from .models import Participation, Releve


@transaction.atomic
def changer_participation(
    organisation: Organisation,
    par: Utilisateur,
    version: int | None,
    contribue: bool,
    partage_metiers: bool,
) -> Participation:
    """Ce que l'organisation apporte à l'observatoire (verrou optimiste). Vaut au prochain relevé."""
    pk = Participation.objects.filter(organisation=organisation).values_list("pk", flat=True).first()
    if pk is None:
        # Jamais choisi : la ligne naît avec les valeurs par défaut (version 1, celle que montre la page).
        pk = versions.attribuer(Participation(organisation=organisation), par).pk
    participation = versions.verrouiller(Participation.objects.all(), pk, version)
    participation.contribue, participation.partage_metiers = contribue, partage_metiers
    versions.enregistrer(participation, par)
    return participation


def seuil() -> int:
    valeur: int = settings.OBSERVATOIRE_SEUIL
    if valeur < calcul.SEUIL_MINIMUM:
        raise ValueError(f"Le seuil de l'observatoire ne peut pas être inférieur à {calcul.SEUIL_MINIMUM}.")
    return valeur


def _synthese(resultat: calcul.Resultat) -> dict[str, dict[str, int | str | None]]:
    return {
        t.definition.id: {
            "valeur": t.cases[(calcul.TOTAL, calcul.TOTAL)].valeur,
            "secret": t.cases[(calcul.TOTAL, calcul.TOTAL)].motif,
        }
        for t in resultat.tables
    }


@contextmanager
def _sans_ramasse_miettes() -> Iterator[None]:
    """Le calcul crée des millions de petits objets sans cycle (comptes, parts privées) : le ramasse-
    miettes des cycles les parcourrait en vain, encore et encore. Il est suspendu le temps du calcul."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


def calculer_releve(maintenant: datetime | None = None) -> Releve:
    """Un relevé complet : comptes lus par agrégats, secret appliqué contre le relevé précédent, puis
    enregistré en une transaction (le précédent perd ses états, devenus inutiles)."""
    with _sans_ramasse_miettes():
        return _calculer(maintenant)


def _calculer(maintenant: datetime | None) -> Releve:
    debut = time.monotonic()
    orgs = extraction.organisations()
    entrees = extraction.entrees(orgs, maintenant)
    with transaction.atomic():
        # Verrouille le dernier relevé : deux calculs simultanés ne partent pas du même précédent.
        precedent = Releve.objects.select_for_update().order_by("-calcule_le", "-pk").first()
        lu = calcul.Precedent.de_json(precedent.etats) if precedent else None
        resultat = calcul.calculer(entrees, seuil(), lu)
        releve = Releve.objects.create(
            calcule_le=maintenant or timezone.now(),
            seuil=resultat.seuil,
            version_referentiel=referentiel.en_vigueur().version,
            organisations=orgs.nombre,
            contributrices=len(orgs.contributrices),
            tables=[calcul.en_json(t) for t in resultat.tables],
            synthese=_synthese(resultat),
            etats=resultat.suivant.en_json(),
        )
        Releve.objects.exclude(pk=releve.pk).exclude(etats={}).update(etats={})
        Releve.objects.filter(pk=releve.pk).update(duree=time.monotonic() - debut)
        # Publié pour tous les processus une fois la transaction validée (selectors.publie).
        transaction.on_commit(lambda: selectors.annoncer(releve.pk, releve.calcule_le))
    releve.duree = time.monotonic() - debut
    return releve
