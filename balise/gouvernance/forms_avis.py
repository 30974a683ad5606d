"""Formulaires des votes, avis, décisions et conditions."""

from django import forms

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele
from balise.registre.models import Document

from . import selectors_avis
from .models import Avis, Condition, Decision, Vote
from .services_avis import NouvelleCondition

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VoteForm(Formulaire):
    sens = forms.ChoiceField(label="Votre vote", choices=Vote.Sens.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label="Votre opinion (facultatif)",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Elle est consignée avec votre vote et lue par l'instance.",
    )
    version = ChampVersion()


class AvisForm(Formulaire):
    sens = forms.ChoiceField(label="Avis", choices=Avis.Sens.choices, widget=forms.RadioSelect)
    motifs = forms.CharField(label="Motifs", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))
    opinions_divergentes = forms.CharField(
        label="Opinions divergentes (facultatif)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(label="Publier cet avis au registre public", required=False)
    version = ChampVersion()


class ConditionSaisieForm(Formulaire):
    """Une réserve (ou une condition d'une décision) : une ligne du formulaire, laissée vide si inutile."""

    intitule = forms.CharField(label="Réserve ou condition", required=False, max_length=1000)
    responsable = forms.ModelChoiceField(label="Responsable", required=False, queryset=None)
    echeance = forms.DateField(label="Échéance", required=False, widget=_DATE)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = selectors_avis.personnes(organisation)
        self.fields["responsable"].empty_label = "Personne pour l'instant"

    def clean(self):
        donnees = super().clean()
        if (donnees.get("responsable") or donnees.get("echeance")) and not donnees.get("intitule"):
            self.add_error("intitule", "Écrivez l'intitulé de cette condition, ou videz la ligne.")
        if donnees.get("intitule") and not donnees.get("echeance"):
            self.add_error("echeance", "Fixez l'échéance de cette condition.")
        return donnees


ConditionsFormSet = forms.formset_factory(ConditionSaisieForm, extra=3, max_num=20, absolute_max=20)


def conditions_saisies(formset) -> list[NouvelleCondition]:
    return [
        NouvelleCondition(
            f.cleaned_data["intitule"], f.cleaned_data.get("responsable"), f.cleaned_data["echeance"]
        )
        for f in formset.forms
        if f.cleaned_data.get("intitule")
    ]


class DecisionForm(Formulaire):
    sens = forms.ChoiceField(label="Décision", choices=Decision.Sens.choices, widget=forms.RadioSelect)
    motifs = forms.CharField(label="Motifs", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))
    decidee_le = forms.DateField(label="Date de la décision", widget=_DATE)
    deliberation_numero = forms.CharField(
        label="Numéro de la délibération (facultatif)", required=False, max_length=60
    )
    deliberation_date = forms.DateField(label="Date de la délibération", required=False, widget=_DATE)
    public = forms.BooleanField(label="Publier cette décision au registre public", required=False)
    version = ChampVersion()


class ConditionForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = Condition
        fields = ["statut", "responsable", "echeance", "preuve_document", "preuve_lien", "commentaire"]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 3}), "echeance": _DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        condition = self.instance
        self.fields["responsable"].queryset = selectors_avis.personnes(condition.organisation)
        self.fields["responsable"].empty_label = "Personne"
        self.fields["preuve_document"].queryset = Document.objects.filter(
            systeme=condition.systeme, archive_le__isnull=True
        ).order_by("titre")
        self.fields["preuve_document"].empty_label = "Aucun"
        self.fields["preuve_document"].help_text = "Un document déjà déposé sur la fiche du système."
