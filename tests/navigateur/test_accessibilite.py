"""Accessibilité des pages principales, vérifiée par axe-core dans le vrai navigateur (aucune règle désactivée)."""

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from balise.comptes.models import JetonAPI
from balise.organisations.models import Invitation
from balise.registre import services
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur

_axe = Axe()


@dataclass
class Donnees:
    slug: str
    pk: int
    uid: str


@pytest.fixture
def donnees(org_a, admin_a, referent_a) -> Donnees:
    """Une organisation assez remplie pour que chaque page montre ses tableaux, badges et listes."""
    systeme = fabrique.systeme(
        org_a,
        referent_a,
        nom="Détection des fuites",
        contribution_decision="Signale les anomalies ; un agent décide de l'intervention.",
        donnees="Relevés des compteurs.",
        decision_individuelle=True,
    )
    services.changer_stade(systeme.pk, "etude", "", admin_a)
    services.changer_stade(systeme.pk, "experimentation", "", referent_a)
    services.modifier_systeme(systeme.pk, {"service": "Direction de l'eau"}, 3, referent_a)
    services.publier(systeme.pk, True, admin_a)
    fabrique.systeme(org_a, admin_a, nom="Assistant de rédaction", usage_non_declare=True, cible="agents")
    Invitation.objects.create(
        organisation=org_a, email="invitee@exemple.fr", role="lecteur", invitee_par=admin_a
    )
    JetonAPI.emettre(admin_a, "script d'import DSI")
    return Donnees(org_a.slug, systeme.pk, str(systeme.uid))


def _verifier(page: Page, adresse: str) -> None:
    reponse = page.goto(adresse)
    assert reponse is not None and reponse.ok, f"{adresse} : HTTP {reponse and reponse.status}"
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{adresse}\n{resultats.generate_report()}"


PAGES_PUBLIQUES = {
    "accueil": "/",
    "connexion": "/comptes/connexion/",
    "mot de passe oublié": "/comptes/mot-de-passe-oublie/",
    "registre public": "/public/{d.slug}/",
    "fiche publique": "/public/{d.slug}/systemes/{d.uid}/",
    "schéma des données ouvertes": "/public/schema/",
}

PAGES_CONNECTEES = {
    "accueil connecté": "/",
    "liste du registre": "/o/{d.slug}/registre/",
    "fiche": "/o/{d.slug}/registre/{d.pk}/",
    "formulaire de modification": "/o/{d.slug}/registre/{d.pk}/modifier/",
    "formulaire de déclaration": "/o/{d.slug}/registre/nouveau/",
    "historique": "/o/{d.slug}/registre/{d.pk}/historique/",
    "portefeuille": "/o/{d.slug}/portefeuille/",
    "membres": "/o/{d.slug}/membres/",
    "paramètres de l'organisation": "/o/{d.slug}/parametres/",
    "journal de l'organisation": "/o/{d.slug}/journal/",
    "changer de mot de passe": "/comptes/mot-de-passe/",
    "mon compte": "/comptes/compte/",
}


@pytest.mark.parametrize("adresse", PAGES_PUBLIQUES.values(), ids=PAGES_PUBLIQUES.keys())
def test_page_publique_accessible(page, donnees, adresse):
    _verifier(page, adresse.format(d=donnees))


@pytest.mark.parametrize("adresse", PAGES_CONNECTEES.values(), ids=PAGES_CONNECTEES.keys())
def test_page_connectee_accessible(page, donnees, admin_a, adresse):
    connecter(page, admin_a.email)
    _verifier(page, adresse.format(d=donnees))


def test_formulaire_en_erreur_accessible(page, donnees, admin_a):
    """Les messages d'erreur des champs et l'alerte de synthèse restent accessibles."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/registre/nouveau/")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_alerte_de_conflit_accessible(page, donnees, admin_a, referent_a):
    """L'alerte « Modification concurrente » et son tableau des changements restent accessibles."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/registre/{donnees.pk}/modifier/")
    version = int(page.locator("input[name=version]").input_value())
    services.modifier_systeme(donnees.pk, {"responsable": "Léa Martin, DGS"}, version, referent_a)
    page.get_by_role("button", name="Enregistrer").click()
    page.locator("#conflit").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
