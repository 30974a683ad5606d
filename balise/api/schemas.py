"""Schémas de l'API : ils reprennent les champs et contraintes du modèle, pour que l'OpenAPI dise vrai."""

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from ninja.conf import settings as reglages_ninja
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from balise.registre.cycle_de_vie import Stade
from balise.registre.models import MESSAGE_MISE_EN_SERVICE, MISE_EN_SERVICE_MAX, MISE_EN_SERVICE_MIN
from balise.registre.referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA


class Corps(Schema):
    """Le corps JSON d'une écriture : chaque valeur a le type que dit le schéma (un booléen est `true`
    ou `false`, pas `"oui"` ni `0` ; un entier n'est pas une chaîne). Sans cela, pydantic convertit en
    silence et l'API accepte ce que son document OpenAPI déclare invalide."""

    model_config = ConfigDict(strict=True)


def _sans_caractere_nul(valeur: str) -> str:
    if "\x00" in valeur:
        raise ValueError("Le texte contient un caractère nul, refusé.")
    return valeur


def Texte(longueur: int, obligatoire: bool = False):  # noqa: N802 — se lit comme un type
    # Le motif ne sert qu'au document OpenAPI ; la validation est faite par les contraintes et le
    # validateur, avec leurs messages : pas de caractère nul et, s'il est obligatoire, autre chose que
    # des espaces (ils sont retirés aux deux bouts).
    motif = r"^[^\x00]*[^\s\x00][^\x00]*$" if obligatoire else r"^[^\x00]*$"
    return Annotated[
        str,
        StringConstraints(max_length=longueur, min_length=1 if obligatoire else 0, strip_whitespace=True),
        AfterValidator(_sans_caractere_nul),
        Field(json_schema_extra={"pattern": motif}),
    ]


TexteLong = Texte(20_000)

_MONTANT = re.compile(r"^[0-9]{1,10}(\.[0-9]{1,2})?$")


def _montant(valeur: Any) -> Any:
    """Un montant en euros, au centime : une chaîne « 1200.50 » ou un nombre JSON.

    Un nombre JSON est lu en flottant binaire : 0,35 peut arriver en 0.35000000000000003. Un flottant
    qui ne s'écarte d'un montant au centime que de quelques unités de sa précision est lu comme ce
    montant ; les autres passent tels quels et sont refusés s'ils ont plus de deux décimales."""
    if isinstance(valeur, bool):
        raise ValueError("Un montant est un nombre ou une chaîne de chiffres.")
    if isinstance(valeur, str):
        # `search`, comme les outils qui lisent le motif du document OpenAPI (« 12\n » y est valable).
        if not _MONTANT.search(valeur):
            raise ValueError("Montant illisible : des chiffres, et au plus deux décimales après un point.")
        return Decimal(valeur.strip())
    if isinstance(valeur, float) and math.isfinite(valeur):
        centimes = round(valeur, 2)
        if abs(valeur - centimes) <= 4 * math.ulp(valeur):
            return Decimal(repr(centimes))
    return valeur


Montant = Annotated[
    Decimal,
    BeforeValidator(_montant),
    Field(ge=0, max_digits=12, decimal_places=2, strict=False),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
                {"type": "string", "pattern": _MONTANT.pattern},
            ]
        }
    ),
]


