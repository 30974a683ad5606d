"""Identité visuelle : le thème neutre dérivé du DSFR, sans rien de l'identité de l'État.

Le code des composants du DSFR est sous licence MIT ; la fonte Marianne, le bloc-marque (logo
« République française ») et les couleurs de l'État (bleu France, rouge Marianne) sont réservés aux
services de l'État et à ses opérateurs (README et conditions d'utilisation du DSFR, voir
docs/identite-visuelle.md). Balise garde la structure accessible des composants et en dérive, depuis la
feuille installée par django-dsfr, une feuille « neutre » :

- les `@font-face` de Marianne sont retirés et la famille remplacée par une fonte sous licence libre
  livrée avec Balise (Atkinson Hyperlegible Next, SIL OFL 1.1, `static/balise/polices/`) ;
- les règles du bloc-marque (`.fr-logo`, dont le dessin de Marianne en image incorporée) sont retirées ;
- chaque couleur des palettes bleu France et rouge Marianne est remplacée par une couleur d'une autre
  teinte **de même luminance relative** : tous les rapports de contraste du DSFR (RGAA 3.2, 3.3) sont
  gardés à l'identique, quelle que soit la teinte choisie (celle de l'instance ou d'une organisation) ;
- les adresses relatives (icônes, fonte Spectral, sous licence OFL) sont réécrites vers les fichiers
  du DSFR, la feuille dérivée étant servie ailleurs.

Fonctions pures ; `trouveurs.py` sert le résultat comme un fichier statique.
"""

import colorsys
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dsfr
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

THEMES = ("neutre", "etat")
# Chemins statiques : la feuille du DSFR et celle qu'on en dérive.
SOURCE_DSFR = "dsfr/dist/dsfr/dsfr.min.css"
FEUILLE_NEUTRE = "balise/theme/dsfr-neutre.min.css"
POLICE = '"Atkinson Hyperlegible Next Variable"'
POLICE_PILE = f"{POLICE},arial,sans-serif"
# Ce que le thème neutre ne sert ni ne cite : fontes Marianne et icônes « Marianne » du DSFR.
FICHIERS_ETAT = ("dsfr/dist/fonts/Marianne-*", "dsfr/dist/favicon/*")
PALETTES_ETAT = ("blue-france", "red-marianne")
FORME_COULEUR = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class Teinte:
    """Une teinte (0–360°) et une saturation (0–1) ; la luminance reste celle du DSFR."""

    teinte: float
    saturation: float


# Teintes du thème neutre : une ardoise bleu-vert peu saturée pour l'action, un ocre sourd pour l'accent.
NEUTRE_PRINCIPALE = Teinte(198.0, 0.38)
NEUTRE_ACCENT = Teinte(28.0, 0.45)


