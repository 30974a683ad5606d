"""Graphique de la couverture de formation dans le temps (SVG sans style ni script, balise/svg.py).

Une ligne en escalier par population dont le taux est connu, de 0 à 100 % ; le titre du SVG est le
texte alternatif : il dit chaque taux et sa cible, ce que le graphique montre."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from balise import svg
from balise.svg import coord, ecrire, nombre

from .selectors import LigneCouverture

_L, _H = 760, 320
_X0, _X1, _Y0, _Y1 = 60, 520, 20, 270  # zone du tracé : x de gauche à droite, y de haut en bas
COULEURS = [
    svg.BLEU_FRANCE,
    svg.ROUGE_MARIANNE,
    svg.VERT,
    svg.ORANGE,
    svg.BLEU_CLAIR,
    svg.GRIS_FONCE,
    svg.JAUNE,
]
TIRETS = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3"]


def _pourcent(x: float | None) -> str:
    return "inconnu" if x is None else f"{nombre(x)} %"


def texte_alternatif(lignes: list[LigneCouverture], a_la_date: date) -> str:
    morceaux = [f"{li.population.titre} : {_pourcent(li.taux)} (cible {li.cible} %)" for li in lignes]
    return (
        f"Couverture de formation par population au {a_la_date:%d/%m/%Y}. "
        + (" ; ".join(morceaux) if morceaux else "Aucune population.")
        + "."
    )


def couverture_dans_le_temps(lignes: list[LigneCouverture], a_la_date: date, id_: str) -> Markup:
    titre = texte_alternatif(lignes, a_la_date)
    tracees = [li for li in lignes if li.effectif.valeur and li.points]
    if not tracees:
        vide = [
            ecrire(_L / 2, 40, "Aucune session comptée pour une population d'effectif connu.", 14, "middle")
        ]
        return svg.svg(id_, "couverture", _L, 60, titre, vide)
    debut = min(li.points[0].jour for li in tracees)
    etendue = max((a_la_date - debut).days, 1)

    def x(jour: date) -> float:
        return _X0 + (_X1 - _X0) * min(1.0, (jour - debut).days / etendue)

    def y(taux: float) -> float:
        return _Y1 - (_Y1 - _Y0) * min(100.0, max(0.0, taux)) / 100

    corps: list[str] = []
    for t in (0, 25, 50, 75, 100):
        corps.append(
            f'<line x1="{_X0}" y1="{coord(y(t))}" x2="{_X1}" y2="{coord(y(t))}" stroke="{svg.GRIS_CLAIR}" stroke-width="1"/>'
        )
        corps.append(ecrire(_X0 - 8, y(t) + 4, f"{t} %", 11, "end", svg.GRIS_FONCE))
    corps.append(ecrire(_X0, _Y1 + 22, f"{debut:%d/%m/%Y}", 11, "start", svg.GRIS_FONCE))
    corps.append(ecrire(_X1, _Y1 + 22, f"{a_la_date:%d/%m/%Y}", 11, "end", svg.GRIS_FONCE))
    for k, li in enumerate(tracees):
        couleur, tirets = COULEURS[k % len(COULEURS)], TIRETS[k % len(TIRETS)]
        points = [(x(debut), y(0))]
        for p in li.points:
            points.append((x(p.jour), points[-1][1]))
            points.append((x(p.jour), y(p.taux or 0)))
        points.append((x(a_la_date), points[-1][1]))
        trace = " ".join(f"{coord(a)},{coord(b)}" for a, b in points)
        motif = f' stroke-dasharray="{tirets}"' if tirets else ""
        corps.append(f'<polyline points="{trace}" fill="none" stroke="{couleur}" stroke-width="2.5"{motif}/>')
        # Légende à droite : le nom, le taux et la cible (jamais la couleur seule).
        ly = _Y0 + 10 + k * 36
        corps.append(
            f'<line x1="540" y1="{ly}" x2="570" y2="{ly}" stroke="{couleur}" stroke-width="2.5"{motif}/>'
        )
        corps.append(ecrire(578, ly + 4, svg.tronquer(li.population.titre, 26), 12, gras=True))
        corps.append(
            ecrire(578, ly + 19, f"{_pourcent(li.taux)} — cible {li.cible} %", 11.5, couleur=svg.GRIS_FONCE)
        )
    return svg.svg(id_, "couverture", _L, _H, titre, corps)
