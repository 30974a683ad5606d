"""Ce qui renouvelle les générations d'une personne et d'une organisation (balise/generations.py).

La génération d'une personne couvre son compte et ses adhésions, lus en cache à chaque page : tout
changement de l'un ou de l'autre (rôle, départ, mot de passe, compte désactivé) vaut dès la requête
suivante. Celle d'une organisation couvre sa fiche et ses pages en cache, où paraît aussi le nom des
personnes (auteur d'un changement de stade, d'un document).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from balise import generations

from .models import Adhesion, Organisation

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

_CHAMPS_DU_NOM = {"first_name", "last_name", "email"}


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL)
def _personne(sender: object, instance: Utilisateur, **kwargs: Any) -> None:
    generations.renouveler("personne", instance.pk)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def _nom_de_la_personne(
    sender: object,
    instance: Utilisateur,
    created: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    # La connexion enregistre `last_login` à chaque fois : sans effet sur les pages.
    if not created and (update_fields is None or update_fields & _CHAMPS_DU_NOM):
        organisations = Adhesion.objects.filter(utilisateur=instance.pk).values_list(
            "organisation", flat=True
        )
        generations.renouveler("organisation", *organisations)


@receiver([post_save, post_delete], sender=Adhesion)
def _adhesion(sender: object, instance: Adhesion, **kwargs: Any) -> None:
    generations.renouveler("personne", instance.utilisateur_id)


@receiver([post_save, post_delete], sender=Organisation)
def _organisation(sender: object, instance: Organisation, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.pk)
