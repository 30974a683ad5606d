"""Les organisations (locataires de Balise) et l'appartenance des personnes à chacune."""

import secrets
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
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
LONGUEUR_SLUG = 80
# Les 64 premiers bits de l'empreinte suffisent à distinguer les logos successifs d'une organisation.
LONGUEUR_VERSION_LOGO = 16


class Organisation(models.Model):
    nom = models.CharField("nom", max_length=200)
    slug = models.SlugField(
        "identifiant d'adresse",
        max_length=LONGUEUR_SLUG,
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
    # Identité visuelle (docs/identite-visuelle.md) : la teinte de ses pages et de son registre public ; la
    # luminance reste celle du DSFR (balise.theme.variables_organisation), donc les contrastes aussi.
    couleur = models.CharField(
        "couleur de l'organisation",
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(r"^#[0-9a-f]{6}$", "Couleur attendue sous la forme #rrggbb (ex. #1f6f8b).")
        ],
        help_text="Teinte des boutons et liens de vos pages et de votre registre public, sous la forme #rrggbb. "
        "Sa clarté est ajustée pour garder les contrastes du système de design.",
    )
    # Le logo en cours (docs/identite-visuelle.md) : l'empreinte SHA-256 de son PNG, parmi les logos
    # déposés (`Logo`), et sa taille affichée dans l'en-tête (attributs width et height : la page ne
    # bouge pas quand l'image arrive). Vide : pas de logo. Changés par services.deposer_logo et
    # retirer_logo seulement, historisés avec le reste de la fiche.
    logo = models.CharField("logo (empreinte)", max_length=64, blank=True, editable=False)
    logo_largeur = models.PositiveSmallIntegerField("largeur affichée du logo", null=True, editable=False)
    logo_hauteur = models.PositiveSmallIntegerField("hauteur affichée du logo", null=True, editable=False)
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

    @property
    def version_logo(self) -> str:
        """Ce qui désigne le logo en cours dans son adresse (`?v=`) : le début de son empreinte."""
        return self.logo[:LONGUEUR_VERSION_LOGO]


