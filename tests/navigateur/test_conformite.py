"""Qualification réglementaire complète dans un vrai navigateur, puis suivi d'une obligation."""

import pytest

from balise.conformite.regles import en_vigueur
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _libelle(question, valeur: str) -> str:
    if question.type == "oui_non":
        return {"oui": "Oui", "non": "Non"}[valeur]
    return next(c.libelle for c in question.choix if c.valeur == valeur)


def test_qualifier_un_systeme_puis_suivre_une_obligation(page, org_a, referent_a, systeme_a):
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    page.get_by_role("link", name="Qualification réglementaire").click()
    page.get_by_role("link", name="Qualifier ce système").click()

    for _ in range(
        len(regles.questions)
    ):  # autant de tours qu'il faut : les questions apparaissent au fil des réponses
        for question in regles.questions:
            bloc = page.locator(f"#question-{question.id}")
            if not bloc.count() or question.id not in cas.reponses:
                continue
            reponse = cas.reponses[question.id]
            for valeur in reponse if isinstance(reponse, list) else [reponse]:
                if not bloc.locator(f"input[value='{valeur}']").is_checked():
                    bloc.get_by_text(_libelle(question, valeur), exact=True).click()
        page.get_by_role("button", name="Continuer ou enregistrer").click()
        if "/questionnaire/" not in page.url:
            break
    page.get_by_text("Qualification enregistrée").wait_for()

    for conclusion in cas.conclusions:
        assert regles.par_conclusion[conclusion].libelle in page.content()
    assert "Parce que" in page.content()

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Obligations").click()
    premiere = page.locator("table a").nth(1)  # colonne « Obligation » de la première ligne
    titre = premiere.inner_text()
    premiere.click()
    page.get_by_label("Statut").select_option(label="Faite")
    page.get_by_label("Lien de preuve").fill("https://exemple.fr/registre-rgpd")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Obligation mise à jour").wait_for()
    ligne = page.locator("tr", has_text=titre)
    assert "faite" in ligne.inner_text().lower()
