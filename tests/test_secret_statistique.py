"""Secret statistique des tableaux d'effectifs : aucun chiffre sur moins de `seuil` agents, ni retrouvable par soustraction."""

import os
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from balise.metiers.secret import SEUIL_MINIMUM, SEUIL_PAR_DEFAUT, Case, TableauProtege, proteger

NBSP_FINE = "\u202f"


def tableau(
    effectifs: dict[tuple[str, str], int], lignes, colonnes, seuil=SEUIL_PAR_DEFAUT
) -> TableauProtege:
    """ETP de test : 0,8 par agent, pour distinguer l'ETP de l'effectif."""
    valeurs = {cle: (e, Decimal(e) * Decimal("0.8")) for cle, e in effectifs.items()}
    return proteger(valeurs, lignes, colonnes, seuil)


def grille(t: TableauProtege) -> list[list[Case]]:
    """Le tableau et ses marges en grille : dernière ligne = totaux de colonnes, dernière colonne = totaux de lignes."""
    lignes = [
        [t.cases[(ligne, colonne)] for colonne in t.colonnes] + [t.totaux_lignes[ligne]] for ligne in t.lignes
    ]
    return [*lignes, [t.totaux_colonnes[colonne] for colonne in t.colonnes] + [t.total]]


def motifs(t: TableauProtege) -> list[list[str | None]]:
    return [[case.motif for case in rang] for rang in grille(t)]


P, S = "primaire", "secondaire"


def test_secret_primaire_sur_les_cases_et_sur_les_totaux():
    t = tableau({("A", "x"): 0, ("A", "y"): 4}, ["A"], ["x", "y"])
    # Le 4 est masqué partout où il apparaît : case, total de ligne, total de colonne, total général.
    assert motifs(t) == [[None, P, P], [None, P, P]]
    assert t.cases[("A", "x")].afficher_effectif() == "0"
    assert t.totaux_colonnes["x"].afficher_effectif() == "0"
    assert t.nombre_masquees == 4


def test_les_cases_a_zero_restent_affichees():
    t = tableau({("A", "x"): 12, ("B", "x"): 7}, ["A", "B", "C"], ["x", "y"])
    assert t.nombre_masquees == 0
    assert all(t.cases[(ligne, "y")].effectif == 0 for ligne in "ABC")
    assert t.totaux_lignes["C"].effectif == 0 and t.totaux_lignes["C"].afficher_etp() == "0,0"


def test_une_ligne_a_une_seule_petite_case_recoit_un_masque_complementaire():
    t = tableau(
        {
            ("A", "x"): 2, ("A", "y"): 20, ("A", "z"): 8,
            ("B", "x"): 30, ("B", "y"): 40, ("B", "z"): 40,
            ("C", "x"): 25, ("C", "y"): 35, ("C", "z"): 45,
        },
        "ABC",
        "xyz",
    )  # fmt: skip
    # Ligne A : la plus petite autre case (8) ; colonne x : la plus petite autre case (25) ;
    # colonne z, entamée par le 8 : (C, z) = 45 plutôt que (B, z) = 40, car la ligne C est déjà entamée.
    assert motifs(t) == [
        [P, None, S, None],
        [None, None, None, None],
        [S, None, S, None],
        [None, None, None, None],
    ]
    # Les totaux restent affichés : aucune case masquée ne se retrouve par soustraction.
    assert t.totaux_lignes["A"].effectif == 30 and t.total.effectif == 245


def test_une_colonne_a_une_seule_petite_case_recoit_un_masque_complementaire():
    # Le même tableau transposé : la protection est symétrique.
    effectifs = {("A", "x"): 2, ("A", "y"): 20, ("A", "z"): 8, ("B", "x"): 30, ("B", "y"): 40, ("B", "z"): 40}
    effectifs |= {("C", "x"): 25, ("C", "y"): 35, ("C", "z"): 45}
    t = tableau({(c, ligne): e for (ligne, c), e in effectifs.items()}, "xyz", "ABC")
    assert motifs(t) == [
        [P, None, S, None],
        [None, None, None, None],
        [S, None, S, None],
        [None, None, None, None],
    ]


def test_cascade_jusqu_aux_totaux():
    # (A, x) = 1 et le total de A = 1 au primaire ; la colonne x appelle (B, x), la colonne des totaux
    # appelle alors le total de B, qui ferme le cycle. (B, y) et les totaux de colonnes restent visibles.
    t = tableau({("A", "x"): 1, ("B", "x"): 6, ("B", "y"): 7}, "AB", "xy")
    assert motifs(t) == [[P, None, P], [S, None, S], [None, None, None]]
    assert t.cases[("B", "y")].effectif == 7 and t.total.effectif == 14


