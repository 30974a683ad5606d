from django import forms
from django.utils import timezone

from balise.formulaires import Formulaire

from .models import Rapport


class ProductionForm(Formulaire):
    genre = forms.ChoiceField(label="Document à produire", choices=Rapport.Genre.choices)
    annee = forms.IntegerField(
        label="Année",
        help_text="Le rapport porte sur l'année civile ; celle en cours s'arrête à aujourd'hui.",
        min_value=1,
        max_value=9999,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].initial = timezone.localdate().year - 1
