"""API des rapports et des exports : exactement les droits des pages (rapports/views.py).

- lister les rapports, en télécharger un format, télécharger un export : VOIR_REGISTRE (et le droit de
  l'export) ;
- lancer la production d'un rapport (travail de fond) : PRODUIRE_RAPPORTS.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.rapports import exports, selectors, services
from balise.rapports.models import FORMATS, Rapport

from .schemas import Corps, Erreur, ErreurValidation, _entier

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
routeur = Router(tags=["Rapports et exports"])

GenreT = Literal[tuple(Rapport.Genre.values)]  # type: ignore[valid-type]
FormatRapportT = Literal[tuple(FORMATS)]  # type: ignore[valid-type]
FormatExportT = Literal[tuple(exports.FORMATS)]  # type: ignore[valid-type]
_BINAIRE = {
    "responses": {
        200: {
            "description": "Le fichier, en pièce jointe.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class ProductionEntree(Corps):
    genre: GenreT
    # Un entier (2025.0 en est un pour JSON Schema, comme pour les identifiants de gouvernance_avis.py).
    annee: Annotated[int, Field(ge=1, le=9999), BeforeValidator(_entier)] = Field(
        ..., description="L'année civile sur laquelle porte le rapport."
    )


class RapportSortie(Schema):
    id: int
    genre: str
    genre_libelle: str
    annee: int
    version: int | None = Field(None, description="Numéro de version, donné quand le rapport est produit.")
    titre: str
    etat: str = Field(
        ..., description="en_attente, en_cours, termine, echoue ou annule (le travail de fond)."
    )
    etat_libelle: str
    message: str
    demande_le: datetime
    produit_le: datetime | None
    formats: list[str] = Field(
        ..., description="Les formats téléchargeables (vide tant qu'il n'est pas produit)."
    )


def _sortie(r: Rapport) -> dict:
    travail = r.travail
    return {
        "id": r.pk,
        "genre": r.genre,
        "genre_libelle": r.get_genre_display(),
        "annee": r.annee,
        "version": r.version,
        "titre": r.titre,
        "etat": travail.etat if travail else "termine",
        "etat_libelle": travail.get_etat_display() if travail else "Terminé",
        "message": travail.message if travail else "",
        "demande_le": r.demande_le,
        "produit_le": r.produit_le,
        "formats": list(FORMATS) if r.produit else [],
    }


@routeur.get(
    "/{slug}/rapports", response={200: list[RapportSortie], **ERREURS}, summary="Lister les rapports"
)
def lister(request, slug: str):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_sortie(r) for r in selectors.rapports(adhesion.organisation)]


@routeur.post(
    "/{slug}/rapports",
    response={201: RapportSortie, 400: Erreur, **ERREURS},
    summary="Lancer la production d'un rapport",
    description="La production est un travail de fond : suivez son état en relisant la liste.",
)
def lancer(request, slug: str, corps: ProductionEntree):
    adhesion = acces.exiger(request.auth, slug, Permission.PRODUIRE_RAPPORTS)
    rapport = services.lancer(adhesion.organisation, request.auth, corps.genre, corps.annee)
    return 201, _sortie(selectors.rapport(adhesion.organisation, rapport.pk))


@routeur.get(
    "/{slug}/rapports/{pk}/{format_}",
    response=ERREURS,
    summary="Télécharger un rapport produit",
    openapi_extra=_BINAIRE,
)
def telecharger(request, slug: str, pk: int, format_: FormatRapportT):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    rapport, contenu = selectors.fichier(adhesion.organisation, pk, format_)
    reponse = HttpResponse(contenu, content_type=FORMATS[format_])
    reponse["Content-Disposition"] = f'attachment; filename="{rapport.nom_fichier(format_)}"'
    return reponse


@routeur.get(
    "/{slug}/exports/{nom}/{format_}",
    response=ERREURS,
    summary="Télécharger un export (registre, obligations, conditions…)",
    openapi_extra=_BINAIRE,
)
def exporter(request, slug: str, nom: str, format_: FormatExportT):
    export = exports.EXPORTS.get(nom)
    if export is None:
        acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
        raise Http404("Export inconnu.")
    adhesion = acces.exiger(request.auth, slug, export.permission)
    organisation = adhesion.organisation
    reponse = HttpResponse(
        exports.produire(organisation, nom, format_), content_type=exports.FORMATS[format_]
    )
    reponse["Content-Disposition"] = (
        f'attachment; filename="{exports.nom_fichier(organisation, nom, format_)}"'
    )
    return reponse