def test_cascade_dans_une_colonne_sans_petite_case():
    # La colonne z n'a aucune petite case mais reçoit deux masques, par ricochet du masque de la ligne A.
    t = tableau(
        {("A", "x"): 2, ("A", "z"): 8, ("B", "x"): 30, ("B", "z"): 40, ("C", "x"): 25, ("C", "z"): 45},
        "ABC",
        "xz",
    )
    assert [rang[1] for rang in motifs(t)] == [S, None, S, None]


def test_la_case_qui_rompt_un_pont_est_cherchee_de_chaque_cote_en_entier():
    # Le masque de (A, y) est un pont entre la ligne A et la colonne y : la case visible qui le met sur un
    # cycle se cherche dans tout ce que les masques relient à chaque côté, colonne x comprise (premier
    # sommet des colonnes). S'arrêter à la colonne x masque (B, x) = 0 au lieu du total de la ligne C,
    # contre la préférence pour une case non nulle.
    t = tableau(
        {
            ("A", "x"): 1, ("A", "y"): 2, ("A", "z"): 0,
            ("B", "x"): 0, ("B", "y"): 30, ("B", "z"): 0,
            ("C", "x"): 3, ("C", "y"): 0, ("C", "z"): 12,
        },
        "ABC",
        "xyz",
        seuil=3,
    )  # fmt: skip
    assert motifs(t) == [
        [P, P, None, S],
        [None, S, None, S],
        [S, None, S, S],
        [S, None, S, None],
    ]


def test_une_case_retrouvable_en_combinant_lignes_et_colonnes_est_protegee():
    effectifs = [[0, 0, 3, 54], [3, 34, 51, 0], [0, 4, 0, 0], [6, 7, 0, 1], [32, 0, 2, 6]]
    lignes, colonnes = [f"l{i}" for i in range(5)], [f"c{j}" for j in range(4)]
    valeurs = {(lignes[i], colonnes[j]): e for i, rang in enumerate(effectifs) for j, e in enumerate(rang)}
    t = tableau(valeurs, lignes, colonnes)
    # Chaque ligne et chaque colonne a au moins deux masques sans (l4, c0) ; mais alors le 1 de
    # (l3, c3) se retrouvait : (colonnes c2 + c3 : 117 − 51 visibles) − (lignes l0 + l4 : 97 − 32 visibles).
    assert motifs(t) == [
        [None, None, P, S, None],
        [P, S, None, None, None],
        [None, P, None, None, P],
        [S, None, None, P, S],
        [S, None, P, S, None],
        [None, None, None, None, None],
    ]
    assert retrouvables([[case.effectif for case in rang] for rang in grille(t)]) == set()


def test_tableau_a_une_colonne():
    # Palmarès de métiers avec un total affiché : le total de chaque ligne est la case elle-même.
    t = tableau({("m1", "n"): 2, ("m2", "n"): 10, ("m3", "n"): 7}, ["m1", "m2", "m3", "m4"], ["n"])
    assert motifs(t) == [[P, P], [None, None], [S, S], [None, None], [None, None]]
    assert t.totaux_colonnes["n"].effectif == 19 and t.cases[("m4", "n")].effectif == 0


def test_tableau_entierement_visible():
    t = tableau(
        {(ligne, c): 5 + i for i, (ligne, c) in enumerate((a, b) for a in "ABC" for b in "xyzw")},
        "ABC",
        "xyzw",
    )
    assert t.nombre_masquees == 0
    assert t.total.effectif == sum(5 + i for i in range(12))


def test_tableaux_vides():
    t = tableau({}, [], [])
    assert t.cases == {} and t.total == Case(0, Decimal(0), None)
    t = tableau({}, [], ["x", "y"])
    assert t.totaux_colonnes == {"x": Case(0, Decimal(0), None), "y": Case(0, Decimal(0), None)}
    t = tableau({}, ["A"], [])
    assert t.totaux_lignes == {"A": Case(0, Decimal(0), None)} and t.nombre_masquees == 0


