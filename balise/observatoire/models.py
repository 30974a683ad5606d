"""L'observatoire : le choix de chaque organisation (ce qu'elle apporte au-delà de son registre public)
et les relevés calculés par le processus de fond (docs/observatoire.md)."""

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation


class Participation(models.Model):
    """Ce qu'une organisation apporte à l'observatoire. Sans ligne : son registre public seulement."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="participation_observatoire"
    )
    contribue = models.BooleanField(
        "contribuer au-delà du registre public",
        default=False,
        help_text="Systèmes non publiés, charte adoptée, comité, agents formés, usage de la passerelle "
        "d'IA générative (requêtes, refus, personnes, empreinte) : comptés dans les statistiques "
        "anonymes, jamais montrés à part.",
    )
    partage_metiers = models.BooleanField(
        "partager l'exposition des métiers",
        default=False,
        help_text="Effectifs par niveau d'exposition à l'IA, tirés du dernier tableau des effectifs traité.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "participation à l'observatoire"
        verbose_name_plural = "participations à l'observatoire"

    def __str__(self) -> str:
        return f"Observatoire : {self.organisation_id}"


class Releve(models.Model):
    """Un calcul de l'observatoire. `tables` est publié tel quel ; `etats` ne l'est jamais : il garde,
    pour le relevé suivant, la part privée de chaque chiffre (calcul.Etat), et n'est conservé que sur le
    dernier relevé."""

    calcule_le = models.DateTimeField("calculé le", default=timezone.now, db_index=True)
    seuil = models.PositiveSmallIntegerField("seuil du secret statistique")
    version_referentiel = models.PositiveSmallIntegerField()
    organisations = models.PositiveIntegerField("organisations de l'instance")
    contributrices = models.PositiveIntegerField("organisations contributrices")
    tables = models.JSONField("tableaux protégés", default=list)
    # Le total général de chaque tableau (valeur ou secret), lu seul pour l'évolution dans le temps.
    synthese = models.JSONField("totaux des tableaux", default=dict)
    etats = models.JSONField("états pour le relevé suivant (jamais publiés)", default=dict)
    duree = models.FloatField("durée du calcul (secondes)", default=0)

    class Meta:
        verbose_name = "relevé de l'observatoire"
        ordering = ["-calcule_le", "-pk"]

    def __str__(self) -> str:
        return f"Relevé du {self.calcule_le:%d/%m/%Y %H:%M}"


class Planification(models.Model):
    """Une seule ligne (pk=1) : le recalcul attendu dans la file (comme balise/rappels)."""

    tache = models.CharField(max_length=64, blank=True)
    prevue_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "planification de l'observatoire"
        verbose_name_plural = "planification de l'observatoire"

    def __str__(self) -> str:
        return f"Prochain calcul : {self.prevue_le}"
