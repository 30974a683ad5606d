"""Le journal d'une organisation : ce qui est retiré ou restauré, avec son auteur et sa date.

Les services y notent, dans la transaction de leur opération, ce qui n'a pas d'historique propre ou
dont l'objet disparaît (`EvenementJournal`). La page du journal le lit avec l'historique des membres
et des informations de l'organisation (selectors.journal). Les instances à venir (comités,
décisions, relances) y ajouteront leurs natures d'événements.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import EvenementJournal

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

Nature = EvenementJournal.Nature


class Categorie:
    """Les familles d'événements que la page du journal permet de filtrer."""

    MEMBRES = "membres"
    ORGANISATION = "organisation"
    REGISTRE = "registre"
    EFFECTIFS = "effectifs"
    GOUVERNANCE = "gouvernance"
    MUTUALISATION = "mutualisation"
    PASSERELLE = "passerelle"

    CHOIX = [
        (MEMBRES, "Membres et invitations"),
        (ORGANISATION, "Informations de l'organisation"),
        (REGISTRE, "Fiches et documents du registre"),
        (EFFECTIFS, "Imports des effectifs"),
        (GOUVERNANCE, "Gouvernance : instances, politique des portes"),
        (
            MUTUALISATION,
            "Mutualisation : conventions, modèles partagés, actions pour le compte de l'organisation",
        ),
        (PASSERELLE, "Passerelle d'IA : lectures et effacements des requêtes sensibles"),
    ]


# La famille de chaque nature d'événement noté : une nature nouvelle doit en recevoir une (test).
CATEGORIES: dict[str, str] = {
    Nature.INVITATION_ANNULEE: Categorie.MEMBRES,
    Nature.FICHE_ARCHIVEE: Categorie.REGISTRE,
    Nature.FICHE_RESTAUREE: Categorie.REGISTRE,
    Nature.DOCUMENT_ARCHIVE: Categorie.REGISTRE,
    Nature.DOCUMENT_RESTAURE: Categorie.REGISTRE,
    Nature.IMPORT_EFFACE: Categorie.EFFECTIFS,
    Nature.INSTANCE_ARCHIVEE: Categorie.GOUVERNANCE,
    Nature.INSTANCE_RESTAUREE: Categorie.GOUVERNANCE,
    Nature.POLITIQUE_PORTES: Categorie.GOUVERNANCE,
    Nature.CHARTE_ADOPTEE: Categorie.GOUVERNANCE,
    Nature.CONVENTION_PROPOSEE: Categorie.MUTUALISATION,
    Nature.CONVENTION_DEMANDEE: Categorie.MUTUALISATION,
    Nature.CONVENTION_SIGNEE: Categorie.MUTUALISATION,
    Nature.CONVENTION_REFUSEE: Categorie.MUTUALISATION,
    Nature.CONVENTION_TERMINEE: Categorie.MUTUALISATION,
    Nature.POUR_LE_COMPTE_DE: Categorie.MUTUALISATION,
    Nature.MODELE_PARTAGE: Categorie.MUTUALISATION,
    Nature.MODELE_RETIRE: Categorie.MUTUALISATION,
    Nature.MODELE_REPRIS: Categorie.MUTUALISATION,
    Nature.CONTENU_SENSIBLE_LU: Categorie.PASSERELLE,
    Nature.CONTENUS_SENSIBLES_EFFACES: Categorie.PASSERELLE,
}

# Libellés des détails notés ; une clé finissant par « _le » est une date.
LIBELLES_DETAILS: dict[str, str] = {
    "fiche": "Fiche",
    "role": "Rôle proposé",
    "invitee_le": "Invitation envoyée le",
    "deposee_le": "Déposé le",
    "importe_le": "Importé le",
    "importe_par": "Importé par",
    "etat": "État",
    "lignes_lues": "Lignes lues",
    "lignes_retenues": "Lignes retenues",
    "lignes_rejetees": "Lignes écartées",
    "instance": "Instance",
    "membres": "Membres en fonction",
    "motif": "Motif",
    "mode_adoption": "Mode d'adoption",
    "date_adoption": "Date d'adoption",
    "deliberation": "Délibération",
    "remplace": "Remplace",
    "mutualisante": "Organisation mutualisante",
    "membre": "Organisation membre",
    "role_accorde": "Rôle accordé",
    "dates": "Dates",
    "intervenant": "Intervenant",
    "action": "Action",
    "modele": "Modèle",
    "version_amont": "Version de la mutualisante",
    "note": "Note aux membres",
    "resultat": "Chez le membre",
    "raison": "Raison",
    "requete_le": "Requête du",
    "nombre": "Nombre",
}


def noter(
    organisation_id: int, par: Utilisateur | None, nature: str, objet: str, **details: Any
) -> EvenementJournal:
    """Ajoute un événement au journal de l'organisation (à appeler dans la transaction de l'opération)."""
    if nature not in CATEGORIES:
        raise ValueError(f"Nature d'événement inconnue : {nature!r}.")
    inconnus = details.keys() - LIBELLES_DETAILS.keys()
    if inconnus:
        raise ValueError(f"Détails sans libellé : {', '.join(sorted(inconnus))}.")
    return EvenementJournal.objects.create(
        organisation_id=organisation_id, par=par, nature=nature, objet=objet[:255], details=details
    )


def date_lisible(date: datetime) -> str:
    """Jour et heure locaux. `strftime` plutôt que le filtre `date` de Django, dix fois plus lent
    (il recalcule le fuseau à chaque appel) : une page du journal affiche une centaine de dates."""
    return timezone.localtime(date).strftime("%d/%m/%Y %H:%M")


def _valeur(cle: str, valeur: Any) -> str:
    if cle.endswith("_le") and isinstance(valeur, str):
        date = parse_datetime(valeur)
        if isinstance(date, datetime):
            return date_lisible(date)
    return str(valeur)


def details_lisibles(details: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{LIBELLES_DETAILS.get(cle, cle)} : {_valeur(cle, v)}" for cle, v in details.items())
