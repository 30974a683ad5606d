"""Authentification par mot de passe, la personne d'une session étant lue sous sa génération.

Django relit la personne en base à chaque page ; ici elle est lue dans le cache de sa génération
(balise/generations.py), que tout enregistrement du compte renouvelle : un mot de passe changé, un
compte désactivé ou supprimé valent dès la requête suivante (organisations/fraicheur.py).
"""

from django.contrib.auth.backends import ModelBackend

from balise import generations

from .models import Utilisateur


class PersonneEnCache(ModelBackend):
    def get_user(self, user_id: int) -> Utilisateur | None:
        personne = generations.lire(
            "personne", user_id, "personne", lambda: Utilisateur._default_manager.filter(pk=user_id).first()
        )
        return personne if personne is not None and self.user_can_authenticate(personne) else None
