"""Le nombre de requêtes SQL des pages du registre ne croît pas avec le nombre de systèmes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balise.registre import services
from tests import fabrique


def _requetes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(capture.captured_queries)


def _peupler(org, auteur, n: int) -> None:
    for i in range(n):
        s = fabrique.systeme(
            org, auteur, nom=f"Système {i}", contribution_decision="Aide.", cible=("agents", "usagers")[i % 2]
        )
        services.publier(s.pk, True, auteur)
        services.changer_stade(s.pk, "etude", "", auteur)


@pytest.mark.parametrize(
    "gabarit",
    [
        "/o/{slug}/registre/",
        "/o/{slug}/registre/?stade=etude&q=Syst&tri=-nom",
        "/o/{slug}/registre/{pk}/",
        "/o/{slug}/registre/{pk}/historique/",
        "/o/{slug}/portefeuille/",
        "/public/{slug}/",
        "/public/{slug}/registre.json",
        "/public/{slug}/registre.csv",
        "/api/organisations/{slug}/systemes",
    ],
)
def test_requetes_constantes(client, org_a, admin_a, gabarit):
    client.force_login(admin_a)
    _peupler(org_a, admin_a, 3)
    premier = org_a.systemes.order_by("pk").first()
    url = gabarit.format(slug=org_a.slug, pk=premier.pk)
    peu = _requetes(client, url)
    _peupler(org_a, admin_a, 30)
    assert _requetes(client, url) == peu


def test_historique_constant_quel_que_soit_le_nombre_de_versions(client, org_a, admin_a):
    client.force_login(admin_a)
    s = fabrique.systeme(org_a, admin_a)
    url = f"/o/{org_a.slug}/registre/{s.pk}/historique/"
    services.modifier_systeme(s.pk, {"nom": "v2"}, 1, admin_a)
    peu = _requetes(client, url)
    for version in range(2, 22):
        services.modifier_systeme(s.pk, {"nom": f"v{version + 1}"}, version, admin_a)
    assert _requetes(client, url) == peu
