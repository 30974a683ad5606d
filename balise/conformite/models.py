"""Les qualifications réglementaires des systèmes et les obligations qui en découlent (PRODUCT.md C3)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation
from balise.registre.models import Document, SystemeIA


class Qualification(models.Model):
    """Une qualification d'un système, avec la version des règles qui l'a produite : elle se relit telle quelle."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="qualifications")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="qualifications")
    version_regles = models.PositiveIntegerField()
    reponses = models.JSONField()
    conclusions = models.JSONField(help_text="Identifiants des conclusions retenues.")
    # Les données du registre sur lesquelles la qualification s'est appuyée (pré-remplissage et
    # stade) : si elles changent, le système est signalé pour une nouvelle qualification.
    donnees_registre = models.JSONField()
    a_requalifier = models.BooleanField(default=False)
    motif_requalification = models.TextField(blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        get_latest_by = ["cree_le", "pk"]

    def __str__(self) -> str:
        return f"Qualification de « {self.systeme} » (règles v{self.version_regles})"


class ObligationQuerySet(models.QuerySet["ObligationSuivie"]):
    def avec_retard(self, aujourd_hui: date) -> "ObligationQuerySet":
        """Chaque obligation porte `en_retard` : l'échéance est passée et elle n'est ni faite ni sans
        objet. La seule règle du retard : les pages l'affichent et le comptent à partir d'elle."""
        retard = Q(echeance__lt=aujourd_hui) & ~Q(statut__in=ObligationSuivie.TERMINES)
        return self.annotate(en_retard=ExpressionWrapper(retard, output_field=models.BooleanField()))


class ObligationSuivie(models.Model):
    """Une obligation d'un système : échéance, responsable, état et preuve. Une par système et par règle."""

    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", "À faire"
        EN_COURS = "en_cours", "En cours"
        FAITE = "faite", "Faite"
        SANS_OBJET = "sans_objet", "Sans objet (justifié)"

    TERMINES = (Statut.FAITE, Statut.SANS_OBJET)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="obligations")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="obligations")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="obligations")
    code = models.CharField("règle", max_length=60)
    regime = models.CharField(max_length=10)
    titre = models.CharField(max_length=2000)
    echeance = models.DateField("échéance")
    # Vrai tant que la dernière qualification du système produit encore cette obligation.
    applicable = models.BooleanField(default=True)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsable",
    )
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.A_FAIRE)
    preuve_document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="document de preuve",
    )
    preuve_lien = models.URLField("lien de preuve", blank=True, max_length=500)
    commentaire = models.TextField(blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["echeance", "pk"]
        constraints = [models.UniqueConstraint(fields=["systeme", "code"], name="une_obligation_par_regle")]

    def __str__(self) -> str:
        return self.titre
