"""API des règles d'usage de l'IA : lire la version publiée et les versions, ouvrir et modifier un
brouillon, le publier, enregistrer l'information d'un service, prendre connaissance. Mêmes droits que
les pages (balise/regles_usage/vues.py) : lire, VOIR_REGISTRE ; composer et publier, PILOTER_PROGRAMME ;
informer un service, GERER_FORMATIONS ; prendre connaissance, tout membre qui voit le registre."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import Http404
from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.regles_usage import depart, selectors, services
from balise.regles_usage.models import Moyen, Origine, SensRegle, VersionRegles

from .schemas import ConflitSortie, Corps, DateISO, Erreur, ErreurValidation, Texte, _entier

routeur = Router(tags=["Programme : règles d'usage"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}
Entier = Annotated[int, Field(ge=0, le=services.EFFECTIF_MAX), BeforeValidator(_entier)]
Version = Annotated[int, Field(ge=1, le=1_000_000_000), BeforeValidator(_entier)]


class RegleSortie(Schema):
    sens: Literal[tuple(SensRegle.values)]  # type: ignore[valid-type]
    texte: str
    origine: Literal[tuple(Origine.values)]  # type: ignore[valid-type]
    id: str | None = Field(None, description="Identifiant dans le jeu de départ (origine « depart »).")
    sources: list[str] = Field([], description="Sources « fichier:ligne » (origine « depart »).")


class VersionReglesSortie(Schema):
    id: int
    numero: int
    statut: Literal[tuple(VersionRegles.Statut.values)]  # type: ignore[valid-type]
    titre: str
    introduction: str
    regles: list[RegleSortie]
    version: int = Field(
        description="Numéro de version de la fiche, à renvoyer pour la modifier (verrou optimiste)."
    )
    cree_par: str
    cree_le: datetime
    publiee_le: datetime | None
    remplacee_le: datetime | None


class RegleEntree(Corps):
    sens: Literal[tuple(SensRegle.values)]  # type: ignore[valid-type]
    texte: Texte(depart.LONGUEUR_REGLE, obligatoire=True)  # type: ignore[valid-type]
    origine: Literal[tuple(Origine.values)] = "propre"  # type: ignore[valid-type]
    id: Texte(80) = ""  # type: ignore[valid-type]


class ModificationEntree(Corps):
    version: Version
    titre: Texte(services.LONGUEUR_TITRE, obligatoire=True) | None = None  # type: ignore[valid-type]
    introduction: Texte(services.LONGUEUR_INTRODUCTION) | None = None  # type: ignore[valid-type]
    regles: list[RegleEntree] | None = Field(None, max_length=depart.NOMBRE_MAX_REGLES)


class PublicationEntree(Corps):
    version: Version


class InformationEntree(Corps):
    service: Texte(services.LONGUEUR_SERVICE, obligatoire=True)  # type: ignore[valid-type]
    effectif_informe: Entier
    effectif_service: Entier | None = None
    date: DateISO
    moyen: Literal[tuple(Moyen.values)]  # type: ignore[valid-type]


class InformationSortie(Schema):
    id: int
    service: str
    effectif_informe: int
    effectif_service: int | None
    date: date
    moyen: str


class ServiceSortie(Schema):
    service: str
    informes: int
    effectif: int | None
    source_effectif: str
    taux: int | None


class SuiviReglesSortie(Schema):
    version_publiee: int | None = Field(description="Numéro de la version publiée (null : aucune).")
    services: list[ServiceSortie]
    membres: int
    prises_de_connaissance: int


class ConnaissanceEntree(Corps):
    version_regles: Annotated[int, Field(ge=1), BeforeValidator(_entier)] | None = Field(
        None, description="L'identifiant de la version lue ; absent : la version publiée."
    )


class ConnaissanceSortie(Schema):
    version_regles: int
    le: datetime
    nouvelle: bool


def _version(v: VersionRegles) -> dict[str, Any]:
    return {
        "id": v.pk,
        "numero": v.numero,
        "statut": v.statut,
        "titre": v.titre,
        "introduction": v.introduction,
        "regles": v.regles,
        "version": v.version,
        "cree_par": v.cree_par.nom_affiche,
        "cree_le": v.cree_le,
        "publiee_le": v.publiee_le,
        "remplacee_le": v.remplacee_le,
    }


@routeur.get(
    "/{slug}/regles-usage",
    response={200: VersionReglesSortie, **ERREURS},
    summary="Lire les règles d'usage publiées",
    description="La version en vigueur des règles d'usage de l'IA pour les agents ; 404 si aucune n'est publiée.",
)
def lire(request: Any, slug: str) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    v = selectors.publiee(adhesion.organisation)
    if v is None:
        raise Http404("Aucune règle d'usage n'est publiée.")
    return _version(v)


@routeur.get(
    "/{slug}/regles-usage/versions",
    response={200: list[VersionReglesSortie], **ERREURS},
    summary="Lister les versions des règles d'usage",
)
def lister(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_version(v) for v in selectors.versions(adhesion.organisation)]


@routeur.post(
    "/{slug}/regles-usage/versions",
    response={201: VersionReglesSortie, **ERREURS_ECRITURE},
    summary="Ouvrir un brouillon des règles d'usage",
    description="Part des règles publiées, sinon du jeu de départ de Balise. Un seul brouillon à la fois (400).",
)
def ouvrir(request: Any, slug: str) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    return 201, _version(services.creer_brouillon(adhesion.organisation, request.auth))


@routeur.patch(
    "/{slug}/regles-usage/{int:pk}",
    response={200: VersionReglesSortie, **ERREURS_ECRITURE},
    summary="Modifier un brouillon des règles d'usage",
    description="Titre, introduction et liste complète des règles (champs absents : inchangés). Version lue "
    "périmée : 409 ; version publiée : 400.",
)
def modifier(request: Any, slug: str, pk: int, corps: ModificationEntree) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version_de(adhesion.organisation, pk)
    donnees = corps.model_dump(exclude_unset=True, exclude={"version"})
    return _version(
        services.modifier_brouillon(adhesion.organisation, v.pk, donnees, request.auth, corps.version)
    )


@routeur.post(
    "/{slug}/regles-usage/{int:pk}/publication",
    response={200: VersionReglesSortie, **ERREURS_ECRITURE},
    summary="Publier un brouillon des règles d'usage",
    description="Le brouillon devient la version en vigueur ; la précédente est remplacée.",
)
def publier(request: Any, slug: str, pk: int, corps: PublicationEntree) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version_de(adhesion.organisation, pk)
    return _version(services.publier(adhesion.organisation, v.pk, request.auth, corps.version))


@routeur.get(
    "/{slug}/regles-usage/informations",
    response={200: SuiviReglesSortie, **ERREURS},
    summary="Suivre l'information des agents",
    description="Agents informés par service (taux sur l'effectif saisi ou tiré du tableau des effectifs) et "
    "prises de connaissance des membres, pour la version publiée.",
)
def suivi(request: Any, slug: str) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    s = selectors.suivi(adhesion.organisation)
    return {
        "version_publiee": s.version.numero if s.version else None,
        "services": [
            {
                "service": ligne.service,
                "informes": ligne.informes,
                "effectif": ligne.effectif,
                "source_effectif": ligne.source_effectif,
                "taux": ligne.taux,
            }
            for ligne in s.services
        ],
        "membres": s.membres,
        "prises_de_connaissance": s.connaissances,
    }


@routeur.post(
    "/{slug}/regles-usage/informations",
    response={201: InformationSortie, **ERREURS_ECRITURE},
    summary="Enregistrer l'information d'un service",
    description="Combien d'agents d'un service ont été informés des règles publiées, quand et comment.",
)
def informer(request: Any, slug: str, corps: InformationEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_FORMATIONS)
    info = services.enregistrer_information(adhesion.organisation, corps.model_dump(), request.auth)
    return 201, {
        "id": info.pk,
        "service": info.service,
        "effectif_informe": info.effectif_informe,
        "effectif_service": info.effectif_service,
        "date": info.date,
        "moyen": info.moyen,
    }


@routeur.post(
    "/{slug}/regles-usage/prise-de-connaissance",
    response={200: ConnaissanceSortie, 201: ConnaissanceSortie, **ERREURS_ECRITURE},
    summary="Prendre connaissance des règles publiées",
    description="Écriture permise à tout membre qui voit le registre, lecteur compris : la sienne seulement. "
    "Une fois par version (201 la première fois, 200 ensuite).",
)
def prendre_connaissance(request: Any, slug: str, corps: ConnaissanceEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    prise, nouvelle = services.prendre_connaissance(adhesion.organisation, request.auth, corps.version_regles)
    return (201 if nouvelle else 200), {
        "version_regles": prise.version_regles_id,
        "le": prise.le,
        "nouvelle": nouvelle,
    }
