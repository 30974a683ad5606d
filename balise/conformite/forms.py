from django import forms

from balise.comptes.models import Utilisateur
from balise.formulaires import ChampVersion, FormulaireModele
from balise.registre.models import Document

from . import moteur
from .models import ObligationSuivie
from .regles import Question


def _champ(question: Question) -> forms.Field:
    if question.type == "date":
        # Saisie JJ/MM/AAAA ou AAAA-MM-JJ (champ date du navigateur) ; bornes : la règle des réponses.
        return forms.DateField(
            label=question.texte,
            required=False,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            widget=forms.DateInput(attrs={"type": "date", "class": "fr-input"}, format="%Y-%m-%d"),
            error_messages={"invalid": "Saisissez une date valide (JJ/MM/AAAA)."},
            validators=[lambda jour: _borner(question, jour)],
        )
    if question.type == "choix_multiples":
        return forms.MultipleChoiceField(
            label=question.texte,
            choices=[(c.valeur, c.libelle) for c in question.choix],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    choix = (
        [("oui", "Oui"), ("non", "Non")]
        if question.type == "oui_non"
        else [(c.valeur, c.libelle) for c in question.choix]
    )
    return forms.ChoiceField(label=question.texte, choices=choix, required=False, widget=forms.RadioSelect)


def _borner(question: Question, jour) -> None:
    erreurs = question.erreurs(jour.isoformat())
    if erreurs:
        raise forms.ValidationError(erreurs)


class QuestionnaireForm(forms.Form):
    """Les questions qui se posent, vu les réponses connues ; champs `q-<question>`.

    Une question à choix multiples laissée vide est une réponse (« aucun ») ; une question simple
    laissée vide reste sans réponse.
    """

    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q-{question.id}"] = _champ(question)

    @staticmethod
    def initiales(reponses: moteur.Reponses) -> dict:
        return {f"q-{qid}": valeur for qid, valeur in reponses.items()}

    def reponses(self) -> moteur.Reponses:
        resultat: moteur.Reponses = {}
        for question in self.questions:
            valeur = self.cleaned_data.get(f"q-{question.id}")
            if question.type == "choix_multiples":
                resultat[question.id] = list(valeur or [])
            elif question.type == "date" and valeur:
                resultat[question.id] = valeur.isoformat()
            elif valeur:
                resultat[question.id] = valeur
        return resultat

    def lignes(self):
        return [(question, self[f"q-{question.id}"]) for question in self.questions]


class ObligationForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = ObligationSuivie
        fields = ["statut", "responsable", "preuve_document", "preuve_lien", "commentaire"]
        widgets = {"commentaire": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        obligation = self.instance
        self.fields["responsable"].queryset = Utilisateur.objects.filter(
            adhesions__organisation=obligation.organisation
        ).order_by("email")
        self.fields["responsable"].empty_label = "Personne"
        self.fields["preuve_document"].queryset = Document.objects.filter(
            systeme=obligation.systeme, archive_le__isnull=True
        ).order_by("titre")
        self.fields["preuve_document"].empty_label = "Aucun"
        self.fields["preuve_document"].help_text = "Un document déjà déposé sur la fiche du système."
