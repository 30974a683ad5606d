"""Le programme de la démonstration (issue 14) : après `charger_demo`, l'agglomération est à l'étape 4
(expérimentation), a une feuille de route dont une action en retard (qui attend sa responsable dans
« À traiter »), deux cafés IA avec une mesure d'appropriation, et des notes de veille ; la page
« Programme » les montre."""

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.gouvernance import a_traiter
from balise.organisations.models import Organisation
from balise.programme import selectors


def test_la_demonstration_montre_le_programme(client, db):
    call_command("charger_demo")
    org = Organisation.objects.get(slug="val-de-balise")
    aujourd_hui = timezone.localdate()
    etats = [e.etat for e in selectors.etapes(org)]
    assert etats == ["faite", "en_cours", "faite", "en_cours", "a_venir"]
    en_retard = list(selectors.actions(org, aujourd_hui, en_retard=True))
    assert len(en_retard) == 1
    cafes = [s for s in selectors.sensibilisations(org) if s.format == "cafe_ia"]
    assert len(cafes) == 2 and all(s.mesure and s.apres > s.avant for s in cafes)
    assert selectors.notes(org).count() >= 3
    responsable = en_retard[0].responsable
    t = a_traiter.pour_personne(responsable, org, "rh", aujourd_hui)
    assert t.nb_actions_en_retard == 1
    client.force_login(Utilisateur.objects.get(email="elu@val-de-balise.example"))
    page = client.get(reverse("programme:accueil", args=[org.slug])).content.decode()
    assert en_retard[0].intitule.replace("'", "&#x27;") in page and "Café IA" in page
