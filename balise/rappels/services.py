"""Écritures des rappels : fréquence choisie, désabonnement, adresse secrète du calendrier. Chaque
changement est historisé et attribué (simple-history, `versions.attribuer`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur

from .models import FluxCalendrier, Frequence, PreferenceRappel, empreinte


@transaction.atomic
def choisir_frequence(
    utilisateur: Utilisateur, frequence: str, par: Utilisateur | None = None, motif: str = ""
) -> PreferenceRappel:
    """Enregistre la fréquence du récapitulatif (une valeur de `Frequence`), attribuée à `par` dans
    l'historique avec `motif` (par exemple : désabonnement depuis un courriel)."""
    if frequence not in Frequence.values:
        raise ValidationError("Choisissez une fréquence proposée : chaque semaine, chaque jour ou jamais.")
    preference = PreferenceRappel.objects.select_for_update().filter(utilisateur=utilisateur).first()
    if preference is None:
        preference = PreferenceRappel(utilisateur=utilisateur, frequence=frequence)
        preference._change_reason = motif  # type: ignore[attr-defined]  # lu par simple-history
        return versions.attribuer(preference, par)
    if preference.frequence != frequence:
        preference.frequence = frequence
        preference._change_reason = motif  # type: ignore[attr-defined]  # lu par simple-history
        versions.enregistrer(preference, par)
    return preference


def desabonner(utilisateur: Utilisateur) -> PreferenceRappel:
    """Le désabonnement en un clic (lien du courriel ou client de messagerie, RFC 8058) : plus aucun
    récapitulatif. Attribué à la personne elle-même, que le lien signé désigne."""
    return choisir_frequence(
        utilisateur, Frequence.AUCUNE, par=utilisateur, motif="Désabonnement par le lien d'un courriel"
    )


@transaction.atomic
def renouveler_flux(utilisateur: Utilisateur) -> tuple[FluxCalendrier, str]:
    """Révoque l'adresse de calendrier active (s'il y en a une) et en crée une nouvelle ; renvoie aussi
    le secret, qui ne sera plus jamais affiché."""
    _revoquer(utilisateur)
    secret = FluxCalendrier.nouveau_secret()
    flux = FluxCalendrier(utilisateur=utilisateur, empreinte=empreinte(secret), debut=secret[:6])
    versions.attribuer(flux, utilisateur)
    return flux, secret


@transaction.atomic
def revoquer_flux(utilisateur: Utilisateur) -> FluxCalendrier:
    flux = _revoquer(utilisateur)
    if flux is None:
        raise ValidationError("Vous n'avez pas d'adresse de calendrier active : il n'y a rien à révoquer.")
    return flux


def _revoquer(utilisateur: Utilisateur) -> FluxCalendrier | None:
    flux = (
        FluxCalendrier.objects.select_for_update()
        .filter(utilisateur=utilisateur, revoque_le__isnull=True)
        .first()
    )
    if flux is not None:
        flux.revoque_le = timezone.now()
        versions.attribuer(flux, utilisateur, update_fields=["revoque_le"])
    return flux
