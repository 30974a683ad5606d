"""Connexion par le fournisseur d'identité de l'instance (ProConnect ou tout fournisseur OpenID Connect),
avec mozilla-django-oidc : flux « code d'autorisation », `state`, `nonce` et PKCE (docs/connexion-oidc.md).

La personne doit déjà avoir un compte Balise actif. À sa première connexion par le fournisseur, il est
retrouvé par son adresse électronique vérifiée (sans tenir compte de la casse) et lié à l'identité que
le fournisseur donne (`iss`, `sub` : IdentiteOIDC) ; ensuite, c'est cette identité qui le désigne. Aucun
compte n'est jamais créé ni modifié ici. La session ouverte est celle
d'une connexion par mot de passe (`ouvrir_session`, backend `PersonneEnCache`) : la personne est relue
sous sa génération à chaque requête, et la connexion est notée par les mêmes signaux (`user_logged_in` :
dernière connexion, activité de la session, journal d'accès de django-axes).

Le retour du fournisseur n'appelle pas `django.contrib.auth.authenticate()` : un refus (adresse inconnue
de Balise) n'est pas un mot de passe manqué, et ne doit compter ni pour django-axes (qui verrouillerait
toutes les connexions OIDC d'une adresse IP, faute d'identifiant) ni pour la limite par adresse.
"""

import logging
import secrets
import threading
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template import engines
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.utils import import_from_settings  # type: ignore[import-untyped]
from mozilla_django_oidc.views import OIDCAuthenticationRequestView  # type: ignore[import-untyped]

from . import selectors, services
from .backends import PersonneEnCache, ouvrir_session
from .models import IdentiteOIDC, Utilisateur

journal = logging.getLogger(__name__)

# Réglage de mozilla-django-oidc → champ du document de découverte du fournisseur.
POINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
# Les documents de découverte lus, par émetteur : une lecture par processus (un échec n'est pas gardé).
_decouvertes: dict[str, dict[str, Any]] = {}
_verrou = threading.Lock()
# Dans la session : l'`id_token` (gardé par mozilla-django-oidc) et le `state` de la déconnexion.
CLE_ID_TOKEN = "oidc_id_token"  # noqa: S105  # un nom de clé, pas un secret
CLE_ETAT_FIN = "balise_oidc_fin"


class FournisseurInjoignable(Exception):
    """Le document de découverte du fournisseur est illisible ou ne répond pas."""


def fournisseur() -> dict[str, Any] | None:
    """Le fournisseur de l'instance (reglages_oidc.BALISE_OIDC), ou None sans connexion OIDC."""
    return getattr(settings, "BALISE_OIDC", None) or None


def decouverte(emetteur: str) -> dict[str, Any]:
    with _verrou:
        if emetteur in _decouvertes:
            return _decouvertes[emetteur]
        try:
            reponse = requests.get(
                f"{emetteur}/.well-known/openid-configuration",
                timeout=import_from_settings("OIDC_TIMEOUT", 10),
            )
            reponse.raise_for_status()
            document = reponse.json()
        except (requests.RequestException, ValueError) as erreur:
            raise FournisseurInjoignable(f"découverte de {emetteur} : {erreur}") from erreur
        # OpenID Connect Discovery 1.0, § 4.3 : l'émetteur annoncé est exactement celui qu'on a interrogé.
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != emetteur:
            raise FournisseurInjoignable(f"découverte de {emetteur} : émetteur différent")
        _decouvertes[emetteur] = document
        return document


def oublier_decouvertes() -> None:
    """Pour les tests : la prochaine connexion relit le document de découverte."""
    with _verrou:
        _decouvertes.clear()


def reglage(nom: str, *defaut: Any) -> Any:
    """Les réglages de mozilla-django-oidc ; ses adresses du fournisseur, quand l'environnement ne les
    donne pas, viennent du document de découverte."""
    if nom in POINTS:
        explicite = getattr(settings, nom, "") or ""
        conf = fournisseur()
        if explicite or conf is None or not conf.get("decouverte"):
            return explicite or (defaut[0] if defaut else "")
        return decouverte(conf["emetteur"]).get(POINTS[nom]) or (defaut[0] if defaut else "")
    return import_from_settings(nom, *defaut)


