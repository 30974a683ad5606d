"""La passerelle dans un vrai navigateur, contre le serveur local qui tient le rôle du fournisseur : le
référent approuve un modèle au catalogue ; un agent lit les règles d'usage, voit ce qui partira, envoie,
lit la réponse restaurée avec la mention de l'IA. axe-core sur chaque page du parcours."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from balise.passerelle.models import ModeleCatalogue, Requete
from balise.regles_usage import services as regles
from tests.modele_local import ServeurModele

from .conftest import connecter

pytestmark = pytest.mark.navigateur

_axe = Axe()


def _accessible(page: Page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def test_approuver_un_modele_puis_converser_sans_que_les_donnees_sortent(
    nouveau_contexte, org_a, referent_a, lecteur_a
):
    brouillon = regles.creer_brouillon(org_a, referent_a)
    regles.publier(org_a, brouillon.pk, referent_a, brouillon.version)
    with ServeurModele() as serveur:
        page = nouveau_contexte().new_page()
        connecter(page, referent_a.email)
        page.goto(f"/o/{org_a.slug}/passerelle/catalogue/")
        _accessible(page)
        page.locator("#id_fournisseur-nom").fill("Serveur du service informatique")
        page.get_by_label("Adresse de l'API compatible OpenAI").fill(serveur.url)
        page.get_by_label("Clé d'API").fill(serveur.cle)
        page.get_by_label("Hébergement").select_option("france")
        page.get_by_role("button", name="Ajouter le fournisseur").click()
        page.get_by_text("sa clé est chiffrée").wait_for()
        page.get_by_label("Identifiant chez le fournisseur").fill("albert-large")
        page.get_by_label("Nom affiché aux agents").fill("Albert")
        page.get_by_role("button", name="Approuver le modèle").click()
        page.get_by_text("sa fiche est au registre").wait_for()
        _accessible(page)
        assert ModeleCatalogue.objects.get().classes_permises == []

        agent = nouveau_contexte().new_page()
        connecter(agent, lecteur_a.email)
        agent.goto(f"/o/{org_a.slug}/passerelle/")
        _accessible(agent)
        agent.get_by_label("Votre service").fill("Petite enfance")
        agent.locator("label[for=id_lu]").click()  # la case DSFR se coche par son libellé
        agent.get_by_role("button", name="Enregistrer ma lecture et commencer").click()
        agent.get_by_text("votre lecture des règles d'usage est enregistrée").wait_for()
        agent.get_by_role("textbox", name="Votre message").fill(
            "Réponds à Mme Claire Dubois, claire.dubois@exemple.fr, pour la crèche."
        )
        agent.get_by_role("button", name="Voir ce qui partira").click()
        agent.get_by_role("heading", name="Ce qui partira vers « Albert »").wait_for()
        assert "[PERSONNE_1]" in agent.locator("pre").inner_text()
        _accessible(agent)
        assert serveur.recues == []
        serveur.scenario.texte = "Chère [PERSONNE_1], votre dossier est complet."
        agent.get_by_role("button", name="Envoyer").click()
        agent.wait_for_url("**/passerelle/conversations/*/")  # la réponse lue en flux, puis consignée
        agent.get_by_text("Chère Claire Dubois, votre dossier est complet.").wait_for()
        agent.locator(".fr-badge:visible", has_text="Produit par une IA").first.wait_for()
        _accessible(agent)
        assert "Dubois" not in serveur.recues[-1].brut.decode()
        assert Requete.objects.get().action == "pseudonymiser"
        agent.goto(f"/o/{org_a.slug}/passerelle/cles/")
        agent.get_by_label("Nom de la clé").fill("Extension du navigateur")
        agent.get_by_role("button", name="Créer une clé").click()
        agent.get_by_text("elle ne sera plus jamais affichée").wait_for()
        _accessible(agent)


def test_la_reponse_s_affiche_a_mesure_et_les_refus_passent_par_le_formulaire(
    nouveau_contexte, org_a, referent_a, lecteur_a
):
    """assistant.js : la réponse se lit pendant qu'elle arrive, puis la conversation s'ouvre ; une panne
    du fournisseur se dit en place, le message gardé ; un refus repasse par le formulaire classique."""
    from balise.passerelle import services
    from balise.passerelle import services_catalogue as catalogue

    brouillon = regles.creer_brouillon(org_a, referent_a)
    regles.publier(org_a, brouillon.pk, referent_a, brouillon.version)
    services.premiere_utilisation(org_a, lecteur_a, None, "Accueil")
    with ServeurModele() as serveur:
        fournisseur = catalogue.ajouter_fournisseur(
            org_a, {"nom": "Local", "url_base": serveur.url, "hebergement": "france", "delai_s": 5}, serveur.cle, referent_a
        )  # fmt: skip
        catalogue.ajouter_modele(
            org_a, fournisseur.pk, {"identifiant": "m", "libelle": "Albert"}, [], referent_a
        )
        contexte = nouveau_contexte()
        contexte.grant_permissions(["clipboard-read", "clipboard-write"])
        agent = contexte.new_page()
        connecter(agent, lecteur_a.email)
        agent.goto(f"/o/{org_a.slug}/passerelle/")
        serveur.scenario.morceaux = ["Premier morceau. ", "Deuxième ", "morceau."]
        serveur.scenario.attente_entre_morceaux_s = 0.6
        agent.get_by_role("textbox", name="Votre message").fill("Rédige une note sur la crèche.")
        agent.get_by_role("button", name="Envoyer").click()
        # Pendant le flux : la question et le début de la réponse, avant la fin.
        agent.locator("#assistant-reponse").get_by_text("Premier morceau.").wait_for()
        assert "/conversations/" not in agent.url
        assert agent.get_by_role("button", name="Envoyer").is_disabled()
        agent.wait_for_url("**/passerelle/conversations/*/")
        agent.get_by_text("Premier morceau. Deuxième morceau.").wait_for()
        _accessible(agent)
        # Copiée, la réponse garde la mention de l'organisation : par le bouton, ou au clavier.
        mention = catalogue.reglages(org_a).mention
        agent.get_by_role("button", name="Copier la réponse avec la mention").click()
        agent.get_by_role("button", name="Copiée, avec la mention").wait_for()
        copie = agent.evaluate("navigator.clipboard.readText()")
        assert copie == f"Premier morceau. Deuxième morceau.\n\n— {mention}"
        agent.evaluate(
            "() => { const t = document.querySelector('[data-texte-ia]').firstChild;"
            " const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 15);"
            " getSelection().removeAllRanges(); getSelection().addRange(r); }"
        )
        agent.keyboard.press("Control+C")
        assert agent.evaluate("navigator.clipboard.readText()") == f"Premier morceau\n\n— {mention}"

        serveur.scenario.morceaux, serveur.scenario.statut = None, 503
        agent.get_by_role("textbox", name="Votre message").fill("Et la suite ?")
        agent.get_by_role("button", name="Envoyer").click()
        agent.get_by_role("heading", name="Aucune réponse du modèle").wait_for()
        assert agent.get_by_role("textbox", name="Votre message").input_value() == "Et la suite ?"
        assert agent.get_by_role("button", name="Envoyer").is_enabled()
        _accessible(agent)

        serveur.scenario.statut = None
        agent.get_by_role("textbox", name="Votre message").fill(
            "NIR de M. Paul Durand : 2 84 05 59 350 042 25."
        )
        agent.get_by_role("button", name="Envoyer").click()
        agent.get_by_role("heading", name="Rien n'est parti").wait_for()
        assert Requete.objects.filter(action="refuser").count() == 1


def test_usage_requetes_sensibles_et_quotas_accessibles(nouveau_contexte, org_a, referent_a):
    from balise.passerelle import chiffrement, quotas
    from balise.passerelle import services_catalogue as catalogue
    from balise.passerelle.models import ContenuSensible
    from tests import fabrique

    fournisseur = catalogue.ajouter_fournisseur(
        org_a, {"nom": "Local", "url_base": "http://127.0.0.1:9/v1", "hebergement": "france"}, "k", referent_a
    )
    modele = catalogue.ajouter_modele(
        org_a, fournisseur.pk, {"identifiant": "m", "libelle": "Local"}, [], referent_a
    )
    quotas.fixer(org_a, "service", "Urbanisme", 200, None, referent_a)
    requete = Requete.objects.create(
        organisation=org_a, personne=referent_a, modele=modele, canal="page", le=modele.cree_le, action="refuser",
        classes=["sensible"], types=["NIR"], service="Urbanisme",
    )  # fmt: skip
    ContenuSensible.objects.create(
        requete=requete,
        chiffre=chiffrement.chiffrer("NIR 1 85 05 78 006 084 91"),
        garder_jusqu_au=modele.cree_le.date(),
    )
    page = nouveau_contexte().new_page()
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/passerelle/usage/?mois={modele.cree_le:%Y-%m}")
    page.get_by_role("heading", name="Par service").wait_for()
    _accessible(page)
    page.goto(f"/o/{org_a.slug}/passerelle/usage/fiches/{modele.systeme_id}/")
    _accessible(page)
    page.goto(f"/o/{org_a.slug}/passerelle/catalogue/")
    page.get_by_role("button", name="Retirer le quota du service « Urbanisme »").wait_for()
    _accessible(page)
    page.get_by_role("link", name="Modifier « Local »").first.click()
    page.get_by_role("heading", name="Modifier « Local »").wait_for()
    _accessible(page)
    dpo = fabrique.membre(org_a, "dpo", "dpo-a@exemple.fr")
    lecteur = nouveau_contexte().new_page()
    connecter(lecteur, dpo.email)
    lecteur.goto(f"/o/{org_a.slug}/passerelle/sensibles/")
    _accessible(lecteur)
    lecteur.get_by_label("Raison de la lecture").fill("Demande d'accès d'un usager.")
    lecteur.get_by_role("button", name=f"Lire la requête n° {requete.pk}").click()
    lecteur.get_by_text("NIR 1 85 05 78 006 084 91").wait_for()
    _accessible(lecteur)
