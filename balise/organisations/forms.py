from django import forms

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele

from . import collectivites, logos
from .journal import Categorie
from .models import Organisation
from .roles import Role
from .services import CHAMPS_MODIFIABLES

# Le rôle « membre externe » n'a de sens que lié à un siège : il s'attribue en invitant la personne
# depuis la composition d'une instance (gouvernance), pas depuis la page des membres.
ROLES_INVITABLES = [(valeur, libelle) for valeur, libelle in Role.choices if valeur != Role.EXTERNE]


class InvitationForm(Formulaire):
    email = forms.EmailField(label="Adresse électronique")
    role = forms.ChoiceField(label="Rôle", choices=ROLES_INVITABLES)


class FiltreJournalForm(Formulaire):
    categorie = forms.ChoiceField(
        label="Événements", choices=[("", "Tous les événements"), *Categorie.CHOIX], required=False
    )


class RoleForm(Formulaire):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


class OrganisationForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = Organisation
        fields = CHAMPS_MODIFIABLES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean_couleur(self) -> str:
        """« #1F6F8B » ou « 1f6f8b » valent « #1f6f8b » ; le modèle refuse toute autre forme."""
        valeur = (self.cleaned_data.get("couleur") or "").strip().lower()
        return f"#{valeur}" if valeur and not valeur.startswith("#") else valeur


class LogoForm(Formulaire):
    """Le fichier est vérifié et ré-encodé ici (`logos.nettoyer`), avant toute transaction : le service
    ne reçoit qu'un logo propre (`self.logo`)."""

    fichier = forms.FileField(
        label="Logo de l'organisation",
        help_text=f"Image PNG, JPEG ou WebP, {logos.MAX_OCTETS // 1024} Ko au plus. Elle est réduite à "
        f"{logos.HAUTEUR_AFFICHEE * logos.DENSITE} pixels de haut au plus et enregistrée de nouveau en PNG, "
        "sans ses métadonnées (EXIF, position, commentaires).",
        widget=forms.ClearableFileInput(attrs={"accept": logos.TYPES_ACCEPTES, "class": "fr-upload"}),
        error_messages={"required": "Choisissez l'image du logo.", "empty": "Le fichier est vide."},
    )
    version = ChampVersion()

    def __init__(self, *args, organisation: Organisation, **kwargs):
        # Sur la même page que le formulaire des informations, qui a aussi un champ `version`.
        kwargs.setdefault("auto_id", "id_logo_%s")
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = organisation.version
        self.logo: logos.LogoPropre | None = None

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        self.logo = logos.nettoyer(fichier)
        return fichier


class AccepterInvitationForm(Formulaire):
    """Pour une personne qui n'a pas encore de compte : elle choisit son nom et son mot de passe."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput,
        strip=False,
        help_text="12 caractères au moins, pas uniquement des chiffres.",
    )
    password2 = forms.CharField(label="Confirmation du mot de passe", widget=forms.PasswordInput, strip=False)

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        donnees = super().clean()
        if donnees.get("password1") != donnees.get("password2"):
            raise forms.ValidationError("Les deux mots de passe ne correspondent pas.")
        if donnees.get("password1"):
            validate_password(donnees["password1"])
        return donnees


class _PremierAdministrateur(Formulaire):
    """La personne qui administrera l'espace demandé."""

    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Le lien pour choisir votre mot de passe y sera envoyé une fois la demande acceptée.",
    )
    fonction = forms.CharField(
        label="Fonction", max_length=150, help_text="Par exemple : secrétaire générale de mairie, DGS."
    )


class DemandeAdhesionForm(_PremierAdministrateur):
    """La collectivité (un code du référentiel, choisi parmi les résultats d'une recherche) et son
    premier administrateur."""

    field_order = ["collectivite"]
    collectivite = forms.ChoiceField(
        label="Votre collectivité",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez votre collectivité dans la liste proposée.",
            "invalid_choice": "Choisissez votre collectivité dans la liste proposée.",
        },
    )

    def __init__(self, *args, resultats=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Les choix sont les résultats de la recherche ; à l'envoi, la seule collectivité envoyée, si
        # elle est bien dans le référentiel (une autre valeur est refusée comme un choix hors liste).
        if self.is_bound:
            choisie = collectivites.par_code(str(self.data.get("collectivite", ""))[:12])
            resultats = [choisie] if choisie else []
        self.fields["collectivite"].choices = [(c.code, c.libelle) for c in resultats]


class DemandeHorsListeForm(_PremierAdministrateur):
    """Une organisation absente de la liste officielle : centre de gestion, syndicat mixte…"""

    field_order = ["nom_organisation", "type", "siren"]
    nom_organisation = forms.CharField(
        label="Nom de l'organisation",
        max_length=200,
        help_text="Par exemple : Centre de gestion de la Creuse.",
    )
    type = forms.ChoiceField(
        label="Nature",
        choices=[(t.value, t.label) for t in collectivites.TYPES_HORS_REFERENTIEL],
        error_messages={"invalid_choice": "Choisissez la nature de l'organisation dans la liste."},
    )
    siren = forms.CharField(
        label="SIREN",
        max_length=11,
        help_text="Neuf chiffres : il figure sur l'avis de situation au répertoire SIRENE.",
    )


class DecisionAdhesionForm(Formulaire):
    motif = forms.CharField(
        label="Motif du refus",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour refuser ; il est envoyé à la personne qui a demandé.",
    )