class Refus(Exception):
    """Le fournisseur a authentifié la personne, Balise ne lui ouvre pas de session ; le message dit
    pourquoi, en français, sur la page de connexion."""


class BackendOIDC(PersonneEnCache, OIDCAuthenticationBackend):
    """Retrouve le compte Balise de la personne authentifiée par le fournisseur.

    `get_user` est celui de `PersonneEnCache` : s'il figure dans AUTHENTICATION_BACKENDS (ce n'est pas
    nécessaire, la session est ouverte au nom de `PersonneEnCache`), la personne d'une session est lue
    de la même façon. `authenticate` ne répond qu'au retour du fournisseur (avec un `nonce`) : un
    formulaire de mot de passe ne l'atteint jamais.
    """

    get_settings = staticmethod(reglage)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django construit les backends à chaque authentification et à chaque relecture de session :
        # aucun réglage lu ici, aucune découverte ; voir `preparer`.
        self.UserModel = Utilisateur

    def preparer(self) -> None:
        OIDCAuthenticationBackend.__init__(self)

    def authenticate(self, request: HttpRequest | None, **identifiants: Any) -> Utilisateur | None:  # type: ignore[override]
        if request is None or "nonce" not in identifiants or fournisseur() is None:
            return None
        self.preparer()
        return OIDCAuthenticationBackend.authenticate(self, request, **identifiants)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        contenu: dict[str, Any] = super().verify_token(token, **kwargs)
        # mozilla-django-oidc vérifie signature, expiration et nonce ; OpenID Connect Core § 3.1.3.7
        # demande aussi l'émetteur et le destinataire (id_token, et userinfo signé à la ProConnect).
        conf = fournisseur() or {}
        emetteur = str(contenu.get("iss", "")).rstrip("/")
        if "iss" in contenu and emetteur != conf.get("emetteur"):
            raise SuspiciousOperation(f"jeton d'un autre émetteur : {emetteur}")
        destinataires = contenu.get("aud", [])
        if isinstance(destinataires, str):
            destinataires = [destinataires]
        if "aud" in contenu and self.OIDC_RP_CLIENT_ID not in destinataires:
            raise SuspiciousOperation("jeton destiné à un autre client")
        return contenu

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> Utilisateur | None:
        reclamations = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core § 5.3.2 : userinfo parle de la personne de l'id_token.
        if str(reclamations.get("sub", "")) != str(payload.get("sub", "")):
            raise SuspiciousOperation("userinfo ne concerne pas la personne de l'id_token")
        return self.personne(reclamations)

    def personne(self, reclamations: dict[str, Any]) -> Utilisateur:
        """Le compte lié à cette identité (`iss`, `sub`) ; à la première connexion, le compte de l'adresse
        vérifiée, qui lui est alors lié (IdentiteOIDC)."""
        conf = fournisseur() or {}
        nom = conf.get("nom", "le fournisseur d'identité")
        emetteur, sub = str(conf.get("emetteur", "")), str(reclamations.get("sub") or "")
        if not sub or len(sub) > 255:
            raise Refus(
                f"{nom} n'a pas transmis d'identifiant de personne utilisable : connexion impossible."
            )
        liee = IdentiteOIDC.objects.select_related("utilisateur").filter(emetteur=emetteur, sub=sub).first()
        if liee is not None:
            return self._active(liee.utilisateur)
        personne = self._par_adresse(reclamations, nom, conf)
        try:
            services.lier_identite(personne, emetteur, sub)
        except ValidationError:
            raise Refus(
                f"Le compte Balise de {personne.email} est déjà lié à une autre identité chez {nom} : "
                "l'adresse a pu changer de titulaire. Demandez à l'administrateur de l'instance de "
                "vérifier ce lien."
            ) from None
        return personne

    def _active(self, personne: Utilisateur) -> Utilisateur:
        if not self.user_can_authenticate(personne):
            raise Refus(f"Le compte Balise de {personne.email} est désactivé.")
        return personne

    def _par_adresse(self, reclamations: dict[str, Any], nom: str, conf: dict[str, Any]) -> Utilisateur:
        email = str(reclamations.get("email") or "").strip()
        if not email:
            raise Refus(
                f"{nom} n'a pas transmis votre adresse électronique : Balise ne peut pas vous reconnaître."
            )
        verifiee = reclamations.get("email_verified")
        if isinstance(verifiee, str):
            verifiee = verifiee.lower() == "true"
        if verifiee is False or (conf.get("email_verifie_exige") and verifiee is not True):
            raise Refus(
                f"{nom} n'atteste pas que l'adresse {email} vous appartient (adresse non vérifiée) : "
                "Balise ne peut pas vous connecter avec elle."
            )
        personnes = list(Utilisateur._default_manager.filter(email__iexact=email)[:2])
        if len(personnes) != 1:
            raise Refus(
                f"Aucun compte Balise n'est ouvert pour {email}. Si vous avez reçu une invitation, suivez "
                "le lien de son courriel ; sinon, demandez une invitation à un administrateur de votre "
                "organisation dans Balise."
            )
        return self._active(personnes[0])


