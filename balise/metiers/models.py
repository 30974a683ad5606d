"""Impact de l'IA générative sur les métiers de l'organisation (PRODUCT.md C4).

Le référentiel national vit dans des fichiers (`referentiel.py`) ; l'organisation le corrige ou le
complète pour elle-même (`MetierOrganisation`). Un import de tableau des effectifs ne garde aucune
ligne d'agent : seulement les effectifs et ETP regroupés par libellé de métier et par catégorie,
filière, direction, cadre d'emplois et sexe (`GroupeEffectif`). Le fichier déposé n'est conservé que
le temps de choisir ses colonnes, puis effacé. Supprimer un import efface tout ce qui en vient.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from balise.historiques import HistoriqueAvecLiensInverses
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

CODE_CITP = RegexValidator(r"^\d{4}$", "Le code CITP-08 (ISCO-08) compte quatre chiffres.")


class Dimension(models.TextChoices):
    """Les axes d'analyse d'un tableau des effectifs (colonnes facultatives du fichier)."""

    CATEGORIE = "categorie", "Catégorie"
    FILIERE = "filiere", "Filière"
    DIRECTION = "direction", "Direction ou service"
    CADRE = "cadre", "Cadre d'emplois"
    SEXE = "sexe", "Sexe"


class MetierOrganisation(models.Model):
    """Un métier ajouté par l'organisation, ou le rattachement corrigé d'un métier national.

    Un libellé identique à celui d'un métier national le corrige (pour cette organisation seulement) ;
    un autre libellé est un ajout. Le référentiel national n'est jamais modifié.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="metiers_propres")
    libelle = models.CharField("libellé du métier", max_length=200)
    isco08 = models.CharField("code CITP-08 (ISCO-08)", max_length=4, validators=[CODE_CITP])
    niveau = models.CharField("niveau d'exposition", max_length=40)
    justification = models.TextField(
        "justification", max_length=2000, help_text="Pourquoi ce rattachement : il sera relu par d'autres."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        verbose_name = "métier propre à l'organisation"
        ordering = ["libelle"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "libelle"], name="un_metier_propre_par_libelle")
        ]

    def __str__(self) -> str:
        return self.libelle


class ImportQuerySet(models.QuerySet["ImportEffectifs"]):
    def sans_contenu(self) -> "ImportQuerySet":
        """Sans le fichier déposé (des mégaoctets), en sachant s'il est encore là (`a_son_fichier`)."""
        return self.defer("contenu").annotate(
            fichier_garde=models.ExpressionWrapper(
                models.Q(contenu__isnull=False), output_field=models.BooleanField()
            )
        )


