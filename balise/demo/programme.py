"""Le programme de la démonstration (issue 14, point 5) : l'agglomération en est à l'étape 4
(expérimentation), avec une feuille de route dont une action en retard, deux cafés IA et un webinaire
(participants par public, appropriation mesurée avant et après), et des notes de veille sourcées. Tout
passe par les services des pages, attribué aux personnes de l'organisation ; les dates sont relatives
au jour du chargement.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.programme import services
from balise.programme.models import Action

ORGANISATION = "val-de-balise"
REFERENT = "referent@val-de-balise.example"
DIRECTION = "admin@val-de-balise.example"
DRH = "drh@val-de-balise.example"

ETAPES = [
    (
        "diagnostic",
        "faite",
        "Questionnaire aux agents et ateliers métiers menés ; cartographie des usages faite.",
    ),
    ("acculturation", "en_cours", "Cafés IA mensuels ; le socle commun de formation se poursuit."),
    ("cas_usage_strategie", "faite", "Feuille de route présentée au comité de direction."),
    ("experimentation", "en_cours", "Deux pilotes : comptes rendus des conseils, éclairage public."),
    ("deploiement", "a_venir", ""),
]

# (intitulé, étape, priorité, budget, ETP, échéance en jours depuis aujourd'hui, responsable, état, parties prenantes)
ACTIONS: list[tuple[Any, ...]] = [
    (
        "Cartographier les usages de l'IA dans les services",
        "diagnostic",
        "haute",
        None,
        "0.2",
        -240,
        REFERENT,
        "faite",
        "Directions métiers, DSI",
    ),
    (
        "Former les encadrants au socle commun",
        "acculturation",
        "haute",
        "8000.00",
        "0.1",
        -12,
        DRH,
        "en_cours",
        "DRH, CNFPT, encadrants",
    ),
    (
        "Évaluer le pilote des comptes rendus des conseils",
        "experimentation",
        "haute",
        None,
        "0.3",
        20,
        REFERENT,
        "en_cours",
        "Secrétariat des assemblées, élus, représentants du personnel",
    ),
    (
        "Ouvrir un environnement d'IA générative maîtrisé aux agents pilotes",
        "experimentation",
        "moyenne",
        "15000.00",
        "0.5",
        60,
        REFERENT,
        "a_faire",
        "DSI, DPO",
    ),
    (
        "Présenter le bilan des expérimentations au comité social territorial",
        "deploiement",
        "moyenne",
        None,
        None,
        150,
        DIRECTION,
        "a_faire",
        "Partenaires sociaux, DRH",
    ),
]

# (format, intitulé, il y a n jours, participants par public, mesure, avant, après)
SENSIBILISATIONS: list[tuple[Any, ...]] = [
    (
        "cafe_ia",
        "Café IA : ce que l'IA sait faire, et ce qu'elle ne sait pas",
        75,
        {"agents": 28, "encadrants": 4},
        "taux",
        "31",
        "58",
    ),
    (
        "cafe_ia",
        "Café IA : les bons réflexes avec les données",
        30,
        {"agents": 22, "elus": 3},
        "taux",
        "40",
        "66",
    ),
    (
        "webinaire",
        "Webinaire : le cadre juridique de l'IA",
        45,
        {"encadrants": 35, "direction": 6},
        "",
        None,
        None,
    ),
]

# (il y a n jours, titre, résumé, source, étiquettes)
VEILLE: list[tuple[Any, ...]] = [
    (
        90,
        "AI Act : la maîtrise de l'IA s'impose depuis février 2025",
        "L'article 4 demande aux déployeurs de veiller à un niveau suffisant de maîtrise de l'IA de leur "
        "personnel : à relier au plan de formation.",
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "AI Act, formation",
    ),
    (
        50,
        "CNIL : recommandations sur les systèmes d'IA",
        "Des fiches pratiques pour concevoir un système d'IA conforme au RGPD ; utiles aux analyses "
        "d'impact des pilotes.",
        "https://www.cnil.fr/fr/intelligence-artificielle",
        "CNIL, RGPD",
    ),
    (
        15,
        "Cafés IA : ressources pour animer",
        "Le Conseil national du numérique met à disposition des ressources pour organiser un café IA.",
        "https://cnnumerique.fr/",
        "sensibilisation",
    ),
]


def charger(utilisateurs: dict[str, Utilisateur]) -> None:
    organisation = Organisation.objects.get(slug=ORGANISATION)
    aujourd_hui = timezone.localdate()
    referent = utilisateurs[REFERENT]
    for etape, etat, commentaire in ETAPES:
        services.changer_etape(organisation, etape, etat, commentaire, 0, referent)
    for intitule, etape, priorite, budget, etp, jours, responsable, etat, parties in ACTIONS:
        action = services.creer_action(
            organisation,
            {
                "intitule": intitule,
                "etape": etape,
                "priorite": priorite,
                "budget": budget,
                "etp": etp,
                "echeance": aujourd_hui + timedelta(days=jours),
                "responsable": utilisateurs[responsable],
                "parties_prenantes": parties,
                "etat": etat,
            },
            referent,
        )
        if etat == Action.Etat.FAITE:
            # Faite avant son échéance : la date est reportée, sans nouvelle version.
            Action.objects.filter(pk=action.pk).update(faite_le=aujourd_hui + timedelta(days=jours - 10))
    for format_, intitule, il_y_a, participants, mesure, avant, apres in SENSIBILISATIONS:
        services.creer_sensibilisation(
            organisation,
            {
                "format": format_,
                "intitule": intitule,
                "date": aujourd_hui - timedelta(days=il_y_a),
                "mesure": mesure,
                "avant": avant,
                "apres": apres,
            },
            participants,
            referent,
        )
    for il_y_a, titre, resume, source, etiquettes in VEILLE:
        services.creer_note(
            organisation,
            {
                "date": aujourd_hui - timedelta(days=il_y_a),
                "titre": titre,
                "resume": resume,
                "source": source,
                "etiquettes": etiquettes,
            },
            referent,
        )
