"""Ce qui, hors du registre, change les pages en cache du registre (liste, fiche, portefeuille) :
la catégorie AI Act et les portes du cycle de vie y lisent la qualification, les obligations, les
évaluations, les décisions et les conditions d'un système. Chaque écriture renouvelle la génération
des pages de l'organisation (balise/generations.py), comme registre/fraicheur.py."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations
from balise.conformite.models import ObligationSuivie, Qualification
from balise.instruments.models import Evaluation

from .models import Condition, Decision


@receiver([post_save, post_delete], sender=Qualification)
@receiver([post_save, post_delete], sender=ObligationSuivie)
@receiver([post_save, post_delete], sender=Evaluation)
@receiver([post_save, post_delete], sender=Decision)
@receiver([post_save, post_delete], sender=Condition)
def _fait_d_une_porte(
    sender: object,
    instance: Qualification | ObligationSuivie | Evaluation | Decision | Condition,
    **kwargs: Any,
) -> None:
    # Chacun porte l'organisation du système qu'il concerne : pas de requête.
    generations.renouveler("organisation", instance.organisation_id)
