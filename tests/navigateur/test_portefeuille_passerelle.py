"""Le portefeuille avec l'usage de la passerelle (issue 18, point 7) dans un vrai navigateur : la
section, rendue à chaque affichage hors du cache, reste accessible (axe-core) et mène à l'usage de la
fiche ; une requête notée entre deux affichages y paraît aussitôt."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from balise.passerelle.models import Action
from tests.navigateur.conftest import connecter
from tests.test_registre_portefeuille import modele, noter

pytestmark = pytest.mark.navigateur


def test_portefeuille_avec_l_usage_de_la_passerelle_accessible(page, org_a, admin_a, lecteur_a):
    m = modele(org_a, admin_a)
    noter(m, lecteur_a, n=3)
    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/portefeuille/")
    section = page.get_by_role("heading", name="Usage de l'IA générative par la passerelle")
    section.wait_for()
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    assert "3 requêtes" in page.locator("caption").filter(has_text="jusqu'à aujourd'hui").inner_text()
    noter(m, admin_a, action=Action.REFUSE)
    page.reload()
    assert "4 requêtes" in page.locator("caption").filter(has_text="jusqu'à aujourd'hui").inner_text()
    page.locator(f'a[href$="/passerelle/usage/fiches/{m.systeme_id}/"]').first.click()
    page.get_by_role("heading", name=f"Usage de « {m.systeme.nom} » par la passerelle").wait_for()
