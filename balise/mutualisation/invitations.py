"""Inviter une collectivité qui n'a pas encore son espace (issue 17, point 1 : « par l'invitation de la
mutualisante »). La mutualisante choisit la collectivité dans le référentiel d'Etalab (une
intercommunalité se voit proposer ses communes) et désigne son premier administrateur : la demande
d'adhésion part à l'administrateur de l'instance comme toute autre (organisations/services_adhesion.py),
avec les termes de la convention. Approuvée, l'espace s'ouvre et la convention est proposée : le
premier administrateur de la collectivité la signe ou la refuse, comme toute proposition."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from balise import versions
from balise.organisations import collectivites, services_adhesion
from balise.organisations.models import DemandeAdhesion, Organisation, TypeOrganisation

from . import services
from .models import TYPES_MUTUALISANTS, Convention, InvitationMutualisee

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

SUGGESTIONS_MAX = 300


def communes_a_inviter(mutualisante: Organisation) -> list[collectivites.Collectivite]:
    """Pour une intercommunalité : ses communes (référentiel d'Etalab, colonne `epci`) qui n'ont pas
    encore leur espace dans Balise. Une requête."""
    if mutualisante.type != TypeOrganisation.EPCI or not mutualisante.siren:
        return []
    membres = collectivites.communes_de(mutualisante.siren)[:SUGGESTIONS_MAX]
    presentes = set(
        Organisation.objects.filter(siren__in=[c.siren for c in membres if c.siren]).values_list(
            "siren", flat=True
        )
    )
    return sorted((c for c in membres if c.siren not in presentes), key=lambda c: c.nom)


@transaction.atomic
def inviter(
    mutualisante: Organisation,
    par: Utilisateur,
    *,
    code: str,
    prenom: str,
    nom: str,
    email: str,
    fonction: str,
    objet: str,
    role: str,
    debut: date | None,
    fin: date | None,
    deliberations: str = "",
) -> InvitationMutualisee:
    if mutualisante.type not in TYPES_MUTUALISANTS:
        raise ValidationError("Seule une organisation mutualisante invite une collectivité à la rejoindre.")
    termes = services.verifier_termes(
        objet=objet, role=role, debut=debut, fin=fin, deliberations=deliberations
    )
    if collectivites.par_code(code.strip()) is None:
        raise ValidationError({"code": "Choisissez une collectivité du référentiel (son code officiel)."})
    demande = services_adhesion.demander(
        code=code.strip(), prenom=prenom, nom=nom, email=email, fonction=fonction
    )
    return versions.attribuer(
        InvitationMutualisee(demande=demande, mutualisante=mutualisante, par=par, **termes), par
    )


def en_attente(mutualisante: Organisation) -> list[InvitationMutualisee]:
    """Ses invitations dont la demande attend encore la décision de l'instance."""
    return list(
        InvitationMutualisee.objects.filter(
            mutualisante=mutualisante, demande__statut=DemandeAdhesion.Statut.EN_ATTENTE
        ).select_related("demande")
    )


def proposer_apres_approbation(demande: DemandeAdhesion, organisation: Organisation) -> Convention | None:
    """Appelé dans la transaction qui approuve une demande : si une mutualisante l'avait faite, sa
    convention est proposée au nouvel espace (au nom de la personne qui a invité)."""
    invitation = (
        InvitationMutualisee.objects.filter(demande=demande).select_related("mutualisante", "par").first()
    )
    if invitation is None or invitation.par is None:
        return None
    convention = services.proposer(
        invitation.mutualisante,
        organisation,
        invitation.par,
        objet=invitation.objet,
        role=invitation.role,
        debut=invitation.debut,
        fin=invitation.fin,
        deliberations=invitation.deliberations,
    )
    invitation.convention = convention
    versions.attribuer(invitation, invitation.par)
    return convention
