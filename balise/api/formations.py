"""API de la formation et de l'acculturation (AI Act, art. 4) : populations et couverture, offres
(catalogue livré et offres de l'organisation), sessions. Mêmes droits que les pages
(balise/formations/views.py) : lire, VOIR_REGISTRE ; écrire, GERER_FORMATIONS. Une modification porte
la version lue (verrou optimiste : 409 si elle est périmée)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from balise.formations import referentiel, selectors, services
from balise.formations.models import EFFECTIF_MAXIMUM, OffreFormation, SessionFormation
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import ConflitSortie, Corps, DateISO, Erreur, ErreurValidation, Texte, VersionLue, _entier

routeur = Router(tags=["Formation et acculturation"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie}

FormatT = Literal[referentiel.FORMATS]  # type: ignore[valid-type]
Nombre = Annotated[int, Field(ge=1, le=EFFECTIF_MAXIMUM), BeforeValidator(_entier)]
Identifiant = Annotated[int, Field(ge=1, le=2_000_000_000), BeforeValidator(_entier)]


class CouvertureSortie(Schema):
    population: int
    titre: str
    code: str = Field(description="Code de la population de référence (vide : population propre).")
    palier: str
    effectif: int | None = Field(description="Effectif retenu ; null s'il est inconnu ou secret.")
    origine_effectif: Literal["tableau", "saisi", "secret", "inconnu"]
    formes: int = Field(description="Participations cumulées au palier visé, plafonnées à l'effectif.")
    cible: int = Field(description="Cible de couverture, en %.")
    taux: float | None = Field(description="Part formée, en % (au dixième) ; null sans effectif.")
    atteinte: bool
    systemes: list[int] = Field(description="Systèmes d'IA utilisés par la population.")


class OffreCatalogueSortie(Schema):
    code: str
    titre: str
    organisme: str
    format: str
    public: str
    palier: str
    duree_heures: float | None
    description: str
    source: str


class OffreSortie(Schema):
    id: int
    titre: str
    organisme: str
    format: str
    public_cible: str
    palier: str
    duree_heures: Decimal | None
    description: str
    version: int


class OffresSortie(Schema):
    catalogue: list[OffreCatalogueSortie]
    organisation: list[OffreSortie]


class OffreEntree(Corps):
    titre: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    organisme: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    format: FormatT
    public_cible: Texte(200, obligatoire=True) = Field(description="Le public visé.")  # type: ignore[valid-type]
    palier: Texte(40, obligatoire=True)  # type: ignore[valid-type]
    duree_heures: Annotated[float, Field(gt=0, le=500, strict=False)] | None = None
    description: Texte(2000) = ""  # type: ignore[valid-type]


class OffreModification(OffreEntree):
    version: VersionLue


class LigneSortie(Schema):
    population: int
    service: str
    nombre: int


class SessionSortie(Schema):
    id: int
    offre_catalogue: str
    offre: int | None
    titre_offre: str
    date: date
    palier: str
    commentaire: str
    participants: list[LigneSortie]
    version: int


class LigneEntree(Corps):
    population: Identifiant
    service: Texte(200) = ""  # type: ignore[valid-type]
    nombre: Nombre


class SessionEntree(Corps):
    offre_catalogue: Texte(60) = Field("", description="Code d'une offre du catalogue (ou vide).")  # type: ignore[valid-type]
    offre: Identifiant | None = Field(None, description="Offre de l'organisation (ou null).")
    date: DateISO = Field(description="Date de la session tenue (jamais dans le futur).")
    palier: Texte(40, obligatoire=True)  # type: ignore[valid-type]
    commentaire: Texte(2000) = ""  # type: ignore[valid-type]
    participants: list[LigneEntree] = Field(min_length=1, max_length=services.LIGNES_MAXIMUM)


class SessionModification(SessionEntree):
    version: VersionLue


def _couverture(ligne: selectors.LigneCouverture) -> dict[str, Any]:
    p = ligne.population
    return {
        "population": p.pk,
        "titre": p.titre,
        "code": p.code,
        "palier": p.palier,
        "effectif": ligne.effectif.valeur,
        "origine_effectif": ligne.effectif.origine,
        "formes": ligne.formes,
        "cible": ligne.cible,
        "taux": ligne.taux,
        "atteinte": ligne.atteinte,
        "systemes": sorted(s.pk for s in p.systemes_lus),  # type: ignore[attr-defined]
    }


def _offre(o: OffreFormation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "titre": o.titre,
        "organisme": o.organisme,
        "format": o.format,
        "public_cible": o.public,
        "palier": o.palier,
        "duree_heures": o.duree_heures,
        "description": o.description,
        "version": o.version,
    }


def _session(s: SessionFormation) -> dict[str, Any]:
    return {
        "id": s.pk,
        "offre_catalogue": s.offre_catalogue,
        "offre": s.offre_id,
        "titre_offre": s.titre_offre,
        "date": s.date,
        "palier": s.palier,
        "commentaire": s.commentaire,
        "participants": [
            {"population": p.population_id, "service": p.service, "nombre": p.nombre}
            for p in s.participations.all()
        ],
        "version": s.version,
    }


@routeur.get(
    "/{slug}/formations/couverture",
    response={200: list[CouvertureSortie], **ERREURS},
    summary="Couverture de formation par population",
    description="Effectif (tableau des effectifs protégé par le secret statistique, ou saisi), formés, "
    "cible et taux de chaque population, à une date (par défaut aujourd'hui).",
)
def couverture(request: Any, slug: str, a_la_date: DateISO | None = Query(None)) -> list[dict[str, Any]]:  # noqa: B008
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    jour = a_la_date or timezone.localdate()
    return [_couverture(li) for li in selectors.couverture(adhesion.organisation, jour)]


@routeur.get(
    "/{slug}/formations/populations",
    response={200: list[CouvertureSortie], **ERREURS},
    summary="Populations à former",
    description="Les populations de l'organisation avec leur palier visé, leur effectif, leur cible, les "
    "systèmes qu'elles utilisent et leur couverture d'aujourd'hui.",
)
def populations(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_couverture(li) for li in selectors.couverture(adhesion.organisation, timezone.localdate())]


@routeur.get(
    "/{slug}/formations/offres",
    response={200: OffresSortie, **ERREURS},
    summary="Offres de formation",
    description="Le catalogue livré (faits et sources) et les offres ajoutées par l'organisation.",
)
def offres(request: Any, slug: str) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return {
        "catalogue": [o.model_dump() for o in referentiel.catalogue().offres],
        "organisation": [_offre(o) for o in selectors.offres(adhesion.organisation)],
    }


@routeur.post(
    "/{slug}/formations/offres",
    response={201: OffreSortie, **ERREURS_ECRITURE},
    summary="Ajouter une offre de l'organisation",
)
def creer_offre(request: Any, slug: str, corps: OffreEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_FORMATIONS)
    donnees = {**corps.dict(exclude={"public_cible"}), "public": corps.public_cible}
    donnees["duree_heures"] = (
        None if corps.duree_heures is None else Decimal(str(round(corps.duree_heures, 1)))
    )
    return 201, _offre(services.enregistrer_offre(adhesion.organisation, donnees, request.auth))


@routeur.patch(
    "/{slug}/formations/offres/{pk}",
    response={200: OffreSortie, **ERREURS_ECRITURE},
    summary="Modifier une offre de l'organisation",
    description="Remplace les champs de l'offre ; `version` est la version lue (périmée : 409).",
)
def modifier_offre(request: Any, slug: str, pk: int, corps: OffreModification) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_FORMATIONS)
    selectors.offre_de(adhesion.organisation, pk)
    donnees = {**corps.dict(exclude={"version", "public_cible"}), "public": corps.public_cible}
    donnees["duree_heures"] = (
        None if corps.duree_heures is None else Decimal(str(round(corps.duree_heures, 1)))
    )
    return _offre(services.enregistrer_offre(adhesion.organisation, donnees, request.auth, pk, corps.version))


@routeur.get(
    "/{slug}/formations/sessions",
    response={200: list[SessionSortie], **ERREURS},
    summary="Sessions de formation",
    description="Les sessions, des plus récentes aux plus anciennes, et leurs participants comptés par "
    "population et par service (aucun nom).",
)
def lister_sessions(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    liste = selectors.sessions(adhesion.organisation).prefetch_related("participations")[:1000]
    return [_session(s) for s in liste]


@routeur.get(
    "/{slug}/formations/sessions/{pk}",
    response={200: SessionSortie, **ERREURS},
    summary="Lire une session de formation",
)
def lire_session(request: Any, slug: str, pk: int) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _session(selectors.session_de(adhesion.organisation, pk))


def _donnees_session(adhesion: Any, corps: SessionEntree) -> tuple[dict[str, Any], list[services.Ligne]]:
    offre = selectors.offre_de(adhesion.organisation, corps.offre) if corps.offre is not None else None
    donnees = {
        "offre_catalogue": corps.offre_catalogue,
        "offre": offre,
        "date": corps.date,
        "palier": corps.palier,
        "commentaire": corps.commentaire,
    }
    lignes = [services.Ligne(li.population, li.nombre, li.service) for li in corps.participants]
    return donnees, lignes


@routeur.post(
    "/{slug}/formations/sessions",
    response={201: SessionSortie, **ERREURS_ECRITURE},
    summary="Enregistrer une session de formation",
    description="Une session tenue : offre (du catalogue ou de l'organisation), date, palier et "
    "participants par population et service. Les obligations de formation (art. 4) des systèmes sont "
    "remises à jour. Date future, participants au-delà de l'effectif, population inconnue : 400.",
)
def creer_session(request: Any, slug: str, corps: SessionEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_FORMATIONS)
    donnees, lignes = _donnees_session(adhesion, corps)
    session = services.enregistrer_session(adhesion.organisation, donnees, lignes, request.auth)
    return 201, _session(selectors.session_de(adhesion.organisation, session.pk))


@routeur.patch(
    "/{slug}/formations/sessions/{pk}",
    response={200: SessionSortie, **ERREURS_ECRITURE},
    summary="Modifier une session de formation",
    description="Remplace la session et ses participants ; `version` est la version lue (périmée : 409).",
)
def modifier_session(request: Any, slug: str, pk: int, corps: SessionModification) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_FORMATIONS)
    selectors.session_de(adhesion.organisation, pk)
    donnees, lignes = _donnees_session(adhesion, corps)
    services.enregistrer_session(adhesion.organisation, donnees, lignes, request.auth, pk, corps.version)
    return _session(selectors.session_de(adhesion.organisation, pk))
