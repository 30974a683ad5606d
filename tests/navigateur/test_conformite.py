"""Qualification réglementaire complète dans un vrai navigateur, puis suivi d'une obligation."""

from datetime import date

import pytest

from balise.conformite import services
from balise.conformite.regles import en_vigueur, version
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def _libelle(question, valeur: str) -> str:
    if question.type == "oui_non":
        return {"oui": "Oui", "non": "Non"}[valeur]
    return next(c.libelle for c in question.choix if c.valeur == valeur)


def repondre(page, regles, reponses) -> None:
    """Répond au questionnaire comme une personne : les questions apparaissent au fil des réponses."""
    for _ in range(len(regles.questions)):
        for question in regles.questions:
            bloc = page.locator(f"#question-{question.id}")
            if not bloc.count() or question.id not in reponses:
                continue
            reponse = reponses[question.id]
            if question.type == "date":
                bloc.locator("input[type=date]").fill(reponse)
                continue
            for valeur in reponse if isinstance(reponse, list) else [reponse]:
                if not bloc.locator(f"input[value='{valeur}']").is_checked():
                    bloc.get_by_text(_libelle(question, valeur), exact=True).click()
        page.get_by_role("button", name="Continuer ou enregistrer").click()
        if "/questionnaire/" not in page.url:
            return


def test_qualifier_un_systeme_puis_suivre_une_obligation(page, org_a, referent_a, systeme_a):
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    page.get_by_role("link", name="Qualification réglementaire").click()
    page.get_by_role("link", name="Qualifier ce système").click()
    repondre(page, regles, cas.reponses)
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


def _qualifier(page, org, systeme, regles, cas) -> None:
    page.goto(f"/o/{org.slug}/registre/{systeme.pk}/qualification/questionnaire/")
    repondre(page, regles, cas.reponses)
    page.get_by_text("Qualification enregistrée").wait_for()


def test_la_transition_de_2030_et_la_position_de_la_collectivite_en_tete(page, org_a, referent_a, systeme_a):
    """Un système à haut risque déjà en service avant la date pivot : ses obligations sont dues le
    2 août 2030, et le résultat commence par ce qui vaut pour la collectivité."""
    regles = en_vigueur()
    cas = next(
        c
        for c in regles.cas
        if "date_mise_en_service" in c.reponses and date(2030, 8, 2) in c.echeances.values()
    )
    connecter(page, referent_a.email)
    _qualifier(page, org_a, systeme_a, regles, cas)
    position = page.locator("#position")
    assert position.inner_text().startswith("Pour la collectivité, déployeur du système : haut risque")
    assert "2 août 2030" in page.locator("section", has=position).inner_text()


def test_une_pratique_interdite_trouvee_par_recoupement(page, org_a, referent_a, systeme_a):
    """Rien n'est coché parmi les pratiques interdites : les réponses suffisent à la constituer."""
    regles = en_vigueur()
    cas = next(
        c
        for c in regles.cas
        if c.reponses.get("pratique_interdite") == ["aucune"]
        and "pratique_interdite_retenue" in c.conclusions
    )
    connecter(page, referent_a.email)
    _qualifier(page, org_a, systeme_a, regles, cas)
    assert "pratique interdite" in page.locator("#position").inner_text()
    interdites = [regles.par_conclusion[c] for c in cas.conclusions if c.startswith("interdit_")]
    for conclusion in interdites:
        assert conclusion.libelle in page.content()


def test_requalifier_avec_les_nouvelles_regles(page, org_a, referent_a, systeme_a):
    v1, regles = version(1), en_vigueur()
    cas = next(c for c in v1.cas if c.obligations)
    services.qualifier(systeme_a, v1, cas.reponses, referent_a)
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/")
    page.get_by_text(f"Nouvelles règles de qualification (v{regles.version}").wait_for()
    page.get_by_role("link", name=f"Requalifier avec les règles v{regles.version}").click()
    repondre(page, regles, next(c for c in regles.cas if c.nom == cas.nom).reponses)
    page.get_by_text("Qualification enregistrée").wait_for()
    assert "Nouvelles règles de qualification" not in page.content()
    assert f"avec les règles v{regles.version}" in page.content()
