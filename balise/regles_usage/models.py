"""Les règles d'usage de l'IA d'une organisation : ses versions (brouillon → publiée → remplacée), les
informations données aux agents par service, et les prises de connaissance individuelles.

Les règles d'une version sont une liste ordonnée gardée avec elle (`regles`, JSON) : chacune a un sens
(à faire / à ne pas faire), un texte, une origine (jeu de départ, charte, propre à l'organisation) et,
pour le jeu de départ, son identifiant et ses sources. Une version publiée ne change plus."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation


class Origine(models.TextChoices):
    DEPART = "depart", "Jeu de départ de Balise"
    CHARTE = "charte", "Charte de l'organisation"
    PROPRE = "propre", "Propre à l'organisation"


class SensRegle(models.TextChoices):
    FAIRE = "faire", "À faire"
    NE_PAS_FAIRE = "ne_pas_faire", "À ne pas faire"


class VersionRegles(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        PUBLIEE = "publiee", "Publiée"
        REMPLACEE = "remplacee", "Remplacée"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="versions_regles")
    numero = models.PositiveIntegerField("numéro")
    statut = models.CharField("statut", max_length=12, choices=Statut.choices, default=Statut.BROUILLON)
    titre = models.CharField("titre", max_length=200)
    introduction = models.TextField("introduction", blank=True)
    regles = models.JSONField("règles", default=list)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="créée par"
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="publiée par",
    )
    publiee_le = models.DateTimeField("publiée le", null=True, blank=True)
    remplacee_le = models.DateTimeField("remplacée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-numero"]
        verbose_name = "version des règles d'usage"
        verbose_name_plural = "versions des règles d'usage"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "numero"], name="regles_numero_unique"),
            # Une seule version publiée, un seul brouillon à la fois.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(statut="publiee"),
                name="regles_une_seule_publiee",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(statut="brouillon"),
                name="regles_un_seul_brouillon",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titre} (version n° {self.numero}, {self.get_statut_display().lower()})"

    @property
    def a_faire(self) -> list[dict[str, str]]:
        return [r for r in self.regles if r.get("sens") == SensRegle.FAIRE]

    @property
    def a_ne_pas_faire(self) -> list[dict[str, str]]:
        return [r for r in self.regles if r.get("sens") == SensRegle.NE_PAS_FAIRE]


class Moyen(models.TextChoices):
    REUNION = "reunion", "Réunion"
    COURRIEL = "courriel", "Courriel"
    AFFICHAGE = "affichage", "Affichage"
    INTRANET = "intranet", "Intranet"
    ENTRETIEN = "entretien", "Entretien individuel"
    FORMATION = "formation", "Session de formation"
    AUTRE = "autre", "Autre moyen"


class InformationService(models.Model):
    """Les agents d'un service informés d'une version des règles : combien, quand, comment. Aucun nom."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version_regles = models.ForeignKey(VersionRegles, on_delete=models.CASCADE, related_name="informations")
    service = models.CharField("service", max_length=200)
    effectif_informe = models.PositiveIntegerField("agents informés")
    effectif_service = models.PositiveIntegerField("effectif du service", null=True, blank=True)
    date = models.DateField("date")
    moyen = models.CharField("moyen", max_length=12, choices=Moyen.choices)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "-date", "-pk"]
        verbose_name = "information d'un service"

    def __str__(self) -> str:
        return f"{self.service} : {self.effectif_informe} agents informés le {self.date:%d/%m/%Y}"


class PriseDeConnaissance(models.Model):
    """« J'ai pris connaissance » : une personne, une version publiée, une fois."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version_regles = models.ForeignKey(
        VersionRegles, on_delete=models.CASCADE, related_name="prises_de_connaissance"
    )
    personne = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version_regles", "personne"], name="regles_connaissance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.personne_id} a pris connaissance de la version {self.version_regles_id}"
