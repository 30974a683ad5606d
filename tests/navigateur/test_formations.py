"""Le parcours de la formation dans un vrai navigateur (issue 14) : la DRH enregistre une session ;
la couverture de la population monte, et l'obligation de formation (AI Act, art. 4) du système que
cette population utilise passe de « À faire » à « Faite », preuves à l'appui sur sa page."""

import pytest

from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.formations import services as formations
from balise.formations.models import Population
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_enregistrer_une_session_fait_avancer_la_couverture_et_l_obligation(page, org_a, admin_a, systeme_a):
    regles = en_vigueur()
    cas = next(c for c in regles.cas if "former_agents_ia" in c.obligations)
    conformite.qualifier(systeme_a, regles, cas.reponses, admin_a)
    obligation = ObligationSuivie.objects.get(systeme=systeme_a, code="former_agents_ia")
    assert obligation.statut == "a_faire"
    formations.initialiser_populations(org_a, admin_a)
    referents = Population.objects.get(organisation=org_a, code="referents_ia")
    formations.enregistrer_population(
        org_a,
        {"titre": referents.titre, "palier": "culture_partagee", "cible": 100, "effectif_saisi": 6},
        admin_a,
        referents.pk,
        referents.version,
        systemes=[systeme_a],
    )
    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    connecter(page, drh.email)
    page.goto(f"/o/{org_a.slug}/formations/")
    assert "6 à former" in page.content()
    page.get_by_role("link", name="Enregistrer une session").first.click()
    page.get_by_label("Offre").select_option(label="Jeu sérieux sur l'IA — Interne")
    page.get_by_label("Date de la session").fill("2025-06-12")
    page.get_by_label("Palier").select_option("culture_partagee")
    page.get_by_label("Population (ligne 1)").select_option(label=referents.titre)
    page.get_by_label("Service (ligne 1, facultatif)").fill("Direction du numérique")
    page.get_by_label("Participants (ligne 1)").fill("6")
    page.get_by_role("button", name="Enregistrer la session").click()
    page.get_by_text("la couverture et les obligations de formation sont à jour").wait_for()
    ligne = page.get_by_role("row", name=referents.titre)
    texte = ligne.inner_text().lower()
    assert "100,0 %" in texte and "cible atteinte" in texte
    assert page.locator("svg.balise-graphique-couverture").count() == 1
    obligation.refresh_from_db()
    assert obligation.statut == "faite"
    page.goto(f"/o/{org_a.slug}/obligations/{obligation.pk}/")
    contenu = page.content()
    assert "Preuves de formation" in contenu and "Jeu sérieux sur l" in contenu and "6 / 6" in contenu