def test_seuil_3_ou_5():
    effectifs = {("A", "x"): 4, ("A", "y"): 9, ("B", "x"): 6, ("B", "y"): 8}
    assert tableau(effectifs, "AB", "xy", seuil=3).nombre_masquees == 0
    a_cinq = tableau(effectifs, "AB", "xy")
    assert a_cinq.seuil == 5 and motifs(a_cinq)[0][0] == P and a_cinq.nombre_masquees == 4


def test_seuil_trop_bas_refuse():
    with pytest.raises(ValueError, match="inférieur à 3"):
        tableau({("A", "x"): 10}, "A", "x", seuil=2)
    assert SEUIL_MINIMUM == 3 and SEUIL_PAR_DEFAUT == 5


def test_entrees_invalides_refusees():
    with pytest.raises(ValueError, match="hors du tableau"):
        tableau({("Z", "x"): 10}, "A", "x")
    with pytest.raises(ValueError, match="Effectif invalide"):
        tableau({("A", "x"): -1}, "A", "x")
    with pytest.raises(ValueError, match="double"):
        tableau({}, ["A", "A"], "x")


def test_etp_masque_avec_l_effectif():
    t = tableau({("A", "x"): 2, ("A", "y"): 20, ("B", "x"): 30, ("B", "y"): 40}, "AB", "xy")
    for case in (case for rang in grille(t) for case in rang):
        assert (case.effectif is None) == (case.etp is None) == case.masquee
    assert t.cases[("A", "x")].afficher_etp() == "secret"
    assert t.totaux_lignes["A"].etp == Decimal("17.6")
    with pytest.raises(ValueError):
        Case(None, Decimal(1), "primaire")


def test_mise_en_forme_a_la_francaise():
    assert Case(1234, Decimal("1234.56"), None).afficher_effectif() == f"1{NBSP_FINE}234"
    assert Case(1234, Decimal("1234.56"), None).afficher_etp() == f"1{NBSP_FINE}234,6"
    assert Case(1234567, Decimal("12.5"), None).afficher_effectif() == f"1{NBSP_FINE}234{NBSP_FINE}567"
    assert Case(12, Decimal("12.5"), None).afficher_etp() == "12,5"
    assert Case(3, Decimal("3"), None).afficher_etp() == "3,0"
    assert Case(1, Decimal("0.25"), None).afficher_etp() == "0,3"
    assert Case(0, Decimal(0), None).afficher_effectif() == "0"
    masquee = Case(None, None, "secondaire")
    assert masquee.masquee and masquee.afficher_effectif() == "secret" and masquee.afficher_etp() == "secret"


# --- Propriétés, sur des tableaux tirés au hasard -------------------------------------------------


def contraintes(n_lignes: int, n_colonnes: int) -> list[list[tuple[int, int]]]:
    """Chaque ligne et chaque colonne de la grille avec marges (la marge en dernier)."""
    lignes = [[(i, j) for j in range(n_colonnes + 1)] for i in range(n_lignes + 1)]
    return lignes + [[(i, j) for i in range(n_lignes + 1)] for j in range(n_colonnes + 1)]


def retrouvables(effectifs: list[list[int | None]]) -> set[tuple[int, int]]:
    """Positions masquées dont la valeur se déduit exactement des contraintes d'addition (élimination exacte)."""
    nl, nc = len(effectifs), len(effectifs[0])
    inconnues = [(i, j) for i in range(nl) for j in range(nc) if effectifs[i][j] is None]
    if not inconnues:
        return set()
    rang = {p: k for k, p in enumerate(inconnues)}
    # Composantes − marge = 0 ; la partie connue n'importe pas pour savoir ce qui est déterminé.
    matrice = []
    for contrainte in contraintes(nl - 1, nc - 1):
        equation = [Fraction(0)] * len(inconnues)
        for position in contrainte[:-1]:
            if position in rang:
                equation[rang[position]] += 1
        if contrainte[-1] in rang:
            equation[rang[contrainte[-1]]] -= 1
        matrice.append(equation)
    pivots, r = [], 0
    for c in range(len(inconnues)):
        pivot = next((k for k in range(r, len(matrice)) if matrice[k][c] != 0), None)
        if pivot is None:
            continue
        matrice[r], matrice[pivot] = matrice[pivot], matrice[r]
        matrice[r] = [x / matrice[r][c] for x in matrice[r]]
        for k in range(len(matrice)):
            if k != r and matrice[k][c] != 0:
                matrice[k] = [a - matrice[k][c] * b for a, b in zip(matrice[k], matrice[r], strict=True)]
        pivots.append(c)
        r += 1
    libres = set(range(len(inconnues))) - set(pivots)
    return {inconnues[c] for ligne, c in enumerate(pivots) if all(matrice[ligne][f] == 0 for f in libres)}


