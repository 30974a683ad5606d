"""Les instruments et les évaluations des systèmes d'IA (PRODUCT.md C2).

Une évaluation garde pour toujours la version de la définition avec laquelle elle a été faite :
une adaptation ou une nouvelle version nationale crée une nouvelle ligne `DefinitionInstrument`,
jamais une modification de l'ancienne.
"""

from datetime import date
from functools import cached_property

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from .definition import LIBELLES_MOMENTS, Definition, Moment, valider


class DefinitionInstrument(models.Model):
    # Vide pour une définition nationale (livrée avec Balise), sinon l'organisation qui l'a adaptée.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="instruments"
    )
    code = models.CharField("identifiant", max_length=60)
    version = models.PositiveIntegerField()
    titre = models.CharField(max_length=2000)
    contenu = models.JSONField("définition validée")
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adaptations"
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "définition d'instrument"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(organisation__isnull=True),
                name="definition_nationale_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="definition_adaptee_unique"
            ),
        ]

    def __str__(self) -> str:
        auteur = f" ({self.organisation})" if self.organisation_id else ""
        return f"{self.titre} — v{self.version}{auteur}"

    @cached_property
    def definition(self) -> Definition:
        return valider(self.contenu)

    @property
    def nationale(self) -> bool:
        return self.organisation_id is None


class Profil(models.TextChoices):
    """D'où parle un évaluateur : c'est ce qui permet de voir si encadrement et agents divergent."""

    DIRECTION = "direction", "Direction ou encadrement"
    AGENT = "agent", "Agent utilisateur"
    ELU = "elu", "Élu"
    NUMERIQUE = "numerique", "Numérique (DSI)"
    JURIDIQUE = "juridique", "Juridique ou protection des données"
    REPRESENTANT = "representant", "Représentant du personnel"
    AUTRE = "autre", "Autre"


class _SurUnSysteme(models.Model):
    """Ce qu'ont en commun une évaluation et une consultation : un système, un instrument, un moment."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="%(class)ss")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="%(class)ss")
    instrument = models.ForeignKey(DefinitionInstrument, on_delete=models.PROTECT, related_name="%(class)ss")
    moment = models.CharField(max_length=20, choices=[(m.value, LIBELLES_MOMENTS[m]) for m in Moment])
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-cree_le", "-pk"]


class Evaluation(_SurUnSysteme):
    class Statut(models.TextChoices):
        EN_COURS = "en_cours", "En cours"
        FINALISEE = "finalisee", "Finalisée"

    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_COURS)
    finalisee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalisee_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.instrument.titre} — {self.get_moment_display()}"

    @property
    def finalisee(self) -> bool:
        return self.statut == self.Statut.FINALISEE

    @property
    def importee(self) -> "ProvenanceEvaluation | None":
        """D'où vient une évaluation reprise d'un fichier portable ; None pour une évaluation faite ici.
        Sans `select_related("provenance")`, une requête."""
        try:
            return self.provenance
        except ProvenanceEvaluation.DoesNotExist:
            return None


class ProvenanceEvaluation(models.Model):
    """Une évaluation reprise du fichier portable d'un système (registre/portable.py) : faite dans une
    autre organisation, elle arrive finalisée, et seules ses réponses agrégées ont voyagé
    (instruments/agregats.py), sans personne ni commentaire : ses évaluateurs n'ont ici ni compte ni
    ligne `Evaluateur`, seulement leur nombre par profil. Qui l'a importée et quand : `cree_par` et
    `cree_le` de l'évaluation, dont la première version historisée porte la provenance en motif.
    Rien ne la modifie ensuite."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, primary_key=True, related_name="provenance"
    )
    origine = models.CharField("organisation où elle a été faite", max_length=300)
    exportee_le = models.DateTimeField("date du fichier portable")
    evaluateurs = models.PositiveIntegerField("évaluateurs de l'organisation d'origine")
    # agregats.Agregat validé à l'import : profils, réponses par item et profil, points de la matrice.
    reponses = models.JSONField("réponses agrégées")

    class Meta:
        verbose_name = "provenance d'une évaluation importée"

    def __str__(self) -> str:
        return f"Importée de « {self.origine} »"


class Evaluateur(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evaluateurs")
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    profil = models.CharField(max_length=20, choices=Profil.choices)
    invite_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invite_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "utilisateur"], name="un_evaluateur_par_personne")
        ]
        ordering = ["invite_le", "pk"]

    def __str__(self) -> str:
        return f"{self.utilisateur} ({self.get_profil_display()})"


