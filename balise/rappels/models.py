"""Les rappels (issue 13, point 6) : ce que chaque personne a choisi de recevoir, son adresse secrète de
calendrier, et la trace de chaque récapitulatif envoyé.

- `PreferenceRappel` : fréquence du récapitulatif par courriel (hebdomadaire sans choix exprimé).
  Historisée : qui l'a changée, et quand (la personne dans « Mon compte », ou un désabonnement en
  un clic depuis un courriel).
- `FluxCalendrier` : l'adresse secrète du flux iCalendar personnel. Seule l'empreinte SHA-256 du
  jeton est gardée (comme les jetons d'API) ; une adresse révoquée répond 404.
- `EnvoiRecapitulatif` : une ligne par personne et par période (jour ou semaine). Unique : une
  tournée rejouée ou deux processus de fond n'envoient jamais deux fois le même récapitulatif.
- `Planification` : une seule ligne, l'identifiant de la prochaine tournée en file (taches.py).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Frequence(models.TextChoices):
    HEBDOMADAIRE = "hebdomadaire", "Chaque semaine"
    QUOTIDIENNE = "quotidienne", "Chaque jour"
    AUCUNE = "aucune", "Jamais"


class PreferenceRappel(models.Model):
    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference_rappel"
    )
    frequence = models.CharField(
        "récapitulatif par courriel", max_length=20, choices=Frequence.choices, default=Frequence.HEBDOMADAIRE
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "préférence de rappel"
        verbose_name_plural = "préférences de rappel"

    def __str__(self) -> str:
        return f"{self.utilisateur} : {self.get_frequence_display().lower()}"


def empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class FluxCalendrier(models.Model):
    """L'adresse secrète d'un calendrier personnel. Une seule active par personne ; renouveler, c'est
    révoquer l'ancienne et en créer une autre."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flux_calendrier"
    )
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    debut = models.CharField("début du jeton", max_length=8, editable=False)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    revoque_le = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "flux de calendrier"
        verbose_name_plural = "flux de calendrier"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur"],
                condition=Q(revoque_le__isnull=True),
                name="un_flux_actif_par_personne",
            )
        ]

    def __str__(self) -> str:
        return f"Calendrier de {self.utilisateur} ({self.debut}…)"

    @staticmethod
    def nouveau_secret() -> str:
        return secrets.token_urlsafe(32)


class EnvoiRecapitulatif(models.Model):
    """Un récapitulatif traité pour une personne et une période (« J2026-12-03 », « S2026-W49 ») :
    envoyé (`elements` > 0) ou constaté vide (rien n'était dû, rien n'est parti)."""

    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    periode = models.CharField(max_length=12)
    elements = models.PositiveIntegerField(default=0)
    le = models.DateTimeField(default=timezone.now)
    # L'exécution du lot qui l'a réservé (taches.py) : seul ce lot-là envoie le courriel.
    lot = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "récapitulatif envoyé"
        verbose_name_plural = "récapitulatifs envoyés"
        constraints = [
            models.UniqueConstraint(fields=["utilisateur", "periode"], name="un_recapitulatif_par_periode")
        ]
        indexes = [models.Index(fields=["periode"], name="recapitulatif_periode")]

    def __str__(self) -> str:
        return f"{self.utilisateur} — {self.periode}"


class Planification(models.Model):
    """Une seule ligne (pk=1) : la tournée des rappels attendue dans la file. Une tournée qui n'est pas
    celle-ci (doublon d'un redémarrage concurrent) s'arrête sans se replanifier."""

    tache = models.CharField(max_length=64, blank=True)
    prevue_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "planification des rappels"
        verbose_name_plural = "planification des rappels"

    def __str__(self) -> str:
        return f"Prochaine tournée : {self.prevue_le}"
