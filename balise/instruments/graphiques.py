"""Les graphiques des instruments (radar, girouet, barres, matrice, répartition), dessinés côté
serveur en SVG avec les primitives de `balise/svg.py`, dont ils tiennent les contraintes (sécurité des
contenus, accessibilité, palette du DSFR, sortie déterministe). En plus : le tableau qui double chaque
graphique est écrit par les gabarits ; tout texte venu d'une définition est échappé (une définition
peut être adaptée par une organisation) ; texte contrasté à 4,5:1 au moins sur son fond.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from balise.svg import (
    BLANC,
    BLEU_CLAIR,
    BLEU_FRANCE,
    GRIS_CLAIR,
    GRIS_FONCE,
    GRIS_FOND,
    GRIS_MOYEN,
    GRIS_TEXTE,
    JAUNE,
    ORANGE,
    ROUGE_MARIANNE,
    VERT,
    VERT_CLAIR,
    coord,
    couper,
    ecrire,
    ecrire_lignes,
    equilibre,
    largeur_texte,
    nombre,
    svg,
    tronquer,
)

from .calcul import Resultat, ResultatItem
from .definition import Definition, Echelle

__all__ = ["barres", "girouet", "matrice", "radar", "repartition"]

# Une série = une couleur, un pointillé et une forme de marqueur : jamais la couleur seule.
_STYLES_SERIES: list[tuple[str, str | None, str]] = [
    (BLEU_FRANCE, None, "rond"),
    (ORANGE, "8 4", "carre"),
    (VERT, "2 3", "triangle"),
    (ROUGE_MARIANNE, "10 3 2 3", "losange"),
    (BLEU_CLAIR, "5 5", "rond"),
    (GRIS_FONCE, "1 3", "carre"),
]
# Fonds des secteurs du radar, un par section (teintes très claires : le texte reste lisible).
_FONDS_SECTIONS: list[tuple[str, str]] = [
    (BLEU_CLAIR, "0.14"),
    (VERT, "0.1"),
    (JAUNE, "0.22"),
    (GRIS_MOYEN, "0.16"),
]


# ------------------------------------------------------------------------------------------------
# Nombres et textes
# ------------------------------------------------------------------------------------------------


def _marqueur(forme: str, x: float, y: float, couleur: str, plein: bool, r: float = 4) -> str:
    """Marqueur d'un point : plein (moyenne connue) ou creux (pas de moyenne)."""
    peinture = (
        f'fill="{couleur}" stroke="{BLANC}" stroke-width="1"'
        if plein
        else f'fill="{BLANC}" stroke="{couleur}" stroke-width="2"'
    )
    if forme == "carre":
        c = r * 0.9
        return f'<rect x="{coord(x - c)}" y="{coord(y - c)}" width="{coord(2 * c)}" height="{coord(2 * c)}" {peinture}/>'
    if forme == "triangle":
        r *= 1.2
        d = f"M{coord(x)},{coord(y - r)}L{coord(x + r * 0.87)},{coord(y + r * 0.5)}L{coord(x - r * 0.87)},{coord(y + r * 0.5)}Z"
        return f'<path d="{d}" {peinture}/>'
    if forme == "losange":
        r *= 1.2
        d = f"M{coord(x)},{coord(y - r)}L{coord(x + r)},{coord(y)}L{coord(x)},{coord(y + r)}L{coord(x - r)},{coord(y)}Z"
        return f'<path d="{d}" {peinture}/>'
    return f'<circle cx="{coord(x)}" cy="{coord(y)}" r="{coord(r)}" {peinture}/>'


def _style_serie(i: int) -> tuple[str, str | None, str]:
    return _STYLES_SERIES[i % len(_STYLES_SERIES)]


def _pointille(tirets: str | None) -> str:
    return f' stroke-dasharray="{tirets}"' if tirets else ""


def _legende_series(
    x: float, y: float, series: list[str], interligne: float = 20, trait: bool = True
) -> list[str]:
    """Une ligne de légende par série : l'échantillon (trait, pointillé, marqueur ou pavé) puis le libellé."""
    corps = []
    for i, libelle in enumerate(series):
        couleur, tirets, forme = _style_serie(i)
        yl = y + i * interligne
        if trait:
            corps.append(
                f'<line x1="{coord(x)}" y1="{coord(yl)}" x2="{coord(x + 36)}" y2="{coord(yl)}" stroke="{couleur}"'
                f' stroke-width="2.5"{_pointille(tirets)}/>'
            )
            corps.append(_marqueur(forme, x + 18, yl, couleur, True))
        else:
            corps.append(
                f'<rect x="{coord(x)}" y="{coord(yl - 7)}" width="36" height="14" fill="{couleur}"/>'
            )
        corps.append(ecrire(x + 46, yl + 4, tronquer(libelle, 90), 12))
    return corps


# ------------------------------------------------------------------------------------------------
# Radar
# ------------------------------------------------------------------------------------------------

_RADAR_L = 760  # largeur du viewBox
_RADAR_R = 170  # rayon de l'anneau extérieur (haut de l'échelle)
_RADAR_CX = _RADAR_L / 2
_RADAR_CY = 250
_RADAR_BAS = 486  # bas de la zone du radar (titres de section du bas compris)


