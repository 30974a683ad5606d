"""Personnes qui se connectent à Balise, et leurs jetons d'API."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone


class UtilisateurManager(BaseUserManager["Utilisateur"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "Utilisateur":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "Utilisateur":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class Utilisateur(AbstractUser):
    """Une personne ; elle s'identifie par son adresse électronique et peut appartenir à plusieurs organisations."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UtilisateurManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def nom_affiche(self) -> str:
        return self.get_full_name() or self.email


def _empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class JetonAPI(models.Model):
    """Jeton personnel d'accès à l'API : il donne exactement les droits de son titulaire dans les pages.

    Seule l'empreinte SHA-256 est conservée ; le secret n'est montré qu'une fois, à la création.
    """

    PREFIXE = "bal_"

    utilisateur = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="jetons")
    nom = models.CharField("nom", max_length=100)
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    debut = models.CharField("début du jeton", max_length=12, editable=False)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    utilise_le = models.DateTimeField(null=True, blank=True, editable=False)
    revoque_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.debut}…)"

    @classmethod
    def emettre(cls, utilisateur: Utilisateur, nom: str) -> tuple["JetonAPI", str]:
        secret = cls.PREFIXE + secrets.token_urlsafe(32)
        jeton = cls.objects.create(
            utilisateur=utilisateur, nom=nom, empreinte=_empreinte(secret), debut=secret[:12]
        )
        return jeton, secret

    @classmethod
    def authentifier(cls, secret: str) -> Utilisateur | None:
        if not secret.startswith(cls.PREFIXE) or len(secret) > 200:
            return None
        jeton = (
            cls.objects.select_related("utilisateur")
            .filter(empreinte=_empreinte(secret), revoque_le__isnull=True, utilisateur__is_active=True)
            .first()
        )
        if jeton is None:
            return None
        cls.objects.filter(pk=jeton.pk).update(utilise_le=timezone.now())
        return jeton.utilisateur
