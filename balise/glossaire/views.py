"""La page publique du glossaire (sans connexion) : chaque terme, sa définition, ses autres écritures
et ses sources ; les définitions en contexte y renvoient par l'ancre du terme."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from balise import cache_pages

from .glossaire import en_vigueur


def page(request: HttpRequest) -> HttpResponse:
    glossaire = en_vigueur()
    termes = sorted(glossaire.termes, key=lambda t: t.terme.casefold())
    reponse = render(
        request,
        "glossaire/page.html",
        {
            "glossaire": glossaire,
            "termes": [(t, glossaire.citer(t)) for t in termes],
            "public": True,
        },
    )
    return cache_pages.entetes_publiques(request, reponse, max_age=3600)
