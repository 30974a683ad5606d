"""Les rapports produits : un par demande, gardés comme documents versionnés (rapport annuel de l'année N,
version 1, 2…). Les trois fichiers (PDF, ODT, DOCX) sont écrits ensemble, dans la transaction finale du
travail de fond : un rapport a ses trois formats ou n'a pas de version."""

from django.conf import settings
from django.db import models

from balise.organisations.models import Organisation
from balise.travaux.models import Travail

FORMATS = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class RapportQuerySet(models.QuerySet["Rapport"]):
    def sans_fichiers(self) -> "RapportQuerySet":
        return self.defer(*FORMATS)


class Rapport(models.Model):
    class Genre(models.TextChoices):
        ANNUEL = "annuel", "Rapport annuel (élus et assemblée)"
        DIALOGUE_SOCIAL = "dialogue_social", "Dossier du dialogue social (CST, F3SCT)"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="rapports")
    genre = models.CharField(max_length=20, choices=Genre.choices)
    annee = models.PositiveSmallIntegerField("année")
    debut = models.DateField("début de la période")
    fin = models.DateField("fin de la période")
    # Numéro dans la suite des rapports de ce genre et de cette année ; donné quand le rapport est produit.
    version = models.PositiveIntegerField(null=True, blank=True)
    titre = models.CharField(max_length=300, blank=True)
    travail = models.OneToOneField(Travail, on_delete=models.PROTECT, related_name="rapport", null=True)
    demande_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    demande_le = models.DateTimeField(auto_now_add=True)
    produit_le = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    odt = models.BinaryField(null=True, blank=True)
    docx = models.BinaryField(null=True, blank=True)

    objects = RapportQuerySet.as_manager()

    class Meta:
        ordering = ["-annee", "genre", "-version", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "genre", "annee", "version"], name="une_version_par_rapport"
            )
        ]

    def __str__(self) -> str:
        suite = f" v{self.version}" if self.version else ""
        return f"{self.get_genre_display()} {self.annee}{suite}"

    @property
    def produit(self) -> bool:
        return self.produit_le is not None

    def nom_fichier(self, format_: str) -> str:
        nom = "rapport-annuel" if self.genre == self.Genre.ANNUEL else "dossier-dialogue-social"
        return f"{nom}-{self.organisation.slug}-{self.annee}-v{self.version}.{format_}"
