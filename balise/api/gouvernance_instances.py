"""API des instances de gouvernance : lire les instances et leur composition, créer et modifier une
instance, nommer un membre, changer sa fonction, son collège ou sa qualité, le retirer. Mêmes droits
que les pages (balise/gouvernance/vues_instances.py) : lire, toute personne de l'organisation (un
membre externe : seulement les instances où il siège, 404 pour une autre) ; écrire, GOUVERNER.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator, ConfigDict

from balise.gouvernance import selectors_instances as selecteurs
from balise.gouvernance import services_instances as services
from balise.gouvernance.models import Instance, Membre
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import (
    OMISSIBLE,
    ConflitSortie,
    Corps,
    Erreur,
    ErreurValidation,
    Texte,
    VersionLue,
    _entier,
    sans_defaut_nul,
)

routeur = Router(tags=["Gouvernance : instances"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

NatureT = Literal[tuple(Instance.Nature.values)]  # type: ignore[valid-type]
RegleVoteT = Literal[tuple(Instance.RegleVote.values)]  # type: ignore[valid-type]
FonctionT = Literal[tuple(Membre.Fonction.values)]  # type: ignore[valid-type]
# Comme la version lue : 77.0 est un entier pour JSON Schema, accepté ; 77.5 et "77" ne le sont pas.
Quorum = Annotated[
    int,
    Field(ge=0, le=100, description="Quorum, en % des membres à voix délibérative."),
    BeforeValidator(_entier),
]
Identifiant = Annotated[int, Field(ge=1, le=2_000_000_000), BeforeValidator(_entier)]
ModeleT = Literal[tuple(m.id for m in services.modeles_instances.en_vigueur().modeles)]  # type: ignore[valid-type]


class InstanceEntree(Corps):
    nom: Texte(200, obligatoire=True)  # type: ignore[valid-type]
    mission: Texte(services.LONGUEUR_MISSION, obligatoire=True)  # type: ignore[valid-type]
    nature: NatureT
    quorum_pourcent: Quorum = 50
    regle_vote: RegleVoteT = "majorite_simple"
    avis_publics: bool = False
    periodicite: Texte(200) = ""  # type: ignore[valid-type]
    modele: ModeleT = Field(None, description="Le modèle livré dont l'instance est partie (facultatif).")
    colleges: list[Texte(200)] = Field(  # type: ignore[valid-type]
        [], max_length=services.COLLEGES_AU_PLUS, description="Noms des collèges, distincts."
    )

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)


class InstanceModification(Corps):
    """Modification partielle : seuls les champs fournis changent ; `version` est la version lue."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    nom: Texte(200, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    mission: Texte(services.LONGUEUR_MISSION, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    nature: NatureT = OMISSIBLE
    quorum_pourcent: Quorum = OMISSIBLE
    regle_vote: RegleVoteT = OMISSIBLE
    avis_publics: bool = OMISSIBLE
    periodicite: Texte(200) = OMISSIBLE  # type: ignore[valid-type]


class CollegeSortie(Schema):
    id: int
    nom: str
    ordre: int


class MembreSortie(Schema):
    id: int
    utilisateur: int = Field(alias="utilisateur_id")
    nom: str = Field(alias="utilisateur.nom_affiche")
    college: int | None = Field(alias="college_id")
    fonction: FonctionT
    qualite: str
    depuis: date
    retire_le: datetime | None
    version: int


class InstanceSortie(Schema):
    id: int
    nom: str
    mission: str
    nature: NatureT
    modele: str
    quorum_pourcent: int
    regle_vote: RegleVoteT
    avis_publics: bool
    periodicite: str
    cree_le: datetime
    archive_le: datetime | None
    version: int


class InstanceDetail(InstanceSortie):
    colleges: list[CollegeSortie]
    membres: list[MembreSortie] = Field(description="Les membres en fonction, par collège.")


class MembreEntree(Corps):
    utilisateur: Identifiant = Field(description="Identifiant d'une personne de l'organisation.")
    college: Identifiant | None = Field(None, description="Un collège de l'instance, ou aucun.")
    fonction: FonctionT = "membre"
    qualite: Texte(200) = ""  # type: ignore[valid-type]


