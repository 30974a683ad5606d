"""L'observatoire public : page, données ouvertes (JSON, CSV) et leur schéma, sans connexion. Les
pages lisent le dernier relevé ; aucun calcul dans une requête."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from balise import cache_pages
from balise.noms_fichiers import disposition, nom_fichier

from . import presentation, schema, selectors


def _releve() -> str:
    cle = selectors.publie()
    if cle is None:
        raise Http404("L'observatoire n'a pas encore été calculé.")
    return cle


def _ouvert(reponse: HttpResponse) -> HttpResponse:
    reponse["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(reponse, public=True, max_age=300)
    return reponse


TITRE = "Observatoire de l'IA dans les collectivités"


def contenu(pk: int | None) -> str:
    """Le contenu de la page pour un relevé (ou sans relevé) : le rendu lourd, gardé en mémoire."""
    releve = selectors.releve(pk) if pk is not None else None
    tables = releve.tables if releve else []
    # Indicateurs et usage de la passerelle : réunis par découpage (mêmes chiffres, mêmes secrets).
    tableaux = [presentation.tableau(t) for t in tables if t["groupe"] not in ("organisations", "passerelle")]
    for reunir in (presentation.organisations, presentation.passerelle):
        for decoupage, libelle in (("strate", "Strate"), ("region", "Région")):
            combine = reunir(tables, decoupage, libelle)
            if combine is not None:
                tableaux.append(combine)
    groupes = [
        ("systemes", "Les systèmes d'IA déclarés"),
        ("organisations", "La gouvernance des organisations"),
        ("metiers", "L'exposition des métiers"),
        ("passerelle", "L'usage de l'IA générative par les passerelles"),
    ]
    return render_to_string(
        "observatoire/_public.html",
        {
            "titre": TITRE,
            "releve": releve,
            "groupes": [
                (ident, titre, [t for t in tableaux if t.groupe == ident]) for ident, titre in groupes
            ],
            "motifs": presentation.motifs(),
            "evolution": presentation.evolution(selectors.evolution() if releve else []),
            "nombre_secrets": sum(t.nombre_secrets for t in tableaux),
        },
    )


def page(request: HttpRequest) -> HttpResponse:
    cle = selectors.publie()
    html = (
        contenu(None)
        if cle is None
        else selectors.en_memoire("page", cle, lambda: contenu(selectors.numero(cle)))
    )
    contexte = {"titre": TITRE, "contenu": mark_safe(html)}  # noqa: S308 — rendu de gabarit (déjà échappé)
    if cle is None or request.user.is_authenticated or len(messages.get_messages(request)):
        # Une personne connectée a son nom dans l'en-tête : sa page est rendue pour elle seule.
        reponse = render(request, "page_en_cache.html", contexte)
    else:
        # Pour tout visiteur anonyme, la page entière ne dépend que du relevé publié : gardée sous sa
        # clé avec ses trous (nonce CSP…), comblés à chaque requête ; un nouveau relevé, une autre clé.
        entiere = selectors.en_memoire(
            "page-anonyme", cle, lambda: cache_pages.rendre_avec_trous(request, contexte)
        )
        reponse = HttpResponse(cache_pages.combler(entiere, request))
    return cache_pages.entetes_publiques(request, reponse, 300)


def corps_json(request: HttpRequest) -> str:
    adresse = request.build_absolute_uri(reverse("observatoire_public:schema"))
    return selectors.document_json(_releve(), adresse)


def donnees_json(request: HttpRequest) -> HttpResponse:
    return _ouvert(HttpResponse(corps_json(request), content_type="application/json"))


def donnees_csv(request: HttpRequest) -> HttpResponse:
    cle = _releve()
    corps = selectors.en_memoire(
        "csv", cle, lambda: "\ufeff" + selectors.document_csv(selectors.releve(selectors.numero(cle)))
    )
    reponse = HttpResponse(corps, content_type="text/csv; charset=utf-8")
    jour = datetime.fromisoformat(cle.split(":", 1)[1])
    reponse["Content-Disposition"] = disposition(nom_fichier("observatoire-ia", extension="csv", jour=jour))
    return _ouvert(reponse)


def schema_json(request: HttpRequest) -> HttpResponse:
    reponse = HttpResponse(schema.schema_publie(), content_type="application/schema+json; charset=utf-8")
    reponse["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(reponse, public=True, max_age=3600)
    return reponse
