"""Ce qui, dans le registre, fait avancer la génération des pages en cache (balise/cache_pages.py) :
tout ce que montrent la liste, la fiche, le portefeuille et le registre public."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import cache_pages

from .models import ChangementStade, Document, SystemeIA


@receiver([post_save, post_delete], sender=SystemeIA)
def _systeme(sender, instance: SystemeIA, **kwargs) -> None:
    cache_pages.avancer(pk=instance.organisation_id)


@receiver([post_save, post_delete], sender=ChangementStade)
@receiver([post_save, post_delete], sender=Document)
def _element_d_un_systeme(sender, instance: ChangementStade | Document, **kwargs) -> None:
    cache_pages.avancer(systemes=instance.systeme_id)
