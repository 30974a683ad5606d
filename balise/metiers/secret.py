"""Secret statistique des tableaux d'effectifs croisés (effectif et ETP par niveau d'exposition à l'IA).

Règle : aucun chiffre portant sur moins de `seuil` agents (5 par défaut, jamais moins de 3) n'est
affiché ni exporté. Une case à zéro reste affichée : elle ne porte sur personne.

Le tableau et ses marges forment une grille de (lignes + 1) × (colonnes + 1) membres, liés par des
contraintes d'addition : chaque ligne (cases + total de ligne), chaque colonne (cases + total de
colonne), la ligne des totaux (totaux de colonnes + total général) et la colonne des totaux.

1. Secret primaire : tout membre, total compris, dont l'effectif est dans 1..seuil-1.
2. Secret secondaire : tant qu'une contrainte n'a qu'un seul membre masqué (il se retrouverait par
   soustraction), on masque un autre de ses membres : la plus petite case visible non nulle, de
   préférence une case dont l'autre contrainte est déjà entamée (moins de cascades) ; à défaut, le
   total de la contrainte.
3. Une case masquée peut encore se retrouver en combinant plusieurs lignes et colonnes : c'est le
   cas exactement quand, dans le graphe biparti lignes–colonnes dont les arêtes sont les cases
   masquées, elle est un pont (elle n'appartient à aucun cycle). On relie alors les deux côtés du
   pont par une case supplémentaire, jusqu'à ce qu'il n'en reste aucun.

L'ETP est masqué exactement là où l'effectif l'est. Le résultat est déterministe : à valeur égale,
l'ordre des lignes puis des colonnes départage.

Le même algorithme sert l'observatoire (balise/observatoire), par `masquer` : la grille y est un
compte de systèmes ou d'organisations, le secret primaire est décidé par l'appelant (nombre
d'organisations contributrices d'une case, évolution depuis le relevé précédent), et des membres déjà
connus d'un attaquant (tirés des registres publics, ou publiés tels quels auparavant) ne protègent
rien : ils ne comptent pas comme masques et ne sont jamais choisis comme masque complémentaire.

Limite connue : la protection est contre le recalcul exact ; des bornes (encadrements) restent
déductibles, comme pour tout secret par cases masquées sans méthode d'optimisation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SEUIL_PAR_DEFAUT = 5
SEUIL_MINIMUM = 3

# Mot affiché à la place d'un chiffre couvert par le secret statistique.
SECRET = "secret"  # noqa: S105 — un libellé affiché, pas un mot de passe
PRIMAIRE = "primaire"
SECONDAIRE = "secondaire"
_ESPACE_FINE = "\u202f"  # espace fine insécable, séparateur des milliers
# Les ETP se donnent au dixième, arrondis au plus proche : dans les pages comme dans les exports.
PRECISION_ETP = Decimal("0.1")


@dataclass(frozen=True)
class Case:
    """Un chiffre du tableau protégé : effectif et ETP, ou rien s'il est couvert par le secret."""

    effectif: int | None
    etp: Decimal | None
    motif: str | None  # None, "primaire" ou "secondaire"

    def __post_init__(self) -> None:
        masquee = self.motif is not None
        if masquee != (self.effectif is None) or masquee != (self.etp is None):
            raise ValueError("Une case masquée n'a ni effectif ni ETP ; une case visible a les deux.")
        if self.motif not in (None, PRIMAIRE, SECONDAIRE):
            raise ValueError(f"Motif de secret inconnu : {self.motif!r}.")

    @property
    def masquee(self) -> bool:
        return self.motif is not None

    def afficher_effectif(self) -> str:
        """« 1 234 » (espace fine insécable), « 0 », ou « secret ».

        « secret » plutôt que « < 5 » : une case masquée par le secret secondaire peut porter sur
        bien plus de 5 agents, et dire « < 5 » révélerait lesquelles sont masquées au primaire.
        """
        if self.effectif is None:
            return SECRET
        return f"{self.effectif:,}".replace(",", _ESPACE_FINE)

    @property
    def etp_arrondi(self) -> Decimal | None:
        """L'ETP tel que Balise le donne partout (pages, CSV, XLSX) : au dixième, arrondi au plus proche.
        Le seul endroit qui arrondit : une page et un export ne peuvent pas se contredire."""
        return None if self.etp is None else self.etp.quantize(PRECISION_ETP, rounding=ROUND_HALF_UP)

    def afficher_etp(self) -> str:
        """« 12,5 » : virgule décimale, un chiffre après la virgule (arrondi au plus proche), ou « secret »."""
        if self.etp_arrondi is None:
            return SECRET
        return f"{self.etp_arrondi:,.1f}".replace(",", _ESPACE_FINE).replace(".", ",")


