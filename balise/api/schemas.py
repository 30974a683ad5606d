"""Schémas de l'API : ils reprennent les champs et contraintes du modèle, pour que l'OpenAPI dise vrai."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from balise.registre.cycle_de_vie import Stade
from balise.registre.referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA


def _sans_caractere_nul(valeur: str) -> str:
    if "\x00" in valeur:
        raise ValueError("Le texte contient un caractère nul, refusé.")
    return valeur


def Texte(longueur: int, obligatoire: bool = False):  # noqa: N802 — se lit comme un type
    return Annotated[
        str,
        StringConstraints(max_length=longueur, min_length=1 if obligatoire else 0, strip_whitespace=True),
        AfterValidator(_sans_caractere_nul),
    ]


TexteLong = Texte(20_000)
Montant = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]

DomaineT = Literal[tuple(Domaine.values)]  # type: ignore[valid-type]
TypeIAT = Literal[tuple(TypeIA.values)]  # type: ignore[valid-type]
CibleT = Literal[tuple(Cible.values)]  # type: ignore[valid-type]
PositionnementT = Literal[tuple(Positionnement.values)]  # type: ignore[valid-type]
RealisationT = Literal[tuple(Realisation.values)]  # type: ignore[valid-type]
HebergementT = Literal[tuple(Hebergement.values)]  # type: ignore[valid-type]
StadeT = Literal[tuple(Stade.values)]  # type: ignore[valid-type]
TriT = Literal["nom", "-nom", "stade", "-stade", "domaine", "-domaine", "modifie", "-modifie"]


class ChampsFacultatifs(Schema):
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
    contact: Annotated[str, StringConstraints(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] = ""


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


class SystemeModification(Schema):
    """Modification partielle : seuls les champs fournis changent. `version` est la version lue."""

    version: int = Field(
        ge=1, le=2_000_000_000, description="Version de la fiche sur laquelle repose la modification."
    )
    nom: Texte(200, obligatoire=True) | None = None  # type: ignore[valid-type]
    finalite: Texte(20_000, obligatoire=True) | None = None  # type: ignore[valid-type]
    service: Texte(200, obligatoire=True) | None = None  # type: ignore[valid-type]
    responsable: Texte(200, obligatoire=True) | None = None  # type: ignore[valid-type]
    domaine: DomaineT | None = None
    type_ia: TypeIAT | None = None
    cible: CibleT | None = None
    positionnement: PositionnementT | None = None
    realisation: RealisationT | None = None
    hebergement: HebergementT | None = None
    usage_non_declare: bool | None = None
    fournisseur: Texte(200) | None = None  # type: ignore[valid-type]
    modeles: Texte(300) | None = None  # type: ignore[valid-type]
    hebergeur: Texte(200) | None = None  # type: ignore[valid-type]
    donnees: TexteLong | None = None  # type: ignore[valid-type]
    sources_donnees: TexteLong | None = None  # type: ignore[valid-type]
    donnees_personnelles: bool | None = None
    donnees_sensibles: bool | None = None
    contribution_decision: TexteLong | None = None  # type: ignore[valid-type]
    regles_traitement: TexteLong | None = None  # type: ignore[valid-type]
    decision_individuelle: bool | None = None
    supervision_humaine: TexteLong | None = None  # type: ignore[valid-type]
    mode_degrade: TexteLong | None = None  # type: ignore[valid-type]
    cout_investissement: Montant | None = None
    cout_annuel: Montant | None = None
    benefices_attendus: TexteLong | None = None  # type: ignore[valid-type]
    contact: (
        Annotated[str, StringConstraints(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None
    ) = None


class SystemeSortie(SystemeEntree):
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
    cout_investissement: Decimal | None
    cout_annuel: Decimal | None
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


class Transition(Schema):
    vers: StadeT
    motif: Texte(2000) = ""  # type: ignore[valid-type]
    version: int | None = Field(default=None, ge=1, le=2_000_000_000)


class Publication(Schema):
    publie: bool
    version: int | None = Field(default=None, ge=1, le=2_000_000_000)


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


class ConflitSortie(Schema):
    message: str
    version_actuelle: int
    changements: list[ChangementSortie]


class DocumentSortie(Schema):
    id: int
    titre: str
    nom_original: str
    type_mime: str
    taille: int
    depose_par: str = Field(alias="depose_par.nom_affiche")
    depose_le: datetime
