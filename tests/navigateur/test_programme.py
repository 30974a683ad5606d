"""Le programme de bout en bout, par les pages et les vrais formulaires (issue 14, point 5) : la
référente fait avancer les étapes, ajoute à la feuille de route une action en retard dont une collègue
est responsable, qui la retrouve dans « À traiter » ; elle enregistre un café IA, une note de veille
(une source javascript: est refusée) ; un lecteur lit tout et n'a aucun formulaire."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from balise.programme.models import Action, EtatEtape, NoteVeille, Sensibilisation
from tests import fabrique
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_parcours_du_programme(page: Page, nouveau_contexte, org_a, referent_a, lecteur_a):
    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/registre/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme IA")

    # Étape 4 : en cours.
    page.get_by_role("link", name="4. Expérimenter").click()
    page.get_by_label("État").select_option("en_cours")
    page.get_by_label("Commentaire (facultatif)").fill("Pilote des comptes rendus des conseils.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Étape « Expérimenter » enregistrée.")).to_be_visible()
    assert EtatEtape.objects.get(organisation=org_a, etape="experimentation").etat == "en_cours"

    # Une action en retard, dont la DRH est responsable.
    page.get_by_role("link", name="Ajouter une action").click()
    page.get_by_label("Intitulé").fill("Former les encadrants au socle commun")
    page.get_by_label("Étape du programme").select_option("acculturation")
    page.get_by_label("Priorité").select_option("haute")
    page.get_by_label("Budget (€, facultatif)").fill("8000")
    page.get_by_label("Échéance (facultative)").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    page.get_by_label("Responsable (facultatif)").select_option(label=drh.nom_affiche)
    page.get_by_label("Parties prenantes (facultatif)").fill("DRH, CNFPT")
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.get_by_text("ajoutée à la feuille de route")).to_be_visible()
    page.locator('label[for="filtre-retard"]').click()  # case DSFR : son libellé la recouvre
    page.get_by_role("button", name="Filtrer", exact=True).click()
    ligne = page.get_by_role("row").filter(has_text="Former les encadrants au socle commun")
    expect(ligne.get_by_text("En retard")).to_be_visible()
    assert Action.objects.get().responsable == drh

    # Un café IA, avec la mesure de l'appropriation.
    page.get_by_role("link", name="Enregistrer une action de sensibilisation").click()
    page.get_by_label("Format").select_option("cafe_ia")
    page.get_by_label("Intitulé").fill("Café IA de rentrée")
    page.locator("#id_date").fill(timezone.localdate().isoformat())
    page.get_by_label("Mesure de l'appropriation (facultative)").select_option("taux")
    page.get_by_label("Avant (facultatif)").fill("30")
    page.get_by_label("Après (facultatif)").fill("55")
    page.get_by_label("Participants : agents").fill("24")
    page.get_by_label("Participants : élus").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("row").filter(has_text="Café IA de rentrée")).to_contain_text("26")
    assert Sensibilisation.objects.get().participants.count() == 2

    # Une note de veille : javascript: refusé, https accepté.
    page.get_by_role("link", name="Ajouter une note de veille").click()
    page.get_by_label("Titre").fill("CNIL : recommandations sur l'IA")
    page.get_by_label("Résumé").fill("Des fiches pratiques pour les analyses d'impact.")
    page.get_by_label("Source (adresse web)").fill("javascript:alert(document.cookie)")
    page.get_by_label("Étiquettes (facultatif)").fill("CNIL, RGPD")
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_text("commençant par http:// ou https://")).to_be_visible()
    assert not NoteVeille.objects.exists()
    page.get_by_label("Source (adresse web)").fill("https://www.cnil.fr/fr/intelligence-artificielle")
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_role("heading", name="CNIL : recommandations sur l'IA")).to_be_visible()

    # La DRH trouve l'action dans « À traiter ».
    autre = nouveau_contexte().new_page()
    connecter(autre, drh.email)
    autre.goto(f"/o/{org_a.slug}/a-traiter/")
    expect(autre.get_by_role("link", name="Former les encadrants au socle commun")).to_be_visible()

    # Le lecteur lit tout, sans formulaire.
    lecteur = nouveau_contexte().new_page()
    connecter(lecteur, lecteur_a.email)
    lecteur.goto(f"/o/{org_a.slug}/programme/")
    expect(lecteur.get_by_text("Café IA de rentrée")).to_be_visible()
    expect(
        lecteur.get_by_role("link", name="https://www.cnil.fr/fr/intelligence-artificielle")
    ).to_be_visible()
    expect(lecteur.get_by_role("link", name="Ajouter une action")).to_have_count(0)
