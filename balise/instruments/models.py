"""Les instruments et les évaluations des systèmes d'IA (PRODUCT.md C2).

Une évaluation garde pour toujours la version de la définition avec laquelle elle a été faite :
une adaptation ou une nouvelle version nationale crée une nouvelle ligne `DefinitionInstrument`,
jamais une modification de l'ancienne.
"""

from functools import cached_property

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from .definition import LIBELLES_MOMENTS, Definition, Moment, valider


class DefinitionInstrument(models.Model):
    # Vide pour une définition nationale (livrée avec Balise), sinon l'organisation qui l'a adaptée.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="instruments"
    )
    code = models.CharField("identifiant", max_length=60)
    version = models.PositiveIntegerField()
    titre = models.CharField(max_length=2000)
    contenu = models.JSONField("définition validée")
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adaptations"
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "définition d'instrument"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(organisation__isnull=True),
                name="definition_nationale_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="definition_adaptee_unique"
            ),
        ]

    def __str__(self) -> str:
        auteur = f" ({self.organisation})" if self.organisation_id else ""
        return f"{self.titre} — v{self.version}{auteur}"

    @cached_property
    def definition(self) -> Definition:
        return valider(self.contenu)

    @property
    def nationale(self) -> bool:
        return self.organisation_id is None


class Profil(models.TextChoices):
    """D'où parle un évaluateur : c'est ce qui permet de voir si encadrement et agents divergent."""

    DIRECTION = "direction", "Direction ou encadrement"
    AGENT = "agent", "Agent utilisateur"
    ELU = "elu", "Élu"
    NUMERIQUE = "numerique", "Numérique (DSI)"
    JURIDIQUE = "juridique", "Juridique ou protection des données"
    REPRESENTANT = "representant", "Représentant du personnel"
    AUTRE = "autre", "Autre"


class _SurUnSysteme(models.Model):
    """Ce qu'ont en commun une évaluation et une consultation : un système, un instrument, un moment."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="%(class)ss")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="%(class)ss")
    instrument = models.ForeignKey(DefinitionInstrument, on_delete=models.PROTECT, related_name="%(class)ss")
    moment = models.CharField(max_length=20, choices=[(m.value, LIBELLES_MOMENTS[m]) for m in Moment])
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-cree_le", "-pk"]


class Evaluation(_SurUnSysteme):
    class Statut(models.TextChoices):
        EN_COURS = "en_cours", "En cours"
        FINALISEE = "finalisee", "Finalisée"

    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_COURS)
    finalisee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalisee_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.instrument.titre} — {self.get_moment_display()}"

    @property
    def finalisee(self) -> bool:
        return self.statut == self.Statut.FINALISEE


class Evaluateur(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evaluateurs")
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    profil = models.CharField(max_length=20, choices=Profil.choices)
    invite_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invite_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "utilisateur"], name="un_evaluateur_par_personne")
        ]
        ordering = ["invite_le", "pk"]

    def __str__(self) -> str:
        return f"{self.utilisateur} ({self.get_profil_display()})"


class Reponse(models.Model):
    """La cotation d'un item par un évaluateur : une note, « sans objet » ou des choix, et un commentaire."""

    evaluateur = models.ForeignKey(Evaluateur, on_delete=models.CASCADE, related_name="reponses")
    item = models.CharField(max_length=60)
    valeur = models.SmallIntegerField(null=True, blank=True)
    sans_objet = models.BooleanField(default=False)
    choix = models.JSONField(default=list, blank=True)
    commentaire = models.TextField(blank=True, max_length=2000)
    modifiee_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluateur", "item"], name="une_reponse_par_item")]

    def __str__(self) -> str:
        return f"{self.item} = {self.valeur}"


class Consultation(_SurUnSysteme):
    """Un questionnaire ouvert aux agents par un lien, sans compte ; réponses anonymes."""

    # Jeton imprévisible (secrets.token_urlsafe) : il ne donne que le droit de répondre.
    jeton = models.CharField(max_length=64, unique=True)
    ouverte = models.BooleanField(default=True)
    close_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.instrument.titre} — {self.systeme}"


class ReponseAnonyme(models.Model):
    """Les réponses d'une personne à une consultation : ni compte, ni adresse, ni heure précise."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reponses")
    # item → {"valeur": int | None, "sans_objet": bool, "choix": [str]}
    reponses = models.JSONField()
    recue_le = models.DateField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Réponse à « {self.consultation} »"