@dataclass(frozen=True)
class TableauProtege:
    lignes: list[str]
    colonnes: list[str]
    cases: dict[tuple[str, str], Case]
    totaux_lignes: dict[str, Case]
    totaux_colonnes: dict[str, Case]
    total: Case
    seuil: int

    @property
    def nombre_masquees(self) -> int:
        membres = [
            *self.cases.values(),
            *self.totaux_lignes.values(),
            *self.totaux_colonnes.values(),
            self.total,
        ]
        return sum(case.masquee for case in membres)


def proteger(
    valeurs: Mapping[tuple[str, str], tuple[int, Decimal]],
    lignes: Sequence[str],
    colonnes: Sequence[str],
    seuil: int = SEUIL_PAR_DEFAUT,
) -> TableauProtege:
    """Calcule les totaux et applique le secret primaire puis secondaire. Case absente = 0."""
    if seuil < SEUIL_MINIMUM:
        raise ValueError(
            f"Le seuil du secret statistique ne peut pas être inférieur à {SEUIL_MINIMUM} (reçu : {seuil})."
        )
    lignes, colonnes = list(lignes), list(colonnes)
    for nom, libelles in (("ligne", lignes), ("colonne", colonnes)):
        if len(set(libelles)) != len(libelles):
            raise ValueError(f"Libellé de {nom} en double.")
    rang_ligne = {libelle: i for i, libelle in enumerate(lignes)}
    rang_colonne = {libelle: j for j, libelle in enumerate(colonnes)}
    nl, nc = len(lignes), len(colonnes)

    # Grille (nl + 1) × (nc + 1) : dernière ligne = totaux de colonnes, dernière colonne = totaux de lignes.
    eff = [[0] * (nc + 1) for _ in range(nl + 1)]
    etp = [[Decimal(0)] * (nc + 1) for _ in range(nl + 1)]
    for (ligne, colonne), (effectif, equivalent) in valeurs.items():
        if ligne not in rang_ligne or colonne not in rang_colonne:
            raise ValueError(f"Case hors du tableau : ({ligne!r}, {colonne!r}).")
        if not isinstance(effectif, int) or effectif < 0:
            raise ValueError(f"Effectif invalide pour ({ligne!r}, {colonne!r}) : {effectif!r}.")
        equivalent = equivalent if isinstance(equivalent, Decimal) else Decimal(str(equivalent))
        if equivalent < 0:
            raise ValueError(f"ETP négatif pour ({ligne!r}, {colonne!r}) : {equivalent}.")
        i, j = rang_ligne[ligne], rang_colonne[colonne]
        eff[i][j], etp[i][j] = effectif, equivalent
    for i in range(nl):
        eff[i][nc] = sum(eff[i][:nc])
        etp[i][nc] = sum(etp[i][:nc], Decimal(0))
    for j in range(nc + 1):
        eff[nl][j] = sum(eff[i][j] for i in range(nl))
        etp[nl][j] = sum((etp[i][j] for i in range(nl)), Decimal(0))

    motifs = _masquer(eff, _primaires(eff, seuil))

    def case(i: int, j: int) -> Case:
        motif = motifs.get((i, j))
        if motif is not None:
            return Case(None, None, motif)
        return Case(eff[i][j], etp[i][j], None)

    return TableauProtege(
        lignes=lignes,
        colonnes=colonnes,
        cases={
            (ligne, colonne): case(i, j)
            for i, ligne in enumerate(lignes)
            for j, colonne in enumerate(colonnes)
        },
        totaux_lignes={ligne: case(i, nc) for i, ligne in enumerate(lignes)},
        totaux_colonnes={colonne: case(nl, j) for j, colonne in enumerate(colonnes)},
        total=case(nl, nc),
        seuil=seuil,
    )


def _primaires(eff: list[list[int]], seuil: int) -> dict[tuple[int, int], str]:
    """Secret primaire d'une grille d'effectifs : tout membre dans 1..seuil-1."""
    return {
        (i, j): PRIMAIRE for i, rang in enumerate(eff) for j, valeur in enumerate(rang) if 0 < valeur < seuil
    }


