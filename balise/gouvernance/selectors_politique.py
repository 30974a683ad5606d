"""La politique des portes qui s'applique à une organisation, et l'historique de ses versions.

Une organisation qui n'a rien adapté suit la politique nationale livrée (`politique.en_vigueur()`) ;
sinon, la plus récente de ses versions (`PolitiquePortes`). C'est le seul chemin par lequel le
registre, les pages, l'API et le dossier du comité savent quelle politique évalue un système : une
requête, quel que soit le nombre de systèmes évalués ensuite (`applicables` : une pour un lot
d'organisations).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery

from . import politique
from .models import PolitiquePortes

if TYPE_CHECKING:
    from balise.organisations.models import Organisation


@lru_cache(maxsize=256)
def _validee(texte: str) -> politique.Politique:
    # Une version gardée ne change jamais : son contenu validé une fois sert à chaque lecture.
    return politique.valider(json.loads(texte))


def lire_contenu(contenu: Any) -> politique.Politique:
    """Le contenu d'une version gardée, validé (déjà validé à l'écriture : la validation ne coûte
    qu'une fois par contenu et par processus)."""
    return _validee(json.dumps(contenu, sort_keys=True, ensure_ascii=False))


@dataclass(frozen=True)
class Applicable:
    """La politique qui s'applique à une organisation et d'où elle vient."""

    politique: politique.Politique
    version: PolitiquePortes | None  # None : la politique nationale livrée, jamais adaptée

    @property
    def numero(self) -> int:
        """Le numéro de la version en vigueur (0 : aucune adaptation) : le point de départ d'une
        nouvelle adaptation, pour le verrou optimiste."""
        return self.version.numero if self.version else 0

    @property
    def nationale(self) -> bool:
        return self.version is None

    @property
    def libelle(self) -> str:
        """Court, gardé avec chaque passage de stade : « nationale v1 », « adaptée n° 2 »."""
        if self.version is None:
            return f"nationale v{self.politique.version}"
        if self.version.nature == PolitiquePortes.Nature.NATIONALE:
            return f"n° {self.version.numero} : nationale v{self.version.base_version}"
        return f"adaptée n° {self.version.numero}"


def _nationale() -> Applicable:
    return Applicable(politique.en_vigueur(), None)


def _applicable(version: PolitiquePortes) -> Applicable:
    return Applicable(lire_contenu(version.contenu), version)


def _id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def derniere_version(organisation: Organisation | int) -> PolitiquePortes | None:
    return (
        PolitiquePortes.objects.filter(organisation_id=_id(organisation))
        .select_related("cree_par")
        .order_by("-numero")
        .first()
    )


def applicable_de(version: PolitiquePortes | None) -> Applicable:
    """La politique qu'établit la dernière version lue (None : aucune, la nationale s'applique)."""
    return _applicable(version) if version else _nationale()


def applicable(organisation: Organisation | int) -> Applicable:
    """La politique de l'organisation et sa provenance, en une requête."""
    return applicable_de(derniere_version(organisation))


def de_l_organisation(organisation: Organisation | int) -> politique.Politique:
    """La politique des portes qui évalue les systèmes de l'organisation (une requête)."""
    return applicable(organisation).politique


def applicables(organisations: Iterable[int]) -> dict[int, Applicable]:
    """La politique de chacune des organisations, en une requête quel que soit leur nombre."""
    ids = set(organisations)
    if not ids:
        return {}
    plus_recente = (
        PolitiquePortes.objects.filter(organisation_id=OuterRef("organisation_id"))
        .order_by("-numero")
        .values("numero")[:1]
    )
    lues = {
        v.organisation_id: _applicable(v)
        for v in PolitiquePortes.objects.filter(
            organisation_id__in=ids, numero=Subquery(plus_recente)
        ).select_related("cree_par")
    }
    return {pk: lues.get(pk) or _nationale() for pk in ids}


@dataclass(frozen=True)
class VersionLue:
    """Une version de l'historique, avec ce qu'elle change par rapport à la précédente (la version
    nationale de départ pour la première)."""

    version: PolitiquePortes
    politique: politique.Politique
    differences: list[str]
    en_vigueur: bool


def historique(organisation: Organisation | int) -> list[VersionLue]:
    """Toutes les versions de l'organisation, de la plus récente à la plus ancienne (une requête)."""
    lues = list(
        PolitiquePortes.objects.filter(organisation_id=_id(organisation))
        .select_related("cree_par")
        .order_by("numero")
    )
    resultat = []
    precedente: politique.Politique | None = None
    for v in lues:
        courante = lire_contenu(v.contenu)
        if precedente is None:
            precedente = _nationale_de_depart(v.base_version)
        resultat.append(VersionLue(v, courante, politique.differences(precedente, courante), v is lues[-1]))
        precedente = courante
    return resultat[::-1]


def _nationale_de_depart(numero: int) -> politique.Politique:
    try:
        return politique.version(numero)
    except LookupError:  # une version livrée retirée depuis : comparée à celle en vigueur
        return politique.en_vigueur()
