"""Limites des essais : verrouillage par compte et adresse réelle (django-axes), connexions manquées par
adresse tous comptes confondus, demandes de lien de réinitialisation. Chacune se déclenche puis se lève
(voyage dans le temps, sans attendre)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from tests import fabrique

MOT_DE_PASSE = "mot-de-passe-tres-long-42"
MANDATAIRE = "10.0.0.5"


@pytest.fixture
def voyage():
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        yield traveller


def _connexion(client: Client, email: str, mot_de_passe: str, **meta):
    return client.post("/comptes/connexion/", {"username": email, "password": mot_de_passe}, **meta)


# --- django-axes : par compte et adresse du client réel ---------------------------------------


def test_verrouillage_par_compte_suit_le_client_reel_derriere_le_mandataire(settings, admin_a, voyage):
    settings.PROXIES_DE_CONFIANCE = [MANDATAIRE]
    client = Client()
    par = {"REMOTE_ADDR": MANDATAIRE, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _connexion(client, admin_a.email, "faux", **par)
    assert _connexion(client, admin_a.email, MOT_DE_PASSE, **par).status_code == 429
    # Le client écrit une autre adresse à gauche : le mandataire a ajouté la vraie à droite.
    usurpe = {**par, "HTTP_X_FORWARDED_FOR": "203.0.113.77, 198.51.100.1"}
    assert _connexion(client, admin_a.email, MOT_DE_PASSE, **usurpe).status_code == 429
    # Un collègue derrière le même mandataire, d'une autre adresse, n'est pas touché.
    collegue = {"REMOTE_ADDR": MANDATAIRE, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, **collegue).status_code == 302
    # Sans mandataire de confiance, l'en-tête ne change pas d'adresse : toujours verrouillé.
    direct = {"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "203.0.113.78"}
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, **direct).status_code == 429
    voyage.shift(timedelta(minutes=16))
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, **par).status_code == 302


def test_l_adresse_ecrite_par_un_client_direct_ne_le_deverrouille_pas(settings, admin_a):
    settings.PROXIES_DE_CONFIANCE = [MANDATAIRE]
    for i in range(settings.AXES_FAILURE_LIMIT):
        _connexion(
            Client(), admin_a.email, "faux", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}"
        )
    reponse = _connexion(
        Client(), admin_a.email, MOT_DE_PASSE, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.99"
    )
    assert reponse.status_code == 429


# --- Connexions manquées par adresse, tous comptes confondus --------------------------------------


def test_essais_sur_beaucoup_de_comptes_depuis_une_adresse(settings, org_a, admin_a, voyage):
    settings.LIMITES = {**settings.LIMITES, "connexions_manquees_par_adresse": (4, 15 * 60)}
    attaquant = {"REMOTE_ADDR": "203.0.113.9"}
    for i in range(4):  # un essai par compte : django-axes (5 par compte) ne voit rien
        reponse = _connexion(Client(), f"agent{i}@exemple.fr", "Printemps2026!", **attaquant)
        assert reponse.status_code == 200
    bloque = _connexion(Client(), admin_a.email, MOT_DE_PASSE, **attaquant)
    assert bloque.status_code == 429 and "depuis votre adresse" in bloque.content.decode()
    assert "_auth_user_id" not in Client().session  # rien d'ouvert
    # L'adresse est bloquée aussi pour l'administration.
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, **attaquant).status_code == 429
    admin = Client().post("/admin/login/", {"username": admin_a.email, "password": MOT_DE_PASSE}, **attaquant)
    assert admin.status_code == 200 and "_auth_user_id" not in admin.client.session
    # Une autre adresse se connecte normalement.
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, REMOTE_ADDR="198.51.100.1").status_code == 302
    voyage.shift(timedelta(minutes=15, seconds=1))
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, **attaquant).status_code == 302


def test_une_connexion_reussie_ne_remet_pas_le_compte_a_zero(settings, org_a, admin_a):
    """Sinon un attaquant qui détient un compte viderait le compteur entre deux salves."""
    settings.LIMITES = {**settings.LIMITES, "connexions_manquees_par_adresse": (3, 15 * 60)}
    for i in range(2):
        _connexion(Client(), f"agent{i}@exemple.fr", "faux", REMOTE_ADDR="203.0.113.9")
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, REMOTE_ADDR="203.0.113.9").status_code == 302
    _connexion(Client(), "agent9@exemple.fr", "faux", REMOTE_ADDR="203.0.113.9")
    assert _connexion(Client(), admin_a.email, MOT_DE_PASSE, REMOTE_ADDR="203.0.113.9").status_code == 429


# --- Demandes de lien de réinitialisation -------------------------------------------------------

TROP = "Trop de demandes de lien"


def _demander(email: str, adresse: str = "198.51.100.1"):
    return Client().post("/comptes/mot-de-passe-oublie/", {"email": email}, REMOTE_ADDR=adresse)


def test_demandes_de_lien_par_adresse_electronique(settings, admin_a, voyage):
    settings.LIMITES = {**settings.LIMITES, "reinitialisations_par_compte": (2, 3600)}
    for adresse in ("198.51.100.1", "198.51.100.2"):
        assert _demander(admin_a.email, adresse).status_code == 302
    assert len(mail.outbox) == 2
    refus = _demander(admin_a.email.upper(), "198.51.100.3")  # même adresse, autre écriture, autre réseau
    assert refus.status_code == 429 and TROP in refus.content.decode()
    assert len(mail.outbox) == 2  # aucun courriel au-delà
    # Même réponse pour une adresse sans compte : rien n'est révélé.
    for _ in range(2):
        assert _demander("personne@exemple.fr").status_code == 302
    inconnu = _demander("personne@exemple.fr")
    assert inconnu.status_code == 429 and TROP in inconnu.content.decode()
    assert len(mail.outbox) == 2
    voyage.shift(timedelta(hours=1, seconds=1))
    assert _demander(admin_a.email).status_code == 302 and len(mail.outbox) == 3


def test_demandes_de_lien_par_adresse_du_client(settings, org_a, admin_a, voyage):
    settings.LIMITES = {**settings.LIMITES, "reinitialisations_par_adresse": (2, 3600)}
    autre = fabrique.membre(org_a, "lecteur", "autre@exemple.fr")
    assert _demander("x@exemple.fr", "203.0.113.9").status_code == 302
    assert _demander("y@exemple.fr", "203.0.113.9").status_code == 302
    refus = _demander(admin_a.email, "203.0.113.9")
    assert refus.status_code == 429 and TROP in refus.content.decode() and not mail.outbox
    assert _demander(autre.email, "198.51.100.7").status_code == 302 and len(mail.outbox) == 1
    voyage.shift(timedelta(hours=1, seconds=1))
    assert _demander(admin_a.email, "203.0.113.9").status_code == 302 and len(mail.outbox) == 2


def test_demande_invalide_ne_compte_pas(settings, db):
    settings.LIMITES = {**settings.LIMITES, "reinitialisations_par_adresse": (1, 3600)}
    reponse = _demander("pas-une-adresse")
    assert reponse.status_code == 200 and TROP not in reponse.content.decode()
    assert _demander("x@exemple.fr").status_code == 302
