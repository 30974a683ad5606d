"""Les graphiques SVG des instruments : XML valide, accessibles, sans style ni script, justes."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from balise.instruments import graphiques
from balise.instruments.calcul import Cotation, calculer
from balise.instruments.definition import valider
from balise.svg import GRIS_CLAIR, couper, nombre, tronquer

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"

SOURCE = {"document": "seeds/test.txt", "section": "test", "auteurs": "Balise", "licence": "CC-BY 4.0"}
ECHELLE_1_4 = {
    "niveaux": [
        {"valeur": 1, "libelle": "Défavorable"},
        {"valeur": 2, "libelle": "Plutôt défavorable"},
        {"valeur": 3, "libelle": "Plutôt favorable"},
        {"valeur": 4, "libelle": "Favorable"},
    ]
}


def definition_notee(
    visuel="radar", sections=4, items=3, titre_section="Section {s}", libelle="Item {s}.{i}"
):
    return valider(
        {
            "id": f"test-{visuel}",
            "version": 1,
            "titre": f"Instrument de test ({visuel})",
            "resume": "Pour les tests.",
            "source": SOURCE,
            "moments": ["amont"],
            "echelles": {"quatre": ECHELLE_1_4},
            "echelle": "quatre",
            "visuel": visuel,
            "sections": [
                {
                    "id": f"s{s}",
                    "titre": titre_section.format(s=s),
                    "items": [{"id": f"i{s}_{i}", "libelle": libelle.format(s=s, i=i)} for i in range(items)],
                }
                for s in range(sections)
            ],
        }
    )


def definition_matrice(libelle_peut="Ce que l'IA peut faire / ne peut pas faire"):
    return valider(
        {
            "id": "matrice-test",
            "version": 1,
            "titre": "Matrice de test",
            "resume": "Pour les tests.",
            "source": SOURCE,
            "moments": ["amont"],
            "echelles": {
                "peut": {
                    "niveaux": [
                        {"valeur": 0, "libelle": "L'IA ne peut pas le faire"},
                        {"valeur": 1, "libelle": "L'IA peut le faire"},
                    ]
                },
                "veut": {
                    "niveaux": [
                        {"valeur": 0, "libelle": "On ne veut pas"},
                        {"valeur": 1, "libelle": "On veut"},
                    ]
                },
            },
            "echelle": "peut",
            "visuel": "matrice",
            "sections": [
                {
                    "id": "inet",
                    "titre": "INET",
                    "items": [
                        {"id": "peut", "libelle": libelle_peut, "echelle": "peut"},
                        {"id": "veut", "libelle": "Ce que l'on veut / ne veut pas", "echelle": "veut"},
                    ],
                }
            ],
        }
    )


def resultat(definition, notes: dict[str, list[int]]):
    """Un résultat où l'évaluateur k donne notes[item][k] ; un item absent de `notes` n'a aucune note."""
    cotations = [Cotation(k, item, v) for item, valeurs in notes.items() for k, v in enumerate(valeurs)]
    return calculer(definition, cotations)


def notes_constantes(definition, valeur, sauf=()):
    return {item.id: [valeur, valeur] for item in definition.items_notes if item.id not in sauf}


def lire(svg) -> ET.Element:
    """Le SVG, analysé comme du XML (échoue s'il est mal formé)."""
    return ET.fromstring(str(svg))  # noqa: S314 — SVG produit par Balise dans le test, pas une donnée reçue


def verifier_socle(svg, id_):
    """Ce que tout graphique doit respecter : accessibilité, CSP, taille, XML valide."""
    texte = str(svg)
    racine = lire(svg)
    assert racine.tag == f"{SVG}svg"
    assert racine.get("role") == "img"
    assert racine.get("aria-labelledby") == f"{id_}-titre"
    assert racine.get("width") == "100%"
    assert "height" not in racine.attrib
    assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", racine.get("viewBox"))
    assert "balise-graphique" in racine.get("class").split()
    titre = racine[0]
    assert titre.tag == f"{SVG}title" and titre.get("id") == f"{id_}-titre"
    assert titre.text and len(titre.text) > 10
    minuscule = texte.lower()
    for interdit in ("<style", "style=", "<script", "javascript:", "href=", " on"):
        if interdit == " on":
            assert not re.search(r"\son[a-z]+=", minuscule)
        else:
            assert interdit not in minuscule
    # Coordonnées à une décimale au plus (les opacités, entre 0 et 1, ne sont pas concernées).
    for element in racine.iter():
        for nom in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "points", "d"):
            assert not re.search(r"\d\.\d\d", element.get(nom, "")), (nom, element.get(nom))
    return racine


