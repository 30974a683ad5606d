"""Ce qui, hors du registre, change les pages en cache de l'organisation d'un système (liste, fiche et
portefeuille du registre, registre public) : la catégorie AI Act et les portes du cycle de vie y
lisent la qualification, les obligations, les évaluations, les décisions et les conditions ; la fiche
montre la chronologie des avis, décisions et conditions ; le registre public, ses avis et décisions
publics ; toutes les listes de contrôle, la politique des portes de l'organisation. Chaque écriture renouvelle la génération des pages de l'organisation du système
(balise/generations.py), comme registre/fraicheur.py. Les votes n'y sont pas montrés."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations
from balise.conformite.models import ObligationSuivie, Qualification
from balise.instruments.models import Evaluation

from .models import Avis, Condition, Decision, Point, PolitiquePortes


@receiver([post_save, post_delete], sender=Qualification)
@receiver([post_save, post_delete], sender=ObligationSuivie)
@receiver([post_save, post_delete], sender=Evaluation)
@receiver([post_save, post_delete], sender=Decision)
@receiver([post_save, post_delete], sender=Condition)
def _fait_du_systeme(
    sender: object,
    instance: Qualification | ObligationSuivie | Evaluation | Decision | Condition,
    **kwargs: Any,
) -> None:
    # Chacun porte l'organisation du système qu'il concerne : pas de requête.
    generations.renouveler("organisation", instance.organisation_id)


@receiver([post_save, post_delete], sender=Avis)
def _avis(sender: object, instance: Avis, **kwargs: Any) -> None:
    # L'organisation du système examiné (celle du point), qui peut différer de celle de l'instance.
    organisation_id = (
        Point.objects.filter(pk=instance.point_id).values_list("organisation_id", flat=True).first()
    )
    if organisation_id is not None:
        generations.renouveler("organisation", organisation_id)


@receiver(post_save, sender=PolitiquePortes)
def _politique(sender: object, instance: PolitiquePortes, **kwargs: Any) -> None:
    # Une nouvelle version de la politique des portes change les listes de contrôle de chaque fiche.
    generations.renouveler("organisation", instance.organisation_id)
