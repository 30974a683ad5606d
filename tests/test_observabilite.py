"""Journaux structurés (une ligne JSON par requête et par travail, sans secret) et métriques Prometheus
(compteurs, collecteur des travaux, format, accès par adresse ou jeton, mode multiprocessus)."""

import hmac
import json
import logging
import logging.config
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as reglages
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpResponseServerError
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.log import log_response
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from balise.metiers import services as metiers
from balise.observabilite import acces, erreurs, metriques, requetes
from balise.travaux import services as travaux
from balise.travaux.models import Travail
from tests import fabrique
from tests.test_effectifs import DESORDONNE

RACINE = Path(__file__).resolve().parent.parent
JETON = "jeton-de-metriques-assez-long-0123456789"


@pytest.fixture
def lignes(caplog):
    """Les lignes des journaux de Balise, formatées comme en service (formateur JSON des réglages)."""
    caplog.set_level(logging.INFO, logger="balise.journal")
    configurateur = logging.config.DictConfigurator(reglages.LOGGING)
    formateur = configurateur.configure_formatter(dict(reglages.LOGGING["formatters"]["json"]))

    def lire(source: str) -> list[str]:
        return [formateur.format(r) for r in caplog.records if r.name == source]

    return lire


def _valeur(nom: str, etiquettes: dict[str, str] | None = None) -> float:
    return metriques.registre().get_sample_value(nom, etiquettes or {}) or 0.0


# --- Une ligne par requête ------------------------------------------------------------------------


def test_une_ligne_json_par_requete_avec_route_statut_duree_et_organisation(client, org_a, lignes):
    reponse = client.get(f"/public/{org_a.slug}/")
    assert reponse.status_code == 200
    (ligne,) = lignes("balise.journal.requetes")
    donnees = json.loads(ligne)
    assert donnees["message"] == "requête" and donnees["niveau"] == "INFO"
    assert donnees["source"] == "balise.journal.requetes" and donnees["date"]
    assert donnees["methode"] == "GET" and donnees["route"] == "/public/<slug:slug>/"
    assert donnees["statut"] == 200 and donnees["organisation"] == org_a.slug
    assert isinstance(donnees["duree_ms"], float) and donnees["duree_ms"] > 0
    assert donnees["requete_id"] == reponse["X-Request-ID"] and len(donnees["requete_id"]) == 32


def test_la_ligne_ne_livre_ni_jeton_ni_cookie_ni_adresse_electronique(client, admin_a, org_a, lignes):
    client.force_login(admin_a)
    session = client.cookies["sessionid"].value
    client.get(f"/o/{org_a.slug}/registre/?jeton=secret-de-chaine-123&q=admin-a@exemple.fr")
    client.get("/questionnaire/jeton-secret-du-questionnaire/")
    client.get("/comptes/reinitialisation/MQ/jeton-de-reinitialisation-secret/")
    client.get("/adresse/inconnue/identifiant-secret-404/")
    sorties = lignes("balise.journal.requetes")
    assert len(sorties) == 4
    texte = "\n".join(sorties)
    for secret in (
        "secret-de-chaine",
        "jeton-secret-du-questionnaire",
        "de-reinitialisation-secret",
        "identifiant-secret-404",
        session,
        admin_a.email,
        "exemple.fr",
        "127.0.0.1",
    ):
        assert secret not in texte
    routes = [json.loads(s)["route"] for s in sorties]
    assert routes == [
        "/o/<slug:slug>/registre/",
        "/questionnaire/<str:jeton>/",
        "/comptes/reinitialisation/<uidb64>/<token>/",
        metriques.ROUTE_INCONNUE,
    ]


def test_identifiant_de_requete_transmis_par_le_mandataire_ou_tire(client, db, lignes):
    assert client.get("/", HTTP_X_REQUEST_ID="a1b2c3d4-e5f6-mandataire")["X-Request-ID"] == (
        "a1b2c3d4-e5f6-mandataire"
    )
    # Une valeur qui n'a pas une forme sage (espaces, guillemets, trop longue) n'est pas reprise.
    for douteux in ('x" ; injection', "court", "a" * 65):
        assert client.get("/", HTTP_X_REQUEST_ID=douteux)["X-Request-ID"] != douteux
    donnees = [json.loads(s) for s in lignes("balise.journal.requetes")]
    assert {d["route"] for d in donnees} == {"/"}  # l'accueil, motif vide
    ids = [d["requete_id"] for d in donnees]
    assert ids[0] == "a1b2c3d4-e5f6-mandataire" and len(set(ids)) == 4


