"""Fuzzing de l'API par schemathesis, à partir de son document OpenAPI, dans le processus (WSGI).

Chaque opération reçoit des requêtes générées (valides et invalides) avec le jeton d'un administrateur
d'une organisation qui a de vraies fiches : le slug de l'organisation et des identifiants existants
sont injectés dans les paramètres d'adresse, pour que le fuzzing atteigne les vraies données et pas
seulement des 404. Vérifications : jamais d'erreur 5xx, et des réponses conformes au schéma annoncé.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from balise.comptes.models import JetonAPI
from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique

SLUG = "commune-fuzz"
APPLICATION = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APPLICATION)

# Ce que la fixture a créé pour le test en cours, lu par les crochets de génération ci-dessous.
_courant: dict = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Le plus souvent le vrai slug et de vrais identifiants ; parfois la valeur générée telle quelle."""
    if not path_parameters or "slug" not in path_parameters:
        return st.just(path_parameters)
    slug = st.sampled_from([SLUG, SLUG, SLUG, path_parameters["slug"]])
    if "pk" not in path_parameters:
        return slug.map(lambda s: {**path_parameters, "slug": s})
    pk = st.sampled_from([*_courant["ids"], path_parameters["pk"]])
    return st.tuples(slug, pk).map(lambda v: {**path_parameters, "slug": v[0], "pk": v[1]})


@schema.hook
def flatmap_case(context, case):
    """Une écriture sur une vraie fiche porte souvent sa version actuelle : elle aboutit (pas de 409)."""
    corps, pk = case.body, (case.path_parameters or {}).get("pk")
    if not (isinstance(corps, dict) and "version" in corps and pk in _courant["ids"]):
        return st.just(case)
    actuelle = SystemeIA.objects.filter(pk=pk).values_list("version", flat=True).first()

    def avec_version(version):
        case.body = {**corps, "version": version}
        return case

    return st.sampled_from([actuelle, corps["version"]]).map(avec_version)


@pytest.fixture
def fuzz_donnees(db):
    org = fabrique.organisation("Commune du fuzzing", slug=SLUG)
    admin = fabrique.membre(org, "administrateur", "admin-fuzz@exemple.fr")
    fiches = [
        fabrique.systeme(org, admin, nom="Assistant courrier", contribution_decision="Aide."),
        fabrique.systeme(org, admin, nom="Détection des fuites", domaine="environnement"),
        fabrique.systeme(org, admin, nom="Ancien outil"),
    ]
    services.publier(fiches[0].pk, True, admin)
    services.changer_stade(fiches[1].pk, "etude", "", admin)
    services.archiver(fiches[2].pk, admin)
    _, secret = JetonAPI.emettre(admin, "fuzzing")
    _courant.update(ids=[f.pk for f in fiches], secret=secret)
    # Le gestionnaire WSGI de Django ferme la connexion en fin de requête (close_old_connections) ;
    # dans la transaction du test, cela perdrait les données : le client de test de Django fait de même.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _courant.clear()


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    database=None,  # pas de répertoire .hypothesis dans le dépôt
    # Mêmes cas à chaque exécution (un échec se reproduit) ; BALISE_FUZZ_ALEATOIRE=1 explore au hasard.
    derandomize=os.environ.get("BALISE_FUZZ_ALEATOIRE") != "1",
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_ne_renvoie_jamais_d_erreur_serveur(case, fuzz_donnees):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_courant['secret']}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
