"""La longueur du questionnaire : combien de questions chaque cas d'école fait poser, d'une version des
règles à l'autre (issue 16 : la médiane ne doit pas croître de plus de trois questions).

Le tableau de docs/conformite.md est écrit par `scripts/questions_par_cas.py` à partir d'ici, et un test
vérifie qu'il est à jour et que l'écart des médianes reste dans la limite.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from . import moteur
from .regles import Regles

ECART_MAXIMAL = 3
DEBUT, FIN = "<!-- questions-par-cas:debut -->", "<!-- questions-par-cas:fin -->"


@dataclass(frozen=True)
class Comparaison:
    avant: Regles
    apres: Regles
    lignes: list[
        tuple[str, int | None, int]
    ]  # cas de la version récente, questions avant (si le cas existait) et après

    @property
    def communs(self) -> list[tuple[str, int, int]]:
        return [(nom, a, b) for nom, a, b in self.lignes if a is not None]

    @property
    def medianes(self) -> tuple[float, float]:
        """Les médianes sur les cas communs aux deux versions : la comparaison à questions égales."""
        return median(a for _, a, _ in self.communs), median(b for _, _, b in self.communs)


def _posees(regles: Regles, reponses: moteur.Reponses) -> int:
    return len(moteur.questions_a_poser(regles, reponses))


def comparer(avant: Regles, apres: Regles) -> Comparaison:
    anciens = {c.nom: c for c in avant.cas}
    return Comparaison(
        avant,
        apres,
        [
            (
                cas.nom,
                _posees(avant, anciens[cas.nom].reponses) if cas.nom in anciens else None,
                _posees(apres, cas.reponses),
            )
            for cas in apres.cas
        ],
    )


def tableau(c: Comparaison) -> str:
    """La section de docs/conformite.md, entre ses deux marqueurs."""
    va, vb = c.avant.version, c.apres.version
    ma, mb = c.medianes
    lignes = [
        DEBUT,
        f"| cas d'école (règles v{vb}) | questions v{va} | questions v{vb} |",
        "|---|---:|---:|",
        *(f"| {nom} | {'—' if a is None else a} | {b} |" for nom, a, b in c.lignes),
        "",
        f"Médiane sur les {len(c.communs)} cas communs aux deux versions : {ma:g} questions en v{va}, "
        f"{mb:g} en v{vb} (écart {mb - ma:+g} ; limite : +{ECART_MAXIMAL}). "
        f"Sur tous les cas v{vb} : {median(b for _, _, b in c.lignes):g}.",
        FIN,
    ]
    return "\n".join(lignes)


def remplacer(document: str, section: str) -> str:
    debut, fin = document.index(DEBUT), document.index(FIN) + len(FIN)
    return document[:debut] + section + document[fin:]
