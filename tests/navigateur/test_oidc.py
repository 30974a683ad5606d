"""Connexion par ProConnect dans un vrai navigateur, contre un vrai fournisseur OpenID Connect
(node-oidc-provider, tests/oidc/) : page de connexion de Balise, bouton, formulaire du fournisseur,
retour dans Balise connecté ; une adresse sans compte Balise est refusée en français."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests import serveur_oidc

# Le fournisseur de test et les réglages qui le branchent (tests/serveur_oidc.py).
fournisseur_oidc = serveur_oidc.fournisseur_oidc
oidc_actif = serveur_oidc.oidc_actif

pytestmark = pytest.mark.navigateur


def _chez_le_fournisseur(page: Page, emetteur: str, adresse: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    page.wait_for_url(lambda url: url.startswith(emetteur))
    page.locator("input[name=login]").fill(adresse)
    page.locator("input[name=password]").fill("peu-importe")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(lambda url: not url.startswith(emetteur))


def test_connexion_par_proconnect(page, org_a, admin_a, oidc_actif):
    _chez_le_fournisseur(page, oidc_actif.emetteur, "admin-a@exemple.fr")
    # Une seule organisation : sa page « À traiter », connecté.
    expect(page).to_have_url(re.compile(rf"/o/{org_a.slug}/a-traiter/$"))
    page.goto("/comptes/compte/")
    expect(page).to_have_url(re.compile(r"/comptes/compte/$"))
    expect(page.get_by_text("admin-a@exemple.fr").first).to_be_visible()


def test_adresse_sans_compte_refusee_en_francais(page, admin_a, oidc_actif):
    _chez_le_fournisseur(page, oidc_actif.emetteur, "inconnu@exemple.fr")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/$"))
    expect(page.get_by_text("Aucun compte Balise n'est ouvert pour inconnu@exemple.fr")).to_be_visible()
    expect(page.get_by_text("demandez une invitation", exact=False)).to_be_visible()
    # Le formulaire de mot de passe reste offert.
    expect(page.get_by_label("Mot de passe")).to_be_visible()
