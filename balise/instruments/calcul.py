"""Le calcul des résultats d'une évaluation : fonctions pures, sans base de données.

Entrée : une définition et les cotations de chaque évaluateur (une note, ou « sans objet », ou des
choix, par item). Sortie : pour chaque item, la moyenne, la répartition et l'écart entre
évaluateurs ; pour chaque section, un score, de quel côté elle penche et l'écart entre profils
(encadrement, agents…). Les règles d'agrégation sont celles que la définition déclare :

- une réponse absente ou « sans objet » ne compte pas (ni zéro, ni moyenne) : la complétude le dit ;
- score d'une section = moyenne, pondérée par les poids des items, des moyennes de ses items notés ;
- un item est « en désaccord » quand l'écart entre la note la plus haute et la plus basse atteint le
  `seuil_desaccord` de la définition ; deux profils divergent quand leurs moyennes sur une section
  s'écartent d'au moins la moitié de ce seuil.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .definition import Definition, Item, Section

SANS_PROFIL = "non précisé"


@dataclass(frozen=True)
class Cotation:
    evaluateur: int  # identifiant de la personne (ou de la réponse anonyme)
    item: str
    valeur: int | None = None
    sans_objet: bool = False  # réponse explicite « sans objet » : ne compte pas dans les moyennes
    choix: tuple[str, ...] = ()
    commentaire: str = ""
    profil: str = SANS_PROFIL


@dataclass
class ResultatItem:
    item: Item
    n: int  # notes exprimées (hors sans objet)
    sans_objet: int
    moyenne: float | None
    minimum: int | None
    maximum: int | None
    repartition: dict[int, int]  # valeur → nombre d'évaluateurs, dans l'ordre de l'échelle
    choix: dict[str, int]  # pour un item « choix » : choix → nombre
    desaccord: bool
    par_profil: dict[str, float | None]
    commentaires: list[tuple[str, str]]  # (profil, texte)

    @property
    def ecart(self) -> int | None:
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum


# Écart au milieu en deçà duquel une moyenne est le milieu lui-même (arrondis des flottants).
_TOLERANCE_MILIEU = 1e-9


def penchant(score: float, milieu: float) -> str:
    """De quel côté penche une section : une moyenne exactement au milieu ne penche d'aucun côté.

    Les échelles des instruments à deux côtés (girouet : 1–4) n'ont pas de niveau médian, pour
    qu'aucune réponse ne soit neutre ; une moyenne peut pourtant tomber sur le milieu (2,5), et
    Balise ne la range alors ni du côté positif ni du côté négatif.
    """
    if abs(score - milieu) <= _TOLERANCE_MILIEU:
        return "equilibre"
    return "positif" if score > milieu else "negatif"


@dataclass
class ResultatSection:
    section: Section
    items: list[ResultatItem]
    score: float | None  # sur l'échelle de la définition
    part: float | None  # score ramené entre 0 (bas de l'échelle) et 1 (haut)
    penche: str | None  # « positif », « negatif » ou « equilibre » par rapport au milieu de l'échelle
    par_profil: dict[str, float | None]
    profils_divergents: bool


@dataclass
class Resultat:
    definition: Definition
    sections: list[ResultatSection]
    evaluateurs: int
    completude: float  # part des réponses attendues (évaluateurs × items) effectivement données
    profils: list[str] = field(default_factory=list)

    @property
    def items_en_desaccord(self) -> list[ResultatItem]:
        return [r for s in self.sections for r in s.items if r.desaccord]

    @property
    def sections_divergentes(self) -> list[ResultatSection]:
        return [s for s in self.sections if s.profils_divergents]


def _moyenne_ponderee(paires: Iterable[tuple[float | None, float]]) -> float | None:
    valides = [(v, p) for v, p in paires if v is not None]
    total = sum(p for _, p in valides)
    return sum(v * p for v, p in valides) / total if total else None


def _moyenne(valeurs: list[int]) -> float | None:
    return sum(valeurs) / len(valeurs) if valeurs else None


def _resultat_item(
    definition: Definition, item: Item, cotations: list[Cotation], profils: list[str]
) -> ResultatItem:
    commentaires = [(c.profil, c.commentaire) for c in cotations if c.commentaire]
    if item.type == "choix":
        comptes = Counter(choix for c in cotations for choix in c.choix)
        return ResultatItem(
            item, 0, 0, None, None, None, {}, {ch: comptes.get(ch, 0) for ch in item.choix},
            False, {}, commentaires,
        )  # fmt: skip
    echelle = definition.echelle_de(item)
    notes = [c.valeur for c in cotations if c.valeur is not None]
    par_note = Counter(notes)
    par_profil = {
        p: _moyenne([c.valeur for c in cotations if c.profil == p and c.valeur is not None]) for p in profils
    }
    return ResultatItem(
        item=item,
        n=len(notes),
        sans_objet=sum(1 for c in cotations if c.sans_objet),
        moyenne=_moyenne(notes),
        minimum=min(notes, default=None),
        maximum=max(notes, default=None),
        repartition={n.valeur: par_note.get(n.valeur, 0) for n in echelle.niveaux},
        choix={},
        desaccord=bool(notes) and max(notes) - min(notes) >= definition.seuil_desaccord,
        par_profil=par_profil,
        commentaires=commentaires,
    )


def calculer(definition: Definition, cotations: Iterable[Cotation]) -> Resultat:
    par_item: dict[str, list[Cotation]] = {item.id: [] for item in definition.items}
    evaluateurs: set[int] = set()
    profils_vus: dict[str, None] = {}
    repondues = 0
    for cotation in cotations:
        if cotation.item in par_item:  # une cotation d'un item retiré depuis est ignorée
            par_item[cotation.item].append(cotation)
            evaluateurs.add(cotation.evaluateur)
            profils_vus.setdefault(cotation.profil)
            repondues += cotation.valeur is not None or cotation.sans_objet or bool(cotation.choix)
    profils = sorted(profils_vus)

    echelle = definition.echelles[definition.echelle]
    etendue = echelle.maximum - echelle.minimum
    sections = []
    for section in definition.sections:
        items = [_resultat_item(definition, item, par_item[item.id], profils) for item in section.items]
        notes = [r for r in items if r.item.type == "echelle"]
        score = None
        if definition.agregation == "moyenne_ponderee":
            score = _moyenne_ponderee((r.moyenne, r.item.poids) for r in notes)
        par_profil = {
            p: _moyenne_ponderee((r.par_profil.get(p), r.item.poids) for r in notes) for p in profils
        }
        moyennes_profils = [m for m in par_profil.values() if m is not None]
        divergents = (
            len(moyennes_profils) >= 2
            and max(moyennes_profils) - min(moyennes_profils) >= definition.seuil_desaccord / 2
        )
        sections.append(
            ResultatSection(
                section=section,
                items=items,
                score=score,
                part=None if score is None else (score - echelle.minimum) / etendue,
                penche=None if score is None else penchant(score, echelle.milieu),
                par_profil=par_profil,
                profils_divergents=divergents,
            )
        )
    attendues = len(evaluateurs) * len(definition.items)
    return Resultat(
        definition, sections, len(evaluateurs), repondues / attendues if attendues else 0.0, profils
    )
