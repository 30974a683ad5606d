"""Lectures des rappels : la fréquence choisie, l'adresse de calendrier, les liens signés."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from balise import versions
from balise.comptes.models import Utilisateur

from .models import FluxCalendrier, Frequence, PreferenceRappel, empreinte

_SEL_DESABONNEMENT = "balise.rappels.desabonnement"
# Un jeton de calendrier fait 43 caractères (secrets.token_urlsafe(32)) ; au-delà, inutile de chercher.
LONGUEUR_MAX_JETON = 64


def frequence_de(utilisateur: Utilisateur) -> str:
    valeur = (
        PreferenceRappel.objects.filter(utilisateur=utilisateur).values_list("frequence", flat=True).first()
    )
    return valeur or Frequence.HEBDOMADAIRE


def flux_actif(utilisateur: Utilisateur) -> FluxCalendrier | None:
    return FluxCalendrier.objects.filter(utilisateur=utilisateur, revoque_le__isnull=True).first()


def personne_du_flux(secret: str) -> Utilisateur | None:
    """La personne dont c'est l'adresse de calendrier active ; None pour un jeton inconnu, révoqué, ou
    d'un compte désactivé."""
    if not secret or len(secret) > LONGUEUR_MAX_JETON:
        return None
    flux = (
        FluxCalendrier.objects.select_related("utilisateur")
        .filter(empreinte=empreinte(secret), revoque_le__isnull=True, utilisateur__is_active=True)
        .first()
    )
    return flux.utilisateur if flux is not None else None


def adresse_absolue(chemin: str) -> str:
    return f"{settings.URL_PUBLIQUE}{chemin}"


def adresse_calendrier(secret: str) -> str:
    return adresse_absolue(reverse("rappels:calendrier", args=[secret]))


def jeton_desabonnement(utilisateur_id: int) -> str:
    """Un lien signé (clé secrète de l'instance), sans date limite : un ancien courriel désabonne encore."""
    return signing.dumps(utilisateur_id, salt=_SEL_DESABONNEMENT, compress=False)


def adresse_desabonnement(utilisateur_id: int) -> str:
    return adresse_absolue(reverse("rappels:desabonnement", args=[jeton_desabonnement(utilisateur_id)]))


def personne_du_desabonnement(jeton: str) -> Utilisateur | None:
    if not jeton or len(jeton) > 200:
        return None
    try:
        utilisateur_id = signing.loads(jeton, salt=_SEL_DESABONNEMENT)
    except signing.BadSignature:
        return None
    if not isinstance(utilisateur_id, int):
        return None
    return Utilisateur.objects.filter(pk=utilisateur_id, is_active=True).first()


def reglages_compte(utilisateur: Utilisateur) -> dict[str, object]:
    """Ce que la section « Rappels » de « Mon compte » affiche : fréquence, ses derniers changements,
    adresse de calendrier active."""
    preference = PreferenceRappel.objects.filter(utilisateur=utilisateur).first()
    return {
        "frequence": preference.frequence if preference else Frequence.HEBDOMADAIRE,
        "choix": Frequence.choices,
        "historique": versions.historique(preference, limite=5) if preference else [],
        "flux": flux_actif(utilisateur),
    }