def verifier(
    effectifs: dict[tuple[str, str], int], lignes: list[str], colonnes: list[str], seuil: int, exact=True
):
    t = tableau(effectifs, lignes, colonnes, seuil)
    cases = grille(t)
    attendu = [[effectifs.get((ligne, c), 0) for c in colonnes] for ligne in lignes]
    attendu = [[*rang, sum(rang)] for rang in attendu]
    attendu.append([sum(rang[j] for rang in attendu) for j in range(len(colonnes) + 1)])
    for i, rang in enumerate(cases):
        for j, case in enumerate(rang):
            # (1) rien entre 1 et seuil − 1 ; (3) ce qui est affiché est exact ; l'ETP suit l'effectif.
            assert case.effectif is None or not 0 < case.effectif < seuil
            assert case.effectif is None or case.effectif == attendu[i][j]
            assert case.etp is None or case.etp == Decimal(attendu[i][j]) * Decimal("0.8")
            assert (case.etp is None) == case.masquee
            assert case.motif != "primaire" or 0 < attendu[i][j] < seuil
    # (2) aucune contrainte n'a un seul membre masqué.
    for contrainte in contraintes(len(lignes), len(colonnes)):
        assert sum(cases[i][j].masquee for i, j in contrainte) != 1
    # (4) aucune case masquée ne se retrouve en combinant lignes et colonnes.
    if exact:
        assert retrouvables([[case.effectif for case in rang] for rang in cases]) == set()
    return t


petit_effectif = st.one_of(st.just(0), st.integers(1, 7), st.integers(0, 60))


@st.composite
def tableaux(draw):
    lignes = [f"l{i}" for i in range(draw(st.integers(0, 6)))]
    colonnes = [f"c{j}" for j in range(draw(st.integers(0, 5)))]
    effectifs = {(ligne, c): draw(petit_effectif) for ligne in lignes for c in colonnes}
    return effectifs, lignes, colonnes, draw(st.integers(SEUIL_MINIMUM, 7))


# `make mutation` (BALISE_MUTATION=1) relance ces propriétés pour chacun des 400 mutants de secret.py :
# il y tire moins de tableaux et ne réduit pas le contre-exemple (seul compte qu'un test échoue).
SOUS_MUTATION = os.environ.get("BALISE_MUTATION") == "1"


@settings(
    max_examples=100 if SOUS_MUTATION else 400,
    phases=(Phase.explicit, Phase.generate) if SOUS_MUTATION else tuple(Phase),
    derandomize=True,
    database=None,
    deadline=None,
)
@given(tableaux())
def test_proprietes_sur_des_tableaux_quelconques(cas):
    effectifs, lignes, colonnes, seuil = cas
    verifier(effectifs, lignes, colonnes, seuil)


def test_proprietes_sur_des_tableaux_de_metiers():
    """Listes de métiers à 4 niveaux, beaucoup de petits effectifs ; déterministe (graine fixe)."""
    hasard = random.Random(0)
    for _ in range(40):
        lignes = [f"m{i}" for i in range(hasard.randint(1, 120))]
        colonnes = ["Pas", "Peu", "Concernés", "Très"]
        effectifs = {
            (ligne, c): hasard.choice([0, 0, 1, 2, 3, 4, 5, 8, 15, 40]) for ligne in lignes for c in colonnes
        }
        t = verifier(effectifs, lignes, colonnes, hasard.choice([3, 5]), exact=len(lignes) <= 30)
        assert t == verifier(effectifs, lignes, colonnes, t.seuil, exact=False)  # déterministe


def test_pont_vu_depuis_sa_ligne_et_sa_colonne():
    # Tableau où les deux côtés d'un pont diffèrent : partir deux fois de sa colonne n'y trouve pas le pont.
    rangs = [[1, 12, 0, 2], [0, 2, 2, 12], [2, 2, 2, 30], [2, 8, 30, 3]]
    effectifs = {(f"l{i}", f"c{j}"): v for i, rang in enumerate(rangs) for j, v in enumerate(rang)}
    verifier(effectifs, [f"l{i}" for i in range(4)], [f"c{j}" for j in range(4)], 3)


