"""Le parcours de la bibliothèque des cas d'usage dans un vrai navigateur (issue 17, point 4) : une
référente partage un système de son registre en choisissant ce qu'elle partage ; un référent d'une
autre commune cherche « fuite », lit le cas et l'adopte ; la fiche née au registre dit sa provenance et
s'ouvre à la qualification ; le cas montre qui l'a adopté. Chaque page est vérifiée par axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from balise.bibliotheque import services
from balise.bibliotheque.models import Adoption, CasUsage
from balise.conformite.models import Qualification
from balise.conformite.regles import en_vigueur
from tests import fabrique
from tests.navigateur.conftest import connecter
from tests.navigateur.test_conformite import repondre

pytestmark = pytest.mark.navigateur

_axe = Axe()


def _accessible(page: Page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def test_partager_chercher_adopter_qualifier(page, nouveau_contexte, org_a, referent_a, systeme_a, org_b):
    services.charger_catalogue(fabrique.utilisateur("instance@exemple.fr", is_superuser=True))
    # La référente de la commune A partage son système de détection des fuites.
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    page.get_by_role("link", name="Partager dans la bibliothèque").click()
    _accessible(page)
    page.locator("label[for=id_partager_lecons]").click()  # la case du DSFR se coche par son libellé
    page.get_by_role("textbox", name="Enseignements").fill(
        "Commencer par un secteur du réseau, vérifier chaque alerte."
    )
    page.locator("label[for=id_partager_contact]").click()
    page.get_by_role("textbox", name="Adresse de contact").fill("eau@commune-a.fr")
    page.get_by_role("button", name="Partager dans la bibliothèque").click()
    page.get_by_text("Le cas est partagé dans la bibliothèque.").wait_for()
    partage = CasUsage.objects.get(origine="partage")
    assert partage.contact == "eau@commune-a.fr" and "Claire Petit" not in page.content()
    _accessible(page)

    # Un référent de la commune B cherche, lit et adopte.
    referent_b = fabrique.membre(org_b, "referent", "referent-b@exemple.fr")
    autre = nouveau_contexte().new_page()
    connecter(autre, referent_b.email)
    autre.goto(f"/o/{org_b.slug}/bibliotheque/")
    _accessible(autre)
    autre.get_by_label("Mots cherchés").fill("fuite")
    autre.get_by_role("button", name="Chercher").click()
    autre.get_by_role("link", name="Lire le cas « Détection des fuites »").click()
    assert "eau@commune-a.fr" in autre.content() and "Commencer par un secteur" in autre.content()
    _accessible(autre)
    autre.get_by_label("Service porteur").fill("Service des eaux")
    autre.get_by_label("Responsable (nom et fonction)").fill("Chef du service des eaux")
    autre.get_by_role("button", name="Adopter dans notre registre").click()
    autre.get_by_text("au stade idée").wait_for()
    adoption = Adoption.objects.get()
    assert adoption.organisation == org_b and adoption.systeme.stade == "idee"
    assert "Adopté le" in autre.content()
    # La fiche adoptée se qualifie comme toute autre : le questionnaire jusqu'au bout.
    regles = en_vigueur()
    cas = min(regles.cas, key=lambda c: len(c.reponses))
    autre.goto(f"/o/{org_b.slug}/registre/{adoption.systeme_id}/qualification/questionnaire/")
    repondre(autre, regles, cas.reponses)
    autre.get_by_text("Qualification enregistrée").wait_for()
    assert Qualification.objects.filter(systeme=adoption.systeme).exists()

    # De retour sur le cas, la commune A voit qui l'a repris.
    page.goto(f"/o/{org_a.slug}/bibliotheque/{partage.pk}/")
    assert org_b.nom in page.get_by_role("table").inner_text()
    # Et le public lit la bibliothèque sans compte.
    public = nouveau_contexte().new_page()
    public.goto(f"/public/bibliotheque/{partage.pk}/")
    assert "Repris par 1 organisation" in public.content()
    _accessible(public)
    public.goto("/public/bibliotheque/?q=comptes+rendus")
    _accessible(public)
