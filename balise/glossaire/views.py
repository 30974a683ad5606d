"""La page publique du glossaire (sans connexion) : chaque terme, sa définition, ses autres écritures
et ses sources ; les définitions en contexte y renvoient par l'ancre du terme."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from balise import cache_pages

from .glossaire import en_vigueur


@cache_pages.public(max_age=3600)
def page(request: HttpRequest) -> HttpResponse:
    glossaire = en_vigueur()
    termes = sorted(glossaire.termes, key=lambda t: t.terme.casefold())
    return render(
        request,
        "glossaire/page.html",
        {
            "glossaire": glossaire,
            "termes": [(t, glossaire.citer(t)) for t in termes],
            "public": True,
        },
    )
