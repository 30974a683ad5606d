"""La charte de bout en bout, par les pages et les vrais formulaires (issue 14, « How it is checked ») :
composer depuis un jeu de principes, soumettre à une séance, adopter avec un numéro de délibération,
la voir sur le registre public (page et PDF)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from balise.chartes.models import VersionCharte
from balise.gouvernance import services_avis
from balise.gouvernance.models import Point
from tests import gouvernance_fabrique as gf
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _message(page: Page, texte: str) -> None:
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(texte)


def test_composer_soumettre_adopter_publier(nouveau_contexte, org_a, referent_a):
    slug = org_a.slug
    seance = gf.seance(gf.instance(org_a, "Comité social territorial"), gf.dans(10), referent_a)
    page = nouveau_contexte().new_page()
    connecter(page, referent_a.email)

    # 1. Composer depuis le jeu du SNDGCT.
    page.goto(f"/o/{slug}/charte/")
    page.get_by_role("link", name="Composer une charte").click()
    page.get_by_label("Titre de la charte").fill("Charte de l'IA de la commune")
    for principe in ("Transparence (Principes éthiques", "Sobriété (Principes éthiques"):
        page.get_by_label(re.compile(re.escape(principe))).check()
    page.get_by_label("Lignes rouges (une par ligne)").fill("Aucune décision individuelle sans agent.")
    page.get_by_role("button", name="Créer le brouillon").click()
    _message(page, "Version brouillon créée")
    expect(page.get_by_role("heading", level=1)).to_have_text("Charte de l'IA de la commune")
    expect(page.get_by_text("Sobriété —")).to_be_visible()
    v = VersionCharte.objects.get()

    # 2. Soumettre à la séance du comité social territorial.
    page.get_by_label("Séance d'instance").select_option(str(seance.pk))
    page.get_by_role("button", name="Soumettre").click()
    _message(page, "Version inscrite à l'ordre du jour")
    expect(page.get_by_text("Soumise à la consultation").first).to_be_visible()
    point = Point.objects.get(version_charte=v)
    services_avis.rendre_avis(
        point, {"sens": "favorable", "motifs": "Avis du CST sur la charte."}, [], referent_a
    )
    page.reload()
    expect(page.get_by_text("Avis du CST sur la charte.")).to_be_visible()
    # La page de séance renvoie à la version.
    page.goto(f"/o/{slug}/seances/{seance.pk}/")
    page.get_by_role("link", name="Voir la version de la charte").click()

    # 3. Adopter par délibération : sans numéro, refus ; avec, adoptée.
    page.get_by_role("radio", name="Par délibération").check()
    page.get_by_label("Date d'adoption").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Adopter").click()
    _message(page, "Numéro de la délibération")
    page.get_by_role("radio", name="Par délibération").check()
    page.get_by_label("Date d'adoption").fill(timezone.localdate().isoformat())
    page.get_by_label("Numéro de la délibération (adoption par délibération)").fill("DEL-2026-045")
    page.get_by_role("button", name="Adopter").click()
    _message(page, "Charte adoptée")
    v.refresh_from_db()
    assert v.statut == "adoptee" and v.deliberation_numero == "DEL-2026-045"

    # 4. Sur le registre public, sans connexion : le lien, la page, le PDF.
    public = nouveau_contexte().new_page()
    public.goto(f"/public/{slug}/")
    public.get_by_role("link", name="Charte de l'IA de la collectivité").click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("Charte de l'IA de la commune")
    # « délibération » y est un terme défini (lien et infobulle) : le numéro suit le lien.
    expect(public.locator("main")).to_contain_text("n° DEL-2026-045")
    expect(public.locator("main")).to_contain_text("sans agent.")
    with public.expect_response(re.compile(r"charte\.pdf$")) as reponse:
        public.get_by_role("link", name="Télécharger la charte (PDF)").click()
    assert reponse.value.headers["content-type"] == "application/pdf"
