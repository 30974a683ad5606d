from django import forms

from .models import Frequence


class FrequenceForm(forms.Form):
    frequence = forms.ChoiceField(
        label="Recevoir le récapitulatif de ce qui m'attend",
        choices=Frequence.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une fréquence.",
            "invalid_choice": "Choisissez une fréquence proposée : chaque semaine, chaque jour ou jamais.",
        },
    )
