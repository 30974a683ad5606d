"""L'observatoire dans un vrai navigateur (issue 17) : l'administratrice d'une commune choisit de
contribuer ; après le calcul, la page publique, sans connexion, montre ses chiffres « secret » et leur
explication, et reste accessible (axe-core, aucune règle désactivée) ; la commune voit où elle en est."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from balise.observatoire import services
from balise.observatoire.models import Participation
from balise.registre.models import SystemeIA
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _verifier_accessible(page):
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_contribuer_puis_lire_l_observatoire_public_et_ses_secrets(page, settings, org_a, admin_a):
    settings.OBSERVATOIRE_SEUIL = 3
    par = fabrique.utilisateur()
    autres = [fabrique.organisation(f"Commune fictive {i}", population=500) for i in range(5)]
    for org in [org_a, *autres]:
        systeme = fabrique.systeme(org, par, domaine="rh")
        SystemeIA.objects.filter(pk=systeme.pk).update(publie=True)
    fabrique.systeme(autres[0], par, domaine="finances")  # non publié
    for org in autres[:3]:
        Participation.objects.create(organisation=org, contribue=True)

    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/observatoire/")
    page.locator("label[for=id_contribue]").click()  # la case du DSFR se coche par son libellé
    page.get_by_role("button", name="Enregistrer mon choix").click()
    page.get_by_text("il vaudra au prochain calcul").wait_for()
    assert Participation.objects.get(organisation=org_a).contribue
    _verifier_accessible(page)

    services.calculer_releve()
    page.context.clear_cookies()
    page.goto("/public/observatoire/")
    tableau = page.locator("#tableau-systemes_domaine")
    assert "Ressources humaines" in tableau.inner_text()
    # Un système non publié d'une seule contributrice : « secret », avec le renvoi vers son motif.
    ligne = tableau.get_by_role("row", name="Finances, commande publique")
    assert "secret" in ligne.inner_text()
    ligne.get_by_role("link").first.click()
    assert page.url.endswith("#motif-1")
    assert "tiré de trop peu d'organisations" in page.locator("#motif-1").inner_text()
    assert page.get_by_text("Aucun chiffre n'est tiré de moins de 3 organisations").count() == 1
    _verifier_accessible(page)

    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/observatoire/")
    assert page.get_by_role("row", name="Organisations ayant adopté une charte de l'IA").count() == 2
    _verifier_accessible(page)
