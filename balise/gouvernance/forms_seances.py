"""Formulaires des séances. Ils lisent la saisie ; les règles (ordre du jour, états) sont dans
services_seances.py, qui refuse ce qui ne va pas avec un message en français."""

from django import forms
from django.utils import timezone

from balise.formulaires import ChampVersion, Formulaire
from balise.registre.cycle_de_vie import Stade

from .models import Point
from .services_seances import DUREE_MAX

_DATE_HEURE = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SeanceForm(Formulaire):
    debut = forms.DateTimeField(label="Date et heure", widget=_DATE_HEURE, help_text="Heure de Paris.")
    duree_minutes = forms.IntegerField(
        label="Durée (en minutes)", min_value=1, max_value=DUREE_MAX, initial=120
    )
    lieu = forms.CharField(label="Lieu ou lien de visioconférence", max_length=300, required=False)
    version = ChampVersion()

    def __init__(self, *args, seance=None, **kwargs):
        if seance is not None:  # sans effet sur un formulaire envoyé, qui montre la saisie
            kwargs.setdefault(
                "initial",
                {
                    "debut": timezone.localtime(seance.debut),
                    "duree_minutes": seance.duree_minutes,
                    "lieu": seance.lieu,
                },
            )
        super().__init__(*args, **kwargs)
        if seance is not None:
            self.fields["version"].initial = seance.version


class AnnulationForm(Formulaire):
    motif = forms.CharField(
        label="Motif de l'annulation (communiqué aux membres)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = ChampVersion()


class PointForm(Formulaire):
    nature = forms.ChoiceField(label="Nature du point", choices=())
    systeme = forms.TypedChoiceField(
        label="Système (passage de stade)", coerce=int, required=False, choices=()
    )
    stade_vise = forms.ChoiceField(label="Stade visé", required=False, choices=())
    evaluation = forms.TypedChoiceField(label="Évaluation", coerce=int, required=False, choices=())
    qualification = forms.TypedChoiceField(
        label="Qualification réglementaire", coerce=int, required=False, choices=()
    )
    version_charte = forms.TypedChoiceField(
        label="Version de la charte (consultation)", coerce=int, required=False, choices=()
    )
    titre = forms.CharField(
        label="Intitulé (obligatoire pour un point libre ; sinon composé d'après l'objet)",
        max_length=300,
        required=False,
    )
    description = forms.CharField(
        label="Présentation", max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, propositions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [("", "Choisir")] + list(Point.Nature.choices)

        def chez(systeme) -> str:
            # Le système d'une organisation membre (COPIL d'une mutualisante) porte le nom de son membre.
            ailleurs = systeme.organisation_id != propositions.organisation_id
            return f"{systeme.organisation.nom} — " if ailleurs else ""

        self.fields["systeme"].choices = [("", "Choisir")] + [
            (s.pk, f"{chez(s)}{s.nom} ({s.get_stade_display()})") for s in propositions.systemes
        ]
        self.fields["stade_vise"].choices = [("", "Choisir")] + [(s, Stade(s).label) for s in Stade.values]
        self.fields["evaluation"].choices = [("", "Choisir")] + [
            (e.pk, f"{chez(e.systeme)}{e.systeme.nom} — {e} ({e.get_statut_display().lower()})")
            for e in propositions.evaluations
        ]
        self.fields["qualification"].choices = [("", "Choisir")] + [
            (q.pk, f"{chez(q.systeme)}{q.systeme.nom} — {timezone.localtime(q.cree_le):%d/%m/%Y}")
            for q in propositions.qualifications
        ]
        self.fields["version_charte"].choices = [("", "Choisir")] + [
            (v.pk, f"{v} — {v.get_statut_display().lower()}") for v in propositions.chartes
        ]


class PvForm(Formulaire):
    proces_verbal = forms.CharField(
        label="Procès-verbal",
        max_length=100_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Débats, avis rendus, votes, suites données. Une fois approuvé, il est figé.",
    )
    version = ChampVersion()
