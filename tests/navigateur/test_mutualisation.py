"""La mutualisation dans un vrai navigateur (issue 17) : une commune demande à rejoindre son
agglomération, qui signe ; le référent IA de l'agglomération déclare alors un système dans l'espace
de la commune, et la commune le lit à son journal « pour le compte de ». Pages vérifiées par axe-core."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from balise.mutualisation.models import Convention
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur
_axe = Axe()


def _accessible(page: Page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def test_une_commune_rejoint_son_agglomeration(page: Page, nouveau_contexte, org_a, admin_a):
    agglo = fabrique.organisation("Agglomération du Val", slug="agglo", type="epci")
    admin_agglo = fabrique.membre(agglo, "administrateur", "admin@agglo.fr")
    referent_agglo = fabrique.membre(agglo, "referent", "referent@agglo.fr")

    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/mutualisation/")
    _accessible(page)
    page.get_by_label("Organisation mutualisante").fill("agglo")
    page.get_by_label("Objet de la convention").fill("Accompagnement du registre")
    page.get_by_label("Rôle que vous accordez à son personnel").select_option("referent")
    page.locator("input[name=debut]").fill("2026-01-01")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention de mutualisation")
    expect(page.get_by_text("Demandée par le membre")).to_be_visible()
    _accessible(page)

    agglo_page = nouveau_contexte().new_page()
    connecter(agglo_page, admin_agglo.email)
    agglo_page.goto("/o/agglo/mutualisation/")
    _accessible(agglo_page)
    agglo_page.get_by_role("link", name="Convention Agglomération du Val – Commune A").first.click()
    agglo_page.get_by_role("button", name="Signer la convention").click()
    expect(agglo_page.get_by_text("La convention est signée.")).to_be_visible()
    assert Convention.objects.get().etat == "en_vigueur"
    agglo_page.goto("/o/agglo/mutualisation/portefeuille/")
    expect(agglo_page.get_by_role("row").filter(has_text="Commune A")).to_be_visible()
    _accessible(agglo_page)

    referent = nouveau_contexte().new_page()
    connecter(referent, referent_agglo.email)
    referent.goto(f"/o/{org_a.slug}/registre/nouveau/")
    referent.get_by_role("textbox", name="Nom", exact=True).fill("Tri automatique des courriers")
    referent.get_by_label("Finalité").fill("Orienter les courriers numérisés vers le bon service.")
    referent.get_by_label("Service porteur").fill("Accueil")
    referent.get_by_label("Responsable (nom et fonction)").fill("Secrétaire de mairie")
    referent.get_by_role("combobox", name="Domaine", exact=True).select_option(label="Gestion administrative")
    referent.get_by_label("Type d'IA").select_option(label="IA discriminante")
    referent.get_by_label("Utilisateurs et bénéficiaires").select_option(label="Agents")
    referent.get_by_role("combobox", name="Positionnement", exact=True).select_option(
        label="Améliorer l'existant"
    )
    referent.get_by_label("Réalisation").select_option(label="Développement interne")
    referent.get_by_label("Lieu d'hébergement").select_option(label="France")
    referent.get_by_role("button", name="Enregistrer").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Tri automatique des courriers")

    page.goto(f"/o/{org_a.slug}/journal/")
    expect(page.get_by_text("Action pour le compte de l'organisation").first).to_be_visible()
    expect(page.get_by_text("Agglomération du Val").first).to_be_visible()


def test_l_agglomeration_partage_un_instrument_que_la_commune_reprend(
    page: Page, nouveau_contexte, org_a, admin_a
):
    from balise.instruments import services as instruments
    from balise.instruments.definition import en_yaml
    from balise.instruments.models import DefinitionInstrument
    from balise.mutualisation import services

    agglo = fabrique.organisation("Agglomération du Val", slug="agglo", type="epci")
    admin_agglo = fabrique.membre(agglo, "administrateur", "admin@agglo.fr")
    c = services.proposer(
        agglo, org_a, admin_agglo, objet="Registre", role="referent", debut=date(2026, 1, 1), fin=None
    )
    services.signer(org_a, c.pk, c.version, admin_a)
    nationale = DefinitionInstrument.objects.get(organisation=None, code="radar-decision")
    adaptee = nationale.definition.model_copy(update={"titre": "Radar intercommunal du Val"})
    instruments.adapter(agglo, nationale, en_yaml(adaptee), admin_agglo, nationale.version)

    agglo_page = nouveau_contexte().new_page()
    connecter(agglo_page, admin_agglo.email)
    agglo_page.goto("/o/agglo/mutualisation/")
    agglo_page.get_by_label("Adaptation à partager").select_option(label="Radar intercommunal du Val")
    agglo_page.get_by_label("Note aux membres").fill("Les questions du COPIL intercommunal y sont ajoutées.")
    agglo_page.get_by_role("button", name="Partager avec les membres").click()
    expect(agglo_page.get_by_text("L'instrument est partagé")).to_be_visible()

    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/mutualisation/")
    ligne = page.get_by_role("row").filter(has_text="Radar intercommunal du Val")
    expect(ligne).to_contain_text("Pas encore repris")
    _accessible(page)
    ligne.get_by_role("button", name="Reprendre cet instrument").click()
    expect(page.get_by_text("L'instrument est repris")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Radar intercommunal du Val")).to_contain_text(
        "Repris, à jour"
    )
    page.goto(f"/o/{org_a.slug}/instruments/")
    expect(page.get_by_text("de Agglomération du Val").first).to_be_visible()
