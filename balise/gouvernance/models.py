"""La gouvernance (PRODUCT.md C5) : instances, séances, avis, votes, décisions et conditions.

Sources : seed 001 (comité de pilotage IA 001:346 ; comité d'éthique DRH et syndicats du Nord et
arbitrage en comité de direction 001:864–868 ; comité de Paris-Saclay et ses quatre collèges
001:912–939 ; COPIL et COTECH du Golfe de Saint-Tropez 001:955–963 ; revue trimestrielle 001:1059),
seed 002 (comité éthique de Rouen 002:704 ; tester puis déployer ou abandonner 002:598–602),
seed 004 (arbitrage après l'avis d'un comité d'éthique 004:513 ; composition 004:743).

Une instance appartient à une organisation — qui peut être, plus tard, une organisation de
mutualisation : ses points à l'ordre du jour désignent alors des systèmes d'organisations membres.
C'est pourquoi un point, un avis, une décision ou une condition portent l'organisation *du système*
qu'ils concernent, distincte de celle de l'instance.
"""

import uuid
from datetime import date
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from balise.conformite.models import Qualification
from balise.instruments.models import Evaluation
from balise.organisations.models import Invitation, Organisation
from balise.registre.models import Document, SystemeIA
from balise.travaux.models import Travail

# simple-history donne à chaque version historisée une propriété `instance` (l'objet reconstitué) qui
# masque un champ du même nom : une version d'un collège, d'un siège, d'une séance ou d'une décision ne
# pouvait pas être enregistrée (« unexpected keyword arguments: 'instance_id' »). Le lien à l'instance
# n'est donc pas historisé (il ne change pas : un collège, un siège, une séance restent dans la leur) ;
# les tables d'historique n'avaient déjà pas cette colonne.
HISTORIQUE_SANS_INSTANCE = ["instance"]


class Instance(models.Model):
    """Un comité, un COPIL, un comité de direction, une formation du dialogue social…"""

    class Nature(models.TextChoices):
        CONSULTATIVE = "consultative", "Consultative (rend des avis)"
        DECISIONNELLE = "decisionnelle", "Décisionnelle (arbitre et décide)"

    class RegleVote(models.TextChoices):
        MAJORITE_SIMPLE = "majorite_simple", "Majorité simple des suffrages exprimés"
        MAJORITE_ABSOLUE = "majorite_absolue", "Majorité absolue des membres présents"
        DEUX_TIERS = "deux_tiers", "Majorité des deux tiers des suffrages exprimés"
        CONSENSUS = "consensus", "Recherche du consensus (sans vote formel)"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="instances")
    # Le modèle d'instance (balise/gouvernance/modeles/) dont elle est partie ; vide : créée librement.
    modele = models.CharField("modèle", max_length=60, blank=True)
    nom = models.CharField("nom", max_length=200)
    mission = models.TextField("mission", max_length=4000)
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    # Quorum : part des membres à voix délibérative qui doit être présente, en pour cent (0 : aucun).
    quorum_pourcent = models.PositiveSmallIntegerField("quorum (en % des membres votants)", default=50)
    regle_vote = models.CharField(
        "règle de vote", max_length=20, choices=RegleVote.choices, default=RegleVote.MAJORITE_SIMPLE
    )
    avis_publics = models.BooleanField("ses avis sont publiés au registre public", default=False)
    periodicite = models.CharField("périodicité des séances", max_length=200, blank=True)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    archive_le = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["nom", "pk"]

    def __str__(self) -> str:
        return self.nom