class Reponse(models.Model):
    """La cotation d'un item par un évaluateur : une note, « sans objet » ou des choix, et un commentaire."""

    evaluateur = models.ForeignKey(Evaluateur, on_delete=models.CASCADE, related_name="reponses")
    item = models.CharField(max_length=60)
    valeur = models.SmallIntegerField(null=True, blank=True)
    sans_objet = models.BooleanField(default=False)
    choix = models.JSONField(default=list, blank=True)
    commentaire = models.TextField(blank=True, max_length=2000)
    modifiee_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluateur", "item"], name="une_reponse_par_item")]

    def __str__(self) -> str:
        return f"{self.item} = {self.valeur}"


class Consultation(_SurUnSysteme):
    """Un questionnaire ouvert aux agents sans compte ; réponses anonymes (docs/instruments.md).

    Deux modes : des codes de participation à usage unique, imprimés par groupe d'agents (par
    défaut), ou un lien ouvert que toute personne qui l'a peut utiliser, plusieurs fois si elle le
    veut : un choix explicite, signalé comme tel à qui pilote et freiné par des limites d'envoi.
    """

    class Mode(models.TextChoices):
        CODES = "codes", "Codes de participation"
        LIEN_OUVERT = "lien_ouvert", "Lien ouvert"

    # Jeton imprévisible (secrets.token_urlsafe) : l'adresse du questionnaire. En lien ouvert, il
    # donne le droit de répondre ; avec des codes, il ne mène qu'à la page où l'on saisit son code.
    jeton = models.CharField(max_length=64, unique=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.CODES)
    # Ouverte avant l'arrivée des codes : passée en lien ouvert par la migration, et signalée.
    lien_ouvert_herite = models.BooleanField("lien ouvert hérité d'une version antérieure", default=False)
    echeance = models.DateField("dernier jour pour répondre", null=True, blank=True)
    ouverte = models.BooleanField(default=True)
    close_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_le = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.instrument.titre} — {self.systeme}"

    @property
    def avec_codes(self) -> bool:
        return self.mode == self.Mode.CODES

    def echue(self, aujourd_hui: date) -> bool:
        return self.echeance is not None and aujourd_hui > self.echeance


class GroupeCodes(models.Model):
    """Les codes de participation remis à un groupe d'agents (« Service des eaux ») : seulement des nombres.

    Ni l'heure ni l'ordre d'utilisation d'un code ne sont écrits : un code utilisé disparaît de
    `CodeParticipation`, et le nombre de codes utilisés se déduit (générés − retirés − restants).
    Rien n'est écrit ici quand un agent répond ; l'historique ne garde que les générations et les
    retraits, faits et attribués par qui pilote.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="groupes")
    libelle = models.CharField("groupe d'agents", max_length=100)
    nb_generes = models.PositiveIntegerField("codes générés", default=0)
    nb_retires = models.PositiveIntegerField("codes retirés", default=0)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "groupe de codes de participation"
        ordering = ["libelle", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "libelle"], name="un_groupe_par_libelle")
        ]

    def __str__(self) -> str:
        return self.libelle


class CodeParticipation(models.Model):
    """Un code pas encore utilisé, gardé sous sa seule empreinte (HMAC-SHA256 par une clé du serveur).

    L'empreinte est la clé primaire : pas de compteur qui dirait dans quel ordre les codes ont été
    imprimés. Pas de date, pas d'historique : utiliser un code supprime sa ligne, dans la
    transaction qui enregistre la réponse, sans rien écrire d'autre qui les relierait.
    """

    empreinte = models.CharField(max_length=64, primary_key=True)
    # Redondante avec le groupe : la consommation est une suppression conditionnelle sur une seule table.
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    groupe = models.ForeignKey(GroupeCodes, on_delete=models.CASCADE, related_name="codes")

    class Meta:
        verbose_name = "code de participation"

    def __str__(self) -> str:
        return "Code de participation"


class ReponseAnonyme(models.Model):
    """Les réponses d'une personne à une consultation : ni compte, ni adresse, ni heure précise, ni code."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reponses")
    # item → {"valeur": int | None, "sans_objet": bool, "choix": [str]}
    reponses = models.JSONField()
    recue_le = models.DateField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Réponse à « {self.consultation} »"
