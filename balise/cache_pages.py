"""Pages d'une organisation gardées en cache : elles sont lues bien plus souvent qu'elles ne changent.

Elles sont rangées sous le jeton de génération de l'organisation (`balise/generations.py`), que
chaque application renouvelle à chaque enregistrement de ce que ces pages montrent (ses signaux, dans
son module `fraicheur`) : une modification rend aussitôt les anciennes entrées inatteignables.

Le squelette commun des pages (en-tête, menu, pied) est fait de fragments gardés en cache par la
balise `{% fragment nom variables… %}` de `base.html`, sous une clé faite des variables qu'ils
utilisent ; les messages et le contenu restent rendus à chaque requête.

Trois valeurs propres à chaque requête ne sont jamais mises en cache : le jeton CSRF des formulaires
POST (propre à chaque navigateur), le nonce CSP des scripts et le jeton à usage unique des formulaires
de création (balise/envois). Le contenu est rendu avec un « trou » à
leur place, comblé à chaque requête.
"""

import hashlib
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypedDict, TypeVar

from django import template
from django.contrib import messages
from django.core.cache import cache as cache_django
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.base import FilterExpression
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from balise import generations
from balise.envois import services as envois
from balise.organisations.models import Adhesion, Organisation

T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., HttpResponse])
DUREE = generations.DUREES["organisation"]


class Page(TypedDict):
    titre: str
    contenu: str


def lire(organisation: Organisation, nature: str, produire: Callable[[], T]) -> T:
    """La valeur en cache pour cette organisation, à sa génération en cours, ou produite puis gardée."""
    return generations.lire("organisation", organisation.pk, nature, produire)


# Variable de gabarit → sa valeur pour une requête.
_PROPRES_A_LA_REQUETE: dict[str, Callable[[HttpRequest], str]] = {
    "csrf_token": get_token,
    "CSP_NONCE": lambda request: str(request.csp_nonce),  # type: ignore[attr-defined]  # posé par django-csp
    # Le jeton à usage unique des formulaires de création (balise/envois) : un par affichage de page.
    "jeton_envoi": envois.jeton_de,
}


# Marque le contexte d'une page rendue pour le cache : ses fragments y laissent leurs trous.
_POUR_LE_CACHE = "_balise_rendu_pour_le_cache"


@cache
def trou(nom: str) -> str:
    # Dérivé de la clé secrète : identique dans tous les processus, impossible à deviner pour qui
    # voudrait en écrire un dans un champ et faire afficher à un autre son jeton.
    return "trou-" + salted_hmac("balise.cache_pages", nom).hexdigest()


@cache
def _trous() -> dict[str, str]:
    return {nom: trou(nom) for nom in _PROPRES_A_LA_REQUETE}


def combler(html: str, request: HttpRequest) -> SafeString:
    for nom, trou in _trous().items():
        if trou in html:
            html = html.replace(trou, _PROPRES_A_LA_REQUETE[nom](request))
    return mark_safe(html)  # noqa: S308 — rendu de gabarit (déjà échappé), trous comblés par Django


def rendre(gabarit: str, contexte: dict) -> str:
    """Rendu d'un contenu destiné au cache : sans la requête, un trou à la place de ce qui lui est propre."""
    return render_to_string(gabarit, {**contexte, **_trous()})


def rendre_avec_trous(request: HttpRequest, contexte: dict[str, Any]) -> str:
    """La page entière (squelette et contenu, `page_en_cache.html`) rendue pour être gardée : un trou à
    la place de ce qui est propre à la requête, que `combler` remplit à chaque service."""
    return render(
        request, "page_en_cache.html", {**contexte, **_trous(), _POUR_LE_CACHE: True}
    ).content.decode()


