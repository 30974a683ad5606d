"""La passerelle d'IA générative : le catalogue des modèles approuvés, les conversations des agents et
le journal de chaque requête (docs/passerelle.md).

Un `Fournisseur` est un service qui parle l'API compatible OpenAI (Albert, Mistral, OVHcloud,
Scaleway, un serveur vLLM ou Ollama local) : son adresse, sa clé chiffrée, son hébergement. Un
`ModeleCatalogue` est un modèle de ce fournisseur que l'organisation approuve : les classes de données
qu'il peut recevoir, ses prix, et la fiche du registre à laquelle il correspond (l'usage d'un modèle par
la passerelle est un système d'IA comme un autre, qualifié comme tel).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Hebergement

# L'hébergement d'un fournisseur se dit comme celui d'une fiche du registre, mais se sait toujours.
HEBERGEMENTS = [(v, libelle) for v, libelle in Hebergement.choices if v != Hebergement.INCONNU]


class Fournisseur(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fournisseurs_ia")
    nom = models.CharField(
        "nom", max_length=120, help_text="Par exemple : Albert API, Mistral, Ollama du service informatique."
    )
    url_base = models.URLField(
        "adresse de l'API",
        max_length=300,
        help_text="L'adresse compatible OpenAI, jusqu'à /v1 : https://albert.api.etalab.gouv.fr/v1",
    )
    # La clé n'est jamais relue par une page : chiffrée (chiffrement.py), on n'en montre que la fin.
    cle_chiffree = models.BinaryField(editable=False, default=b"")
    cle_fin = models.CharField("fin de la clé", max_length=4, blank=True, editable=False)
    hebergement = models.CharField("hébergement", max_length=8, choices=HEBERGEMENTS)
    delai_s = models.PositiveSmallIntegerField(
        "délai de réponse (secondes)",
        default=60,
        help_text="Au-delà, l'agent lit que le modèle n'a pas répondu.",
    )
    actif = models.BooleanField("actif", default=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["cle_chiffree"])

    class Meta:
        ordering = ["nom", "pk"]
        verbose_name = "fournisseur de modèles"
        verbose_name_plural = "fournisseurs de modèles"
        constraints = [models.UniqueConstraint(fields=["organisation", "nom"], name="fournisseur_nom_unique")]

    def __str__(self) -> str:
        return self.nom


class ModeleCatalogue(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="modeles_ia")
    fournisseur = models.ForeignKey(Fournisseur, on_delete=models.PROTECT, related_name="modeles")
    identifiant = models.CharField(
        "identifiant chez le fournisseur",
        max_length=200,
        help_text="Tel que l'API le nomme : mistral-small-latest.",
    )
    libelle = models.CharField("nom affiché aux agents", max_length=120)
    # Classes de données que ce modèle peut recevoir en clair (politique.CLASSES) ; « publique » toujours.
    classes_permises = models.JSONField("données qu'il peut recevoir", default=list, blank=True)
    prix_entree_million = models.DecimalField(
        "prix d'un million de jetons envoyés (€ HT)", max_digits=10, decimal_places=4, null=True, blank=True
    )
    prix_sortie_million = models.DecimalField(
        "prix d'un million de jetons reçus (€ HT)", max_digits=10, decimal_places=4, null=True, blank=True
    )
    jetons_max = models.PositiveIntegerField("jetons reçus au plus par réponse", default=2000)
    # Pour l'empreinte (empreinte.py) : le nom du fournisseur et du modèle chez EcoLogits, ou, à défaut,
    # le nombre de paramètres d'un modèle ouvert (en milliards). Rien : empreinte non estimée.
    ecologits_fournisseur = models.CharField("fournisseur chez EcoLogits", max_length=60, blank=True)
    ecologits_modele = models.CharField("modèle chez EcoLogits", max_length=120, blank=True)
    parametres_actifs_milliards = models.DecimalField(
        "paramètres actifs (milliards)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    parametres_totaux_milliards = models.DecimalField(
        "paramètres au total (milliards)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    systeme = models.ForeignKey(
        SystemeIA,
        on_delete=models.PROTECT,
        related_name="modeles_passerelle",
        verbose_name="fiche du registre",
    )
    actif = models.BooleanField("proposé aux agents", default=True)
    # Repris d'une mutualisante (balise/mutualisation/modeles_partages.py) : le modèle passe par SON
    # fournisseur, dont la clé reste chez elle ; le membre n'y accède que tant que le partage et la
    # convention sont ouverts (disponibles.py).
    amont = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reprises",
        verbose_name="modèle de la mutualisante",
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["libelle", "pk"]
        verbose_name = "modèle approuvé"
        verbose_name_plural = "modèles approuvés"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "libelle"], name="modele_catalogue_libelle_unique"
            )
        ]

    def __str__(self) -> str:
        return self.libelle


class Conversation(models.Model):
    """Les échanges d'un agent avec un modèle : seul l'agent les lit (selectors.conversations)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    personne = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    modele = models.ForeignKey(ModeleCatalogue, on_delete=models.PROTECT, related_name="+")
    titre = models.CharField("titre", max_length=120)
    creee_le = models.DateTimeField(auto_now_add=True)
    modifiee_le = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-modifiee_le", "-pk"]
        indexes = [models.Index(fields=["organisation", "personne", "-modifiee_le"])]

    def __str__(self) -> str:
        return self.titre