def _lineaire(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(couleur: str) -> float:
    """Luminance relative WCAG 2 d'une couleur « #rrggbb »."""
    r, v, b = (int(couleur[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * _lineaire(r) + 0.7152 * _lineaire(v) + 0.0722 * _lineaire(b)


def contraste(a: str, b: str) -> float:
    """Rapport de contraste WCAG 2 entre deux couleurs."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hexa(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def teinter(couleur: str, cible: Teinte) -> str:
    """La couleur de la teinte `cible` dont la luminance relative est la plus proche de `couleur`.

    À teinte et saturation fixées, la luminance croît avec la clarté : on la cherche par dichotomie,
    puis on retient, parmi les voisines au 1/255 près, celle dont la luminance est la plus proche.
    """
    visee = luminance(couleur)
    bas, haut = 0.0, 1.0
    for _ in range(40):
        milieu = (bas + haut) / 2
        if luminance(_hexa(colorsys.hls_to_rgb(cible.teinte / 360, milieu, cible.saturation))) < visee:
            bas = milieu
        else:
            haut = milieu
    candidates = {
        _hexa(colorsys.hls_to_rgb(cible.teinte / 360, max(0.0, min(1.0, bas + d / 255)), cible.saturation))
        for d in range(-2, 3)
    }
    return min(sorted(candidates), key=lambda c: abs(luminance(c) - visee))


def teinte_de(couleur: str) -> Teinte:
    """La teinte et la saturation d'une couleur « #rrggbb » (celle qu'une organisation a choisie)."""
    r, v, b = (int(couleur[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, _l, s = colorsys.rgb_to_hls(r, v, b)
    return Teinte(round(h * 360, 1), round(s, 3))


_DECLARATION = re.compile(r"--(blue-france|red-marianne)-[a-z0-9-]+:(#[0-9a-fA-F]{6})\b")
_POLICE_MARIANNE = re.compile(r"@font-face\{[^}]*font-family:Marianne[^}]*\}")
_URL = re.compile(r"url\((?![\"']?(?:data:|https?:|/))([\"']?)([^\"')]+)\1\)")
_REGLE = re.compile(r"(?<=[{};])([^{};@]+)\{([^{}]*)\}")


def couleurs_etat(source: str) -> dict[str, str]:
    """Chaque couleur déclarée dans les palettes de l'État (clair et sombre), avec sa palette."""
    return {m.group(2).lower(): m.group(1) for m in _DECLARATION.finditer(source)}


def correspondance(source: str, principale: Teinte, accent: Teinte) -> dict[str, str]:
    """Couleur de l'État → couleur de même luminance dans la teinte choisie."""
    return {
        c: teinter(c, principale if palette == "blue-france" else accent)
        for c, palette in couleurs_etat(source).items()
    }


def _sans_logo(m: re.Match[str]) -> str:
    selecteurs = [s for s in m.group(1).split(",") if "fr-logo" not in s]
    return f"{','.join(selecteurs)}{{{m.group(2)}}}" if selecteurs else ""


def _recolorer(texte: str, table: dict[str, str]) -> str:
    def remplacer(m: re.Match[str]) -> str:
        prefixe, valeur = m.group(1), "#" + m.group(2).lower()
        return prefixe + table[valeur][1:] if valeur in table else m.group(0)

    return re.sub(r"(#|%23)([0-9a-fA-F]{6})\b", remplacer, texte)


def deriver(source: str, origine: str, destination: str, principale: Teinte, accent: Teinte) -> str:
    """La feuille neutre tirée de la feuille du DSFR `source`, servie à `origine`, pour `destination`."""
    texte = _POLICE_MARIANNE.sub("", source)
    texte = texte.replace("font-family:Marianne,arial,sans-serif", f"font-family:{POLICE_PILE}")
    texte = texte.replace("font-family:Marianne", f"font-family:{POLICE_PILE}")
    texte = _REGLE.sub(_sans_logo, texte)
    texte = _recolorer(texte, correspondance(source, principale, accent))
    dossier_origine, dossier_destination = posixpath.dirname(origine), posixpath.dirname(destination)

    def readresser(m: re.Match[str]) -> str:
        cible = posixpath.normpath(posixpath.join(dossier_origine, m.group(2)))
        return f"url({posixpath.relpath(cible, dossier_destination)})"

    return _URL.sub(readresser, texte)


def chemin_source() -> Path:
    return Path(dsfr.__file__).parent / "static" / SOURCE_DSFR


@cache
def source_dsfr() -> str:
    return chemin_source().read_text(encoding="utf-8")


@cache
def feuille_neutre() -> str:
    """La feuille neutre de l'instance, calculée une fois par processus."""
    return deriver(source_dsfr(), SOURCE_DSFR, FEUILLE_NEUTRE, NEUTRE_PRINCIPALE, NEUTRE_ACCENT)


@cache
def variables_organisation(couleur: str) -> str:
    """La feuille d'une organisation : ses palettes claire et sombre, teinte de sa couleur.

    Seules les variables des palettes sont redéfinies, avec la luminance du DSFR : le contraste de chaque
    texte et de chaque bouton reste celui que le DSFR a vérifié, quelle que soit la couleur choisie.
    """
    if not FORME_COULEUR.match(couleur):
        raise ValueError("Couleur attendue sous la forme #rrggbb.")
    principale = teinte_de(couleur)
    source = source_dsfr()
    blocs = []
    for selecteur in (":root{", ":root[data-fr-theme=dark]{"):
        for m in re.finditer(re.escape(selecteur) + r"([^{}]*)\}", source):
            declarations = [
                f"--{d.group(1)}{d.group(2)}:{teinter(d.group(3), principale)}"
                for d in re.finditer(r"--(blue-france)(-[a-z0-9-]+):(#[0-9a-fA-F]{6})\b", m.group(1))
            ]
            if declarations:
                blocs.append(f"{selecteur}{';'.join(declarations)}}}")
    return "\n".join(blocs) + "\n"


def couleur_du_theme(couleur: str, principale: bool) -> str:
    """Une couleur de l'État telle quelle (thème de l'État) ou sa remplaçante du thème neutre."""
    try:
        etat = str(getattr(settings, "THEME", "neutre")) == "etat"
    except ImproperlyConfigured:  # module lu hors de Django (outil, script) : le thème par défaut
        etat = False
    if etat:
        return couleur
    return teinter(couleur, NEUTRE_PRINCIPALE if principale else NEUTRE_ACCENT)


def contexte(request: HttpRequest) -> dict[str, str]:
    """Processeur de contexte : le thème de l'instance et l'état RGAA que cite le pied de page."""
    return {"THEME": str(settings.THEME), "RGAA_ETAT": str(settings.RGAA_ETAT)}
