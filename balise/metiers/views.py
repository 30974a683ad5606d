"""Pages de l'impact sur les métiers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from balise.organisations import acces
from balise.organisations.roles import Permission

from .referentiel import charger


@login_required
def referentiel(request: HttpRequest, slug: str) -> HttpResponse:
    """Le référentiel national, sa provenance et ses mises en garde ; filtre par niveau d'exposition."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    ref = charger()
    niveau = request.GET.get("niveau", "")
    metiers = [m for m in ref.metiers if m.niveau == niveau] if niveau in ref.niveaux else list(ref.metiers)
    return render(
        request,
        "metiers/referentiel.html",
        {
            "organisation": adhesion.organisation,
            "ref": ref,
            "comptes": ref.comptes(),
            "niveau": niveau if niveau in ref.niveaux else "",
            "metiers": metiers,
        },
    )