def _date_iso(valeur: Any) -> Any:
    if not isinstance(valeur, str | date) or (
        isinstance(valeur, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", valeur)
    ):
        raise ValueError("Une date s'écrit AAAA-MM-JJ.")
    return valeur


# Une date au format ISO (« 2026-03-01 ») ; pydantic accepterait sinon un entier (horodatage).
DateISO = Annotated[date, BeforeValidator(_date_iso), Field(strict=False)]


# Une année de 1950 à 2100 : le motif borne les dates de mise en service comme le modèle (registre/models.py),
# pour que le document OpenAPI dise exactement ce qui est accepté.
_ANNEE_MISE_EN_SERVICE = r"^(19[5-9][0-9]|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _date_de_mise_en_service(valeur: Any) -> date:
    """Une date AAAA-MM-JJ qui existe au calendrier et tient dans les bornes du modèle, sinon un refus
    en français (sans le préfixe anglais des erreurs de valeur de pydantic)."""
    if not isinstance(valeur, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", valeur):
        raise PydanticCustomError(
            "date_illisible", "Date de mise en service illisible : une date s'écrit AAAA-MM-JJ (2026-03-01)."
        )
    try:
        jour = date.fromisoformat(valeur)
    except ValueError:
        raise PydanticCustomError(
            "date_inexistante",
            "La date de mise en service « {valeur} » n'existe pas au calendrier.",
            {"valeur": valeur},
        ) from None
    if not MISE_EN_SERVICE_MIN <= jour <= MISE_EN_SERVICE_MAX:
        raise PydanticCustomError("date_hors_bornes", MESSAGE_MISE_EN_SERVICE)
    return jour


DateMiseEnService = Annotated[
    date,
    BeforeValidator(_date_de_mise_en_service),
    Field(strict=False),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _ANNEE_MISE_EN_SERVICE,
            "description": "Date de mise en service, effective ou prévue (AAAA-MM-JJ), du 1950-01-01 au 2100-12-31.",
        }
    ),
]


# Le motif d'une adresse que le modèle accepte (django.core.validators.EmailValidator, adresses ASCII),
# ou vide : un motif plus lâche annonçait valables des adresses que l'enregistrement refusait (400).
_ATOME = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_COURRIEL = re.compile(
    rf"^(?:|{_ATOME}(?:\.{_ATOME})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z-]{{0,61}}[A-Za-z]))$"
)


def _courriel(valeur: str) -> str:
    if not _COURRIEL.search(valeur):
        raise ValueError("Adresse électronique invalide.")
    return valeur.removesuffix("\n")


Courriel = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_courriel),
    Field(json_schema_extra={"pattern": _COURRIEL.pattern}),
]


# Un champ qui peut être omis mais, s'il est donné, ne vaut pas `null` : il n'est pas déclaré nullable,
# et son défaut (None, « non fourni ») est retiré du document par `sans_defaut_nul`.
OMISSIBLE = Field(default=None)


def sans_defaut_nul(schema: dict) -> None:
    """Retire du schéma d'un modèle le `"default": null` des champs qui ne sont pas nullables."""
    for propriete in schema.get("properties", {}).values():
        nullable = any(s.get("type") == "null" for s in propriete.get("anyOf", []))
        if propriete.get("default", 0) is None and not nullable:
            del propriete["default"]


def _entier(valeur: Any) -> Any:
    # Pour JSON Schema, 195.0 est un entier (sa partie décimale est nulle) ; 195.5 et "195" n'en sont pas.
    if isinstance(valeur, float) and valeur.is_integer():
        return int(valeur)
    return valeur


DomaineT = Literal[tuple(Domaine.values)]  # type: ignore[valid-type]
TypeIAT = Literal[tuple(TypeIA.values)]  # type: ignore[valid-type]
CibleT = Literal[tuple(Cible.values)]  # type: ignore[valid-type]
PositionnementT = Literal[tuple(Positionnement.values)]  # type: ignore[valid-type]
RealisationT = Literal[tuple(Realisation.values)]  # type: ignore[valid-type]
HebergementT = Literal[tuple(Hebergement.values)]  # type: ignore[valid-type]
StadeT = Literal[tuple(Stade.values)]  # type: ignore[valid-type]
TriT = Literal["nom", "-nom", "stade", "-stade", "domaine", "-domaine", "modifie", "-modifie"]


