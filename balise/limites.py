"""Limites d'envoi par client, pour les pages ouvertes sans compte (questionnaires aux agents).

Règle (`settings.LIMITES_ENVOI`) : pour chaque règle, au plus `nombre` envois par fenêtre fixe de
`secondes`, comptés séparément par adresse du client et par témoin de navigateur. Une fenêtre
commence à chaque multiple de `secondes` depuis l'époque Unix ; le compte repart de zéro à la
suivante. Les compteurs vivent dans le cache partagé par tous les processus (fichiers ou Redis,
incrément atomique), sous une empreinte à clé : ni l'adresse ni le témoin n'y sont écrits en clair,
et rien n'en est écrit en base.

L'adresse est celle de la connexion (`REMOTE_ADDR`) ; derrière des mandataires (répartiteur,
serveur frontal), `settings.MANDATAIRES` dit combien d'entre eux ajoutent une adresse à
`X-Forwarded-For` : celle qu'ils ont vue en premier est retenue. Une adresse IPv6 compte pour son
préfixe /64, qu'un même abonné possède en entier.
"""

import ipaddress
import secrets
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

TEMOIN = "balise-temoin"
_TEMOIN_MAX = 64
# L'horloge des fenêtres ; les tests la remplacent pour passer d'une fenêtre à l'autre sans attendre.
horloge: Callable[[], float] = time.time


@dataclass(frozen=True)
class Depassement:
    """Une limite atteinte : ce qu'il faut dire au client, et dans combien de secondes réessayer."""

    regle: str
    reessayer_dans: int


def adresse_du_client(request: HttpRequest) -> str:
    adresse = request.META.get("REMOTE_ADDR", "")
    mandataires = settings.MANDATAIRES
    if mandataires:
        vues = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(vues) >= mandataires:
            adresse = vues[-mandataires]
    try:
        ip = ipaddress.ip_address(adresse)
    except ValueError:
        return "inconnue"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def temoin(request: HttpRequest) -> str | None:
    valeur = request.COOKIES.get(TEMOIN, "")
    if not valeur or len(valeur) > _TEMOIN_MAX or not valeur.replace("-", "").replace("_", "").isalnum():
        return None
    return valeur


def poser_temoin(request: HttpRequest, reponse: HttpResponse) -> HttpResponse:
    """Donne un témoin au navigateur qui n'en a pas : une valeur aléatoire, qui ne sert qu'aux limites."""
    if temoin(request) is None:
        reponse.set_cookie(
            TEMOIN,
            secrets.token_urlsafe(16),
            max_age=24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return reponse


def _clients(request: HttpRequest) -> dict[str, str]:
    clients = {"adresse": adresse_du_client(request)}
    valeur = temoin(request)
    if valeur is not None:
        clients["temoin"] = valeur
    return clients


def _cle(regle: str, portee: str, par: str, client: str, fenetre: int) -> str:
    empreinte = salted_hmac("balise.limites", f"{par}|{client}", algorithm="sha256").hexdigest()[:32]
    return f"limite:{regle}:{portee}:{par}:{empreinte}:{fenetre}"


def _fenetres(regle: str, request: HttpRequest, portee: str):
    maintenant = horloge()
    for par, client in _clients(request).items():
        nombre, secondes = settings.LIMITES_ENVOI[regle][par]
        fenetre = int(maintenant // secondes)
        reste = max(1, int((fenetre + 1) * secondes - maintenant))
        yield _cle(regle, portee, par, client, fenetre), nombre, secondes, reste


@dataclass
class Envoi:
    """Un envoi compté : ses compteurs (pour le rendre) et, s'il dépasse une limite, le dépassement."""

    cles: list[str]
    depassement: Depassement | None


def _incrementer(cle: str, secondes: int) -> int:
    cache = caches["partage"]
    cache.add(cle, 0, timeout=secondes)
    try:
        return cache.incr(cle)
    except ValueError:  # expirée entre les deux appels : c'est le premier envoi de la fenêtre
        cache.add(cle, 1, timeout=secondes)
        return 1


def compter(regle: str, request: HttpRequest, portee: str = "") -> Envoi:
    """Compte cet envoi, par adresse et par témoin ; l'incrément atomique donne à chaque envoi son
    rang : des envois simultanés ne passent pas ensemble sous la limite."""
    envoi = Envoi([], None)
    for cle, nombre, secondes, reste in _fenetres(regle, request, portee):
        envoi.cles.append(cle)
        if _incrementer(cle, secondes) > nombre:
            envoi.depassement = Depassement(regle, reste)
    return envoi


def rendre(envoi: Envoi) -> None:
    """Décompte un envoi qui ne devait pas compter (par exemple un code accepté : seuls les refus s'accumulent)."""
    cache = caches["partage"]
    for cle in envoi.cles:
        with suppress(ValueError):  # fenêtre close entre-temps : rien à rendre
            cache.decr(cle)
