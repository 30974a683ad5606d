"""Les séances d'une instance, pour le fragment gouvernance/seances/_liste_instance.html."""

from django import template

from balise.gouvernance import selectors_seances
from balise.gouvernance.models import Instance

register = template.Library()


@register.simple_tag
def seances_de(instance: Instance) -> selectors_seances.Seances:
    return selectors_seances.seances(instance)
