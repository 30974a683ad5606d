"""Pages en cache prouvées fraîches, dans l'esprit du `verify_action` de Zulip : après une écriture,
chaque page servie depuis le cache (balise/cache_pages.py) doit être celle qu'un rendu sans aucun
cache produit, et chaque fragment du squelette gardé en cache, son rendu sans cache.

Un signal `fraicheur` oublié laisse une page périmée ; une variable oubliée dans la clé d'un fragment
ou d'une page fait servir à l'un ce qui a été rendu pour un autre (rôle, personne, page). Les deux
deviennent une différence entre le rendu servi et le rendu frais, donc un test qui échoue.

Les pages comparées ne sont pas listées ici : ce sont les adresses du résolveur d'URL dont la vue
porte la marque de `cache_pages.en_cache` (ou `cache_pages.public`), pour l'organisation touchée.

Coût, et pourquoi ces lecteurs-là : le cache est chauffé avant l'écriture, puis chaque page est
relue depuis le cache et rendue à neuf. Le jeton de génération est celui de l'organisation, commun
à tous les rôles : un signal oublié périme les pages de tous les rôles à la fois, un seul rôle la
voit donc. Ce qui distingue les rôles et les personnes (droits dans la clé du contenu, nom dans celle
de l'en-tête) n'est éprouvé que si deux personnes de rôles différents lisent les mêmes pages l'une
après l'autre : l'auteur de l'écriture et un lecteur, plus une personne non connectée pour les pages
publiques. Mesuré sur SQLite (2 cœurs partagés), pour les 84 écritures vérifiées de la matrice :
+18 s de processeur, +62 s de durée (284 → 346 s). Les six rôles liraient 6 pages privées chacun au
lieu de 2 × 6 : environ trois fois ce coût, sans faire échouer une faute de plus.
"""

import difflib
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache as cache_django
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from balise import cache_pages
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

# Les seules valeurs propres à chaque requête (celles que cache_pages laisse en « trous »).
_PROPRES_A_LA_REQUETE = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'), r"\1«csrf»"),
    (re.compile(r'(nonce=")[^"]+'), r"\1«nonce»"),
    (re.compile(r'(name="envoi" value=")[^"]+'), r"\1«jeton d'envoi»"),
]
_SANS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "partage": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
_PARAMETRE = re.compile(r"<(?:\w+:)?(?P<nom>\w+)>")
ANONYME = "personne non connectée"


def routes_en_cache() -> list[str]:
    """Les routes dont la vue est servie par le cache des pages, tirées du résolveur d'URL."""

    def parcourir(motifs, prefixe: str = "") -> Iterator[str]:
        for motif in motifs:
            if isinstance(motif, URLResolver):
                yield from parcourir(motif.url_patterns, prefixe + str(motif.pattern))
            elif isinstance(motif, URLPattern) and getattr(motif.callback, cache_pages.MARQUE, False):
                yield prefixe + str(motif.pattern)

    return sorted(set(parcourir(get_resolver().url_patterns)))


def adresses(organisation: Organisation) -> list[str]:
    """Chaque page en cache de l'organisation : une adresse par valeur possible de ses paramètres."""
    systemes = list(SystemeIA.objects.filter(organisation=organisation).values_list("pk", "uid"))
    valeurs = {
        "slug": [organisation.slug],
        "pk": [str(pk) for pk, _ in systemes],
        "uid": [str(uid) for _, uid in systemes],
    }
    resultat = []
    for route in routes_en_cache():
        adresses_route = ["/" + route]
        for m in _PARAMETRE.finditer(route):
            if m.group("nom") not in valeurs:
                raise LookupError(
                    f"Paramètre « {m.group('nom')} » de la page en cache {route!r} inconnu de "
                    "tests/fraicheur_pages.py : dites-y quelles valeurs il prend pour une organisation."
                )
            adresses_route = [
                a.replace(m.group(0), v, 1) for a in adresses_route for v in valeurs[m.group("nom")]
            ]
        resultat += adresses_route
    return resultat


@contextmanager
def lectures_du_cache() -> Iterator[list[str]]:
    """Ce qui est lu dans le cache des pages pendant le bloc (une nature par lecture)."""
    lire = cache_pages.lire
    lues: list[str] = []

    def espion(organisation, nature, produire):
        lues.append(nature)
        return lire(organisation, nature, produire)

    cache_pages.lire = espion  # `page` l'appelle aussi par ce nom
    try:
        yield lues
    finally:
        cache_pages.lire = lire


