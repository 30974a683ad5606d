"""Démonstration de la bibliothèque des cas d'usage (balise/bibliotheque) : le catalogue livré (plus de
20 exemples documentés), le partage par Val de Balise de sa détection des fuites (coûts, stade,
évaluations, enseignements, adresse fonctionnelle), et l'adoption par Montclair du cas des comptes
rendus de réunion de Saint-Pair-sur-Mer. Par les mêmes services que les pages."""

from __future__ import annotations

from balise.bibliotheque import selectors, services
from balise.bibliotheque.models import CasUsage
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

PARTAGEANTE, SYSTEME_PARTAGE = "val-de-balise", "Détection des fuites sur le réseau d'eau potable"
PAR_PARTAGE = "referent@val-de-balise.example"
CONTACT = "eau@val-de-balise.example"
ADOPTANTE, CAS_ADOPTE = "montclair", "saint_pair_comptes_rendus"
PAR_ADOPTION = "referent@val-de-balise.example"


def charger(utilisateurs: dict[str, Utilisateur], instance: Utilisateur) -> None:
    """`instance` : l'administrateur de l'instance, à qui le chargement du catalogue est attribué."""
    services.charger_catalogue(instance)
    systeme = SystemeIA.objects.filter(organisation__slug=PARTAGEANTE, nom=SYSTEME_PARTAGE).first()
    if systeme is not None and PAR_PARTAGE in utilisateurs:
        proposition = selectors.proposition_de_partage(systeme)
        choix = services.Partage(
            titre=systeme.nom,
            finalite=systeme.finalite,
            couts=True,
            resultats=proposition["resultats"] or None,
            stade=True,
            decision="Passage en production décidé après l'expérimentation sur deux secteurs du réseau.",
            lecons=(
                "Croiser les débits nocturnes et les capteurs acoustiques évite de sonder tout le réseau ; "
                "chaque alerte reste vérifiée sur le terrain avant travaux. Prévoir la sectorisation "
                "classique comme mode dégradé."
            ),
            contact=CONTACT,
        )
        services.partager(systeme, choix, utilisateurs[PAR_PARTAGE])
    adoptante = Organisation.objects.filter(slug=ADOPTANTE).first()
    cas = CasUsage.objects.filter(identifiant=CAS_ADOPTE).first()
    if adoptante is not None and cas is not None and PAR_ADOPTION in utilisateurs:
        services.adopter(
            cas,
            adoptante,
            utilisateurs[PAR_ADOPTION],
            service="Direction générale des services",
            responsable="Référent IA mutualisé (Val de Balise)",
            nom="Comptes rendus de réunion assistés",
        )
