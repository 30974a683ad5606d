"""La section « Passerelle d'IA générative » du rapport annuel (balise/rapports/sections.py) : l'usage
réel de la période, lu dans le journal des requêtes (issue 18, point 7). Aucun nom, aucun texte."""

from __future__ import annotations

from datetime import date

from balise.francais import compter
from balise.organisations.models import Organisation
from balise.passerelle import usage
from balise.passerelle.politique import LIBELLES_CLASSES
from balise.rapports.contenu import Cellule, Section, Tableau

ENTETES = [
    "Requêtes",
    "Personnes",
    "Pseudonymisées",
    "Refusées",
    "Coût (€ HT)",
    "Énergie (kWh)",
    "GES (kg CO₂e)",
]


def _ligne(ligne: usage.Ligne) -> list[Cellule]:
    return [
        Cellule.nombre(ligne.requetes),
        Cellule.nombre(ligne.personnes),
        Cellule.nombre(ligne.pseudonymisees),
        Cellule.nombre(ligne.refusees),
        Cellule(f"{ligne.cout:.2f}".replace(".", ",")),
        Cellule(f"{ligne.energie_wh / 1000:.2f}".replace(".", ",")),
        Cellule(f"{ligne.ges_gco2e / 1000:.2f}".replace(".", ",")),
    ]


def section(organisation: Organisation, debut: date, fin: date) -> Section:
    t = usage.totaux(organisation, debut, fin)  # les mois de la période (un rapport va de janvier à décembre)
    section = Section("Usage de l'IA générative par la passerelle")
    if not t.total.requetes:
        section.paragraphe(
            "Aucune requête n'est passée par la passerelle d'IA générative pendant la période."
        )
        return section
    classes = ", ".join(f"{LIBELLES_CLASSES.get(c, c)} : {n}" for c, n in t.classes.items()) or "aucune"
    section.paragraphe(
        f"{compter(t.total.requetes, 'requête', feminin=True)} d'agents aux modèles approuvés par "
        f"l'organisation, par {compter(t.total.personnes, 'personne', feminin=True)}. Données repérées avant l'envoi (requêtes concernées) : {classes}. "
        "Les données que le modèle ne pouvait pas recevoir ont été remplacées par des marques, ou la "
        "requête a été refusée ; l'énergie et les émissions sont des estimations (EcoLogits)."
    )
    section.blocs.append(
        Tableau(
            "Usage par modèle",
            ["Modèle", *ENTETES],
            [[Cellule(ligne.libelle), *_ligne(ligne)] for ligne in t.par_modele],
            pied=[Cellule("Total"), *_ligne(t.total)],
        )
    )
    section.blocs.append(
        Tableau(
            "Usage par service",
            ["Service", *ENTETES],
            [[Cellule(ligne.libelle), *_ligne(ligne)] for ligne in t.par_service],
        )
    )
    return section
