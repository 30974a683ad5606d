"""API de la bibliothèque des cas d'usage. Mêmes droits que les pages (balise/bibliotheque/views.py) :
chercher et lire, VOIR_REGISTRE ; adopter (une fiche naît au registre, au stade idée), DECLARER."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from balise.bibliotheque import selectors, services
from balise.bibliotheque.models import CasUsage
from balise.organisations import acces
from balise.organisations.models import TypeOrganisation
from balise.organisations.roles import Permission

from .schemas import (
    Corps,
    DomaineT,
    Erreur,
    ErreurValidation,
    PaginationBornee,
    RealisationT,
    Texte,
    TypeIAT,
)

routeur = Router(tags=["Bibliothèque des cas d'usage"])

# Noms de schémas propres à ce module : le document OpenAPI range les schémas par nom de classe.
ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: Erreur}

TypeCollectiviteT = Literal[tuple(TypeOrganisation.values)]  # type: ignore[valid-type]
OrigineT = Literal[tuple(CasUsage.Origine.values)]  # type: ignore[valid-type]


class FiltresBibliotheque(Schema):
    q: str = Field(
        "",
        max_length=selectors.LONGUEUR_REQUETE,
        description="Mots cherchés (plein texte en français sur PostgreSQL ; sans accents ni majuscules requis).",
    )
    domaine: DomaineT | None = None
    type_ia: TypeIAT | None = None
    realisation: RealisationT | None = None
    type_collectivite: TypeCollectiviteT | None = None
    origine: OrigineT | None = None


class MesureCasSortie(Schema):
    libelle: str
    valeur: str = Field(description="Nombre décimal, en texte (« 1100 », « 12.5 »).")
    unite: str


class CasUsageSortie(Schema):
    id: int
    origine: str
    titre: str
    collectivite: str
    type_collectivite: str
    domaine: str
    type_ia: str
    realisation: str
    cible: str
    positionnement: str
    stade: str = Field(description="Stade atteint (vide s'il n'est pas dit).")
    fournisseur: str
    finalite: str
    mesures: list[MesureCasSortie]
    resultats_instruments: str
    decision: str
    lecons: str
    contact: str
    sources: str
    cree_le: datetime


class AdoptionCasSortie(Schema):
    organisation: str
    adopte_le: datetime
    partage: int | None = Field(description="Le cas que l'organisation a partagé à son tour, s'il y en a un.")


class CasUsageDetailSortie(CasUsageSortie):
    adoptions: list[AdoptionCasSortie]

    @staticmethod
    def resolve_adoptions(cas: CasUsage) -> list[dict[str, Any]]:
        return [
            {
                "organisation": a.organisation,
                "adopte_le": a.le,
                "partage": a.partage.pk if a.partage else None,
            }
            for a in selectors.adoptions_de(cas)
        ]


class AdoptionCasEntree(Corps):
    nom: Texte(200) = Field("", description="Nom de la fiche ; vide : le titre du cas.")  # type: ignore[valid-type]
    service: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    responsable: Texte(200, obligatoire=True) = Field(description="Nom et fonction.")  # type: ignore[valid-type]


class AdoptionCasCreee(Schema):
    cas: int
    systeme: int = Field(description="La fiche créée au registre de l'organisation, au stade idée.")
    adopte_le: datetime


@routeur.get(
    "/{slug}/bibliotheque",
    response={200: list[CasUsageSortie], **ERREURS},
    summary="Chercher dans la bibliothèque des cas d'usage",
    description="Les cas visibles (exemples documentés et partages), filtrés ; avec des mots cherchés, "
    "les plus pertinents d'abord (PostgreSQL), sinon les plus récents. Paginé (limit, offset). Une "
    f"recherche parcourt au plus {selectors.PLAFOND} cas (`count` plafonné) : au-delà, les plus récents, "
    "et la recherche est à préciser par des mots ou des filtres.",
)
@paginate(PaginationBornee)
def chercher(request: Any, slug: str, filtres: Query[FiltresBibliotheque]) -> Any:
    acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    criteres = selectors.Criteres(**{k: v or "" for k, v in filtres.dict().items()})
    cas, _, _ = selectors.parcourus(criteres)
    return cas[: selectors.PLAFOND]


@routeur.get(
    "/{slug}/bibliotheque/{pk}",
    response={200: CasUsageDetailSortie, **ERREURS},
    summary="Lire un cas d'usage",
    description="Le cas, et les organisations qui l'ont adopté avec leur propre partage s'il y en a un.",
)
def lire(request: Any, slug: str, pk: int) -> CasUsage:
    acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return selectors.cas(pk)


@routeur.post(
    "/{slug}/bibliotheque/{pk}/adopter",
    response={201: AdoptionCasCreee, **ERREURS_ECRITURE},
    summary="Adopter un cas d'usage",
    description="Crée au registre de l'organisation une fiche au stade idée, pré-remplie du cas, et en "
    "garde la provenance. Cas retiré : 404 ; cas partagé par l'organisation elle-même : 409.",
)
def adopter(request: Any, slug: str, pk: int, corps: AdoptionCasEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.DECLARER)
    trouve = selectors.cas(pk)
    adoption = services.adopter(
        trouve, adhesion.organisation, request.auth, corps.service, corps.responsable, corps.nom
    )
    return 201, {"cas": trouve.pk, "systeme": adoption.systeme_id, "adopte_le": adoption.adopte_le}
