"""Fuzzing de l'API par schemathesis, à partir de son document OpenAPI, dans le processus (WSGI).

Chaque opération reçoit des requêtes générées (valides et invalides) de trois façons : avec le jeton
d'un administrateur d'une organisation qui a de vraies fiches, avec sa session de navigateur (et son
jeton CSRF), sans authentification. Le slug de l'organisation et des identifiants existants sont
injectés dans les paramètres d'adresse, pour que le fuzzing atteigne les vraies données et pas
seulement des 404. Toutes les vérifications de schemathesis (l'équivalent de `-c all`) : jamais
d'erreur 5xx ; statuts, en-têtes, types de contenu et corps documentés ; une requête valable selon le
schéma acceptée, une requête invalide refusée ; authentification exigée ; méthodes non permises
refusées en 405 avec `Allow`. Bornes : 50 exemples par opération et par façon (14 × 3 cas).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from balise.comptes.models import JetonAPI
from balise.gouvernance import services_instances as gouvernance
from balise.indicateurs import services as indicateurs
from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique

SLUG = "commune-fuzz"
APPLICATION = get_wsgi_application()
# Une requête valable selon le schéma doit être acceptée (positive_data_acceptance) ; deux opérations
# (et celles des instances, plus bas) refusent en 400, comme leur document le dit, des données que nul schéma JSON ne peut décrire : le
# contenu d'un fichier déposé (sa signature doit correspondre à son extension) et des réponses que les
# règles de qualification ne connaissent pas (l'identifiant d'une question, les valeurs qu'elle admet).
_REFUS_DOCUMENTES = {
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}
}
CONFIGURATION = SchemathesisConfig.from_dict(
    {
        "operations": [
            {"include-method": "POST", "include-path-regex": "/documents$", **_REFUS_DOCUMENTES},
            {"include-method": "POST", "include-path": "/conformite/qualification", **_REFUS_DOCUMENTES},
            # Instances : un nom déjà pris, une personne qui n'est pas de l'organisation, un collège d'une
            # autre instance, une présidence déjà occupée, un siège déjà retiré dépendent de l'état.
            {"include-path-regex": "/instances", **_REFUS_DOCUMENTES},
            # Les séances : un objet d'une autre organisation, un stade visé impossible, un point libre
            # sans intitulé (400) ; une séance sans point ni membre ne se convoque pas (409).
            {"include-method": "POST", "include-path-regex": "/seances", **_REFUS_DOCUMENTES},
            # La politique des portes : un contenu que seul le schéma de la politique valide (critère
            # bloquant gardé, valeurs connues) : 400 ; partie d'une version périmée : 409.
            {"include-method": "POST", "include-path-regex": "/politique-portes$", **_REFUS_DOCUMENTES},
            # La charte : un principe absent des jeux livrés, un texte qui commencerait une formule, une
            # séance d'une autre organisation, une date future (400) ; l'état de la version (409).
            {"include-path-regex": "/charte/versions", **_REFUS_DOCUMENTES},
            # Formation : une population d'une autre organisation ou inconnue, une date future, plus de
            # participants que d'agents, un palier ou une offre inconnus (400) ; version périmée (409).
            {"include-path-regex": "/formations/(sessions|offres)", **_REFUS_DOCUMENTES},
            # Règles d'usage : un seul brouillon à la fois, seul un brouillon se modifie, une information
            # exige des règles publiées et une date d'après leur rédaction (400) ; version périmée (409).
            {"include-path-regex": "/regles-usage", **_REFUS_DOCUMENTES},
            # Le programme : un responsable qui n'est pas de l'organisation, des valeurs d'appropriation sans
            # mesure ou une note au-delà de 10, un public cité deux fois, une adresse web que le motif
            # laisse passer mais que le validateur d'URL refuse (400) ; une version périmée (409).
            {"include-path-regex": "/programme/", **_REFUS_DOCUMENTES},
            # Les indicateurs : un responsable qui n'est pas de l'organisation, un système inconnu ou
            # archivé, une période à venir ou déjà mesurée, un indicateur archivé (400) ; version
            # périmée (409).
            {"include-path-regex": "/indicateurs", **_REFUS_DOCUMENTES},
            # Les rapports : une année à venir ou trop ancienne, une production déjà en cours : 400.
            {"include-method": "POST", "include-path-regex": "/rapports$", **_REFUS_DOCUMENTES},
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APPLICATION, config=CONFIGURATION)

# Toutes les vérifications de schemathesis (l'équivalent de `-c all`).
load_all_checks()
TOUTES_LES_VERIFICATIONS = CHECKS.get_all()

# Ce que la fixture a créé pour le test en cours, lu par les crochets de génération ci-dessous.
_courant: dict = {}


def _negatif(case, emplacement: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(emplacement)


@schema.hook
def flatmap_case(context, case):
    """Le plus souvent le vrai slug, de vrais identifiants et, pour une écriture sur une vraie fiche,
    sa version actuelle (elle aboutit : pas de 409) ; parfois les valeurs générées telles quelles.
    Une partie générée invalide exprès (cas négatif) est laissée telle quelle : la remplacer par une
    vraie valeur rendrait la requête valable, et l'API aurait raison de l'accepter."""
    chemin = case.path_parameters or {}
    if "slug" not in chemin or _negatif(case, ParameterLocation.PATH):
        chemins = st.just(chemin)
    else:
        slug = st.sampled_from([SLUG, SLUG, SLUG, chemin["slug"]])
        pk = st.sampled_from([*_courant["ids"], chemin["pk"]]) if "pk" in chemin else st.none()
        chemins = st.tuples(slug, pk).map(
            lambda v: {**chemin, "slug": v[0], **({"pk": v[1]} if "pk" in chemin else {})}
        )

    def avec_chemin(valeurs: dict):
        case.path_parameters = valeurs
        pk = valeurs.get("pk")
        if pk not in _courant["ids"]:
            return st.just(case)
        # La version lue : dans le corps d'une écriture, dans l'adresse d'un DELETE.
        for emplacement, attribut in ((ParameterLocation.BODY, "body"), (ParameterLocation.QUERY, "query")):
            donnees = getattr(case, attribut)
            if isinstance(donnees, dict) and "version" in donnees and not _negatif(case, emplacement):
                break
        else:
            return st.just(case)
        actuelle = SystemeIA.objects.filter(pk=pk).values_list("version", flat=True).first()

        def avec_version(version):
            setattr(case, attribut, {**donnees, "version": version})
            return case

        return st.sampled_from([actuelle, donnees["version"]]).map(avec_version)

    return chemins.flatmap(avec_chemin)


@pytest.fixture
def fuzz_donnees(db):
    org = fabrique.organisation("Commune du fuzzing", slug=SLUG)
    admin = fabrique.membre(org, "administrateur", "admin-fuzz@exemple.fr")
    fiches = [
        fabrique.systeme(org, admin, nom="Assistant courrier", contribution_decision="Aide."),
        fabrique.systeme(org, admin, nom="Détection des fuites", domaine="environnement"),
        fabrique.systeme(org, admin, nom="Ancien outil"),
    ]
    services.publier(fiches[0].pk, True, admin, 1)
    services.changer_stade(fiches[1].pk, "etude", "", admin, 1)
    services.archiver(fiches[2].pk, admin, 1)
    # Une instance à collège et un siège : les identifiants des fiches y mènent aussi (pk 1).
    instance = gouvernance.creer_instance(
        org,
        {"nom": "Comité d'éthique", "mission": "Avis.", "nature": "consultative"},
        admin,
        colleges=["Élus"],
    )
    gouvernance.nommer_membre(instance, admin.pk, admin, college_id=instance.colleges.get().pk)
    # Un indicateur et sa mesure : la liste et la fiche répondent de vraies données.
    indicateur = indicateurs.creer_indicateur(
        org,
        {
            "objectif": "Délais",
            "intitule": "Temps moyen par dossier",
            "unite": "jours",
            "cible": "10",
            "sens": "au_plus",
            "frequence": "mensuelle",
            "responsable": admin.pk,
            "systeme": fiches[0].pk,
        },
        admin,
    )
    indicateurs.enregistrer_mesure(indicateur, {"periode": "2025-01", "valeur": "12,5"}, admin)
    _, secret = JetonAPI.emettre(admin, "fuzzing")
    _courant.update(ids=[f.pk for f in fiches], secret=secret, admin=admin)
    # Le gestionnaire WSGI de Django ferme la connexion en fin de requête (close_old_connections) ;
    # dans la transaction du test, cela perdrait les données : le client de test de Django fait de même.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _courant.clear()


@pytest.fixture(params=["jeton", "session", "anonyme"])
def appel(request, fuzz_donnees, admin_fuzz) -> str:
    """Les trois façons d'appeler l'API : jeton personnel, session du navigateur (ses témoins et le
    jeton CSRF), sans authentification. `Identite` l'applique à chaque requête générée."""
    if request.param == "session":
        client = Client()
        client.force_login(admin_fuzz)
        _courant.update(session=client.cookies["sessionid"].value, csrf=_get_new_csrf_string())
    _courant["appel"] = request.param
    return request.param


@schema.auth(refresh_interval=None)
class Identite:
    """Fournisseur d'authentification de schemathesis : il sait ainsi quelle identité la requête porte
    (ses vérifications d'authentification la retirent ou la faussent pour voir l'API refuser), et ne
    tire pas de jeton ni de témoin au hasard. Le client WSGI de schemathesis gère lui-même les témoins :
    un en-tête `Cookie` passé à la main n'arriverait pas à Balise."""

    def get(self, case, ctx) -> str | None:
        appel = _courant.get("appel")  # absent à la collecte des tests
        return None if appel in (None, "anonyme") else appel

    def set(self, case, appel: str, ctx) -> None:
        if appel == "jeton":
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {_courant['secret']}"}
        else:
            case.cookies = {
                **(case.cookies or {}),
                "sessionid": _courant["session"],
                "csrftoken": _courant["csrf"],
            }
            case.headers = {**(case.headers or {}), "X-CSRFToken": _courant["csrf"]}


@pytest.fixture
def admin_fuzz(fuzz_donnees):
    return _courant["admin"]


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
def test_api_conforme_a_son_document_openapi(case, appel):
    case.call_and_validate(checks=TOUTES_LES_VERIFICATIONS)
