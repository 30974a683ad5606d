"""Fuzzing de l'API compatible OpenAI de la passerelle (/v1) par schemathesis, à partir de son document
OpenAPI, dans le processus : toutes les vérifications (`-c all`), avec la clé personnelle d'un agent qui
a lu les règles, et sans clé. Le fournisseur est le serveur local des tests (tests/modele_local.py)."""

import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from balise.passerelle import services
from balise.passerelle import services_catalogue as catalogue
from balise.regles_usage import services as regles
from tests import fabrique
from tests.modele_local import ServeurModele

# Une requête valable selon le schéma peut être refusée, comme le document le dit : un modèle absent du
# catalogue (404), une donnée que le modèle ne peut recevoir (400), un fournisseur en panne (502, 504),
# un appel sans clé (401), un quota atteint (429).
CONFIGURATION = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": "/v1/chat/completions",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "429", "502", "504"]
                    }
                },
            }
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", get_wsgi_application(), config=CONFIGURATION)
load_all_checks()
_courant: dict = {}


@pytest.fixture
def cle_agent(db):
    org = fabrique.organisation("Commune de la passerelle", slug="commune-passerelle")
    admin = fabrique.membre(org, "administrateur", "admin-passerelle@exemple.fr")
    brouillon = regles.creer_brouillon(org, admin)
    regles.publier(org, brouillon.pk, admin, brouillon.version)
    with ServeurModele() as serveur:
        fournisseur = catalogue.ajouter_fournisseur(
            org,
            {"nom": "Local", "url_base": serveur.url, "hebergement": "france", "delai_s": 5},
            serveur.cle,
            admin,
        )
        catalogue.ajouter_modele(
            org, fournisseur.pk, {"identifiant": "albert-large", "libelle": "Albert", "prix_entree_million": Decimal("1")}, [], admin
        )  # fmt: skip
        services.premiere_utilisation(org, admin, None, "Direction générale")
        _, _courant["secret"] = services.emettre_cle(org, admin, "Fuzzing")
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        yield
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        _courant.clear()


@pytest.fixture(params=["cle", "anonyme"])
def appel(request, cle_agent) -> str:
    _courant["appel"] = request.param
    return request.param


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=os.environ.get("BALISE_FUZZ_ALEATOIRE") != "1",
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_de_la_passerelle_conforme_a_son_document(case, appel):
    verifications = CHECKS.get_all()
    if appel == "cle":
        # La clé est posée ici, sur la requête : schemathesis ne sait donc pas qu'elle est
        # l'authentification, et ses deux vérifications qui l'ôtent ou la faussent la prendraient pour un
        # en-tête ordinaire. L'appel sans clé (« anonyme ») les passe ; les clés fausses, révoquées ou
        # d'une personne partie sont éprouvées dans tests/test_passerelle_pages.py.
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {_courant['secret']}"}
        verifications = [
            v for v in verifications if v.__name__ not in {"ignored_auth", "missing_required_header"}
        ]
    case.call_and_validate(checks=verifications)
