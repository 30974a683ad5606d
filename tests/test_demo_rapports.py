"""La démonstration a le rapport annuel de l'an dernier, produit dans ses trois formats."""

from django.core.management import call_command
from django.utils import timezone

from balise.rapports.models import Rapport
from tests.rapports_lecture import texte_pdf, titres_docx


def test_la_demonstration_a_le_rapport_annuel_de_l_an_dernier(db):
    call_command("charger_demo")
    rapport = Rapport.objects.select_related("travail").get(organisation__slug="val-de-balise")
    assert rapport.genre == "annuel" and rapport.annee == timezone.localdate().year - 1
    assert rapport.version == 1 and rapport.travail.etat == "termine"
    assert "Rapport annuel sur l'intelligence artificielle" in texte_pdf(bytes(rapport.pdf))
    assert ("Heading 1", "Décisions et avis des instances") in titres_docx(bytes(rapport.docx))
    assert bytes(rapport.odt).startswith(b"PK")
