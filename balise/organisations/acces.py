"""Contrôle d'accès aux données d'une organisation, commun aux pages et à l'API.

Une personne qui n'est pas membre reçoit « introuvable » (404) : on ne révèle pas ce qui existe
chez les autres. Un membre sans le droit voulu reçoit « interdit » (403). Le personnel d'une
mutualisante sous convention signée et dans ses dates entre avec le rôle que le membre accorde
(balise/mutualisation/delegation.py) ; sa propre adhésion, s'il en a une, passe avant.

L'organisation est lue sous sa génération, l'adhésion de la personne sous la sienne
(balise/generations.py) : sans requête tant que rien n'a changé, et relues en base dès que
l'organisation, un rôle ou un départ change (organisations/fraicheur.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from balise import generations
from balise.mutualisation.delegation import adhesion_deleguee

from . import selectors
from .models import Adhesion
from .roles import Permission, peut

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from balise.comptes.models import Utilisateur

_INTROUVABLE = "Organisation introuvable."


def adhesion(utilisateur: Utilisateur | AnonymousUser, slug: str) -> Adhesion:
    if not utilisateur.is_authenticated:
        raise Http404(_INTROUVABLE)
    organisation = selectors.organisation_par_slug(slug)
    if organisation is None:
        raise Http404(_INTROUVABLE)
    trouvee = generations.lire(
        "personne",
        utilisateur.pk,
        f"adhesion|{organisation.pk}",
        lambda: Adhesion.objects.filter(utilisateur=utilisateur.pk, organisation=organisation.pk).first(),
    )
    if trouvee is None:  # l'absence d'adhésion est gardée, elle aussi, jusqu'au prochain changement
        trouvee = adhesion_deleguee(utilisateur, organisation)
    if trouvee is None:
        raise Http404(_INTROUVABLE)
    trouvee.organisation = organisation
    return trouvee


def permet(utilisateur: Utilisateur | AnonymousUser, slug: str, permission: Permission) -> bool:
    """Sans refuser : la personne a-t-elle ce droit dans cette organisation ? (un lien à montrer ou non)"""
    try:
        return peut(adhesion(utilisateur, slug).role, permission)
    except Http404:
        return False


def exiger(utilisateur: Utilisateur | AnonymousUser, slug: str, permission: Permission) -> Adhesion:
    trouvee = adhesion(utilisateur, slug)
    if not peut(trouvee.role, permission):
        raise PermissionDenied("Votre rôle dans cette organisation ne permet pas cette action.")
    return trouvee
