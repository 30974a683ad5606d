"""La courbe des mesures d'un indicateur, en SVG accessible (balise/svg.py) : une ligne par période,
la cible en pointillé, les mesures hors cible marquées en rouge. Le `<title>` résume tout le
graphique ; la page donne aussi le tableau des données."""

from __future__ import annotations

from markupsafe import Markup

from balise.svg import (
    BLEU_FRANCE,
    GRIS_CLAIR,
    GRIS_FONCE,
    ROUGE_MARIANNE,
    coord,
    ecrire,
    nombre,
    svg,
)

from . import echeances
from .models import Indicateur, Mesure

L, H = 640, 280
X0, X1, Y0, Y1 = 64, 620, 24, 230


def courbe(indicateur: Indicateur, mesures: list[Mesure], id_: str) -> Markup:
    cible = float(indicateur.cible)
    if not mesures:
        vide = [ecrire(L / 2, 60, "Aucune mesure saisie.", 14, "middle", GRIS_FONCE)]
        return svg(id_, "indicateur", L, 90, f"{indicateur.intitule} : aucune mesure saisie.", vide)
    valeurs = [float(m.valeur) for m in mesures]
    bas, haut = min([*valeurs, cible, 0.0]), max([*valeurs, cible])
    if haut == bas:
        haut = bas + 1
    haut += (haut - bas) * 0.1

    def y(v: float) -> float:
        return Y1 - (v - bas) / (haut - bas) * (Y1 - Y0)

    n = len(mesures)

    def x(i: int) -> float:
        return X0 + (X1 - X0) * (i + 0.5) / n

    corps: list[str] = []
    for k in range(5):
        v = bas + (haut - bas) * k / 4
        corps.append(
            f'<line x1="{X0}" y1="{coord(y(v))}" x2="{X1}" y2="{coord(y(v))}" stroke="{GRIS_CLAIR}"/>'
        )
        corps.append(ecrire(X0 - 6, y(v) + 4, nombre(v), 11, "end", GRIS_FONCE))
    corps.append(
        f'<line class="balise-cible" x1="{X0}" y1="{coord(y(cible))}" x2="{X1}" y2="{coord(y(cible))}"'
        f' stroke="{ROUGE_MARIANNE}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    corps.append(ecrire(X1, y(cible) - 6, f"cible {nombre(cible)}", 11, "end", ROUGE_MARIANNE, gras=True))
    points = " ".join(f"{coord(x(i))},{coord(y(v))}" for i, v in enumerate(valeurs))
    corps.append(f'<polyline points="{points}" fill="none" stroke="{BLEU_FRANCE}" stroke-width="2"/>')
    pas = max(1, n // 8)
    manquees = []
    for i, m in enumerate(mesures):
        tient = echeances.atteinte(m.valeur, indicateur.cible, indicateur.sens)
        couleur = BLEU_FRANCE if tient else ROUGE_MARIANNE
        corps.append(
            f'<circle class="balise-mesure" data-atteinte="{"oui" if tient else "non"}" cx="{coord(x(i))}"'
            f' cy="{coord(y(valeurs[i]))}" r="{5 if tient else 6}" fill="{couleur}"/>'
        )
        libelle = echeances.libelle_periode(m.periode, indicateur.frequence)
        if not tient:
            manquees.append(libelle)
        if i % pas == 0 or i == n - 1:
            corps.append(ecrire(x(i), Y1 + 20, libelle, 11, "middle", GRIS_FONCE))
    sens = "au moins" if indicateur.sens == Indicateur.Sens.AU_MOINS else "au plus"
    resume = (
        f"Courbe « {indicateur.intitule} » ({indicateur.unite}), {n} mesure(s) de "
        f"{echeances.libelle_periode(mesures[0].periode, indicateur.frequence)} à "
        f"{echeances.libelle_periode(mesures[-1].periode, indicateur.frequence)} ; cible : {sens} "
        f"{nombre(cible)} ; dernière valeur {nombre(valeurs[-1])}. "
        + (f"Hors cible : {', '.join(manquees)}." if manquees else "Toutes les mesures tiennent la cible.")
    )
    return svg(id_, "indicateur", L, H, resume, corps)
