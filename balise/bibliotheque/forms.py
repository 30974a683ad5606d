"""Formulaires de la bibliothèque (rendu DSFR). Les règles sont dans services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from balise.formulaires import ChampVersion, Formulaire
from balise.organisations.models import TypeOrganisation
from balise.registre.referentiels import Domaine, Realisation, TypeIA

from . import selectors, services
from .models import CasUsage


def _choix(libelle_tous: str, choix: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", libelle_tous), *choix]


class RechercheForm(Formulaire):
    q = forms.CharField(label="Mots cherchés", required=False, max_length=selectors.LONGUEUR_REQUETE)
    domaine = forms.ChoiceField(
        label="Domaine", required=False, choices=_choix("Tous les domaines", Domaine.choices)
    )
    type_ia = forms.ChoiceField(
        label="Type d'IA", required=False, choices=_choix("Tous les types", TypeIA.choices)
    )
    realisation = forms.ChoiceField(
        label="Réalisation", required=False, choices=_choix("Toutes", Realisation.choices)
    )
    type_collectivite = forms.ChoiceField(
        label="Type de collectivité", required=False, choices=_choix("Toutes", TypeOrganisation.choices)
    )
    origine = forms.ChoiceField(
        label="Origine", required=False, choices=_choix("Toutes", CasUsage.Origine.choices)
    )

    def criteres(self) -> selectors.Criteres:
        """Les critères valides ; un filtre invalide est ignoré (le formulaire le signale)."""
        donnees = self.cleaned_data if self.is_valid() else {}
        return selectors.Criteres(**{k: donnees.get(k) or "" for k in self.fields})


def _texte(libelle: str, obligatoire: bool = False, aide: str = "") -> forms.CharField:
    return forms.CharField(
        label=libelle,
        required=obligatoire,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.LONGUEUR_TEXTE,
        help_text=aide,
    )


class PartageForm(Formulaire):
    version = ChampVersion()
    titre = forms.CharField(label="Titre du cas partagé", max_length=200)
    finalite = _texte("Finalité", obligatoire=True)
    couts = forms.BooleanField(label="Partager les coûts saisis dans la fiche", required=False)
    partager_resultats = forms.BooleanField(label="Partager un résumé des évaluations", required=False)
    resultats = _texte(
        "Résumé des évaluations",
        aide="Proposé d'après les évaluations finalisées et la qualification ; relisez-le.",
    )
    stade = forms.BooleanField(label="Partager le stade atteint", required=False)
    partager_decision = forms.BooleanField(label="Partager la décision prise", required=False)
    decision = _texte("Décision prise")
    partager_lecons = forms.BooleanField(label="Partager des enseignements", required=False)
    lecons = _texte(
        "Enseignements",
        aide="Ce que vous diriez à une autre collectivité. N'y écrivez aucun nom de personne.",
    )
    partager_contact = forms.BooleanField(label="Donner une adresse de contact", required=False)
    contact = forms.EmailField(
        label="Adresse de contact",
        required=False,
        help_text="L'adresse fonctionnelle d'un service (par exemple numerique@…), jamais celle d'une personne.",
    )

    def partage(self) -> services.Partage:
        d: dict[str, Any] = self.cleaned_data
        return services.Partage(
            titre=d["titre"],
            finalite=d["finalite"],
            couts=d["couts"],
            resultats=d["resultats"] if d["partager_resultats"] else None,
            stade=d["stade"],
            decision=d["decision"] if d["partager_decision"] else None,
            lecons=d["lecons"] if d["partager_lecons"] else None,
            contact=d["contact"] if d["partager_contact"] else None,
        )


class AdoptionForm(Formulaire):
    nom = forms.CharField(
        label="Nom du système dans votre registre",
        required=False,
        max_length=200,
        help_text="Vide : le titre du cas.",
    )
    service = forms.CharField(label="Service porteur", max_length=200)
    responsable = forms.CharField(label="Responsable (nom et fonction)", max_length=200)