def masquer(
    grille: Sequence[Sequence[int]],
    primaires: Mapping[tuple[int, int], str],
    connues: AbstractSet[tuple[int, int]] = frozenset(),
) -> dict[tuple[int, int], str]:
    """Secret secondaire d'une grille avec marges (dernière ligne et dernière colonne = totaux) dont
    l'appelant a choisi les membres masqués d'office (`primaires` : position → motif).

    `connues` : les membres qu'un attaquant connaît déjà par ailleurs. Masqués ou non, ils ne cachent
    rien : ils ne comptent pas comme masques d'une contrainte, ni comme arêtes du graphe des ponts, et ne
    sont jamais choisis comme masque complémentaire. Renvoie chaque position masquée et son motif
    (ceux de `primaires`, « secondaire » pour les autres)."""
    eff = [list(rang) for rang in grille]
    if not eff or not eff[0]:
        raise ValueError("Une grille a au moins une ligne et une colonne (les totaux).")
    nl, nc = len(eff), len(eff[0])
    if any(len(rang) != nc for rang in eff):
        raise ValueError("Les lignes de la grille n'ont pas toutes la même longueur.")
    if any(valeur < 0 for rang in eff for valeur in rang):
        raise ValueError("Une grille de comptes n'a pas de valeur négative.")
    sommes = [sum(eff[i][:-1]) == eff[i][-1] for i in range(nl)]
    sommes += [sum(eff[i][j] for i in range(nl - 1)) == eff[-1][j] for j in range(nc)]
    if not all(sommes):
        raise ValueError("Les totaux de la grille ne sont pas les sommes de ses lignes et colonnes.")
    for i, j in [*primaires, *connues]:
        if not (0 <= i < nl and 0 <= j < nc):
            raise ValueError(f"Position hors de la grille : ({i}, {j}).")
    return _masquer(eff, primaires, frozenset(connues))


def _masquer(
    eff: list[list[int]],
    primaires: Mapping[tuple[int, int], str],
    connues: frozenset[tuple[int, int]] = frozenset(),
) -> dict[tuple[int, int], str]:
    """Positions masquées de la grille avec marges (dernière ligne et dernière colonne = totaux) et leur motif."""
    nl, nc = len(eff), len(eff[0])
    motifs: dict[tuple[int, int], str] = {}
    par_ligne, par_colonne = [0] * nl, [0] * nc

    def masque(i: int, j: int, motif: str) -> None:
        motifs[(i, j)] = motif
        if (i, j) not in connues:  # un membre connu ne cache rien
            par_ligne[i] += 1
            par_colonne[j] += 1

    for i, j in sorted(primaires):
        masque(i, j, primaires[(i, j)])

    # Contrainte = (0, i) pour la ligne i, (1, j) pour la colonne j. Une contrainte qui a deux membres
    # masqués les garde : chacune n'est complétée qu'une fois, le tout reste linéaire en la taille.
    a_verifier = deque([(0, i) for i in range(nl)] + [(1, j) for j in range(nc)])
    while True:
        while a_verifier:
            sens, k = a_verifier.popleft()
            if (par_ligne if sens == 0 else par_colonne)[k] != 1:
                continue
            position = _complement(eff, motifs, connues, par_ligne, par_colonne, sens, k)
            if position is None:
                return _tout_masquer(eff, motifs, connues)
            i, j = position
            masque(i, j, SECONDAIRE)
            a_verifier.append((1, j) if sens == 0 else (0, i))
        ponts = _ponts(nl, nc, {p: m for p, m in motifs.items() if p not in connues})
        if not ponts:
            return motifs
        # Ajouter une case ne crée ni pont ni contrainte à un seul masque : on traite les ponts un à un.
        position = _relier(eff, motifs, connues, nl, ponts[0])
        if position is None:
            return _tout_masquer(eff, motifs, connues)
        masque(*position, SECONDAIRE)