def textes(racine) -> list[str]:
    return [t.text or "" for t in racine.iter(f"{SVG}text")]


def points(element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in element.get("points").split()]


# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "attendu"),
    [
        (None, "—"),
        (2.5, "2,5"),
        (3, "3"),
        (3.0, "3"),
        (2.75, "2,8"),
        (2.25, "2,3"),  # arrondi au plus proche, pas « au pair »
        (2.04, "2"),
        (-0.04, "0"),
        (-1.5, "-1,5"),
        (10 / 3, "3,3"),
        (float("nan"), "—"),
    ],
)
def test_nombre_a_la_francaise(x, attendu):
    assert nombre(x) == attendu


def test_troncature_et_coupure_des_libelles():
    assert tronquer("Court", 28) == "Court"
    long = tronquer("Contrôle des biais et des erreurs de classement", 28)
    assert len(long) <= 28 and long.endswith("…") and not long.endswith("des…")
    assert tronquer("Utilité externe (au bénéfice direct des usagers)", 28) == "Utilité externe…"
    lignes = couper("Transformation des métiers et des organisations", 18, 2)
    assert len(lignes) == 2 and all(len(ligne) <= 18 for ligne in lignes) and lignes[-1].endswith("…")


# ------------------------------------------------------------------------------------------------
# Radar


def test_radar_socle_et_anneaux():
    definition = definition_notee()
    svg = graphiques.radar([("Avant mise en production — 12/03/2026", resultat(definition, {}))], "r1")
    racine = verifier_socle(svg, "r1")
    anneaux = [c for c in racine.iter(f"{SVG}circle") if c.get("class") == "balise-anneau"]
    assert len(anneaux) == 3  # niveaux 2, 3, 4 (le niveau 1 est le centre)
    assert {"1", "2", "3", "4"} <= set(textes(racine))  # chaque niveau marqué de sa valeur
    assert "Avant mise en production — 12/03/2026" in textes(racine)
    for s in range(4):  # les titres des sections, dans les coins
        assert f"Section {s}" in textes(racine)


def test_radar_positions_des_points():
    definition = definition_notee(sections=1, items=4)
    ids = [item.id for item in definition.items_notes]
    # Item 0 au haut de l'échelle (4), item 1 au milieu (2,5), item 2 au bas (1), item 3 non noté.
    notes = {ids[0]: [4, 4], ids[1]: [2, 3], ids[2]: [1, 1]}
    svg = graphiques.radar([("Bilan", resultat(definition, notes))], "r2")
    racine = lire(svg)
    anneaux = [c for c in racine.iter(f"{SVG}circle") if c.get("class") == "balise-anneau"]
    cx, cy = float(anneaux[0].get("cx")), float(anneaux[0].get("cy"))
    rayon = max(float(c.get("r")) for c in anneaux)
    (serie,) = [p for p in racine.iter(f"{SVG}polygon") if p.get("class") == "balise-serie"]
    sommets = points(serie)
    assert len(sommets) == 4

    def attendu(i, part):
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / 4
        return cx + rayon * part * math.cos(angle), cy + rayon * part * math.sin(angle)

    for (x, y), (ex, ey) in zip(
        sommets, [attendu(0, 1), attendu(1, 0.5), attendu(2, 0), attendu(3, 0)], strict=True
    ):
        assert x == pytest.approx(ex, abs=0.1) and y == pytest.approx(ey, abs=0.1)
    assert math.dist(sommets[0], (cx, cy)) == pytest.approx(rayon, abs=0.15)  # sur l'anneau extérieur
    # L'item non noté est au centre, marqueur creux, et la légende l'explique.
    creux = [c for c in racine.iter(f"{SVG}circle") if c.get("fill") == graphiques.BLANC]
    assert any(
        float(c.get("cx")) == pytest.approx(cx) and float(c.get("cy")) == pytest.approx(cy) for c in creux
    )
    assert any("marqueur creux" in t for t in textes(racine))


