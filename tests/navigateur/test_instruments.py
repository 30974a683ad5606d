"""Parcours des instruments dans un vrai navigateur : girouet à deux évaluateurs, questionnaires
anonymes (lien ouvert, codes de participation imprimés), dossier PDF."""

import io

import pytest
from pypdf import PdfReader

from balise.instruments import services
from balise.instruments.models import DefinitionInstrument
from balise.instruments.services import Saisie
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _ouvrir_evaluation(page, slug: str, systeme_pk: int, instrument: str, moment: str) -> None:
    page.goto(f"/o/{slug}/registre/{systeme_pk}/evaluations/")
    # Un seul choix « moment — instrument » : seuls les moments prévus par chaque instrument y sont.
    page.get_by_label("Instrument et moment du projet").select_option(label=f"{moment} — {instrument}")
    page.get_by_label("Votre profil d'évaluateur").select_option(label="Direction ou encadrement")
    page.get_by_role("button", name="Ouvrir l'évaluation").click()
    page.get_by_text("Évaluation ouverte").wait_for()


def _inviter(page, email: str, profil: str) -> None:
    page.get_by_label("Membre de l'organisation").select_option(label=email)
    page.get_by_label("Profil").select_option(label=profil)
    page.get_by_role("button", name="Inviter", exact=True).click()
    page.get_by_text("est invité à coter").wait_for()


def _coter(page, notes: dict[str, str], commentaire: tuple[str, str] | None = None) -> None:
    page.get_by_role("link", name="Coter", exact=True).click()
    for item, libelle in notes.items():
        # Le DSFR masque le bouton radio derrière son libellé : on clique le libellé, comme une personne.
        page.locator(f"#item-{item}").get_by_text(libelle, exact=True).click()
    if commentaire:
        item, texte = commentaire
        page.locator(f"#item-{item}").get_by_label("Commentaire").fill(texte)
    page.get_by_role("button", name="Enregistrer mes cotations").click()
    page.get_by_text("Vos cotations sont enregistrées").wait_for()


def test_girouet_a_deux_evaluateurs_qui_divergent(nouveau_contexte, org_a, referent_a, systeme_a):
    fabrique.membre(org_a, "lecteur", "agente@exemple.fr")
    pilote = nouveau_contexte().new_page()
    connecter(pilote, referent_a.email)
    _ouvrir_evaluation(
        pilote,
        org_a.slug,
        systeme_a.pk,
        "Girouet — impacts de l'IA sur le travail",
        "Avant la mise en production",
    )
    _inviter(pilote, referent_a.email, "Direction ou encadrement")
    _inviter(pilote, "agente@exemple.fr", "Agent utilisateur")
    adresse = pilote.url

    _coter(
        pilote,
        {
            "autonomie": "4 — Impacts positifs prédominants",
            "savoir_faire": "3 — Impacts positifs majoritaires mais à nuancer",
        },
    )

    agente = nouveau_contexte().new_page()
    connecter(agente, "agente@exemple.fr")
    agente.goto(adresse)
    _coter(
        agente,
        {
            "autonomie": "1 — Prédominance des impacts négatifs",
            "savoir_faire": "1 — Prédominance des impacts négatifs",
        },
        ("savoir_faire", "Je crains de ne plus savoir rédiger seule."),
    )

    pilote.goto(adresse)
    alerte = pilote.locator(".fr-callout", has_text="Désaccords à discuter")
    assert "les profils divergent" in alerte.inner_text()
    assert "Autonomie : notes de 1 à 4" in alerte.inner_text().replace("\n", " ")
    assert pilote.locator("figure svg[role=img]").count() == 1  # le panneau du girouet
    assert "Je crains de ne plus savoir rédiger seule." in pilote.content()

    # Finaliser fige l'évaluation : le bouton « Coter » disparaît.
    pilote.get_by_role("button", name="Finaliser l'évaluation").click()
    pilote.get_by_text("Évaluation finalisée").first.wait_for()
    assert pilote.get_by_role("link", name="Coter", exact=True).count() == 0


