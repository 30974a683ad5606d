"""Indicateurs du programme IA et de ses systèmes, leurs mesures datées et la revue de leurs écarts.

Source : graine 001, encart SNDGCT sur l'AFNOR Spec 2314 — tableau objectif / indicateur / fréquence
(001:1022–1026) et comité de revue qui analyse les écarts et propose des actions correctives, dans une
logique PDCA (001:1059–1065).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.gouvernance.models import Point
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from .echeances import Frequence as F
from .echeances import Sens as S

# Bornes des valeurs saisies : au-delà, une faute de frappe plutôt qu'une mesure.
CHIFFRES = 15
DECIMALES = 3
VALEUR_MAX = 10**11


class Indicateur(models.Model):
    class Frequence(models.TextChoices):
        MENSUELLE = F.MENSUELLE.value, "Mensuelle"
        TRIMESTRIELLE = F.TRIMESTRIELLE.value, "Trimestrielle"
        SEMESTRIELLE = F.SEMESTRIELLE.value, "Semestrielle"
        ANNUELLE = F.ANNUELLE.value, "Annuelle"

    class Sens(models.TextChoices):
        AU_MOINS = S.AU_MOINS.value, "Au moins (atteindre ou dépasser la cible)"
        AU_PLUS = S.AU_PLUS.value, "Au plus (ne pas dépasser la cible)"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="indicateurs")
    # Vide : un indicateur du programme de l'organisation ; sinon, celui d'un système.
    systeme = models.ForeignKey(
        SystemeIA, null=True, blank=True, on_delete=models.PROTECT, related_name="indicateurs"
    )
    modele = models.CharField("modèle de départ", max_length=60, blank=True, editable=False)
    objectif = models.CharField("objectif", max_length=300)
    intitule = models.CharField("indicateur", max_length=300)
    unite = models.CharField("unité", max_length=40)
    cible = models.DecimalField("cible", max_digits=CHIFFRES, decimal_places=DECIMALES)
    sens = models.CharField("sens de la cible", max_length=10, choices=Sens.choices)
    frequence = models.CharField("fréquence de mesure", max_length=15, choices=Frequence.choices)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="responsable"
    )
    source = models.CharField("source", max_length=300, blank=True)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    archive_le = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["intitule", "pk"]

    def __str__(self) -> str:
        return self.intitule


class Mesure(models.Model):
    """La valeur d'un indicateur sur une période (désignée par son premier jour)."""

    indicateur = models.ForeignKey(Indicateur, on_delete=models.PROTECT, related_name="mesures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    periode = models.DateField("période")
    valeur = models.DecimalField("valeur", max_digits=CHIFFRES, decimal_places=DECIMALES)
    commentaire = models.TextField("commentaire", blank=True, max_length=2000)
    saisie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saisie_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicateur", "periode", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "periode"], name="une_mesure_par_periode")
        ]

    def __str__(self) -> str:
        return f"{self.indicateur} — {self.periode:%m/%Y}"


class Ecart(models.Model):
    """L'analyse d'une mesure hors cible, en séance (point « revue des indicateurs »), et l'action
    corrective décidée (Check et Act du PDCA)."""

    point = models.ForeignKey(Point, on_delete=models.PROTECT, related_name="ecarts")
    mesure = models.ForeignKey(Mesure, on_delete=models.PROTECT, related_name="ecarts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    analyse = models.TextField("analyse de l'écart", max_length=4000)
    action = models.TextField("action corrective", blank=True, max_length=4000)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsable de l'action",
    )
    echeance = models.DateField("échéance de l'action", null=True, blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["point", "pk"]
        constraints = [models.UniqueConstraint(fields=["point", "mesure"], name="un_ecart_par_point")]

    def __str__(self) -> str:
        return f"Écart — {self.mesure}"
