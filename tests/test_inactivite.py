"""Fin de session après une période d'inactivité, sans écriture en base à chaque page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balise.comptes.inactivite import CLE, pas_de_rafraichissement


@pytest.fixture
def voyage():
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        yield traveller


def _connecte(client, url: str) -> bool:
    reponse = client.get(url)
    assert reponse.status_code in (200, 302)
    return reponse.status_code == 200


def test_session_fermee_apres_l_inactivite_permise(client, org_a, admin_a, voyage, settings):
    assert (
        settings.SESSION_INACTIVITE == 120 * 60 and settings.SESSION_COOKIE_AGE == settings.SESSION_INACTIVITE
    )
    url = f"/o/{org_a.slug}/registre/"
    client.force_login(admin_a)
    assert _connecte(client, url)
    # Active toutes les 100 minutes pendant 5 heures : jamais déconnectée.
    for _ in range(3):
        voyage.shift(timedelta(minutes=100))
        assert _connecte(client, url)
    voyage.shift(timedelta(minutes=121))
    reponse = client.get(url)
    assert reponse.status_code == 302 and reponse["Location"].startswith("/comptes/connexion/")
    assert "_auth_user_id" not in client.session


def test_l_heure_notee_fait_foi_meme_si_l_echeance_enregistree_est_lointaine(client, org_a, admin_a, voyage):
    """Session ouverte quand l'inactivité permise était plus longue : fermée selon le réglage du jour."""
    client.force_login(admin_a)
    session = client.session
    session.set_expiry(14 * 24 * 3600)
    session[CLE] = int(datetime.now(UTC).timestamp()) - 3 * 3600
    session.save()
    assert not _connecte(client, f"/o/{org_a.slug}/registre/")


def test_reglage_de_l_inactivite(client, org_a, admin_a, voyage, settings):
    settings.SESSION_INACTIVITE = settings.SESSION_COOKIE_AGE = 10 * 60
    client.force_login(admin_a)
    voyage.shift(timedelta(minutes=9))
    assert _connecte(client, f"/o/{org_a.slug}/registre/")
    voyage.shift(timedelta(minutes=11))
    assert not _connecte(client, f"/o/{org_a.slug}/registre/")


def test_au_plus_une_ecriture_de_session_par_pas(client, org_a, admin_a, voyage, settings):
    """Une page connectée en cache ne fait aucune requête SQL ; la session n'est réécrite qu'une fois par
    pas (5 minutes)."""
    assert pas_de_rafraichissement(settings.SESSION_INACTIVITE) == 300
    url = f"/o/{org_a.slug}/registre/"
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as premiere:
        assert _connecte(client, url)  # la connexion a noté l'activité : rien à réécrire
    assert not [q for q in premiere.captured_queries if "django_session" in q["sql"]]
    for _ in range(4):
        voyage.shift(timedelta(minutes=1))
        with CaptureQueriesContext(connection) as capture:
            assert _connecte(client, url)
        assert capture.captured_queries == []
    voyage.shift(timedelta(minutes=1, seconds=1))
    with CaptureQueriesContext(connection) as capture:
        assert _connecte(client, url)
    # (La personne, gardée 5 minutes sous sa génération, est aussi relue : balise/generations.py.)
    ecritures = [
        q["sql"] for q in capture.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert len(ecritures) == 1 and ecritures[0].startswith('UPDATE "django_session"'), ecritures


def test_une_visite_anonyme_n_ouvre_pas_de_session(client, db):
    reponse = client.get("/")
    assert "sessionid" not in reponse.cookies