def test_une_erreur_500_est_journalisee_sans_le_chemin_brut(db, lignes, caplog):
    """Le message de Django (« Internal Server Error: /chemin ») passe par le filtre des réglages."""
    # Au moins une fois : une reconfiguration du journal (dictConfig) ajoute les filtres sans retirer
    # les anciens, et le filtre, qui retire la requête de l'enregistrement, est sans effet la seconde fois.
    assert any(isinstance(f, requetes.CheminEnRoute) for f in logging.getLogger("django.request").filters)
    requete = RequestFactory().get("/questionnaire/jeton-secret-du-questionnaire/?cle=secret-2")
    try:
        raise RuntimeError("panne")
    except RuntimeError as erreur:  # comme django.core.handlers.exception.response_for_exception
        reponse = HttpResponseServerError()
        log_response(
            "%s: %s", reponse.reason_phrase, requete.path, response=reponse, request=requete, exception=erreur
        )
    (ligne,) = [r for r in caplog.records if r.name == "django.request"]
    formateur = logging.config.DictConfigurator(reglages.LOGGING).configure_formatter(
        dict(reglages.LOGGING["formatters"]["json"])
    )
    texte = formateur.format(ligne)
    assert "secret" not in texte and "WSGIRequest" not in texte
    donnees = json.loads(texte)
    assert donnees["message"] == "Internal Server Error: /questionnaire/<str:jeton>/"
    assert donnees["niveau"] == "ERROR" and "RuntimeError: panne" in donnees["exc_info"]


def test_journal_desactive_rien_n_est_ecrit(client, db, caplog):
    caplog.set_level(logging.WARNING, logger="balise.journal")  # BALISE_JOURNAL_REQUETES=0
    client.get("/")
    assert not [r for r in caplog.records if r.name.startswith("balise.journal")]


def test_les_sondes_ne_sont_ni_journalisees_ni_comptees(client, db, lignes):
    avant = _valeur("balise_requetes_total", {"route": "/healthz", "methode": "GET", "statut": "200"})
    assert client.get("/healthz").status_code == 200
    assert lignes("balise.journal.requetes") == []
    assert _valeur("balise_requetes_total", {"route": "/healthz", "methode": "GET", "statut": "200"}) == avant


def test_reglages_du_journal_par_variables_d_environnement():
    code = "import django; from django.conf import settings as s; django.setup(); print(s.LOGGING['loggers'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    env |= {"DJANGO_SETTINGS_MODULE": "balise.settings", "BALISE_DEBUG": "1"}
    actif = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=RACINE)
    assert "'balise.journal': {'level': 'INFO'}" in actif.stdout, actif.stderr
    env["BALISE_JOURNAL_REQUETES"] = "0"
    coupe = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=RACINE)
    assert "'balise.journal': {'level': 'WARNING'}" in coupe.stdout, coupe.stderr


# --- Une ligne par travail de fond ----------------------------------------------------------------


def _travail(org, par) -> Travail:
    return Travail.objects.create(organisation=org, nature=Travail.Nature.LECTURE_EFFECTIFS, demande_par=par)


