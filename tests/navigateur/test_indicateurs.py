"""Les indicateurs dans un vrai navigateur (issue 14, point 4) : le référent crée un indicateur depuis
le modèle de départ (AFNOR Spec 2314, graine 001), saisit la mesure du mois passé, qui manque la cible ;
l'indicateur l'attend alors dans « À traiter » avec sa dernière valeur, et la fiche la montre en rouge
sur le graphique. Une saisie illisible est refusée en français sans rien enregistrer."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from balise.indicateurs import echeances
from balise.indicateurs.models import Indicateur, Mesure
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_une_mesure_hors_cible_attend_son_responsable(page: Page, org_a, referent_a):
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/indicateurs/")
    page.get_by_role("link", name="Créer un indicateur").click()
    page.get_by_label("Indicateur du modèle").select_option("delais_traitement")
    page.get_by_label("Responsable").first.select_option(label=referent_a.nom_affiche)
    page.get_by_role("button", name="Créer depuis le modèle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temps moyen par dossier")
    indicateur = Indicateur.objects.get(organisation=org_a)
    assert indicateur.modele == "delais_traitement" and indicateur.responsable == referent_a

    mois_passe = echeances.decaler(timezone.localdate(), "mensuelle", -1)
    page.get_by_label("Période").fill(mois_passe.isoformat())
    page.get_by_label("Valeur (jours)").fill("douze")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text("Saisissez un nombre (par exemple 12,5).")).to_be_visible()
    assert not Mesure.objects.exists()

    page.get_by_label("Période").fill(mois_passe.isoformat())
    page.get_by_label("Valeur (jours)").fill("14,5")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text("elle manque la cible")).to_be_visible()
    ligne = page.get_by_role("row").filter(has_text=mois_passe.strftime("%m/%Y"))
    expect(ligne).to_contain_text("14,5")
    expect(ligne).to_contain_text("non")
    assert Mesure.objects.get().valeur == 14.5

    page.goto(f"/o/{org_a.slug}/a-traiter/")
    section = page.locator("li").filter(has_text="Temps moyen par dossier")
    expect(section).to_contain_text("hors cible")
    expect(section).to_contain_text("14,5")
    section.get_by_role("link", name="Temps moyen par dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temps moyen par dossier")
