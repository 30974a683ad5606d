from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele
from balise.metiers.lecture import MAX_OCTETS

from . import documents, reprise
from .cycle_de_vie import Stade, suivants
from .models import ChangementStade, SystemeIA
from .portable import SANS_EVALUATIONS_ABSENTES, TAILLE_MAX
from .services import CHAMPS_SAISIS

# Regroupement des champs de la fiche en sections, dans l'ordre du formulaire.
SECTIONS = [
    (
        "Identification",
        [
            "nom",
            "finalite",
            "service",
            "responsable",
            "domaine",
            "type_ia",
            "usage_non_declare",
            "identifiant_externe",
        ],
    ),
    ("Positionnement", ["cible", "positionnement", "benefices_attendus"]),
    ("Solution technique", ["realisation", "fournisseur", "modeles", "hebergement", "hebergeur"]),
    ("Mise en service", ["mis_en_service_le"]),
    ("Données", ["donnees", "sources_donnees", "donnees_personnelles", "donnees_sensibles"]),
    (
        "Décisions et contrôle humain",
        [
            "contribution_decision",
            "decision_individuelle",
            "regles_traitement",
            "supervision_humaine",
            "mode_degrade",
        ],
    ),
    ("Coûts", ["cout_investissement", "cout_annuel"]),
    ("Registre public", ["contact"]),
]
# Chaque champ saisi est dans une section et une seule : vérifié au chargement, pas seulement en test.
if sorted(c for _, champs in SECTIONS for c in champs) != sorted(CHAMPS_SAISIS):
    raise ImproperlyConfigured("SECTIONS du formulaire de fiche et CHAMPS_SAISIS divergent.")