def _tout_masquer(
    eff: list[list[int]], motifs: dict[tuple[int, int], str], connues: frozenset[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Dernier recours (jamais sans membres connus) : aucun complément sûr n'existe ; tout ce qui n'est
    pas connu est masqué, et les contraintes ne relient plus que des inconnues ou des membres connus."""
    tout = dict(motifs)
    for i, rang in enumerate(eff):
        for j in range(len(rang)):
            if (i, j) not in connues:
                tout.setdefault((i, j), SECONDAIRE)
    return tout


def _complement(
    eff: list[list[int]],
    motifs: dict[tuple[int, int], str],
    connues: frozenset[tuple[int, int]],
    par_ligne: list[int],
    par_colonne: list[int],
    sens: int,
    k: int,
) -> tuple[int, int] | None:
    """Le membre à masquer en plus dans une contrainte qui n'en a qu'un de masqué (None : aucun possible)."""
    if sens == 0:
        membres = [(k, j) for j in range(len(par_colonne))]
    else:
        membres = [(i, k) for i in range(len(par_ligne))]
    *composantes, marge = membres
    meilleur, meilleure_cle = None, None
    for i, j in composantes:
        valeur = eff[i][j]
        if valeur <= 0 or (i, j) in motifs or (i, j) in connues:
            continue
        autre = par_colonne[j] if sens == 0 else par_ligne[i]
        # Autre contrainte à un seul masque : les deux sont réglées d'un coup ; déjà entamée : pas de
        # cascade ; intacte : elle devra à son tour être complétée.
        cle = (0 if autre == 1 else 1 if autre > 1 else 2, valeur)
        if meilleure_cle is None or cle < meilleure_cle:
            meilleur, meilleure_cle = (i, j), cle
    if meilleur is not None:
        return meilleur
    if marge not in motifs and marge not in connues:
        return marge
    # Sans membre connu, inatteignable (le membre masqué est non nul, donc une autre case non nulle est
    # visible) ; avec, une case nulle inconnue fait l'affaire : sa valeur n'est pas sue de l'attaquant.
    return next((p for p in composantes if p not in motifs and p not in connues), None)


def _ponts(nl: int, nc: int, motifs: dict[tuple[int, int], str]) -> list[tuple[int, int]]:
    """Cases masquées qui ne sont sur aucun cycle du graphe lignes–colonnes (Tarjan, itératif)."""
    voisins: list[list[tuple[int, tuple[int, int]]]] = [[] for _ in range(nl + nc)]
    for i, j in sorted(motifs):
        voisins[i].append((nl + j, (i, j)))
        voisins[nl + j].append((i, (i, j)))
    ordre, bas = [-1] * (nl + nc), [0] * (nl + nc)
    compteur = 0
    ponts: list[tuple[int, int]] = []
    for depart in range(nl + nc):
        if ordre[depart] != -1 or not voisins[depart]:
            continue
        ordre[depart] = bas[depart] = compteur
        compteur += 1
        # (sommet, arête par laquelle on y est venu — aucune pour le départ —, voisins restant à voir)
        pile: list[tuple[int, tuple[int, int] | None, Iterator[tuple[int, tuple[int, int]]]]] = [
            (depart, None, iter(voisins[depart]))
        ]
        while pile:
            sommet, arete_parent, reste = pile[-1]
            for voisin, arete in reste:
                if arete == arete_parent:
                    continue
                if ordre[voisin] == -1:
                    ordre[voisin] = bas[voisin] = compteur
                    compteur += 1
                    pile.append((voisin, arete, iter(voisins[voisin])))
                    break
                bas[sommet] = min(bas[sommet], ordre[voisin])
            else:
                pile.pop()
                if pile:
                    parent = pile[-1][0]
                    bas[parent] = min(bas[parent], bas[sommet])
                    # Sous le départ, chaque sommet a son arête d'arrivée.
                    if bas[sommet] > ordre[parent] and arete_parent is not None:
                        ponts.append(arete_parent)
    return sorted(ponts)


def _relier(
    eff: list[list[int]],
    motifs: dict[tuple[int, int], str],
    connues: frozenset[tuple[int, int]],
    nl: int,
    pont: tuple[int, int],
) -> tuple[int, int] | None:
    """Une case visible reliant les deux côtés du pont, qui le met ainsi sur un cycle."""
    nc = len(eff[0])

    def cote(depart: int) -> set[int]:
        vus, pile = {depart}, [depart]
        while pile:
            sommet = pile.pop()
            if sommet < nl:
                suivants = [(sommet, j) for j in range(nc)]
            else:
                suivants = [(i, sommet - nl) for i in range(nl)]
            for i, j in suivants:
                if (i, j) == pont or (i, j) not in motifs or (i, j) in connues:
                    continue
                autre = nl + j if sommet < nl else i
                if autre not in vus:
                    vus.add(autre)
                    pile.append(autre)
        return vus

    a, b = cote(pont[0]), cote(nl + pont[1])
    candidates = [(i, s - nl) for i in a if i < nl for s in b if s >= nl]
    candidates += [(i, s - nl) for i in b if i < nl for s in a if s >= nl]
    # Hormis le pont lui-même, aucune n'est masquée (sinon les deux côtés se toucheraient), sauf des
    # membres connus, écartés. Sans membre connu, il en reste toujours une, car chaque extrémité du pont
    # a un autre masque. Préférence : non nulle, hors marges, la plus petite, puis la première.
    candidates = [p for p in candidates if p != pont and p not in connues]
    if not candidates:
        return None
    return min(
        candidates, key=lambda p: (eff[p[0]][p[1]] == 0, p[0] == nl - 1 or p[1] == nc - 1, eff[p[0]][p[1]], p)
    )
