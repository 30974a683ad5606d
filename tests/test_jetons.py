"""Jetons d'API : échéance, dernière utilisation, liste et révocation par le titulaire et par
l'administrateur d'une organisation (et par lui seul, pour les seuls membres de son organisation)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise.comptes.models import JetonAPI
from balise.organisations.models import Adhesion
from tests import fabrique


@pytest.fixture
def voyage():
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        yield traveller


def _api(secret: str, chemin: str = "/api/organisations"):
    return Client().get(chemin, headers={"authorization": f"Bearer {secret}"})


def _creer(client: Client, nom: str, jour: str | None):
    donnees = {"nom": nom} if jour is None else {"nom": nom, "valable_jusqu_au": jour}
    return client.post("/comptes/compte/", donnees)


# --- Échéance ---------------------------------------------------------------------------------


def test_echeance_choisie_a_la_creation(client, admin_a):
    client.force_login(admin_a)
    dans_30_jours = timezone.localdate() + timedelta(days=30)
    reponse = _creer(client, "script SIG", dans_30_jours.isoformat())
    assert reponse.status_code == 200 and "bal_" in reponse.content.decode()
    jeton = JetonAPI.objects.get(nom="script SIG")
    assert timezone.localtime(jeton.expire_le).date() == dans_30_jours
    assert (timezone.localtime(jeton.expire_le).hour, jeton.expire_le.minute) == (23, 59)
    # Sans date : l'échéance proposée, 90 jours.
    _creer(client, "sans date", None)
    assert timezone.localtime(JetonAPI.objects.get(nom="sans date").expire_le).date() == (
        timezone.localdate() + timedelta(days=90)
    )


@pytest.mark.parametrize(
    ("jour", "message"),
    [
        (lambda: timezone.localdate() - timedelta(days=1), "Cette date est passée"),
        (lambda: timezone.localdate() + timedelta(days=366), "Un jeton vaut 365 jours au plus"),
        (lambda: "31/02/2026", "Date illisible"),
    ],
    ids=["passee", "au-dela-d-un-an", "illisible"],
)
def test_echeance_refusee(client, admin_a, jour, message):
    client.force_login(admin_a)
    valeur = jour()
    reponse = _creer(client, "refusé", valeur if isinstance(valeur, str) else valeur.isoformat())
    assert message in reponse.content.decode() and "bal_" not in reponse.content.decode()
    assert not JetonAPI.objects.exists()


def test_jeton_expire_refuse_en_401(admin_a, org_a, voyage):
    jeton, secret = JetonAPI.emettre(admin_a, "court", expire_le=timezone.now() + timedelta(days=1))
    assert _api(secret).status_code == 200
    voyage.shift(timedelta(days=1, seconds=1))
    reponse = _api(secret)
    assert reponse.status_code == 401
    echeance = timezone.localtime(jeton.expire_le)
    assert reponse.json() == {
        "message": f"Ce jeton a expiré le {echeance:%d/%m/%Y} : créez-en un autre depuis « Mon compte »."
    }


def test_revocation_vaut_a_l_appel_suivant(admin_a, org_a):
    from balise.comptes import services

    jeton, secret = JetonAPI.emettre(admin_a, "script")
    assert _api(secret).status_code == 200
    services.revoquer_jeton(jeton, admin_a)
    assert _api(secret).status_code == 401


# --- Dernière utilisation : une écriture par minute au plus ---------------------------------------


def _ecritures(secret: str) -> list[str]:
    with CaptureQueriesContext(connection) as capture:
        assert _api(secret).status_code == 200
    return [q["sql"] for q in capture.captured_queries if q["sql"].startswith("UPDATE")]


def test_derniere_utilisation_notee_une_fois_par_minute(admin_a, org_a, voyage):
    jeton, secret = JetonAPI.emettre(admin_a, "script")
    assert len(_ecritures(secret)) == 1
    premiere = JetonAPI.objects.get(pk=jeton.pk).utilise_le
    for _ in range(3):
        voyage.shift(timedelta(seconds=15))
        assert _ecritures(secret) == []
    assert JetonAPI.objects.get(pk=jeton.pk).utilise_le == premiere
    voyage.shift(timedelta(seconds=15))
    assert len(_ecritures(secret)) == 1
    assert JetonAPI.objects.get(pk=jeton.pk).utilise_le == premiere + timedelta(minutes=1)


# --- Le titulaire ------------------------------------------------------------------------------


def test_le_titulaire_voit_et_revoque_ses_jetons(client, admin_a, org_a):
    client.force_login(admin_a)
    jeton, secret = JetonAPI.emettre(admin_a, "script DSI")
    _api(secret)
    page = client.get("/comptes/compte/").content.decode()
    actifs = page.split("Jetons actifs")[1].split("</table>")[0]
    assert "script DSI" in actifs and jeton.debut in actifs and "jamais" not in actifs  # utilisé à l'instant
    assert client.post(f"/comptes/jetons/{jeton.pk}/revocation/").status_code == 302
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None and jeton.revoque_par == admin_a
    page = client.get("/comptes/compte/").content.decode()
    assert "Aucun jeton actif" in page and f"par {admin_a.nom_affiche}" in page
    # Déjà révoqué : message, rien ne change.
    reponse = client.post(f"/comptes/jetons/{jeton.pk}/revocation/", follow=True)
    assert "déjà révoqué" in reponse.content.decode()
    assert JetonAPI.history.filter(id=jeton.pk).count() == 2  # création, révocation


def test_personne_ne_revoque_le_jeton_d_un_autre_depuis_son_compte(client, admin_a, lecteur_a):
    jeton, _ = JetonAPI.emettre(lecteur_a, "script du lecteur")
    client.force_login(admin_a)
    assert client.post(f"/comptes/jetons/{jeton.pk}/revocation/").status_code == 404
    assert "script du lecteur" not in client.get("/comptes/compte/").content.decode()
    jeton.refresh_from_db()
    assert jeton.revoque_le is None


# --- L'administrateur de l'organisation ---------------------------------------------------------


def test_l_administrateur_voit_et_revoque_les_jetons_des_membres(client, org_a, admin_a, lecteur_a, voyage):
    jeton, secret = JetonAPI.emettre(lecteur_a, "export du lecteur")
    _api(secret)
    client.force_login(admin_a)
    page = client.get(f"/o/{org_a.slug}/jetons/").content.decode()
    assert "export du lecteur" in page and lecteur_a.email in page and jeton.debut in page
    assert timezone.localtime(jeton.expire_le).strftime("%d/%m/%Y") in page
    voyage.shift(timedelta(minutes=1))
    reponse = client.post(f"/o/{org_a.slug}/jetons/{jeton.pk}/revocation/", follow=True)
    assert f"Jeton « export du lecteur » de {lecteur_a.email} révoqué." in reponse.content.decode()
    jeton.refresh_from_db()
    assert jeton.revoque_par == admin_a
    assert JetonAPI.history.filter(id=jeton.pk).latest("history_date").history_user == admin_a
    assert _api(secret).status_code == 401
    # Le titulaire voit qui a révoqué son jeton.
    client.force_login(lecteur_a)
    assert f"par {admin_a.nom_affiche}" in client.get("/comptes/compte/").content.decode()


def test_jetons_d_une_personne_d_une_autre_organisation(client, org_a, org_b, admin_a, admin_b):
    """L'administrateur de A ne voit ni ne révoque le jeton d'une personne qui n'est que dans B."""
    seulement_b = fabrique.membre(org_b, "referent", "seulement-b@exemple.fr")
    jeton, _ = JetonAPI.emettre(seulement_b, "script de B")
    client.force_login(admin_a)
    assert "script de B" not in client.get(f"/o/{org_a.slug}/jetons/").content.decode()
    assert client.post(f"/o/{org_a.slug}/jetons/{jeton.pk}/revocation/").status_code == 404
    jeton.refresh_from_db()
    assert jeton.revoque_le is None


