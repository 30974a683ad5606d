import json

import pytest
from django.test import Client

from balise.comptes.models import JetonAPI
from tests import fabrique
from tests.fraicheur_pages import VerificationFraicheur


@pytest.fixture(autouse=True)
def _reglages_de_test(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "documents"
    # WhiteNoise parcourt sinon tous les fichiers statiques à chaque nouveau client de test.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def org_a(db):
    return fabrique.organisation("Commune A", slug="commune-a")


@pytest.fixture
def org_b(db):
    return fabrique.organisation("Commune B", slug="commune-b")


@pytest.fixture
def admin_a(org_a):
    return fabrique.membre(org_a, "administrateur", "admin-a@exemple.fr")


@pytest.fixture
def referent_a(org_a):
    return fabrique.membre(org_a, "referent", "referent-a@exemple.fr")


@pytest.fixture
def lecteur_a(org_a):
    return fabrique.membre(org_a, "lecteur", "lecteur-a@exemple.fr")


@pytest.fixture
def admin_b(org_b):
    return fabrique.membre(org_b, "administrateur", "admin-b@exemple.fr")


@pytest.fixture
def systeme_a(org_a, referent_a):
    return fabrique.systeme(org_a, referent_a, nom="Détection des fuites", contribution_decision="Aide.")


@pytest.fixture
def systeme_b(org_b, admin_b):
    return fabrique.systeme(org_b, admin_b, nom="Système secret de B", contribution_decision="Aide.")


@pytest.fixture(autouse=True)
def _cache_propre(settings, tmp_path_factory):
    # Caches neufs à chaque test : aucune page, génération ni session ne survit d'un test à l'autre.
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "partage": {
            "BACKEND": "balise.cache_fichiers.CacheDeFichiers",
            "LOCATION": str(tmp_path_factory.mktemp("partage")),  # hors de tmp_path, que des tests inspectent
        },
    }
    cache.clear()


@pytest.fixture
def pages_fraiches() -> VerificationFraicheur:
    """Après une écriture, pages et fragments en cache comparés à leur rendu frais (tests/fraicheur_pages.py)."""
    return VerificationFraicheur()


@pytest.fixture
def api(admin_a):
    """Un client de l'API de la commune A, au jeton émis d'avance : un instantané de la base ne voit que
    l'appel (`api(methode, chemin, corps)`)."""
    secret = JetonAPI.emettre(admin_a, "intégration")[1]
    client = Client(enforce_csrf_checks=True)

    def appel(methode: str, chemin: str, corps: dict):
        return client.generic(
            methode,
            f"/api/organisations/commune-a{chemin}",
            json.dumps(corps),
            content_type="application/json",
            headers={"authorization": f"Bearer {secret}"},
        )

    return appel