def _angle(i: int, n: int) -> float:
    """Angle de l'axe i sur n : les axes sont décalés d'un demi-pas pour que les frontières des
    sections tombent sur les verticales et horizontales quand il y a quatre sections égales."""
    return -math.pi / 2 + 2 * math.pi * (i + 0.5) / n


def _point(angle: float, rayon: float) -> tuple[float, float]:
    return _RADAR_CX + rayon * math.cos(angle), _RADAR_CY + rayon * math.sin(angle)


# Les quatre coins, dans l'ordre des quadrants parcourus depuis midi dans le sens des aiguilles.
_COINS = [("haut", "droite"), ("bas", "droite"), ("bas", "gauche"), ("haut", "gauche")]


def _coins_des_sections(bornes: list[tuple[int, int]], n: int) -> list[tuple[str, str]] | None:
    """Le coin où écrire le titre de chaque section : celui du quadrant que son secteur couvre le plus.

    Attribution gloutonne (plus grand recouvrement d'abord, à égalité la section puis le coin les
    premiers) ; None s'il y a plus de quatre sections ou qu'une section reste sans coin libre : les
    titres vont alors dans la légende.
    """
    if len(bornes) > 4:
        return None
    candidats = []
    for k, (a, b) in enumerate(bornes):
        for q in range(4):
            # Recouvrement, en nombre de pas d'axe, du secteur [a, b) et du quadrant [q·n/4, (q+1)·n/4).
            recouvrement = min(b, (q + 1) * n / 4) - max(a, q * n / 4)
            if recouvrement > 1e-9:
                candidats.append((-recouvrement, k, q))
    coins: dict[int, int] = {}
    for _, k, q in sorted(candidats):
        if k not in coins and q not in coins.values():
            coins[k] = q
    if len(coins) < len(bornes):
        return None
    return [_COINS[coins[k]] for k in range(len(bornes))]