class Message(models.Model):
    """Un message tel que l'agent l'a écrit ou lu (réponse restaurée), jamais tel qu'il est parti."""

    class Role(models.TextChoices):
        AGENT = "user", "Agent"
        MODELE = "assistant", "Modèle"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    contenu = models.TextField()
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.contenu[:40]}"


class Action(models.TextChoices):
    ENVOYE = "envoyer", "Envoyée telle quelle"
    PSEUDONYMISE = "pseudonymiser", "Envoyée pseudonymisée"
    REFUSE = "refuser", "Refusée avant l'envoi"
    ERREUR = "erreur", "Envoyée, sans réponse du fournisseur"


class Canal(models.TextChoices):
    PAGE = "page", "Page de conversation"
    API = "api", "API compatible OpenAI"


class Requete(models.Model):
    """Le journal d'une requête : qui, quel service, quel modèle, ce qui a été trouvé et fait, combien
    cela a coûté. Jamais le texte : seul celui des requêtes sensibles est gardé, chiffré (ContenuSensible)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    personne = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    service = models.CharField("service", max_length=200, blank=True)
    modele = models.ForeignKey(ModeleCatalogue, on_delete=models.PROTECT, related_name="requetes")
    canal = models.CharField(max_length=4, choices=Canal.choices)
    le = models.DateTimeField("le", db_index=True)
    action = models.CharField(max_length=14, choices=Action.choices)
    classes = models.JSONField("classes de données trouvées", default=list)
    types = models.JSONField("types de données trouvés", default=list)
    jetons_entree = models.PositiveIntegerField(default=0)
    jetons_sortie = models.PositiveIntegerField(default=0)
    jetons_estimes = models.BooleanField(default=False)
    latence_ms = models.PositiveIntegerField(null=True)
    analyse_ms = models.PositiveIntegerField("durée de l'analyse (ms)", default=0)
    erreur = models.CharField(max_length=20, blank=True)
    cout_euros = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    energie_wh = models.FloatField(null=True)
    ges_gco2e = models.FloatField(null=True)
    eau_l = models.FloatField(null=True)

    class Meta:
        ordering = ["-le", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "le"]),
            models.Index(fields=["modele", "le"]),
        ]

    def __str__(self) -> str:
        return f"Requête du {self.le:%d/%m/%Y %H:%M} ({self.get_action_display().lower()})"


class ContenuSensible(models.Model):
    """Le texte d'une requête où une donnée sensible a été trouvée : chiffré, horodaté, gardé le temps
    que l'organisation fixe, lu seulement par le DPO ou le RSSI (chaque lecture notée avec sa raison)."""

    requete = models.OneToOneField(Requete, on_delete=models.CASCADE, related_name="contenu_sensible")
    chiffre = models.BinaryField()
    garder_jusqu_au = models.DateField("gardé jusqu'au", db_index=True)

    def __str__(self) -> str:
        return f"Contenu sensible de la requête {self.requete_id}"


MENTION_PAR_DEFAUT = "Texte produit avec l'aide d'une IA générative, relu par un agent."


class Reglages(models.Model):
    """Les réglages de la passerelle d'une organisation (une ligne, créée au premier enregistrement)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="reglages_passerelle"
    )
    # AI Act, art. 50 : dire qu'un contenu a été produit par une IA. Accompagne chaque réponse, copiée ou exportée.
    mention = models.CharField(
        "mention des textes produits par l'IA", max_length=300, default=MENTION_PAR_DEFAUT
    )
    conservation_jours = models.PositiveSmallIntegerField(
        "conservation des requêtes sensibles (jours)",
        default=365,
        help_text="Au-delà, le contenu chiffré est effacé par le processus de fond ; le journal reste.",
    )
    # Les termes de l'organisation qui ne doivent pas sortir (dossiers, projets, personnes), un par ligne.
    termes_propres = models.TextField(
        "termes propres à l'organisation",
        blank=True,
        max_length=20000,
        help_text="Un par ligne : noms de dossiers, de projets, de personnes. Ils sont traités comme des données internes.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réglages de la passerelle"

    def __str__(self) -> str:
        return f"Réglages de la passerelle de {self.organisation_id}"

    @property
    def liste_termes(self) -> list[str]:
        return [t.strip() for t in self.termes_propres.splitlines() if t.strip()]


class Profil(models.Model):
    """Le service d'un agent, qu'il indique à sa première utilisation : les totaux et quotas par service."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    personne = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.CharField("votre service", max_length=200)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "personne"], name="profil_passerelle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.personne_id} : {self.service}"


