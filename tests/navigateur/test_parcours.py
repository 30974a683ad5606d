"""Parcours complets dans un vrai navigateur : ce qu'une personne voit et fait, en français."""

import re

import pytest
from playwright.sync_api import Page, expect

from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique, instantane
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _changer_de_stade(page: Page, vers: str, motif: str = "", justification: str = "") -> None:
    page.get_by_label("Nouveau stade").select_option(label=vers)
    if motif:
        page.get_by_label("Motif").fill(motif)
    if justification:
        page.get_by_label("Justification").fill(justification)
    page.get_by_role("button", name="Changer de stade").click()


def test_connexion(page, admin_a):
    page.goto("/")
    page.get_by_role("link", name="Se connecter").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")

    # Un mot de passe erroné : message en français, on reste sur le formulaire.
    page.get_by_label("Adresse électronique").fill(admin_a.email)
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()

    # Une seule organisation : on arrive sur ce qu'on a à traiter.
    connecter(page, admin_a.email)
    expect(page).to_have_url(re.compile(r"/o/commune-a/a-traiter/$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Mes organisations")).to_be_visible()
    expect(page.get_by_role("link", name="Commune A")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("link", name=admin_a.nom_affiche)).to_be_visible()


def test_declarer_un_systeme(page, org_a, referent_a):
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/")
    page.get_by_role("link", name="Déclarer un système").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclarer un système d'IA")

    # Enregistrer sans rien remplir : le formulaire signale ses erreurs, rien n'est créé.
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le formulaire contient des erreurs")).to_be_visible()
    assert not SystemeIA.objects.exists()

    page.get_by_role("textbox", name="Nom", exact=True).fill("Tri du courrier entrant")
    page.get_by_label("Finalité").fill("Orienter chaque courrier vers le bon service.")
    page.get_by_label("Service porteur").fill("Direction des affaires générales")
    page.get_by_label("Responsable (nom et fonction)").fill("Marc Dubois, DGA")
    page.get_by_role("combobox", name="Domaine", exact=True).select_option(label="Gestion administrative")
    page.get_by_label("Type d'IA").select_option(label="IA discriminante")
    page.get_by_label("Utilisateurs et bénéficiaires").select_option(label="Agents")
    page.get_by_role("combobox", name="Positionnement", exact=True).select_option(
        label="Améliorer l'existant"
    )
    page.get_by_label("Réalisation").select_option(label="Développement interne")
    page.get_by_label("Lieu d'hébergement").select_option(label="France")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("« Tri du courrier entrant » est inscrit au registre.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tri du courrier entrant")
    expect(page.get_by_text("Orienter chaque courrier vers le bon service.")).to_be_visible()
    expect(
        page.get_by_text("Direction des affaires générales — responsable : Marc Dubois, DGA")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Idée")

    systeme = SystemeIA.objects.get()
    assert systeme.organisation == org_a
    assert (systeme.type_ia, systeme.cible, systeme.realisation) == ("discriminante", "agents", "interne")

    # La fiche figure au registre.
    page.get_by_role("link", name="Retour au registre").click()
    expect(page.get_by_role("link", name="Tri du courrier entrant")).to_be_visible()


def test_cycle_de_vie_jusqu_a_l_arret(page, admin_a, systeme_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/commune-a/registre/{systeme_a.pk}/")
    badge = page.locator("main .fr-badge").first
    expect(badge).to_have_text("Idée")

    # Une porte non franchie (ni note d'opportunité complète, ni radar, ni décision) refuse le passage ;
    # l'administrateur la passe en écrivant pourquoi, et la justification reste dans la chronologie.
    _changer_de_stade(page, "Étude d'opportunité")
    expect(badge).to_have_text("Étude d'opportunité")
    _changer_de_stade(page, "Expérimentation / POC")
    expect(page.get_by_role("alert")).to_contain_text("porte")
    expect(badge).to_have_text("Étude d'opportunité")
    justification = "Reprise d'un projet déjà expérimenté avant Balise."
    for stade in ("Expérimentation / POC", "Décision", "Production"):
        _changer_de_stade(page, stade, justification=justification if stade != "Décision" else "")
        expect(page.get_by_role("status")).to_contain_text("Stade mis à jour.")
        expect(badge).to_have_text(stade)

    # L'arrêt sans motif est refusé, avec une explication en français.
    _changer_de_stade(page, "Arrêt")
    expect(page.get_by_role("alert")).to_contain_text("Indiquez le motif de l'arrêt ou de l'abandon.")
    expect(badge).to_have_text("Production")

    _changer_de_stade(page, "Arrêt", motif="Coût de fonctionnement trop élevé.")
    expect(page.get_by_role("status")).to_contain_text("Stade mis à jour.")
    expect(badge).to_have_text("Arrêt")
    expect(page.get_by_role("heading", name="Motif de l'arrêt ou de l'abandon")).to_be_visible()
    chronologie = page.locator("main ol")
    expect(chronologie).to_contain_text("Production → Arrêt (admin-a@exemple.fr) — Coût de fonctionnement")
    expect(chronologie).to_contain_text("Idée → Étude d'opportunité")
    expect(chronologie).to_contain_text(justification)

    systeme_a.refresh_from_db()
    assert systeme_a.stade == "arret"
    assert systeme_a.motif_fin == "Coût de fonctionnement trop élevé."


def test_historique_avec_auteurs(page, org_a, admin_a, referent_a, systeme_a):
    services.changer_stade(systeme_a.pk, "etude", "", admin_a, 1)
    services.modifier_systeme(systeme_a.pk, {"service": "Direction de l'eau"}, 2, referent_a)
    connecter(page, admin_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    page.get_by_role("link", name="Historique").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Historique de « Détection des fuites »")
    titres = page.get_by_role("heading", level=2)
    expect(titres).to_have_count(3)
    # De la plus récente à la plus ancienne, chacune avec son auteur.
    expect(titres.nth(0)).to_contain_text("Modification par referent-a@exemple.fr")
    expect(titres.nth(1)).to_contain_text("Modification par admin-a@exemple.fr")
    expect(titres.nth(2)).to_contain_text("Création par referent-a@exemple.fr")

    service = page.get_by_role("row").filter(has_text="service porteur")
    expect(service).to_contain_text("Relation usagers")
    expect(service).to_contain_text("Direction de l'eau")
    stade = page.get_by_role("row").filter(has=page.get_by_role("cell", name="stade", exact=True))
    expect(stade).to_contain_text("Idée")
    expect(stade).to_contain_text("Étude d'opportunité")
    expect(page.get_by_text("Fiche créée.")).to_be_visible()


def test_modification_concurrente(nouveau_contexte, org_a, admin_a, referent_a, systeme_a):
    adresse = f"/o/{org_a.slug}/registre/{systeme_a.pk}/modifier/"
    admin = nouveau_contexte().new_page()
    referent = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    connecter(referent, referent_a.email)

    # Les deux personnes ouvrent le formulaire de la même fiche.
    admin.goto(adresse)
    referent.goto(adresse)

    # La première enregistre.
    admin.get_by_label("Service porteur").fill("Direction de l'eau")
    admin.get_by_role("button", name="Enregistrer").click()
    expect(admin.get_by_text("Modifications enregistrées.")).to_be_visible()

    # La seconde enregistre ensuite, sur la version qu'elle avait ouverte : conflit.
    referent.get_by_label("Service porteur").fill("Service des eaux pluviales")
    with referent.expect_response(lambda r: r.request.method == "POST") as reponse:
        referent.get_by_role("button", name="Enregistrer").click()
    assert reponse.value.status == 409

    alerte = referent.locator("#conflit")
    expect(alerte).to_be_visible()
    expect(alerte).to_contain_text("Modification concurrente")
    expect(alerte).to_contain_text("modifiée par admin-a@exemple.fr")
    ligne = alerte.get_by_role("row").filter(has_text="service porteur")
    expect(ligne).to_contain_text("Relation usagers")
    expect(ligne).to_contain_text("Direction de l'eau")
    # Sa saisie est conservée dans le formulaire.
    expect(referent.get_by_label("Service porteur")).to_have_value("Service des eaux pluviales")

    systeme_a.refresh_from_db()
    assert systeme_a.service == "Direction de l'eau"
    assert systeme_a.version == 2


def test_registre_public_sans_connexion(page, org_a, admin_a):
    publie = fabrique.systeme(
        org_a,
        admin_a,
        nom="Chatbot des démarches",
        contribution_decision="Il oriente les usagers ; aucune décision n'est prise par lui.",
    )
    services.publier(publie.pk, True, admin_a, publie.version)
    fabrique.systeme(org_a, admin_a, nom="Projet interne confidentiel", contribution_decision="Aide.")

    page.goto(f"/public/{org_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commune A")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("link", name="Chatbot des démarches")).to_be_visible()
    expect(page.get_by_text("Projet interne confidentiel")).to_have_count(0)

    page.get_by_role("link", name="Chatbot des démarches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chatbot des démarches")
    expect(page.get_by_role("heading", name="Comment contribue-t-il aux décisions ?")).to_be_visible()
    expect(page.get_by_text("Il oriente les usagers ; aucune décision n'est prise par lui.")).to_be_visible()
    expect(page.get_by_role("link", name="Registre public de Commune A")).to_be_visible()


def test_archiver_puis_restaurer_un_document_et_le_lire_au_journal(
    nouveau_contexte, org_a, admin_a, referent_a, systeme_a
):
    instantane.document(systeme_a, admin_a, titre="Analyse d'impact")
    referent = nouveau_contexte().new_page()
    connecter(referent, referent_a.email)
    referent.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    referent.get_by_role("button", name="Archiver", exact=True).click()
    expect(referent.get_by_role("status")).to_contain_text("Document « Analyse d'impact » archivé")
    expect(referent.get_by_role("heading", name="Documents archivés")).to_be_visible()
    expect(referent.get_by_role("link", name="Analyse d'impact", exact=True)).to_have_count(0)

    referent.get_by_role("link", name="Restaurer « Analyse d'impact »").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text(
        "Restaurer le document « Analyse d'impact »"
    )
    referent.get_by_role("button", name="Restaurer le document").click()
    expect(referent.get_by_role("status")).to_contain_text("Document « Analyse d'impact » restauré.")
    expect(referent.get_by_role("link", name="Analyse d'impact", exact=True)).to_be_visible()
    expect(referent.get_by_role("heading", name="Documents archivés")).to_have_count(0)

    admin = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    admin.goto(f"/o/{org_a.slug}/journal/")
    admin.get_by_label("Événements").select_option(label="Fiches et documents du registre")
    admin.get_by_role("button", name="Filtrer").click()
    lignes = admin.locator("tbody tr")
    expect(lignes).to_have_count(2)
    expect(lignes.nth(0)).to_contain_text("Document restauré")
    expect(lignes.nth(1)).to_contain_text("Document archivé")
    for i in range(2):
        expect(lignes.nth(i)).to_contain_text("Analyse d'impact")
        expect(lignes.nth(i)).to_contain_text(f"Fiche : {systeme_a.nom}")
        expect(lignes.nth(i)).to_contain_text(referent_a.nom_affiche)


def test_jeton_d_api_cree_puis_revoque_par_l_administrateur(nouveau_contexte, org_a, admin_a, lecteur_a):
    """Une lectrice crée un jeton à échéance choisie et le voit ; l'administratrice de l'organisation le
    trouve parmi ceux des membres et le révoque ; l'API le refuse et la lectrice voit qui l'a révoqué."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    lectrice = nouveau_contexte().new_page()
    connecter(lectrice, lecteur_a.email)
    lectrice.goto("/comptes/compte/")
    echeance = timezone.localdate() + timedelta(days=30)
    lectrice.get_by_label("Nom du jeton").fill("export SIG")
    lectrice.get_by_label("Valable jusqu'au").fill(echeance.isoformat())
    lectrice.get_by_role("button", name="Créer un jeton").click()
    secret = lectrice.locator("#secret-jeton").inner_text()
    assert secret.startswith("bal_")
    actifs = lectrice.get_by_role("table", name="Jetons actifs")
    expect(actifs).to_contain_text("export SIG")
    expect(actifs).to_contain_text(echeance.strftime("%d/%m/%Y"))
    expect(actifs).to_contain_text("jamais")
    api = {"authorization": f"Bearer {secret}"}
    assert Client().get("/api/organisations", headers=api).status_code == 200

    admin = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    admin.goto(f"/o/{org_a.slug}/membres/")
    admin.get_by_role("link", name="Jetons d'API des membres").click()
    ligne = admin.get_by_role("row").filter(has_text="export SIG")
    expect(ligne).to_contain_text(lecteur_a.email)
    expect(ligne).not_to_contain_text("jamais")  # utilisé à l'instant par l'API
    ligne.get_by_role("button", name="Révoquer").click()
    expect(admin.get_by_text(f"Jeton « export SIG » de {lecteur_a.email} révoqué.")).to_be_visible()
    expect(
        admin.get_by_role("table", name="Jetons révoqués ou expirés ces 90 derniers jours")
    ).to_contain_text("export SIG")
    assert Client().get("/api/organisations", headers=api).status_code == 401

    lectrice.goto("/comptes/compte/")
    expect(lectrice.get_by_text("Aucun jeton actif.")).to_be_visible()
    expect(
        lectrice.get_by_role("table", name="Jetons révoqués ou expirés ces 90 derniers jours")
    ).to_contain_text(f"par {admin_a.nom_affiche}")