class College(models.Model):
    """Un collège d'une instance (ex. académique, experts, élus et cadres, société civile)."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="colleges")
    nom = models.CharField("nom", max_length=200)
    ordre = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=HISTORIQUE_SANS_INSTANCE)

    class Meta:
        ordering = ["ordre", "pk"]
        constraints = [models.UniqueConstraint(fields=["instance", "nom"], name="college_unique")]

    def __str__(self) -> str:
        return self.nom


class Membre(models.Model):
    """Une personne qui siège dans une instance. Une personne extérieure à l'organisation (citoyen,
    expert, universitaire, représentant syndical) y a une adhésion au rôle « membre externe »."""

    class Fonction(models.TextChoices):
        PRESIDENT = "president", "Président ou présidente"
        SECRETAIRE = "secretaire", "Secrétaire"
        MEMBRE = "membre", "Membre"
        INVITE = "invite", "Invité ou invitée (sans voix délibérative)"

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="membres")
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey(
        College, null=True, blank=True, on_delete=models.PROTECT, related_name="membres"
    )
    fonction = models.CharField("fonction", max_length=20, choices=Fonction.choices, default=Fonction.MEMBRE)
    qualite = models.CharField(
        "qualité (ex. représentant syndical, universitaire)", max_length=200, blank=True
    )
    depuis = models.DateField("depuis", default=date.today)
    retire_le = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=HISTORIQUE_SANS_INSTANCE)

    class Meta:
        ordering = ["college__ordre", "fonction", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "utilisateur"],
                condition=Q(retire_le__isnull=True),
                name="un_siege_par_personne",
            )
        ]

    def __str__(self) -> str:
        return f"{self.utilisateur} — {self.instance}"

    @property
    def votant(self) -> bool:
        return self.fonction != self.Fonction.INVITE


class InvitationSiege(models.Model):
    """Le siège proposé à une personne extérieure invitée par courriel (invitation au rôle « membre
    externe ») : à l'acceptation, elle reçoit ce siège (collège, fonction, qualité) dans l'instance."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="siege")
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="invitations")
    college = models.ForeignKey(
        College, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    fonction = models.CharField(
        "fonction", max_length=20, choices=Membre.Fonction.choices, default=Membre.Fonction.MEMBRE
    )
    qualite = models.CharField(
        "qualité (ex. citoyen, universitaire, représentant syndical)", max_length=200, blank=True
    )
    # Le siège créé à l'acceptation.
    membre = models.OneToOneField(
        Membre, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )

    class Meta:
        verbose_name = "invitation à siéger"
        verbose_name_plural = "invitations à siéger"

    def __str__(self) -> str:
        return f"{self.invitation.email} → {self.instance}"


class Seance(models.Model):
    class Statut(models.TextChoices):
        PREVUE = "prevue", "Prévue"
        CONVOQUEE = "convoquee", "Convoquée"
        TENUE = "tenue", "Tenue"
        ANNULEE = "annulee", "Annulée"

    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="seances")
    debut = models.DateTimeField("date et heure")
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=120)
    lieu = models.CharField("lieu ou lien de visioconférence", max_length=300, blank=True)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.PREVUE)
    convoquee_le = models.DateTimeField(null=True, blank=True, editable=False)
    # Le travail de fond de la dernière convocation (dossiers figés, courriels) : son état se lit sur
    # la page de séance.
    travail_convocation = models.ForeignKey(
        Travail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    motif_annulation = models.TextField("motif de l'annulation", blank=True, max_length=2000)
    # Identifiant stable de l'invitation iCalendar (UID) : une convocation modifiée remplace l'ancienne.
    uid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    proces_verbal = models.TextField("procès-verbal", blank=True, max_length=100_000)
    pv_approuve_le = models.DateTimeField(null=True, blank=True, editable=False)
    pv_approuve_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=HISTORIQUE_SANS_INSTANCE)

    class Meta:
        ordering = ["-debut", "pk"]

    def __str__(self) -> str:
        return f"{self.instance} — {timezone.localtime(self.debut):%d/%m/%Y}"


