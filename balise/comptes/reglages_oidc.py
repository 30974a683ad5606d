"""Réglages de la connexion par un fournisseur d'identité OpenID Connect (ProConnect ou un autre),
lus dans l'environnement ; importés par balise/settings.py (`from balise.comptes.reglages_oidc import *`).

Un seul fournisseur par instance (docs/connexion-oidc.md). Sans BALISE_OIDC_EMETTEUR, rien n'est
activé : `BALISE_OIDC` vaut None, pas de bouton, les autres réglages sont inertes.

Les adresses du fournisseur (autorisation, jeton, userinfo, clés, fin de session) sont celles de
l'environnement si elles y sont toutes ; sinon elles sont lues dans son document de découverte
(`<émetteur>/.well-known/openid-configuration`), une fois par processus, à la première connexion
(balise/comptes/oidc.py) : jamais au démarrage, pour que Balise démarre et que la connexion par mot
de passe marche même quand le fournisseur ne répond pas.

Les noms `OIDC_*` sont ceux de mozilla-django-oidc.
"""

import os
from collections.abc import Mapping

__all__ = [
    "BALISE_OIDC",
    "LOGIN_REDIRECT_URL_FAILURE",
    "OIDC_AUTHENTICATION_CALLBACK_URL",
    "OIDC_AUTH_REQUEST_EXTRA_PARAMS",
    "OIDC_CREATE_USER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_LOGOUT_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_PKCE_CODE_CHALLENGE_METHOD",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_RP_SCOPES",
    "OIDC_RP_SIGN_ALGO",
    "OIDC_STORE_ID_TOKEN",
    "OIDC_TIMEOUT",
    "OIDC_USE_NONCE",
    "OIDC_USE_PKCE",
]

# Les étendues documentées par ProConnect (espace partenaires, « données fournies ») : `openid`
# obligatoire, `email`, `given_name`, `usual_name` (nom d'usage, à la place de `family_name`).
ETENDUES_PROCONNECT = "openid email given_name usual_name"
ETENDUES_STANDARD = "openid email profile"


