"""Formation et acculturation à l'IA (AI Act, art. 4 ; PRODUCT.md, programme de l'organisation).

Les paliers, les populations de référence et le catalogue national sont des fichiers YAML
(`referentiel.py`) ; l'organisation tient ici ses populations (effectif, cible, systèmes utilisés),
ses propres offres et ses sessions. Une session compte des participants par population et par
service : aucun nom n'est demandé.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from balise.historiques import HistoriqueAvecLiensInverses
from balise.metiers.models import GroupeSuivi
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from . import referentiel

EFFECTIF_MAXIMUM = 5_000_000  # au-delà, une faute de frappe : aucune organisation n'a autant d'agents


class Population(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="populations_formation"
    )
    code = models.CharField(
        "population de référence", max_length=60, blank=True, help_text="Vide : population propre."
    )
    titre = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True, max_length=2000)
    palier = models.CharField("palier visé", max_length=40)
    cible = models.PositiveSmallIntegerField("cible de couverture (%)", validators=[MaxValueValidator(100)])
    tous_les_agents = models.BooleanField(
        "tous les agents", default=False, help_text="Effectif lu dans le total du tableau des effectifs."
    )
    groupe = models.ForeignKey(
        GroupeSuivi,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="populations_formation",
        verbose_name="groupe exposé (tableau des effectifs)",
        help_text="L'effectif est alors celui du groupe dans le dernier tableau des effectifs importé.",
    )
    effectif_saisi = models.PositiveIntegerField(
        "effectif saisi",
        null=True,
        blank=True,
        validators=[MaxValueValidator(EFFECTIF_MAXIMUM)],
        help_text="Utilisé quand le tableau des effectifs ne donne pas l'effectif (ou le tient secret).",
    )
    systemes = models.ManyToManyField(
        SystemeIA,
        blank=True,
        related_name="populations_formation",
        verbose_name="systèmes d'IA utilisés par cette population",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoriqueAvecLiensInverses(m2m_fields=[systemes], excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "population à former"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "titre"], name="une_population_par_intitule")
        ]

    def __str__(self) -> str:
        return self.titre

    def get_palier_display(self) -> str:
        palier = referentiel.populations().palier(self.palier)
        return palier.titre if palier else self.palier


class OffreFormation(models.Model):
    """Une offre propre à l'organisation (les offres nationales sont dans le catalogue livré)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offres_formation")
    titre = models.CharField("intitulé", max_length=200)
    organisme = models.CharField("organisme", max_length=200)
    format = models.CharField("format", max_length=20, choices=referentiel.choix_formats())
    public = models.CharField("public", max_length=200)
    palier = models.CharField("palier", max_length=40)
    duree_heures = models.DecimalField(
        "durée (heures)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    description = models.TextField("description", blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoriqueAvecLiensInverses(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "offre de formation"
        ordering = ["titre", "pk"]

    def __str__(self) -> str:
        return self.titre


class SessionFormation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sessions_formation"
    )
    offre_catalogue = models.CharField("offre du catalogue", max_length=60, blank=True)
    offre = models.ForeignKey(
        OffreFormation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name="offre de l'organisation",
    )
    date = models.DateField("date")
    palier = models.CharField("palier", max_length=40)
    commentaire = models.TextField("commentaire", blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoriqueAvecLiensInverses(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "session de formation"
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.titre_offre} — {self.date:%d/%m/%Y}"

    @property
    def titre_offre(self) -> str:
        if self.offre_id:
            return self.offre.titre  # type: ignore[union-attr]
        offre = referentiel.catalogue().offre(self.offre_catalogue)
        return offre.titre if offre else self.offre_catalogue

    def get_palier_display(self) -> str:
        palier = referentiel.populations().palier(self.palier)
        return palier.titre if palier else self.palier


class Participation(models.Model):
    """Des participants d'une session, comptés pour une population et un service."""

    session = models.ForeignKey(SessionFormation, on_delete=models.CASCADE, related_name="participations")
    population = models.ForeignKey(Population, on_delete=models.PROTECT, related_name="participations")
    service = models.CharField("service", max_length=200, blank=True)
    nombre = models.PositiveIntegerField("participants", validators=[MaxValueValidator(EFFECTIF_MAXIMUM)])
    history = HistoriqueAvecLiensInverses()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.population} ({self.service or 'tous services'}) : {self.nombre}"
