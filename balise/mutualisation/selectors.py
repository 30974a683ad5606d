"""Lire les conventions d'une organisation, de chaque côté, et retrouver l'autre organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from balise.organisations import collectivites
from balise.organisations.models import Adhesion, Organisation

from .delegation import ROLES_INTERVENANTS
from .models import TYPES_MUTUALISANTS, Convention


def conventions(organisation: Organisation) -> QuerySet[Convention]:
    """Toutes les conventions où l'organisation est mutualisante ou membre, les plus actuelles d'abord."""
    return (
        Convention.objects.filter(Q(mutualisante=organisation) | Q(membre=organisation))
        .select_related("mutualisante", "membre")
        .order_by("etat", "membre__nom", "-creee_le")
    )


def convention(organisation: Organisation, pk: int) -> Convention | None:
    return conventions(organisation).filter(pk=pk).first()


@dataclass(frozen=True)
class Cotes:
    """Les conventions d'une organisation, rangées par ce qu'elle y est et ce qui l'attend."""

    comme_mutualisante: list[Convention]
    comme_membre: list[Convention]

    def a_signer(self, organisation: Organisation) -> list[Convention]:
        """Ce que l'organisation doit signer ou refuser : ce que l'autre côté a proposé ou demandé."""
        return [
            c
            for c in self.comme_mutualisante + self.comme_membre
            if (c.etat == Convention.Etat.PROPOSEE and c.membre_id == organisation.pk)
            or (c.etat == Convention.Etat.DEMANDEE and c.mutualisante_id == organisation.pk)
        ]


def cotes(organisation: Organisation) -> Cotes:
    toutes = list(conventions(organisation))
    return Cotes(
        comme_mutualisante=[c for c in toutes if c.mutualisante_id == organisation.pk],
        comme_membre=[c for c in toutes if c.membre_id == organisation.pk],
    )


def ouvertes(mutualisante: Organisation, jour: date) -> list[Convention]:
    """Les conventions qui ouvrent aujourd'hui l'espace d'un membre au personnel de la mutualisante."""
    candidates = Convention.objects.filter(
        mutualisante=mutualisante, etat=Convention.Etat.EN_VIGUEUR, debut__lte=jour
    ).filter(Q(fin__isnull=True) | Q(fin__gte=jour))
    return [c for c in candidates.select_related("membre").order_by("membre__nom") if c.ouvre_l_acces(jour)]


def partagees(mutualisante: Organisation, jour: date) -> list[Convention]:
    """Les conventions ouvertes ce jour-là dont le membre partage son portefeuille : ce que la mutualisante
    voit de lui (portefeuille agrégé, systèmes inscrits à l'ordre du jour de ses instances)."""
    return [c for c in ouvertes(mutualisante, jour) if c.partage_portefeuille]


def intervenants(mutualisante: Organisation) -> QuerySet[Adhesion]:
    """Les personnes de la mutualisante qui agissent chez ses membres (rôle qui permet de MUTUALISER)."""
    return (
        Adhesion.objects.filter(organisation=mutualisante, role__in=ROLES_INTERVENANTS)
        .select_related("utilisateur")
        .order_by("utilisateur__last_name", "utilisateur__email")
    )


def par_reference(texte: str) -> Organisation | None:
    """L'organisation désignée par son identifiant d'adresse ou son SIREN (ce qu'une intercommunalité
    connaît de ses communes) ; aucune liste de toutes les organisations n'est montrée."""
    texte = texte.strip().lower()
    if not texte or len(texte) > 80:
        return None
    if texte.isdigit():
        return Organisation.objects.filter(siren=texte).order_by("pk").first()
    return Organisation.objects.filter(slug=texte).first()


def mutualisante_suggeree(organisation: Organisation) -> Organisation | None:
    """Pour une commune : son intercommunalité (référentiel d'Etalab), si elle a son espace dans Balise."""
    fiche = collectivites.par_siren(organisation.siren) if organisation.siren else None
    if fiche is None or not fiche.epci:
        return None
    return Organisation.objects.filter(siren=fiche.epci, type__in=TYPES_MUTUALISANTS).first()
