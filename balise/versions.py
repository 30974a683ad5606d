"""Versions et historique des objets modifiables à plusieurs (verrou optimiste + django-simple-history).

Un modèle concerné a un champ entier `version` et un `history = HistoricalRecords()`. Chaque
enregistrement incrémente la version ; une modification fondée sur une version périmée est refusée
avec la liste des champs changés entre-temps et leurs auteurs, lue dans l'historique.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from django.db import models
from django.db.models.options import Options

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur


class Enregistrable(Protocol):
    def save(self, *args: Any, **kwargs: Any) -> None: ...


class Historise(Enregistrable, Protocol):
    """Un modèle dont simple-history garde les versions (`history = HistoricalRecords()`)."""

    _meta: ClassVar[Options[Any]]
    history: Any  # gestionnaire de simple-history, bibliothèque sans annotations


class Versionne(Historise, Protocol):
    """Un modèle historisé à verrou optimiste : un champ entier `version`."""

    version: int


M = TypeVar("M", bound=models.Model)
E = TypeVar("E", bound=Enregistrable)

# Champs techniques jamais montrés comme des changements.
IGNORES = ["version", "modifie_le"]
_NATURES = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass(frozen=True)
class Changement:
    champ: str
    libelle: str
    avant: Any
    apres: Any
    avant_affiche: str
    apres_affiche: str


class ConflitEdition(Exception):
    """L'objet a été modifié par quelqu'un d'autre depuis que la personne l'a ouvert."""

    def __init__(self, objet: Versionne, changements: list[Changement], auteurs: list[str]) -> None:
        self.objet = objet
        self.changements = changements
        self.auteurs = auteurs
        super().__init__(self.message)

    @property
    def message(self) -> str:
        qui = ", ".join(self.auteurs) or "une autre personne"
        return (
            f"Cette fiche a été modifiée par {qui} depuis que vous l'avez ouverte "
            f"(version {self.objet.version}). Vos modifications n'ont pas été enregistrées : "
            "relisez les changements ci-dessous, puis reportez les vôtres."
        )


def _champ(meta: Options[Any], nom: str) -> models.Field[Any, Any]:
    champ = meta.get_field(nom)
    # L'historique ne compare que des champs concrets du modèle, jamais une relation inverse.
    if not isinstance(champ, models.Field):
        raise TypeError(f"{nom} n'est pas un champ de {meta.label}")
    return champ


def _libelle(meta: Options[Any], champ: str) -> str:
    return str(_champ(meta, champ).verbose_name)


def changements_depuis(objet: Versionne, version: int) -> tuple[list[Changement], list[str]]:
    """Ce qui a changé dans l'objet entre `version` et sa version actuelle, et par qui."""
    historiques = list(objet.history.filter(version__gte=version).select_related("history_user"))
    ancien = next((h for h in historiques if h.version == version), None)
    recent = max(historiques, key=lambda h: h.version, default=None)
    auteurs = sorted(
        {h.history_user.nom_affiche for h in historiques if h.version > version and h.history_user}
    )
    if ancien is None or recent is None or ancien == recent:
        return [], auteurs
    delta = recent.diff_against(ancien, excluded_fields=IGNORES)
    meta = objet._meta
    changements = [
        Changement(
            c.field,
            _libelle(meta, c.field),
            c.old,
            c.new,
            _affichage(meta, c.field, c.old),
            _affichage(meta, c.field, c.new),
        )
        for c in delta.changes
    ]
    return changements, auteurs


class VersionAbsente(ConflitEdition):
    """L'écriture ne dit pas sur quelle version elle repose : refusée comme une version périmée, car
    rien ne permet de savoir si la personne a vu les changements faits depuis qu'elle a ouvert l'objet."""

    def __init__(self, objet: Versionne) -> None:
        super().__init__(objet, [], [])

    @property
    def message(self) -> str:
        return (
            "La version de la fiche sur laquelle repose votre saisie n'a pas été transmise : on ne peut "
            "pas savoir si quelqu'un l'a modifiée depuis que vous l'avez ouverte. Rien n'a été enregistré : "
            f"relisez la fiche telle qu'elle est (version {self.objet.version}), puis enregistrez de nouveau."
        )