class MembreModification(Corps):
    """Modification partielle d'un siège : seuls les champs fournis changent ; `version` est la version
    lue du membre. `college` à `null` : sans collège."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    fonction: FonctionT = OMISSIBLE
    college: Identifiant | None = Field(None, description="Un collège de l'instance, ou null : aucun.")
    qualite: Texte(200) = OMISSIBLE  # type: ignore[valid-type]


class FiltreInstances(Schema):
    archives: bool = False


def _detail(instance: Instance) -> dict:
    composition = selecteurs.composition(instance, avec_invitations=False)
    return {
        **{champ: getattr(instance, champ) for champ in InstanceSortie.model_fields},
        "colleges": list(instance.colleges.all()),
        "membres": composition.en_fonction,
    }


@routeur.get(
    "/{slug}/instances", response={200: list[InstanceSortie], **ERREURS}, summary="Lister les instances"
)
def lister(request, slug: str, filtre: Query[FiltreInstances]):
    adhesion = acces.exiger(request.auth, slug, Permission.SIEGER)
    return list(selecteurs.instances(adhesion, filtre.archives))


@routeur.post(
    "/{slug}/instances", response={201: InstanceDetail, **ERREURS_ECRITURE}, summary="Créer une instance"
)
def creer(request, slug: str, corps: InstanceEntree):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    donnees = corps.dict(exclude={"modele", "colleges"})
    instance = services.creer_instance(
        adhesion.organisation, donnees, request.auth, modele=corps.modele or "", colleges=corps.colleges
    )
    return 201, _detail(instance)


@routeur.get(
    "/{slug}/instances/{pk}",
    response={200: InstanceDetail, **ERREURS},
    summary="Lire une instance et sa composition",
)
def lire(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.SIEGER)
    return _detail(selecteurs.instance(adhesion, pk))


@routeur.patch(
    "/{slug}/instances/{pk}",
    response={200: InstanceDetail, **ERREURS_ECRITURE},
    summary="Modifier une instance",
)
def modifier(request, slug: str, pk: int, corps: InstanceModification):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    instance = selecteurs.instance(adhesion, pk)
    donnees = corps.dict(exclude_unset=True, exclude={"version"})
    instance = services.modifier_instance(
        adhesion.organisation, instance.pk, donnees, corps.version, request.auth
    )
    return _detail(instance)


@routeur.post(
    "/{slug}/instances/{pk}/membres",
    response={201: MembreSortie, **ERREURS_ECRITURE},
    summary="Nommer un membre",
    description="La personne doit être de l'organisation (une personne extérieure s'invite depuis la page "
    "de l'instance) ; le collège, de l'instance : sinon 400.",
)
def nommer(request, slug: str, pk: int, corps: MembreEntree):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    instance = selecteurs.instance(adhesion, pk)
    membre = services.nommer_membre(
        instance,
        corps.utilisateur,
        request.auth,
        college_id=corps.college,
        fonction=corps.fonction,
        qualite=corps.qualite,
    )
    return 201, selecteurs.membre(instance, membre.pk)


@routeur.patch(
    "/{slug}/instances/{pk}/membres/{membre_pk}",
    response={200: MembreSortie, **ERREURS_ECRITURE},
    summary="Modifier un membre",
    description="Change la fonction, le collège ou la qualité d'un membre en fonction. Une seule "
    "présidence : la confier à un membre quand un autre l'exerce, un collège d'une autre instance, un "
    "membre retiré ou une instance archivée sont refusés (400) ; une version périmée, 409.",
)
def modifier_membre(request, slug: str, pk: int, membre_pk: int, corps: MembreModification):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    instance = selecteurs.instance(adhesion, pk)
    membre = selecteurs.membre(instance, membre_pk)
    donnees = corps.dict(exclude_unset=True, exclude={"version"})
    services.modifier_membre(instance, membre.pk, donnees, corps.version, request.auth)
    return selecteurs.membre(instance, membre.pk)


@routeur.delete(
    "/{slug}/instances/{pk}/membres/{membre_pk}",
    response={200: MembreSortie, **ERREURS_ECRITURE},
    summary="Retirer un membre",
    description="Le siège prend fin (retire_le) ; il reste dans l'historique de l'instance.",
)
def retirer(request, slug: str, pk: int, membre_pk: int, version: Query[VersionLue]):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    instance = selecteurs.instance(adhesion, pk)
    membre = selecteurs.membre(instance, membre_pk)
    services.retirer_membre(instance, membre.pk, version, request.auth)
    return selecteurs.membre(instance, membre.pk)
