"""Le registre public (CRPA) : sans connexion, seulement les fiches marquées publiques et non archivées."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control

from balise import cache_pages, theme
from balise.chartes import selectors as chartes
from balise.conformite import regles as regles_de_qualification
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import selectors as organisations
from balise.organisations.models import Organisation

from . import opendata, portable, selectors


def _organisation(slug: str) -> Organisation:
    organisation = organisations.organisation_par_slug(slug)
    if organisation is None:
        raise Http404("Organisation introuvable.")
    return organisation


@cache_pages.public(max_age=300)
def registre(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)

    def produire() -> str:
        systemes = selectors.registre_public(organisation).only(
            "uid", "nom", "finalite", "service", "domaine", "type_ia", "stade", "decision_individuelle"
        )
        contexte = {
            "organisation": organisation,
            "systemes": systemes,
            "charte": chartes.adoptee(organisation),
        }
        return render_to_string("public/_registre_contenu.html", contexte)

    contenu = cache_pages.lire(organisation, "public:page", produire)
    return render(
        request, "public/registre.html", {"organisation": organisation, "contenu": contenu, "public": True}
    )


@cache_pages.public(max_age=300)
def fiche(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    organisation = _organisation(slug)
    systeme = get_object_or_404(selectors.registre_public(organisation), uid=uid)
    return render(
        request, "public/fiche.html", {"organisation": organisation, "systeme": systeme, "public": True}
    )


@cache_pages.public(max_age=300)
def registre_json(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    schema = request.build_absolute_uri(reverse("public:schema"))
    adresse_charte = request.build_absolute_uri(reverse("charte_publique:page", args=[organisation.slug]))
    corps = cache_pages.lire(
        organisation,
        f"public:json:{schema}",
        lambda: json.dumps(
            opendata.document_json(organisation, schema, adresse_charte),
            ensure_ascii=False,
            cls=DjangoJSONEncoder,
        ),
    )
    reponse = HttpResponse(corps, content_type="application/json")
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


@cache_pages.public(max_age=300)
def registre_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    # BOM UTF-8 : les tableurs courants reconnaissent alors l'encodage.
    corps = cache_pages.lire(
        organisation, "public:csv", lambda: "\ufeff" + opendata.document_csv(organisation)
    )
    reponse = HttpResponse(corps, content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = disposition(
        nom_fichier("registre-ia", organisation.slug, extension="csv")
    )
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


def schema(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/schema.html",
        {
            "champs": opendata.CHAMPS,
            "champs_charte": opendata.CHAMPS_CHARTE,
            "nom": opendata.SCHEMA_NOM,
            "version": opendata.SCHEMA_VERSION,
        },
    )


def _schema_json(texte: str) -> HttpResponse:
    """Un schéma JSON livré avec le code, à une adresse stable, lisible depuis n'importe quelle origine."""
    reponse = HttpResponse(texte, content_type="application/schema+json; charset=utf-8")
    reponse["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(reponse, public=True, max_age=3600)
    return reponse


def schema_portable(request: HttpRequest) -> HttpResponse:
    """Le schéma JSON du fichier portable d'un système (portable.py)."""
    return _schema_json(portable.schema_publie())


def schema_regles(request: HttpRequest) -> HttpResponse:
    """Le schéma JSON des règles de qualification (conformite/regles.py), qu'une autre autorité réutilise."""
    return _schema_json(regles_de_qualification.schema_publie())


def couleurs(request: HttpRequest, slug: str) -> HttpResponse:
    """La feuille de l'organisation : ses palettes teintes de sa couleur (docs/identite-visuelle.md).

    Citée par ses pages avec la couleur dans l'adresse (`?v=`) : une couleur changée est une autre adresse.
    """
    organisation = _organisation(slug)
    if not organisation.couleur:
        raise Http404("Cette organisation n'a pas choisi de couleur.")
    reponse = HttpResponse(
        theme.variables_organisation(organisation.couleur), content_type="text/css; charset=utf-8"
    )
    patch_cache_control(reponse, public=True, max_age=300)
    return reponse


UN_AN = 365 * 24 * 3600


def logo(request: HttpRequest, slug: str) -> HttpResponse:
    """Le logo de l'organisation, en PNG ré-encodé (docs/identite-visuelle.md). 404 sans logo, ou si
    `?v=` désigne un logo qui n'est plus le sien (remplacé ou retiré).

    Les pages le citent avec `?v=` (Organisation.version_logo) : un logo remplacé est une autre adresse,
    que navigateurs et mandataires gardent sans la revalider ; l'ancienne répond 404, aucune ne peut
    montrer un logo périmé."""
    organisation = _organisation(slug)
    version = request.GET.get("v")
    if not organisation.logo or (version is not None and version != organisation.version_logo):
        raise Http404("Cette organisation n'a pas ce logo.")
    etiquette = f'"{organisation.logo}"'
    # Sans version (adresse citée d'ailleurs) : revalidée à chaque fois par son étiquette, jamais périmée.
    reponse = None if version else get_conditional_response(request, etag=etiquette)
    if reponse is None:
        png = organisations.logo_png(organisation)
        if png is None:
            raise Http404("Logo introuvable.")
        reponse = HttpResponse(png, content_type="image/png")
    if version:
        patch_cache_control(reponse, public=True, max_age=UN_AN, immutable=True)
    else:
        patch_cache_control(reponse, public=True, no_cache=True)
    reponse["ETag"] = etiquette
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Content-Disposition"] = disposition(
        nom_fichier("logo", organisation.slug, extension="png"), en_ligne=True
    )
    return reponse
