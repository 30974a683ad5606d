"""Primitives de dessin SVG communes aux graphiques de Balise (instruments, métiers), dessinés côté
serveur pour les pages HTML et les PDF WeasyPrint.

Contraintes tenues :

- politique de sécurité des contenus : ni `<style>`, ni attribut `style`, ni script, ni référence
  externe ; la mise en forme passe par les attributs de présentation SVG (fill, stroke, font-size…) ;
- accessibilité : `role="img"` et un `<title>` qui résume le graphique en français ; tout texte est
  échappé ;
- couleurs de la palette du DSFR ;
- sortie déterministe : mêmes entrées, même chaîne ; nombres à une décimale au plus ;
- `viewBox` et `width="100%"` : la feuille de style (classe `balise-graphique`) règle la taille.

Les positions des textes sont calculées sans mesurer les polices : la largeur d'un caractère est
estimée (`LARGEUR_CAR`) avec une marge, et les libellés longs sont coupés puis tronqués.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup, escape

from balise.theme import couleur_du_theme

# Palette du DSFR. Ses couleurs de l'État (bleu France, rouge Marianne) ne valent que pour le thème de
# l'État ; en thème neutre, la couleur de même luminance (mêmes contrastes) de sa teinte (balise/theme.py).
BLEU_FRANCE = couleur_du_theme("#000091", principale=True)
BLEU_CLAIR = couleur_du_theme("#6a6af4", principale=True)
ROUGE_MARIANNE = couleur_du_theme("#e1000f", principale=False)
VERT = "#18753c"
VERT_CLAIR = "#b8fec9"
ORANGE = "#b34000"
JAUNE = "#fcc63a"
GRIS_TEXTE = "#161616"
GRIS_FONCE = "#3a3a3a"
GRIS_MOYEN = "#929292"
GRIS_CLAIR = "#dddddd"
GRIS_FOND = "#f6f6f6"  # grey-975 : bandes alternées des barres
BLANC = "#ffffff"

# La fonte de la page (thème neutre ou de l'État), dont le SVG en ligne hérite.
POLICE = "inherit"
# Largeur moyenne estimée d'un caractère, en fraction de la taille de police (large, par prudence).
LARGEUR_CAR = 0.6


def nombre(x: float | None) -> str:
    """Un nombre à la française, une décimale au plus, arrondi au plus proche : « 2,5 », « 3 » ; « — » sinon."""
    if x is None or not math.isfinite(x):
        return "—"
    d = Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    texte = format(d, "f")
    return "0" if texte == "-0" else texte.replace(".", ",")


def coord(x: float) -> str:
    """Une coordonnée SVG : une décimale au plus, point décimal."""
    texte = f"{x:.1f}"
    if texte.endswith(".0"):
        texte = texte[:-2]
    return "0" if texte == "-0" else texte


def propre(texte: str) -> str:
    return " ".join(str(texte).split())


_MOTS_OUTILS = frozenset(
    [
        "à",
        "au",
        "aux",
        "avec",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "sa",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "vers",
    ]
)


def tronquer(texte: str, n: int) -> str:
    """Au plus `n` caractères, coupé de préférence entre deux mots, terminé par « … »."""
    texte = propre(texte)
    if len(texte) <= n:
        return texte
    coupe = texte[: n - 1]
    espace = coupe.rfind(" ")
    if espace >= n // 2:
        coupe = coupe[:espace]
    for ouvrant, fermant in (("(", ")"), ("«", "»"), ("[", "]")):
        position = coupe.rfind(" " + ouvrant)
        if position >= n // 3 and fermant not in coupe[position:]:
            coupe = coupe[:position]  # pas de parenthèse ni de guillemet ouverts et jamais refermés
    mots = coupe.split(" ")
    while len(mots) > 1 and mots[-1].lower() in _MOTS_OUTILS:
        mots.pop()  # « Contrôle des biais… » plutôt que « Contrôle des biais et des… »
    return " ".join(mots).rstrip(" ,;:.-–—(") + "…"


def couper(texte: str, largeur: int, lignes_max: int) -> list[str]:
    """Le texte en lignes d'au plus `largeur` caractères ; la dernière ligne tronquée s'il en faut plus."""
    mots: list[str] = []
    for mot in propre(texte).split(" "):
        while len(mot) > largeur:  # mot plus long qu'une ligne : coupé net
            mots.append(mot[: largeur - 1] + "-")
            mot = mot[largeur - 1 :]
        mots.append(mot)
    lignes: list[str] = []
    for i, mot in enumerate(mots):
        if lignes and len(lignes[-1]) + 1 + len(mot) <= largeur:
            lignes[-1] += " " + mot
        elif len(lignes) == lignes_max:
            lignes[-1] = tronquer(lignes[-1] + " " + " ".join(mots[i:]), largeur)
            break
        else:
            lignes.append(mot)
    return [ligne for ligne in lignes if ligne] or [""]


def equilibre(texte: str, largeur: int) -> int:
    """Largeur de coupe qui évite une dernière ligne d'un seul mot quand le texte tient en deux lignes."""
    n = len(propre(texte))
    return largeur if n <= largeur else min(largeur, n // 2 + 8)


def largeur_texte(texte: str, taille: float) -> float:
    return len(texte) * taille * LARGEUR_CAR


def ecrire(
    x: float,
    y: float,
    contenu: str,
    taille: float = 12,
    ancre: str = "start",
    couleur: str = GRIS_TEXTE,
    gras: bool = False,
    extra: str = "",
) -> str:
    poids = ' font-weight="bold"' if gras else ""
    return (
        f'<text x="{coord(x)}" y="{coord(y)}" font-size="{coord(taille)}" text-anchor="{ancre}" fill="{couleur}"'
        f"{poids}{extra}>{escape(contenu)}</text>"
    )


def ecrire_lignes(x: float, y: float, lignes: list[str], interligne: float, **options: Any) -> str:
    """Plusieurs `<text>` (un par ligne, plus sûr que `<tspan>` pour WeasyPrint) ; `y` = première ligne."""
    return "".join(ecrire(x, y + i * interligne, ligne, **options) for i, ligne in enumerate(lignes))


def identifiant(id_: str) -> str:
    """Le préfixe d'identifiants fourni par l'appelant, réduit aux caractères sûrs."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(id_)) or "graphique"


def svg(id_: str, nature: str, largeur: float, hauteur: float, titre: str, corps: list[str]) -> Markup:
    ident = identifiant(id_)
    entete = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {coord(largeur)} {coord(hauteur)}" width="100%"'
        f' class="balise-graphique balise-graphique-{nature}" role="img" aria-labelledby="{ident}-titre"'
        f' font-family="{POLICE}">'
        f'<title id="{ident}-titre">{escape(propre(titre))}</title>'
    )
    # Titre échappé ci-dessus ; les morceaux du corps sont produits par les fonctions de ce module.
    return Markup(entete + "".join(corps) + "</svg>")  # noqa: S704 — balisage construit ici, textes échappés
