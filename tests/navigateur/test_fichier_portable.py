"""Le parcours d'un système qui change d'organisation : la commune A l'exporte depuis sa fiche (bouton
« Exporter (fichier portable) »), la commune B dépose le fichier et retrouve la fiche, qualifiée sous
les mêmes règles, avec ses obligations."""

import pytest

from balise.conformite import moteur
from balise.conformite import services as conformite
from balise.conformite.regles import en_vigueur
from balise.registre.models import SystemeIA
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur


def test_exporter_depuis_a_importer_dans_b(nouveau_contexte, org_a, referent_a, systeme_a, admin_b, tmp_path):
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(moteur.qualifier(regles, c.reponses).obligations))
    conformite.qualifier(systeme_a, regles, cas.reponses, referent_a)

    page_a = nouveau_contexte().new_page()
    connecter(page_a, referent_a.email)
    page_a.goto(f"/o/{org_a.slug}/registre/{systeme_a.pk}/")
    with page_a.expect_download() as telechargement:
        page_a.get_by_role("link", name="Exporter (fichier portable)").click()
    assert telechargement.value.suggested_filename.startswith("systeme-detection-des-fuites-")
    fichier = tmp_path / telechargement.value.suggested_filename
    telechargement.value.save_as(fichier)

    page_b = nouveau_contexte().new_page()
    connecter(page_b, admin_b.email)
    page_b.goto("/o/commune-b/registre/")
    page_b.get_by_role("link", name="Importer un fichier portable").click()
    page_b.get_by_label("Fichier portable (JSON)").set_input_files(str(fichier))
    page_b.get_by_label("Responsable du système dans votre organisation").fill("Mme Roux, DGS")
    page_b.get_by_role("button", name="Importer").click()
    page_b.get_by_text("« Détection des fuites » est inscrit au registre et qualifié").wait_for()
    importe = SystemeIA.objects.get(organisation__slug="commune-b")
    assert importe.responsable == "Mme Roux, DGS"
    assert set(importe.obligations.values_list("code", flat=True)) == set(
        systeme_a.obligations.values_list("code", flat=True)
    )
