"""L'arrivée d'une personne invitée, de bout en bout : courriel, lien, mot de passe, puis des pages qui
s'ouvrent, la première comme la suivante (la session ouverte à l'acceptation doit tenir)."""

import re

import pytest
from playwright.sync_api import expect

from balise.organisations.models import Adhesion
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_invitation_du_courriel_a_la_deuxieme_page(nouveau_contexte, courriels, org_a, admin_a):
    admin = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    admin.goto(f"/o/{org_a.slug}/membres/")
    admin.get_by_label("Adresse électronique").fill("nina.agent@exemple.fr")
    admin.locator("#id_role").select_option("referent")
    admin.get_by_role("button", name="Inviter").click()
    expect(admin.get_by_role("status")).to_contain_text("Invitation envoyée à nina.agent@exemple.fr")

    assert len(courriels) == 1 and courriels[0].to == ["nina.agent@exemple.fr"]
    lien = re.search(r"https?://\S+/invitation/\S+/", courriels[0].body).group(0)

    # La personne invitée, dans son propre navigateur, suit le lien du courriel.
    invitee = nouveau_contexte().new_page()
    invitee.goto(lien)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Rejoindre Commune A")
    invitee.get_by_label("Prénom").fill("Nina")
    invitee.get_by_role("textbox", name="Nom", exact=True).fill("Agent")
    invitee.locator("#id_password1").fill("un-mot-de-passe-solide")
    invitee.get_by_label("Confirmation du mot de passe").fill("un-mot-de-passe-solide")
    invitee.get_by_role("button", name="Créer mon compte et rejoindre").click()

    # Première page : le portefeuille de l'organisation, avec le message de bienvenue.
    expect(invitee.get_by_role("status")).to_contain_text("Bienvenue ! Vous avez rejoint Commune A.")
    expect(invitee).to_have_url(re.compile(r"^http://[^/]+/o/commune-a/portefeuille/$"))
    # Deuxième page : la session tient, on n'est pas renvoyé à la connexion.
    invitee.goto(f"/o/{org_a.slug}/registre/")
    expect(invitee).to_have_url(re.compile(r"^http://[^/]+/o/commune-a/registre/$"))
    expect(invitee.get_by_role("link", name="Déclarer un système")).to_be_visible()
    expect(invitee.get_by_role("button", name="Se déconnecter")).to_be_visible()

    assert Adhesion.objects.get(utilisateur__email="nina.agent@exemple.fr").role == "referent"