def verrouiller(queryset: models.QuerySet[M], pk: int, version_attendue: int | None) -> M:
    """Verrouille la ligne pour la transaction en cours ; refuse une version périmée ou absente.

    C'est le seul chemin d'une écriture sur un objet versionné : aucun appelant (page, API, commande)
    ne peut se passer de la version, `None` (champ absent d'un formulaire, d'un corps) est refusé.
    """
    objet = queryset.select_for_update().get(pk=pk)
    # Le queryset est celui d'un modèle versionné ; mypy ne sait pas exprimer « modèle et Versionne ».
    versionne = cast(Versionne, objet)
    if (
        version_attendue is None
        or isinstance(version_attendue, bool)
        or not isinstance(version_attendue, int)
    ):
        raise VersionAbsente(versionne)
    if versionne.version != version_attendue:
        changements, auteurs = changements_depuis(versionne, version_attendue)
        raise ConflitEdition(versionne, changements, auteurs)
    return objet


def attribuer(objet: E, par: Utilisateur | None, **options: Any) -> E:
    """Enregistre `objet` en attribuant sa version historisée à `par`, même hors d'une requête
    (démonstration, API, commande) où le middleware de simple-history ne connaît personne."""
    objet._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    objet.save(**options)
    return objet


def enregistrer(objet: Versionne, par: Utilisateur | None) -> None:
    """Enregistre une nouvelle version, attribuée à `par` dans l'historique."""
    objet.version += 1
    attribuer(objet, par)


@dataclass(frozen=True)
class EntreeHistorique:
    date: datetime
    auteur: str
    nature: str
    changements: list[tuple[str, str, str]]  # (libellé du champ, avant, après)
    motif: str = ""  # raison notée avec la version (simple-history : history_change_reason)


def _affichage(meta: Options[Any], champ: str, valeur: Any) -> str:
    if valeur is None or valeur == "":
        return "—"
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    choix = _champ(meta, champ).choices
    if choix:
        return str(dict(choix).get(valeur, valeur))
    return str(valeur)


def historique(objet: Historise, limite: int | None = None) -> list[EntreeHistorique]:
    """L'historique d'un objet, de la plus récente à la plus ancienne modification ; les `limite`
    plus récentes seulement si elle est donnée (une version de plus est lue, pour la comparaison)."""
    lues = objet.history.select_related("history_user").order_by("-history_date", "-history_id")
    versions = list(lues if limite is None else lues[: limite + 1])
    return entrees(type(objet), versions, limite)


def entrees(
    modele: type[Historise] | type[models.Model], versions: list[Any], nombre: int | None = None
) -> list[EntreeHistorique]:
    """Les `nombre` premières versions (toutes sans lui) d'une suite de versions historisées consécutives
    d'un même objet, de la plus récente à la plus ancienne, chacune comparée à la suivante ; la
    dernière de la suite n'est comparée à rien (création, ou version lue pour la comparaison seulement)."""
    meta = modele._meta
    resultat = []
    for i, h in enumerate(versions[:nombre]):
        precedente = versions[i + 1] if i + 1 < len(versions) else None
        changements = []
        if precedente is not None:
            delta = h.diff_against(precedente, excluded_fields=IGNORES)
            changements = [
                (
                    _libelle(meta, c.field),
                    _affichage(meta, c.field, c.old),
                    _affichage(meta, c.field, c.new),
                )
                for c in delta.changes
            ]
        auteur = h.history_user.nom_affiche if h.history_user else "Système"
        resultat.append(
            EntreeHistorique(
                h.history_date,
                auteur,
                _NATURES.get(h.history_type, ""),
                changements,
                h.history_change_reason or "",
            )
        )
    return resultat
