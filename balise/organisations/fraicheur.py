"""Le nom d'une personne apparaît dans les pages en cache de ses organisations (auteur d'un changement
de stade, d'un document) : le changer fait avancer leur génération (balise/cache_pages.py)."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from balise import cache_pages

_CHAMPS_DU_NOM = {"first_name", "last_name", "email"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _personne(sender, instance, created: bool, update_fields: frozenset[str] | None, **kwargs) -> None:
    # La connexion enregistre `last_login` à chaque fois : sans effet sur les pages.
    if not created and (update_fields is None or update_fields & _CHAMPS_DU_NOM):
        cache_pages.avancer(adhesions__utilisateur=instance.pk)
