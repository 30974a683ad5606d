from django import forms
from django.core.exceptions import ImproperlyConfigured

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele

from . import documents
from .cycle_de_vie import Stade, suivants
from .models import SystemeIA
from .services import CHAMPS_SAISIS

# Regroupement des champs de la fiche en sections, dans l'ordre du formulaire.
SECTIONS = [
    (
        "Identification",
        ["nom", "finalite", "service", "responsable", "domaine", "type_ia", "usage_non_declare"],
    ),
    ("Positionnement", ["cible", "positionnement", "benefices_attendus"]),
    ("Solution technique", ["realisation", "fournisseur", "modeles", "hebergement", "hebergeur"]),
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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # Une liste obligatoire commence par « Choisir » : rien n'est déclaré par défaut sans qu'on l'ait lu.
        for champ in self.fields.values():
            if isinstance(champ.widget, forms.Select) and hasattr(champ, "choices"):
                champ.choices = [
                    ("", "Choisir") if valeur == "" else (valeur, libelle)
                    for valeur, libelle in champ.choices
                ]

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