def test_une_ligne_par_travail_termine_echoue_ou_interrompu(org_a, admin_a, lignes):
    def reussi(travail):
        with travaux.conclure(travail):
            pass

    def refuse(travail):
        raise travaux.Echec("La ligne 12 cite Jeanne Martin, agente : colonne illisible.")

    def plante(travail):
        raise RuntimeError("détail technique interne")

    travaux.executer(_travail(org_a, admin_a).pk, reussi)
    travaux.executer(_travail(org_a, admin_a).pk, refuse)
    with pytest.raises(RuntimeError):
        travaux.executer(_travail(org_a, admin_a).pk, plante)
    sorties = lignes("balise.journal.travaux")
    donnees = [json.loads(s) for s in sorties]
    assert [(d["issue"], d["erreur"], d["niveau"]) for d in donnees] == [
        ("termine", None, "INFO"),
        ("echoue", "Echec", "INFO"),
        ("echoue", "RuntimeError", "ERROR"),
    ]
    for d in donnees:
        assert d["nature"] == "effectifs.lecture" and d["organisation"] == org_a.slug
        assert d["message"] == "travail" and d["duree_ms"] >= 0 and d["travail"]
    # Le message d'un échec peut citer le fichier déposé (données d'agents) : il reste hors du journal.
    assert "Jeanne" not in "".join(sorties) and "détail technique" not in "".join(sorties)


def test_un_travail_annule_avant_de_commencer_n_a_pas_de_ligne(org_a, admin_a, lignes):
    travail = _travail(org_a, admin_a)
    travaux.annuler(travail, admin_a)
    travaux.executer(travail.pk, lambda t: None)
    assert lignes("balise.journal.travaux") == []


# --- Compteurs -------------------------------------------------------------------------------------


def test_les_compteurs_de_requetes_et_l_histogramme_bougent(client, org_a):
    etiquettes = {"route": "/public/<slug:slug>/", "methode": "GET", "statut": "200"}
    duree = {"route": "/public/<slug:slug>/", "methode": "GET"}
    avant, avant_n = (
        _valeur("balise_requetes_total", etiquettes),
        _valeur("balise_requetes_duree_secondes_count", duree),
    )
    for _ in range(3):
        client.get(f"/public/{org_a.slug}/")
    client.get("/public/organisation-inconnue/")
    assert _valeur("balise_requetes_total", etiquettes) == avant + 3
    assert _valeur("balise_requetes_duree_secondes_count", duree) == avant_n + 4
    assert _valeur("balise_requetes_total", {**etiquettes, "statut": "404"}) >= 1
    # Une méthode inventée ne crée pas de série à son nom : elle compte sous « autre ».
    accueil = {"route": "/", "methode": "autre"}
    statut = str(client.generic("BROUTER", "/").status_code)
    assert _valeur("balise_requetes_total", {**accueil, "statut": statut}) >= 1
    assert "BROUTER" not in metriques.exposition().decode()


def _erreurs_base(nom: str) -> float:
    return _valeur("balise_erreurs_base_total", {"erreur": nom})


def test_une_erreur_de_requete_sql_est_comptee_une_fois(db):
    nom = "OperationalError" if connection.vendor == "sqlite" else "ProgrammingError"
    avant = _erreurs_base(nom)
    with pytest.raises(DatabaseError) as erreur, transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("SELECT * FROM table_qui_n_existe_pas")
    assert type(erreur.value).__name__ == nom
    assert _erreurs_base(nom) == avant + 1
    # Déjà comptée : la voir passer de nouveau (signal de la requête en échec) ne la recompte pas.
    erreurs.compter_base(erreur.value)
    assert _erreurs_base(nom) == avant + 1
    # L'enveloppe est posée une fois par connexion (signal connection_created de l'application).
    assert connection.execute_wrappers.count(erreurs._executer) == 1


def test_une_requete_web_qui_echoue_sur_la_base_est_comptee(monkeypatch, db):
    def panne():
        raise OperationalError("connexion perdue")

    monkeypatch.setattr("balise.vues_generales._registres_publics", panne)
    avant = _erreurs_base("OperationalError")
    assert Client(raise_request_exception=False).get("/").status_code == 500
    assert _erreurs_base("OperationalError") == avant + 1


