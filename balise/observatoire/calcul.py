"""Le calcul de l'observatoire, sans base ni horloge : des comptes en entrée, des tableaux protégés en
sortie, chaque chiffre caché avec son motif. Voir docs/observatoire.md.

Un *membre* d'un tableau est une case ou un total (de ligne, de colonne, général). Pour chacun, l'entrée
donne sa valeur (systèmes, organisations ou agents), le nombre d'organisations dont il est tiré, et sa
*part privée* : organisation → ce qu'elle y apporte au-delà de son registre public (systèmes non
publiés, charte, comité, formation, effectifs). Le reste vient des registres publics, que chacun peut
recompter.

Motifs du secret (`MOTIFS`) :

- « primaire » : le membre est tiré de 1 à seuil − 1 organisations, ou sa part privée l'est (sinon la
  différence avec les registres publics, que chacun peut recompter, la révélerait) ;
- « évolution » : depuis la dernière fois que ce membre a été publié, la part privée de 1 à seuil − 1
  organisations a changé : la différence entre les deux relevés ne porterait que sur elles ;
- « persistance » : masqué au relevé précédent et rien n'y a changé depuis : le montrer maintenant
  révélerait le chiffre caché hier (et ce qu'il protégeait) ;
- « secondaire » : masqué pour qu'aucun des précédents ne se retrouve par soustraction, dans son
  tableau ou dans un autre qui partage ce total (`balise.metiers.secret.masquer`).

Un membre *connu* (part privée identique à celle de sa dernière publication, ou nulle) se recompte
depuis les registres publics et les relevés passés : il ne protège rien et n'est jamais choisi comme
masque complémentaire. Les totaux partagés entre tableaux (même clé `partage_*`) sont masqués partout
dès qu'ils le sont quelque part, jusqu'à un point fixe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from balise.metiers.secret import SECONDAIRE, SEUIL_MINIMUM, masquer

TOTAL = "Total"
PRIMAIRE = "primaire"
EVOLUTION = "evolution"
PERSISTANCE = "persistance"
RECOUPEMENT = "recoupement"
MOTIFS = {
    PRIMAIRE: "tiré de trop peu d'organisations",
    EVOLUTION: "son évolution depuis le relevé précédent ne porterait que sur trop peu d'organisations",
    PERSISTANCE: "caché au relevé précédent, inchangé depuis",
    SECONDAIRE: "caché pour qu'aucun autre chiffre caché ne se retrouve par soustraction",
    RECOUPEMENT: "caché pour qu'aucun chiffre caché du relevé précédent ne se retrouve en le recoupant avec celui-ci",
}

# Part privée d'un membre : identifiant d'organisation → valeur apportée.
Vecteur = dict[int, int]


@dataclass(frozen=True)
class Definition:
    id: str
    titre: str
    groupe: str  # "systemes", "organisations", "metiers"
    unite: str  # ce que l'on compte : « systèmes », « organisations », « agents »
    libelle_lignes: str
    lignes: tuple[str, ...]
    colonnes: tuple[str, ...]
    # Totaux communs à plusieurs tableaux : même clé, même chiffre, même sort.
    partage_lignes: str | None = None
    partage_colonnes: str | None = None
    partage_total: str | None = None


@dataclass
class Entree:
    """Les comptes d'un tableau. Une case absente vaut zéro."""

    definition: Definition
    valeurs: dict[tuple[str, str], int] = field(default_factory=dict)
    # Organisations distinctes dont chaque membre est tiré ; ligne ou colonne TOTAL pour les totaux.
    organisations: dict[tuple[str, str], int] = field(default_factory=dict)
    privees: dict[tuple[str, str], Vecteur] = field(default_factory=dict)


@dataclass(frozen=True)
class Etat:
    """Ce que garde un relevé de chaque membre pour protéger le suivant (jamais publié)."""

    visible: bool
    privee: Vecteur  # part privée à ce relevé
    reference: Vecteur  # part privée à la dernière publication (vide : jamais publié)
    connu: bool = False  # caché mais connu par ailleurs (registres publics, publication passée)

    def en_json(self) -> dict[str, Any]:
        donnees: dict[str, Any] = {"v": self.visible, "p": self.privee}
        if self.reference != self.privee:
            donnees["r"] = self.reference
        if self.connu:
            donnees["k"] = True
        return donnees

    @classmethod
    def de_json(cls, donnees: Mapping[str, Any]) -> Etat:
        privee = {int(k): int(v) for k, v in donnees.get("p", {}).items()}
        reference = {int(k): int(v) for k, v in donnees["r"].items()} if "r" in donnees else privee
        return cls(bool(donnees["v"]), privee, reference, bool(donnees.get("k", False)))


