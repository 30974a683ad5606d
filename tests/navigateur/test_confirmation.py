"""Actions destructives : une fenêtre modale DSFR demande confirmation (balise/static/balise/actions.js).

Un parcours : retirer un membre, annuler (rien ne change), recommencer et confirmer (le membre part) ; la
fenêtre ouverte passe axe-core. Sans JavaScript, le formulaire part comme avant (tests des vues)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from balise.organisations.models import Adhesion
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_retirer_un_membre_demande_confirmation(page, org_a, admin_a, lecteur_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/membres/")
    retirer = page.get_by_role("button", name="Retirer").and_(page.get_by_title(f"Retirer {lecteur_a.email}"))
    modale = page.locator("#confirmation")

    retirer.click()
    modale.get_by_text(f"Retirer {lecteur_a.nom_affiche} de {org_a.nom} ?").wait_for()
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    modale.get_by_role("button", name="Annuler").click()
    modale.wait_for(state="hidden")
    assert Adhesion.objects.filter(organisation=org_a, utilisateur=lecteur_a).exists()

    retirer.click()
    modale.get_by_role("button", name="Retirer", exact=True).click()
    page.get_by_text(f"{lecteur_a.email} ne fait plus partie").wait_for()
    assert not Adhesion.objects.filter(organisation=org_a, utilisateur=lecteur_a).exists()