class ChampsFacultatifs(Corps):
    usage_non_declare: bool = False
    fournisseur: Texte(200) = ""  # type: ignore[valid-type]
    modeles: Texte(300) = ""  # type: ignore[valid-type]
    hebergeur: Texte(200) = ""  # type: ignore[valid-type]
    donnees: TexteLong = ""  # type: ignore[valid-type]
    sources_donnees: TexteLong = ""  # type: ignore[valid-type]
    donnees_personnelles: bool = False
    donnees_sensibles: bool = False
    contribution_decision: TexteLong = ""  # type: ignore[valid-type]
    regles_traitement: TexteLong = ""  # type: ignore[valid-type]
    decision_individuelle: bool = False
    supervision_humaine: TexteLong = ""  # type: ignore[valid-type]
    mode_degrade: TexteLong = ""  # type: ignore[valid-type]
    cout_investissement: Montant | None = None
    cout_annuel: Montant | None = None
    benefices_attendus: TexteLong = ""  # type: ignore[valid-type]
    mis_en_service_le: DateMiseEnService | None = None
    contact: Courriel = ""
    # Le numéro de la ligne dans le registre tenu avant Balise (reprise d'un tableur) ; unique dans
    # l'organisation quand il n'est pas vide : une autre fiche qui le porte déjà fait refuser en 409.
    identifiant_externe: Texte(100) = ""  # type: ignore[valid-type]


class SystemeEntree(ChampsFacultatifs):
    nom: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    finalite: Texte(20_000, obligatoire=True)  # type: ignore[valid-type]
    service: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    responsable: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    domaine: DomaineT
    type_ia: TypeIAT
    cible: CibleT
    positionnement: PositionnementT
    realisation: RealisationT
    hebergement: HebergementT


# La version lue de la fiche, exigée par toute écriture (verrou optimiste, balise/versions.py) : une
# version périmée est refusée (409, avec les changements faits entre-temps), une version absente aussi (422).
VersionLue = Annotated[
    int,
    Field(ge=1, le=2_000_000_000, description="Version de la fiche sur laquelle repose l'écriture."),
    BeforeValidator(_entier),
]


class SystemeModification(Corps):
    """Modification partielle : seuls les champs fournis changent. `version` est la version lue.
    `null` efface un texte facultatif, un montant ou la date de mise en service ; un champ obligatoire,
    une liste fermée ou un booléen ne sont pas déclarés nullables : ils s'omettent, ou prennent une valeur."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    nom: Texte(200, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    finalite: Texte(20_000, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    service: Texte(200, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    responsable: Texte(200, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    domaine: DomaineT = OMISSIBLE
    type_ia: TypeIAT = OMISSIBLE
    cible: CibleT = OMISSIBLE
    positionnement: PositionnementT = OMISSIBLE
    realisation: RealisationT = OMISSIBLE
    hebergement: HebergementT = OMISSIBLE
    usage_non_declare: bool = OMISSIBLE
    fournisseur: Texte(200) | None = None  # type: ignore[valid-type]
    modeles: Texte(300) | None = None  # type: ignore[valid-type]
    hebergeur: Texte(200) | None = None  # type: ignore[valid-type]
    donnees: TexteLong | None = None  # type: ignore[valid-type]
    sources_donnees: TexteLong | None = None  # type: ignore[valid-type]
    donnees_personnelles: bool = OMISSIBLE
    donnees_sensibles: bool = OMISSIBLE
    contribution_decision: TexteLong | None = None  # type: ignore[valid-type]
    regles_traitement: TexteLong | None = None  # type: ignore[valid-type]
    decision_individuelle: bool = OMISSIBLE
    supervision_humaine: TexteLong | None = None  # type: ignore[valid-type]
    mode_degrade: TexteLong | None = None  # type: ignore[valid-type]
    cout_investissement: Montant | None = None
    cout_annuel: Montant | None = None
    benefices_attendus: TexteLong | None = None  # type: ignore[valid-type]
    mis_en_service_le: DateMiseEnService | None = None
    contact: Courriel | None = None
    identifiant_externe: Texte(100) | None = None  # type: ignore[valid-type]


class SystemeSortie(SystemeEntree):
    model_config = ConfigDict(strict=False)  # lue sur le modèle, pas sur un corps JSON
    # En sortie, ce que la base peut contenir, sans les contraintes propres à la saisie par l'API : une
    # fiche saisie par les pages (texte de plus de 20 000 caractères, contact « dpo@localhost » que
    # Django accepte…) doit toujours pouvoir être lue ; sinon toute la liste répondait en erreur 500.
    finalite: str
    donnees: str
    sources_donnees: str
    contribution_decision: str
    regles_traitement: str
    supervision_humaine: str
    mode_degrade: str
    benefices_attendus: str
    contact: str
    identifiant_externe: str
    cout_investissement: Decimal | None
    cout_annuel: Decimal | None
    mis_en_service_le: date | None
    id: int
    uid: UUID
    organisation: str = Field(alias="organisation.slug")
    stade: StadeT
    motif_fin: str
    publie: bool
    version: int
    cree_le: datetime
    modifie_le: datetime
    archive_le: datetime | None


class Transition(Corps):
    vers: StadeT
    motif: Texte(2000) = ""  # type: ignore[valid-type]
    # Administrateur seulement : passer une porte non franchie (jamais une porte bloquante).
    justification: Texte(4000) = ""  # type: ignore[valid-type]
    version: VersionLue


class Publication(Corps):
    publie: bool
    # Administrateur seulement : publier malgré la porte de publication non franchie (jamais bloquante).
    justification: Texte(4000) = ""  # type: ignore[valid-type]
    version: VersionLue


class CritereSortie(Schema):
    """Une ligne de la liste de contrôle d'une porte du cycle de vie."""

    id: str
    libelle: str
    remplie: bool
    bloquant: bool = Field(
        description="Un critère bloquant non rempli ne se passe jamais, quel que soit le rôle."
    )
    motif: str


