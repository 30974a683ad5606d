"""Les réponses d'une évaluation, agrégées pour voyager sans personne (fichier portable d'un système,
registre/portable.py), puis dépliées en cotations que `calcul.calculer` lit comme les autres.

Agréger : pour chaque item et chaque profil, combien d'évaluateurs ont donné chaque réponse (une note,
« sans objet », une combinaison de choix, ou rien) ; combien d'évaluateurs de chaque profil ont coté ;
pour la matrice, combien ont placé le cas d'usage dans chaque case (le nuage de points de la page).
Ni nom, ni commentaire, ni date : ce que montre déjà le résultat consolidé, moyennes par profil comprises.

Déplier : des évaluateurs anonymes (identifiants négatifs) reçoivent ces réponses. `calculer` ne lit que
ces comptes — répartitions, moyennes par profil, désaccords, nombre d'évaluateurs, complétude (réponses
données / évaluateurs × items) — et la matrice que ses couples : le résultat est celui de l'organisation
d'origine, commentaires exceptés. Qui reçoit quoi est une construction sans signification, que rien
n'affiche ; on la vérifie seulement possible (un évaluateur ne répond qu'une fois à un item, chacun a
répondu à quelque chose), ce qui refuse des comptes incohérents.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, model_validator

from balise.validation import Strict

from .calcul import Cotation
from .definition import Definition, Identifiant, Texte
from .models import Profil

# Une évaluation est cotée par des membres de l'organisation (les agents répondent, eux, à une
# consultation) : 500 évaluateurs laissent large, et bornent le travail du dépliage.
MAX_EVALUATEURS = 500

Nombre = Annotated[int, Field(ge=1, le=MAX_EVALUATEURS)]
Note = Annotated[int, Field(ge=-100, le=100)]


class EvaluateursProfil(Strict):
    profil: Profil
    evaluateurs: Nombre


class ReponseAgregee(Strict):
    """`nombre` évaluateurs du profil ont donné cette réponse à cet item (ni note, ni « sans objet »,
    ni choix : une cotation laissée vide, qui compte l'évaluateur sans compter comme réponse)."""

    item: Identifiant
    profil: Profil
    valeur: Note | None
    sans_objet: bool
    choix: list[Texte] = Field(max_length=30)
    nombre: Nombre


class PointAgrege(Strict):
    """`nombre` évaluateurs du profil ont noté les deux axes de la matrice : `x` sur le premier, `y` sur
    le second."""

    profil: Profil
    x: Note
    y: Note
    nombre: Nombre


class Agregat(Strict):
    profils: list[EvaluateursProfil] = Field(max_length=len(Profil))
    reponses: list[ReponseAgregee] = Field(max_length=20_000)
    points: list[PointAgrege] = Field(max_length=2_000)

    @model_validator(mode="after")
    def _profils_distincts(self) -> "Agregat":
        if len({p.profil for p in self.profils}) != len(self.profils):
            raise ValueError("un profil est compté deux fois dans « profils »")
        if sum(p.evaluateurs for p in self.profils) > MAX_EVALUATEURS:
            raise ValueError(f"plus de {MAX_EVALUATEURS} évaluateurs pour une seule évaluation")
        return self

    @property
    def total_evaluateurs(self) -> int:
        return sum(p.evaluateurs for p in self.profils)

    @property
    def nombre_de_reponses(self) -> int:
        return sum(r.nombre for r in self.reponses)


class AgregatIncoherent(ValueError):
    """Des comptes qu'aucun ensemble d'évaluateurs n'a pu produire : le message dit lequel, en français."""


@dataclass(frozen=True)
class Ligne:
    """La cotation d'un évaluateur telle que la base la garde, profil en code (« agent »)."""

    evaluateur: int
    profil: str
    item: str
    valeur: int | None
    sans_objet: bool
    choix: tuple[str, ...]


def axes(definition: Definition) -> tuple[str, str] | None:
    """Les deux items notés d'une matrice, dans l'ordre des axes (x, y) ; None pour les autres visuels."""
    if definition.visuel != "matrice":
        return None
    x, y = (item.id for item in definition.items_notes)
    return x, y


def couples(definition: Definition, cotations: Iterable[Cotation]) -> list[tuple[int, int]]:
    """Pour la matrice 2 × 2 : le couple de notes de chaque évaluateur qui a noté les deux axes."""
    ax = axes(definition)
    if ax is None:
        return []
    par_personne: dict[int, dict[str, int]] = defaultdict(dict)
    for c in cotations:
        if c.valeur is not None and c.item in ax:
            par_personne[c.evaluateur][c.item] = c.valeur
    return [(n[ax[0]], n[ax[1]]) for n in par_personne.values() if len(n) == 2]


_Cle = tuple[str, int | None, bool, tuple[str, ...]]  # item, note, sans objet, choix


def _ordre(cle: _Cle) -> tuple[bool, int, bool, tuple[str, ...]]:
    _, valeur, sans_objet, choix = cle
    return valeur is None, valeur or 0, sans_objet, choix


def agreger(definition: Definition, lignes: Iterable[Ligne]) -> Agregat:
    """Les comptes des cotations (celles des items de la définition, les seules que `calculer` lit)."""
    rang = {item.id: n for n, item in enumerate(definition.items)}
    ax = axes(definition)
    profils: dict[int, str] = {}
    comptes: Counter[tuple[str, _Cle]] = Counter()
    notes_axes: dict[int, dict[str, int]] = defaultdict(dict)
    for ligne in lignes:
        if ligne.item not in rang:
            continue
        profils[ligne.evaluateur] = ligne.profil
        comptes[(ligne.profil, (ligne.item, ligne.valeur, ligne.sans_objet, ligne.choix))] += 1
        if ax and ligne.item in ax and ligne.valeur is not None:
            notes_axes[ligne.evaluateur][ligne.item] = ligne.valeur
    points: Counter[tuple[str, int, int]] = Counter(
        (profils[e], n[ax[0]], n[ax[1]]) for e, n in notes_axes.items() if ax and len(n) == 2
    )
    return Agregat.model_validate(
        {
            "profils": [
                {"profil": p, "evaluateurs": n} for p, n in sorted(Counter(profils.values()).items())
            ],
            "reponses": [
                {
                    "item": cle[0],
                    "profil": p,
                    "valeur": cle[1],
                    "sans_objet": cle[2],
                    "choix": list(cle[3]),
                    "nombre": n,
                }
                for (p, cle), n in sorted(
                    comptes.items(), key=lambda e: (rang[e[0][1][0]], e[0][0], _ordre(e[0][1]))
                )
            ],  # fmt: skip
            "points": [{"profil": p, "x": x, "y": y, "nombre": n} for (p, x, y), n in sorted(points.items())],
        }
    )


class _Profil:
    """Les évaluateurs anonymes d'un profil, à qui l'on donne ses réponses une à une."""

    def __init__(self, premier: int, nombre: int, libelle: str, ax: tuple[str, str] | None) -> None:
        self.ids = [-(premier + k) for k in range(1, nombre + 1)]
        self.libelle, self.axes = libelle, ax
        self.charge = [0] * nombre
        self.items: list[set[str]] = [set() for _ in range(nombre)]
        self.notes_axes: list[set[str]] = [set() for _ in range(nombre)]
        self.cotations: list[Cotation] = []

    def donner(self, k: int, cle: _Cle) -> None:
        item, valeur, sans_objet, choix = cle
        self.cotations.append(Cotation(self.ids[k], item, valeur, sans_objet, choix, "", self.libelle))
        self.charge[k] += 1
        self.items[k].add(item)
        if self.axes and item in self.axes and valeur is not None:
            self.notes_axes[k].add(item)

    def repartir(self, item: str, unites: list[_Cle], sans_note_sur: str | None) -> None:
        """Chaque unité à un évaluateur différent qui n'a pas encore répondu à l'item (et, pour une
        note d'un axe, qui n'a pas noté l'autre : elle ferait un point de plus), le moins chargé
        d'abord : chacun reçoit quelque chose dès que les réponses suffisent."""
        eligibles = [
            k
            for k in range(len(self.ids))
            if item not in self.items[k]
            and (sans_note_sur is None or sans_note_sur not in self.notes_axes[k])
        ]
        if len(unites) > len(eligibles):
            raise AgregatIncoherent(
                f"l'item « {item} » a plus de réponses du profil « {self.libelle} » que ce profil n'a "
                "d'évaluateurs pour y répondre"
            )
        eligibles.sort(key=lambda k: (self.charge[k], k))
        for k, cle in zip(eligibles, unites, strict=False):
            self.donner(k, cle)


def _unites(restantes: Counter[_Cle], item: str, notees: bool | None) -> list[_Cle]:
    """Les réponses restantes à un item, une par évaluateur (`notees` : celles avec note, sans, ou toutes)."""
    cles = sorted(
        (c for c in restantes if c[0] == item and (notees is None or (c[1] is not None) == notees)),
        key=_ordre,
    )
    unites = [c for c in cles for _ in range(restantes[c])]
    for c in cles:
        del restantes[c]
    return unites


def _deplier_profil(
    definition: Definition, groupe: _Profil, reponses: list[ReponseAgregee], points: list[PointAgrege]
) -> list[Cotation]:
    if sum(r.nombre for r in reponses) > len(groupe.ids) * len(definition.items):
        raise AgregatIncoherent(
            f"le profil « {groupe.libelle} » a plus de réponses que ses évaluateurs n'ont pu en donner"
        )
    restantes: Counter[_Cle] = Counter()
    for r in reponses:
        restantes[(r.item, r.valeur, r.sans_objet, tuple(r.choix))] += r.nombre
    ax = groupe.axes
    k = 0
    for point in points:  # d'abord les couples de la matrice, chacun à un évaluateur
        if ax is None:
            raise AgregatIncoherent("des points de matrice pour un instrument qui n'en dessine pas")
        for _ in range(point.nombre):
            paire = ((ax[0], point.x, False, ()), (ax[1], point.y, False, ()))
            if k >= len(groupe.ids) or any(restantes[c] < 1 for c in paire):
                raise AgregatIncoherent(
                    f"les points de la matrice du profil « {groupe.libelle} » ne correspondent pas à ses réponses"
                )
            for c in paire:
                restantes[c] -= 1
                groupe.donner(k, c)
            k += 1
    if ax:  # puis les notes des axes, sans former d'autre couple, puis leurs réponses sans note
        groupe.repartir(ax[0], _unites(restantes, ax[0], True), sans_note_sur=ax[1])
        groupe.repartir(ax[1], _unites(restantes, ax[1], True), sans_note_sur=ax[0])
        for axe in ax:
            groupe.repartir(axe, _unites(restantes, axe, False), sans_note_sur=None)
    for item in definition.items:
        if ax is None or item.id not in ax:
            groupe.repartir(item.id, _unites(restantes, item.id, None), sans_note_sur=None)
    muets = groupe.charge.count(0)
    if muets:
        raise AgregatIncoherent(
            f"{len(groupe.ids)} évaluateurs « {groupe.libelle} » annoncés, mais {muets} sans aucune réponse"
        )
    return groupe.cotations


def deplier(definition: Definition, agregat: Agregat, libelles: Mapping[str, str]) -> list[Cotation]:
    """Des cotations anonymes dont `calculer` tire exactement les résultats que les comptes décrivent ;
    AgregatIncoherent si aucun ensemble d'évaluateurs n'a pu les produire."""
    items = {item.id for item in definition.items}
    par_profil: dict[str, list[ReponseAgregee]] = defaultdict(list)
    for r in agregat.reponses:
        if r.item not in items:
            raise AgregatIncoherent(f"l'item « {r.item} » n'existe pas dans cet instrument")
        par_profil[r.profil].append(r)
    points: dict[str, list[PointAgrege]] = defaultdict(list)
    for p in agregat.points:
        points[p.profil].append(p)
    annonces = {p.profil: p.evaluateurs for p in agregat.profils}
    sans_evaluateur = sorted((set(par_profil) | set(points)) - set(annonces))
    if sans_evaluateur:
        raise AgregatIncoherent(
            f"des réponses du profil « {libelles.get(sans_evaluateur[0], sans_evaluateur[0])} », "
            "qui n'a aucun évaluateur annoncé"
        )
    cotations: list[Cotation] = []
    premier = 0
    for profil in sorted(annonces):
        groupe = _Profil(premier, annonces[profil], libelles.get(profil, profil), axes(definition))
        cotations += _deplier_profil(definition, groupe, par_profil[profil], points[profil])
        premier += annonces[profil]
    return cotations
