from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from balise.formulaires import DsfrMixin, Formulaire


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
