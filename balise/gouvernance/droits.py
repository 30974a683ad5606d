"""Qui voit et qui fait quoi dans une instance. Le rôle dans l'organisation (organisations/roles.py)
donne les droits généraux ; le siège dans une instance ouvre ses séances et ses dossiers.

- GOUVERNER (administrateur, référent IA) : tout sur toutes les instances de l'organisation ;
- le président ou le secrétaire d'une instance instruit ses séances (ordre du jour, présences,
  procès-verbal, avis) sans avoir GOUVERNER ;
- un membre votant vote sur les points des séances de son instance ;
- VOIR_REGISTRE (membres de l'organisation) : lire les instances, séances et avis ;
- un membre externe (rôle EXTERNE, sans VOIR_REGISTRE) ne voit que les séances des instances où il
  siège, leurs points et leurs dossiers : rien d'autre de l'organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from balise.organisations.roles import Permission, peut

from .models import Instance, Membre

if TYPE_CHECKING:
    from balise.organisations.models import Adhesion

INSTRUCTEURS = (Membre.Fonction.PRESIDENT, Membre.Fonction.SECRETAIRE)


def siege(adhesion: Adhesion, instance: Instance) -> Membre | None:
    """Le siège actuel de la personne dans l'instance, s'il y en a un."""
    if not peut(adhesion.role, Permission.SIEGER):
        return None
    return Membre.objects.filter(
        instance=instance, utilisateur_id=adhesion.utilisateur_id, retire_le__isnull=True
    ).first()


def externe(adhesion: Adhesion) -> bool:
    """Un membre externe (sans VOIR_REGISTRE) : le menu ne lui propose que « À traiter » et ses instances."""
    return not peut(adhesion.role, Permission.VOIR_REGISTRE)


def peut_voir(adhesion: Adhesion, instance: Instance) -> bool:
    return peut(adhesion.role, Permission.VOIR_REGISTRE) or siege(adhesion, instance) is not None


def peut_instruire(adhesion: Adhesion, instance: Instance) -> bool:
    if peut(adhesion.role, Permission.GOUVERNER):
        return True
    membre = siege(adhesion, instance)
    return membre is not None and membre.fonction in INSTRUCTEURS


def peut_voter(adhesion: Adhesion, instance: Instance) -> Membre | None:
    """Le siège par lequel la personne vote, ou None si elle ne vote pas dans cette instance."""
    membre = siege(adhesion, instance)
    return membre if membre is not None and membre.votant else None