def radar(series: list[tuple[str, Resultat]], id_: str) -> Markup:
    """Radar : un axe par item noté (définition de la première série), groupés par section.

    Centre = bas de l'échelle, anneau extérieur = haut ; un anneau par niveau, marqué de sa valeur.
    Chaque série est un polygone des moyennes des items (couleur, pointillé et marqueur propres).
    Un item sans aucune note dans une série (moyenne inconnue) est placé au centre, pour garder le
    polygone fermé, mais son marqueur est creux, et la légende le dit : il ne faut pas le lire comme
    la note la plus basse. Un item absent de la définition d'une série (autre version) n'y a pas de point.
    """
    premiere = series[0][1].definition if series else None
    items = premiere.items_notes if premiere else []
    n = len(items)
    echelle = premiere.echelles[premiere.echelle] if premiere else None
    corps: list[str] = []
    resume = f"Radar « {premiere.titre} »" if premiere else "Radar"
    if premiere is None or echelle is None or not n:
        corps.append(ecrire(_RADAR_CX, 40, "Aucun item noté à représenter.", 14, "middle", GRIS_FONCE))
        return svg(id_, "radar", _RADAR_L, 60, resume + " : aucun item noté.", corps)

    # Secteurs des sections : fonds alternés, frontières, titres dans les coins.
    index = {item.id: i for i, item in enumerate(items)}
    sections = []  # (section, premier axe, dernier axe + 1)
    for section in premiere.sections:
        axes = [index[item.id] for item in section.items if item.id in index]
        if axes:
            sections.append((section, axes[0], axes[-1] + 1))
    places = _coins_des_sections([(a, b) for _, a, b in sections], n) if len(sections) > 1 else None
    for k, (_section, a, b) in enumerate(sections):
        fond, opacite = _FONDS_SECTIONS[k % len(_FONDS_SECTIONS)]
        if b - a == n:
            corps.append(
                f'<circle cx="{coord(_RADAR_CX)}" cy="{coord(_RADAR_CY)}" r="{_RADAR_R}" fill="{fond}"'
                f' fill-opacity="{opacite}"/>'
            )
            continue
        debut, fin = -math.pi / 2 + 2 * math.pi * a / n, -math.pi / 2 + 2 * math.pi * b / n
        (x1, y1), (x2, y2) = _point(debut, _RADAR_R), _point(fin, _RADAR_R)
        grand_arc = 1 if fin - debut > math.pi else 0
        corps.append(
            f'<path d="M{coord(_RADAR_CX)},{coord(_RADAR_CY)}L{coord(x1)},{coord(y1)}A{_RADAR_R},{_RADAR_R} 0 {grand_arc} 1'
            f' {coord(x2)},{coord(y2)}Z" fill="{fond}" fill-opacity="{opacite}"/>'
        )
    # Anneaux (un par niveau de l'échelle) et axes.
    etendue = echelle.maximum - echelle.minimum
    for niveau in echelle.niveaux[1:]:
        r = _RADAR_R * (niveau.valeur - echelle.minimum) / etendue
        exterieur = niveau is echelle.niveaux[-1]
        corps.append(
            f'<circle class="balise-anneau" cx="{coord(_RADAR_CX)}" cy="{coord(_RADAR_CY)}" r="{coord(r)}" fill="none"'
            f' stroke="{GRIS_FONCE if exterieur else GRIS_MOYEN}" stroke-width="{1.2 if exterieur else 0.6}"/>'
        )
    for i in range(n):
        x, y = _point(_angle(i, n), _RADAR_R)
        corps.append(
            f'<line x1="{coord(_RADAR_CX)}" y1="{coord(_RADAR_CY)}" x2="{coord(x)}" y2="{coord(y)}" stroke="{GRIS_MOYEN}"'
            f' stroke-width="0.6"/>'
        )
    if len(sections) > 1:
        for _section, a, _b in sections:
            x, y = _point(-math.pi / 2 + 2 * math.pi * a / n, _RADAR_R + 8)
            corps.append(
                f'<line x1="{coord(_RADAR_CX)}" y1="{coord(_RADAR_CY)}" x2="{coord(x)}" y2="{coord(y)}"'
                f' stroke="{GRIS_FONCE}" stroke-width="1"/>'
            )
    # Valeurs des niveaux, à gauche de la verticale du haut (entre deux axes), sur un fond blanc
    # pour rester lisibles sous les séries ; celle du centre un peu décalée, hors des marqueurs.
    for niveau in echelle.niveaux:
        r = _RADAR_R * (niveau.valeur - echelle.minimum) / etendue
        valeur = nombre(niveau.valeur)
        x, y = _RADAR_CX - 5, _RADAR_CY - max(r, 8) - 3
        w = largeur_texte(valeur, 10) + 4
        corps.append(
            f'<rect x="{coord(x - w + 2)}" y="{coord(y - 9)}" width="{coord(w)}" height="11" fill="{BLANC}"'
            f' fill-opacity="0.85"/>'
        )
        corps.append(ecrire(x, y, valeur, 10, "end", GRIS_FONCE))

    # Libellés des axes.
    for i, item in enumerate(items):
        angle = _angle(i, n)
        x, y = _point(angle, _RADAR_R + 12)
        # Le libellé entier sur trois lignes au plus (« Utilité interne (pour les agents) ») : tronqué
        # seulement au-delà, jamais à une longueur fixe qui ôterait le mot qui distingue deux axes.
        lignes = couper(item.libelle, 20, 3)
        c, s = math.cos(angle), math.sin(angle)
        # Centré seulement sur un axe vertical : deux axes voisins de la verticale ont leurs libellés
        # de part et d'autre, sans se chevaucher.
        ancre = "start" if c > 0.05 else "end" if c < -0.05 else "middle"
        if s < -0.3:  # en haut : le texte au-dessus du point
            y0 = y - (len(lignes) - 1) * 14
        elif s > 0.3:  # en bas : au-dessous
            y0 = y + 10
        else:
            y0 = y + 4 - (len(lignes) - 1) * 7
        corps.append(ecrire_lignes(x, y0, lignes, 14, taille=12, ancre=ancre, couleur=GRIS_TEXTE))

    # Titres des sections, dans les coins (ou en légende s'ils s'y marcheraient dessus).
    numeros: list[str] = []  # numéros des secteurs, dessinés par-dessus les séries
    if places:
        for k, ((section, _a, _b), (vertical, horizontal)) in enumerate(zip(sections, places, strict=True)):
            lignes = couper(section.titre, equilibre(section.titre, 30), 2)
            y0 = 22 if vertical == "haut" else _RADAR_BAS - 8 - (len(lignes) - 1) * 15
            # Un pavé de la teinte du secteur, côté bord, relie le titre à son quart de radar.
            fond, opacite = _FONDS_SECTIONS[k % len(_FONDS_SECTIONS)]
            x_pave = 12 if horizontal == "gauche" else _RADAR_L - 26
            corps.append(
                f'<rect x="{coord(x_pave)}" y="{coord(y0 - 11)}" width="14" height="14" fill="{fond}"'
                f' fill-opacity="{opacite}" stroke="{GRIS_MOYEN}" stroke-width="0.6"/>'
            )
            x, ancre = (32, "start") if horizontal == "gauche" else (_RADAR_L - 32, "end")
            corps.append(
                ecrire_lignes(x, y0, lignes, 15, taille=12.5, ancre=ancre, couleur=BLEU_FRANCE, gras=True)
            )
    elif len(sections) > 1:
        # Plus de quatre sections : un numéro sur le bord de chaque secteur, renvoyant à la légende
        # (décalé d'un quart de pas quand le milieu du secteur tombe sur un axe, pour ne pas cacher son point).
        for k, (_section, a, b) in enumerate(sections):
            milieu = (a + b) / 2 + (0.25 if (b - a) % 2 else 0)
            x, y = _point(-math.pi / 2 + 2 * math.pi * milieu / n, _RADAR_R)
            numeros.append(
                f'<circle cx="{coord(x)}" cy="{coord(y)}" r="9" fill="{BLANC}" stroke="{GRIS_FONCE}" stroke-width="1"/>'
                + ecrire(x, y + 3.5, str(k + 1), 10, "middle", GRIS_TEXTE, gras=True)
            )

    # Les séries.
    libelles = []
    manquants = False
    for s, (libelle, resultat) in enumerate(series):
        couleur, tirets, forme = _style_serie(s)
        moyennes = {r.item.id: r for sec in resultat.sections for r in sec.items if r.item.type == "echelle"}
        points: list[tuple[float, float, bool]] = []
        for i, item in enumerate(items):
            if item.id not in moyennes:
                continue  # item absent de cette version de la définition
            ech = resultat.definition.echelle_de(moyennes[item.id].item)
            moyenne = moyennes[item.id].moyenne
            part = 0.0
            if moyenne is not None and ech.maximum > ech.minimum:
                part = min(1.0, max(0.0, (moyenne - ech.minimum) / (ech.maximum - ech.minimum)))
            points.append((*_point(_angle(i, n), _RADAR_R * part), moyenne is not None))
            manquants = manquants or moyenne is None
        if points:
            sommets = " ".join(f"{coord(x)},{coord(y)}" for x, y, _ in points)
            corps.append(
                f'<polygon class="balise-serie" points="{sommets}" fill="{couleur}" fill-opacity="0.06"'
                f' stroke="{couleur}" stroke-width="2.5" stroke-linejoin="round"{_pointille(tirets)}/>'
            )
            corps.extend(_marqueur(forme, x, y, couleur, connu) for x, y, connu in points)
        libelles.append(libelle or resultat.definition.titre)

    corps.extend(numeros)

    # Légende.
    y = _RADAR_BAS + 18
    corps.extend(_legende_series(20, y, libelles))
    y += len(libelles) * 20
    if manquants:
        corps.append(_marqueur("rond", 38, y, GRIS_FONCE, False))
        corps.append(ecrire(66, y + 4, "marqueur creux : aucune note sur cet item (placé au centre)", 12))
        y += 20
    if not places and len(sections) > 1:
        for k, (section, _a, _b) in enumerate(sections):
            fond, opacite = _FONDS_SECTIONS[k % len(_FONDS_SECTIONS)]
            corps.append(
                f'<rect x="20" y="{coord(y - 7)}" width="36" height="14" fill="{fond}" fill-opacity="{opacite}"'
                f' stroke="{GRIS_MOYEN}" stroke-width="0.6"/>'
            )
            corps.append(ecrire(38, y + 4, str(k + 1), 10, "middle", GRIS_TEXTE, gras=True))
            corps.append(ecrire(66, y + 4, f"Section {k + 1} : {tronquer(section.titre, 80)}", 12))
            y += 20
    resume += (
        f" : {n} items notés de {nombre(echelle.minimum)} (centre) à {nombre(echelle.maximum)} (bord), "
        f"regroupés en {len(sections)} section(s) ; série(s) : {' ; '.join(libelles)}."
    )
    return svg(id_, "radar", _RADAR_L, y + 4, resume, corps)


