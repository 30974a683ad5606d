"""Le parcours de la DRH dans un vrai navigateur : déposer le tableau des effectifs, choisir les colonnes,
revoir les libellés, lire les résultats protégés, suivre un groupe exposé et y inscrire une action."""

import pytest

from balise.metiers.models import ImportEffectifs, LibelleImporte
from tests import fabrique
from tests.navigateur.conftest import connecter
from tests.test_effectifs import DESORDONNE

pytestmark = pytest.mark.navigateur


def test_importer_revoir_lire_et_agir(page, org_a, systeme_a):
    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    connecter(page, drh.email)
    page.goto(f"/o/{org_a.slug}/")
    page.get_by_role("link", name="Métiers", exact=True).click()
    page.get_by_role("link", name="Importer un tableau des effectifs").click()
    page.get_by_label("Tableau des effectifs").set_input_files(str(DESORDONNE))
    page.get_by_role("button", name="Déposer").click()

    # Les colonnes sont proposées d'après leurs en-têtes ; les identifiantes sont écartées.
    page.get_by_role("heading", name="Choisir les colonnes").wait_for()
    assert page.get_by_label("Métier (intitulé du poste)").input_value() == "Intitulé du poste"
    assert "« Matricule »" in page.content()
    page.get_by_role("button", name="Importer").click()

    page.get_by_role("heading", name="Revoir les libellés de métiers").wait_for()
    assert "Le fichier déposé a été effacé" in page.content()
    imp = ImportEffectifs.objects.get()
    a_revoir = list(imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR))
    premier, *autres = a_revoir
    page.get_by_label(f"« {premier.libelle} »", exact=False).select_option("Jardinier-ère")
    for lib in autres:
        page.get_by_label(f"« {lib.libelle} »", exact=False).select_option("__ecarter__")
    page.get_by_role("button", name="Enregistrer les choix").click()

    page.get_by_role("heading", name="Exposition des agents à l'IA générative").wait_for()
    contenu = page.content()
    assert "Un majorant, pas une prévision" in contenu and "secret" in contenu
    page.get_by_role("link", name="Sexe", exact=True).click()
    page.wait_for_url("**par=sexe**")
    assert page.locator("svg.balise-graphique-exposition").count() == 1
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Exporter (XLSX)").click()
    assert telechargement.value.suggested_filename.endswith(".xlsx")

    page.get_by_label("Niveau d'exposition").select_option("Très concernés")
    page.get_by_label("Parmi").select_option(label="Femmes")
    page.get_by_role("button", name="Suivre ce groupe").click()
    page.get_by_role("heading", name="Très concernés — Sexe : Femmes").wait_for()
    page.get_by_label(systeme_a.nom).check()
    page.get_by_role("button", name="Enregistrer les systèmes et la note").click()
    page.get_by_text("Groupe enregistré").wait_for()
    page.get_by_role("link", name="Inscrire une action").click()
    page.get_by_label("Nature").select_option(label="Formation")
    page.get_by_label("Intitulé").fill("Former les agentes de l'accueil")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Action enregistrée").wait_for()
    assert "Former les agentes de l" in page.content() and systeme_a.nom in page.content()
    premier.refresh_from_db()
    assert premier.metier == "Jardinier-ère"
