"""Le parcours d'une DGS dans un vrai navigateur : produire le rapport annuel de l'an dernier, le voir
passer d'« en attente » à « fait » (le processus de fond tourne ici, dans le fil du test), puis en
télécharger les trois formats et les lire avec de vrais analyseurs."""

from datetime import date

import pytest
from django.utils import timezone

from balise.gouvernance.models import Decision
from balise.rapports.models import Rapport
from tests import gouvernance_fabrique as gf
from tests import travailleur
from tests.navigateur.conftest import connecter
from tests.rapports_lecture import tableaux_docx, tableaux_odt, texte_pdf

pytestmark = pytest.mark.navigateur


def test_produire_le_rapport_annuel_et_telecharger_les_trois_formats(page, org_a, referent_a, systeme_a):
    annee = timezone.localdate().year - 1
    gf.decision(systeme_a, referent_a, Decision.Sens.EXPERIMENTER, decidee_le=date(annee, 3, 2))
    connecter(page, referent_a.email)
    page.goto(f"/o/{org_a.slug}/rapports/")
    page.get_by_label("Document à produire").select_option("annuel")
    page.get_by_label("Année").fill(str(annee))
    page.get_by_role("button", name="Produire").click()
    page.get_by_text("En attente de traitement").wait_for()
    assert travailleur.executer_travaux() == 1
    page.get_by_role("link", name="Actualiser").click()
    page.get_by_text("Fait le").wait_for()
    rapport = Rapport.objects.get()
    fichiers = {}
    for format_ in ("PDF", "ODT", "DOCX"):
        with page.expect_download() as telechargement:
            page.get_by_role("link", name=f"{format_} — Rapport annuel").click()
        chemin = telechargement.value.path()
        assert telechargement.value.suggested_filename == rapport.nom_fichier(format_.lower())
        fichiers[format_] = open(chemin, "rb").read()  # noqa: SIM115
    assert "Détection des fuites" in " ".join(texte_pdf(fichiers["PDF"]).split())
    decisions = next(
        g for g in tableaux_docx(fichiers["DOCX"]) if g[0][:3] == ["Date", "Système", "Décision"]
    )
    assert decisions[1][1:3] == ["Détection des fuites", "Expérimenter"]
    assert decisions in tableaux_odt(fichiers["ODT"])