@dataclass(frozen=True)
class Precedent:
    """Le relevé précédent, tel que le suivant le lit : l'état de chaque membre et les contraintes
    d'addition de ses tableaux (chacune : ses composantes puis son total)."""

    etats: dict[str, Etat] = field(default_factory=dict)
    contraintes: list[list[str]] = field(default_factory=list)

    def en_json(self) -> dict[str, Any]:
        return {"membres": {k: e.en_json() for k, e in self.etats.items()}, "contraintes": self.contraintes}

    @classmethod
    def de_json(cls, donnees: Mapping[str, Any]) -> Precedent:
        etats = {k: Etat.de_json(v) for k, v in donnees.get("membres", {}).items()}
        return cls(etats, [list(c) for c in donnees.get("contraintes", [])])


@dataclass(frozen=True)
class Membre:
    valeur: int | None  # None : caché
    motif: str | None

    @property
    def cache(self) -> bool:
        return self.motif is not None


@dataclass(frozen=True)
class TableProtegee:
    definition: Definition
    lignes: list[str]  # les lignes qui ont au moins une valeur
    cases: dict[tuple[str, str], Membre]  # lignes et colonnes TOTAL comprises

    @property
    def nombre_caches(self) -> int:
        return sum(m.cache for m in self.cases.values())


@dataclass(frozen=True)
class Resultat:
    tables: list[TableProtegee]
    etats: dict[str, Etat]  # par clé de membre, pour le relevé suivant
    contraintes: list[list[str]]
    seuil: int

    @property
    def suivant(self) -> Precedent:
        """Ce que le relevé suivant lira de celui-ci."""
        return Precedent(self.etats, self.contraintes)


def differences(a: Mapping[int, int], b: Mapping[int, int]) -> int:
    """Nombre d'organisations dont l'apport diffère entre deux parts privées."""
    return sum(1 for org in a.keys() | b.keys() if a.get(org, 0) != b.get(org, 0))


def _somme(vecteurs: Iterable[Vecteur]) -> Vecteur:
    """La somme de parts privées ; une seule non vide : elle-même (jamais modifiée ensuite), sans copie."""
    non_vides = [v for v in vecteurs if v]
    if len(non_vides) == 1:
        return non_vides[0]
    total: Vecteur = {}
    for vecteur in non_vides:
        for org, valeur in vecteur.items():
            total[org] = total.get(org, 0) + valeur
    return {org: v for org, v in total.items() if v}


def cle(d: Definition, ligne: str, colonne: str) -> str:
    """La clé d'un membre : celle d'un total partagé est commune aux tableaux qui le partagent."""
    if ligne == TOTAL and colonne == TOTAL and d.partage_total:
        return f"{d.partage_total}|{TOTAL}|{TOTAL}"
    if colonne == TOTAL and ligne != TOTAL and d.partage_lignes:
        return f"{d.partage_lignes}|{ligne}|{TOTAL}"
    if ligne == TOTAL and colonne != TOTAL and d.partage_colonnes:
        return f"{d.partage_colonnes}|{TOTAL}|{colonne}"
    return f"{d.id}|{ligne}|{colonne}"


@dataclass
class _Grille:
    entree: Entree
    lignes: list[str]
    colonnes: list[str]
    valeurs: list[list[int]]
    cles: list[list[str]]
    primaires: dict[tuple[int, int], str]
    connues: set[tuple[int, int]]
    vecteurs: list[list[Vecteur]]


