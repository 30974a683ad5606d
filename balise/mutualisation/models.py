"""Les conventions de mutualisation : une organisation mutualisante (EPCI, centre de gestion, syndicat
mixte, département) et une organisation membre, liées pour un objet, des dates et un rôle que le membre
accorde au personnel de la mutualisante (seed 001:371 : formes de mutualisation ; seed 002:591 :
l'intercommunalité qui ouvre un outil à ses communes ; seed 003:203 : la petite commune qui s'appuie
sur son intercommunalité)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from balise.organisations.models import Organisation, TypeOrganisation
from balise.organisations.roles import Role

# Les natures d'organisation qui portent une mutualisation pour d'autres : l'intercommunalité pour
# ses communes, le centre de gestion pour les collectivités affiliées, le syndicat mixte pour ses
# membres, le département pour ses communes rurales (seed 001:371, seed 002:591).
TYPES_MUTUALISANTS = frozenset(
    {
        TypeOrganisation.EPCI,
        TypeOrganisation.CDG,
        TypeOrganisation.SYNDICAT_MIXTE,
        TypeOrganisation.DEPARTEMENT,
    }
)

# Les rôles qu'un membre peut accorder : jamais l'administration de ses membres (il reste maître de
# qui entre chez lui), jamais le seul siège d'un membre externe (sans objet ici).
ROLES_ACCORDABLES = (Role.REFERENT, Role.DPO, Role.LECTEUR, Role.RH)


class Convention(models.Model):
    class Etat(models.TextChoices):
        PROPOSEE = "proposee", "Proposée par la mutualisante"
        DEMANDEE = "demandee", "Demandée par le membre"
        EN_VIGUEUR = "en_vigueur", "Signée"
        REFUSEE = "refusee", "Refusée"
        TERMINEE = "terminee", "Terminée"

    EN_COURS = (Etat.PROPOSEE, Etat.DEMANDEE, Etat.EN_VIGUEUR)

    mutualisante = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="conventions_portees",
        verbose_name="mutualisante",
    )
    membre = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conventions_signees", verbose_name="membre"
    )
    objet = models.TextField(
        "objet",
        help_text="Les services mutualisés, tels que la convention les décrit (accompagnement du registre, "
        "qualification, formation des agents…).",
    )
    role = models.CharField(
        "rôle accordé au personnel de la mutualisante",
        max_length=20,
        choices=[(r.value, r.label) for r in ROLES_ACCORDABLES],
    )
    debut = models.DateField("début")
    fin = models.DateField("fin", null=True, blank=True, help_text="Vide : sans terme fixé.")
    deliberations = models.TextField(
        "délibérations",
        blank=True,
        help_text="Les références des délibérations qui approuvent la convention, une par ligne.",
    )
    etat = models.CharField("état", max_length=20, choices=Etat.choices)
    partage_portefeuille = models.BooleanField(
        "partager son portefeuille avec la mutualisante",
        default=True,
        help_text="Ses systèmes, leurs stades, obligations en retard et formation des agents comptent "
        "dans le portefeuille agrégé de la mutualisante.",
    )
    signee_le = models.DateTimeField("signée le", null=True, blank=True)
    terminee_le = models.DateTimeField("terminée le", null=True, blank=True)
    motif = models.TextField("motif du refus ou de la fin", blank=True)
    creee_le = models.DateTimeField("créée le", auto_now_add=True)
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="créée par",
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "convention de mutualisation"
        verbose_name_plural = "conventions de mutualisation"
        ordering = ["membre__nom", "-creee_le"]
        constraints = [
            # Une seule convention proposée, demandée ou signée à la fois entre deux organisations.
            models.UniqueConstraint(
                fields=["mutualisante", "membre"],
                condition=Q(etat__in=["proposee", "demandee", "en_vigueur"]),
                name="une_convention_en_cours_par_paire",
            ),
            models.CheckConstraint(
                condition=~Q(mutualisante=models.F("membre")), name="convention_entre_deux"
            ),
        ]

    def __str__(self) -> str:
        return f"Convention {self.mutualisante} – {self.membre}"

    def ouvre_l_acces(self, jour: date) -> bool:
        """Signée et dans ses dates ce jour-là : la seule règle qui ouvre l'espace du membre."""
        return (
            self.etat == self.Etat.EN_VIGUEUR
            and self.debut <= jour
            and (self.fin is None or jour <= self.fin)
        )


