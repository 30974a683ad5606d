"""La charte de la démonstration : après `charger_demo`, l'agglomération a une charte adoptée par
délibération, consultée en séance du comité d'éthique (avis favorable public), publiée."""

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from balise.chartes import selectors
from balise.organisations.models import EvenementJournal, Organisation


def test_la_demonstration_a_une_charte_adoptee_et_publiee(client, db):
    call_command("charger_demo")
    org = Organisation.objects.get(slug="val-de-balise")
    v = selectors.adoptee(org)
    assert v is not None and v.mode_adoption == "deliberation" and v.deliberation_numero == "DEL-2026-112"
    assert v.adoptee_le < timezone.localdate() and len(v.lignes_rouges) == 3
    (consultation,) = selectors.consultations(v, publiques=True)
    assert consultation.point.seance.instance.modele == "comite_ethique_colleges"
    assert consultation.avis.sens == "favorable" and consultation.point.seance.statut == "tenue"
    assert EvenementJournal.objects.filter(organisation=org, nature="charte_adoptee").count() == 1
    page = client.get(reverse("charte_publique:page", args=[org.slug])).content.decode()
    assert "DEL-2026-112" in page and "éthique et scientifique du Val de Balise" in page
    registre = client.get(reverse("public:registre", args=[org.slug])).content.decode()
    assert reverse("charte_publique:page", args=[org.slug]) in registre