def _grille(entree: Entree, seuil: int, precedent: Mapping[str, Etat]) -> _Grille:
    d = entree.definition
    for (ligne, colonne), valeur in entree.valeurs.items():
        if ligne not in d.lignes or colonne not in d.colonnes:
            raise ValueError(f"{d.id} : case hors du tableau ({ligne!r}, {colonne!r}).")
        if valeur < 0:
            raise ValueError(f"{d.id} : valeur négative en ({ligne!r}, {colonne!r}).")
    colonnes = list(d.colonnes)
    # Une ligne vide n'est pas montrée, sauf si elle l'a été : sa disparition est alors une évolution
    # comme une autre (la montrer à zéro trop tôt dirait qui est parti).
    lignes = [
        lg
        for lg in d.lignes
        if any(entree.valeurs.get((lg, c), 0) for c in colonnes) or cle(d, lg, TOTAL) in precedent
    ]
    nl, nc = len(lignes), len(colonnes)
    valeurs = [[entree.valeurs.get((lg, c), 0) for c in colonnes] for lg in lignes]
    vecteurs = [[dict(entree.privees.get((lg, c), {})) for c in colonnes] for lg in lignes]
    for i in range(nl):
        valeurs[i].append(sum(valeurs[i]))
        vecteurs[i].append(_somme(vecteurs[i]))
    valeurs.append([sum(valeurs[i][j] for i in range(nl)) for j in range(nc + 1)])
    vecteurs.append([_somme(vecteurs[i][j] for i in range(nl)) for j in range(nc + 1)])
    noms_l, noms_c = [*lignes, TOTAL], [*colonnes, TOTAL]
    cles = [[cle(d, lg, c) for c in noms_c] for lg in noms_l]
    primaires: dict[tuple[int, int], str] = {}
    connues: set[tuple[int, int]] = set()
    for i, ligne in enumerate(noms_l):
        for j, colonne in enumerate(noms_c):
            vecteur = vecteurs[i][j]
            if any(v < 0 for v in vecteur.values()):
                raise ValueError(f"{d.id} : part privée négative en ({ligne!r}, {colonne!r}).")
            organisations = entree.organisations.get((ligne, colonne), 0)
            if organisations < len(vecteur):
                raise ValueError(
                    f"{d.id} : moins d'organisations que de parts privées en ({ligne!r}, {colonne!r})."
                )
            avant = precedent.get(cles[i][j])
            reference = avant.reference if avant else {}
            depuis_publication = differences(vecteur, reference)
            if depuis_publication == 0:
                connues.add((i, j))
            if 0 < organisations < seuil or (not reference and 0 < depuis_publication < seuil):
                primaires[(i, j)] = PRIMAIRE
            elif 0 < depuis_publication < seuil:
                primaires[(i, j)] = EVOLUTION
            elif avant is not None and not avant.visible and differences(vecteur, avant.privee) == 0:
                primaires[(i, j)] = PERSISTANCE
    return _Grille(entree, lignes, colonnes, valeurs, cles, primaires, connues, vecteurs)


def _contraintes(g: _Grille) -> list[list[str]]:
    """Les contraintes d'addition d'une grille : chaque ligne puis chaque colonne, total en dernier."""
    lignes = [list(rang) for rang in g.cles]
    return lignes + [[rang[j] for rang in g.cles] for j in range(len(g.cles[0]))]


