"""La bibliothèque partagée des cas d'usage (issue 17, point 4).

Un cas d'usage vient soit du catalogue livré (exemples documentés des textes sources), soit d'une
organisation qui partage un système de son registre. Ce qui est partagé est une COPIE choisie au
moment du partage : le cas ne suit pas la fiche, et la fiche ne révèle rien d'autre. Aucun nom de
personne n'y est copié (pas de responsable) ; le contact est une adresse fonctionnelle saisie par qui
partage. Retirer un partage l'archive : il sort de la bibliothèque, son historique reste.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation, TypeOrganisation
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Cible, Domaine, Positionnement, Realisation, TypeIA


class CasQuerySet(models.QuerySet["CasUsage"]):
    def visibles(self) -> CasQuerySet:
        """Les cas que montre la bibliothèque : tous sauf les partages retirés."""
        return self.filter(retire_le__isnull=True)


class CasUsage(models.Model):
    class Origine(models.TextChoices):
        CATALOGUE = "catalogue", "Exemple documenté"
        PARTAGE = "partage", "Partagé par une organisation"

    origine = models.CharField("origine", max_length=20, choices=Origine.choices)
    # Catalogue : l'identifiant du cas dans le fichier livré (stable) ; partage : vide.
    identifiant = models.CharField("identifiant du catalogue", max_length=60, blank=True, default="")
    version_catalogue = models.PositiveIntegerField("version du catalogue", null=True, blank=True)

    titre = models.CharField("titre", max_length=200)
    collectivite = models.CharField("collectivité", max_length=200)
    type_collectivite = models.CharField(
        "type de collectivité", max_length=20, choices=TypeOrganisation.choices
    )
    domaine = models.CharField("domaine", max_length=40, choices=Domaine.choices)
    type_ia = models.CharField("type d'IA", max_length=20, choices=TypeIA.choices)
    realisation = models.CharField("réalisation", max_length=20, choices=Realisation.choices)
    cible = models.CharField("utilisateurs et bénéficiaires", max_length=20, choices=Cible.choices)
    positionnement = models.CharField("positionnement", max_length=20, choices=Positionnement.choices)
    stade = models.CharField("stade atteint", max_length=20, choices=Stade.choices, blank=True)
    fournisseur = models.CharField("fournisseur ou éditeur", max_length=200, blank=True)
    finalite = models.TextField("finalité", max_length=4000)
    # [{"libelle": "Temps de travail avant", "valeur": "1100", "unite": "heures"}, …] : les chiffres
    # mesurés (coûts, gains), valeur en texte décimal.
    mesures = models.JSONField("coûts et bénéfices mesurés", default=list, blank=True)
    resultats_instruments = models.TextField("résultats des évaluations", max_length=4000, blank=True)
    decision = models.TextField("décision prise", max_length=4000, blank=True)
    lecons = models.TextField("enseignements", max_length=4000, blank=True)
    contact = models.EmailField(
        "adresse de contact",
        blank=True,
        help_text="Une adresse fonctionnelle (d'un service), jamais celle d'une personne.",
    )
    sources = models.CharField("sources", max_length=500, blank=True)

    # Un partage : l'organisation et le système dont il est la copie (qui a partagé : l'historique).
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cas_partages",
        verbose_name="organisation qui partage",
    )
    systeme = models.OneToOneField(
        SystemeIA,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cas_partage",
        verbose_name="système partagé",
    )

    # Le texte cherché : titre, collectivité, finalité, fournisseur, décision, enseignements, libellés
    # des mesures et des vocabulaires, en minuscules et sans accents (services.texte_de_recherche).
    # Sur PostgreSQL, une colonne générée `recherche_fts` en tient le vecteur français, indexé (GIN) :
    # migration 0002.
    recherche = models.TextField(editable=False, default="")

    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    retire_le = models.DateTimeField("retiré le", null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["modifie_le", "recherche"])
    objects = CasQuerySet.as_manager()

    class Meta:
        verbose_name = "cas d'usage"
        verbose_name_plural = "cas d'usage"
        ordering = ["-cree_le", "-id"]
        # Les plus récents des cas visibles : l'ordre de la bibliothèque sans mot, et des recherches larges.
        indexes = [
            models.Index(
                fields=["-cree_le", "-id"],
                condition=models.Q(retire_le__isnull=True),
                name="cas_visibles_recents",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifiant"], condition=~models.Q(identifiant=""), name="cas_identifiant_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(origine="catalogue", organisation__isnull=True)
                    | models.Q(origine="partage", organisation__isnull=False, identifiant="")
                ),
                name="cas_origine_coherente",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titre} ({self.collectivite})"

    @property
    def retire(self) -> bool:
        return self.retire_le is not None

    @property
    def du_catalogue(self) -> bool:
        return self.origine == self.Origine.CATALOGUE


class Adoption(models.Model):
    """Une organisation a repris un cas : une fiche de son registre, au stade idée, en est née."""

    cas = models.ForeignKey(CasUsage, on_delete=models.PROTECT, related_name="adoptions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="adoptions_cas")
    systeme = models.OneToOneField(SystemeIA, on_delete=models.PROTECT, related_name="adoption_cas")
    adopte_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopte_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "adoption d'un cas d'usage"
        ordering = ["-adopte_le", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} ← {self.cas}"