# ------------------------------------------------------------------------------------------------
# Girouet
# ------------------------------------------------------------------------------------------------

_GIR_L = 760
_GIR_MAT = _GIR_L / 2  # abscisse du mât
_GIR_HAUT_PLANCHE = 30
_GIR_BRAS_MIN = 70  # longueur d'un bras au milieu de l'échelle…
_GIR_BRAS_MAX = _GIR_L / 2 - 96  # … et au bout de l'échelle (reste la place de la note)
_GIR_BRAS_EQUILIBRE = 60  # demi-planche d'une section dont la moyenne est le milieu exact


def _planche(
    x0: float, y: float, longueur: float, sens: int, pointe: bool, h: float = _GIR_HAUT_PLANCHE
) -> str:
    """Les points d'une planche partant de x0 (un peu derrière le mât) ; sens +1 à droite, -1 à gauche."""
    bout = x0 + sens * longueur
    if not pointe:
        pts = [(x0, y), (bout, y), (bout, y + h), (x0, y + h)]
    else:
        epaule = bout - sens * h * 0.55
        pts = [(x0, y + 1), (epaule, y), (bout, y + h / 2), (epaule, y + h), (x0, y + h - 1)]
    return " ".join(f"{coord(px)},{coord(py)}" for px, py in pts)


