"""Contrôle d'accès aux données d'une organisation, commun aux pages et à l'API.

Une personne qui n'est pas membre reçoit « introuvable » (404) : on ne révèle pas ce qui existe
chez les autres. Un membre sans le droit voulu reçoit « interdit » (403).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Adhesion
from .roles import Permission, peut


def adhesion(utilisateur, slug: str) -> Adhesion:
    if not utilisateur.is_authenticated:
        raise Http404("Organisation introuvable.")
    try:
        return Adhesion.objects.select_related("organisation").get(
            utilisateur=utilisateur, organisation__slug=slug
        )
    except Adhesion.DoesNotExist:
        raise Http404("Organisation introuvable.") from None


def exiger(utilisateur, slug: str, permission: Permission) -> Adhesion:
    trouvee = adhesion(utilisateur, slug)
    if not peut(trouvee.role, permission):
        raise PermissionDenied("Votre rôle dans cette organisation ne permet pas cette action.")
    return trouvee