def _ouvrir_questionnaire(pilote, slug: str, systeme_pk: int, mode: str | None = None) -> None:
    pilote.goto(f"/o/{slug}/registre/{systeme_pk}/evaluations/")
    formulaire = pilote.locator("form", has_text="Interroger les agents")
    formulaire.get_by_label("Moment du projet").select_option(label="Bilan")
    if mode:
        formulaire.get_by_text(mode).click()
    formulaire.get_by_role("button", name="Ouvrir le questionnaire").click()
    pilote.get_by_text("Questionnaire ouvert.").wait_for()


def test_questionnaire_en_lien_ouvert_aux_agents(nouveau_contexte, org_a, referent_a, systeme_a):
    pilote = nouveau_contexte().new_page()
    connecter(pilote, referent_a.email)
    _ouvrir_questionnaire(pilote, org_a.slug, systeme_a.pk, "Par un lien ouvert")
    assert "Lien ouvert : une même personne peut répondre plusieurs fois" in pilote.content()
    lien = pilote.get_by_label("Lien du questionnaire").input_value()

    for gain in ["4 — ", "3 — ", "3 — ", "2 — ", "4 — "]:
        agent = nouveau_contexte().new_page()  # aucun compte, aucune connexion
        agent.goto(lien)
        assert "Vos réponses sont anonymes" in agent.content()
        agent.locator("#item-gain_temps label", has_text=gain).click()
        agent.locator("#item-usages").get_by_text("Résumé", exact=True).click()
        agent.get_by_role("button", name="Envoyer mes réponses").click()
        agent.get_by_role("heading", name="Merci, vos réponses sont enregistrées").wait_for()

    pilote.reload()
    assert "5 réponses" in pilote.content()
    tableau = pilote.locator("table", has_text="Gain de temps")
    assert "3,2" in tableau.inner_text()  # (4 + 3 + 3 + 2 + 4) / 5

    pilote.get_by_role("button", name="Clore le questionnaire").click()
    # Action sans retour : la fenêtre de confirmation la demande (balise/static/balise/actions.js).
    pilote.locator("#confirmation").get_by_role("button", name="Clore le questionnaire").click()
    pilote.get_by_text("Questionnaire clos").first.wait_for()
    fermee = nouveau_contexte().new_page()
    assert fermee.goto(lien).status == 410


def test_codes_de_participation_de_la_feuille_a_la_reponse(nouveau_contexte, org_a, referent_a, systeme_a):
    """Le pilote génère et imprime les codes d'un groupe ; un agent répond avec le sien, qui ne sert
    plus ensuite ; le pilote voit un code utilisé, et rien qui dise lequel."""
    pilote = nouveau_contexte().new_page()
    connecter(pilote, referent_a.email)
    _ouvrir_questionnaire(pilote, org_a.slug, systeme_a.pk)  # codes : le choix par défaut
    adresse_du_questionnaire = pilote.url
    pilote.get_by_label("Groupe d'agents").fill("Service des eaux")
    pilote.get_by_label("Nombre de codes").fill("6")
    pilote.get_by_role("button", name="Générer et imprimer les codes").click()
    pilote.get_by_role("heading", name="Codes de participation : Service des eaux").wait_for()
    codes = pilote.locator(".balise-code-participation").all_inner_texts()
    assert len(codes) == 6 and len(set(codes)) == 6

    # Imprimer : le bouton ouvre l'impression ; à l'impression, seuls les coupons restent.
    pilote.evaluate("window.print = () => { window.imprimee = true; }")
    pilote.get_by_role("button", name="Imprimer la feuille").click()
    assert pilote.evaluate("window.imprimee") is True
    pilote.emulate_media(media="print")
    assert not pilote.locator("header.fr-header").is_visible()
    assert not pilote.get_by_role("button", name="Imprimer la feuille").is_visible()
    assert pilote.locator(".balise-coupon").nth(5).is_visible()
    assert pilote.locator(".balise-coupon img").first.evaluate("i => i.complete && i.naturalWidth > 0")
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pilote.pdf())).pages)
    assert all(code in texte for code in codes)
    pilote.emulate_media(media="screen")

    # L'agent : l'adresse courte de la feuille, son code tapé en minuscules, ses réponses.
    agent = nouveau_contexte().new_page()
    agent.goto("/participer/")
    agent.get_by_label("Votre code de participation").fill(codes[0].lower().replace("-", " "))
    agent.get_by_role("button", name="Commencer").click()
    agent.locator("#item-gain_temps label", has_text="3 — ").click()
    agent.get_by_role("button", name="Envoyer mes réponses").click()
    agent.get_by_role("heading", name="Merci, vos réponses sont enregistrées").wait_for()

    # Le même code, une seconde fois : refusé.
    autre = nouveau_contexte().new_page()
    pilote.goto(adresse_du_questionnaire)
    autre.goto(pilote.get_by_label("Lien du questionnaire").input_value())
    autre.get_by_label("Votre code de participation").fill(codes[0])
    autre.get_by_role("button", name="Commencer").click()
    autre.get_by_text("Ce code n'est pas valable").wait_for()

    ligne = pilote.locator("tr", has_text="Service des eaux")
    assert [c.strip() for c in ligne.locator("td").all_inner_texts()[:4]] == ["6", "1", "0", "5"]
    assert "1 réponse" in pilote.content()
    assert not [c for c in codes if c in pilote.content()]


