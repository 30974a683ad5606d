"""Ce qui, dans la gouvernance, renouvelle la génération des pages en cache de l'organisation du
système (balise/generations.py) : la fiche du registre montre la chronologie des avis, décisions et
conditions du système (gabarit gouvernance/_chronologie_systeme.html) ; le registre public, ses avis
et décisions publics. Les votes n'y sont pas montrés (ils sont clos quand l'avis est rendu)."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import Avis, Condition, Decision, Point


@receiver([post_save, post_delete], sender=Decision)
@receiver([post_save, post_delete], sender=Condition)
def _decision_ou_condition(sender: object, instance: Decision | Condition, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)


@receiver([post_save, post_delete], sender=Avis)
def _avis(sender: object, instance: Avis, **kwargs: Any) -> None:
    # L'organisation du système examiné (celle du point), qui peut différer de celle de l'instance.
    organisation_id = (
        Point.objects.filter(pk=instance.point_id).values_list("organisation_id", flat=True).first()
    )
    if organisation_id is not None:
        generations.renouveler("organisation", organisation_id)