def girouet(resultat: Resultat, id_: str) -> Markup:
    """Le girouet : un mât (comme celui des mariniers de Loire) et une planche-flèche par section.

    La flèche pointe à droite, verte, quand la section penche vers les impacts positifs ; à gauche,
    orange, quand elle penche vers les impacts négatifs ; une planche grise sans pointe, de part et
    d'autre du mât, quand sa moyenne est exactement le milieu (2,5 sur 1–4 : ni l'un ni l'autre, comme
    l'échelle sans niveau médian du cahier) ; une planche claire sans pointe quand elle n'est pas notée. La longueur du bras croît avec l'écart de la note au milieu de l'échelle.
    """
    definition = resultat.definition
    echelle = definition.echelles[definition.echelle]
    demi_etendue = (echelle.maximum - echelle.minimum) / 2 or 1
    corps: list[str] = []
    bras: list[str] = []
    resumes: list[str] = []
    y = 56  # haut de la première rangée (le fanion au-dessus)
    for rs in resultat.sections:
        titre = couper(rs.section.titre, equilibre(rs.section.titre, 44), 2)
        y_titre = y + 13
        y_planche = y + len(titre) * 17 + 4
        score, penche = rs.score, rs.penche if rs.score is not None else None
        note = f"{nombre(score)} / {nombre(echelle.maximum)}"
        if score is None:
            couleur, bord, sens = GRIS_CLAIR, GRIS_MOYEN, 1
            longueur: float = 90
            points = _planche(_GIR_MAT - 45, y_planche, longueur, 1, False)
            x_note, ancre_note, texte_note = _GIR_MAT + 55, "start", "non noté"
            x_titre, ancre_titre = _GIR_MAT + 14, "start"
            resumes.append(f"{rs.section.titre} : non noté")
        elif penche == "equilibre":
            # Moyenne exactement au milieu : ni flèche ni côté, une planche droite de part et d'autre du mât.
            couleur, bord, sens = GRIS_MOYEN, GRIS_FONCE, 1
            longueur = _GIR_BRAS_EQUILIBRE
            points = _planche(_GIR_MAT - longueur, y_planche, 2 * longueur, 1, False)
            x_note, ancre_note, texte_note = _GIR_MAT + longueur + 10, "start", f"{note} — à l'équilibre"
            x_titre, ancre_titre = _GIR_MAT + 14, "start"
            resumes.append(f"{rs.section.titre} : à l'équilibre, ni positif ni négatif ({note})")
        else:
            positif = penche == "positif"
            sens = 1 if positif else -1
            couleur, bord = (VERT, VERT) if positif else (ORANGE, ORANGE)
            ecart = min(1.0, abs(score - echelle.milieu) / demi_etendue)
            longueur = _GIR_BRAS_MIN + ecart * (_GIR_BRAS_MAX - _GIR_BRAS_MIN)
            points = _planche(_GIR_MAT - sens * 12, y_planche, longueur + 12, sens, True)
            x_note = _GIR_MAT + sens * (longueur + 10)
            ancre_note = "start" if positif else "end"
            texte_note = note
            x_titre, ancre_titre = _GIR_MAT + sens * 14, ("start" if positif else "end")
            sens_texte = "les impacts positifs" if positif else "les impacts négatifs"
            resumes.append(f"{rs.section.titre} : penche vers {sens_texte} ({note})")
        veinure = ""
        if score is not None:  # veinure du bois, trait clair : l'allure d'une planche peinte
            veinure = (
                f'<line x1="{coord(_GIR_MAT + sens * 20)}" y1="{coord(y_planche + 10)}"'
                f' x2="{coord(_GIR_MAT + sens * max(28, longueur - 30))}" y2="{coord(y_planche + 11)}"'
                f' stroke="{BLANC}" stroke-opacity="0.35" stroke-width="1.2"/>'
            )
        bras.append(
            f'<g class="balise-bras" data-section="{escape(rs.section.id)}" data-penche="{penche or ""}">'
            f'<polygon points="{points}" fill="{couleur}" stroke="{bord}" stroke-width="1.5"'
            f' stroke-linejoin="round"/>'
            + veinure
            + f'<circle cx="{coord(_GIR_MAT)}" cy="{coord(y_planche + _GIR_HAUT_PLANCHE / 2)}" r="2.5"'
            f' fill="{GRIS_FONCE}"/>'
            + ecrire_lignes(x_titre, y_titre, titre, 17, taille=13, ancre=ancre_titre, gras=True)
            + ecrire(
                x_note,
                y_planche + _GIR_HAUT_PLANCHE / 2 + 5,
                texte_note,
                14,
                ancre_note,
                GRIS_TEXTE if score is not None else GRIS_FONCE,
                gras=score is not None,
            )
            + "</g>"
        )
        y = y_planche + _GIR_HAUT_PLANCHE + 22
    sol = y + 8
    # Le mât, son fanion et son pied, dessinés avant les planches qui y sont clouées.
    corps.append(
        f'<path d="M{coord(_GIR_MAT)},14L{coord(_GIR_MAT + 44)},22L{coord(_GIR_MAT)},30Z" fill="{BLEU_FRANCE}"/>'
        f'<rect x="{coord(_GIR_MAT - 5)}" y="10" width="10" height="{coord(sol - 10)}" rx="2" fill="{GRIS_FONCE}"/>'
        f'<circle cx="{coord(_GIR_MAT)}" cy="10" r="5" fill="{GRIS_FONCE}"/>'
        f'<path d="M{coord(_GIR_MAT - 40)},{coord(sol + 8)}L{coord(_GIR_MAT - 14)},{coord(sol - 6)}'
        f'L{coord(_GIR_MAT + 14)},{coord(sol - 6)}L{coord(_GIR_MAT + 40)},{coord(sol + 8)}Z" fill="{GRIS_FONCE}"/>'
        f'<line x1="{coord(_GIR_MAT - 160)}" y1="{coord(sol + 8)}" x2="{coord(_GIR_MAT + 160)}" y2="{coord(sol + 8)}"'
        f' stroke="{GRIS_MOYEN}" stroke-width="1.5"/>'
    )
    corps.extend(bras)
    # Légende.
    y = sol + 40
    corps.append(f'<polygon points="{_planche(20, y - 8, 40, 1, True, 16)}" fill="{VERT}"/>')
    corps.append(ecrire(70, y + 4, "→ penche vers les impacts positifs", 12.5))
    corps.append(f'<polygon points="{_planche(_GIR_MAT + 60, y - 8, 40, -1, True, 16)}" fill="{ORANGE}"/>')
    corps.append(ecrire(_GIR_MAT + 70, y + 4, "← penche vers les impacts négatifs", 12.5))
    if any(rs.penche == "equilibre" for rs in resultat.sections):
        y += 26
        corps.append(
            f'<polygon points="{_planche(20, y - 8, 40, 1, False, 16)}" fill="{GRIS_MOYEN}" stroke="{GRIS_FONCE}"/>'
        )
        corps.append(
            ecrire(70, y + 4, "à l'équilibre : moyenne au milieu exact, ni positive ni négative", 12.5)
        )
    if any(rs.score is None for rs in resultat.sections):
        y += 26
        corps.append(
            f'<rect x="20" y="{coord(y - 8)}" width="40" height="16" fill="{GRIS_CLAIR}" stroke="{GRIS_MOYEN}"/>'
        )
        corps.append(ecrire(70, y + 4, "section non notée", 12.5))
    y += 26
    corps.append(
        ecrire(
            20,
            y + 4,
            "Plus le bras est long, plus la note s'écarte du milieu de l'échelle "
            f"({nombre(echelle.milieu)}, entre {nombre(echelle.minimum)} et {nombre(echelle.maximum)}).",
            12,
            couleur=GRIS_FONCE,
        )
    )
    resume = (
        f"Girouet « {definition.titre} » (milieu de l'échelle : {nombre(echelle.milieu)}) : "
        + " ; ".join(resumes)
        + "."
    )
    return svg(id_, "girouet", _GIR_L, y + 18, resume, corps)