def lire(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Les réglages OIDC tirés de `environ` (l'environnement du processus par défaut) ; les tests
    l'appellent avec un dictionnaire pour obtenir les réglages d'un fournisseur de test."""
    env = os.environ if environ is None else environ

    def _texte(nom: str, defaut: str = "") -> str:
        return env.get(nom, defaut).strip()

    def _oui(nom: str, defaut: bool) -> bool:
        valeur = _texte(nom).lower()
        if not valeur:
            return defaut
        return valeur in ("1", "true", "oui", "yes", "on")

    emetteur = _texte("BALISE_OIDC_EMETTEUR").rstrip("/")
    nom = _texte("BALISE_OIDC_NOM", "ProConnect") or "ProConnect"
    proconnect = nom.replace(" ", "").lower() == "proconnect"
    explicites = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": _texte("BALISE_OIDC_AUTORISATION"),
        "OIDC_OP_TOKEN_ENDPOINT": _texte("BALISE_OIDC_JETON"),
        "OIDC_OP_USER_ENDPOINT": _texte("BALISE_OIDC_USERINFO"),
        "OIDC_OP_JWKS_ENDPOINT": _texte("BALISE_OIDC_CLES"),
        "OIDC_OP_LOGOUT_ENDPOINT": _texte("BALISE_OIDC_FIN_DE_SESSION"),
    }
    extra: dict[str, str] = {}
    if acr := _texte("BALISE_OIDC_ACR_VALUES"):
        extra["acr_values"] = acr
    if emetteur and not (_texte("BALISE_OIDC_CLIENT_ID") and _texte("BALISE_OIDC_CLIENT_SECRET")):
        raise RuntimeError(
            "BALISE_OIDC_EMETTEUR est défini : BALISE_OIDC_CLIENT_ID et BALISE_OIDC_CLIENT_SECRET, "
            "donnés par le fournisseur d'identité à l'inscription de Balise, sont aussi nécessaires."
        )
    return {
        # None : connexion OIDC désactivée (aucun bouton ; les vues répondent 404).
        "BALISE_OIDC": {
            "emetteur": emetteur,
            "nom": nom,
            "proconnect": proconnect,
            # ProConnect ne transmet pas `email_verified` : ses fournisseurs d'identité sont des annuaires
            # d'agents. Un autre fournisseur doit affirmer que l'adresse est vérifiée.
            "email_verifie_exige": _oui("BALISE_OIDC_EXIGER_EMAIL_VERIFIE", not proconnect),
            # Toutes les adresses données : pas de document de découverte.
            "decouverte": not all(v for c, v in explicites.items() if c != "OIDC_OP_LOGOUT_ENDPOINT"),
        }
        if emetteur
        else None,
        "OIDC_RP_CLIENT_ID": _texte("BALISE_OIDC_CLIENT_ID"),
        "OIDC_RP_CLIENT_SECRET": _texte("BALISE_OIDC_CLIENT_SECRET"),
        "OIDC_RP_SCOPES": _texte(
            "BALISE_OIDC_ETENDUES", ETENDUES_PROCONNECT if proconnect else ETENDUES_STANDARD
        ),
        # RS256 par défaut (ProConnect : l'algorithme choisi à l'inscription, RS256, ES256 ou HS256).
        "OIDC_RP_SIGN_ALGO": _texte("BALISE_OIDC_ALGORITHME", "RS256"),
        **explicites,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": _oui("BALISE_OIDC_PKCE", True),
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": extra,
        # Jamais de compte créé : on entre dans Balise sur invitation.
        "OIDC_CREATE_USER": False,
        # Gardé en session pour la déconnexion chez le fournisseur (`id_token_hint`).
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_TIMEOUT": int(_texte("BALISE_OIDC_DELAI", "10")),
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc:retour",
        "LOGIN_REDIRECT_URL_FAILURE": "comptes:connexion",
    }


_REGLAGES = lire()
BALISE_OIDC = _REGLAGES["BALISE_OIDC"]
OIDC_RP_CLIENT_ID = _REGLAGES["OIDC_RP_CLIENT_ID"]
OIDC_RP_CLIENT_SECRET = _REGLAGES["OIDC_RP_CLIENT_SECRET"]
OIDC_RP_SCOPES = _REGLAGES["OIDC_RP_SCOPES"]
OIDC_RP_SIGN_ALGO = _REGLAGES["OIDC_RP_SIGN_ALGO"]
OIDC_OP_AUTHORIZATION_ENDPOINT = _REGLAGES["OIDC_OP_AUTHORIZATION_ENDPOINT"]
OIDC_OP_TOKEN_ENDPOINT = _REGLAGES["OIDC_OP_TOKEN_ENDPOINT"]
OIDC_OP_USER_ENDPOINT = _REGLAGES["OIDC_OP_USER_ENDPOINT"]
OIDC_OP_JWKS_ENDPOINT = _REGLAGES["OIDC_OP_JWKS_ENDPOINT"]
OIDC_OP_LOGOUT_ENDPOINT = _REGLAGES["OIDC_OP_LOGOUT_ENDPOINT"]
OIDC_USE_NONCE = _REGLAGES["OIDC_USE_NONCE"]
OIDC_USE_PKCE = _REGLAGES["OIDC_USE_PKCE"]
OIDC_PKCE_CODE_CHALLENGE_METHOD = _REGLAGES["OIDC_PKCE_CODE_CHALLENGE_METHOD"]
OIDC_AUTH_REQUEST_EXTRA_PARAMS = _REGLAGES["OIDC_AUTH_REQUEST_EXTRA_PARAMS"]
OIDC_CREATE_USER = _REGLAGES["OIDC_CREATE_USER"]
OIDC_STORE_ID_TOKEN = _REGLAGES["OIDC_STORE_ID_TOKEN"]
OIDC_TIMEOUT = _REGLAGES["OIDC_TIMEOUT"]
OIDC_AUTHENTICATION_CALLBACK_URL = _REGLAGES["OIDC_AUTHENTICATION_CALLBACK_URL"]
LOGIN_REDIRECT_URL_FAILURE = _REGLAGES["LOGIN_REDIRECT_URL_FAILURE"]