def test_le_masque_complementaire_evite_les_marges():
    # Masquer le total de la colonne c1 protégerait aussi, mais une case hors marges (l1, c0) est préférée.
    rangs = [[2, 1, 2, 0], [8, 1, 0, 1], [30, 1, 0, 2]]
    effectifs = {(f"l{i}", f"c{j}"): v for i, rang in enumerate(rangs) for j, v in enumerate(rang)}
    t = verifier(effectifs, ["l0", "l1", "l2"], [f"c{j}" for j in range(4)], 3)
    assert t.cases[("l1", "c0")].motif == S and t.totaux_colonnes["c1"].motif is None


# --- `masquer` : primaires choisis par l'appelant, membres déjà connus (observatoire) ---------------


def grille_avec_marges(rangs: list[list[int]]) -> list[list[int]]:
    lignes = [[*rang, sum(rang)] for rang in rangs]
    return [*lignes, [sum(rang[j] for rang in lignes) for j in range(len(lignes[0]))]]


@st.composite
def grilles_et_connues(draw):
    nl, nc = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    rangs = [[draw(petit_effectif) for _ in range(nc)] for _ in range(nl)]
    g = grille_avec_marges(rangs)
    positions = [(i, j) for i in range(nl + 1) for j in range(nc + 1)]
    primaires = draw(st.sets(st.sampled_from(positions), max_size=4))
    connues = draw(st.sets(st.sampled_from(positions), max_size=6))
    # Ce qu'un attaquant connaît est clos par addition : une contrainte dont il connaît tous les membres
    # sauf un lui donne aussi le dernier (c'est le cas dans l'observatoire : parts privées inchangées).
    change = True
    while change:
        change = False
        for contrainte in contraintes(nl, nc):
            inconnus = [p for p in contrainte if p not in connues]
            if len(inconnus) == 1:
                connues.add(inconnus[0])
                change = True
    return g, primaires - connues, connues


@settings(max_examples=100 if SOUS_MUTATION else 400, derandomize=True, database=None, deadline=None)
@given(grilles_et_connues())
def test_proprietes_masquer_avec_membres_connus(cas):
    from balise.metiers.secret import masquer

    g, primaires, connues = cas
    motifs = masquer(g, dict.fromkeys(primaires, "primaire"), connues)
    assert all(motifs[p] == "primaire" for p in primaires)
    # Un membre connu ne cache rien : il compte comme visible pour l'attaquant.
    vue = [
        [None if (i, j) in motifs and (i, j) not in connues else v for j, v in enumerate(r)]
        for i, r in enumerate(g)
    ]
    assert retrouvables(vue) == set()
    # Jamais un membre connu choisi comme complément.
    assert all(motifs[p] == "primaire" for p in connues if p in motifs)


def test_masquer_sans_connues_est_le_secret_des_effectifs():
    from balise.metiers.secret import _primaires, masquer

    rangs = [[2, 20, 8], [30, 40, 40], [25, 35, 45]]
    g = grille_avec_marges(rangs)
    t = tableau(
        {(f"l{i}", f"c{j}"): v for i, r in enumerate(rangs) for j, v in enumerate(r)},
        ["l0", "l1", "l2"],
        ["c0", "c1", "c2"],
    )
    attendu = {(i, j) for i, rang in enumerate(motifs(t)) for j, m in enumerate(rang) if m}
    assert set(masquer(g, _primaires(g, 5))) == attendu


def test_masquer_refuse_une_grille_incoherente():
    from balise.metiers.secret import masquer

    with pytest.raises(ValueError, match="totaux"):
        masquer([[1, 2], [1, 3]], {})
    with pytest.raises(ValueError, match="hors de la grille"):
        masquer([[1, 1], [1, 1]], {(5, 0): "primaire"})
    with pytest.raises(ValueError, match="négative"):
        masquer([[-1, -1], [-1, -1]], {})


def test_un_membre_connu_n_est_pas_un_complement():
    from balise.metiers.secret import masquer

    # Ligne 0 : (0, 0) primaire ; (0, 1) serait le complément naturel, mais il est connu : le total
    # de la ligne (ou une autre case inconnue) le remplace.
    g = grille_avec_marges([[2, 9, 30], [20, 25, 40]])
    motifs_ = masquer(g, {(0, 0): "primaire"}, {(0, 1)})
    assert (0, 1) not in motifs_
    vue = [[None if (i, j) in motifs_ else v for j, v in enumerate(r)] for i, r in enumerate(g)]
    assert retrouvables(vue) == set()
