"""Formulaires des conventions de mutualisation (rendu DSFR)."""

from __future__ import annotations

from django import forms

from balise.formulaires import ChampVersion, Formulaire

from .models import ROLES_ACCORDABLES
from .services import LONGUEUR_DELIBERATIONS, LONGUEUR_MOTIF, LONGUEUR_OBJET

_ROLES = [(r.value, r.label) for r in ROLES_ACCORDABLES]


class _Termes(Formulaire):
    objet = forms.CharField(
        label="Objet de la convention",
        help_text="Les services mutualisés : accompagnement du registre, qualification, formation des agents…",
        max_length=LONGUEUR_OBJET,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    debut = forms.DateField(label="Début", widget=forms.DateInput(attrs={"type": "date"}))
    fin = forms.DateField(
        label="Fin",
        required=False,
        help_text="Laissez vide pour une convention sans terme fixé.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deliberations = forms.CharField(
        label="Délibérations",
        help_text="Les références des délibérations qui l'approuvent, une par ligne (facultatif).",
        max_length=LONGUEUR_DELIBERATIONS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PropositionForm(_Termes):
    """La mutualisante propose : elle désigne le membre et suggère un rôle, que le membre confirmera."""

    membre = forms.CharField(
        label="Organisation membre",
        help_text="Son identifiant dans Balise (celui de ses adresses, par exemple « rivebelle ») ou son SIREN.",
        max_length=80,
    )
    role = forms.ChoiceField(label="Rôle demandé pour votre personnel", choices=_ROLES)
    field_order = ["membre", "objet", "role", "debut", "fin", "deliberations"]


class DemandeForm(_Termes):
    """Le membre demande à rejoindre : il désigne la mutualisante et fixe le rôle qu'il accorde."""

    mutualisante = forms.CharField(
        label="Organisation mutualisante",
        help_text="Son identifiant dans Balise ou son SIREN (intercommunalité, centre de gestion…).",
        max_length=80,
    )
    role = forms.ChoiceField(label="Rôle que vous accordez à son personnel", choices=_ROLES)
    field_order = ["mutualisante", "objet", "role", "debut", "fin", "deliberations"]


class SignatureForm(Formulaire):
    version = ChampVersion()
    role = forms.ChoiceField(
        label="Rôle accordé au personnel de la mutualisante", choices=_ROLES, required=False
    )


class MotifForm(Formulaire):
    version = ChampVersion()
    motif = forms.CharField(
        label="Motif", required=False, max_length=LONGUEUR_MOTIF, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationForm(_Termes):
    """La mutualisante invite une collectivité qui n'a pas encore son espace, et son premier administrateur."""

    code = forms.CharField(
        label="Collectivité",
        help_text="Son code officiel : code INSEE d'une commune, SIREN d'un groupement (une intercommunalité "
        "se voit proposer ses communes).",
        max_length=12,
        widget=forms.TextInput(attrs={"list": "communes-a-inviter", "autocomplete": "off"}),
    )
    prenom = forms.CharField(label="Prénom de son premier administrateur", max_length=150)
    nom = forms.CharField(label="Nom de son premier administrateur", max_length=150)
    email = forms.EmailField(label="Adresse électronique de son premier administrateur")
    fonction = forms.CharField(
        label="Fonction", max_length=150, help_text="Par exemple : secrétaire de mairie, DGS."
    )
    role = forms.ChoiceField(label="Rôle demandé pour votre personnel", choices=_ROLES)
    field_order = [
        "code",
        "prenom",
        "nom",
        "email",
        "fonction",
        "objet",
        "role",
        "debut",
        "fin",
        "deliberations",
    ]
