"""Graphique de l'exposition des agents, dessiné sur le serveur en SVG (sans style ni script en ligne,
comme ceux des instruments dont il reprend les primitives). Il ne montre que des chiffres visibles du
tableau protégé : une ligne dont une case est couverte par le secret n'est pas dessinée (la longueur
d'une barre trahirait le chiffre) ; la page le dit sous le graphique."""

from __future__ import annotations

from markupsafe import Markup

from balise.svg import (
    BLANC,
    GRIS_CLAIR,
    GRIS_TEXTE,
    JAUNE,
    ORANGE,
    ROUGE_MARIANNE,
    VERT_CLAIR,
    coord,
    ecrire,
    nombre,
    svg,
    tronquer,
)

from .secret import TableauProtege

# Du plus au moins exposé, puis les non rattachés : (fond, encre lisible sur ce fond).
_TEINTES = [
    (ROUGE_MARIANNE, BLANC),
    (ORANGE, BLANC),
    (JAUNE, GRIS_TEXTE),
    (VERT_CLAIR, GRIS_TEXTE),
    (GRIS_CLAIR, GRIS_TEXTE),
]
_L = 760
_MARGE = 250  # place des libellés de lignes
_H_BARRE = 22
_ECART = 8
_H_LEGENDE = 52


def lignes_dessinables(tableau: TableauProtege) -> list[str]:
    return [
        ligne
        for ligne in tableau.lignes
        if not tableau.totaux_lignes[ligne].masquee
        and tableau.totaux_lignes[ligne].effectif
        and not any(tableau.cases[(ligne, c)].masquee for c in tableau.colonnes)
    ]


def exposition(tableau: TableauProtege, titre: str, id_: str) -> Markup:
    """Une barre à 100 % par ligne entièrement visible, découpée par niveau d'exposition."""
    lignes = lignes_dessinables(tableau)
    corps: list[str] = []
    for i, colonne in enumerate(tableau.colonnes):
        fond, _ = _TEINTES[min(i, len(_TEINTES) - 1)]
        rang, colonne_legende = divmod(i, 3)
        lx = 10 + colonne_legende * 250
        ly = 12 + rang * 20
        corps.append(
            f'<rect x="{coord(lx)}" y="{coord(ly)}" width="14" height="14" fill="{fond}" stroke="{GRIS_TEXTE}"/>'
        )
        corps.append(ecrire(lx + 20, ly + 12, colonne, 12))
    largeur = _L - _MARGE - 10
    resume = []
    for n, ligne in enumerate(lignes):
        y = _H_LEGENDE + n * (_H_BARRE + _ECART)
        total = tableau.totaux_lignes[ligne].effectif or 1
        corps.append(ecrire(_MARGE - 8, y + 16, tronquer(ligne, 38), 12, "end"))
        x = float(_MARGE)
        parts = []
        for i, colonne in enumerate(tableau.colonnes):
            effectif = tableau.cases[(ligne, colonne)].effectif or 0
            if not effectif:
                continue
            fond, encre = _TEINTES[min(i, len(_TEINTES) - 1)]
            w = largeur * effectif / total
            corps.append(
                f'<rect x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{_H_BARRE}" fill="{fond}" stroke="{BLANC}"/>'
            )
            part = nombre(100 * effectif / total)
            if w >= 40:
                corps.append(ecrire(x + w / 2, y + 16, f"{part} %", 11, "middle", encre, gras=True))
            parts.append(f"{colonne} {part} %")
            x += w
        resume.append(f"{ligne} : {', '.join(parts)}")
    hauteur = _H_LEGENDE + max(1, len(lignes)) * (_H_BARRE + _ECART)
    if not lignes:
        corps.append(ecrire(_L / 2, _H_LEGENDE + 16, "Aucune ligne entièrement publiable", 12, "middle"))
    return svg(id_, "exposition", _L, hauteur, f"{titre}. " + " ; ".join(resume), corps)
