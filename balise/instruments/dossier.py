"""Le dossier d'un système pour le comité : sa fiche, sa qualification réglementaire, la liste de
contrôle de sa prochaine porte, ses avis, décisions et conditions, les portes passées sans être
franchies et ses dernières évaluations, en PDF imprimable.

Les portes sont lues par le même chemin que la fiche du registre (`gouvernance.faits.portes_de`), la
gouvernance par le sélecteur de sa chronologie (`selectors_avis.chronologie`) : le dossier dit ce que
dit la page, sans seconde règle. C'est aussi le dossier figé à la convocation d'une séance.

Le PDF est produit par WeasyPrint à partir d'un gabarit HTML ; les graphiques sont les mêmes SVG
que dans les pages, de sorte que le papier et l'écran disent la même chose.
"""

import gc
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from balise.conformite import selectors as conformite
from balise.gouvernance import faits, selectors_avis
from balise.registre import selectors as registre
from balise.registre.models import SystemeIA

from . import presentation, selectors


def _presenter(series: list[selectors.Serie], prefixe: str, provisoire: bool) -> list[dict[str, Any]]:
    presentees = []
    for n, serie in enumerate(series):
        points = (
            selectors.points_matrice(serie.evaluation)
            if serie.resultat.definition.visuel == "matrice"
            else None
        )
        presentees.append(
            {
                "serie": serie,
                "r": serie.resultat,
                "provisoire": provisoire,
                "svg": presentation.graphique(serie.resultat, f"{prefixe}-{n}", serie.libelle, points),
            }
        )
    return presentees


def _gouvernance(systeme: SystemeIA) -> list[dict[str, Any]]:
    """Avis, décisions et conditions dans l'ordre du temps ; chaque avis avec le décompte de ses votes
    s'il en a reçu. Nombre de requêtes constant."""
    evenements = selectors_avis.chronologie(systeme, timezone.localdate())
    decomptes = selectors_avis.decomptes([e.objet.point for e in evenements if e.nature == "avis"])
    return [
        {"e": e, "decompte": decomptes.get(e.objet.point_id) if e.nature == "avis" else None}
        for e in evenements
    ]


def html(systeme: SystemeIA) -> str:
    evaluations = _presenter(selectors.dernieres_finalisees(systeme), "dossier", provisoire=False)
    # Les évaluations encore ouvertes figurent aussi, marquées provisoires : le comité sait ce qui
    # est en cours et ce que disent les cotations déjà reçues.
    evaluations += _presenter(selectors.en_cours(systeme), "dossier-en-cours", provisoire=True)
    qualification = conformite.derniere_qualification(systeme)
    portes = faits.portes_de(systeme)
    return render_to_string(
        "instruments/dossier.html",
        {
            "systeme": systeme,
            "organisation": systeme.organisation,
            "evaluations": evaluations,
            "qualification": qualification,
            "q": conformite.relire(qualification) if qualification else None,
            "portes": portes,
            "prochaine": None if systeme.archive else portes.prochaine,
            "gouvernance": _gouvernance(systeme),
            "forcees": list(registre.portes_forcees(systeme)),
            "le": timezone.now(),
        },
    )


def pdf(systeme: SystemeIA) -> bytes:
    # Aucune ressource extérieure : le gabarit porte son style, les graphiques sont en ligne.
    contenu = html(systeme)
    # WeasyPrint crée des dizaines de milliers d'objets liés en cycles : le ramasse-miettes, qui se
    # déclencherait des dizaines de fois pendant la mise en page, est suspendu le temps du rendu
    # (un tiers du temps du dossier, mesuré par bench/instruments.py) ; il passe une fois ensuite.
    gc.disable()
    try:
        return HTML(string=contenu).write_pdf()
    finally:
        gc.enable()
