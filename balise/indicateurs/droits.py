"""Qui fait quoi sur les indicateurs (les droits viennent de organisations/roles.py).

- lire : toute personne qui voit le registre (VOIR_REGISTRE) ;
- créer, modifier, archiver un indicateur : PILOTER_PROGRAMME ;
- saisir et corriger ses mesures : PILOTER_PROGRAMME, ou la personne responsable de l'indicateur
  (si elle voit le registre) ;
- enregistrer l'analyse d'un écart et son action corrective en revue : GOUVERNER ou PILOTER_PROGRAMME.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from balise.organisations.roles import Permission, peut

if TYPE_CHECKING:
    from .models import Indicateur


def peut_lire(role: str | None) -> bool:
    return peut(role, Permission.VOIR_REGISTRE)


def peut_piloter(role: str | None) -> bool:
    return peut(role, Permission.PILOTER_PROGRAMME)


def peut_saisir(role: str | None, utilisateur_id: int | None, indicateur: Indicateur) -> bool:
    if not peut_lire(role):
        return False
    return peut_piloter(role) or (utilisateur_id is not None and indicateur.responsable_id == utilisateur_id)


def peut_revoir(role: str | None) -> bool:
    return peut(role, Permission.GOUVERNER) or peut_piloter(role)