# ------------------------------------------------------------------------------------------------
# Barres
# ------------------------------------------------------------------------------------------------

_BAR_L = 760
_BAR_X0 = 262  # début de l'axe (bas de l'échelle)
_BAR_X1 = _BAR_L - 64  # fin de l'axe (haut de l'échelle) ; reste la place de la valeur
_BAR_H = 16
_BAR_ECART = 4


def barres(series: list[tuple[str, Resultat]], id_: str) -> Markup:
    """Barres horizontales groupées : un groupe par section (celles de la première série), une barre
    par série, de longueur le score de la section sur l'échelle (du bas au haut de l'échelle)."""
    premiere = series[0][1].definition if series else None
    if premiere is None:
        vide = [ecrire(_BAR_L / 2, 40, "Aucune évaluation à représenter.", 14, "middle", GRIS_FONCE)]
        return svg(id_, "barres", _BAR_L, 60, "Barres : aucune évaluation.", vide)
    echelle = premiere.echelles[premiere.echelle]
    etendue = (echelle.maximum - echelle.minimum) or 1

    def abscisse(valeur: float) -> float:
        part = min(1.0, max(0.0, (valeur - echelle.minimum) / etendue))
        return _BAR_X0 + part * (_BAR_X1 - _BAR_X0)

    corps: list[str] = []
    scores = [{s.section.id: s.score for s in resultat.sections} for _, resultat in series]
    libelles = [libelle or resultat.definition.titre for libelle, resultat in series]
    hauteur_barres = len(series) * (_BAR_H + _BAR_ECART) - _BAR_ECART
    y = 34  # haut du premier groupe, sous les graduations
    bandes: list[str] = []  # dessinées d'abord, puis les graduations, puis les barres
    groupes: list[str] = []
    resumes = []
    for k, section in enumerate(premiere.sections):
        titre = couper(section.titre, 34, 3)
        hauteur = max(hauteur_barres, len(titre) * 15 - 3) + 16
        if k % 2 == 0:  # une bande sur deux, pour suivre une section d'un bout à l'autre
            bandes.append(
                f'<rect x="0" y="{coord(y)}" width="{_BAR_L}" height="{coord(hauteur)}" fill="{GRIS_FOND}"/>'
            )
        y_titre = y + hauteur / 2 - (len(titre) - 1) * 7.5 + 4
        groupes.append(
            ecrire_lignes(_BAR_X0 - 12, y_titre, titre, 15, taille=12, ancre="end", couleur=GRIS_TEXTE)
        )
        yb = y + (hauteur - hauteur_barres) / 2
        valeurs = []
        for s, score in enumerate(par_section.get(section.id) for par_section in scores):
            couleur = _style_serie(s)[0]  # la même que dans la légende
            if score is None:
                groupes.append(ecrire(_BAR_X0 + 6, yb + _BAR_H - 4, "non noté", 11.5, couleur=GRIS_FONCE))
            else:
                x = abscisse(score)
                groupes.append(
                    f'<rect class="balise-barre" data-section="{escape(section.id)}" data-serie="{s}"'
                    f' x="{_BAR_X0}" y="{coord(yb)}" width="{coord(x - _BAR_X0)}" height="{_BAR_H}" fill="{couleur}"/>'
                )
                groupes.append(ecrire(x + 6, yb + _BAR_H - 4, nombre(score), 12, gras=True))
            valeurs.append(nombre(score) if score is not None else "non noté")
            yb += _BAR_H + _BAR_ECART
        resumes.append(f"{section.titre} : {', '.join(valeurs)}")
        y += hauteur
    # Graduations : une par niveau de l'échelle, sur toute la hauteur.
    for niveau in echelle.niveaux:
        x = abscisse(niveau.valeur)
        corps.append(
            f'<line x1="{coord(x)}" y1="26" x2="{coord(x)}" y2="{coord(y)}" stroke="{GRIS_FONCE if niveau is echelle.niveaux[0] else GRIS_CLAIR}"'
            f' stroke-width="1"/>'
        )
        corps.append(ecrire(x, 20, nombre(niveau.valeur), 11.5, "middle", GRIS_FONCE))
    corps = bandes + corps + groupes
    y += 24
    if len(series) > 1 or libelles[0] != premiere.titre:
        corps.extend(_legende_series(20, y, libelles, trait=False))
        y += len(series) * 20
    resume = (
        f"Barres « {premiere.titre} » : score de chaque section sur l'échelle de {nombre(echelle.minimum)} "
        f"à {nombre(echelle.maximum)}, pour {' ; '.join(libelles)}. " + " ; ".join(resumes) + "."
    )
    return svg(id_, "barres", _BAR_L, y, resume, corps)