def test_dossier_pdf_telecharge(page, org_a, referent_a, systeme_a):
    radar = DefinitionInstrument.objects.get(organisation=None, code="radar-decision")
    evaluation = services.demarrer_evaluation(systeme_a, radar, "amont", referent_a)
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"vie_privee": Saisie(2, commentaire="AIPD à mener avec le DPO.")})
    services.finaliser(evaluation, referent_a)

    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Dossier PDF").click()
    contenu = telechargement.value.path().read_bytes()
    texte = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages).split())
    for attendu in (
        "Détection des fuites",
        "Fiche du registre",
        "Radar de décision",
        "AIPD à mener avec le DPO.",
    ):
        assert attendu in texte


def test_adapter_un_instrument_par_le_formulaire(page, org_a, referent_a):
    """Changer un libellé et un poids, retirer un item, voir l'aperçu (et une erreur), enregistrer."""
    girouet = DefinitionInstrument.objects.get(organisation=None, code="girouet")
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/instruments/{girouet.pk}/")
    page.get_by_role("link", name="Adapter pour mon organisation").click()
    autonomie = page.locator("fieldset", has_text="Item « Autonomie »")
    autonomie.get_by_label("Libellé").fill("Autonomie des agents")
    page.locator("fieldset", has_text="Item « Savoir-faire »").get_by_label("Poids").fill("2")
    # Le DSFR masque la case derrière son libellé : on clique le libellé, comme une personne.
    page.locator("fieldset", has_text="Item « Sens du travail »").get_by_text("Retirer cet item").click()
    autonomie.get_by_label("Poids").fill("500")
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.get_by_text("item « Autonomie des agents » (poids) : valeur trop grande").wait_for()
    page.locator("fieldset", has_text="Item « Autonomie »").get_by_label("Poids").fill("1")
    page.get_by_role("button", name="Voir l'aperçu").click()
    apercu = page.locator("#apercu")
    apercu.get_by_text("Autonomie des agents").wait_for()
    assert apercu.get_by_text("poids 2").count() == 1
    assert apercu.get_by_text("Sens du travail").count() == 0
    assert DefinitionInstrument.objects.filter(organisation=org_a).count() == 0  # rien avant d'enregistrer
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    page.get_by_text("Version 2 enregistrée pour votre organisation").wait_for()
    adaptee = DefinitionInstrument.objects.get(organisation=org_a)
    items = {i.id: i for i in adaptee.definition.items}
    assert items["autonomie"].libelle == "Autonomie des agents" and items["savoir_faire"].poids == 2
    assert "sens_du_travail" not in items and adaptee.cree_par == referent_a
