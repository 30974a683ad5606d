"""Les organisations (locataires de Balise) et l'appartenance des personnes à chacune."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .roles import Role


class TypeOrganisation(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI / intercommunalité"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    CDG = "cdg", "Centre de gestion"
    SYNDICAT_MIXTE = "syndicat_mixte", "Syndicat mixte"
    AUTRE = "autre", "Autre"


def valider_siren(valeur: str) -> None:
    """Un SIREN a 9 chiffres et respecte la clé de Luhn (INSEE)."""
    if not (len(valeur) == 9 and valeur.isdigit()):
        raise ValidationError("Le SIREN doit compter exactement 9 chiffres.")
    total = 0
    for i, c in enumerate(reversed(valeur)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    if total % 10:
        raise ValidationError("Ce SIREN n'est pas valide (clé de contrôle incorrecte).")


# Forme d'un identifiant d'adresse ; ce qui ne l'a pas ne désigne aucune organisation.
FORME_SLUG = r"^[a-z0-9-]+$"


class Organisation(models.Model):
    nom = models.CharField("nom", max_length=200)
    slug = models.SlugField(
        "identifiant d'adresse",
        max_length=80,
        unique=True,
        validators=[RegexValidator(FORME_SLUG, "Minuscules, chiffres et tirets uniquement.")],
        help_text="Utilisé dans l'adresse du registre public : /public/<identifiant>/",
    )
    type = models.CharField("type", max_length=20, choices=TypeOrganisation.choices)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[valider_siren])
    population = models.PositiveIntegerField("population", null=True, blank=True)
    nombre_agents = models.PositiveIntegerField("nombre d'agents", null=True, blank=True)
    contact_public = models.EmailField(
        "contact pour le public",
        blank=True,
        help_text="Adresse affichée sur le registre public pour les questions des usagers.",
    )
    # Secret statistique des analyses d'effectifs (balise.metiers.secret) : aucun chiffre portant
    # sur moins de `seuil_secret` agents n'est affiché ni exporté ; jamais moins de 3.
    seuil_secret = models.PositiveSmallIntegerField(
        "seuil du secret statistique",
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text="Aucun chiffre portant sur moins d'agents n'est affiché ni exporté (3 au minimum).",
    )
    creee_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)
    # « Génération » des données de l'organisation, avancée à chaque modification de ce que montrent
    # ses pages en cache : clé de ce cache (balise/cache_pages.py).
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "organisation"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Adhesion(models.Model):
    """Le rôle d'une personne dans une organisation (une personne peut en avoir plusieurs)."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adhesions"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="adhesions")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    creee_le = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "adhésion"
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "organisation"], name="une_adhesion_par_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.utilisateur} — {self.organisation} ({self.get_role_display()})"


def _jeton_invitation() -> str:
    return secrets.token_urlsafe(32)


def _expiration_invitation():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """Invitation à rejoindre une organisation ; le lien (jeton non devinable) vaut 14 jours."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    jeton = models.CharField(max_length=64, unique=True, default=_jeton_invitation, editable=False)
    invitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    creee_le = models.DateTimeField(default=timezone.now, editable=False)
    expire_le = models.DateTimeField(default=_expiration_invitation)
    acceptee_le = models.DateTimeField(null=True, blank=True)
    annulee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-creee_le"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def valide(self) -> bool:
        return self.acceptee_le is None and self.annulee_le is None and self.expire_le > timezone.now()