class Presence(models.Model):
    """Présence d'un membre à une séance (le quorum se compte sur les membres votants présents)."""

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="presences")
    membre = models.ForeignKey(Membre, on_delete=models.PROTECT, related_name="presences")
    present = models.BooleanField(default=False)
    excuse = models.BooleanField("excusé", default=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seance", "membre"], name="une_presence_par_membre")]

    def __str__(self) -> str:
        return f"{self.membre} ({'présent' if self.present else 'absent'})"


class Point(models.Model):
    """Un point de l'ordre du jour. Son dossier est figé à la convocation : les membres examinent ce
    qui leur a été envoyé, même si la fiche change ensuite."""

    class Nature(models.TextChoices):
        PORTE = "porte", "Système à un passage de stade"
        EVALUATION = "evaluation", "Évaluation"
        QUALIFICATION = "qualification", "Qualification réglementaire"
        LIBRE = "libre", "Point libre"
        CHARTE = "charte", "Charte de l'IA (consultation)"
        INDICATEURS = "indicateurs", "Revue des indicateurs"

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="points")
    ordre = models.PositiveSmallIntegerField(default=0)
    nature = models.CharField(max_length=20, choices=Nature.choices)
    titre = models.CharField("intitulé", max_length=300)
    description = models.TextField("présentation", blank=True, max_length=10_000)
    # L'organisation du système examiné (celle de l'instance, ou une organisation membre).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    systeme = models.ForeignKey(
        SystemeIA, null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    qualification = models.ForeignKey(
        Qualification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # La version de la charte soumise à la consultation de l'instance (balise/chartes).
    version_charte = models.ForeignKey(
        "chartes.VersionCharte", null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    # Le stade visé, pour un système présenté à un passage de stade.
    stade_vise = models.CharField(max_length=20, blank=True)
    dossier = models.FileField(upload_to="dossiers_seances/%Y/%m/", max_length=300, blank=True)
    dossier_fige_le = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["seance", "ordre", "pk"]

    def __str__(self) -> str:
        return self.titre


class Avis(models.Model):
    """L'avis d'une instance sur un point de l'ordre du jour."""

    class Sens(models.TextChoices):
        FAVORABLE = "favorable", "Favorable"
        RESERVES = "favorable_reserves", "Favorable avec réserves"
        DEFAVORABLE = "defavorable", "Défavorable"
        AJOURNE = "ajourne", "Ajourné"

    point = models.OneToOneField(Point, on_delete=models.PROTECT, related_name="avis")
    sens = models.CharField("avis", max_length=20, choices=Sens.choices)
    motifs = models.TextField("motifs", max_length=20_000)
    opinions_divergentes = models.TextField("opinions divergentes", blank=True, max_length=20_000)
    public = models.BooleanField("publié au registre public", default=False)
    rendu_le = models.DateTimeField(default=timezone.now)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "avis"
        ordering = ["-rendu_le", "pk"]

    def __str__(self) -> str:
        return f"{self.get_sens_display()} — {self.point}"


class Vote(models.Model):
    """Le vote d'un membre sur un point, avec son opinion s'il en exprime une."""

    class Sens(models.TextChoices):
        POUR = "pour", "Pour (favorable)"
        CONTRE = "contre", "Contre (défavorable)"
        ABSTENTION = "abstention", "Abstention"

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="votes")
    membre = models.ForeignKey(Membre, on_delete=models.PROTECT, related_name="votes")
    sens = models.CharField("vote", max_length=20, choices=Sens.choices)
    opinion = models.TextField("opinion", blank=True, max_length=10_000)
    le = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["point", "membre"], name="un_vote_par_membre")]

    def __str__(self) -> str:
        return f"{self.membre} : {self.get_sens_display()}"


