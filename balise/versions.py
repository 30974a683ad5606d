"""Versions et historique des objets modifiables à plusieurs (verrou optimiste + django-simple-history).

Un modèle concerné a un champ entier `version` et un `history = HistoricalRecords()`. Chaque
enregistrement incrémente la version ; une modification fondée sur une version périmée est refusée
avec la liste des champs changés entre-temps et leurs auteurs, lue dans l'historique.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)

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

    def __init__(self, objet: models.Model, changements: list[Changement], auteurs: list[str]):
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


def _libelle(modele: type[models.Model], champ: str) -> str:
    return str(modele._meta.get_field(champ).verbose_name)


def changements_depuis(objet: models.Model, version: int) -> tuple[list[Changement], list[str]]:
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
    modele = type(objet)
    changements = [
        Changement(
            c.field,
            _libelle(modele, c.field),
            c.old,
            c.new,
            _affichage(modele, c.field, c.old),
            _affichage(modele, c.field, c.new),
        )
        for c in delta.changes
    ]
    return changements, auteurs


class VersionAbsente(ConflitEdition):
    """L'écriture ne dit pas sur quelle version elle repose : refusée comme une version périmée, car
    rien ne permet de savoir si la personne a vu les changements faits depuis qu'elle a ouvert l'objet."""

    def __init__(self, objet: models.Model):
        super().__init__(objet, [], [])

    @property
    def message(self) -> str:
        return (
            "La version de la fiche sur laquelle repose votre saisie n'a pas été transmise : on ne peut "
            "pas savoir si quelqu'un l'a modifiée depuis que vous l'avez ouverte. Rien n'a été enregistré : "
            f"relisez la fiche telle qu'elle est (version {self.objet.version}), puis enregistrez de nouveau."
        )


def verrouiller(queryset: models.QuerySet, pk: int, version_attendue: int) -> Any:
    """Verrouille la ligne pour la transaction en cours ; refuse une version périmée ou absente.

    C'est le seul chemin d'une écriture sur un objet versionné : aucun appelant (page, API, commande)
    ne peut se passer de la version, `None` (champ absent d'un formulaire, d'un corps) est refusé.
    """
    objet = queryset.select_for_update().get(pk=pk)
    if (
        version_attendue is None
        or isinstance(version_attendue, bool)
        or not isinstance(version_attendue, int)
    ):
        raise VersionAbsente(objet)
    if objet.version != version_attendue:
        changements, auteurs = changements_depuis(objet, version_attendue)
        raise ConflitEdition(objet, changements, auteurs)
    return objet


def attribuer(objet: M, par, **options: Any) -> M:
    """Enregistre `objet` en attribuant sa version historisée à `par`, même hors d'une requête
    (démonstration, API, commande) où le middleware de simple-history ne connaît personne."""
    objet._history_user = par  # type: ignore[attr-defined]
    objet.save(**options)
    return objet


def enregistrer(objet: models.Model, par) -> None:
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


def _affichage(modele: type[models.Model], champ: str, valeur: Any) -> str:
    if valeur is None or valeur == "":
        return "—"
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    choix = modele._meta.get_field(champ).choices
    if choix:
        return str(dict(choix).get(valeur, valeur))
    return str(valeur)


def historique(objet: models.Model, limite: int | None = None) -> list[EntreeHistorique]:
    """L'historique d'un objet, de la plus récente à la plus ancienne modification ; les `limite`
    plus récentes seulement si elle est donnée (une version de plus est lue, pour la comparaison)."""
    lues = objet.history.select_related("history_user").order_by("-history_date", "-history_id")
    versions = list(lues if limite is None else lues[: limite + 1])
    return entrees(type(objet), versions, limite)


def entrees(modele: type[models.Model], versions: list, nombre: int | None = None) -> list[EntreeHistorique]:
    """Les `nombre` premières versions (toutes sans lui) d'une suite de versions historisées consécutives
    d'un même objet, de la plus récente à la plus ancienne, chacune comparée à la suivante ; la
    dernière de la suite n'est comparée à rien (création, ou version lue pour la comparaison seulement)."""
    resultat = []
    for i, h in enumerate(versions[:nombre]):
        precedente = versions[i + 1] if i + 1 < len(versions) else None
        changements = []
        if precedente is not None:
            delta = h.diff_against(precedente, excluded_fields=IGNORES)
            changements = [
                (
                    _libelle(modele, c.field),
                    _affichage(modele, c.field, c.old),
                    _affichage(modele, c.field, c.new),
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
