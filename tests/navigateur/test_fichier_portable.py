"""Le parcours d'un système qui change d'organisation : la commune A l'exporte depuis sa fiche (bouton
« Exporter (fichier portable) »), la commune B dépose le fichier et retrouve la fiche, qualifiée sous
les mêmes règles, avec ses obligations et son évaluation finalisée, marquée importée, aux mêmes
résultats ; un fichier dont un résultat a été retouché est refusé. Pages vérifiées par axe-core."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from balise.conformite import moteur
from balise.conformite import services as conformite
from balise.conformite.regles import en_vigueur
from balise.instruments import selectors
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument, Evaluation
from balise.instruments.services import Saisie
from balise.registre.models import SystemeIA
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur

_axe = Axe()


def _accessible(page: Page) -> None:
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{page.url}\n{resultats.generate_report()}"


def _deposer(page: Page, fichier) -> None:
    page.goto("/o/commune-b/registre/importer-portable/")
    page.get_by_label("Fichier portable (JSON)").set_input_files(str(fichier))
    page.get_by_label("Responsable du système dans votre organisation").fill("Mme Roux, DGS")
    page.get_by_role("button", name="Importer").click()


def test_exporter_depuis_a_importer_dans_b(
    nouveau_contexte, org_a, referent_a, admin_a, systeme_a, admin_b, tmp_path
):
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(moteur.qualifier(regles, c.reponses).obligations))
    conformite.qualifier(systeme_a, regles, cas.reponses, referent_a)
    girouet = DefinitionInstrument.objects.get(organisation=None, code="girouet")
    evaluation = instruments.demarrer_evaluation(systeme_a, girouet, "amont", referent_a, "direction")
    instruments.inviter_evaluateur(evaluation, admin_a, "agent", referent_a)
    instruments.coter(evaluation, referent_a, {"autonomie": Saisie(4), "savoir_faire": Saisie(3)})
    instruments.coter(evaluation, admin_a, {"autonomie": Saisie(1), "reconnaissance": Saisie(2)})
    instruments.finaliser(evaluation, referent_a)

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

    # Un résultat retouché dans le fichier : refusé en entier, en disant lequel.
    retouche = json.loads(fichier.read_text(encoding="utf-8"))
    retouche["evaluations"][0]["sections"][0]["score"] = 3.9
    falsifie = tmp_path / "falsifie.json"
    falsifie.write_text(json.dumps(retouche), encoding="utf-8")
    _deposer(page_b, falsifie)
    page_b.get_by_text("Le fichier a pu être modifié après son export ; rien n'a été importé.").wait_for()
    assert not SystemeIA.objects.filter(organisation__slug="commune-b").exists()
    _accessible(page_b)

    page_b.goto("/o/commune-b/registre/")
    page_b.get_by_role("link", name="Importer un fichier portable").click()
    page_b.get_by_label("Fichier portable (JSON)").set_input_files(str(fichier))
    page_b.get_by_label("Responsable du système dans votre organisation").fill("Mme Roux, DGS")
    page_b.get_by_role("button", name="Importer").click()
    page_b.get_by_text(
        "« Détection des fuites » est inscrit au registre et qualifié sous la même version des règles ; "
        "1 évaluation finalisée importée."
    ).wait_for()
    importe = SystemeIA.objects.get(organisation__slug="commune-b")
    assert importe.responsable == "Mme Roux, DGS"
    assert set(importe.obligations.values_list("code", flat=True)) == set(
        systeme_a.obligations.values_list("code", flat=True)
    )

    page_b.get_by_role("link", name="Évaluations", exact=True).click()
    _accessible(page_b)
    page_b.get_by_role("link", name=girouet.titre).click()
    page_b.get_by_text("Importée de « Commune A »").wait_for()
    page_b.get_by_text("Agent utilisateur : 1").wait_for()
    _accessible(page_b)
    copie = Evaluation.objects.get(organisation__slug="commune-b")
    assert selectors.resultat(copie) == selectors.resultat(evaluation)
