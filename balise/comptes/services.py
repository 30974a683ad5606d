"""Opérations sur les jetons d'API : les émettre avec une échéance, les révoquer (attribué, historisé)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from balise import versions

from .models import JetonAPI, Utilisateur


def premiere_echeance_permise() -> date:
    return timezone.localdate()


def derniere_echeance_permise() -> date:
    return timezone.localdate() + timedelta(days=settings.JETON_API_DUREE_MAX)


def echeance_proposee() -> date:
    return timezone.localdate() + timedelta(days=settings.JETON_API_DUREE_PAR_DEFAUT)


def verifier_echeance(jour: date) -> None:
    if jour < premiere_echeance_permise():
        raise ValidationError("Cette date est passée : choisissez aujourd'hui ou une date à venir.")
    if jour > derniere_echeance_permise():
        raise ValidationError(
            f"Un jeton vaut {settings.JETON_API_DUREE_MAX} jours au plus : choisissez une date "
            f"jusqu'au {derniere_echeance_permise():%d/%m/%Y}."
        )


def emettre_jeton(utilisateur: Utilisateur, nom: str, valable_jusqu_au: date) -> tuple[JetonAPI, str]:
    """Un jeton valable jusqu'à la fin du jour choisi (heure de Paris) ; renvoie aussi son secret."""
    verifier_echeance(valable_jusqu_au)
    fin = timezone.make_aware(datetime.combine(valable_jusqu_au, time(23, 59, 59)))
    return JetonAPI.emettre(utilisateur, nom, expire_le=fin)


@transaction.atomic
def revoquer_jeton(jeton: JetonAPI, par: Utilisateur) -> JetonAPI:
    """Révoque le jeton dès l'appel suivant de l'API (qui le relit en base à chaque appel)."""
    jeton = JetonAPI.objects.select_for_update().get(pk=jeton.pk)
    if jeton.revoque_le is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    jeton.revoque_le = timezone.now()
    jeton.revoque_par = par
    versions.attribuer(jeton, par, update_fields=["revoque_le", "revoque_par"])
    return jeton