def test_radar_plusieurs_series_distinctes_et_item_absent_d_une_version():
    definition = definition_notee()
    ancienne = definition_notee(sections=4, items=2)  # une version sans les items i*_2
    series = [
        ("Amont", resultat(ancienne, notes_constantes(ancienne, 2))),
        ("Bilan", resultat(definition, notes_constantes(definition, 3))),
    ]
    # Les axes sont ceux de la première série : 8 items.
    racine = lire(graphiques.radar(series, "r3"))
    polygones = [p for p in racine.iter(f"{SVG}polygon") if p.get("class") == "balise-serie"]
    assert [len(points(p)) for p in polygones] == [8, 8]
    # Axes de la définition récente en premier : la série ancienne n'a pas de point sur i*_2.
    racine = lire(graphiques.radar(list(reversed(series)), "r3"))
    polygones = [p for p in racine.iter(f"{SVG}polygon") if p.get("class") == "balise-serie"]
    assert [len(points(p)) for p in polygones] == [12, 8]
    couleurs = {p.get("stroke") for p in polygones}
    pointilles = {p.get("stroke-dasharray") for p in polygones}
    assert len(couleurs) == 2 and len(pointilles) == 2  # pas la couleur seule


def test_radar_libelles_longs_coupes_sur_trois_lignes_puis_tronques():
    definition = definition_notee(libelle="Un libellé d'item beaucoup trop long pour tenir sur le radar {i}")
    tous = textes(lire(graphiques.radar([("", resultat(definition, {}))], "r4")))
    # Trois lignes de 20 caractères au plus ; seule la dernière, au-delà, est tronquée.
    assert tous.count("Un libellé d'item") == 12 and tous.count("beaucoup trop long") == 12
    assert tous.count("pour tenir…") == 12


def test_radar_livre_libelles_entiers_sur_plusieurs_lignes():
    """« Utilité interne (pour les agents) » n'est plus coupé en « Utilité interne… »."""
    from balise.instruments.definition import definitions_livrees

    (definition,) = [d for d in definitions_livrees() if d.id == "radar-decision"]
    racine = lire(graphiques.radar([("Amont", resultat(definition, {}))], "r6"))
    tous = textes(racine)
    assert "Utilité interne" in tous and "(pour les agents)" in tous
    assert not any("…" in t for t in tous)
    # Chaque libellé d'axe se relit en entier, ligne après ligne.
    suite = " ".join(tous)
    for item in definition.items_notes:
        assert item.libelle in suite, item.libelle
    # Rien hors du cadre : les lignes en plus restent dans le viewBox.
    hauteur = float(racine.get("viewBox").split()[3])
    assert all(0 < float(t.get("y")) < hauteur for t in racine.iter(f"{SVG}text"))


def test_radar_plus_de_quatre_sections_titres_en_legende():
    definition = definition_notee(sections=6, items=2)
    racine = lire(graphiques.radar([("Bilan", resultat(definition, {}))], "r5"))
    assert "Section 6 : Section 5" in textes(racine) and "6" in textes(racine)


# ------------------------------------------------------------------------------------------------
# Girouet


def bras(racine) -> dict[str, ET.Element]:
    return {g.get("data-section"): g for g in racine.iter(f"{SVG}g") if g.get("class") == "balise-bras"}


def test_girouet_sens_couleur_et_note():
    definition = definition_notee("girouet", sections=3)
    notes = {
        **{f"i0_{i}": [4, 3] for i in range(3)},  # 3,5 : positif
        **{f"i1_{i}": [1, 2] for i in range(3)},  # 1,5 : négatif
    }  # section s2 : non notée
    r = resultat(definition, notes)
    svg = graphiques.girouet(r, "g1")
    racine = verifier_socle(svg, "g1")
    mat = graphiques._GIR_MAT
    par_section = bras(racine)
    positif, negatif, neutre = par_section["s0"], par_section["s1"], par_section["s2"]
    assert positif.get("data-penche") == "positif"
    planche = positif.find(f"{SVG}polygon")
    assert planche.get("fill") == graphiques.VERT
    assert max(x for x, _ in points(planche)) > mat + 60 and min(x for x, _ in points(planche)) > mat - 20
    planche = negatif.find(f"{SVG}polygon")
    assert planche.get("fill") == graphiques.ORANGE
    assert min(x for x, _ in points(planche)) < mat - 60 and max(x for x, _ in points(planche)) < mat + 20
    planche = neutre.find(f"{SVG}polygon")
    assert planche.get("fill") == GRIS_CLAIR and len(points(planche)) == 4  # pas de pointe
    assert neutre.get("data-penche") == ""
    tous = textes(racine)
    assert "3,5 / 4" in tous and "1,5 / 4" in tous and "non noté" in tous
    assert "→ penche vers les impacts positifs" in tous and "← penche vers les impacts négatifs" in tous