class SystemeForm(FormulaireModele):
    # La version lue à l'ouverture du formulaire : elle sert à détecter une modification concurrente.
    version = ChampVersion()

    class Meta:
        model = SystemeIA
        fields = CHAMPS_SAISIS
        widgets = {
            champ: forms.Textarea(attrs={"rows": 3})
            for champ in (
                "finalite",
                "donnees",
                "sources_donnees",
                "contribution_decision",
                "regles_traitement",
                "supervision_humaine",
                "mode_degrade",
                "benefices_attendus",
            )
        } | {"mis_en_service_le": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"identifiant_externe": "Identifiant dans votre registre d'origine (facultatif)"}
        help_texts = {
            "identifiant_externe": "Le numéro de la ligne dans le tableur que votre organisation tenait avant "
            "Balise (« IA-007 ») : un nouvel import du même tableur met à jour cette fiche au lieu d'en "
            "créer une autre. Deux fiches de l'organisation ne peuvent pas avoir le même."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if not self.is_bound:
                self._proposer_mise_en_service()
        # Une liste obligatoire commence par « Choisir » : rien n'est déclaré par défaut sans qu'on l'ait lu.
        for champ in self.fields.values():
            if isinstance(champ.widget, forms.Select) and hasattr(champ, "choices"):
                champ.choices = [
                    ("", "Choisir") if valeur == "" else (valeur, libelle)
                    for valeur, libelle in champ.choices
                ]

    def _proposer_mise_en_service(self) -> None:
        """Date de mise en service vide, système déjà passé en production : le jour du premier passage
        est proposé ; la personne le voit, le corrige ou l'efface, et il ne compte qu'enregistré."""
        if self.instance.mis_en_service_le is not None:
            return
        passage = (
            ChangementStade.objects.filter(
                systeme=self.instance, nature=ChangementStade.Nature.STADE, vers=Stade.PRODUCTION
            )
            .order_by("le", "pk")
            .first()
        )
        if passage is None:
            return
        jour = timezone.localdate(passage.le)
        self.initial["mis_en_service_le"] = jour
        aide = (
            f"Proposée d'après le passage en production du {jour:%d/%m/%Y} : enregistrez la fiche pour la "
            f"garder, ou corrigez-la. {self.fields['mis_en_service_le'].help_text}"
        )
        # Le champ rendu (déjà créé par DsfrMixin) a copié l'aide du champ : les deux la reçoivent.
        self.fields["mis_en_service_le"].help_text = self["mis_en_service_le"].help_text = aide

    def sections(self):
        return [(titre, [self[c] for c in champs]) for titre, champs in SECTIONS]


class StadeForm(Formulaire):
    vers = forms.ChoiceField(label="Nouveau stade", choices=())
    motif = forms.CharField(
        label="Motif (obligatoire pour un arrêt ou un abandon)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(
        label="Justification (administrateur : passer une porte non franchie)",
        help_text="Obligatoire pour passer un stade dont la porte n'est pas franchie ; elle est gardée et "
        "affichée dans la chronologie. Une pratique interdite ne se passe jamais.",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = ChampVersion()

    def __init__(self, *args, systeme: SystemeIA, justifiable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not justifiable:
            del self.fields["justification"]
        # Aucun stade présélectionné : un clic distrait ne fait pas avancer le projet.
        self.fields["vers"].choices = [("", "Choisir le stade suivant")] + [
            (s, Stade(s).label) for s in suivants(systeme.stade)
        ]
        self.fields["version"].initial = systeme.version


class DocumentForm(Formulaire):
    titre = forms.CharField(label="Titre du document", max_length=200, required=False)
    fichier = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload"}),
        help_text=f"Formats acceptés : {documents.extensions_permises()}.",
    )


# --- Reprise d'un registre tenu dans un tableur (services_reprise.py) --------------------------------


class DepotRegistreForm(Formulaire):
    fichier = forms.FileField(
        label="Votre registre (tableur)",
        help_text=(
            f"XLSX, ODS, XLS ou CSV, {MAX_OCTETS // (1024 * 1024)} Mo au plus, une ligne par système ou "
            "usage de l'IA, la première ligne donnant le nom des colonnes. Rien n'est ajouté au registre "
            "avant que vous ayez vu l'aperçu et confirmé."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.xls,.ods"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_OCTETS:
            raise forms.ValidationError(f"Le fichier dépasse {MAX_OCTETS // (1024 * 1024)} Mo.")
        return fichier


class ColonnesRegistreForm(Formulaire):
    """Une liste déroulante par champ de la fiche, parmi les en-têtes du fichier."""

    version = ChampVersion()

    def __init__(self, entetes: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        colonnes = [(e, e) for e in entetes]
        for champ in reprise.CHAMPS:
            self.fields[champ.code] = forms.ChoiceField(
                label=champ.libelle,
                required=champ.obligatoire,
                choices=[("", "— Choisir —" if champ.obligatoire else "— Colonne absente —"), *colonnes],
            )

    def colonnes(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(c.code, "") for c in reprise.CHAMPS}


class ValeursForm(Formulaire):
    """Pour chaque valeur distincte d'une colonne à liste, la valeur de Balise retenue. Les champs sont
    numérotés (`domaine-0`…) : une valeur du fichier peut contenir n'importe quel caractère."""

    version = ChampVersion()

    def __init__(self, valeurs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.valeurs = valeurs
        self.groupes: list[tuple[str, str, list]] = []
        for champ, lignes in valeurs.items():
            libelle = reprise.PAR_CODE[champ].libelle
            noms = []
            for i, (brute, nombre, retenu, proposition) in enumerate(lignes):
                nom = f"{champ}-{i}"
                if proposition.sure:
                    aide = "Reconnue."
                elif proposition.code:
                    aide = "Proposition de Balise, à vérifier."
                else:
                    aide = "Aucune valeur proche : choisissez-la."
                vide = "cellules vides" if nombre else "toutes les lignes (colonne absente)"
                self.fields[nom] = forms.ChoiceField(
                    label=f"« {brute} » ({nombre} ligne{'s' if nombre > 1 else ''})"
                    if brute
                    else f"Valeur pour les {vide}",
                    choices=[("", "— À choisir —"), *reprise.choix(champ)],
                    required=False,
                    initial=retenu,
                    help_text=aide,
                )
                noms.append((nom, not proposition.sure))
            self.groupes.append((champ, libelle, [(self[nom], a_verifier) for nom, a_verifier in noms]))

    def choix(self) -> dict[str, dict[str, str]]:
        return {
            champ: {
                brute: self.cleaned_data.get(f"{champ}-{i}", "") for i, (brute, *_reste) in enumerate(lignes)
            }
            for champ, lignes in self.valeurs.items()
        }


class FichierPortableForm(Formulaire):
    """Le dépôt d'un fichier portable (portable.py) : la taille est vérifiée avant toute lecture."""

    fichier = forms.FileField(
        label="Fichier portable (JSON)",
        help_text=(
            "Le fichier « Exporter (fichier portable) » d'une fiche, venu d'une autre organisation ou d'une "
            "autre instance de Balise ; 1 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    responsable = forms.CharField(
        label="Responsable du système dans votre organisation (nom et fonction)",
        help_text="Le fichier ne transporte pas de nom de personne : indiquez qui suit ce système ici.",
        max_length=200,
    )
    sans_evaluations_absentes = forms.BooleanField(
        label=SANS_EVALUATIONS_ABSENTES,
        help_text=(
            "Une évaluation se reprend si son instrument existe ici dans la même version, au même contenu. "
            "Sinon, le fichier est refusé en entier, en disant laquelle ; cochez pour inscrire le système "
            "et ses autres évaluations sans elle."
        ),
        required=False,
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(
                f"Le fichier dépasse {TAILLE_MAX // 1024} Ko : ce n'est pas un fichier portable."
            )
        return fichier
