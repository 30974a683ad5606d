"""Personnes qui se connectent à Balise, et leurs jetons d'API."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UtilisateurManager(BaseUserManager["Utilisateur"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "Utilisateur":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "Utilisateur":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class Utilisateur(AbstractUser):
    """Une personne ; elle s'identifie par son adresse électronique et peut appartenir à plusieurs organisations."""

    username = None  # type: ignore[assignment]  # les stubs ne prévoient pas de retirer le champ
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # Les stubs annoncent le UserManager d'AbstractUser, qui crée par username : celui-ci crée par adresse.
    objects: ClassVar[UtilisateurManager] = UtilisateurManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def nom_affiche(self) -> str:
        return self.get_full_name() or self.email


def empreinte_secret(secret: str) -> str:
    """L'empreinte SHA-256 sous laquelle un secret (jeton, clé personnelle) est gardé et retrouvé."""
    return hashlib.sha256(secret.encode()).hexdigest()


# Sa dernière utilisation n'est réécrite qu'une fois par minute au plus : l'API est appelée par des
# programmes, parfois des milliers de fois par minute, et une date à la minute suffit pour juger
# d'un jeton oublié ou détourné.
PAS_DERNIERE_UTILISATION = timedelta(minutes=1)


def echeance_par_defaut() -> datetime:
    return timezone.now() + timedelta(days=settings.JETON_API_DUREE_PAR_DEFAUT)


class JetonAPI(models.Model):
    """Jeton personnel d'accès à l'API : il donne exactement les droits de son titulaire dans les pages,
    dans chacune de ses organisations, jusqu'à son échéance ou sa révocation.

    Seule l'empreinte SHA-256 est conservée ; le secret n'est montré qu'une fois, à la création.
    Création et révocation sont historisées (qui, quand) ; la dernière utilisation ne l'est pas.
    """

    PREFIXE = "bal_"

    utilisateur = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="jetons")
    nom = models.CharField("nom", max_length=100)
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    debut = models.CharField("début du jeton", max_length=12, editable=False)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    expire_le = models.DateTimeField("expire le", default=echeance_par_defaut)
    utilise_le = models.DateTimeField(null=True, blank=True, editable=False)
    revoque_le = models.DateTimeField(null=True, blank=True)
    revoque_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["utilise_le"])

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.debut}…)"

    @property
    def actif(self) -> bool:
        return self.revoque_le is None and self.expire_le > timezone.now()

    @classmethod
    def emettre(
        cls, utilisateur: Utilisateur, nom: str, expire_le: datetime | None = None
    ) -> tuple["JetonAPI", str]:
        secret = cls.PREFIXE + secrets.token_urlsafe(32)
        jeton = cls(
            utilisateur=utilisateur,
            nom=nom,
            empreinte=empreinte_secret(secret),
            debut=secret[:12],
            expire_le=expire_le or echeance_par_defaut(),
        )
        jeton._history_user = utilisateur  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
        jeton.save()
        return jeton, secret

    @classmethod
    def trouver(cls, secret: str) -> "JetonAPI | None":
        """Le jeton de ce secret, actif ou non, avec son titulaire ; une requête, jamais de cache : une
        révocation vaut dès l'appel suivant."""
        if not secret.startswith(cls.PREFIXE) or len(secret) > 200:
            return None
        return cls.objects.select_related("utilisateur").filter(empreinte=empreinte_secret(secret)).first()

    def noter_utilisation(self) -> None:
        """Date la dernière utilisation, une fois par minute au plus (`PAS_DERNIERE_UTILISATION`)."""
        maintenant = timezone.now()
        if self.utilise_le is None or maintenant - self.utilise_le >= PAS_DERNIERE_UTILISATION:
            type(self).objects.filter(pk=self.pk).update(utilise_le=maintenant)
            self.utilise_le = maintenant


class IdentiteOIDC(models.Model):
    """Le lien entre un compte Balise et la personne telle que le fournisseur d'identité la nomme
    (`iss`, `sub`), posé à sa première connexion par ce fournisseur (balise/comptes/oidc.py).

    Ensuite, c'est lui qui désigne le compte, et non l'adresse : une adresse réattribuée chez le
    fournisseur à quelqu'un d'autre n'ouvre pas le compte de la personne qui l'avait, et un compte dont
    l'adresse change chez l'un ou chez l'autre reste le même. Un compte a une identité par fournisseur."""

    utilisateur = models.ForeignKey(Utilisateur, on_delete=models.CASCADE, related_name="identites_oidc")
    emetteur = models.CharField("fournisseur (émetteur)", max_length=300)
    sub = models.CharField("identifiant chez le fournisseur", max_length=255)
    liee_le = models.DateTimeField("liée le", default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "identité chez le fournisseur d'identité"
        verbose_name_plural = "identités chez le fournisseur d'identité"
        constraints = [
            models.UniqueConstraint(fields=["emetteur", "sub"], name="identite_oidc_unique"),
            models.UniqueConstraint(fields=["utilisateur", "emetteur"], name="une_identite_par_fournisseur"),
        ]

    def __str__(self) -> str:
        return f"{self.utilisateur} chez {self.emetteur}"
