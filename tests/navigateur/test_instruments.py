"""Parcours des instruments dans un vrai navigateur : girouet à deux évaluateurs, questionnaire anonyme, dossier PDF."""

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
    page.get_by_label("Instrument").select_option(label=instrument)
    page.get_by_label("Moment du projet").first.select_option(label=moment)
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
        "Girouet — impacts de l'IA sur le travail (v1)",
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


def test_questionnaire_anonyme_aux_agents(nouveau_contexte, org_a, referent_a, systeme_a):
    pilote = nouveau_contexte().new_page()
    connecter(pilote, referent_a.email)
    pilote.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/evaluations/")
    formulaire = pilote.locator("form", has_text="Interroger les agents")
    formulaire.get_by_label("Moment du projet").select_option(label="Bilan")
    formulaire.get_by_role("button", name="Ouvrir le questionnaire").click()
    pilote.get_by_text("transmettez le lien aux agents").wait_for()
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
    pilote.get_by_text("Questionnaire clos").first.wait_for()
    fermee = nouveau_contexte().new_page()
    assert fermee.goto(lien).status == 410


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
