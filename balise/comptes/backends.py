"""Authentification par mot de passe, la personne d'une session étant lue sous sa génération, et
limite des connexions manquées par adresse.

Django relit la personne en base à chaque page ; ici elle est lue dans le cache de sa génération
(balise/generations.py), que tout enregistrement du compte renouvelle : un mot de passe changé, un
compte désactivé ou supprimé valent dès la requête suivante (organisations/fraicheur.py).
"""

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from balise import generations, limites

from .models import Utilisateur

# Posé sur la requête refusée parce que son adresse a trop manqué de connexions (vue de connexion : 429).
ADRESSE_BLOQUEE = "balise_adresse_bloquee"


class LimiteParAdresse:
    """Premier backend : refuse toute connexion depuis une adresse qui a manqué trop de connexions, tous
    comptes confondus (balise/limites.py), sans même regarder le mot de passe. Couvre chaque formulaire
    de connexion (Balise, /admin/). Sans `get_user` : ce n'est pas lui qui retrouve la personne d'une
    session (ni celui que choisit `Client.force_login`)."""

    def authenticate(self, request: HttpRequest | None, **identifiants: Any) -> None:
        if request is not None and limites.CONNEXIONS_PAR_ADRESSE.atteinte(
            limites.adresse_du_client(request)
        ):
            setattr(request, ADRESSE_BLOQUEE, True)
            raise PermissionDenied
        return None


def compter_connexion_manquee(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Signal `user_login_failed` : un échec de plus pour l'adresse. Ne compte pas les refus sans essai
    de mot de passe (adresse déjà bloquée, compte verrouillé par django-axes)."""
    if (
        request is None
        or getattr(request, ADRESSE_BLOQUEE, False)
        or getattr(request, "axes_locked_out", False)
    ):
        return
    limites.CONNEXIONS_PAR_ADRESSE.compter(limites.adresse_du_client(request))


class PersonneEnCache(ModelBackend):
    def get_user(self, user_id: int) -> Utilisateur | None:
        personne = generations.lire(
            "personne", user_id, "personne", lambda: Utilisateur._default_manager.filter(pk=user_id).first()
        )
        return personne if personne is not None and self.user_can_authenticate(personne) else None


# Le backend qui relit la personne d'une session ; il doit figurer dans AUTHENTICATION_BACKENDS.
BACKEND_SESSION = f"{PersonneEnCache.__module__}.{PersonneEnCache.__qualname__}"


def ouvrir_session(request: HttpRequest, utilisateur: Utilisateur) -> None:
    """Ouvre la session d'une personne que Balise vient d'authentifier lui-même (compte créé en
    acceptant une invitation), sans passer par `authenticate()`.

    Django range dans la session le chemin du backend nommé ici et, à chaque requête, ne reconnaît la
    session que si ce backend est dans AUTHENTICATION_BACKENDS : nommer un autre backend (celui de
    Django, par exemple) déconnecte la personne dès la page suivante.
    """
    login(request, utilisateur, backend=BACKEND_SESSION)
