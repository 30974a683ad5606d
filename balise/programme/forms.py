"""Formulaires du programme : ils lisent la saisie ; les règles sont celles des services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.formulaires import ChampVersion, Formulaire
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Role

from . import referentiel, services
from .models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def personnes(organisation: Organisation) -> Any:
    """Les personnes de l'organisation qui peuvent être responsables (pas les membres externes)."""
    membres = Adhesion.objects.filter(organisation=organisation).exclude(role=Role.EXTERNE)
    return Utilisateur.objects.filter(pk__in=membres.values("utilisateur_id")).order_by(
        "last_name", "first_name", "email"
    )


class VersionEtape(forms.IntegerField):
    """La version lue d'une étape : 0 pour une étape jamais renseignée (ChampVersion commence à 1).
    Illisible, elle vaut None, que le service refuse comme une version absente."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=0, **kwargs)

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError:
            return None


class EtapeForm(Formulaire):
    version = VersionEtape()
    etat = forms.ChoiceField(label="État", choices=EtatEtape.Etat.choices)
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=services.LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ActionForm(Formulaire):
    version = ChampVersion()
    intitule = forms.CharField(label="Intitulé", max_length=services.LONGUEUR_INTITULE)
    etape = forms.ChoiceField(label="Étape du programme")
    priorite = forms.ChoiceField(label="Priorité", choices=Action.Priorite.choices, initial="moyenne")
    budget = forms.DecimalField(
        label="Budget (€, facultatif)", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    etp = forms.DecimalField(
        label="Temps de travail (ETP, facultatif)",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
    )
    moyens = forms.CharField(
        label="Autres moyens (facultatif)",
        required=False,
        max_length=services.LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Compétences, outils, prestataires…",
    )
    echeance = forms.DateField(label="Échéance (facultative)", required=False, widget=_DATE)
    responsable = forms.ModelChoiceField(
        label="Responsable (facultatif)", queryset=Utilisateur.objects.none(), required=False
    )
    parties_prenantes = forms.CharField(
        label="Parties prenantes (facultatif)",
        required=False,
        max_length=services.LONGUEUR_TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Services, partenaires sociaux, habitants, partenaires publics ou privés…",
    )
    etat = forms.ChoiceField(label="État", choices=Action.Etat.choices, initial="a_faire")

    def __init__(self, *args: Any, organisation: Organisation, action: Action | None = None, **kwargs: Any):
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{c: getattr(action, c) for c in services.CHAMPS_ACTION if c != "responsable"},
                "responsable": action.responsable_id,
                "version": action.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["etape"].choices = referentiel.choix_etapes()  # type: ignore[attr-defined]
        self.fields["responsable"].queryset = personnes(organisation)  # type: ignore[attr-defined]
        self.fields["responsable"].label_from_instance = lambda u: u.nom_affiche  # type: ignore[attr-defined]

    def donnees(self) -> dict[str, Any]:
        return {c: self.cleaned_data[c] for c in services.CHAMPS_ACTION}


class SensibilisationForm(Formulaire):
    """Créer ou, avec `sensibilisation`, corriger une action de sensibilisation (prérempli, version)."""

    version = ChampVersion()
    format = forms.ChoiceField(label="Format")
    intitule = forms.CharField(label="Intitulé", max_length=services.LONGUEUR_INTITULE)
    date = forms.DateField(label="Date", widget=_DATE)
    mesure = forms.ChoiceField(
        label="Mesure de l'appropriation (facultative)",
        choices=Sensibilisation.Mesure.choices,
        required=False,
        help_text="Un taux (en %) ou une note sur 10, relevés avant et après l'action.",
    )
    avant = forms.DecimalField(
        label="Avant (facultatif)", required=False, min_value=0, max_value=100, decimal_places=1
    )
    apres = forms.DecimalField(
        label="Après (facultatif)", required=False, min_value=0, max_value=100, decimal_places=1
    )

    def __init__(self, *args: Any, sensibilisation: Sensibilisation | None = None, **kwargs: Any) -> None:
        if sensibilisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{c: getattr(sensibilisation, c) for c in services.CHAMPS_SENSIBILISATION},
                **{f"public_{p.public}": p.nombre for p in sensibilisation.participants.all()},
                "version": sensibilisation.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = referentiel.choix_formats()  # type: ignore[attr-defined]
        for valeur, libelle in Participants.Public.choices:
            self.fields[f"public_{valeur}"] = forms.IntegerField(
                label=f"Participants : {str(libelle).lower()}",
                required=False,
                min_value=0,
                max_value=services.PARTICIPANTS_AU_PLUS,
            )
        # Rendu DSFR des champs ajoutés après l'initialisation du mixin.
        from dsfr.utils import dsfr_input_class_attr

        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def donnees(self) -> dict[str, Any]:
        return {c: self.cleaned_data[c] for c in services.CHAMPS_SENSIBILISATION}

    def participants(self) -> dict[str, int]:
        return {valeur: self.cleaned_data[f"public_{valeur}"] or 0 for valeur in Participants.Public.values}

    def champs_participants(self) -> list[Any]:
        return [self[f"public_{v}"] for v in Participants.Public.values]

    def autres_champs(self) -> list[Any]:
        return [self[c] for c in services.CHAMPS_SENSIBILISATION]


class NoteForm(Formulaire):
    """Créer ou, avec `note`, corriger une note de veille (préremplie, version)."""

    version = ChampVersion()
    date = forms.DateField(label="Date", widget=_DATE)
    titre = forms.CharField(label="Titre", max_length=services.LONGUEUR_INTITULE)
    resume = forms.CharField(
        label="Résumé", max_length=services.LONGUEUR_RESUME, widget=forms.Textarea(attrs={"rows": 5})
    )
    source = forms.CharField(
        label="Source (adresse web)", max_length=1000, help_text="Commence par https:// ou http://."
    )
    etiquettes = forms.CharField(
        label="Étiquettes (facultatif)",
        required=False,
        max_length=1000,
        help_text="Séparées par des virgules : AI Act, CNIL, formation…",
    )

    def __init__(self, *args: Any, note: NoteVeille | None = None, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = (
                {
                    **{c: getattr(note, c) for c in services.CHAMPS_NOTE},
                    "etiquettes": ", ".join(note.liste_etiquettes),
                    "version": note.version,
                }
                if note is not None
                else {"date": timezone.localdate()}
            )
        super().__init__(*args, **kwargs)

    def donnees(self) -> dict[str, Any]:
        return {c: self.cleaned_data[c] for c in services.CHAMPS_NOTE}
