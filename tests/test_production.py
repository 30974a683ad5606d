"""Réglages de production par défaut, sondes, mandataires de confiance, en-têtes de cache publics."""

import json
import os
import subprocess
import sys

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from balise.mandataires import (
    CLE_PAIR,
    MandatairesDeConfiance,
    adresse_de_la_requete,
    client_et_protocole,
    lire_reseaux,
)

# --- Réglages de production par défaut (dans un processus à part : les tests ont les leurs) -------

_LIRE_REGLAGES = (
    "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps(["
    "s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.PROXIES_DE_CONFIANCE]))"
)


def _environnement(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    return {**env, "DJANGO_SETTINGS_MODULE": "balise.settings", **variables}


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_sans_variable_balise_est_en_production_et_exige_sa_cle():
    sans_rien = _python(_LIRE_REGLAGES, _environnement())
    assert sans_rien.returncode != 0 and "BALISE_SECRET_KEY" in sans_rien.stderr
    avec_cle = _python(_LIRE_REGLAGES, _environnement(BALISE_SECRET_KEY="cle-de-test-assez-longue-1234"))
    assert avec_cle.returncode == 0, avec_cle.stderr
    assert json.loads(avec_cle.stdout) == [False, True, True, []]
    developpement = _python(_LIRE_REGLAGES, _environnement(BALISE_DEBUG="1"))
    assert json.loads(developpement.stdout)[:3] == [True, False, False]


def test_mandataire_mal_ecrit_refuse_au_demarrage():
    sortie = _python(
        _LIRE_REGLAGES, _environnement(BALISE_DEBUG="1", BALISE_PROXIES_DE_CONFIANCE="10.0.0.1,mandataire")
    )
    assert sortie.returncode != 0 and "« mandataire » n'est ni une adresse IP ni un réseau" in sortie.stderr
    bonne = _python(
        _LIRE_REGLAGES, _environnement(BALISE_DEBUG="1", BALISE_PROXIES_DE_CONFIANCE="10.0.0.1, 10.1.0.0/16")
    )
    assert json.loads(bonne.stdout)[3] == ["10.0.0.1/32", "10.1.0.0/16"]


_SONDER = """
import json, django
django.setup()
from django.test import Client
from django.core.management import call_command
call_command("migrate", verbosity=0)
sonde = Client(HTTP_HOST="10.20.30.40:8000")  # un répartiteur de charge sonde à l'adresse IP, en HTTP
site = Client(HTTP_HOST="balise.exemple.fr")
print(json.dumps({
    "healthz": sonde.get("/healthz").status_code,
    "livez": sonde.get("/livez").status_code,
    "healthz_corps": sonde.get("/healthz").json(),
    "accueil": [site.get("/").status_code, site.get("/")["Location"]],
    "accueil_ip": sonde.get("/").status_code,
    "https_usurpe": site.get("/", HTTP_X_FORWARDED_PROTO="https").status_code,
}))
"""


def test_sondes_en_http_simple_avec_les_reglages_de_production(tmp_path):
    """Redirection HTTPS active : une sonde en HTTP, à l'adresse IP, reçoit 200 ; le reste est redirigé,
    et un client ne peut pas se dire en HTTPS par X-Forwarded-Proto."""
    env = _environnement(
        BALISE_SECRET_KEY="cle-de-test-assez-longue-1234",
        BALISE_ALLOWED_HOSTS="balise.exemple.fr",
        BALISE_DATABASE_URL=f"sqlite:///{tmp_path / 'sonde.sqlite3'}",
        BALISE_CACHE_PARTAGE=str(tmp_path / "partage"),
    )
    sortie = _python(_SONDER, env)
    assert sortie.returncode == 0, sortie.stderr
    resultat = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert resultat["healthz"] == 200 and resultat["livez"] == 200
    assert resultat["healthz_corps"] == {"statut": "ok"}
    assert resultat["accueil"] == [301, "https://balise.exemple.fr/"]
    assert resultat["accueil_ip"] == 400  # hôte inconnu : refusé hors des sondes
    assert resultat["https_usurpe"] == 301


def test_sondes_en_lecture_seule(client, db):
    assert client.head("/livez").status_code == 200 and client.head("/healthz").status_code == 200


# --- Mandataires de confiance --------------------------------------------------------------------

MANDATAIRE = "10.0.0.5"
AUTRE_MANDATAIRE = "10.0.0.6"


@pytest.fixture
def mandataires(settings):
    settings.PROXIES_DE_CONFIANCE = [f"{MANDATAIRE}/32", "10.0.1.0/24", "2001:db8::/32"]


@pytest.mark.parametrize(
    ("pair", "transmis", "attendu"),
    [
        # Pair inconnu : ses en-têtes ne valent rien, c'est lui le client.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Le mandataire transmet l'adresse qui lui a parlé.
        (MANDATAIRE, "198.51.100.1", "198.51.100.1"),
        # Le client a écrit une fausse adresse à gauche : le mandataire a ajouté la vraie à droite.
        (MANDATAIRE, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Deux mandataires de confiance l'un derrière l'autre (le premier dans un réseau déclaré).
        (MANDATAIRE, "198.51.100.1, 10.0.1.7", "198.51.100.1"),
        # Le client se fait passer pour un mandataire de confiance à gauche : rien n'y fait.
        (MANDATAIRE, "10.0.1.8, 198.51.100.1", "198.51.100.1"),
        # Adresses avec port, IPv6, IPv4 écrite en IPv6.
        (MANDATAIRE, "198.51.100.1:5123", "198.51.100.1"),
        ("2001:db8::1", "[2001:db8:ffff::1]:443, 2001:db8::2", "2001:db8:ffff::1"),
        (MANDATAIRE, "::ffff:198.51.100.3", "198.51.100.3"),
        # Valeur illisible : on s'arrête à la dernière adresse sûre, jamais à ce qu'a écrit le client.
        (MANDATAIRE, "198.51.100.1, n'importe quoi", MANDATAIRE),
        # Rien de transmis : le mandataire lui-même.
        (MANDATAIRE, "", MANDATAIRE),
        # Un autre hôte du même réseau que le mandataire n'est pas de confiance.
        (AUTRE_MANDATAIRE, "198.51.100.1", AUTRE_MANDATAIRE),
    ],
)
def test_adresse_du_client(mandataires, pair, transmis, attendu):
    assert client_et_protocole(pair, transmis, "")[0] == attendu


def test_protocole_transmis(mandataires):
    assert client_et_protocole(MANDATAIRE, "", "https") == (MANDATAIRE, True)
    assert client_et_protocole("203.0.113.9", "", "https") == ("203.0.113.9", False)
    # Un mandataire qui complète l'en-tête : la valeur de droite est la sienne.
    assert client_et_protocole(MANDATAIRE, "", "https, http")[1] is False
    assert client_et_protocole(MANDATAIRE, "", "http, https")[1] is True


def test_liste_de_mandataires_illisible():
    with pytest.raises(ValueError, match="« 10.0.0.300 » n'est ni une adresse IP"):
        lire_reseaux(["10.0.0.1", "10.0.0.300"])
    assert [str(r) for r in lire_reseaux(["", " 10.0.0.0/8 "])] == ["10.0.0.0/8"]


def _client_https(settings) -> Client:
    settings.SECURE_SSL_REDIRECT = True  # lu par SecurityMiddleware à la première requête du client
    return Client()


def test_https_cru_du_seul_mandataire(settings, mandataires, db):
    client = _client_https(settings)
    usurpe = client.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert usurpe.status_code == 301 and usurpe["Location"] == "https://testserver/"
    assert client.get("/", REMOTE_ADDR=MANDATAIRE, HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/", REMOTE_ADDR=MANDATAIRE, HTTP_X_FORWARDED_PROTO="http").status_code == 301
    assert client.get("/", REMOTE_ADDR=MANDATAIRE).status_code == 301


def test_sans_mandataire_declare_aucun_en_tete_n_est_cru(settings, db):
    settings.PROXIES_DE_CONFIANCE = []
    client = _client_https(settings)
    assert client.get("/", REMOTE_ADDR=MANDATAIRE, HTTP_X_FORWARDED_PROTO="https").status_code == 301


def test_les_en_tetes_transmis_sont_effaces_de_la_requete(mandataires):
    """Rien, après l'intergiciel, ne peut relire ce qu'a écrit le client ; le pair reste connu."""
    vues: list[HttpRequest] = []

    def vue(request: HttpRequest) -> HttpResponse:
        vues.append(request)
        return HttpResponse()

    intergiciel = MandatairesDeConfiance(vue)
    fabrique = RequestFactory()
    intergiciel(
        fabrique.get(
            "/",
            REMOTE_ADDR=MANDATAIRE,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1",
            HTTP_X_FORWARDED_PROTO="https",
        )
    )
    intergiciel(fabrique.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4"))
    derriere, direct = vues
    assert derriere.META["REMOTE_ADDR"] == "198.51.100.1" and derriere.is_secure()
    assert derriere.META[CLE_PAIR] == MANDATAIRE
    assert direct.META["REMOTE_ADDR"] == "203.0.113.9" and not direct.is_secure()
    for requete in vues:
        assert "HTTP_X_FORWARDED_FOR" not in requete.META and "HTTP_X_FORWARDED_PROTO" not in requete.META
    assert adresse_de_la_requete(derriere) == "198.51.100.1" and adresse_de_la_requete(None) is None


# --- En-têtes de cache du registre public ----------------------------------------------------------


@pytest.mark.parametrize("suffixe", ["", "systemes/{uid}/", "registre.json", "registre.csv"])
def test_registre_public_prive_pour_une_personne_connectee(client, org_a, admin_a, systeme_a, suffixe):
    from balise.registre import services

    services.publier(systeme_a.pk, True, admin_a, systeme_a.version)
    url = f"/public/{org_a.slug}/" + suffixe.format(uid=systeme_a.uid)
    anonyme = client.get(url)
    assert anonyme.status_code == 200
    assert set(anonyme["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    assert "Cookie" in anonyme["Vary"]  # un cache partagé distingue les visiteurs avec cookie
    client.force_login(admin_a)
    connecte = client.get(url)
    assert connecte.status_code == 200
    directives = set(connecte["Cache-Control"].split(", "))
    assert "public" not in directives and {"private", "no-store"} <= directives
    if not suffixe.startswith("registre."):
        assert admin_a.email in connecte.content.decode() or admin_a.nom_affiche in connecte.content.decode()
