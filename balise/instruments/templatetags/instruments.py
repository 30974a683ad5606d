"""Filtres des gabarits d'instruments : nombres à la française, libellés d'échelle."""

from typing import Any

from django import template
from markupsafe import Markup

from balise import svg
from balise.instruments import graphiques
from balise.instruments.calcul import ResultatItem
from balise.instruments.definition import LIBELLES_MOMENTS, Definition, Echelle, Item

register = template.Library()


@register.filter
def nombre(valeur: float | None) -> str:
    return svg.nombre(valeur)


@register.filter
def pourcentage(part: float | None) -> str:
    return "—" if part is None else f"{round(part * 100)} %"


@register.simple_tag
def echelle(definition: Definition, item: Item) -> Echelle:
    return definition.echelle_de(item)


@register.filter
def valeur_de(dictionnaire: dict[Any, Any], cle: Any) -> Any:
    return dictionnaire.get(cle)


@register.filter
def moment(code: str) -> str:
    return LIBELLES_MOMENTS.get(code, code)


@register.filter
def libelle(echelle: Echelle, valeur: int) -> str:
    return echelle.libelle(valeur)


@register.simple_tag
def barre_repartition(definition: Definition, resultat_item: ResultatItem, id_: str) -> Markup:
    """La barre empilée des réponses à un item noté (questionnaires : la répartition est le résultat)."""
    return graphiques.repartition(resultat_item, definition.echelle_de(resultat_item.item), id_)