class ClePersonnelle(models.Model):
    """La clé d'un agent pour l'API compatible OpenAI (`/v1/…`) : elle vaut pour une organisation, dont
    elle applique le catalogue, les règles et le journal. Seule l'empreinte est gardée ; le secret n'est
    montré qu'une fois."""

    PREFIXE = "balp_"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    personne = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nom = models.CharField(
        "nom", max_length=100, help_text="Où vous l'utilisez : « Extension du navigateur »…"
    )
    empreinte = models.CharField(max_length=64, unique=True, editable=False)
    debut = models.CharField(max_length=12, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    revoquee_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "clé personnelle de la passerelle"

    def __str__(self) -> str:
        return f"{self.nom} ({self.debut}…)"


class LectureContenu(models.Model):
    """Une lecture du texte chiffré d'une requête sensible : qui, quand, pourquoi. Gardée même quand le
    contenu est effacé à échéance (elle est liée à la requête, qui reste au journal)."""

    requete = models.ForeignKey(Requete, on_delete=models.CASCADE, related_name="lectures")
    lecteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raison = models.CharField("raison de la lecture", max_length=500)
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-le", "-pk"]
        verbose_name = "lecture d'un contenu sensible"

    def __str__(self) -> str:
        return f"Lecture de la requête {self.requete_id} le {self.le:%d/%m/%Y %H:%M}"


class Planification(models.Model):
    """Une seule ligne (pk=1) : l'effacement quotidien des contenus échus attendu dans la file (comme
    balise/rappels et balise/observatoire)."""

    tache = models.CharField(max_length=64, blank=True)
    prevue_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "planification de l'effacement des contenus sensibles"

    def __str__(self) -> str:
        return f"Prochain effacement : {self.prevue_le}"


class Quota(models.Model):
    """Un plafond mensuel de la passerelle : pour chaque personne, ou pour un service entier. Un mois
    civil ; atteint, la requête est refusée avant l'analyse, avec un message qui dit quand il se renouvelle."""

    class Portee(models.TextChoices):
        PERSONNE = "personne", "Chaque personne"
        SERVICE = "service", "Un service"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    portee = models.CharField("s'applique à", max_length=8, choices=Portee.choices)
    service = models.CharField("service", max_length=200, blank=True, help_text="Pour un quota de service.")
    requetes_par_mois = models.PositiveIntegerField("requêtes par mois", null=True, blank=True)
    euros_par_mois = models.DecimalField(
        "euros HT par mois", max_digits=10, decimal_places=2, null=True, blank=True
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["portee", "service", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "portee", "service"], name="quota_unique"),
            models.CheckConstraint(
                condition=models.Q(requetes_par_mois__isnull=False) | models.Q(euros_par_mois__isnull=False),
                name="quota_a_un_plafond",
            ),
        ]

    def __str__(self) -> str:
        qui = self.service if self.portee == self.Portee.SERVICE else "chaque personne"
        return f"Quota de {qui}"


class UsageMensuel(models.Model):
    """Le cumul du journal par mois, modèle, service et personne, tenu à chaque requête notée (usage.py) :
    les pages d'usage, le rapport annuel et la fiche lisent quelques milliers de cumuls au lieu de
    centaines de milliers de requêtes. La personne y reste, pour compter les personnes distinctes ; le
    journal (`Requete`) reste la source : `usage.recalculer` refait les cumuls à partir de lui."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mois = models.DateField("mois")  # le premier du mois, à l'heure de Paris
    modele = models.ForeignKey(ModeleCatalogue, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=200, blank=True)
    personne = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requetes = models.PositiveIntegerField(default=0)
    refusees = models.PositiveIntegerField(default=0)
    pseudonymisees = models.PositiveIntegerField(default=0)
    erreurs = models.PositiveIntegerField(default=0)
    jetons_entree = models.PositiveBigIntegerField(default=0)
    jetons_sortie = models.PositiveBigIntegerField(default=0)
    cout = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    energie_wh = models.FloatField(default=0)
    ges_gco2e = models.FloatField(default=0)
    eau_l = models.FloatField(default=0)
    # Requêtes où chaque classe de données a été trouvée.
    avec_interne = models.PositiveIntegerField(default=0)
    avec_personnelle = models.PositiveIntegerField(default=0)
    avec_sensible = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "mois"]), models.Index(fields=["modele", "mois"])]
        constraints = [
            # Une ligne par clé (une personne supprimée laisse des lignes sans personne, comptées à part).
            models.UniqueConstraint(
                fields=["organisation", "mois", "modele", "service", "personne"],
                condition=models.Q(personne__isnull=False),
                name="usage_mensuel_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Usage de {self.mois:%m/%Y} ({self.requetes} requêtes)"
