"""Le parcours d'une commune qui apporte le registre qu'elle tenait dans un tableur : déposer le
classeur, suivre sa lecture, vérifier les colonnes, rattacher les deux valeurs que Balise ne connaît
pas, confirmer ; puis réimporter le tableur modifié : les fiches sont mises à jour, pas doublées."""

import pytest

from balise.registre.models import SystemeIA
from tests import travailleur
from tests.navigateur.conftest import connecter
from tests.test_reprise_registre import REGISTRE, registre_commune

pytestmark = pytest.mark.navigateur


def _deposer_et_lire(page, fichier) -> None:
    page.get_by_label("Votre registre (tableur)").set_input_files(str(fichier))
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_url("**/avancement/")
    page.locator("#avancement-etape", has_text="En attente de traitement").wait_for()
    assert travailleur.executer_travaux() == 1
    page.get_by_role("heading", name="Choisir les colonnes").wait_for()


def test_importer_corriger_confirmer_puis_reimporter(page, org_a, referent_a, tmp_path):
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/")
    page.get_by_role("link", name="Importer un tableur").click()
    _deposer_et_lire(page, REGISTRE)
    assert page.get_by_label("Stade").input_value() == "État d'avancement"
    page.get_by_role("button", name="Continuer vers les valeurs et l'aperçu").click()

    page.get_by_role("heading", name="Valeurs et aperçu", exact=True).wait_for()
    assert "2 lignes en erreur" in page.content()
    assert page.get_by_role("button", name="Confirmer l'import").count() == 0
    page.get_by_label("« Chatbot » (1 ligne)").select_option("generative")
    page.get_by_label("« Cloud Azure » (1 ligne)").select_option("hors_ue")
    page.get_by_role("button", name="Enregistrer les correspondances").click()
    page.get_by_text("Correspondances enregistrées").wait_for()
    assert "en erreur" not in page.content()
    assert SystemeIA.objects.filter(organisation=org_a).count() == 0  # rien avant la confirmation
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url("**/avancement/")
    assert travailleur.executer_travaux() == 1
    page.get_by_role("heading", name="Import terminé").wait_for()
    assert "30 fiches créées, 0 mise à jour, 0 inchangée" in page.content()
    assert SystemeIA.objects.filter(organisation=org_a).count() == 30

    # Le tableur modifié : un nom changé, une ligne ajoutée.
    rangees = registre_commune.lignes()
    rangees[0][1] = "Aide à la rédaction des courriers et des arrêtés"
    rangees.append([*rangees[1][:1], "Réservation des salles", *rangees[1][2:]])
    rangees[-1][0] = "IA-031"
    modifie = tmp_path / "registre-2.xlsx"
    registre_commune.classeur(rangees).save(modifie)
    page.get_by_role("link", name="Importer une nouvelle version du tableur").click()
    _deposer_et_lire(page, modifie)
    page.get_by_role("button", name="Continuer vers les valeurs et l'aperçu").click()
    page.get_by_role("heading", name="Valeurs et aperçu", exact=True).wait_for()
    assert (
        "1 fiche à créer, 1 à mettre à jour et 29 inchangées" in page.content()
    )  # les valeurs choisies la première fois
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url("**/avancement/")
    assert travailleur.executer_travaux() == 1
    page.get_by_role("heading", name="Import terminé").wait_for()
    assert "1 fiche créée, 1 mise à jour, 29 inchangées" in page.content()
    assert SystemeIA.objects.filter(organisation=org_a).count() == 31
    assert SystemeIA.objects.get(identifiant_externe="IA-001").nom.endswith("et des arrêtés")
