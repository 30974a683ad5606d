"""Formulaires de la charte. Ils lisent la saisie (une ligne par principe, engagement ou ligne rouge) ;
les règles sont dans services.py, qui refuse ce qui ne va pas avec un message en français."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from balise.formulaires import ChampVersion, Formulaire

from . import jeux
from .models import VersionCharte
from .services import LONGUEUR_PERIMETRE, LONGUEUR_TITRE

_LIGNES = 40 * 1001


def lignes(texte: str) -> list[str]:
    return [ligne.strip() for ligne in texte.splitlines() if ligne.strip()]


def principes_en_texte(principes: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{p['titre']} : {p['explication']}" if p["explication"] else p["titre"] for p in principes
    )


def principes_du_texte(texte: str, anciens: list[dict[str, str]]) -> list[dict[str, str]]:
    """« Titre : explication » par ligne ; la source d'un principe gardé (même titre) est conservée."""
    sources = {p["titre"].casefold(): p.get("source", "") for p in anciens}
    resultat = []
    for ligne in lignes(texte):
        titre, _, explication = ligne.partition(" : ")
        resultat.append(
            {
                "titre": titre.strip(),
                "explication": explication.strip(),
                "source": sources.get(titre.strip().casefold(), ""),
            }
        )
    return resultat


class _Contenu(Formulaire):
    perimetre = forms.CharField(
        label="Périmètre",
        help_text="À qui et à quoi s'applique la charte (services, agents, élus, prestataires…).",
        max_length=LONGUEUR_PERIMETRE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    engagements = forms.CharField(
        label="Engagements (un par ligne)",
        max_length=_LIGNES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    lignes_rouges = forms.CharField(
        label="Lignes rouges (une par ligne)",
        help_text="Ce que la collectivité s'interdit, quel que soit le gain attendu.",
        max_length=_LIGNES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def donnees(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "titre": d["titre"],
            "perimetre": d["perimetre"],
            "engagements": lignes(d["engagements"]),
            "lignes_rouges": lignes(d["lignes_rouges"]),
        }


class ComposerForm(_Contenu):
    titre = forms.CharField(label="Titre de la charte", max_length=LONGUEUR_TITRE, initial="Charte de l'IA")
    principes = forms.MultipleChoiceField(
        label="Principes retenus",
        help_text="Cochez les principes à reprendre, dans un ou plusieurs jeux ; vous pourrez les reformuler.",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    field_order = ["titre", "principes", "perimetre", "engagements", "lignes_rouges"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["principes"].choices = [
            (f"{j.identifiant}/{p.id}", f"{p.titre} ({j.titre})") for j in jeux.tous() for p in j.principes
        ]

    def donnees(self) -> dict[str, Any]:
        return {**super().donnees(), "principes": list(self.cleaned_data["principes"])}


class ModifierForm(_Contenu):
    titre = forms.CharField(label="Titre de la charte", max_length=LONGUEUR_TITRE)
    principes = forms.CharField(
        label="Principes (un par ligne : « Titre : explication »)",
        max_length=_LIGNES,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    version = ChampVersion()
    field_order = ["titre", "principes", "perimetre", "engagements", "lignes_rouges", "version"]

    def __init__(self, *args: Any, charte: VersionCharte, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "titre": charte.titre,
                "principes": principes_en_texte(charte.principes),
                "perimetre": charte.perimetre,
                "engagements": "\n".join(charte.engagements),
                "lignes_rouges": "\n".join(charte.lignes_rouges),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = charte.version
        self.charte = charte

    def donnees(self) -> dict[str, Any]:
        return {
            **super().donnees(),
            "principes": principes_du_texte(self.cleaned_data["principes"], self.charte.principes),
        }


class SoumettreForm(Formulaire):
    seance = forms.TypedChoiceField(label="Séance d'instance", coerce=int, choices=())
    version = ChampVersion()

    def __init__(self, *args: Any, seances: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seance"].choices = [("", "Choisir")] + [
            (s.pk, f"{s.instance.nom} — {timezone.localtime(s.debut):%d/%m/%Y %H:%M}") for s in seances
        ]


class AdopterForm(Formulaire):
    mode_adoption = forms.ChoiceField(
        label="Adoptée", choices=VersionCharte.Mode.choices, widget=forms.RadioSelect
    )
    adoptee_le = forms.DateField(label="Date d'adoption", widget=forms.DateInput(attrs={"type": "date"}))
    deliberation_numero = forms.CharField(
        label="Numéro de la délibération (adoption par délibération)", max_length=60, required=False
    )
    version = ChampVersion()