def test_les_erreurs_du_cache_partage_sont_comptees(db, tmp_path):
    redis = erreurs.RedisComptee("redis://127.0.0.1:1/0", {"OPTIONS": {}})
    etiquettes = {"cache": "partage", "erreur": "ConnectionError"}
    avant = _valeur("balise_erreurs_cache_total", etiquettes)
    with pytest.raises(Exception, match="onnect"):
        redis.get("cle")
    assert _valeur("balise_erreurs_cache_total", etiquettes) == avant + 1
    # Le dossier du cache remplacé par un fichier (disque démonté, erreur d'exploitation).
    dossier = tmp_path / "partage"
    disque = erreurs.FichiersComptee(str(dossier), {})
    disque.set("cle", 1)
    shutil.rmtree(dossier)
    dossier.write_text("")

    def erreurs_disque() -> float:
        return sum(
            _valeur("balise_erreurs_cache_total", {"cache": "partage", "erreur": n})
            for n in ("FileExistsError", "NotADirectoryError")
        )

    avant_disque = erreurs_disque()
    with pytest.raises(OSError):
        disque.set("cle", 2)
    assert erreurs_disque() == avant_disque + 1
    # Une clé absente n'est pas une erreur de stockage.
    bon = erreurs.FichiersComptee(str(tmp_path / "bon"), {})
    with pytest.raises(ValueError):
        bon.incr("absente")


# --- Collecteur des travaux --------------------------------------------------------------------


def test_le_collecteur_compte_exactement_les_travaux_en_base(org_a, org_b, admin_a, admin_b):
    drh = fabrique.membre(org_a, "rh", "drh-a@exemple.fr")
    metiers.deposer(org_a, drh, "e.csv", DESORDONNE.read_bytes())  # lecture en attente, tâche en file
    ancien = _travail(org_b, admin_b)
    Travail.objects.filter(pk=ancien.pk).update(cree_le=timezone.now() - timedelta(minutes=10))
    for etat in ("en_cours", "echoue", "echoue", "termine", "annule"):
        Travail.objects.create(
            organisation=org_b, nature=Travail.Nature.TRAITEMENT_EFFECTIFS, demande_par=admin_b, etat=etat
        )
    attendu = {
        ("effectifs.lecture", "en_attente"): 2,
        ("effectifs.traitement", "en_cours"): 1,
        ("effectifs.traitement", "echoue"): 2,
        ("effectifs.traitement", "termine"): 1,
        ("effectifs.traitement", "annule"): 1,
    }
    for nature in Travail.Nature.values:
        for etat in Travail.Etat.values:
            valeur = _valeur("balise_travaux", {"nature": nature, "etat": etat})
            assert valeur == attendu.get((nature, etat), 0), (nature, etat)
    assert 599 <= _valeur("balise_travaux_attente_plus_longue_secondes") <= 660
    assert (
        _valeur("balise_file_taches", {"etat": "READY"})
        == DBTaskResult.objects.filter(status="READY").count()
        == 1
    )
    assert _valeur("balise_collecte_base") == 1


def test_base_injoignable_la_collecte_repond_quand_meme(monkeypatch, db):
    def panne(*args, **kwargs):
        raise OperationalError("base arrêtée")

    monkeypatch.setattr(Travail.objects, "values_list", panne)
    familles = {f.name: f for f in text_string_to_metric_families(metriques.exposition().decode())}
    assert familles["balise_collecte_base"].samples[0].value == 0
    assert "balise_travaux" not in familles and "balise_requetes" in familles


# --- Format et accès -------------------------------------------------------------------------------


def test_le_format_est_lu_par_le_parseur_de_prometheus(client, org_a, settings):
    settings.METRIQUES_JETON = JETON
    client.get(f"/public/{org_a.slug}/")
    reponse = client.get("/metriques", HTTP_AUTHORIZATION=f"Bearer {JETON}")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/plain; version=")
    assert reponse["Cache-Control"] == "no-store"
    familles = {f.name: f for f in text_string_to_metric_families(reponse.content.decode())}
    for nom in (
        "balise_requetes",
        "balise_requetes_duree_secondes",
        "balise_erreurs_base",
        "balise_erreurs_cache",
        "balise_travaux",
        "balise_travaux_attente_plus_longue_secondes",
        "balise_file_taches",
        "balise_collecte_base",
        "process_resident_memory_bytes",
    ):
        assert nom in familles, nom
    assert familles["balise_requetes"].type == "counter"
    assert familles["balise_requetes_duree_secondes"].type == "histogram"
    echantillons = [s for s in familles["balise_requetes"].samples if s.name == "balise_requetes_total"]
    assert any(s.labels["route"] == "/public/<slug:slug>/" and s.value >= 1 for s in echantillons)
    # Aucune étiquette ne porte de chemin brut ni d'identifiant d'organisation.
    assert org_a.slug not in reponse.content.decode()


