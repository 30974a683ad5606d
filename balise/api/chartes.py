"""API de la charte de l'IA : lire les jeux de principes livrés et les versions de la charte, composer
et modifier un brouillon (verrou optimiste), le soumettre à une séance, l'adopter. Mêmes droits que les
pages (balise/chartes/vues.py) : lire, VOIR_REGISTRE ; écrire, PILOTER_PROGRAMME.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from balise.chartes import jeux, selectors, services
from balise.chartes.models import VersionCharte
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import ConflitSortie, Corps, DateISO, Erreur, ErreurValidation, Texte, VersionLue, _entier

routeur = Router(tags=["Programme : charte de l'IA"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

Identifiant = Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_entier)]
StatutT = Literal[tuple(VersionCharte.Statut.values)]  # type: ignore[valid-type]
ModeT = Literal[tuple(VersionCharte.Mode.values)]  # type: ignore[valid-type]
Element = Texte(services.LONGUEUR_ELEMENT)
Reference = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,60}/[a-z0-9_-]{1,60}$")]


class PrincipeJeuSortie(Schema):
    id: str
    titre: str
    explication: str
    source: str


class JeuSortie(Schema):
    identifiant: str
    version: int
    titre: str
    presentation: str
    source: dict[str, str]
    principes: list[PrincipeJeuSortie]


class Principe(Schema):
    titre: Texte(services.LONGUEUR_TITRE, obligatoire=True)  # type: ignore[valid-type]
    explication: Element = ""  # type: ignore[valid-type]
    source: Texte(200) = ""  # type: ignore[valid-type]


class ConsultationSortie(Schema):
    seance: int
    instance: str
    date: datetime
    point: int
    avis: str | None
    avis_motifs: str | None


class VersionCharteSortie(Schema):
    id: int
    numero: int
    titre: str
    statut: StatutT  # type: ignore[valid-type]
    perimetre: str
    principes: list[Principe]
    engagements: list[str]
    lignes_rouges: list[str]
    jeux: list[str]
    soumise_le: datetime | None
    mode_adoption: ModeT | Literal[""]  # type: ignore[valid-type]
    adoptee_le: date | None
    deliberation_numero: str
    cree_par: str
    cree_le: datetime
    version: int = Field(description="À renvoyer avec toute écriture (verrou optimiste).")


class VersionDetail(VersionCharteSortie):
    consultations: list[ConsultationSortie]


class Composition(Corps):
    titre: Texte(services.LONGUEUR_TITRE, obligatoire=True)  # type: ignore[valid-type]
    principes: list[Reference] = Field(
        ...,
        min_length=1,
        max_length=services.NOMBRE_MAX,
        description="Principes choisis dans les jeux livrés : « jeu/principe » (GET …/charte/jeux).",
    )
    perimetre: Texte(services.LONGUEUR_PERIMETRE) = ""  # type: ignore[valid-type]
    engagements: list[Element] = Field(default_factory=list, max_length=services.NOMBRE_MAX)  # type: ignore[valid-type]
    lignes_rouges: list[Element] = Field(default_factory=list, max_length=services.NOMBRE_MAX)  # type: ignore[valid-type]


class Modification(Corps):
    """Modification partielle d'un brouillon : seuls les champs fournis changent."""

    titre: Texte(services.LONGUEUR_TITRE, obligatoire=True) = None  # type: ignore[valid-type]
    perimetre: Texte(services.LONGUEUR_PERIMETRE) = None  # type: ignore[valid-type]
    principes: list[Principe] = Field(None, min_length=1, max_length=services.NOMBRE_MAX)  # type: ignore[arg-type]
    engagements: list[Element] = Field(None, max_length=services.NOMBRE_MAX)  # type: ignore[valid-type,arg-type]
    lignes_rouges: list[Element] = Field(None, max_length=services.NOMBRE_MAX)  # type: ignore[valid-type,arg-type]
    version: VersionLue


class Soumission(Corps):
    seance: Identifiant = Field(
        ..., description="Séance (prévue ou convoquée) d'une instance de l'organisation."
    )
    version: VersionLue


class Adoption(Corps):
    mode_adoption: ModeT = Field(  # type: ignore[valid-type]
        ..., description="direction (comité de direction) ou deliberation."
    )
    adoptee_le: DateISO = Field(
        ..., description="Date d'adoption : ni future, ni antérieure à la soumission."
    )
    deliberation_numero: Texte(60) = Field("", description="Obligatoire pour une délibération.")  # type: ignore[valid-type]
    version: VersionLue


