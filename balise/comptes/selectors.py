"""Lectures des jetons d'API : ceux d'une personne, ceux des membres d'une organisation."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from balise.organisations.models import Organisation

from .models import JetonAPI, Utilisateur

# Jetons révoqués ou expirés encore montrés (pour savoir qui a révoqué quoi) ; l'historique garde le reste.
RECUL_INACTIFS = timedelta(days=90)
_AFFICHES = 50


def _actifs(jetons: QuerySet[JetonAPI]) -> QuerySet[JetonAPI]:
    return jetons.filter(revoque_le__isnull=True, expire_le__gt=timezone.now())


def _inactifs_recents(jetons: QuerySet[JetonAPI]) -> QuerySet[JetonAPI]:
    maintenant = timezone.now()
    depuis = maintenant - RECUL_INACTIFS
    return jetons.filter(
        Q(revoque_le__gte=depuis)
        | Q(revoque_le__isnull=True, expire_le__lte=maintenant, expire_le__gte=depuis)
    ).select_related("revoque_par")[:_AFFICHES]


def jetons_de(utilisateur: Utilisateur) -> tuple[list[JetonAPI], list[JetonAPI]]:
    """Les jetons actifs de la personne, puis ceux révoqués ou expirés depuis 90 jours."""
    jetons = JetonAPI.objects.filter(utilisateur=utilisateur)
    return list(_actifs(jetons)), list(_inactifs_recents(jetons))


def jetons_des_membres(organisation: Organisation) -> QuerySet[JetonAPI]:
    """Les jetons des personnes membres de l'organisation (tous leurs jetons : chacun vaut dans toutes
    les organisations de son titulaire, celle-ci comprise)."""
    return JetonAPI.objects.filter(utilisateur__adhesions__organisation=organisation).select_related(
        "utilisateur"
    )


def jetons_des_membres_actifs_et_recents(organisation: Organisation) -> tuple[list[JetonAPI], list[JetonAPI]]:
    jetons = jetons_des_membres(organisation).order_by("utilisateur__email", "-cree_le")
    return list(_actifs(jetons)), list(_inactifs_recents(jetons.order_by("-cree_le")))


def seule_organisation(utilisateur: Utilisateur) -> Organisation | None:
    """L'organisation de la personne si elle n'en a qu'une (elle y arrive après sa connexion)."""
    adhesions = list(utilisateur.adhesions.select_related("organisation").order_by("pk")[:2])
    return adhesions[0].organisation if len(adhesions) == 1 else None
