"""Le registre public (CRPA) : sans connexion, seulement les fiches marquées publiques et non archivées."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from balise.organisations.models import Organisation

from . import opendata, selectors


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


@cache_control(public=True, max_age=300)
def registre(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    systemes = selectors.registre_public(organisation).only(
        "uid", "nom", "finalite", "service", "domaine", "type_ia", "stade", "decision_individuelle"
    )
    return render(
        request, "public/registre.html", {"organisation": organisation, "systemes": systemes, "public": True}
    )


@cache_control(public=True, max_age=300)
def fiche(request: HttpRequest, slug: str, uid: str) -> HttpResponse:
    organisation = _organisation(slug)
    systeme = get_object_or_404(selectors.registre_public(organisation), uid=uid)
    return render(
        request, "public/fiche.html", {"organisation": organisation, "systeme": systeme, "public": True}
    )


@cache_control(public=True, max_age=300)
def registre_json(request: HttpRequest, slug: str) -> JsonResponse:
    organisation = _organisation(slug)
    document = opendata.document_json(organisation, request.build_absolute_uri(reverse("public:schema")))
    reponse = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


@cache_control(public=True, max_age=300)
def registre_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    # BOM UTF-8 : les tableurs courants reconnaissent alors l'encodage.
    reponse = HttpResponse(
        "\ufeff" + opendata.document_csv(organisation), content_type="text/csv; charset=utf-8"
    )
    reponse["Content-Disposition"] = f'attachment; filename="registre-ia-{organisation.slug}.csv"'
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


def schema(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/schema.html",
        {"champs": opendata.CHAMPS, "nom": opendata.SCHEMA_NOM, "version": opendata.SCHEMA_VERSION},
    )