class PointCharteSortie(Schema):
    id: int
    seance: int
    titre: str


def _version(v: VersionCharte) -> dict[str, Any]:
    return {
        "id": v.pk,
        "numero": v.numero,
        "titre": v.titre,
        "statut": v.statut,
        "perimetre": v.perimetre,
        "principes": v.principes,
        "engagements": v.engagements,
        "lignes_rouges": v.lignes_rouges,
        "jeux": v.jeux,
        "soumise_le": v.soumise_le,
        "mode_adoption": v.mode_adoption,
        "adoptee_le": v.adoptee_le,
        "deliberation_numero": v.deliberation_numero,
        "cree_par": v.cree_par.nom_affiche,
        "cree_le": v.cree_le,
        "version": v.version,
    }


def _detail(v: VersionCharte) -> dict[str, Any]:
    return {
        **_version(v),
        "consultations": [
            {
                "seance": c.point.seance_id,
                "instance": c.point.seance.instance.nom,
                "date": c.point.seance.debut,
                "point": c.point.pk,
                "avis": c.avis.sens if c.avis else None,
                "avis_motifs": c.avis.motifs if c.avis else None,
            }
            for c in selectors.consultations(v)
        ],
    }


def _lire(request: Any, slug: str, pk: int, permission: Permission) -> VersionCharte:
    adhesion = acces.exiger(request.auth, slug, permission)
    return selectors.version(adhesion.organisation, pk)


@routeur.get(
    "/{slug}/charte/jeux",
    response={200: list[JeuSortie], **ERREURS},
    summary="Lister les jeux de principes livrés",
)
def lister_jeux(request: Any, slug: str) -> list[dict[str, Any]]:
    acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [j.model_dump() for j in jeux.tous()]


@routeur.get(
    "/{slug}/charte/versions",
    response={200: list[VersionCharteSortie], **ERREURS},
    summary="Lister les versions de la charte",
)
def lister(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_version(v) for v in selectors.versions(adhesion.organisation)]


@routeur.get(
    "/{slug}/charte/versions/{pk}",
    response={200: VersionDetail, **ERREURS},
    summary="Lire une version de la charte, avec ses consultations et les avis rendus",
)
def lire(request: Any, slug: str, pk: int) -> dict[str, Any]:
    return _detail(_lire(request, slug, pk, Permission.VOIR_REGISTRE))


@routeur.post(
    "/{slug}/charte/versions",
    response={201: VersionCharteSortie, **ERREURS_ECRITURE},
    summary="Composer une version brouillon depuis les jeux de principes",
)
def composer(request: Any, slug: str, corps: Composition) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    v = services.composer(adhesion.organisation, corps.dict(), request.auth)
    return 201, _version(v)


@routeur.patch(
    "/{slug}/charte/versions/{pk}",
    response={200: VersionCharteSortie, **ERREURS_ECRITURE},
    summary="Modifier un brouillon",
)
def modifier(request: Any, slug: str, pk: int, corps: Modification) -> dict[str, Any]:
    v = _lire(request, slug, pk, Permission.PILOTER_PROGRAMME)
    donnees = {k: val for k, val in corps.dict(exclude_unset=True, exclude={"version"}).items()}
    return _version(services.modifier(v.pk, donnees, corps.version, request.auth))


@routeur.post(
    "/{slug}/charte/versions/{pk}/soumission",
    response={201: PointCharteSortie, **ERREURS_ECRITURE},
    summary="Soumettre une version à une séance d'instance",
)
def soumettre(request: Any, slug: str, pk: int, corps: Soumission) -> tuple[int, dict[str, Any]]:
    v = _lire(request, slug, pk, Permission.PILOTER_PROGRAMME)
    point = services.soumettre(v.pk, corps.seance, corps.version, request.auth)
    return 201, {"id": point.pk, "seance": point.seance_id, "titre": point.titre}


@routeur.post(
    "/{slug}/charte/versions/{pk}/adoption",
    response={200: VersionCharteSortie, **ERREURS_ECRITURE},
    summary="Adopter une version soumise (comité de direction ou délibération)",
)
def adopter(request: Any, slug: str, pk: int, corps: Adoption) -> dict[str, Any]:
    v = _lire(request, slug, pk, Permission.PILOTER_PROGRAMME)
    return _version(
        services.adopter(
            v.pk,
            corps.mode_adoption,
            corps.adoptee_le,
            corps.version,
            request.auth,
            deliberation_numero=corps.deliberation_numero,
        )
    )