def _echec(request: HttpRequest, texte: str) -> HttpResponse:
    messages.error(request, texte)
    return redirect(resolve_url(reglage("LOGIN_REDIRECT_URL_FAILURE", "comptes:connexion")))


def _nom() -> str:
    return str((fournisseur() or {}).get("nom", "le fournisseur d'identité"))


class Depart(OIDCAuthenticationRequestView):
    """Le bouton « Se connecter avec ProConnect » : la personne est envoyée chez le fournisseur, avec un
    `state`, un `nonce` et un défi PKCE gardés dans sa session."""

    get_settings = staticmethod(reglage)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # les adresses sont lues dans `get`, qui sait dire un échec

    def get(self, request: HttpRequest) -> HttpResponse:
        if fournisseur() is None:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = reglage("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except FournisseurInjoignable as erreur:
            journal.warning("connexion OIDC impossible : %s", erreur)
            self.OIDC_OP_AUTH_ENDPOINT = ""
        if not self.OIDC_OP_AUTH_ENDPOINT:
            return _echec(
                request,
                f"{_nom()} ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous "
                "avec votre mot de passe Balise si vous en avez un.",
            )
        self.OIDC_RP_CLIENT_ID = reglage("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Retour(View):
    """L'adresse de retour (`redirect_uri`) : vérifie le `state`, échange le code (avec le vérificateur
    PKCE), vérifie l'id_token et son `nonce`, lit userinfo, puis ouvre la session du compte retrouvé.
    Les vérifications sont celles de la vue de mozilla-django-oidc ; seule l'issue diffère (pas
    d'`authenticate()`, un message en français à chaque refus)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if fournisseur() is None:
            raise Http404
        etats = request.session.get("oidc_states") or {}
        etat = request.GET.get("state", "")
        donnees = etats.pop(etat, None) if etat else None
        if donnees is not None:
            request.session["oidc_states"] = etats  # un `state` ne sert qu'une fois
        if request.GET.get("error"):
            journal.info("connexion OIDC refusée par le fournisseur : %s", request.GET["error"][:100])
            return _echec(request, f"La connexion avec {_nom()} n'a pas abouti : vous pouvez recommencer.")
        if donnees is None or not request.GET.get("code"):
            return _echec(
                request,
                f"Cette réponse de {_nom()} ne correspond à aucune demande de connexion en cours dans ce "
                "navigateur (demande expirée ou déjà utilisée) : recommencez.",
            )
        request.session.save()  # l'échange du code prend du temps : le `state` est consommé d'abord
        backend = BackendOIDC()
        try:
            personne = backend.authenticate(
                request, nonce=donnees["nonce"], code_verifier=donnees.get("code_verifier")
            )
        except Refus as refus:
            journal.info("connexion OIDC refusée par Balise")
            return _echec(request, str(refus))
        except (
            SuspiciousOperation,
            ImproperlyConfigured,
            FournisseurInjoignable,
            requests.RequestException,
            jwt.PyJWTError,
            ValueError,
            KeyError,
        ) as erreur:
            journal.warning("connexion OIDC en échec : %s", erreur)
            return _echec(
                request,
                f"La connexion avec {_nom()} a échoué. Recommencez ; si l'échec persiste, connectez-vous "
                "avec votre mot de passe Balise si vous en avez un, ou prévenez l'équipe qui exploite Balise.",
            )
        if personne is None:
            return _echec(request, f"La connexion avec {_nom()} a échoué : recommencez.")
        prochaine = request.session.pop("oidc_login_next", None)
        ouvrir_session(request, personne)  # garde l'id_token rangé dans la session par le backend
        journal.info("connexion OIDC", extra={"utilisateur": personne.pk})
        if prochaine:
            return HttpResponseRedirect(prochaine)  # vérifiée au départ (get_next_url)
        organisation = selectors.seule_organisation(personne)
        if organisation is not None:
            return redirect("gouvernance:a_traiter", slug=organisation.slug)
        return redirect(settings.LOGIN_REDIRECT_URL)


PAGE_FIN = """{% extends "base.html" %}
{% block titre %}Déconnexion{% endblock %}
{% block content %}
<meta http-equiv="refresh" content="0;url={{ adresse }}">
<h1>Vous êtes déconnecté de Balise</h1>
<p>Votre session {{ nom }} se ferme à son tour.</p>
<p><a class="fr-btn" href="{{ adresse }}">Fermer aussi ma session {{ nom }}</a></p>
{% endblock %}"""


@require_POST
def deconnexion(request: HttpRequest) -> HttpResponse:
    """Ferme la session Balise, puis, après une connexion OIDC et si le fournisseur le permet
    (`end_session_endpoint`), sa session chez le fournisseur.

    Le passage chez le fournisseur se fait par une page de Balise (rafraîchissement, lien) et non par une
    redirection : la politique de sécurité du contenu (`form-action 'self'`) interdit à un formulaire
    d'aboutir, même par redirection, sur une autre origine."""
    id_token = request.session.get(CLE_ID_TOKEN)
    fin = ""
    if id_token and fournisseur() is not None:
        try:
            fin = reglage("OIDC_OP_LOGOUT_ENDPOINT", "")
        except FournisseurInjoignable as erreur:
            journal.warning("déconnexion OIDC impossible : %s", erreur)
    auth.logout(request)
    if not fin:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    etat = secrets.token_urlsafe(32)
    request.session[CLE_ETAT_FIN] = etat
    parametres = {
        "id_token_hint": id_token,
        "state": etat,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("oidc:fin")),
    }
    adresse = f"{fin}{'&' if '?' in fin else '?'}{urlencode(parametres)}"
    page = engines["django"].from_string(PAGE_FIN)
    return HttpResponse(page.render({"adresse": adresse, "nom": _nom()}, request))


def fin(request: HttpRequest) -> HttpResponse:
    """Retour du fournisseur après la fin de sa session (`post_logout_redirect_uri`)."""
    etat = request.session.pop(CLE_ETAT_FIN, None)
    if etat and secrets.compare_digest(etat, request.GET.get("state", "")):
        messages.success(request, f"Vous êtes déconnecté de Balise et de {_nom()}.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def contexte_connexion(request: HttpRequest) -> dict[str, Any]:
    """Processeur de contexte : `fournisseur_oidc` (nom, ProConnect ou non) pour la page de connexion,
    absent sans connexion OIDC."""
    conf = fournisseur()
    return {"fournisseur_oidc": conf} if conf else {}
