"""Le bon graphique pour une définition : celui qu'elle déclare (`visuel`), partagé par les pages et le PDF."""

from markupsafe import Markup

from . import graphiques
from .calcul import Resultat


def graphique(
    resultat: Resultat, id_: str, libelle: str = "", points: list[tuple[int, int]] | None = None
) -> Markup | None:
    """Le visuel d'une évaluation ; `points` (un couple de notes par évaluateur) pour la matrice 2 × 2."""
    visuel = resultat.definition.visuel
    if visuel == "radar":
        return graphiques.radar([(libelle, resultat)], id_)
    if visuel == "girouet":
        return graphiques.girouet(resultat, id_)
    if visuel == "barres":
        return graphiques.barres([(libelle, resultat)], id_)
    if visuel == "matrice":
        return graphiques.matrice(resultat.definition, points or [], id_)
    return None  # « tableau » : le tableau des résultats suffit


def comparaison(series: list[tuple[str, Resultat]], id_: str) -> Markup | None:
    """Les évaluations d'un même instrument à plusieurs moments, sur un seul graphique."""
    if not series or series[0][1].definition.agregation != "moyenne_ponderee":
        return None
    if series[0][1].definition.visuel == "radar":
        return graphiques.radar(series, id_)
    return graphiques.barres(series, id_)


def lignes_comparaison(series: list[tuple[str, Resultat]]) -> list[tuple[str, list[float | None]]]:
    """Le tableau qui double le graphique de comparaison : une ligne par section, une colonne par évaluation.

    Les sections sont celles de la version la plus récente ; une section absente d'une version
    antérieure (instrument adapté entre-temps) reste vide dans sa colonne.
    """
    if not series:
        return []
    scores = [{s.section.id: s.score for s in resultat.sections} for _, resultat in series]
    return [
        (s.section.titre, [par_id.get(s.section.id) for par_id in scores]) for s in series[-1][1].sections
    ]