def page(
    request: HttpRequest,
    adhesion: Adhesion,
    nature: str,
    produire: Callable[[], Page],
    vivants: dict[str, Callable[[], str]] | None = None,
) -> HttpResponse:
    """Une page connectée dont le contenu dépend des données de l'organisation et du rôle de la
    personne (ses droits décident des boutons affichés), et de rien d'autre que `nature`.

    Deux niveaux : le contenu, commun à tous ceux qui ont ce rôle, et la page entière avec son
    squelette, propre à chaque personne (son nom est dans l'en-tête). Une page qui a des messages à
    afficher, une fois, après une action, n'est pas gardée.

    `vivants` : les morceaux qui changent sans que la génération change (l'usage de la passerelle, à
    chaque requête des agents) ; le contenu gardé porte `trou(nom)` à leur place, et chacun est rendu à
    chaque service, seulement si son trou est dans la page."""
    organisation = adhesion.organisation

    def rendre_page() -> str:
        morceaux = lire(organisation, f"{nature}|{adhesion.role}", produire)
        return rendre_avec_trous(
            request,
            {
                "organisation": organisation,
                "titre": morceaux["titre"],
                "contenu": mark_safe(morceaux["contenu"]),  # noqa: S308 — rendu de gabarit gardé en cache
            },
        )

    if len(messages.get_messages(request)):
        html = rendre_page()
    else:
        personne = request.user
        if not personne.is_authenticated:  # une page connectée : l'adhésion vient d'être vérifiée
            raise PermissionDenied
        html = lire(
            organisation, f"page|{nature}|{adhesion.role}|{personne.pk}|{personne.nom_affiche}", rendre_page
        )
    html = combler(html, request)
    for nom, rendre_vivant in (vivants or {}).items():
        if (marque := trou(nom)) in html:
            html = html.replace(marque, rendre_vivant(), 1)
    return HttpResponse(html)


# Attribut posé sur les vues dont la réponse vient de ce cache (`en_cache`, `public`).
MARQUE = "page_en_cache"


def en_cache(vue: V) -> V:
    """Marque une vue servie par ce cache : les tests la retrouvent par le résolveur d'URL et comparent,
    après chaque écriture, ce qu'elle sert à un rendu sans cache (tests/fraicheur_pages.py)."""
    setattr(vue, MARQUE, True)
    return vue


def public(max_age: int) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Une page publique, que les caches partagés (mandataires, CDN) peuvent garder `max_age` secondes…
    sauf servie à une personne connectée : son nom et son jeton CSRF sont dans l'en-tête de la page,
    qu'aucun cache partagé ne doit resservir à un autre. Elle est alors marquée privée et non gardée."""

    def decorer(vue: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(vue)
        def envelopper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return entetes_publiques(request, vue(request, *args, **kwargs), max_age)

        return en_cache(envelopper)

    return decorer


def entetes_publiques(request: HttpRequest, reponse: HttpResponse, max_age: int) -> HttpResponse:
    """Les en-têtes de cache d'une page publique (voir `public`) ; seuls, pour une page sans organisation
    que ce cache ne garde pas (le glossaire)."""
    if request.user.is_authenticated:
        add_never_cache_headers(reponse)  # private, no-store…
    else:
        patch_cache_control(reponse, public=True, max_age=max_age)
    return reponse


register = template.Library()


class _Fragment(template.Node):
    def __init__(self, nom: str, variables: list[FilterExpression], contenu: template.NodeList) -> None:
        self.nom, self.variables, self.contenu = nom, variables, contenu

    def cle(self, context: template.Context) -> str:
        valeurs = repr([self.nom, *(v.resolve(context) for v in self.variables)])
        return "fragment:" + hashlib.blake2b(valeurs.encode(), digest_size=20).hexdigest()

    def rendre_sans_cache(self, context: template.Context) -> str:
        """Le contenu tel qu'il est gardé : avec ses trous."""
        with context.push(_trous()):
            return self.contenu.render(context)

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        if request is None:  # rendu hors requête (courriel, document) : rien à garder
            return self.contenu.render(context)
        cle = self.cle(context)
        html = cache_django.get(cle)
        if html is None:
            html = self.rendre_sans_cache(context)
            cache_django.set(cle, html, DUREE)
        if context.get(_POUR_LE_CACHE):
            # Page rendue pour le cache (`page`) : c'est elle qui comblera les trous.
            return mark_safe(html)  # noqa: S308 — rendu de gabarit (déjà échappé)
        return combler(html, request)


@register.tag
def fragment(parser: template.base.Parser, jeton: template.base.Token) -> _Fragment:
    """`{% fragment nom variable… %}…{% endfragment %}` : le contenu, gardé en cache sous une clé faite
    de son nom et des valeurs des variables. Elles doivent couvrir tout ce que le contenu utilise."""
    nom, *variables = jeton.split_contents()[1:]
    contenu = parser.parse(("endfragment",))
    parser.delete_first_token()
    return _Fragment(nom, [parser.compile_filter(v) for v in variables], contenu)
