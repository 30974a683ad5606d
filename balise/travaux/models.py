"""Les travaux longs qu'une personne a demandés et dont elle suit l'avancement (lecture et traitement
d'un tableau des effectifs aujourd'hui ; rapports, courriels, passerelle d'IA demain).

Le travail lui-même est exécuté par un processus de fond (`manage.py travailleur`, file d'attente en
base de django-tasks) ; ce modèle en est le suivi lisible par les pages : étape, avancement, état,
message d'erreur en français, annulation demandée, battement de cœur du processus qui l'exécute.
Il ne contient aucune donnée métier : le domaine qui lance un travail le relie à son propre objet.
"""

from django.conf import settings
from django.db import models

from balise.organisations.models import Organisation


class Travail(models.Model):
    # Heure (time.monotonic) de la dernière écriture de l'avancement par ce processus : en mémoire seulement.
    _ecrit_a: float

    class Nature(models.TextChoices):
        LECTURE_EFFECTIFS = "effectifs.lecture", "Lecture d'un tableau des effectifs"
        TRAITEMENT_EFFECTIFS = "effectifs.traitement", "Traitement d'un tableau des effectifs"
        CONVOCATION_SEANCE = "gouvernance.convocation", "Convocation d'une séance (dossiers et courriels)"
        PRODUCTION_RAPPORT = "rapports.production", "Production d'un rapport (PDF, ODT, DOCX)"
        LECTURE_REGISTRE = "registre.lecture", "Lecture d'un registre existant (tableur)"
        ENREGISTREMENT_REGISTRE = "registre.enregistrement", "Enregistrement d'un registre importé"

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHOUE = "echoue", "Échoué"
        ANNULE = "annule", "Annulé"

    ACTIFS = (Etat.EN_ATTENTE, Etat.EN_COURS)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="travaux")
    nature = models.CharField(max_length=40, choices=Nature.choices)
    etat = models.CharField(max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    etape = models.CharField("étape", max_length=120, blank=True)
    # Pourcentage ; vide tant que l'avancement ne se mesure pas (lecture d'un classeur, par exemple).
    avancement = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.CharField(
        "message", max_length=500, blank=True, help_text="En français, pour la personne."
    )
    annulation_demandee = models.BooleanField(default=False)
    demande_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    annule_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Identifiant de la tâche dans la file de django-tasks (pour l'exploitation).
    tache = models.CharField(max_length=64, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    commence_le = models.DateTimeField(null=True, blank=True)
    battement = models.DateTimeField(null=True, blank=True, help_text="Dernier signe de vie du processus.")
    fini_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "travail de fond"
        verbose_name_plural = "travaux de fond"
        ordering = ["-cree_le", "-pk"]
        indexes = [models.Index(fields=["etat", "battement"], name="travail_etat_battement")]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} ({self.get_etat_display().lower()})"

    @property
    def actif(self) -> bool:
        return self.etat in self.ACTIFS

    @property
    def reussi(self) -> bool:
        return self.etat == self.Etat.TERMINE
