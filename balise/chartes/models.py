"""La charte de l'IA d'une organisation, version par version.

Une version naît brouillon (composée depuis les jeux de principes livrés, modifiable), est soumise à
la consultation (un point « charte » à l'ordre du jour d'une séance d'instance), puis adoptée par le
comité de direction ou par délibération ; une nouvelle version adoptée remplace la précédente. Une
seule version est adoptée à la fois (contrainte en base).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation


class VersionCharte(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMISE = "soumise", "Soumise à la consultation"
        ADOPTEE = "adoptee", "Adoptée"
        REMPLACEE = "remplacee", "Remplacée"

    class Mode(models.TextChoices):
        DIRECTION = "direction", "Par le comité de direction"
        DELIBERATION = "deliberation", "Par délibération"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="chartes")
    numero = models.PositiveIntegerField("numéro")
    titre = models.CharField("titre", max_length=200)
    perimetre = models.TextField("périmètre", max_length=4000, blank=True)
    # [{"titre", "explication", "source"}] : copiés des jeux livrés, puis modifiables.
    principes = models.JSONField("principes", default=list)
    engagements = models.JSONField("engagements", default=list)
    lignes_rouges = models.JSONField("lignes rouges", default=list)
    jeux = models.JSONField("jeux de principes d'origine", default=list)
    statut = models.CharField("état", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True, editable=False)
    mode_adoption = models.CharField("mode d'adoption", max_length=20, choices=Mode.choices, blank=True)
    adoptee_le = models.DateField("date d'adoption", null=True, blank=True)
    deliberation_numero = models.CharField("numéro de la délibération", max_length=60, blank=True)
    remplacee_le = models.DateTimeField("remplacée le", null=True, blank=True, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "version de la charte"
        verbose_name_plural = "versions de la charte"
        ordering = ["organisation", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "numero"], name="charte_numero_unique"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(statut="adoptee"), name="charte_une_adoptee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titre} (version {self.numero})"

    @property
    def modifiable(self) -> bool:
        return self.statut == self.Statut.BROUILLON
