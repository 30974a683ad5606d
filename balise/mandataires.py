"""L'adresse du client et le protocole, derrière un mandataire (reverse proxy) de confiance ou non.

C'est le seul endroit où Balise lit `X-Forwarded-For` et `X-Forwarded-Proto`. Ces en-têtes ne valent
que si la connexion vient d'un mandataire déclaré (`BALISE_PROXIES_DE_CONFIANCE`, adresses ou réseaux) :
n'importe qui peut les écrire, et les croire permettrait à un client de se dire en HTTPS ou de
prendre l'adresse d'un autre (pour échapper au verrouillage des connexions, ou le faire subir à un
autre). Sinon, ils sont effacés de la requête avant tout autre traitement.

L'adresse du client est lue dans `X-Forwarded-For` **de droite à gauche** : chaque mandataire ajoute à
droite l'adresse qui lui a parlé ; on saute celles des mandataires de confiance, et la première autre
est celle du client. La plus à gauche, elle, est écrite par le client lui-même : jamais crue.
Le verrouillage des connexions (django-axes, `adresse_de_la_requete`), les limites de débit
(balise/limites.py) et les journaux lisent cette adresse, rangée dans `REMOTE_ADDR`.
"""

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Reseau = ipaddress.IPv4Network | ipaddress.IPv6Network
Adresse = ipaddress.IPv4Address | ipaddress.IPv6Address

# Adresse de la connexion elle-même (le pair TCP), gardée quand REMOTE_ADDR reçoit celle du client.
CLE_PAIR = "balise.adresse_du_pair"


def lire_reseaux(valeurs: Iterable[str]) -> tuple[Reseau, ...]:
    """Les réseaux de la liste (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`) ; refuse une valeur illisible."""
    reseaux = []
    for valeur in valeurs:
        valeur = valeur.strip()
        if not valeur:
            continue
        try:
            reseaux.append(ipaddress.ip_network(valeur, strict=False))
        except ValueError:
            raise ValueError(
                f"BALISE_PROXIES_DE_CONFIANCE : « {valeur} » n'est ni une adresse IP ni un réseau "
                "(exemples : 10.0.0.5, 10.0.0.0/24, 2001:db8::/32)."
            ) from None
    return tuple(reseaux)


@lru_cache(maxsize=8)
def _reseaux(valeurs: tuple[str, ...]) -> tuple[Reseau, ...]:
    return lire_reseaux(valeurs)


def _de_confiance(adresse: Adresse | None) -> bool:
    if adresse is None:
        return False
    reseaux = _reseaux(tuple(settings.PROXIES_DE_CONFIANCE))
    return any(adresse in reseau for reseau in reseaux)


def _adresse(texte: str) -> Adresse | None:
    """Une adresse IP lue dans un en-tête ; tolère le port (`1.2.3.4:5678`, `[2001:db8::1]:443`)."""
    texte = texte.strip()
    if texte.startswith("[") and "]" in texte:
        texte = texte[1 : texte.index("]")]
    elif texte.count(":") == 1:
        texte = texte.split(":", 1)[0]
    try:
        adresse = ipaddress.ip_address(texte)
    except ValueError:
        return None
    # Une adresse IPv4 écrite en IPv6 (::ffff:1.2.3.4) est la même adresse.
    if isinstance(adresse, ipaddress.IPv6Address) and adresse.ipv4_mapped is not None:
        return adresse.ipv4_mapped
    return adresse


def client_et_protocole(pair: str, transmis_pour: str, protocole_transmis: str) -> tuple[str, bool]:
    """L'adresse du client et si la connexion d'origine est en HTTPS selon les mandataires, d'après
    l'adresse du pair et les en-têtes `X-Forwarded-For` et `X-Forwarded-Proto` reçus. Le second
    élément est faux si rien de fiable ne dit HTTPS."""
    adresse_pair = _adresse(pair)
    if not _de_confiance(adresse_pair):
        return pair, False
    client = adresse_pair
    for morceau in reversed(transmis_pour.split(",") if transmis_pour else []):
        adresse = _adresse(morceau)
        if adresse is None:
            break  # illisible : on s'en tient à la dernière adresse sûre
        client = adresse
        if not _de_confiance(adresse):
            break
    # Valeur la plus à droite : celle qu'a écrite notre mandataire, qu'il remplace l'en-tête ou le complète.
    protocole = protocole_transmis.rsplit(",", 1)[-1].strip().lower() if protocole_transmis else ""
    return str(client), protocole == "https"


class MandatairesDeConfiance:
    """Premier intergiciel : pose l'adresse du client dans `REMOTE_ADDR` et le protocole d'origine
    (`wsgi.url_scheme`, que lisent `request.is_secure()` et la redirection HTTPS), puis efface les
    en-têtes transmis pour que rien plus loin ne les lise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        pair = meta.get("REMOTE_ADDR", "")
        client, https = client_et_protocole(
            pair, meta.pop("HTTP_X_FORWARDED_FOR", ""), meta.pop("HTTP_X_FORWARDED_PROTO", "")
        )
        meta[CLE_PAIR] = pair
        meta["REMOTE_ADDR"] = client
        if https:
            meta["wsgi.url_scheme"] = "https"
        return self.get_response(request)


def adresse_de_la_requete(request: HttpRequest | None) -> str | None:
    """L'adresse du client (AXES_CLIENT_IP_CALLABLE, limites de débit) : celle qu'a posée l'intergiciel."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