def test_personne_membre_de_deux_organisations(client, org_a, org_b, admin_a, admin_b):
    """Son jeton vaut dans A comme dans B : l'administrateur de chacune le voit et peut le révoquer."""
    deux = fabrique.membre(org_a, "referent", "deux@exemple.fr")
    Adhesion.objects.create(utilisateur=deux, organisation=org_b, role="lecteur")
    jeton, secret = JetonAPI.emettre(deux, "script commun")
    client.force_login(admin_a)
    assert "script commun" in client.get(f"/o/{org_a.slug}/jetons/").content.decode()
    client.force_login(admin_b)
    assert "script commun" in client.get(f"/o/{org_b.slug}/jetons/").content.decode()
    assert client.post(f"/o/{org_b.slug}/jetons/{jeton.pk}/revocation/").status_code == 302
    assert _api(secret).status_code == 401


def test_seul_l_administrateur_voit_la_page(client, org_a, referent_a):
    client.force_login(referent_a)
    assert client.get(f"/o/{org_a.slug}/jetons/").status_code == 403


def test_requetes_constantes_de_la_page_des_jetons(client, org_a, admin_a):
    from balise.comptes import services

    client.force_login(admin_a)

    def requetes() -> int:
        cache.clear()  # première lecture : ni personne ni adhésion gardées en cache
        with CaptureQueriesContext(connection) as capture:
            assert client.get(f"/o/{org_a.slug}/jetons/").status_code == 200
        return len(capture.captured_queries)

    def peupler(n: int) -> None:
        for i in range(n):
            membre = fabrique.membre(org_a, "lecteur")
            JetonAPI.emettre(membre, f"actif {i}")
            services.revoquer_jeton(JetonAPI.emettre(membre, f"révoqué {i}")[0], admin_a)

    peupler(2)
    peu = requetes()
    peupler(8)
    assert requetes() == peu
