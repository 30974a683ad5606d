from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.utils.html import format_html, format_html_join

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele
from balise.registre.models import SystemeIA

from . import colonnes as col
from .lecture import MAX_OCTETS
from .models import ActionAccompagnement, MetierOrganisation
from .referentiel import ReferentielLocal

FORMATS = ".csv,.txt,.xlsx,.xls,.ods"


class DepotForm(Formulaire):
    fichier = forms.FileField(
        label="Tableau des effectifs",
        help_text=(
            f"CSV, XLSX, XLS ou ODS, {MAX_OCTETS // (1024 * 1024)} Mo au plus, une ligne par agent. "
            "Les noms, prénoms et matricules ne sont jamais lus : vous choisirez à l'étape suivante "
            "les seules colonnes utiles."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": FORMATS}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_OCTETS:
            raise forms.ValidationError(
                f"Le fichier dépasse {MAX_OCTETS // (1024 * 1024)} Mo : exportez moins de colonnes."
            )
        return fichier


class ColonnesForm(Formulaire):
    """Une liste déroulante par champ de Balise, parmi les en-têtes du fichier (hors identifiants)."""

    def __init__(self, entetes: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        utilisables = [(e, e) for e in entetes if not col.est_identifiante(e)]
        for champ in col.CHAMPS:
            self.fields[champ.code] = forms.ChoiceField(
                label=champ.libelle,
                required=champ.obligatoire,
                choices=[
                    ("", "— Colonne absente —" if not champ.obligatoire else "— Choisir —"),
                    *utilisables,
                ],
            )
            # Les valeurs non proposées (colonne identifiante, en-tête inventé) sont refusées par
            # ChoiceField avant même d'atteindre colonnes.verifier.
        self.entetes = entetes


def _lignes(nombre: int) -> str:
    return f"{nombre} ligne{'s' if nombre > 1 else ''}"


@dataclass(frozen=True)
class LigneRevue:
    """Un libellé de la revue tel que le gabarit l'écrit."""

    titre: str
    propositions: str
    raison: str
    variantes: str
    champ: str
    nom: str
    etiquette: str
    aide: str
    valeur: str
    erreurs: str
    case: str
    nom_case: str
    etiquette_case: str
    cochee: bool


class RevueForm(Formulaire):
    """Pour chaque libellé montré (la tête de son groupe de variantes) : le métier retenu, cherché dans la
    liste des métiers du référentiel (un seul `<datalist>` pour toute la page, plutôt qu'une liste
    déroulante de plus de 200 métiers par libellé), ou « écarter », à cocher sur plusieurs libellés."""

    LISTE = "metiers-du-referentiel"

    def __init__(self, libelles, ref: ReferentielLocal, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.libelles = list(libelles)
        self.metiers = sorted(ref.metiers, key=str.casefold)
        self._par_casse = {m.casefold(): m for m in self.metiers}
        for lib in self.libelles:
            self.fields[f"l-{lib.pk}"] = forms.CharField(
                label=f"Métier pour « {lib.libelle} »",
                required=False,
                max_length=200,
                initial=lib.metier,
                widget=forms.TextInput(attrs={"list": self.LISTE, "autocomplete": "off"}),
                help_text="Tapez quelques lettres du métier, puis choisissez-le dans la liste. "
                + lib.get_statut_display()
                + (
                    f", confiance {lib.confiance} %"
                    if lib.confiance and lib.statut != lib.Statut.HORS
                    else ""
                )
                + ".",
            )
            self.fields[f"e-{lib.pk}"] = forms.BooleanField(
                label=f"Écarter « {lib.libelle} » : hors référentiel (compté « non rattaché »)",
                required=False,
                initial=lib.statut == lib.Statut.HORS,
            )

    def lignes(self, variantes: dict[str, list]) -> list[LigneRevue]:
        """Pour le gabarit, chaque libellé avec ses champs déjà lus : 50 libellés par page, leurs textes
        préparés ici plutôt que recomposés par le gabarit (bench/revue_metiers.py)."""
        lignes = []
        for lib in self.libelles:
            metier, ecarter = self[f"l-{lib.pk}"], self[f"e-{lib.pk}"]
            autres = variantes.get(lib.cle_groupe, []) if lib.cle_groupe else []
            lignes.append(
                LigneRevue(
                    titre=f"« {lib.libelle} » ({_lignes(lib.effectif)})",
                    propositions=" ; ".join(f"« {nom} » ({score} %)" for nom, score in lib.candidats),
                    raison=lib.raison,
                    variantes=", ".join(f"« {v.libelle} » ({_lignes(v.effectif)})" for v in autres),
                    champ=metier.id_for_label,
                    nom=metier.html_name,
                    etiquette=str(metier.label),
                    aide=str(metier.help_text),
                    valeur=metier.value() or "",
                    erreurs=" ".join(metier.errors),
                    case=ecarter.id_for_label,
                    nom_case=ecarter.html_name,
                    etiquette_case=str(ecarter.label),
                    cochee=bool(ecarter.value()),
                )
            )
        return lignes

    @cached_property
    def liste_des_metiers(self) -> str:
        """Le `<datalist>` des métiers, une fois pour la page."""
        options = format_html_join("", '<option value="{}"></option>', ((m,) for m in self.metiers))
        return format_html('<datalist id="{}">{}</datalist>', self.LISTE, options)

    def clean(self):
        donnees = super().clean()
        for lib in self.libelles:
            valeur = (donnees.get(f"l-{lib.pk}") or "").strip()
            if not valeur:
                continue
            metier = self._par_casse.get(valeur.casefold())
            if metier is None:
                self.add_error(
                    f"l-{lib.pk}",
                    f"« {valeur[:80]} » n'est pas un métier du référentiel : choisissez-en un dans la liste.",
                )
            elif donnees.get(f"e-{lib.pk}") and metier != lib.metier:
                self.add_error(f"l-{lib.pk}", "Choisissez un métier ou écartez ce libellé, pas les deux.")
            else:
                donnees[f"l-{lib.pk}"] = metier
        return donnees

    def choix(self) -> dict[int, str]:
        """Libellé → métier ("" : écarté) ; les libellés laissés « à décider » sont omis."""
        resultat = {}
        for lib in self.libelles:
            metier = self.cleaned_data.get(f"l-{lib.pk}")
            if self.cleaned_data.get(f"e-{lib.pk}") and (not metier or metier == lib.metier):
                resultat[lib.pk] = ""
            elif metier:
                resultat[lib.pk] = metier
        return resultat


class SeuilForm(Formulaire):
    """Retenir d'un coup les propositions assez sûres, sur toutes les pages."""

    seuil = forms.IntegerField(
        label="Confiance minimale (en %)",
        min_value=0,
        max_value=100,
        initial=85,
        help_text="Chaque libellé à revoir dont la proposition atteint cette confiance est rattaché au "
        "métier proposé en premier ; vous pourrez encore le changer dans « Tous les libellés ».",
    )


class MetierForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = MetierOrganisation
        fields = ["libelle", "isco08", "niveau", "justification"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, ref: ReferentielLocal, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"] = forms.ChoiceField(
            label="Niveau d'exposition", choices=[(n, n) for n in ref.niveaux]
        )
        self.fields[
            "libelle"
        ].help_text = (
            "Le libellé exact d'un métier national pour corriger son rattachement, ou un nouveau libellé."
        )
        self.fields["isco08"].help_text = "Quatre chiffres, par exemple 4110 (employés de bureau)."
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.ref = ref

    def clean(self):
        donnees = super().clean()
        code, niveau = donnees.get("isco08"), donnees.get("niveau")
        attendu = self.ref.par_isco.get(code or "")
        if attendu and niveau and niveau != attendu:
            self.add_error(
                "niveau",
                f"L'étude classe le code {code} « {attendu} » : choisissez ce niveau, ou un autre code.",
            )
        return donnees


class GroupeForm(Formulaire):
    version = ChampVersion()
    systemes = forms.ModelMultipleChoiceField(
        label="Systèmes d'IA du registre qui concernent ce groupe",
        queryset=SystemeIA.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systemes"].queryset = SystemeIA.objects.filter(
            organisation=organisation, archive_le__isnull=True
        ).order_by("nom")


class ActionForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = ActionAccompagnement
        fields = ["nature", "titre", "description", "echeance", "statut"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "echeance": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