class ImportEffectifs(models.Model):
    """Un tableau des effectifs déposé. Sa lecture puis son traitement sont des travaux de fond
    (balise/travaux) : `travail` est le dernier lancé, dont les pages montrent l'avancement."""

    class Etat(models.TextChoices):
        LECTURE = "lecture", "Lecture du fichier"
        COLONNES = "colonnes", "Colonnes à choisir"
        TRAITEMENT = "traitement", "Traitement"
        REVUE = "revue", "Libellés à revoir"
        PRET = "pret", "Prêt"

    # Pas encore traités : le fichier déposé est encore là (ou vient d'être refusé), aucun résultat.
    NON_TRAITES = (Etat.LECTURE, Etat.COLONNES, Etat.TRAITEMENT)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports_effectifs")
    nom_fichier = models.CharField("fichier", max_length=255)
    format = models.CharField(max_length=10)
    referentiel = models.CharField(max_length=40)
    version_referentiel = models.PositiveIntegerField()
    etat = models.CharField(max_length=10, choices=Etat.choices, default=Etat.LECTURE)
    # Le fichier déposé, compressé (zlib), gardé seulement jusqu'à la fin du traitement (puis vidé) : tel
    # quel pendant la lecture, converti en CSV (un classeur) ensuite. Vidé aussi dès qu'il est refusé.
    contenu = models.BinaryField(null=True, editable=False)
    travail = models.ForeignKey(
        "travaux.Travail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entetes = models.JSONField(default=list)
    colonnes = models.JSONField(default=dict, help_text="Champ de Balise → en-tête du fichier.")
    lignes_lues = models.PositiveIntegerField(default=0)
    lignes_retenues = models.PositiveIntegerField(default=0)
    lignes_rejetees = models.PositiveIntegerField(default=0)
    sans_quotite = models.PositiveIntegerField(default=0)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    traite_le = models.DateTimeField(null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import du tableau des effectifs"
        ordering = ["-cree_le", "-pk"]

    def __str__(self) -> str:
        return f"{self.nom_fichier} ({self.cree_le:%d/%m/%Y})"

    @property
    def a_son_fichier(self) -> bool:
        garde = self.__dict__.get("fichier_garde")  # annotation de `sans_contenu`
        return garde if garde is not None else self.contenu is not None

    @property
    def traite(self) -> bool:
        return self.etat not in self.NON_TRAITES

    @property
    def en_travail(self) -> bool:
        """Lu ou traité en ce moment par le processus de fond (ou en attente de l'être)."""
        return self.etat in (self.Etat.LECTURE, self.Etat.TRAITEMENT) and (
            self.travail is not None and self.travail.actif
        )


class LibelleImporte(models.Model):
    """Un libellé de métier du fichier et le métier du référentiel auquel il est rattaché."""

    class Statut(models.TextChoices):
        EXACT = "exact", "Identique au référentiel"
        SUR = "sur", "Rapproché avec confiance"
        DOUTEUX = "douteux", "Rapprochement douteux"
        INCONNU = "inconnu", "Inconnu du référentiel"
        CITP = "citp", "Rattaché par son code CITP"
        MEMORISE = "memorise", "Choix mémorisé"
        CHOISI = "choisi", "Choisi à la revue"
        HORS = "hors", "Écarté (hors référentiel)"

    A_REVOIR = (Statut.DOUTEUX, Statut.INCONNU)

    import_effectifs = models.ForeignKey(ImportEffectifs, on_delete=models.CASCADE, related_name="libelles")
    libelle = models.CharField(max_length=200)
    normalise = models.CharField(max_length=200)
    isco_fichier = models.CharField(max_length=4, blank=True)
    effectif = models.PositiveIntegerField()
    statut = models.CharField(max_length=10, choices=Statut.choices)
    confiance = models.PositiveSmallIntegerField(default=0)
    candidats = models.JSONField(default=list, help_text="[[libellé du référentiel, score], …]")
    # Pourquoi le premier candidat est proposé, quand il vient d'un intitulé local courant
    # (referentiels/intitules-locaux) : « Dans une petite commune, dirige les services… ».
    raison = models.CharField(max_length=200, blank=True)
    # Forme normalisée de tête du groupe de variantes (fautes de frappe d'un même intitulé à revoir) :
    # une décision de la revue couvre tout le groupe. Vide : libellé seul.
    cle_groupe = models.CharField(max_length=200, blank=True)
    # Le rattachement retenu : libellé du métier (national ou propre), code et niveau ; vides si aucun.
    metier = models.CharField(max_length=200, blank=True)
    isco08 = models.CharField(max_length=4, blank=True)
    niveau = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["libelle", "pk"]

    def __str__(self) -> str:
        return self.libelle

    @property
    def a_revoir(self) -> bool:
        return self.statut in self.A_REVOIR


class GroupeEffectif(models.Model):
    """Les agents d'un import qui partagent un libellé et les mêmes valeurs de dimensions."""

    import_effectifs = models.ForeignKey(ImportEffectifs, on_delete=models.CASCADE, related_name="groupes")
    libelle = models.ForeignKey(LibelleImporte, on_delete=models.CASCADE, related_name="groupes")
    categorie = models.CharField(max_length=200, blank=True)
    filiere = models.CharField(max_length=200, blank=True)
    direction = models.CharField(max_length=200, blank=True)
    cadre = models.CharField(max_length=200, blank=True)
    sexe = models.CharField(max_length=200, blank=True)
    effectif = models.PositiveIntegerField()
    etp = models.DecimalField(max_digits=12, decimal_places=4)

    def __str__(self) -> str:
        return f"{self.libelle} : {self.effectif}"


class LigneRejetee(models.Model):
    import_effectifs = models.ForeignKey(ImportEffectifs, on_delete=models.CASCADE, related_name="rejets")
    numero = models.PositiveIntegerField("ligne")
    motif = models.CharField(max_length=300)

    class Meta:
        ordering = ["numero", "pk"]

    def __str__(self) -> str:
        return f"ligne {self.numero} : {self.motif}"


class CorrespondanceRetenue(models.Model):
    """Un choix fait à la revue, réappliqué aux imports suivants : libellé normalisé → métier (ou écarté)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="correspondances")
    normalise = models.CharField(max_length=200)
    exemple = models.CharField("libellé", max_length=200)
    metier = models.CharField("métier retenu", max_length=200, blank=True, help_text="Vide : écarté.")
    version = models.PositiveIntegerField(default=1, editable=False)
    choisi_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    class Meta:
        ordering = ["exemple"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "normalise"], name="une_correspondance_par_libelle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exemple} → {self.metier or 'écarté'}"


class GroupeSuivi(models.Model):
    """Un groupe d'agents exposés que l'organisation suit : un niveau, éventuellement une valeur
    d'une dimension ou un métier. Défini par ses critères, il survit aux imports successifs."""

    METIER = "metier"
    DIMENSIONS = [(METIER, "Métier"), *Dimension.choices]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groupes_suivis")
    niveau = models.CharField("niveau d'exposition", max_length=40)
    dimension = models.CharField(max_length=20, choices=DIMENSIONS, blank=True)
    valeur = models.CharField(max_length=200, blank=True)
    systemes = models.ManyToManyField(
        SystemeIA,
        blank=True,
        related_name="groupes_exposes",
        verbose_name="systèmes d'IA qui concernent ce groupe",
    )
    note = models.TextField("note", blank=True, max_length=5000)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    # Le lien se change aussi depuis le système (`systeme.groupes_exposes`) : balise/historiques.py.
    history = HistoriqueAvecLiensInverses(m2m_fields=[systemes])

    class Meta:
        verbose_name = "groupe exposé suivi"
        ordering = ["niveau", "dimension", "valeur"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "niveau", "dimension", "valeur"], name="un_groupe_par_criteres"
            )
        ]

    def __str__(self) -> str:
        if not self.dimension:
            return f"{self.niveau} (tous les agents)"
        return f"{self.niveau} — {self.get_dimension_display()} : {self.valeur or 'non renseigné'}"


class ActionAccompagnement(models.Model):
    class Nature(models.TextChoices):
        FORMATION = "formation", "Formation"
        ACCOMPAGNEMENT = "accompagnement", "Accompagnement au changement"
        DIALOGUE = "dialogue", "Dialogue social"
        EVOLUTION = "evolution", "Évolution des fiches de poste"
        AUTRE = "autre", "Autre"

    class Statut(models.TextChoices):
        PREVUE = "prevue", "Prévue"
        EN_COURS = "en_cours", "En cours"
        REALISEE = "realisee", "Réalisée"
        ABANDONNEE = "abandonnee", "Abandonnée"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions_metiers")
    groupe = models.ForeignKey(GroupeSuivi, on_delete=models.PROTECT, related_name="actions")
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    titre = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True, max_length=5000)
    echeance = models.DateField("échéance", null=True, blank=True)
    statut = models.CharField("état", max_length=20, choices=Statut.choices, default=Statut.PREVUE)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "action d'accompagnement"
        ordering = ["echeance", "pk"]

    def __str__(self) -> str:
        return self.titre