def test_girouet_milieu_exact_ni_positif_ni_negatif():
    definition = definition_notee("girouet", sections=3)
    notes = {
        **{f"i0_{i}": [2, 3] for i in range(3)},  # 2,5 exactement : milieu de 1–4
        **{f"i1_{i}": [3, 2, 3] for i in range(3)},  # 2,67 : juste au-dessus
        **{f"i2_{i}": [2, 3, 2] for i in range(3)},  # 2,33 : juste au-dessous
    }
    r = resultat(definition, notes)
    assert [s.penche for s in r.sections] == ["equilibre", "positif", "negatif"]
    racine = verifier_socle(graphiques.girouet(r, "g4"), "g4")
    milieu = bras(racine)["s0"]
    assert milieu.get("data-penche") == "equilibre"
    planche = milieu.find(f"{SVG}polygon")
    assert planche.get("fill") not in (graphiques.VERT, graphiques.ORANGE, GRIS_CLAIR)
    xs = [x for x, _ in points(planche)]
    mat = graphiques._GIR_MAT
    assert len(xs) == 4  # sans pointe : elle ne désigne aucun côté
    assert mat - min(xs) == pytest.approx(max(xs) - mat)  # autant d'un côté que de l'autre
    tous = textes(racine)
    assert "2,5 / 4 — à l'équilibre" in tous
    assert any(t.startswith("à l'équilibre") for t in tous)  # la légende l'explique
    titre = racine[0].text
    assert "Section 0 : à l'équilibre, ni positif ni négatif (2,5 / 4)" in titre
    assert "Section 1 : penche vers les impacts positifs" in titre


def test_girouet_longueur_croit_avec_l_ecart_au_milieu():
    definition = definition_notee("girouet", sections=2)
    notes = {**{f"i0_{i}": [3, 3] for i in range(3)}, **{f"i1_{i}": [4, 4] for i in range(3)}}
    racine = lire(graphiques.girouet(resultat(definition, notes), "g2"))
    longueurs = {s: max(x for x, _ in points(g.find(f"{SVG}polygon"))) for s, g in bras(racine).items()}
    assert longueurs["s1"] > longueurs["s0"]


def test_girouet_tout_non_note():
    definition = definition_notee("girouet", sections=2)
    racine = verifier_socle(graphiques.girouet(resultat(definition, {}), "g3"), "g3")
    assert all(g.get("data-penche") == "" for g in bras(racine).values())


# ------------------------------------------------------------------------------------------------
# Barres


def test_barres_deux_series_deux_barres_par_section():
    definition = definition_notee("barres", sections=3)
    series = [
        ("Amont", resultat(definition, notes_constantes(definition, 2))),
        ("Bilan", resultat(definition, notes_constantes(definition, 3, sauf={"i2_0", "i2_1", "i2_2"}))),
    ]
    racine = verifier_socle(graphiques.barres(series, "b1"), "b1")
    barres = [r for r in racine.iter(f"{SVG}rect") if r.get("class") == "balise-barre"]
    par_section = {}
    for barre in barres:
        par_section.setdefault(barre.get("data-section"), []).append(barre.get("data-serie"))
    assert par_section == {"s0": ["0", "1"], "s1": ["0", "1"], "s2": ["0"]}
    assert textes(racine).count("non noté") == 1
    # La barre d'un score de 3 sur 1–4 fait les deux tiers de celle d'un score de 4 : longueurs proportionnelles.
    largeur = {b.get("data-serie"): float(b.get("width")) for b in barres if b.get("data-section") == "s0"}
    assert largeur["1"] == pytest.approx(2 * largeur["0"], abs=0.2)
    assert {"1", "2", "3", "4"} <= set(textes(racine))  # une graduation par niveau
    assert "Amont" in textes(racine) and "Bilan" in textes(racine)
    # Chaque série a sa couleur, la même dans la légende.
    couleurs = {b.get("data-serie"): b.get("fill") for b in barres}
    assert len(set(couleurs.values())) == 2
    legende = [r.get("fill") for r in racine.iter(f"{SVG}rect") if r.get("width") == "36"]
    assert legende == [couleurs["0"], couleurs["1"]]


def test_barres_nombres_a_la_francaise():
    definition = definition_notee("barres", sections=1, items=2)
    r = resultat(definition, {"i0_0": [3, 3], "i0_1": [2, 3]})  # score = (3 + 2,5) / 2 = 2,75
    racine = lire(graphiques.barres([("", r)], "b2"))
    assert "2,8" in textes(racine)