def determinees(equations: Iterable[Mapping[str, int]], inconnues: set[str]) -> set[str]:
    """Les inconnues dont la valeur se déduit exactement d'équations linéaires à coefficients entiers
    (la partie connue de chaque équation n'importe pas) : élimination exacte, composante par composante
    (les inconnues reliées par des équations), pour rester rapide sur de grands relevés."""
    utiles = [{x: c for x, c in eq.items() if x in inconnues and c} for eq in equations]
    utiles = [eq for eq in utiles if eq]
    parent = {x: x for x in inconnues}

    def racine(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in utiles:
        premier, *autres = eq
        for x in autres:
            parent[racine(x)] = racine(premier)
    par_composante: dict[str, list[dict[str, int]]] = {}
    for eq in utiles:
        par_composante.setdefault(racine(next(iter(eq))), []).append(eq)
    trouvees: set[str] = set()
    for eqs in par_composante.values():
        variables = sorted({x for eq in eqs for x in eq})
        rang = {x: k for k, x in enumerate(variables)}
        matrice = []
        for eq in eqs:
            ligne = [Fraction(0)] * len(variables)
            for x, c in eq.items():
                ligne[rang[x]] += c
            matrice.append(ligne)
        pivots: list[int] = []
        r = 0
        for c in range(len(variables)):
            p = next((k for k in range(r, len(matrice)) if matrice[k][c] != 0), None)
            if p is None:
                continue
            matrice[r], matrice[p] = matrice[p], matrice[r]
            matrice[r] = [v / matrice[r][c] for v in matrice[r]]
            for k in range(len(matrice)):
                if k != r and matrice[k][c] != 0:
                    facteur = matrice[k][c]
                    matrice[k] = [a - facteur * b for a, b in zip(matrice[k], matrice[r], strict=True)]
            pivots.append(c)
            r += 1
        libres = set(range(len(variables))) - set(pivots)
        trouvees |= {variables[c] for i, c in enumerate(pivots) if all(matrice[i][f] == 0 for f in libres)}
    return trouvees


def _proteger(
    grilles: list[_Grille], partages: set[str], imposes: Mapping[str, str]
) -> list[dict[tuple[int, int], str]]:
    """Secret secondaire de chaque grille, jusqu'au point fixe où un total partagé masqué dans un
    tableau l'est dans tous. `imposes` : clés masquées d'office (recoupement) et leur motif."""
    forces = dict(imposes)
    while True:
        motifs_par_grille = []
        for g in grilles:
            primaires = dict(g.primaires)
            for i, rang in enumerate(g.cles):
                for j, k in enumerate(rang):
                    if k in forces:
                        primaires.setdefault((i, j), forces[k])
            motifs_par_grille.append(masquer(g.valeurs, primaires, g.connues))
        nouveaux = {
            g.cles[i][j] for g, motifs in zip(grilles, motifs_par_grille, strict=True) for i, j in motifs
        }
        nouveaux = (nouveaux & partages) - forces.keys()
        if not nouveaux:
            return motifs_par_grille
        forces |= dict.fromkeys(nouveaux, SECONDAIRE)


def _recoupe(
    grilles: list[_Grille], motifs_par_grille: list[dict[tuple[int, int], str]], precedent: Precedent
) -> str | None:
    """Un membre de ce relevé à cacher en plus pour qu'aucun chiffre caché de ce relevé ou du précédent
    ne se retrouve en recoupant les deux (un membre dont la part privée n'a pas changé garde sa valeur
    privée d'un relevé à l'autre ; la part publique, chacun la recompte). None : rien à ajouter."""
    cache, connu, valeur, vecteur = {}, {}, {}, {}
    for g, motifs in zip(grilles, motifs_par_grille, strict=True):
        for i, rang in enumerate(g.cles):
            for j, k in enumerate(rang):
                cache[k], connu[k] = (i, j) in motifs, (i, j) in g.connues
                valeur[k], vecteur[k] = g.valeurs[i][j], g.vecteurs[i][j]
    # Une inconnue par membre caché et non connu, d'hier (@1) et d'aujourd'hui (@2) ; un membre dont la
    # part privée n'a pas changé est une seule et même inconnue.
    nom: dict[str, str] = {}
    for k, etat in precedent.etats.items():
        if not etat.visible and not etat.connu:
            nom[k + "@1"] = k + "@1"
    for k in cache:
        if cache[k] and not connu[k]:
            nom[k + "@2"] = k + "@2"
    revelees_hier: list[str] = []
    for k, etat in precedent.etats.items():
        if k in cache and differences(vecteur[k], etat.privee) == 0 and k + "@1" in nom:
            if k + "@2" in nom:
                nom[k + "@1"] = k + "@2"
            else:  # caché hier, lisible aujourd'hui sans avoir changé
                revelees_hier.append(k)
    if revelees_hier:
        return min(revelees_hier, key=lambda k: (connu.get(k, False), valeur[k], k))
    equations = [
        {nom[k + s]: (-1 if n == len(c) - 1 else 1) for n, k in enumerate(c) if k + s in nom}
        for s, contraintes in (
            ("@1", precedent.contraintes),
            ("@2", [c for g in grilles for c in _contraintes(g)]),
        )
        for c in contraintes
    ]
    inconnues = set(nom.values())
    trouvees = determinees(equations, inconnues)
    if not trouvees:
        return None
    cible = min(trouvees)
    # Ce qui la relie à ce relevé : les membres lisibles et non connus des contraintes d'aujourd'hui
    # qui touchent sa composante (ses inconnues liées).
    liees = {cible}
    change = True
    while change:
        change = False
        for eq in equations:
            if liees & eq.keys() and not eq.keys() <= liees:
                liees |= eq.keys()
                change = True
    candidats = {
        k
        for g in grilles
        for c in _contraintes(g)
        if any(k2 + "@2" in nom and nom[k2 + "@2"] in liees for k2 in c)
        or any(k2 + "@1" in nom and nom[k2 + "@1"] in liees for k2 in c)
        for k in c
        if not cache[k] and not connu[k]
    }
    if not candidats:
        candidats = {k for k in cache if not cache[k] and not connu[k]}
    if not candidats:
        return None
    return min(candidats, key=lambda k: (valeur[k] == 0, valeur[k], k))


def calculer(entrees: list[Entree], seuil: int, precedent: Precedent | None = None) -> Resultat:
    """Les tableaux protégés d'un relevé, et ce que le relevé suivant devra en savoir."""
    if seuil < SEUIL_MINIMUM:
        raise ValueError(
            f"Le seuil de l'observatoire ne peut pas être inférieur à {SEUIL_MINIMUM} (reçu : {seuil})."
        )
    ids = [e.definition.id for e in entrees]
    if len(set(ids)) != len(ids):
        raise ValueError("Deux tableaux de l'observatoire portent le même identifiant.")
    precedent = precedent or Precedent()
    grilles = [_grille(e, seuil, precedent.etats) for e in entrees]
    # Un total partagé : une seule part privée en mémoire pour tous les tableaux qui le partagent.
    communes: dict[str, Vecteur] = {}
    for g in grilles:
        for i, rang in enumerate(g.cles):
            for j, k in enumerate(rang):
                g.vecteurs[i][j] = communes.setdefault(k, g.vecteurs[i][j])
    valeur_de: dict[str, int] = {}
    for g in grilles:
        for i, rang in enumerate(g.cles):
            for j, k in enumerate(rang):
                if valeur_de.setdefault(k, g.valeurs[i][j]) != g.valeurs[i][j]:
                    raise ValueError(f"Total partagé {k!r} : valeurs différentes selon les tableaux.")
    presences = Counter(k for g in grilles for k in {k for rang in g.cles for k in rang})
    partages = {k for k, n in presences.items() if n > 1}
    imposes: dict[str, str] = {}
    motifs_par_grille = _proteger(grilles, partages, imposes)
    if precedent.etats:
        while (ajout := _recoupe(grilles, motifs_par_grille, precedent)) is not None:
            imposes[ajout] = RECOUPEMENT
            motifs_par_grille = _proteger(grilles, partages, imposes)
    tables: list[TableProtegee] = []
    etats: dict[str, Etat] = {}
    for g, motifs in zip(grilles, motifs_par_grille, strict=True):
        noms_l, noms_c = [*g.lignes, TOTAL], [*g.colonnes, TOTAL]
        cases: dict[tuple[str, str], Membre] = {}
        for i, ligne in enumerate(noms_l):
            for j, colonne in enumerate(noms_c):
                motif = motifs.get((i, j))
                cases[(ligne, colonne)] = Membre(None if motif else g.valeurs[i][j], motif)
                k, vecteur = g.cles[i][j], g.vecteurs[i][j]
                avant = precedent.etats.get(k)
                reference = vecteur if motif is None else (avant.reference if avant else {})
                etats[k] = Etat(motif is None, vecteur, reference, (i, j) in g.connues)
        tables.append(TableProtegee(g.entree.definition, g.lignes, cases))
    contraintes = [c for g in grilles for c in _contraintes(g)]
    return Resultat(tables, etats, contraintes, seuil)


def en_json(table: TableProtegee) -> dict[str, Any]:
    """Un tableau protégé tel que le publient la page, le JSON et l'API (schema.py)."""
    d = table.definition

    def membre(m: Membre) -> dict[str, Any]:
        return {"valeur": m.valeur, "secret": m.motif}

    return {
        "id": d.id,
        "titre": d.titre,
        "groupe": d.groupe,
        "unite": d.unite,
        "libelle_lignes": d.libelle_lignes,
        "colonnes": list(d.colonnes),
        "lignes": [
            {
                "libelle": ligne,
                "cases": [membre(table.cases[(ligne, c)]) for c in d.colonnes],
                "total": membre(table.cases[(ligne, TOTAL)]),
            }
            for ligne in table.lignes
        ],
        "totaux": {
            "cases": [membre(table.cases[(TOTAL, c)]) for c in d.colonnes],
            "total": membre(table.cases[(TOTAL, TOTAL)]),
        },
    }