def exiger_la_marque(reponse: HttpResponse, lues: list[str]) -> None:
    """Une vue qui lit le cache des pages doit porter la marque qui la fait vérifier ici."""
    vue = reponse.resolver_match.func if reponse.resolver_match else None
    assert not lues or getattr(vue, cache_pages.MARQUE, False), (
        f"{reponse.wsgi_request.path} lit le cache des pages ({lues}) sans @cache_pages.en_cache : "
        "sa fraîcheur ne serait pas vérifiée après les écritures (tests/fraicheur_pages.py)."
    )


def normaliser(reponse: HttpResponse) -> str:
    entete = f"{reponse.status_code} {reponse.get('Location', '')}\n"
    if not reponse.get("Content-Type", "").startswith("text/"):  # un PDF : comparé octet pour octet
        return entete + hashlib.sha256(reponse.content).hexdigest()
    texte = entete + reponse.content.decode()
    for motif, remplacement in _PROPRES_A_LA_REQUETE:
        texte = motif.sub(remplacement, texte)
    return texte


def _diff(servie: str, fraiche: str) -> str:
    lignes = difflib.unified_diff(
        servie.splitlines(), fraiche.splitlines(), "servie (cache)", "rendu frais", lineterm="", n=1
    )
    return "\n".join(list(lignes)[:60])


@dataclass
class VerificationFraicheur:
    """`chauffer` avant l'écriture, `comparer` après : la fixture `pages_fraiches`."""

    organisation: Organisation | None = None
    lecteurs: dict[str, Client] = field(default_factory=dict)
    # Par lecteur, les pages qu'il a lues avec succès (une redirection ou un refus n'est pas gardé).
    pages: dict[str, list[str]] = field(default_factory=dict)
    # Fragments servis depuis le cache pendant `comparer` : (fragment, adresse, lecteur, différence).
    fragments_perimes: list[tuple[str, str, str, str]] = field(default_factory=list)
    fragments_verifies: int = 0
    _en_cours: tuple[str, str] = ("", "")

    def chauffer(self, organisation: Organisation, personnes: dict[str, object]) -> None:
        """Lit une fois chaque page de l'organisation pour chaque personne (rôle → personne) et une
        personne non connectée : ce que l'écriture devra rendre inatteignable est alors en cache."""
        self.organisation, self.lecteurs = organisation, {}
        for role, personne in personnes.items():
            client = Client()
            client.force_login(personne)  # une session à part : aucun message de l'écriture n'y paraît
            self.lecteurs[role] = client
        self.lecteurs[ANONYME] = Client()
        toutes = adresses(organisation)
        self.pages = {
            role: [page for page in toutes if client.get(page).status_code == 200]
            for role, client in self.lecteurs.items()
        }
        assert all(self.pages.values()), f"Un lecteur n'atteint aucune page en cache : {self.pages}"

    def comparer(self, ecriture: str) -> None:
        """Échoue, avec un diff lisible, si une page ou un fragment servi depuis le cache diffère de
        son rendu sans cache, pour une des personnes chauffées."""
        differences = []
        for role, client in self.lecteurs.items():
            for page in self.pages[role]:
                self._en_cours = (page, role)
                with self._fragments_verifies():
                    servie = normaliser(client.get(page))
                with override_settings(CACHES=_SANS_CACHE):
                    fraiche = normaliser(client.get(page))
                if servie != fraiche:
                    differences.append(f"— Page {page}, vue par {role} :\n{_diff(servie, fraiche)}")
        differences += [
            f"— Fragment « {nom} » de {page}, vu par {role} :\n{diff}"
            for nom, page, role, diff in self.fragments_perimes
        ]
        assert not differences, f"Après « {ecriture} », le cache sert autre chose qu'un rendu frais :\n" + (
            "\n".join(differences)
        )

    @contextmanager
    def _fragments_verifies(self) -> Iterator[None]:
        """Chaque fragment trouvé en cache est aussi rendu sans cache, et comparé."""
        rendre = cache_pages._Fragment.render
        verification = self

        def rendre_verifie(fragment: cache_pages._Fragment, context) -> str:
            if context.get("request") is not None:
                garde = cache_django.get(fragment.cle(context))
                if garde is not None:
                    verification.fragments_verifies += 1
                    frais = fragment.rendre_sans_cache(context)
                    if frais != garde:
                        page, role = verification._en_cours
                        verification.fragments_perimes.append((fragment.nom, page, role, _diff(garde, frais)))
            return rendre(fragment, context)

        cache_pages._Fragment.render = rendre_verifie  # type: ignore[method-assign]
        try:
            yield
        finally:
            cache_pages._Fragment.render = rendre  # type: ignore[method-assign]
