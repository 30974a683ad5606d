"""La charte adoptée, publique (sans connexion) : page et PDF, liés depuis le registre public."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from balise import cache_pages
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import selectors as organisations
from balise.organisations.models import Organisation

from . import pdf, selectors
from .models import VersionCharte


def _charte(slug: str) -> tuple[Organisation, VersionCharte]:
    organisation = organisations.organisation_par_slug(slug)
    if organisation is None:
        raise Http404("Organisation introuvable.")
    charte = selectors.adoptee(organisation)
    if charte is None:
        raise Http404("Cette organisation n'a pas encore publié de charte de l'IA.")
    return organisation, charte


@cache_pages.public(max_age=300)
def page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, charte = _charte(slug)
    return render(
        request,
        "chartes/public.html",
        {
            "organisation": organisation,
            "charte": charte,
            "consultations": selectors.consultations(charte, publiques=True),
            "public": True,
        },
    )


@cache_pages.public(max_age=300)
def document_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, charte = _charte(slug)
    corps = cache_pages.lire(
        organisation, f"public:charte.pdf:{charte.pk}:{charte.version}", lambda: pdf.pdf(charte)
    )
    reponse = HttpResponse(corps, content_type="application/pdf")
    nom = nom_fichier("charte-ia", organisation.nom, jour=charte.adoptee_le, extension="pdf")
    reponse["Content-Disposition"] = disposition(nom, en_ligne=True)
    return reponse
