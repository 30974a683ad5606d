"""Les règles d'usage de la démonstration : publiées, plusieurs services informés (effectifs tirés du
tableau des effectifs importé), des prises de connaissance ; la page de suivi et le PDF s'ouvrent."""

import io

from django.core.management import call_command
from pypdf import PdfReader

from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.regles_usage import selectors

AGGLO = "val-de-balise"


def test_la_demonstration_montre_les_regles_d_usage(client, db):
    call_command("charger_demo")
    org = Organisation.objects.get(slug=AGGLO)
    publiee = selectors.publiee(org)
    assert publiee is not None and {r["origine"] for r in publiee.regles} == {"depart", "propre"}
    suivi = selectors.suivi(org)
    lignes = {s.service: s for s in suivi.services}
    assert lignes["Direction générale"].source_effectif == "tableau des effectifs"
    assert lignes["Direction générale"].taux == 100
    assert lignes["Service informatique"].source_effectif == "saisi"
    assert 0 < lignes["Urbanisme"].taux < 100
    assert suivi.connaissances == 4
    elu = Utilisateur.objects.get(email="elu@val-de-balise.example")
    assert selectors.a_pris_connaissance(elu, org)
    client.force_login(Utilisateur.objects.get(email="drh@val-de-balise.example"))
    assert client.get(f"/o/{AGGLO}/regles-usage/information/").status_code == 200
    reponse = client.get(f"/o/{AGGLO}/regles-usage/{publiee.pk}/regles.pdf")
    assert len(PdfReader(io.BytesIO(reponse.content)).pages) == 1
