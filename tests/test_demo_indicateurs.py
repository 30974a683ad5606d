"""Les indicateurs de la démonstration (issue 14) : après `charger_demo`, trois indicateurs suivis
depuis un an ; le temps moyen par dossier a sa dernière mesure hors cible et le mois qui vient de finir à
saisir : son responsable le trouve dans « À traiter », la liste et la fiche le montrent."""

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.gouvernance import a_traiter
from balise.indicateurs import selectors
from balise.organisations.models import Organisation


def test_la_demonstration_suit_trois_indicateurs(client, db):
    call_command("charger_demo")
    org = Organisation.objects.get(slug="val-de-balise")
    aujourd_hui = timezone.localdate()
    suivis = {s.indicateur.modele: s for s in selectors.liste(org, aujourd_hui)}
    assert set(suivis) == {"delais_traitement", "temps_gagne", "conformite_rgpd"}
    delais, temps = suivis["delais_traitement"], suivis["temps_gagne"]
    assert len(selectors.mesures(delais.indicateur)) == 12
    assert delais.hors_cible and delais.etat.due and not delais.etat.en_retard
    assert temps.atteinte and not temps.etat.due and temps.indicateur.systeme is not None

    referent = Utilisateur.objects.get(email="referent@val-de-balise.example")
    t = a_traiter.pour_personne(referent, org, "referent", aujourd_hui)
    assert [s.indicateur.modele for s in t.mesures] == ["delais_traitement"]
    client.force_login(referent)
    accueil = client.get(reverse("gouvernance:a_traiter", args=[org.slug])).content.decode()
    assert "Temps moyen par dossier" in accueil and "hors cible" in accueil
    fiche = client.get(reverse("indicateurs:fiche", args=[org.slug, delais.indicateur.pk]))
    assert fiche.status_code == 200 and "11,5" in fiche.content.decode()