class Decision(models.Model):
    """La décision sur un système, prise par l'instance décisionnelle (ou par délibération)."""

    class Sens(models.TextChoices):
        EXPERIMENTER = "experimenter", "Expérimenter"
        PRODUCTION = "mettre_en_production", "Mettre en production"
        POURSUIVRE = "poursuivre", "Poursuivre"
        ARRETER = "arreter", "Arrêter"
        ABANDONNER = "abandonner", "Abandonner"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="decisions")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="decisions")
    instance = models.ForeignKey(
        Instance, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    point = models.ForeignKey(
        Point, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    sens = models.CharField("décision", max_length=30, choices=Sens.choices)
    motifs = models.TextField("motifs", max_length=20_000)
    deliberation_numero = models.CharField("numéro de la délibération", max_length=60, blank=True)
    deliberation_date = models.DateField("date de la délibération", null=True, blank=True)
    public = models.BooleanField("publiée au registre public", default=False)
    decidee_le = models.DateField("date de la décision", default=date.today)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=HISTORIQUE_SANS_INSTANCE)

    class Meta:
        ordering = ["-decidee_le", "-pk"]
        get_latest_by = ["decidee_le", "pk"]

    def __str__(self) -> str:
        return f"{self.get_sens_display()} — {self.systeme}"


class ConditionQuerySet(models.QuerySet["Condition"]):
    def avec_retard(self, aujourd_hui: date) -> "ConditionQuerySet":
        """Chaque condition porte `en_retard` : échéance passée, ni levée ni sans objet (même règle que
        `ObligationQuerySet.avec_retard`, seule source du retard des conditions)."""
        retard = Q(echeance__lt=aujourd_hui) & ~Q(statut__in=Condition.TERMINES)
        return self.annotate(en_retard=ExpressionWrapper(retard, output_field=models.BooleanField()))

    def en_attente(self) -> "ConditionQuerySet":
        return self.exclude(statut__in=Condition.TERMINES)


class Condition(models.Model):
    """Une réserve d'un avis ou une condition d'une décision, suivie jusqu'à ce qu'elle soit levée."""

    class Statut(models.TextChoices):
        A_LEVER = "a_lever", "À lever"
        EN_COURS = "en_cours", "En cours"
        LEVEE = "levee", "Levée"
        SANS_OBJET = "sans_objet", "Sans objet (justifié)"

    TERMINES = (Statut.LEVEE, Statut.SANS_OBJET)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="conditions")
    systeme = models.ForeignKey(SystemeIA, on_delete=models.PROTECT, related_name="conditions")
    avis = models.ForeignKey(Avis, null=True, blank=True, on_delete=models.PROTECT, related_name="conditions")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="conditions"
    )
    intitule = models.CharField("condition", max_length=1000)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    echeance = models.DateField("échéance")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.A_LEVER)
    preuve_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preuve_lien = models.URLField("lien de preuve", blank=True, max_length=500)
    commentaire = models.TextField(blank=True, max_length=4000)
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()
    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["echeance", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(avis__isnull=False) | Q(decision__isnull=False), name="condition_a_une_origine"
            )
        ]

    def __str__(self) -> str:
        return self.intitule


_NI_MODIFIEE = "Une version de la politique des portes ne se modifie pas : on en ajoute une nouvelle."
_NI_SUPPRIMEE = "Une version de la politique des portes ne se supprime pas : elle reste dans l'historique."


class PolitiquePortesQuerySet(models.QuerySet["PolitiquePortes"]):
    def update(self, **champs: Any) -> int:
        raise TypeError(_NI_MODIFIEE)

    def delete(self) -> NoReturn:
        raise TypeError(_NI_SUPPRIMEE)


class PolitiquePortes(models.Model):
    """Une version de la politique des portes adaptée par une organisation (gouvernance/politique.py).

    Sans aucune ligne, l'organisation suit la politique nationale livrée (`politique.en_vigueur()`).
    Chaque adaptation, et chaque retour à la politique nationale, ajoute une ligne numérotée 1, 2…
    dans l'organisation, attribuée et motivée ; une ligne n'est jamais modifiée ni supprimée. La plus
    récente s'applique. `contenu` est validé par le schéma `Politique` avant d'être écrit : le critère
    bloquant des pratiques interdites n'en peut donc jamais être retiré.
    """

    class Nature(models.TextChoices):
        ADAPTATION = "adaptation", "Adaptation par l'organisation"
        NATIONALE = "nationale", "Retour à la politique nationale"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="politiques_portes")
    numero = models.PositiveIntegerField("numéro")
    nature = models.CharField(max_length=20, choices=Nature.choices, default=Nature.ADAPTATION)
    # La version nationale (portes-v<N>.yaml) dont l'organisation est partie.
    base_version = models.PositiveIntegerField("version nationale de départ")
    contenu = models.JSONField("politique validée")
    motif = models.TextField("motif", max_length=2000)
    # D'où vient le contenu quand il n'a pas été rédigé dans l'organisation : plus tard, la politique
    # qu'un organisme de mutualisation propose à ses communes (vide : rédigé ici).
    origine = models.CharField("origine", max_length=200, blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(default=timezone.now, editable=False)

    objects = PolitiquePortesQuerySet.as_manager()

    class Meta:
        verbose_name = "version de la politique des portes"
        ordering = ["organisation", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "numero"], name="politique_portes_numero_unique"),
            models.CheckConstraint(condition=Q(numero__gte=1), name="politique_portes_numero_positif"),
        ]

    def __str__(self) -> str:
        return f"Politique des portes n° {self.numero} ({self.organisation_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(_NI_MODIFIEE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(_NI_SUPPRIMEE)
