from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError

from balise.formulaires import DsfrMixin, Formulaire

from . import services


class ConnexionForm(DsfrMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].max_length = 254


class JetonForm(Formulaire):
    nom = forms.CharField(
        label="Nom du jeton", max_length=100, help_text="Par exemple : « script d'import DSI »."
    )
    valable_jusqu_au = forms.DateField(
        label="Valable jusqu'au",
        required=False,  # laissée vide : l'échéance proposée (90 jours)
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date illisible : choisissez-la dans le calendrier (jj/mm/aaaa)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["valable_jusqu_au"]
        champ.initial = services.echeance_proposee()
        champ.widget.attrs.update(
            min=services.premiere_echeance_permise().isoformat(),
            max=services.derniere_echeance_permise().isoformat(),
        )
        champ.help_text = (
            f"Jusqu'à la fin de ce jour ; {settings.JETON_API_DUREE_MAX} jours au plus "
            f"(au plus tard le {services.derniere_echeance_permise():%d/%m/%Y})."
        )

    def clean_valable_jusqu_au(self):
        jour = self.cleaned_data["valable_jusqu_au"] or services.echeance_proposee()
        try:
            services.verifier_echeance(jour)
        except ValidationError as erreur:
            raise forms.ValidationError(erreur.messages) from None
        return jour


class ChangementMotDePasseForm(DsfrMixin, PasswordChangeForm):
    def save(self, commit: bool = True):
        # La personne de la requête est lue en cache (comptes/backends.py) : on n'écrit que le mot de
        # passe, sans réécrire en base le reste d'une copie qui pourrait dater de quelques minutes.
        self.user.set_password(self.cleaned_data["new_password1"])
        if commit:
            self.user.save(update_fields=["password"])
        return self.user


class DemandeReinitialisationForm(DsfrMixin, PasswordResetForm):
    pass


class NouveauMotDePasseForm(DsfrMixin, SetPasswordForm):
    pass


class ActivationForm(DsfrMixin, SetPasswordForm):
    """Premier passage d'une personne dont le compte a été créé pour elle : son nom, son mot de passe."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.order_fields(self.field_order)