class Logo(models.Model):
    """Un logo déposé par une organisation, ré-encodé en PNG (balise/organisations/logos.py).

    Rangé en base plutôt que parmi les documents : quelques dizaines de kilo-octets, lus par une seule
    adresse publique, sauvegardés et restaurés avec la base (`sauvegarder`, `restaurer`). Aucun n'est
    effacé : l'organisation désigne le sien par son empreinte (`Organisation.logo`), un logo remplacé ou
    retiré reste ici, avec qui l'a déposé et quand. Un même fichier déposé deux fois est une seule ligne.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="logos")
    empreinte = models.CharField("empreinte SHA-256 du PNG", max_length=64)
    png = models.BinaryField("image PNG")
    largeur = models.PositiveSmallIntegerField("largeur (pixels)")
    hauteur = models.PositiveSmallIntegerField("hauteur (pixels)")
    nom_original = models.CharField("nom du fichier déposé", max_length=255, blank=True)
    depose_le = models.DateTimeField("déposé le", default=timezone.now, editable=False)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "logo d'organisation"
        verbose_name_plural = "logos d'organisations"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "empreinte"], name="un_logo_par_empreinte")
        ]

    def __str__(self) -> str:
        return f"Logo de {self.organisation_id} ({self.empreinte[:12]})"


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


def _expiration_invitation() -> datetime:
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


class EvenementJournalQuerySet(models.QuerySet["EvenementJournal"]):
    def update(self, **champs: Any) -> int:
        # Seule exception : Django efface l'auteur d'un compte supprimé (on_delete=SET_NULL).
        if champs.keys() != {"par"} or champs["par"] is not None:
            raise TypeError("Le journal ne se modifie pas : on y ajoute seulement.")
        return super().update(**champs)

    def delete(self) -> NoReturn:
        raise TypeError("Le journal ne s'efface pas.")


class EvenementJournal(models.Model):
    """Une opération notée au journal de l'organisation, avec son auteur et sa date.

    Le journal garde ce qui n'a pas d'historique propre, ou dont l'objet disparaît : un import des
    effectifs effacé (sans rien des agents : le nom du fichier, sa date, ses nombres de lignes), une
    invitation annulée, un document ou une fiche archivés puis restaurés. Chaque service l'écrit dans
    la transaction de son opération. On n'y fait qu'ajouter : ni modification ni suppression, dans
    l'application comme dans l'administration ; il survit même à la suppression de l'organisation,
    comme les tables d'historique (pas de contrainte de clé étrangère).
    """

    class Nature(models.TextChoices):
        INVITATION_ANNULEE = "invitation_annulee", "Invitation annulée"
        FICHE_ARCHIVEE = "fiche_archivee", "Fiche archivée"
        FICHE_RESTAUREE = "fiche_restauree", "Fiche restaurée"
        DOCUMENT_ARCHIVE = "document_archive", "Document archivé"
        DOCUMENT_RESTAURE = "document_restaure", "Document restauré"
        IMPORT_EFFACE = "import_efface", "Import des effectifs effacé"
        INSTANCE_ARCHIVEE = "instance_archivee", "Instance archivée"
        INSTANCE_RESTAUREE = "instance_restauree", "Instance restaurée"
        POLITIQUE_PORTES = "politique_portes", "Politique des portes changée"
        CHARTE_ADOPTEE = "charte_adoptee", "Charte de l'IA adoptée"
        CONVENTION_PROPOSEE = "convention_proposee", "Convention de mutualisation proposée"
        CONVENTION_DEMANDEE = "convention_demandee", "Convention de mutualisation demandée"
        CONVENTION_SIGNEE = "convention_signee", "Convention de mutualisation signée"
        CONVENTION_REFUSEE = "convention_refusee", "Convention de mutualisation refusée"
        CONVENTION_TERMINEE = "convention_terminee", "Convention de mutualisation terminée"
        POUR_LE_COMPTE_DE = "pour_le_compte_de", "Action pour le compte de l'organisation"
        MODELE_PARTAGE = "modele_partage", "Modèle partagé avec les membres"
        MODELE_RETIRE = "modele_retire", "Partage d'un modèle retiré"
        MODELE_REPRIS = "modele_repris", "Modèle d'une mutualisante repris"
        CONTENU_SENSIBLE_LU = "contenu_sensible_lu", "Requête sensible de la passerelle lue"
        CONTENUS_SENSIBLES_EFFACES = "contenus_sensibles_effaces", "Requêtes sensibles effacées à échéance"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    le = models.DateTimeField("date", default=timezone.now, editable=False)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="par"
    )
    nature = models.CharField("événement", max_length=40, choices=Nature.choices)
    objet = models.CharField("objet", max_length=255)
    details = models.JSONField("détails", default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EvenementJournalQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des organisations"
        ordering = ["-le", "-pk"]
        indexes = [models.Index(fields=["organisation", "-le", "-id"], name="journal_org_date")]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} : {self.objet}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Le journal ne se modifie pas : on y ajoute seulement.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Le journal ne s'efface pas.")


class DemandeAdhesion(models.Model):
    """Une collectivité demande à rejoindre l'instance, sans compte ; l'administrateur de l'instance
    l'approuve (l'organisation et son premier administrateur sont créés) ou la refuse avec un motif.

    La collectivité est choisie dans le référentiel livré (balise/organisations/collectivites.py) : son
    nom, son type, son SIREN et sa population en sont copiés au moment de la demande."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        APPROUVEE = "approuvee", "Approuvée"
        REFUSEE = "refusee", "Refusée"

    code_collectivite = models.CharField("code dans le référentiel", max_length=12)
    nom = models.CharField("collectivité", max_length=200)
    type = models.CharField("type", max_length=20, choices=TypeOrganisation.choices)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    prenom = models.CharField("prénom du premier administrateur", max_length=150)
    nom_administrateur = models.CharField("nom du premier administrateur", max_length=150)
    email = models.EmailField("adresse électronique du premier administrateur")
    fonction = models.CharField("fonction", max_length=150)
    creee_le = models.DateTimeField("demandée le", default=timezone.now, editable=False)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motif_refus = models.TextField("motif du refus", blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande d'adhésion"
        verbose_name_plural = "demandes d'adhésion"
        ordering = ["-creee_le"]
        constraints = [
            # Une seule demande en attente par collectivité : deux envois simultanés n'en font pas deux.
            models.UniqueConstraint(
                fields=["code_collectivite"],
                condition=models.Q(statut="en_attente"),
                name="une_demande_en_attente_par_collectivite",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_statut_display()})"

    @property
    def nom_complet_administrateur(self) -> str:
        return f"{self.prenom} {self.nom_administrateur}"