# ------------------------------------------------------------------------------------------------
# Matrice 2 × 2
# ------------------------------------------------------------------------------------------------

_MAT_L = 640
_MAT_X0 = 150  # coin haut gauche de la grille
_MAT_Y0 = 16
_MAT_CASE_L = 230
_MAT_CASE_H = 150
_MAT_FONDS = {
    (0, 1): (JAUNE, "0.3"),
    (1, 1): (VERT_CLAIR, "1"),
    (0, 0): (GRIS_CLAIR, "0.5"),
    (1, 0): (BLEU_CLAIR, "0.15"),
}


def matrice(definition: Definition, points: list[tuple[int, int]], id_: str) -> Markup:
    """Matrice 2 × 2 (INET) : en abscisse le premier item noté (ce que l'IA peut faire ou non), en
    ordonnée le second (ce que l'on veut ou non) ; dans chaque case, le nombre d'évaluateurs.

    `points` : un couple (note de l'item 1, note de l'item 2) par évaluateur, notes prises aux bouts
    des échelles (0/1) ; une note intermédiaire est rangée du côté du bout le plus proche (le milieu
    exact compte du côté haut). Un couple incomplet (None) est ignoré.
    """
    if len(definition.items_notes) < 2:
        vide = [ecrire(_MAT_L / 2, 40, "Il faut deux items notés pour la matrice.", 14, "middle", GRIS_FONCE)]
        return svg(
            id_, "matrice", _MAT_L, 60, f"Matrice « {definition.titre} » : deux items notés requis.", vide
        )
    item_x, item_y = definition.items_notes[:2]
    ech_x, ech_y = definition.echelle_de(item_x), definition.echelle_de(item_y)
    comptes = {(cx, cy): 0 for cx in (0, 1) for cy in (0, 1)}
    for vx, vy in points:
        if vx is None or vy is None:
            continue
        comptes[(int(vx >= ech_x.milieu), int(vy >= ech_y.milieu))] += 1
    bouts_x = {0: ech_x.libelle(ech_x.minimum), 1: ech_x.libelle(ech_x.maximum)}
    bouts_y = {0: ech_y.libelle(ech_y.minimum), 1: ech_y.libelle(ech_y.maximum)}
    corps: list[str] = []
    resumes = []
    for cy in (1, 0):
        for cx in (0, 1):
            x = _MAT_X0 + cx * _MAT_CASE_L
            y: float = _MAT_Y0 + (1 - cy) * _MAT_CASE_H
            fond, opacite = _MAT_FONDS[(cx, cy)]
            n = comptes[(cx, cy)]
            corps.append(
                f'<g class="balise-case" data-x="{cx}" data-y="{cy}">'
                f'<rect x="{coord(x)}" y="{coord(y)}" width="{_MAT_CASE_L}" height="{_MAT_CASE_H}" fill="{fond}"'
                f' fill-opacity="{opacite}" stroke="{GRIS_FONCE}" stroke-width="1"/>'
                + ecrire_lignes(
                    x + 10,
                    y + 20,
                    couper(bouts_x[cx], 34, 1) + couper(bouts_y[cy], 34, 1),
                    15,
                    taille=11.5,
                    couleur=GRIS_FONCE,
                )
                + f'<text class="balise-compte" x="{coord(x + _MAT_CASE_L / 2)}" y="{coord(y + 100)}" font-size="40"'
                f' font-weight="bold" text-anchor="middle" fill="{BLEU_FRANCE}">{n}</text>'
                + ecrire(
                    x + _MAT_CASE_L / 2,
                    y + 124,
                    "évaluateur" if n == 1 else "évaluateurs",
                    12,
                    "middle",
                    GRIS_FONCE,
                )
                + "</g>"
            )
            resumes.append(f"{bouts_x[cx]} et {bouts_y[cy]} : {n}")
    # Libellés des bouts d'échelle, hors de la grille, et titres des axes.
    bas = _MAT_Y0 + 2 * _MAT_CASE_H
    for cx in (0, 1):
        lignes = couper(bouts_x[cx], 34, 2)
        corps.append(
            ecrire_lignes(
                _MAT_X0 + (cx + 0.5) * _MAT_CASE_L,
                bas + 18,
                lignes,
                14,
                taille=12,
                ancre="middle",
                couleur=GRIS_TEXTE,
            )
        )
    for cy in (1, 0):
        lignes = couper(bouts_y[cy], 18, 3)
        y = _MAT_Y0 + (1.5 - cy) * _MAT_CASE_H - (len(lignes) - 1) * 7 + 4
        corps.append(ecrire_lignes(_MAT_X0 - 10, y, lignes, 14, taille=12, ancre="end", couleur=GRIS_TEXTE))
    y_axe = bas + 58
    corps.append(
        ecrire(
            _MAT_X0 + _MAT_CASE_L,
            y_axe,
            f"→ {tronquer(item_x.libelle, 70)}",
            13,
            "middle",
            BLEU_FRANCE,
            gras=True,
        )
    )
    x_axe, y_milieu = 18, _MAT_Y0 + _MAT_CASE_H
    corps.append(
        ecrire(
            x_axe,
            y_milieu,
            f"→ {tronquer(item_y.libelle, 44)}",
            13,
            "middle",
            BLEU_FRANCE,
            gras=True,
            extra=f' transform="rotate(-90 {coord(x_axe)} {coord(y_milieu)})"',
        )
    )
    total = sum(comptes.values())
    resume = (
        f"Matrice « {definition.titre} » : {item_x.libelle} en abscisse, {item_y.libelle} en ordonnée ; "
        f"{total} évaluateur(s) : " + " ; ".join(resumes) + "."
    )
    return svg(id_, "matrice", _MAT_L, y_axe + 12, resume, corps)


