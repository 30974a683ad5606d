"""Le programme IA de l'organisation (issue 14, point 5) : l'état des cinq étapes de la démarche
(seed 001:245–271), la feuille de route (seed 001:265 : priorités, moyens, délais, parties prenantes),
les actions de sensibilisation (seed 000:213–218, seed 002:536–549) et la veille (seed 000:207).

Les étapes et les formats sont des identifiants du référentiel (referentiel.py) : un identifiant
inconnu est refusé par les services. Tout ce qui se modifie est historisé (simple-history) ; ce qui se
modifie à plusieurs porte une `version` (verrou optimiste, balise/versions.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation


class EtatEtape(models.Model):
    """L'état d'une étape pour une organisation. Sans ligne, l'étape est « à venir »."""

    class Etat(models.TextChoices):
        A_VENIR = "a_venir", "À venir"
        EN_COURS = "en_cours", "En cours"
        FAITE = "faite", "Faite"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="etapes_programme")
    etape = models.CharField("étape", max_length=40)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.A_VENIR)
    commentaire = models.TextField("commentaire", blank=True, max_length=4000)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "état d'une étape du programme"
        constraints = [models.UniqueConstraint(fields=["organisation", "etape"], name="un_etat_par_etape")]

    def __str__(self) -> str:
        return f"{self.etape} : {self.get_etat_display()}"


class ActionQuerySet(models.QuerySet["Action"]):
    def avec_retard(self, aujourd_hui: date) -> ActionQuerySet:
        """Chaque action porte `en_retard` : échéance passée, ni faite ni abandonnée. La seule règle
        du retard d'une action : elle dépend de la date donnée, jamais d'une écriture."""
        retard = Q(echeance__lt=aujourd_hui) & ~Q(etat__in=Action.TERMINES)
        return self.annotate(en_retard=ExpressionWrapper(retard, output_field=models.BooleanField()))

    def ouvertes(self) -> ActionQuerySet:
        return self.exclude(etat__in=Action.TERMINES)


class Action(models.Model):
    """Une action de la feuille de route."""

    class Priorite(models.TextChoices):
        HAUTE = "haute", "Haute"
        MOYENNE = "moyenne", "Moyenne"
        BASSE = "basse", "Basse"

    class Etat(models.TextChoices):
        A_FAIRE = "a_faire", "À faire"
        EN_COURS = "en_cours", "En cours"
        FAITE = "faite", "Faite"
        ABANDONNEE = "abandonnee", "Abandonnée"

    TERMINES = (Etat.FAITE, Etat.ABANDONNEE)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions_programme")
    intitule = models.CharField("intitulé", max_length=300)
    etape = models.CharField("étape", max_length=40)
    priorite = models.CharField("priorité", max_length=10, choices=Priorite.choices, default=Priorite.MOYENNE)
    budget = models.DecimalField("budget (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    etp = models.DecimalField("ETP", max_digits=6, decimal_places=2, null=True, blank=True)
    moyens = models.TextField("autres moyens", blank=True, max_length=4000)
    echeance = models.DateField("échéance", null=True, blank=True)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_programme",
        verbose_name="responsable",
    )
    parties_prenantes = models.TextField("parties prenantes", blank=True, max_length=4000)
    etat = models.CharField("état", max_length=12, choices=Etat.choices, default=Etat.A_FAIRE)
    faite_le = models.DateField("faite le", null=True, blank=True)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action de la feuille de route"
        indexes = [models.Index(fields=["organisation", "responsable", "echeance"])]

    def __str__(self) -> str:
        return self.intitule


class Sensibilisation(models.Model):
    """Une action de sensibilisation (café IA, webinaire, atelier…) et, si elle a été relevée, la mesure
    de l'appropriation avant et après (seed 000:218)."""

    class Mesure(models.TextChoices):
        AUCUNE = "", "Aucune"
        TAUX = "taux", "Taux (en %)"
        NOTE = "note", "Note sur 10"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sensibilisations")
    format = models.CharField("format", max_length=40)
    intitule = models.CharField("intitulé", max_length=300)
    date = models.DateField("date")
    mesure = models.CharField("mesure de l'appropriation", max_length=4, choices=Mesure.choices, blank=True)
    avant = models.DecimalField("avant", max_digits=5, decimal_places=1, null=True, blank=True)
    apres = models.DecimalField("après", max_digits=5, decimal_places=1, null=True, blank=True)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "action de sensibilisation"

    def __str__(self) -> str:
        return self.intitule


class Participants(models.Model):
    """Le nombre de participants d'un public à une action de sensibilisation (jamais de noms)."""

    class Public(models.TextChoices):
        AGENTS = "agents", "Agents"
        ENCADRANTS = "encadrants", "Encadrants"
        DIRECTION = "direction", "Direction générale"
        ELUS = "elus", "Élus"
        REFERENTS = "referents", "Référents IA"
        PARTENAIRES_SOCIAUX = "partenaires_sociaux", "Représentants du personnel"
        HABITANTS = "habitants", "Habitants"

    sensibilisation = models.ForeignKey(
        Sensibilisation, on_delete=models.CASCADE, related_name="participants"
    )
    public = models.CharField("public", max_length=20, choices=Public.choices)
    nombre = models.PositiveIntegerField("nombre de participants")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "participants"
        constraints = [
            models.UniqueConstraint(fields=["sensibilisation", "public"], name="un_nombre_par_public")
        ]

    def __str__(self) -> str:
        return f"{self.get_public_display()} : {self.nombre}"


class NoteVeille(models.Model):
    """Une note de veille datée, sa source et ses étiquettes, lue par les personnes de l'organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notes_veille")
    date = models.DateField("date")
    titre = models.CharField("titre", max_length=300)
    resume = models.TextField("résumé", max_length=8000)
    source = models.URLField("source", max_length=1000)
    # Les étiquettes, en minuscules, séparées et encadrées par « ; » (« ;ai act;cnil; ») : filtrer par
    # étiquette est un `contains` exact de « ;étiquette; », sur SQLite comme sur PostgreSQL.
    etiquettes = models.CharField("étiquettes", max_length=1000, blank=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "note de veille"

    def __str__(self) -> str:
        return self.titre

    @property
    def liste_etiquettes(self) -> list[str]:
        return [e for e in self.etiquettes.split(";") if e]
