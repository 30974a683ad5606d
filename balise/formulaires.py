"""Rendu DSFR des formulaires Django, partagé par toutes les applications."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
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
        ajouter_erreurs(form, erreur)
        return Ecriture(False)


def ajouter_erreurs(form: forms.BaseForm, erreur: ValidationError) -> None:
    """Le refus d'un service sur le formulaire : chaque erreur sur son champ s'il est dans le formulaire,
    les autres au-dessus (un champ du service absent du formulaire ne fait pas d'erreur 500)."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


def supprimer_ou_signaler(
    request: HttpRequest, supprimer: Callable[[int | None], object], succes: str, apres: str
) -> HttpResponse:
    """Un bouton « Supprimer » (adresse en `…/suppression/`) : la version lue est exigée. Supprimé : le
    message `succes`, puis `apres`. Version périmée ou refus du service : rien n'est supprimé, la page de
    l'objet avec un message en français."""
    try:
        supprimer(version_postee(request))
    except ConflitEdition:
        messages.error(
            request,
            "Elle a été modifiée entre-temps : rien n'a été supprimé, relisez-la avant de la supprimer.",
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes)
        return redirect(apres)
    return redirect(request.path.removesuffix("suppression/"))


def version_postee(request: HttpRequest) -> int | None:
    """La version renvoyée par un bouton d'action (champ caché `version`) ; None si elle est absente ou
    n'est pas un petit entier ASCII (verrouiller la refuse alors, sans erreur 500)."""
    valeur = request.POST.get("version", "")
    return int(valeur) if valeur.isascii() and valeur.isdigit() and len(valeur) <= 30 else None
