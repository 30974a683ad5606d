"""La formation de la démonstration (issue 14, point 8) : deux paliers avec des sessions et une
couverture, l'effectif de tous les agents tiré du tableau des effectifs de la démonstration, et
l'obligation de formation d'un système passée à « faite » par la couverture de ses référents."""

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from balise.conformite.models import ObligationSuivie
from balise.formations import selectors
from balise.formations.models import SessionFormation
from balise.organisations.models import Organisation
from balise.organisations.roles import Role


def test_la_demonstration_montre_la_formation(client, db):
    call_command("charger_demo")
    org = Organisation.objects.get(slug="val-de-balise")
    lignes = {li.population.code: li for li in selectors.couverture(org, timezone.localdate())}
    assert {s.palier for s in SessionFormation.objects.filter(organisation=org)} == {
        "acculturation",
        "culture_partagee",
    }
    tous = lignes["tous_agents"]
    assert tous.effectif.origine == "tableau" and tous.formes > 0 and tous.taux is not None
    assert lignes["referents_ia"].atteinte
    obligation = ObligationSuivie.objects.get(
        organisation=org, code=selectors.CODE_OBLIGATION, systeme__populations_formation__code="referents_ia"
    )
    assert obligation.statut == "faite"
    drh = org.adhesions.filter(role=Role.RH).first().utilisateur
    client.force_login(drh)
    assert client.get(reverse("formations:accueil", args=[org.slug])).status_code == 200
