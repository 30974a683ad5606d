"""Une commune rejoint Balise d'elle-même, de bout en bout : demande sans compte, approbation par
l'administrateur de l'instance, lien reçu par courriel, mot de passe choisi, démarrage guidé."""

import re

import pytest
from playwright.sync_api import expect

from balise.organisations.models import Organisation
from tests import fabrique
from tests.navigateur.conftest import connecter
from tests.navigateur.test_accessibilite import _axe

pytestmark = pytest.mark.navigateur


def _accessible(page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def test_une_commune_rejoint_balise_et_commence(nouveau_contexte, courriels, db):
    instance = fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)

    # La secrétaire générale de mairie, sans compte, trouve sa commune et fait la demande.
    dgs = nouveau_contexte().new_page()
    dgs.goto("/")
    dgs.get_by_role("link", name="Ouvrir l'espace de ma collectivité").click()
    # Pendant la frappe, des propositions (recherche côté serveur) ; sans script, « Rechercher ».
    dgs.get_by_label("Nom de la commune").fill("cognat lyo")
    dgs.get_by_role("link", name="Cognat-Lyonne (Commune, 03)").click()
    expect(dgs).to_have_url(re.compile(r"/adhesion/\?q=Cognat-Lyonne$"))
    dgs.get_by_label("Cognat-Lyonne (Commune, 03)").check()
    dgs.get_by_label("Prénom").fill("Claire")
    dgs.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    dgs.get_by_label("Adresse électronique professionnelle").fill("pas-une-adresse")
    dgs.get_by_label("Fonction").fill("Secrétaire générale de mairie")
    dgs.get_by_role("button", name="Envoyer la demande").click()
    expect(dgs.get_by_text("Saisissez une adresse de courriel valide.")).to_be_visible()
    _accessible(dgs)  # le formulaire en erreur
    dgs.get_by_label("Adresse électronique professionnelle").fill("sg@cognat-lyonne.fr")
    dgs.get_by_role("button", name="Envoyer la demande").click()
    expect(dgs.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")

    # L'administrateur de l'instance, prévenu par courriel, approuve.
    assert courriels[0].to == [instance.email]
    admin = nouveau_contexte().new_page()
    connecter(admin, instance.email)
    admin.goto("/")
    admin.get_by_role("link", name="Demandes d'adhésion à examiner : 1").click()
    admin.get_by_role("link", name="Cognat-Lyonne").click()
    expect(admin.get_by_text("Claire Martin, Secrétaire générale de mairie")).to_be_visible()
    _accessible(admin)
    admin.get_by_role("button", name="Approuver et créer l'espace").click()
    expect(admin.get_by_role("status")).to_contain_text("l'espace de Cognat-Lyonne est créé")
    organisation = Organisation.objects.get(siren="210300802")
    assert (organisation.type, organisation.population) == ("commune", 706)

    # Elle reçoit le lien, choisit son mot de passe et arrive sur le démarrage guidé.
    (activation,) = [c for c in courriels if c.to == ["sg@cognat-lyonne.fr"]]
    chemin = re.search(r"https?://[^/]+(/comptes/activation/\S+)", activation.body).group(1)
    dgs.goto(chemin)
    expect(dgs.get_by_label("Prénom")).to_have_value("Claire")
    dgs.locator("#id_new_password1").fill("un mot de passe bien solide")
    dgs.locator("#id_new_password2").fill("un mot de passe bien solide")
    _accessible(dgs)
    dgs.get_by_role("button", name="Enregistrer et commencer").click()
    expect(dgs).to_have_url(re.compile(rf"/o/{organisation.slug}/a-traiter/$"))
    expect(dgs.get_by_role("status")).to_contain_text("Bienvenue, Claire Martin")
    expect(dgs.get_by_role("heading", name="Pour bien commencer")).to_be_visible()
    expect(dgs.get_by_role("link", name="Claire Martin")).to_be_visible()  # son nom, pas son adresse
    _accessible(dgs)
    dgs.get_by_role("link", name="Déclarer un usage (pas 1)").click()
    expect(dgs).to_have_url(re.compile(rf"/o/{organisation.slug}/registre/nouveau/$"))


def test_ce_qui_est_tape_avant_le_script_recoit_ses_propositions(page, db):
    """Connexion lente : le script des propositions, différé, arrive après la frappe ; il la reprend."""
    retenus = []
    page.route("**/collectivites*.js", lambda route: retenus.append(route))  # retenu jusqu'à la frappe
    page.goto("/adhesion/", wait_until="commit")
    page.get_by_label("Nom de la commune").fill("cognat lyo")
    for _ in range(200):
        if retenus:
            break
        page.wait_for_timeout(50)
    retenus[0].continue_()
    expect(page.get_by_role("link", name="Cognat-Lyonne (Commune, 03)")).to_be_visible()
