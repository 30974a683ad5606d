"""Rendu DSFR des formulaires Django, partagé par toutes les applications."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from balise.versions import ConflitEdition

T = TypeVar("T")


class DsfrMixin:
    """À placer avant forms.Form ou forms.ModelForm : champs rendus avec les composants DSFR."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():  # type: ignore[attr-defined]
            dsfr_input_class_attr(visible)


class Formulaire(DsfrMixin, forms.Form):
    pass


class FormulaireModele(DsfrMixin, forms.ModelForm):
    pass


class ChampVersion(forms.IntegerField):
    """La version de l'objet que la personne a ouvert, renvoyée par le formulaire (champ caché).

    Absente ou illisible, elle vaut None, que `versions.verrouiller` refuse comme une version périmée :
    la personne voit le message de conflit et le formulaire repart de la version actuelle, plutôt qu'une
    erreur sur un champ qu'elle ne voit pas, ou, pire, une écriture qui écrase un changement plus récent.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            return None


def reprendre_apres_conflit(form: forms.BaseForm, conflit) -> None:
    """Après une modification concurrente (`versions.ConflitEdition`), le formulaire garde la saisie de
    la personne mais repart de la version désormais à jour : l'enregistrer de nouveau la remplace."""
    form.data = form.data.copy()
    form.data["version"] = str(conflit.objet.version)


@dataclass
class Ecriture(Generic[T]):
    """Ce qu'a donné `ecrire` : écrit ou non, ce que l'écriture a rendu, le conflit à montrer (409)."""

    ecrit: bool
    resultat: T | None = None
    conflit: ConflitEdition | None = None


def ecrire(form: forms.BaseForm, enregistrer: Callable[[], T]) -> Ecriture[T]:
    """Le cycle d'écriture d'un formulaire valide : appelle `enregistrer` (un service) ; un conflit de
    version est repris dans le formulaire (`reprendre_apres_conflit`) et rendu pour être montré, une
    ValidationError devient une erreur du formulaire. Rien n'est écrit dans ces deux cas."""
    try:
        return Ecriture(True, enregistrer())
    except ConflitEdition as conflit:
        reprendre_apres_conflit(form, conflit)
        return Ecriture(False, conflit=conflit)
    except ValidationError as erreur:
        form.add_error(None, erreur)
        return Ecriture(False)


def version_postee(request: HttpRequest) -> int | None:
    """La version renvoyée par un bouton d'action (champ caché `version`) ; None si elle est absente ou
    n'est pas un petit entier ASCII (verrouiller la refuse alors, sans erreur 500)."""
    valeur = request.POST.get("version", "")
    return int(valeur) if valeur.isascii() and valeur.isdigit() and len(valeur) <= 30 else None