class Partage(models.Model):
    """Ce que tout partage d'une mutualisante porte : qui l'a partagé et quand, son retrait (les membres
    ne le voient plus ; ce qu'ils ont repris reste à eux) et son verrou optimiste (balise.versions)."""

    partage_le = models.DateTimeField("partagé le", auto_now_add=True)
    partage_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="partagé par",
    )
    retire_le = models.DateTimeField("retiré le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)

    class Meta:
        abstract = True


class InstrumentPartage(Partage):
    """Une adaptation d'instrument que la mutualisante propose à ses membres. Ce qui est partagé est
    toujours sa plus récente adaptation de cet instrument : l'amont avance quand elle adapte de nouveau,
    et chaque membre voit ce qui a changé depuis ce qu'il a repris, puis choisit de suivre."""

    mutualisante = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="instruments_partages",
        verbose_name="mutualisante",
    )
    code = models.CharField("instrument", max_length=60)
    note = models.TextField(
        "note aux membres", blank=True, help_text="Ce que l'adaptation change, et pourquoi (facultatif)."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "instrument partagé"
        verbose_name_plural = "instruments partagés"
        constraints = [
            models.UniqueConstraint(
                fields=["mutualisante", "code"],
                condition=Q(retire_le__isnull=True),
                name="un_partage_par_instrument",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} partagé par {self.mutualisante}"


class SessionOuverte(models.Model):
    """Une session de formation de la mutualisante ouverte aux agents de ses membres : chaque membre y
    compte ses participants, pour ses propres populations (sa couverture les compte, seed 004:747 et
    seed 002:379 : les ressources mises en commun). Fermer la session n'efface rien de ce qui est compté."""

    session = models.OneToOneField(
        "formations.SessionFormation",
        on_delete=models.PROTECT,
        related_name="ouverture",
        verbose_name="session",
    )
    ouverte_le = models.DateTimeField("ouverte le", auto_now_add=True)
    ouverte_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="ouverte par",
    )
    fermee_le = models.DateTimeField("fermée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # verrou optimiste (balise.versions)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "session ouverte aux membres"
        verbose_name_plural = "sessions ouvertes aux membres"

    def __str__(self) -> str:
        return f"{self.session} (ouverte aux membres)"


class InvitationMutualisee(models.Model):
    """Une mutualisante invite une collectivité qui n'a pas encore son espace : sa demande d'adhésion
    part à l'instance avec les termes de la convention ; l'espace ouvert, la convention est proposée et
    attend la signature du premier administrateur de la collectivité (docs/mutualisation.md)."""

    demande = models.OneToOneField(
        "organisations.DemandeAdhesion", on_delete=models.PROTECT, related_name="invitation_mutualisee"
    )
    mutualisante = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invitations_mutualisees",
        verbose_name="mutualisante",
    )
    objet = models.TextField("objet")
    role = models.CharField(
        "rôle demandé pour le personnel de la mutualisante",
        max_length=20,
        choices=[(r.value, r.label) for r in ROLES_ACCORDABLES],
    )
    debut = models.DateField("début")
    fin = models.DateField("fin", null=True, blank=True)
    deliberations = models.TextField("délibérations", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="invitée par",
    )
    creee_le = models.DateTimeField("invitée le", auto_now_add=True)
    convention = models.OneToOneField(
        Convention, on_delete=models.PROTECT, null=True, blank=True, related_name="invitation"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "invitation à rejoindre une mutualisation"
        verbose_name_plural = "invitations à rejoindre une mutualisation"

    def __str__(self) -> str:
        return f"{self.mutualisante} invite {self.demande.nom}"


class ModelePartage(Partage):
    """Un modèle que la mutualisante tient pour ses membres (politique des portes, charte, règles
    d'usage, offre de formation, modèle d'instance, modèle d'IA générative de sa passerelle). L'amont
    est toujours l'état actuel de l'objet chez elle (sa dernière adaptation de la politique, sa charte
    adoptée, ses règles publiées, l'offre, l'instance ou le modèle désigné) : chaque membre voit ce qui a changé depuis sa dernière reprise et choisit de
    suivre (balise/mutualisation/modeles_partages.py)."""

    class Nature(models.TextChoices):
        POLITIQUE = "politique_portes", "Politique des portes"
        CHARTE = "charte", "Charte de l'IA"
        REGLES = "regles_usage", "Règles d'usage de l'IA"
        OFFRE = "offre_formation", "Offre de formation"
        INSTANCE = "instance", "Modèle d'instance"
        MODELE_IA = "modele_ia", "Modèle d'IA générative approuvé"

    mutualisante = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="modeles_partages",
        verbose_name="mutualisante",
    )
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    # La clé de l'objet partagé chez la mutualisante (offre, instance) ; vide pour un document unique
    # (politique, charte, règles), dont l'amont est toujours la version en vigueur.
    cle = models.CharField("objet partagé", max_length=20, blank=True)
    note = models.TextField(
        "note aux membres", blank=True, help_text="Ce que le modèle apporte, et pourquoi (facultatif)."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "modèle partagé"
        verbose_name_plural = "modèles partagés"
        constraints = [
            models.UniqueConstraint(
                fields=["mutualisante", "nature", "cle"],
                condition=Q(retire_le__isnull=True),
                name="un_partage_par_modele",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} partagé par {self.mutualisante}"


class RepriseModele(models.Model):
    """Un membre a repris un modèle partagé : quelle version de l'amont (`revision` : numéro de la
    politique, de la charte, des règles ; version de l'offre, de l'instance), et ce que cela a créé ou
    mis à jour chez lui. On n'y fait qu'ajouter : la dernière reprise dit où en est le membre."""

    partage = models.ForeignKey(
        ModelePartage, on_delete=models.PROTECT, related_name="reprises", verbose_name="partage"
    )
    membre = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="modeles_repris", verbose_name="membre"
    )
    revision = models.PositiveIntegerField("version de l'amont reprise")
    objet = models.PositiveBigIntegerField("objet créé ou mis à jour chez le membre")
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="par"
    )
    le = models.DateTimeField("repris le", auto_now_add=True)

    class Meta:
        verbose_name = "reprise d'un modèle partagé"
        verbose_name_plural = "reprises de modèles partagés"
        ordering = ["-le", "-pk"]

    def __str__(self) -> str:
        return f"{self.partage} repris par {self.membre} (n° {self.revision})"