def _metriques(client: Client, **entetes) -> int:
    return client.get("/metriques", **entetes).status_code


def test_rien_de_configure_ferme_a_tous(client, db, settings):
    assert settings.METRIQUES_ADRESSES == [] and settings.METRIQUES_JETON == ""
    assert _metriques(client) == 404  # même depuis 127.0.0.1
    assert _metriques(client, HTTP_AUTHORIZATION="Bearer ") == 404


def test_acces_par_adresse_ou_reseau_declares(db, settings):
    settings.METRIQUES_ADRESSES = ["10.0.0.0/24", "2001:db8::1/128"]
    assert _metriques(Client(REMOTE_ADDR="10.0.0.7")) == 200
    assert _metriques(Client(REMOTE_ADDR="::ffff:10.0.0.8")) == 200
    assert _metriques(Client(REMOTE_ADDR="2001:db8::1")) == 200
    assert _metriques(Client(REMOTE_ADDR="10.0.1.7")) == 404
    assert _metriques(Client(REMOTE_ADDR="127.0.0.1")) == 404
    # Même permise, l'adresse ne sert que la lecture.
    assert Client(REMOTE_ADDR="10.0.0.7").head("/metriques").status_code == 404


def test_derriere_un_mandataire_c_est_l_adresse_reelle_qui_compte(db, settings):
    settings.PROXIES_DE_CONFIANCE = ["10.9.9.9/32"]
    settings.METRIQUES_ADRESSES = ["192.0.2.10"]
    par_le_mandataire = Client(REMOTE_ADDR="10.9.9.9")
    assert _metriques(par_le_mandataire, HTTP_X_FORWARDED_FOR="192.0.2.10") == 200
    assert _metriques(par_le_mandataire, HTTP_X_FORWARDED_FOR="192.0.2.10, 198.51.100.4") == 404
    # Un client qui écrit lui-même l'en-tête n'est pas cru.
    assert _metriques(Client(REMOTE_ADDR="203.0.113.5"), HTTP_X_FORWARDED_FOR="192.0.2.10") == 404
    # Le mandataire lui-même n'est pas une adresse permise.
    settings.METRIQUES_ADRESSES = ["192.0.2.10", "10.9.9.9"]
    assert _metriques(par_le_mandataire, HTTP_X_FORWARDED_FOR="198.51.100.4") == 404


def test_acces_par_jeton_juste_seulement(client, db, settings, monkeypatch):
    settings.METRIQUES_JETON = JETON
    comparaisons = []
    vraie = hmac.compare_digest
    monkeypatch.setattr(acces.hmac, "compare_digest", lambda a, b: comparaisons.append((a, b)) or vraie(a, b))
    assert _metriques(client, HTTP_AUTHORIZATION=f"Bearer {JETON}") == 200
    assert _metriques(client, HTTP_AUTHORIZATION=f"bearer {JETON}") == 200
    assert comparaisons[0] == (JETON.encode(), JETON.encode())  # comparaison en temps constant
    assert _metriques(client, HTTP_AUTHORIZATION=f"Bearer {JETON[:-1]}x") == 404
    assert _metriques(client, HTTP_AUTHORIZATION=f"Bearer {JETON}x") == 404
    assert _metriques(client, HTTP_AUTHORIZATION=f"Basic {JETON}") == 404
    assert _metriques(client) == 404
    settings.METRIQUES_ACTIVES = False
    assert _metriques(client, HTTP_AUTHORIZATION=f"Bearer {JETON}") == 404


