"""Parcours des règles d'usage dans un vrai navigateur : le référent compose les règles à partir du jeu
de départ, ajoute une règle propre, publie, télécharge la version imprimable (une page) ; un lecteur
en prend connaissance ; la DRH enregistre l'information d'un service et voit le taux."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from balise.regles_usage.models import InformationService, PriseDeConnaissance, VersionRegles
from tests import fabrique

from .conftest import connecter

pytestmark = pytest.mark.navigateur


def test_composer_publier_telecharger_et_prendre_connaissance(nouveau_contexte, org_a, referent_a, lecteur_a):
    page = nouveau_contexte().new_page()
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/regles-usage/")
    page.get_by_role("button", name="Composer les règles à partir du jeu de départ").click()
    page.get_by_role("heading", name="Règles (").wait_for()
    page.get_by_label("Texte", exact=True).last.fill(
        "Rangez vos requêtes utiles dans le carnet partagé du service."
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon enregistré.").wait_for()
    page.get_by_role("button", name="Publier ces règles").click()
    page.get_by_text("sont publiées").wait_for()
    v = VersionRegles.objects.get()
    assert v.statut == "publiee" and v.regles[-1]["origine"] == "propre"

    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger la version imprimable (PDF, une page)").click()
    telechargement = attente.value
    assert telechargement.suggested_filename.startswith(f"Règles d'usage de l'IA - {org_a.nom} - ")
    with open(telechargement.path(), "rb") as f:
        assert len(PdfReader(io.BytesIO(f.read())).pages) == 1

    lecteur = nouveau_contexte().new_page()
    connecter(lecteur, lecteur_a.email)
    lecteur.goto(f"/o/{org_a.slug}/regles-usage/")
    assert lecteur.get_by_role("button", name="Composer les règles").count() == 0
    lecteur.get_by_role("button", name="J'ai pris connaissance de ces règles").click()
    lecteur.get_by_text("votre prise de connaissance est enregistrée").wait_for()
    assert PriseDeConnaissance.objects.filter(personne=lecteur_a, version_regles=v).exists()
    lecteur.get_by_text("Vous avez pris connaissance de cette version des règles.").wait_for()

    drh = fabrique.membre(org_a, "rh", "drh@exemple.fr")
    rh = nouveau_contexte().new_page()
    connecter(rh, drh.email)
    rh.goto(f"/o/{org_a.slug}/regles-usage/information/")
    rh.get_by_role("textbox", name="Service").fill("Accueil")
    rh.get_by_label("Agents informés").fill("6")
    rh.get_by_label("Effectif du service").fill("8")
    rh.get_by_label("Date").fill(timezone.localdate().isoformat())
    rh.get_by_label("Moyen").select_option("affichage")
    rh.get_by_role("button", name="Enregistrer").click()
    rh.get_by_text("Information enregistrée").wait_for()
    assert InformationService.objects.get().effectif_informe == 6
    rh.get_by_role("cell", name="75 %").wait_for()
