"""Ce que le squelette commun (base.html) doit savoir de la personne dans l'organisation de l'adresse.

Un membre externe d'instance (sans VOIR_REGISTRE) n'a dans son menu que « À traiter » et
« Instances » ; toutes les pages d'une organisation le savent ainsi sans que chaque vue le dise.
L'adhésion est lue sous sa génération (organisations/acces.py) : la vue l'a déjà lue, sans requête.
"""

from typing import Any

from django.http import Http404, HttpRequest

from balise.organisations import acces

from . import droits


def menu(request: HttpRequest) -> dict[str, Any]:
    correspondance = request.resolver_match
    slug = correspondance.kwargs.get("slug") if correspondance else None
    if not slug or not request.user.is_authenticated:
        return {}
    try:
        adhesion = acces.adhesion(request.user, slug)
    except Http404:
        return {}
    # Le personnel d'une mutualisante, entré sous convention (balise/mutualisation/delegation.py), voit
    # à quel titre il agit : la mutualisante et le rôle que le membre lui accorde.
    convention = getattr(adhesion, "convention", None)
    return {
        "externe": droits.externe(adhesion),
        "pour_le_compte_de": convention.mutualisante.nom if convention else "",
        "role_accorde": convention.get_role_display() if convention else "",
    }