class ControleSortie(Schema):
    porte: str = Field(description="Stade visé, ou « publication » pour le registre public.")
    libelle: str
    explication: str
    franchie: bool
    bloquee: bool
    criteres: list[CritereSortie]


class PorteSortie(Schema):
    """Les portes d'un système : sa catégorie AI Act, la prochaine porte de son cycle de vie et celle de
    la publication au registre public."""

    categorie: str = Field(
        description="interdite, haut_risque, transparence, risque_minimal, hors_champ ou non_qualifie"
    )
    categorie_libelle: str
    pratiques_interdites: list[str]
    prochaine: ControleSortie | None
    publication: ControleSortie | None


class CritereManquant(Schema):
    id: str
    libelle: str
    motif: str
    bloquant: bool


class OrganisationSortie(Schema):
    slug: str
    nom: str
    type: str
    siren: str
    role: str


class EntreeHistoriqueSortie(Schema):
    date: datetime
    auteur: str
    nature: str
    changements: list[tuple[str, str, str]]


class ChangementSortie(Schema):
    champ: str
    libelle: str
    avant: str | None
    apres: str | None


class Erreur(Schema):
    message: str


class ErreurValidation(Erreur):
    """422 : ce qui, dans les paramètres ou le corps, sort du schéma (liste de pydantic)."""

    erreurs: list[dict]


class ConflitSortie(Schema):
    """409 : la fiche a changé depuis la version lue (`version_actuelle`, `changements`), ou son état
    actuel refuse l'opération (passage de stade, publication : `message` seul)."""

    message: str
    version_actuelle: int | None = None
    changements: list[ChangementSortie] = []
    # Porte du cycle de vie non franchie : les critères qui manquent.
    criteres_manquants: list[CritereManquant] = []


class DocumentSortie(Schema):
    id: int
    titre: str
    nom_original: str
    type_mime: str
    taille: int
    depose_par: str = Field(alias="depose_par.nom_affiche")
    depose_le: datetime


class PaginationBornee(LimitOffsetPagination):
    """Limite et décalage bornés : un entier démesuré ne doit pas atteindre la base (erreur 500)."""

    class Input(Schema):
        limit: int = Field(reglages_ninja.PAGINATION_PER_PAGE, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)