# ------------------------------------------------------------------------------------------------
# Matrice


def test_matrice_comptes_dans_les_bonnes_cases():
    definition = definition_matrice()
    points_ = [(1, 1), (1, 1), (1, 1), (0, 1), (1, 0), (1, 0)]
    racine = verifier_socle(graphiques.matrice(definition, points_, "m1"), "m1")
    comptes = {}
    for case in racine.iter(f"{SVG}g"):
        if case.get("class") == "balise-case":
            (compte,) = [t for t in case.iter(f"{SVG}text") if t.get("class") == "balise-compte"]
            comptes[(case.get("data-x"), case.get("data-y"))] = int(compte.text)
            libelles = textes(case)
            assert any(t.startswith("L'IA") for t in libelles) and any(t.startswith("On ") for t in libelles)
    assert comptes == {("1", "1"): 3, ("0", "1"): 1, ("1", "0"): 2, ("0", "0"): 0}
    # Case « peut et veut » en haut à droite.
    cases = {(c.get("data-x"), c.get("data-y")): c.find(f"{SVG}rect") for c in racine.iter(f"{SVG}g")}
    haut_droite = cases[("1", "1")]
    bas_gauche = cases[("0", "0")]
    assert float(haut_droite.get("x")) > float(bas_gauche.get("x"))
    assert float(haut_droite.get("y")) < float(bas_gauche.get("y"))


# ------------------------------------------------------------------------------------------------
# Répartition


def test_repartition():
    definition = definition_notee("tableau", sections=1, items=1)
    r = calculer(
        definition,
        [
            Cotation(0, "i0_0", 1),
            Cotation(1, "i0_0", 1),
            Cotation(2, "i0_0", 4),
            Cotation(3, "i0_0", sans_objet=True),
        ],
    )
    item = r.sections[0].items[0]
    racine = verifier_socle(graphiques.repartition(item, definition.echelle_de(item.item), "p1"), "p1")
    assert textes(racine) == ["2", "1", "1"]  # nombres dans les segments, du bas au haut de l'échelle
    titre = racine.find("{http://www.w3.org/2000/svg}title").text
    assert "1 : Défavorable : 2" in titre and "4 : Favorable : 1" in titre and "Sans objet : 1" in titre


# ------------------------------------------------------------------------------------------------
# Tous les graphiques


def tous_les_graphiques(titre_section="Section {s}", libelle="Item {s}.{i}", serie="Bilan", id_="x"):
    definition = definition_notee(titre_section=titre_section, libelle=libelle)
    r = resultat(definition, {"i0_0": [1, 4], "i1_1": [3, 3]})
    item = r.sections[0].items[0]
    return [
        graphiques.radar([(serie, r), (serie, r)], id_),
        graphiques.girouet(r, id_),
        graphiques.barres([(serie, r)], id_),
        graphiques.matrice(definition_matrice(libelle_peut=libelle.format(s=0, i=0)), [(0, 1)], id_),
        graphiques.repartition(item, definition.echelle_de(item.item), id_),
    ]


def test_textes_hostiles_echappes():
    svgs = tous_les_graphiques(titre_section=HOSTILE + " {s}", libelle=HOSTILE + "{i}", serie=HOSTILE)
    for svg in svgs:
        texte = str(svg)
        verifier_socle(svg, "x")
        assert "<script" not in texte
        racine = lire(svg)
        visibles = " ".join(textes(racine)) + racine[0].text
        assert "<script>" in visibles  # affiché tel quel, comme du texte


def test_identifiant_nettoye():
    definition = definition_notee()
    racine = lire(graphiques.radar([("", resultat(definition, {}))], 'a" onload="x'))
    assert racine.get("aria-labelledby") == "a--onload--x-titre"


def test_sorties_deterministes():
    assert [str(s) for s in tous_les_graphiques()] == [str(s) for s in tous_les_graphiques()]


def test_graphiques_vides():
    definition = definition_notee()
    vide = calculer(definition, [])
    for svg in [
        graphiques.radar([], "v"),
        graphiques.barres([], "v"),
        graphiques.radar([("", vide)], "v"),
        graphiques.girouet(vide, "v"),
        graphiques.barres([("", vide)], "v"),
        graphiques.matrice(definition_matrice(), [], "v"),
        graphiques.repartition(vide.sections[0].items[0], definition.echelle_de(definition.items[0]), "v"),
    ]:
        verifier_socle(svg, "v")
