"""Limites de débit : le seul mécanisme qui compte ce qui sert à deviner, à harceler ou à bourrer.

Une limite (`Limite`, seuils dans `settings.LIMITES`) permet au plus `nombre` événements par fenêtre
fixe de `secondes` pour une même valeur : une adresse du client, un témoin de navigateur, une adresse
électronique visée. Une fenêtre commence à chaque multiple de `secondes` depuis l'époque Unix ; le
compte repart de zéro à la suivante (à la jointure de deux fenêtres passent au plus deux fois
`nombre` événements). Les compteurs vivent dans le cache partagé par tous les processus (fichiers ou
Redis, incrément atomique : des requêtes simultanées ne passent pas ensemble sous la limite), sous
une empreinte à clé : ni adresse ni témoin n'y sont écrits en clair, et rien n'en est écrit en base.

Servent aujourd'hui : les connexions manquées par adresse, tous comptes confondus (comptes/backends.py),
les demandes de lien de réinitialisation (comptes/views.py) et les envois des questionnaires aux
agents, sans compte (instruments/views.py), comptés par adresse et par témoin (`compter_envoi`).

L'adresse du client est celle que `balise/mandataires.py` a rangée dans `REMOTE_ADDR` (le client réel
derrière un mandataire de confiance) ; une adresse IPv6 compte pour son préfixe /64, qu'un même abonné
possède en entier.
"""

from __future__ import annotations

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

from balise.mandataires import adresse_de_la_requete

TEMOIN = "balise-temoin"
_TEMOIN_MAX = 64
# L'horloge des fenêtres ; les tests la remplacent pour passer d'une fenêtre à l'autre sans attendre.
horloge: Callable[[], float] = time.time


@dataclass(frozen=True)
class Depassement:
    """Une limite atteinte : laquelle, et dans combien de secondes réessayer."""

    regle: str
    reessayer_dans: int


@dataclass(frozen=True)
class Limite:
    nom: str  # clé de settings.LIMITES : (nombre, secondes)

    @property
    def nombre(self) -> int:
        return settings.LIMITES[self.nom][0]

    @property
    def secondes(self) -> int:
        return settings.LIMITES[self.nom][1]

    def _fenetre(self, valeur: str, portee: str) -> tuple[str, int]:
        """La clé du compteur de `valeur` dans la fenêtre en cours, et les secondes qui lui restent."""
        maintenant, secondes = horloge(), self.secondes
        fenetre = int(maintenant // secondes)
        empreinte = salted_hmac("balise.limites", f"{self.nom}|{valeur}", algorithm="sha256").hexdigest()
        reste = max(1, int((fenetre + 1) * secondes - maintenant))
        return f"limite:{self.nom}:{portee}:{empreinte[:32]}:{fenetre}", reste

    def atteinte(self, valeur: str | None, portee: str = "") -> Depassement | None:
        """Le dépassement si `valeur` a déjà compté `nombre` événements dans la fenêtre, sans compter."""
        if valeur is None:
            return None
        cle, reste = self._fenetre(valeur, portee)
        return Depassement(self.nom, reste) if (caches["partage"].get(cle) or 0) >= self.nombre else None

    def compter(self, valeur: str | None, portee: str = "") -> tuple[str | None, Depassement | None]:
        """Compte un événement de `valeur` : (clé du compteur, pour `rendre` ; dépassement si cet
        événement est de trop). L'incrément atomique donne à chaque événement son rang."""
        if valeur is None:
            return None, None
        cle, reste = self._fenetre(valeur, portee)
        cache = caches["partage"]
        cache.add(cle, 0, timeout=reste + 1)
        try:
            rang = cache.incr(cle)
        except ValueError:  # expirée entre les deux appels : premier événement de la fenêtre
            cache.add(cle, 1, timeout=reste + 1)
            rang = 1
        return cle, (Depassement(self.nom, reste) if rang > self.nombre else None)


CONNEXIONS_PAR_ADRESSE = Limite("connexions_manquees_par_adresse")
REINITIALISATIONS_PAR_ADRESSE = Limite("reinitialisations_par_adresse")
REINITIALISATIONS_PAR_COMPTE = Limite("reinitialisations_par_compte")


def adresse_du_client(request: HttpRequest | None) -> str | None:
    """L'adresse réelle du client telle que les limites la comptent (IPv6 : son préfixe /64)."""
    adresse = adresse_de_la_requete(request)
    if adresse is None:
        return None
    try:
        ip = ipaddress.ip_address(adresse)
    except ValueError:
        return "inconnue"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- Envois des pages sans compte : par adresse et par témoin de navigateur --------------------------


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


@dataclass
class Envoi:
    """Un envoi compté : ses compteurs (pour le rendre) et, s'il dépasse une limite, le dépassement."""

    cles: list[str]
    depassement: Depassement | None


def compter_envoi(regle: str, request: HttpRequest, portee: str = "") -> Envoi:
    """Compte un envoi selon les limites `<regle>_par_adresse` et `<regle>_par_temoin`."""
    envoi = Envoi([], None)
    for par, valeur in (("adresse", adresse_du_client(request)), ("temoin", temoin(request))):
        cle, depassement = Limite(f"{regle}_par_{par}").compter(valeur, portee)
        if cle is not None:
            envoi.cles.append(cle)
        if depassement is not None:
            envoi.depassement = Depassement(regle, depassement.reessayer_dans)
    return envoi


def rendre(envoi: Envoi) -> None:
    """Décompte un envoi qui ne devait pas compter (par exemple un code accepté : seuls les refus s'accumulent)."""
    cache = caches["partage"]
    for cle in envoi.cles:
        with suppress(ValueError):  # fenêtre close entre-temps : rien à rendre
            cache.decr(cle)
