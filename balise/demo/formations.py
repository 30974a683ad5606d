"""Démonstration de la formation (balise/formations) : les populations de référence de Val de Balise,
deux paliers suivis (acculturation de tous les agents, culture partagée des référents IA) avec des
sessions datées par rapport au jour du chargement, et l'obligation de formation (art. 4) d'un système
qui passe à « faite » quand ses référents sont tous formés. Par les mêmes services que les pages."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.formations import services
from balise.formations.models import Population
from balise.formations.services import Ligne
from balise.metiers.models import GroupeSuivi
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

ORGANISATION = "val-de-balise"
PAR = "drh@val-de-balise.example"
# Effectifs saisis des populations que le tableau des effectifs ne donne pas.
EFFECTIFS = {"socle_commun": 90, "encadrants": 48, "elus": 45, "referents_ia": 8, "drh_dpo_dsi": 9}
SYSTEME_DES_REFERENTS = "Assistant conversationnel pour les usagers"


def charger(utilisateurs: dict[str, Utilisateur]) -> None:
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None or PAR not in utilisateurs:
        return
    par = utilisateurs[PAR]
    services.initialiser_populations(organisation, par)
    pops = {p.code: p for p in Population.objects.filter(organisation=organisation)}
    for code, effectif in EFFECTIFS.items():
        p = pops[code]
        donnees = {"titre": p.titre, "palier": p.palier, "cible": p.cible, "effectif_saisi": effectif}
        systemes = None
        if code == "referents_ia":
            systemes = list(SystemeIA.objects.filter(organisation=organisation, nom=SYSTEME_DES_REFERENTS))
        pops[code] = services.enregistrer_population(organisation, donnees, par, p.pk, p.version, systemes)
    # Les métiers ciblés : le groupe le plus exposé suivi par l'impact sur les métiers, s'il y en a.
    groupe = (
        GroupeSuivi.objects.filter(organisation=organisation, niveau="Très concernés").order_by("pk").first()
    )
    if groupe is not None:
        p = pops["metiers_cibles"]
        donnees = {
            "titre": p.titre,
            "palier": p.palier,
            "cible": p.cible,
            "groupe": groupe,
            "effectif_saisi": 20,
        }
        pops["metiers_cibles"] = services.enregistrer_population(organisation, donnees, par, p.pk, p.version)
    aujourd_hui = timezone.localdate()

    def session(jours: int, code: str, palier: str, lignes: list[Ligne]) -> None:
        donnees = {"date": aujourd_hui - timedelta(days=jours), "palier": palier, "offre_catalogue": code}
        services.enregistrer_session(organisation, donnees | {"offre": None}, lignes, par)

    tous, elus = pops["tous_agents"].pk, pops["elus"].pk
    # Palier 1 : acculturation de tous les agents (MOOC, cafés IA, module de la DSI), et des élus.
    session(
        300,
        "cnfpt_mooc_fondamentaux",
        "acculturation",
        [Ligne(tous, 38, "Direction générale"), Ligne(tous, 24, "Ressources humaines")],
    )
    session(
        240,
        "cafe_ia",
        "acculturation",
        [Ligne(tous, 31, "Accueil et citoyenneté"), Ligne(tous, 12, "Finances")],
    )
    session(150, "module_dsi_usages", "acculturation", [Ligne(tous, 55)])
    session(90, "seminaire_elus", "acculturation", [Ligne(elus, 19)])
    session(30, "cafe_ia", "acculturation", [Ligne(tous, 41, "Services techniques")])
    # Palier 3 : culture partagée des référents IA et des fonctions support.
    session(
        200,
        "jeu_serieux",
        "culture_partagee",
        [Ligne(pops["referents_ia"].pk, 5), Ligne(pops["drh_dpo_dsi"].pk, 6)],
    )
    session(60, "cnfpt_webinaire_ethique", "culture_partagee", [Ligne(pops["referents_ia"].pk, 3)])