def test_un_refus_ressemble_a_une_adresse_inexistante(db, settings, admin_a):
    settings.METRIQUES_JETON = JETON
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)  # un compte, même administrateur, ne donne pas les métriques
    refus = client.get("/metriques", HTTP_AUTHORIZATION="Bearer faux")
    inexistante = client.get("/metriques-pas-la", HTTP_AUTHORIZATION="Bearer faux")
    assert refus.status_code == inexistante.status_code == 404
    # Le nonce CSP et le jeton CSRF masqué changent à chaque page.
    sans_nonce = re.compile(rb'(nonce|value)="[^"]*"')
    assert sans_nonce.sub(b"", refus.content) == sans_nonce.sub(b"", inexistante.content)
    assert refus["Content-Type"] == inexistante["Content-Type"]


def test_permise_en_http_a_l_adresse_ip_du_serveur_en_production(db, settings):
    """Prometheus collecte en HTTP, à l'adresse IP : ni redirection HTTPS ni contrôle du nom d'hôte."""
    settings.METRIQUES_ADRESSES = ["10.0.0.0/24"]
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["balise.exemple.fr"]
    assert _metriques(Client(REMOTE_ADDR="10.0.0.7", HTTP_HOST="10.0.0.5:8000")) == 200
    # Refusée : le chemin ordinaire de toute adresse (ici, la redirection HTTPS de l'hôte connu).
    refus = Client(REMOTE_ADDR="10.0.1.7", HTTP_HOST="balise.exemple.fr").get("/metriques")
    assert refus.status_code == 301


def test_reglages_de_l_acces_verifies_au_demarrage():
    code = "import django; from django.conf import settings as s; django.setup(); print(s.METRIQUES_ADRESSES)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    env |= {"DJANGO_SETTINGS_MODULE": "balise.settings", "BALISE_DEBUG": "1"}

    def lancer(**variables):
        return subprocess.run(
            [sys.executable, "-c", code], env={**env, **variables}, capture_output=True, text=True, cwd=RACINE
        )

    assert lancer(BALISE_METRIQUES_ADRESSES="127.0.0.1, 10.0.0.0/8").stdout.strip() == (
        "['127.0.0.1/32', '10.0.0.0/8']"
    )
    illisible = lancer(BALISE_METRIQUES_ADRESSES="prometheus.interne")
    assert illisible.returncode != 0 and "BALISE_METRIQUES_ADRESSES" in illisible.stderr
    court = lancer(BALISE_METRIQUES_JETON="trop-court")
    assert court.returncode != 0 and "32 caractères" in court.stderr


# --- Plusieurs processus (gunicorn -w N) : PROMETHEUS_MULTIPROC_DIR ---------------------------------

_PROCESSUS = """
import os, sys, django
django.setup()
from django.http import HttpResponseServerError
from django.test import Client, RequestFactory
from django.utils.log import log_response
from prometheus_client.parser import text_string_to_metric_families
client = Client()
for _ in range(int(sys.argv[1])):
    assert client.get("/adresse-inconnue/").status_code == 404
if sys.argv[2] == "collecter":
    from balise.observabilite import metriques
    texte = metriques.exposition().decode()
    for famille in text_string_to_metric_families(texte):
        for s in famille.samples:
            if s.name == "balise_requetes_total" and s.labels["statut"] == "404":
                print("total", s.value)
            if s.name == "balise_collecte_base":
                print("base", s.value)
"""


def test_mode_multiprocessus_additionne_les_compteurs_de_chaque_processus(tmp_path):
    dossier = tmp_path / "prometheus"
    dossier.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.reglages",
        "PROMETHEUS_MULTIPROC_DIR": str(dossier),
        # Base vide (aucune table) : la collecte des travaux échoue, le reste est servi.
        "BALISE_DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}",
        "BALISE_CACHE_PARTAGE": str(tmp_path / "partage"),
        "BALISE_ALLOWED_HOSTS": "testserver",
    }

    def processus(n: int, action: str) -> str:
        fini = subprocess.run(
            [sys.executable, "-c", _PROCESSUS, str(n), action],
            env=env,
            capture_output=True,
            text=True,
            cwd=RACINE,
        )
        assert fini.returncode == 0, fini.stderr
        return fini.stdout

    processus(3, "-")
    processus(4, "-")
    sortie = processus(2, "collecter")
    assert "total 9.0" in sortie and "base 0.0" in sortie
    assert len(list(dossier.glob("*.db"))) >= 3
