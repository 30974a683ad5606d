"""Actions destructives : une fenêtre modale DSFR demande confirmation (balise/static/balise/actions.js) ;
le lien d'un questionnaire se copie d'un bouton.

Un parcours : retirer un membre, annuler (rien ne change), recommencer et confirmer (le membre part) ; la
fenêtre ouverte passe axe-core. Sans JavaScript, le formulaire part comme avant (tests des vues). Puis
copier le lien d'un questionnaire en lien ouvert."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from balise.organisations.models import Adhesion
from tests.navigateur.conftest import connecter
from tests.navigateur.test_accessibilite import donnees  # noqa: F401 — fixture utilisée par nom

pytestmark = pytest.mark.navigateur


def test_retirer_un_membre_demande_confirmation_et_copier_un_lien(page, donnees, org_a, admin_a, lecteur_a):  # noqa: F811
    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/membres/")
    retirer = page.get_by_role("button", name="Retirer").and_(page.get_by_title(f"Retirer {lecteur_a.email}"))
    modale = page.locator("#confirmation")

    retirer.click()
    modale.get_by_text(f"Retirer {lecteur_a.nom_affiche} de {org_a.nom} ?").wait_for()
    # La fenêtre apparaît en fondu : axe-core mesurerait des contrastes de couleurs à mi-transition.
    # (Attente par page.evaluate : wait_for_function évalue une chaîne, ce que la CSP de Balise refuse.)
    for _ in range(100):
        if page.evaluate("document.getAnimations().every(a => a.playState !== 'running')"):
            break
        page.wait_for_timeout(50)
    resultats = Axe().run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    modale.get_by_role("button", name="Annuler").click()
    modale.wait_for(state="hidden")
    assert Adhesion.objects.filter(organisation=org_a, utilisateur=lecteur_a).exists()

    retirer.click()
    modale.get_by_role("button", name="Retirer", exact=True).click()
    page.get_by_text(f"{lecteur_a.email} ne fait plus partie").wait_for()
    assert not Adhesion.objects.filter(organisation=org_a, utilisateur=lecteur_a).exists()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/o/{org_a.slug}/consultations/{donnees.consultation_lien}/")
    lien = page.get_by_label("Lien du questionnaire").input_value()
    assert f"/questionnaire/{donnees.jeton_lien}/" in lien
    page.get_by_role("button", name="Copier le lien").click()
    page.get_by_text("Lien copié dans le presse-papiers.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == lien
    assert page.get_by_role("img", name="QR code menant à l'adresse du questionnaire").is_visible()
