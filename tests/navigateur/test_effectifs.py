"""Le parcours de la DRH dans un vrai navigateur : déposer le tableau des effectifs, suivre sa lecture
puis son traitement par le processus de fond (page d'avancement, avec et sans JavaScript), choisir les
colonnes, revoir les libellés, lire les résultats protégés, suivre un groupe exposé et y inscrire une
action."""

import pytest
from django.db.models import F

from balise.metiers import services as metiers
from balise.metiers.models import ImportEffectifs, LibelleImporte
from balise.travaux import services as travaux
from balise.travaux.models import Travail
from tests import fabrique, travailleur
from tests.navigateur.conftest import DELAI_MS, connecter
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
    # La page d'avancement de la lecture ; quand le processus de fond a fini, elle mène d'elle-même
    # (avancement.js) au choix des colonnes, sans qu'on touche à rien. La boucle du processus de fond
    # tourne ici dans le fil du test, qui partage la base en mémoire du serveur de test (un processus
    # séparé ne la verrait pas : le vrai processus est lancé dans tests/test_travaux.py).
    page.wait_for_url("**/avancement/")
    page.locator("#avancement-etape", has_text="En attente de traitement").wait_for()
    assert travailleur.executer_travaux() == 1
    # Les colonnes sont proposées d'après leurs en-têtes ; les identifiantes sont écartées.
    page.get_by_role("heading", name="Choisir les colonnes").wait_for()
    assert page.get_by_label("Métier (intitulé du poste)").input_value() == "Intitulé du poste"
    assert "« Matricule »" in page.content()
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url("**/avancement/")
    assert "Étape 4 sur 5" in page.content()
    assert travailleur.executer_travaux() == 1
    page.get_by_role("heading", name="Revoir les libellés de métiers").wait_for()
    assert "Le fichier déposé a été effacé" in page.content()
    imp = ImportEffectifs.objects.get()
    assert imp.travail.etat == Travail.Etat.TERMINE and imp.contenu is None
    # Les actions groupées : accepter d'un coup les propositions sûres à 80 % au moins, puis un métier
    # cherché dans la liste de la page pour le premier libellé restant, et tous les autres écartés.
    sures = imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR, confiance__gte=80).count()
    assert sures
    page.get_by_label("Confiance minimale (en %)").fill("80")
    page.get_by_role("button", name="Accepter les propositions").click()
    page.get_by_text(f"{sures} choix enregistrés").wait_for()
    a_revoir = list(
        imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR, cle_groupe__in=["", F("normalise")])
    )
    premier, *autres = a_revoir
    champ = page.get_by_label(f"Métier pour « {premier.libelle} »")
    assert champ.get_attribute("list") == "metiers-du-referentiel"
    champ.fill("Jardinier-ère")
    for lib in autres:
        # La case du DSFR est dessinée par son étiquette : on clique l'étiquette, comme une personne.
        page.locator("label", has_text=f"Écarter « {lib.libelle} »").click()
        assert page.get_by_label(f"Écarter « {lib.libelle} »", exact=False).is_checked()
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


def test_la_page_d_avancement_se_met_a_jour_sans_recharger(page, org_a):
    """L'étape et la barre suivent le travail sans rechargement (la page garde une marque posée dans
    son document) ; un échec fait recharger la page, qui l'explique."""
    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    imp = metiers.deposer(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    connecter(page, drh.email)
    page.goto(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/avancement/")
    assert page.locator("#avancement-etape").inner_text() == "En attente de traitement"
    page.evaluate("window.baliseMarque = 'même document'")
    # Ce que fait le processus de fond : il prend le travail et publie son avancement.
    travail = travaux._demarrer(imp.travail_id)
    travaux.avancer(travail, "Lecture des lignes", 42)
    page.locator("#avancement-etape", has_text="Lecture des lignes").wait_for()
    page.wait_for_function("document.getElementById('avancement-barre').value === 42")
    assert page.locator("#avancement-pourcentage").inner_text() == "42 %"
    assert page.evaluate("window.baliseMarque") == "même document"
    assert page.locator("#avancement-annonce").get_attribute("aria-live") == "polite"
    travaux.echouer(travail, "Le fichier dépasse 10 lignes.")
    page.get_by_role("heading", name="Lecture interrompue").wait_for()
    assert "Le fichier dépasse 10 lignes." in page.content()
    assert page.evaluate("window.baliseMarque") is None  # rechargée


@pytest.fixture
def page_sans_javascript(navigateur, live_server):
    contexte = navigateur.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    contexte.set_default_timeout(DELAI_MS)
    yield contexte.new_page()
    contexte.close()


def test_sans_javascript_annuler_relancer_et_actualiser(page_sans_javascript, org_a):
    page = page_sans_javascript
    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    connecter(page, drh.email)
    page.goto(f"/o/{org_a.slug}/metiers/imports/nouveau/")
    page.get_by_label("Tableau des effectifs").set_input_files(str(DESORDONNE))
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_url("**/avancement/")
    assert page.locator("#avancement-etape").inner_text() == "En attente de traitement"
    # Annuler pendant l'attente, puis relancer.
    page.get_by_role("button", name="Annuler la lecture").click()
    page.get_by_role("heading", name="Lecture annulée").wait_for()
    assert f"Annulé par {drh.nom_affiche}" in page.content()
    page.get_by_role("button", name="Relancer la lecture").click()
    page.locator("#avancement-etape", has_text="En attente de traitement").wait_for()
    # Le processus de fond lit le fichier ; « Actualiser » mène au choix des colonnes.
    assert travailleur.executer_travaux() == 2  # la tâche annulée (sans effet), puis la relance
    page.get_by_role("link", name="Actualiser").click()
    page.get_by_role("heading", name="Choisir les colonnes").wait_for()
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url("**/avancement/")
    travailleur.executer_travaux()
    page.get_by_role("link", name="Actualiser").click()
    page.get_by_role("heading", name="Revoir les libellés de métiers").wait_for()
    assert "Le fichier déposé a été effacé" in page.content()
