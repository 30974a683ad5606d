"""Formulaires des instances : création (libre ou d'après un modèle), modification, collèges, membres."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele
from balise.organisations.models import Adhesion

from . import modeles_instances
from .models import College, Instance, Membre
from .services_instances import CHAMPS_INSTANCE, COLLEGES_AU_PLUS


def _choix(form: forms.BaseForm, nom: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[nom])


class ChoixModeleForm(Formulaire):
    modele = forms.ChoiceField(label="Modèle", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choix(self, "modele").choices = [("", "Aucun : instance libre")] + [
            (m.id, m.nom) for m in modeles_instances.en_vigueur().modeles
        ]


class InstanceForm(FormulaireModele):
    version = ChampVersion()
    quorum_pourcent = forms.IntegerField(
        label="Quorum (en % des membres votants)",
        min_value=0,
        max_value=100,
        help_text="Part des membres à voix délibérative qui doit être présente (0 : aucun quorum).",
    )

    class Meta:
        model = Instance
        fields = CHAMPS_INSTANCE
        widgets = {"mission": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"periodicite": "Par exemple : trimestrielle, au moins deux fois par an."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class CreationForm(InstanceForm):
    """Création : les champs de l'instance, plus ses collèges (un par ligne) et son modèle."""

    modele = forms.CharField(widget=forms.HiddenInput, required=False)
    colleges = forms.CharField(
        label="Collèges (un par ligne, facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Au plus {COLLEGES_AU_PLUS}. Vous pourrez en ajouter, en renommer ou en retirer ensuite.",
    )

    def clean_colleges(self) -> list[str]:
        return [ligne.strip() for ligne in self.cleaned_data["colleges"].splitlines() if ligne.strip()]


class CollegeForm(Formulaire):
    nom = forms.CharField(label="Nom du collège", max_length=200)


class NominationForm(Formulaire):
    utilisateur = forms.TypedChoiceField(label="Personne de l'organisation", coerce=int)
    college = forms.TypedChoiceField(label="Collège", coerce=int, required=False, empty_value=None)
    fonction = forms.ChoiceField(
        label="Fonction", choices=Membre.Fonction.choices, initial=Membre.Fonction.MEMBRE
    )
    qualite = forms.CharField(
        label="Qualité (facultatif)",
        max_length=200,
        required=False,
        help_text="Par exemple : représentant syndical, directrice des ressources humaines.",
    )

    def __init__(self, *args: Any, personnes: list[Adhesion], colleges: list[College], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choix(self, "utilisateur").choices = [("", "Choisir")] + [
            (a.utilisateur_id, f"{a.utilisateur.nom_affiche} ({a.get_role_display()})") for a in personnes
        ]
        choix_colleges: list[tuple[Any, str]] = [("", "Sans collège")]
        _choix(self, "college").choices = choix_colleges + [(c.pk, c.nom) for c in colleges]


class InvitationExterneForm(Formulaire):
    email = forms.EmailField(label="Adresse électronique")
    college = forms.TypedChoiceField(label="Collège", coerce=int, required=False, empty_value=None)
    fonction = forms.ChoiceField(
        label="Fonction", choices=Membre.Fonction.choices, initial=Membre.Fonction.MEMBRE
    )
    qualite = forms.CharField(
        label="Qualité",
        max_length=200,
        required=False,
        help_text="Par exemple : citoyenne tirée au sort, universitaire, experte en droit du numérique, "
        "représentant syndical.",
    )

    def __init__(self, *args: Any, colleges: list[College], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choix_colleges: list[tuple[Any, str]] = [("", "Sans collège")]
        _choix(self, "college").choices = choix_colleges + [(c.pk, c.nom) for c in colleges]


class MembreForm(Formulaire):
    """Changer la fonction, le collège ou la qualité d'un membre en fonction (verrou optimiste)."""

    version = ChampVersion()
    fonction = forms.ChoiceField(label="Fonction", choices=Membre.Fonction.choices)
    college = forms.TypedChoiceField(label="Collège", coerce=int, required=False, empty_value=None)
    qualite = forms.CharField(
        label="Qualité (facultatif)",
        max_length=200,
        required=False,
        help_text="Par exemple : représentant syndical, directrice des ressources humaines.",
    )

    def __init__(self, *args: Any, membre: Membre, colleges: list[College], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": membre.version,
                "fonction": membre.fonction,
                "college": membre.college_id,
                "qualite": membre.qualite,
            },
        )
        super().__init__(*args, **kwargs)
        choix_colleges: list[tuple[Any, str]] = [("", "Sans collège")]
        _choix(self, "college").choices = choix_colleges + [(c.pk, c.nom) for c in colleges]
