"""La mutualisation de la démonstration (issue 17, point 7) : l'agglomération du Val de Balise sous
convention signée avec ses deux communes, son référent IA dans l'espace de Rivebelle (où il n'est pas
membre) pour le compte de la commune, et le portefeuille agrégé des deux communes."""

from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from balise.comptes.models import Utilisateur
from balise.mutualisation.models import Convention
from balise.organisations.models import EvenementJournal
from tests import fabrique


@pytest.mark.django_db(transaction=True)
def test_la_demonstration_montre_la_mutualisation():
    call_command("charger_demo")
    conventions = Convention.objects.filter(mutualisante__slug="val-de-balise").order_by("membre__slug")
    assert [(c.membre.slug, c.etat) for c in conventions] == [
        ("montclair", "en_vigueur"),
        ("rivebelle", "en_vigueur"),
    ]
    karim = Utilisateur.objects.get(email="referent@val-de-balise.example")
    assert not karim.adhesions.filter(organisation__slug="rivebelle").exists()
    client = Client()
    client.force_login(karim)
    reponse = client.post(
        "/o/rivebelle/registre/nouveau/", fabrique.FICHE_MINIMALE | {"nom": "Tri des courriers"}
    )
    assert reponse.status_code == 302
    assert (
        EvenementJournal.objects.filter(organisation__slug="rivebelle", nature="pour_le_compte_de").count()
        == 1
    )
    page = client.get("/o/val-de-balise/mutualisation/portefeuille/").content.decode()
    assert "Commune de Rivebelle" in page and "Commune de Montclair" in page
    from balise.mutualisation import partages
    from balise.organisations.models import Organisation

    (repris,) = partages.partages_pour(Organisation.objects.get(slug="rivebelle"), date.today())
    assert repris.a_jour and "édition intercommunale" in repris.amont.titre
    (pas_encore,) = partages.partages_pour(Organisation.objects.get(slug="montclair"), date.today())
    assert pas_encore.reprise is None
    from balise.mutualisation import sessions

    (session,) = sessions.de_la_mutualisante(Organisation.objects.get(slug="val-de-balise"))[0]
    assert session.par_membre == [("Commune de Rivebelle", 6)]
