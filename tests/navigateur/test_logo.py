"""Le logo d'une organisation dans le vrai navigateur : déposé par le formulaire de ses paramètres, refusé
avec un message pour un faux fichier, affiché en tête de ses pages et de son registre public sans décaler
la page, remplacé puis retiré ; axe-core sur chaque page changée, sous les deux thèmes."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import caches
from playwright.sync_api import Page, expect

from balise.registre import services
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur

_axe = Axe()


def _accessible(page: Page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def _logo_affiche(page: Page, nom: str) -> str:
    """Le logo de l'en-tête : chargé, à la taille de ses attributs (place réservée avant son arrivée)."""
    logo = page.locator(".fr-header__operator img")
    expect(logo).to_have_attribute("alt", nom)
    expect(logo).to_have_js_property("complete", True)
    largeur, hauteur = int(logo.get_attribute("width")), int(logo.get_attribute("height"))
    mesures = logo.evaluate(
        "img => [img.naturalWidth, img.getBoundingClientRect().width, img.getBoundingClientRect().height]"
    )
    assert mesures[0] > 0, "le logo ne s'est pas chargé"
    assert (round(mesures[1]), round(mesures[2])) == (largeur, hauteur)
    return logo.get_attribute("src")


def _deposer(page: Page, slug: str, chemin, bouton: str) -> None:
    page.goto(f"/o/{slug}/parametres/")
    page.get_by_label("Logo de l'organisation").set_input_files(str(chemin))
    page.get_by_role("button", name=bouton).click()


def _parcours(page: Page, org, admin, tmp_path, theme: str) -> None:
    slug = org.slug
    connecter(page, admin.email)

    faux = tmp_path / "logo.png"
    faux.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    _deposer(page, slug, faux, "Déposer le logo")
    expect(page.get_by_text("Ce fichier n'est pas une image PNG, JPEG ou WebP lisible.")).to_be_visible()
    assert page.locator(".fr-header__operator").count() == 0
    _accessible(page)  # le formulaire en erreur

    premier = tmp_path / "armoiries.png"
    premier.write_bytes(fabrique.image(taille=(600, 200)))
    _deposer(page, slug, premier, "Déposer le logo")
    expect(page.get_by_role("status")).to_contain_text("Logo enregistré")
    _logo_affiche(page, org.nom)
    expect(page.get_by_role("img", name=f"Logo actuel de {org.nom}")).to_be_visible()
    _accessible(page)  # les paramètres, logo affiché, bouton de retrait

    public = page.context.browser.new_context(base_url=page.url.split("/o/")[0], locale="fr-FR").new_page()
    try:
        public.goto(f"/public/{slug}/")
        adresse = _logo_affiche(public, org.nom)
        assert adresse.startswith(f"/public/{slug}/logo.png?v=")
        if theme == "etat":
            assert public.locator(".fr-header .fr-logo").count() == 1  # bloc-marque et logo côte à côte
        _accessible(public)

        second = tmp_path / "blason.jpg"
        second.write_bytes(fabrique.image("JPEG", taille=(200, 200), couleur=(150, 60, 20)))
        _deposer(page, slug, second, "Remplacer le logo")
        expect(page.get_by_role("status")).to_contain_text("Logo enregistré")
        # Recharger : le navigateur garderait sinon la page publique les 5 minutes qu'elle permet.
        public.reload()
        assert _logo_affiche(public, org.nom) != adresse  # aussitôt, à une autre adresse

        page.get_by_role("button", name="Retirer le logo").click()
        page.locator("#confirmation").get_by_role("button", name="Retirer le logo").click()
        expect(page.get_by_role("status")).to_contain_text("Logo retiré")
        public.reload()
        assert public.locator(".fr-header__operator").count() == 0
        expect(public.locator(".fr-header__service-title")).to_have_text(org.nom)
    finally:
        public.context.close()


@pytest.mark.parametrize("theme", ["neutre", "etat"])
def test_deposer_voir_remplacer_retirer_le_logo(page, org_a, admin_a, systeme_a, tmp_path, settings, theme):
    services.publier(systeme_a.pk, True, admin_a, systeme_a.version)
    # Le thème est lu au démarrage : les fragments gardés en mémoire l'ont été sous l'autre (voir
    # test_theme_de_l_etat_accessible).
    caches["default"].clear()
    settings.THEME = theme
    try:
        _parcours(page, org_a, admin_a, tmp_path, theme)
    finally:
        caches["default"].clear()