# ------------------------------------------------------------------------------------------------
# Répartition des réponses d'un item
# ------------------------------------------------------------------------------------------------

_REP_L = 480
# Une gamme de bleus du clair au foncé (l'échelle d'un questionnaire n'a pas toujours un « bon » côté),
# avec la couleur de texte qui contraste sur chacun.
_REP_TEINTES = [
    ("#e3e3fd", GRIS_TEXTE),
    ("#cacafb", GRIS_TEXTE),
    ("#8585f6", GRIS_TEXTE),
    (BLEU_FRANCE, BLANC),
]


def repartition(resultat_item: ResultatItem, echelle: Echelle, id_: str) -> Markup:
    """Barre empilée de la répartition des réponses à un item (un segment par niveau répondu, plus
    « sans objet »), du bas au haut de l'échelle. Sans légende : la page l'accompagne de la liste des
    niveaux et de leurs nombres, dans le même ordre (alternative textuelle)."""
    segments: list[tuple[str, int, str, str]] = []  # (libellé, nombre, fond, texte)
    m = len(echelle.niveaux)
    for i, niveau in enumerate(echelle.niveaux):
        fond, encre = _REP_TEINTES[round(i * (len(_REP_TEINTES) - 1) / max(1, m - 1))]
        segments.append(
            (
                f"{nombre(niveau.valeur)} : {niveau.libelle}",
                resultat_item.repartition.get(niveau.valeur, 0),
                fond,
                encre,
            )
        )
    if resultat_item.sans_objet:
        segments.append(("Sans objet", resultat_item.sans_objet, GRIS_CLAIR, GRIS_TEXTE))
    total = sum(n for _, n, _, _ in segments)
    corps: list[str] = []
    x, largeur = 10.0, _REP_L - 20
    if total == 0:
        corps.append(
            f'<rect x="10" y="8" width="{coord(largeur)}" height="24" fill="none" stroke="{GRIS_MOYEN}"/>'
        )
        corps.append(ecrire(_REP_L / 2, 25, "Aucune réponse", 12, "middle", GRIS_FONCE))
    for _libelle, n, fond, encre in segments:
        if not n:
            continue
        w = largeur * n / total
        corps.append(
            f'<rect x="{coord(x)}" y="8" width="{coord(w)}" height="24" fill="{fond}" stroke="{BLANC}"/>'
        )
        if w >= 18:
            corps.append(ecrire(x + w / 2, 25, str(n), 12, "middle", encre, gras=True))
        x += w
    resume = (
        f"Répartition des réponses à « {resultat_item.item.libelle} » : "
        + " ; ".join(f"{libelle} : {n}" for libelle, n, _, _ in segments)
        + "."
    )
    return svg(id_, "repartition", _REP_L, 40, resume, corps)
