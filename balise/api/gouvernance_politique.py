"""API de la politique des portes de l'organisation : lire celle qui s'applique et ses versions, en
enregistrer une nouvelle. Mêmes droits que les pages (balise/gouvernance/vues_politique.py) : lire,
toute personne qui voit le registre (pas le membre externe) ; écrire, GOUVERNER.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from balise.gouvernance import selectors_politique as selecteurs
from balise.gouvernance import services_politique as services
from balise.gouvernance.models import PolitiquePortes
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import Corps, Erreur, ErreurValidation, Texte, _entier

routeur = Router(tags=["Gouvernance : politique des portes"])


class ConflitPolitiqueSortie(Schema):
    """409 : une autre version a été enregistrée depuis celle dont la saisie est partie."""

    message: str
    numero_actuel: int


ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitPolitiqueSortie, 413: Erreur}

Numero = Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(_entier)]


class VersionPolitiqueSortie(Schema):
    numero: int
    nature: Literal[tuple(PolitiquePortes.Nature.values)]  # type: ignore[valid-type]
    base_version: int = Field(description="La version nationale dont l'organisation est partie.")
    motif: str
    origine: str
    cree_par: str
    cree_le: datetime
    differences: list[str] = Field(
        description="Ce que la version change par rapport à la précédente (la nationale pour la première)."
    )
    contenu: dict[str, Any]


class PolitiqueSortie(Schema):
    nationale: bool = Field(description="Vrai si l'organisation n'a jamais adapté la politique nationale.")
    numero: int = Field(
        description="Numéro de la version en vigueur (0 : politique nationale jamais adaptée)."
    )
    libelle: str = Field(
        description="« nationale v1 », « adaptée n° 2 » : ce que garde chaque passage de stade."
    )
    motif: str
    cree_par: str | None
    cree_le: datetime | None
    contenu: dict[str, Any] = Field(description="La politique (schéma de balise/gouvernance/politique.py).")


class PolitiqueEntree(Corps):
    contenu: dict[str, Any] = Field(
        description="La politique complète, au format de GET …/politique-portes (`contenu`). Validée par le "
        "schéma : le critère bloquant `aucune_pratique_interdite` reste obligatoire aux portes "
        "experimentation, production et publication. `version` et `mise_a_jour` sont fixés par Balise."
    )
    motif: Texte(services.LONGUEUR_MOTIF, obligatoire=True)  # type: ignore[valid-type]
    depuis_numero: Numero = Field(
        description="Le numéro de la version lue (0 : la politique nationale jamais adaptée) : si une "
        "autre version a été enregistrée depuis, 409 et rien n'est écrit."
    )


def _version(v: selecteurs.VersionLue) -> dict[str, Any]:
    ligne = v.version
    return {
        "numero": ligne.numero,
        "nature": ligne.nature,
        "base_version": ligne.base_version,
        "motif": ligne.motif,
        "origine": ligne.origine,
        "cree_par": ligne.cree_par.nom_affiche,
        "cree_le": ligne.cree_le,
        "differences": v.differences,
        "contenu": ligne.contenu,
    }


def _sortie(applicable: selecteurs.Applicable) -> dict[str, Any]:
    v = applicable.version
    return {
        "nationale": applicable.nationale,
        "numero": applicable.numero,
        "libelle": applicable.libelle,
        "motif": v.motif if v else "",
        "cree_par": v.cree_par.nom_affiche if v else None,
        "cree_le": v.cree_le if v else None,
        "contenu": v.contenu if v else applicable.politique.model_dump(mode="json"),
    }


@routeur.get(
    "/{slug}/politique-portes",
    response={200: PolitiqueSortie, **ERREURS},
    summary="Lire la politique des portes de l'organisation",
    description="La politique qui évalue les passages de stade et la publication des systèmes de "
    "l'organisation : la nationale livrée, ou sa dernière version adaptée.",
)
def lire(request: Any, slug: str) -> dict[str, Any]:  # request.auth : posé par django-ninja
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _sortie(selecteurs.applicable(adhesion.organisation))


@routeur.get(
    "/{slug}/politique-portes/versions",
    response={200: list[VersionPolitiqueSortie], **ERREURS},
    summary="Lister les versions de la politique des portes",
    description="Toutes les versions adaptées de l'organisation, de la plus récente à la plus ancienne.",
)
def lister_versions(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_version(v) for v in selecteurs.historique(adhesion.organisation)]


@routeur.post(
    "/{slug}/politique-portes",
    response={201: PolitiqueSortie, **ERREURS_ECRITURE},
    summary="Adapter la politique des portes",
    description="Enregistre une nouvelle version (jamais une modification de la précédente). Politique "
    "refusée par le schéma : 400, erreurs en français ; version lue périmée : 409.",
)
def adapter(request: Any, slug: str, corps: PolitiqueEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    services.adapter_politique(
        adhesion.organisation, corps.contenu, corps.motif, request.auth, corps.depuis_numero
    )
    return 201, _sortie(selecteurs.applicable(adhesion.organisation))
