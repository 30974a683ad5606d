"""Le COPIL des DGS de la démonstration (issue 17, point 2) : l'agglomération du Val de Balise réunit les
directeurs généraux de ses communes (seed 001:959, le Golfe de Saint-Tropez), qui y siègent comme membres
externes avec leur compte de commune ; la prochaine séance examine le passage à la décision d'un système
de Rivebelle, qui partage son portefeuille avec l'agglomération sous sa convention."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.gouvernance import services_instances, services_seances
from balise.gouvernance.models import Instance, Membre
from balise.organisations import services as organisations
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

NOM = "COPIL IA des DGS du Val de Balise"
DGS_DES_COMMUNES = ("dgs@rivebelle.example", "mairie@montclair.example")
SYSTEME_EXAMINE = "Aide à l'instruction des permis de construire"


def charger(utilisateurs: dict[str, Utilisateur]) -> Instance:
    agglo = Organisation.objects.get(slug="val-de-balise")
    dgs_agglo = utilisateurs["admin@val-de-balise.example"]
    valeurs = services_instances.valeurs_du_modele("copil_dgs")
    valeurs.pop("colleges")
    copil = services_instances.creer_instance(agglo, {**valeurs, "nom": NOM}, dgs_agglo, modele="copil_dgs")
    services_instances.nommer_membre(copil, dgs_agglo.pk, dgs_agglo, fonction=Membre.Fonction.PRESIDENT)
    for email in DGS_DES_COMMUNES:
        # Chaque DGS a déjà son compte (celui de sa commune) : il accepte l'invitation à siéger.
        resultat = services_instances.inviter_externe(
            copil, email, dgs_agglo, lambda invitation: "", qualite="Directeur général des services"
        )
        if resultat.invitation is None:
            raise CommandError(f"Démonstration : {email} est déjà membre de l'agglomération.")
        organisations.accepter_invitation(resultat.invitation.invitation, utilisateurs[email])
    seance = services_seances.programmer(
        copil,
        timezone.now() + timedelta(days=20),
        90,
        "Siège de l'agglomération, salle du conseil",
        dgs_agglo,
    )
    permis = SystemeIA.objects.get(organisation__slug="rivebelle", nom=SYSTEME_EXAMINE)
    services_seances.ajouter_point(seance.pk, "porte", dgs_agglo, systeme=permis.pk, stade_vise="decision")
    services_seances.ajouter_point(
        seance.pk,
        "libre",
        dgs_agglo,
        titre="Cas d'usage à tester en commun",
        description="Tour de table des besoins remontés par les groupes de travail de chaque commune.",
    )
    return copil
