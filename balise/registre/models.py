"""Le registre des systèmes d'IA d'une organisation (PRODUCT.md C1, « sur le modèle du registre RGPD »)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.conformite.regles import DATE_MAX, DATE_MIN
from balise.organisations.models import Organisation

from .cycle_de_vie import Stade
from .referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA

# Les bornes d'une date de mise en service : au-delà, c'est une faute de frappe (« 0224 », « 2204 »). Ce
# sont celles des réponses datées du questionnaire de qualification, que cette date pré-remplit.
MISE_EN_SERVICE_MIN, MISE_EN_SERVICE_MAX = DATE_MIN, DATE_MAX
MESSAGE_MISE_EN_SERVICE = (
    f"La date de mise en service doit être comprise entre le {MISE_EN_SERVICE_MIN:%d/%m/%Y} et le "
    f"{MISE_EN_SERVICE_MAX:%d/%m/%Y}."
)


class SystemeQuerySet(models.QuerySet["SystemeIA"]):
    def actifs(self) -> "SystemeQuerySet":
        return self.filter(archive_le__isnull=True)

    def publics(self) -> "SystemeQuerySet":
        return self.actifs().filter(publie=True)


class SystemeIA(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="systemes")

    # Identification et finalité
    nom = models.CharField("nom", max_length=200)
    finalite = models.TextField("finalité", help_text="À quoi sert le système, quel problème il résout.")
    service = models.CharField("service porteur", max_length=200)
    responsable = models.CharField("responsable (nom et fonction)", max_length=200)
    domaine = models.CharField("domaine", max_length=40, choices=Domaine.choices)
    type_ia = models.CharField("type d'IA", max_length=20, choices=TypeIA.choices)
    cible = models.CharField("utilisateurs et bénéficiaires", max_length=20, choices=Cible.choices)
    positionnement = models.CharField("positionnement", max_length=20, choices=Positionnement.choices)
    usage_non_declare = models.BooleanField(
        "usage découvert dans un service (« shadow IA »)",
        default=False,
        help_text="Usage repéré dans un service sans avoir été déclaré ni décidé.",
    )

    # Solution technique
    realisation = models.CharField("réalisation", max_length=20, choices=Realisation.choices)
    fournisseur = models.CharField("fournisseur ou éditeur", max_length=200, blank=True)
    modeles = models.CharField("modèle(s) utilisé(s)", max_length=300, blank=True)
    hebergement = models.CharField("lieu d'hébergement", max_length=20, choices=Hebergement.choices)
    hebergeur = models.CharField("hébergeur", max_length=200, blank=True)

    # Données
    donnees = models.TextField("données utilisées", blank=True)
    sources_donnees = models.TextField("sources des données", blank=True)
    donnees_personnelles = models.BooleanField("utilise des données personnelles", default=False)
    donnees_sensibles = models.BooleanField(
        "utilise des données sensibles (art. 9 RGPD)",
        default=False,
        help_text="Santé, opinions, origine, orientation sexuelle, données biométriques…",
    )

    # Place dans les décisions et contrôle humain
    contribution_decision = models.TextField(
        "contribution aux décisions",
        blank=True,
        help_text="Comment le système intervient dans les décisions prises par l'administration.",
    )
    decision_individuelle = models.BooleanField(
        "intervient dans des décisions administratives individuelles", default=False
    )
    regles_traitement = models.TextField(
        "règles et principaux paramètres du traitement",
        blank=True,
        help_text="Pour les décisions individuelles : les règles qui définissent le traitement, ses "
        "principaux paramètres et leur pondération, les opérations qu'il effectue (CRPA, art. L312-1-3 "
        "et R311-3-1-2). Publié au registre public.",
    )
    supervision_humaine = models.TextField("supervision humaine", blank=True)
    mode_degrade = models.TextField("mode dégradé (continuité de service)", blank=True)

    # Coûts et bénéfices
    # Un coût n'est jamais négatif (l'API le refusait déjà ; les pages l'acceptaient).
    cout_investissement = models.DecimalField(
        "coût d'investissement (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cout_annuel = models.DecimalField(
        "coût annuel de fonctionnement (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    benefices_attendus = models.TextField("bénéfices attendus", blank=True)

    # Cycle de vie
    stade = models.CharField("stade", max_length=20, choices=Stade.choices, default=Stade.IDEE)
    # La date qui fait courir le calendrier du règlement européen sur l'IA (art. 111(2) : un système à haut
    # risque mis sur le marché ou en service avant la date pivot bénéficie d'une transition). Proposée
    # d'après le passage en production (services.changer_stade), jamais écrasée une fois saisie.
    mis_en_service_le = models.DateField(
        "date de mise en service",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MISE_EN_SERVICE_MIN, message=MESSAGE_MISE_EN_SERVICE),
            MaxValueValidator(MISE_EN_SERVICE_MAX, message=MESSAGE_MISE_EN_SERVICE),
        ],
        help_text="Date à laquelle le système a été mis en service pour la collectivité ou, pour un produit "
        "acheté tel quel, mis sur le marché de l'Union européenne ; effective ou prévue. Remplie au passage "
        "en production si elle est vide. La qualification réglementaire s'en sert pour les délais de "
        "transition du règlement européen sur l'IA.",
    )
    motif_fin = models.TextField("motif de l'arrêt ou de l'abandon", blank=True)

    # Registre public (CRPA)
    publie = models.BooleanField("publié au registre public", default=False)
    contact = models.EmailField(
        "contact pour le public", blank=True, help_text="À défaut, le contact de l'organisation est affiché."
    )

    # Identifiant de la ligne dans le registre que l'organisation tenait avant Balise (tableur) : un nouvel
    # import du même tableur met à jour la fiche au lieu d'en créer une autre. Unique dans l'organisation.
    identifiant_externe = models.CharField(
        "identifiant dans le registre d'origine", max_length=100, blank=True, default=""
    )

    # Identifiant stable des jeux de données ouverts : il ne change jamais, même si la fiche est renommée.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Verrou optimiste : chaque enregistrement incrémente la version ; une sauvegarde fondée sur une
    # version périmée est refusée (voir services.modifier_systeme).
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    archive_le = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["modifie_le"])
    objects = SystemeQuerySet.as_manager()

    class Meta:
        verbose_name = "système d'IA"
        verbose_name_plural = "systèmes d'IA"
        ordering = ["nom", "id"]
        indexes = [
            models.Index(fields=["organisation", "archive_le", "nom"], name="systeme_org_liste"),
            models.Index(fields=["organisation", "publie", "archive_le"], name="systeme_org_public"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "identifiant_externe"],
                condition=~models.Q(identifiant_externe=""),
                name="systeme_identifiant_externe_unique",
                violation_error_message="Une autre fiche de l'organisation porte déjà cet identifiant.",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def archive(self) -> bool:
        return self.archive_le is not None

    @property
    def contact_public(self) -> str:
        return self.contact or self.organisation.contact_public


class ChangementStade(models.Model):
    """Un passage d'un stade à un autre, avec son motif : la chronologie du projet. Une publication
    au registre public qui a forcé sa porte y figure aussi (nature « publication », stade inchangé)."""

    class Nature(models.TextChoices):
        STADE = "stade", "Changement de stade"
        PUBLICATION = "publication", "Publication au registre public"

    systeme = models.ForeignKey(SystemeIA, on_delete=models.CASCADE, related_name="changements_stade")
    nature = models.CharField(max_length=20, choices=Nature.choices, default=Nature.STADE)
    depuis = models.CharField(max_length=20, choices=Stade.choices)
    vers = models.CharField(max_length=20, choices=Stade.choices)
    motif = models.TextField(blank=True)
    # Porte du cycle de vie passée sans être franchie, par un administrateur qui l'a justifié
    # (gouvernance/portes.py) : les critères qui manquaient sont gardés tels qu'ils étaient.
    porte_forcee = models.BooleanField("porte passée sans être franchie", default=False)
    justification = models.TextField("justification du passage", blank=True, max_length=4000)
    criteres_manquants = models.JSONField("critères manquants", default=list, blank=True)
    # La politique des portes qui s'appliquait au passage (« nationale v1 », « adaptée n° 2 ») ; vide
    # pour les passages enregistrés avant que les organisations puissent l'adapter.
    politique = models.CharField("politique des portes appliquée", max_length=60, blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-le", "-id"]

    def __str__(self) -> str:
        return f"{self.get_depuis_display()} → {self.get_vers_display()}"


def _chemin_document(instance: "Document", nom: str) -> str:
    # Nom de fichier aléatoire : le nom d'origine (non fiable) n'est jamais utilisé sur le disque.
    return f"org-{instance.systeme.organisation_id}/{uuid.uuid4().hex}{PurePath(nom).suffix.lower()}"


class Document(models.Model):
    systeme = models.ForeignKey(SystemeIA, on_delete=models.CASCADE, related_name="documents")
    titre = models.CharField("titre", max_length=200)
    fichier = models.FileField(upload_to=_chemin_document, max_length=300)
    nom_original = models.CharField(max_length=255)
    type_mime = models.CharField(max_length=100)
    taille = models.PositiveIntegerField()
    depose_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    depose_le = models.DateTimeField(default=timezone.now)
    archive_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-depose_le"]

    def __str__(self) -> str:
        return self.titre


class ImportRegistre(models.Model):
    """Un registre tenu dans un tableur (XLSX, ODS, CSV), repris dans Balise (balise/registre/reprise/ ;
    docs/reprise-registre.md).

    Lecture et enregistrement sont des travaux de fond (balise/travaux) ; entre les deux, la personne
    choisit les colonnes et la correspondance des valeurs, voit l'aperçu et confirme : rien n'est écrit
    au registre avant. Le fichier (converti en CSV, compressé) est gardé jusqu'à l'enregistrement."""

    class Etat(models.TextChoices):
        LECTURE = "lecture", "Lecture du fichier"
        CORRESPONDANCE = "correspondance", "Correspondances à vérifier"
        ENREGISTREMENT = "enregistrement", "Enregistrement"
        TERMINE = "termine", "Importé"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports_registre")
    nom_fichier = models.CharField("fichier", max_length=255)
    format = models.CharField(max_length=10)
    etat = models.CharField(max_length=16, choices=Etat.choices, default=Etat.LECTURE)
    contenu = models.BinaryField(null=True, editable=False)
    travail = models.ForeignKey(
        "travaux.Travail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entetes = models.JSONField(default=list)
    colonnes = models.JSONField("colonnes", default=dict, help_text="Champ de Balise → en-tête du fichier.")
    colonnes_choisies = models.BooleanField("colonnes vérifiées", default=False)
    valeurs = models.JSONField(
        "correspondance des valeurs",
        default=dict,
        help_text="Champ à liste → {valeur du fichier → code de Balise} ; la valeur vide vaut pour les "
        "cellules vides et pour toutes les lignes si la colonne est absente.",
    )
    # Les fiches à mettre à jour et la version vue à la confirmation : une fiche modifiée entre-temps
    # fait échouer l'enregistrement entier (verrou optimiste), rien n'est écrit.
    versions_vues = models.JSONField(default=dict)
    crees = models.PositiveIntegerField("fiches créées", default=0)
    mises_a_jour = models.PositiveIntegerField("fiches mises à jour", default=0)
    inchangees = models.PositiveIntegerField("fiches inchangées", default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    confirme_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    termine_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["contenu", "versions_vues"])

    class Meta:
        verbose_name = "import d'un registre existant"
        ordering = ["-cree_le", "-pk"]

    def __str__(self) -> str:
        return f"{self.nom_fichier} ({self.cree_le:%d/%m/%Y})"

    @property
    def bilan(self) -> str:
        """« 30 fiches créées, 1 mise à jour, 0 inchangée » (accord du français : 0 et 1 au singulier)."""
        c, m, i = self.crees, self.mises_a_jour, self.inchangees
        return (
            f"{c} fiche{'s' if c > 1 else ''} créée{'s' if c > 1 else ''}, {m} mise{'s' if m > 1 else ''} "
            f"à jour, {i} inchangée{'s' if i > 1 else ''}"
        )

    @property
    def en_travail(self) -> bool:
        return self.etat in (self.Etat.LECTURE, self.Etat.ENREGISTREMENT) and (
            self.travail is not None and self.travail.actif
        )
