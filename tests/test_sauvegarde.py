"""Sauvegarde et restauration (balise/exploitation) : après `restaurer`, l'état, les pages publiques et les
sessions sont exactement ceux de la sauvegarde ; une sauvegarde d'une version plus récente, altérée ou
d'un autre moteur est refusée sans rien changer ; une sauvegarde faite pendant des écritures est celle
d'un instant ; une restauration par-dessus une base SQLite en service (WAL) réussit entière ou échoue
bruyamment.

Les tests passent sur la base de test (SQLite en mémoire ou PostgreSQL `test_…`) ou, pour le WAL, sur une
base SQLite dans un dossier temporaire servie à des processus `manage.py` : jamais sur var/.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from balise.comptes.models import Utilisateur
from balise.exploitation import manifeste as m
from balise.exploitation import postgresql as postgresql_exploitation
from balise.exploitation import services as exploitation
from balise.exploitation import sqlite as sqlite_exploitation
from balise.organisations import logos
from balise.organisations import services as organisations
from balise.programme.models import Action
from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique, instantane

RACINE = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("BALISE_TEST_REDIS_URL")
MOT_DE_PASSE = "mot-de-passe-tres-long-42"
base = pytest.mark.django_db(transaction=True)  # sauvegarder et restaurer se font hors de toute transaction
sqlite_seulement = pytest.mark.skipif(connection.vendor != "sqlite", reason="base SQLite en fichier (WAL)")
postgresql_seulement = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")


@pytest.fixture
def partage(request, settings, _cache_propre):
    """Le cache partagé des réglages par défaut (fichiers), ou Redis (plusieurs machines)."""
    if getattr(request, "param", "fichiers") == "redis":
        if not REDIS:
            pytest.skip("BALISE_TEST_REDIS_URL absente : `make test` démarre Redis et la pose")
        settings.CACHES = {
            **settings.CACHES,
            "partage": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
        }
        caches["partage"].clear()  # base Redis réservée aux tests
    return getattr(request, "param", "fichiers")


def _media() -> Path:
    return Path(settings.MEDIA_ROOT)


def _etat() -> dict:
    """Les données des organisations et leur historique, les personnes, les sessions et le contenu de
    chaque document déposé."""
    etat = instantane.photo()
    etat["personnes"] = list(
        Utilisateur.objects.order_by("pk").values("pk", "email", "password", "is_active")
    )
    etat["sessions"] = sorted(Session.objects.values_list("session_key", "session_data"))
    etat["migrations"] = sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))
    media = _media()
    etat["contenus"] = (
        {c: (media / c).read_bytes() for c in m.lister_fichiers(media)} if media.is_dir() else {}
    )
    return etat


def _sans_nonce(reponse) -> str:
    assert reponse.status_code == 200
    return re.sub(r'nonce="[^"]+"', 'nonce=""', reponse.content.decode())


def _connecter(personne: Utilisateur) -> Client:
    client = Client()
    reponse = client.post("/comptes/connexion/", {"username": personne.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302
    return client


def _avec_cookie(valeur: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = valeur
    return client


def _restaurer(dossier: Path, **options) -> str:
    sortie = io.StringIO()
    call_command("restaurer", str(dossier), interactive=False, stdout=sortie, **options)
    return sortie.getvalue()


def _sauvegarder(dossier: Path) -> m.Manifeste:
    call_command("sauvegarder", str(dossier), stdout=io.StringIO())
    return m.lire(dossier)


def _reecrire_manifeste(dossier: Path, **changements) -> None:
    chemin = dossier / m.NOM_MANIFESTE
    donnees = json.loads(chemin.read_text())
    donnees.update(changements)
    chemin.write_text(json.dumps(donnees))


# --------------------------------------------------------------------------------------------------
# Sauvegarder, changer, restaurer : tout redevient comme à la sauvegarde
# --------------------------------------------------------------------------------------------------


@base
@pytest.mark.parametrize("partage", ["fichiers", "redis"], indirect=True)
def test_restaurer_rend_l_etat_les_pages_publiques_et_les_sessions_de_la_sauvegarde(
    partage, org_a, referent_a, tmp_path
):
    publie = fabrique.systeme(org_a, referent_a, nom="Détection des fuites", contribution_decision="Aide.")
    services.publier(publie.pk, True, referent_a, publie.version)
    brouillon = fabrique.systeme(org_a, referent_a, nom="Tri du courrier", contribution_decision="Aide.")
    document = instantane.document(publie, referent_a)
    public, liste = f"/public/{org_a.slug}/", f"/o/{org_a.slug}/registre/"
    visiteur = Client()
    page_sauvegardee = _sans_nonce(visiteur.get(public))
    assert "Détection des fuites" in page_sauvegardee and "Tri du courrier" not in page_sauvegardee
    session_d_avant = _connecter(referent_a).cookies["sessionid"].value
    assert _avec_cookie(session_d_avant).get(liste).status_code == 200
    etat = _etat()
    _sauvegarder(tmp_path / "sauvegarde")

    # Après la sauvegarde : une fiche modifiée, une autre publiée, un document ajouté, le fichier d'un
    # autre abîmé, la session d'avant fermée, une nouvelle ouverte, la page publique changée (et gardée
    # en cache sous la nouvelle génération).
    publie.refresh_from_db()
    services.modifier_systeme(publie.pk, {"nom": "Fuites, version 2"}, publie.version, referent_a)
    services.publier(brouillon.pk, True, referent_a, brouillon.version)
    instantane.document(brouillon, referent_a, "Cahier des charges")
    (_media() / document.fichier.name).write_bytes(b"%PDF-1.4 abime\n")
    _avec_cookie(session_d_avant).post("/comptes/deconnexion/")
    assert _avec_cookie(session_d_avant).get(liste).status_code == 302
    session_d_apres = _connecter(referent_a).cookies["sessionid"].value
    page_changee = _sans_nonce(visiteur.get(public))
    assert "Fuites, version 2" in page_changee and "Tri du courrier" in page_changee
    assert _etat() != etat

    sortie = _restaurer(tmp_path / "sauvegarde")

    assert "cache partagé vidé" in sortie and "1 remplacé(s), 1 retiré(s)" in sortie
    apres = _etat()
    assert apres == etat, instantane.differences(etat, apres)
    # La page gardée en mémoire sous l'ancienne génération n'est plus servie (ce processus n'a vidé que le
    # cache partagé, comme un processus web en service qui n'a rien vu de la restauration).
    assert _sans_nonce(visiteur.get(public)) == page_sauvegardee
    assert _avec_cookie(session_d_avant).get(liste).status_code == 200
    assert _avec_cookie(session_d_apres).get(liste).status_code == 302
    assert SystemeIA.objects.get(pk=publie.pk).nom == "Détection des fuites"


@base
def test_la_sauvegarde_decrit_ce_qu_elle_contient(org_a, referent_a, tmp_path):
    systeme = fabrique.systeme(org_a, referent_a)
    document = instantane.document(systeme, referent_a)
    perdu = instantane.document(systeme, referent_a, "Fichier disparu du disque")
    (_media() / perdu.fichier.name).unlink()
    dossier = tmp_path / "sauvegarde"

    sortie = io.StringIO()
    erreurs = io.StringIO()
    call_command("sauvegarder", str(dossier), stdout=sortie, stderr=erreurs)
    manifeste = m.lire(dossier)

    assert "Sauvegarde écrite" in sortie.getvalue() and perdu.fichier.name in erreurs.getvalue()
    assert manifeste.version == exploitation.version_balise()
    assert manifeste.moteur == connection.vendor
    assert manifeste.date.tzinfo is not None
    appliquees = set(MigrationRecorder(connection).applied_migrations())
    assert {(app, nom) for app, noms in manifeste.migrations.items() for nom in noms} == appliquees
    assert manifeste.comptes["registre_systemeia"] == 1
    assert manifeste.comptes["registre_document"] == 2
    assert manifeste.comptes["comptes_utilisateur"] == Utilisateur.objects.count()
    assert manifeste.comptes["django_migrations"] == len(appliquees)
    assert manifeste.base == m.empreinte(dossier / manifeste.fichier_base)
    assert manifeste.documents == {
        document.fichier.name: m.Empreinte(
            sha256=hashlib.sha256(instantane.PDF).hexdigest(), octets=len(instantane.PDF)
        )
    }
    assert manifeste.documents_absents == [perdu.fichier.name]
    assert (dossier / m.DOSSIER_DOCUMENTS / document.fichier.name).read_bytes() == instantane.PDF
    # Données personnelles : lisible de son seul propriétaire.
    assert dossier.stat().st_mode & 0o777 == 0o700
    assert (dossier / m.NOM_MANIFESTE).stat().st_mode & 0o777 == 0o600
    # Une sauvegarde par dossier ; jamais dans le dossier des documents.
    with pytest.raises(CommandError, match="n'est pas un dossier vide"):
        call_command("sauvegarder", str(dossier))
    with pytest.raises(CommandError, match="l'un dans l'autre"):
        call_command("sauvegarder", str(_media() / "sauvegarde"))
    assert not (_media() / "sauvegarde").exists()


# --------------------------------------------------------------------------------------------------
# Refus : rien n'est changé
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def sauvegarde_puis_changements(org_a, referent_a, tmp_path):
    """Une sauvegarde, puis une fiche ajoutée, un document ajouté et un retiré du disque ; un témoin
    dans le cache partagé. Renvoie le dossier et l'état (et le témoin) qu'un refus doit laisser."""
    systeme = fabrique.systeme(org_a, referent_a, nom="Avant la sauvegarde")
    premier = instantane.document(systeme, referent_a)
    dossier = tmp_path / "sauvegarde"
    _sauvegarder(dossier)
    fabrique.systeme(org_a, referent_a, nom="Après la sauvegarde")
    instantane.document(systeme, referent_a, "Ajouté après")
    (_media() / premier.fichier.name).unlink()  # la restauration devrait l'ajouter : un refus, non
    caches["partage"].set("temoin", "présent")
    return dossier, _etat()


def _rien_n_a_change(etat: dict) -> None:
    apres = _etat()
    assert apres == etat, instantane.differences(etat, apres)
    assert caches["partage"].get("temoin") == "présent"  # cache non vidé


@base
def test_refuse_une_sauvegarde_d_une_version_plus_recente(org_a, referent_a, tmp_path):
    # Une version plus récente a appliqué une migration que ce code ne connaît pas.
    enregistreur = MigrationRecorder(connection)
    enregistreur.record_applied("registre", "9999_version_future")
    fabrique.systeme(org_a, referent_a)
    _sauvegarder(tmp_path / "future")
    enregistreur.record_unapplied("registre", "9999_version_future")
    fabrique.systeme(org_a, referent_a, nom="Après")
    caches["partage"].set("temoin", "présent")
    etat = _etat()

    with pytest.raises(CommandError, match=r"version plus récente.*registre\.9999_version_future") as refus:
        _restaurer(tmp_path / "future")
    assert "Rien n'a été changé" in str(refus.value)
    _rien_n_a_change(etat)


def _abimer_la_base(dossier: Path) -> None:
    fichier = next(f for f in dossier.iterdir() if f.name.startswith("base."))
    contenu = bytearray(fichier.read_bytes())
    contenu[len(contenu) // 2] ^= 0xFF
    fichier.write_bytes(bytes(contenu))


def _un_document(dossier: Path) -> Path:
    return next(p for p in (dossier / m.DOSSIER_DOCUMENTS).rglob("*") if p.is_file())


def _chemin_hors_du_dossier(dossier: Path) -> None:
    donnees = json.loads((dossier / m.NOM_MANIFESTE).read_text())
    _chemin, empreinte = donnees["documents"].popitem()
    donnees["documents"]["../../../etc/cron.d/balise"] = empreinte
    (dossier / m.NOM_MANIFESTE).write_text(json.dumps(donnees))


AUTRE_MOTEUR = "postgresql" if connection.vendor == "sqlite" else "sqlite"
REFUS = {
    "version": (
        lambda d: _reecrire_manifeste(d, version="99.0.0"),
        r"version plus récente de Balise \(99\.0\.0 ; cette installation",
    ),
    "moteur": (
        lambda d: _reecrire_manifeste(d, moteur=AUTRE_MOTEUR),
        "d'un moteur de base de données à l'autre n'est pas prise en charge",
    ),
    "base abîmée": (
        _abimer_la_base,
        r"altérée \(la copie de la base \(base\.\w+\) n'est plus celle qui a été sauvegardée",
    ),
    "document modifié": (
        lambda d: _un_document(d).write_bytes(b"%PDF-1.4 autre"),
        "n'est plus celui qui a été sauvegardé",
    ),
    "document manquant": (lambda d: _un_document(d).unlink(), r"le document org-\d+/\w+\.pdf manque"),
    "document en trop": (
        lambda d: (_un_document(d).parent / "intrus.pdf").write_bytes(b"x"),
        "n'est pas dans le manifeste",
    ),
    "manifeste illisible": (
        lambda d: (d / m.NOM_MANIFESTE).write_text('{"format": 1, "vers'),
        "manifeste.json est illisible",
    ),
    "manifeste absent": (lambda d: (d / m.NOM_MANIFESTE).unlink(), "ce n'est pas une sauvegarde de Balise"),
    "manifeste invalide": (
        lambda d: _reecrire_manifeste(d, comptes="beaucoup"),
        "manifeste.json n'est pas valide : comptes",
    ),
    # Sans elle, pg_restore ne peut être comparé à pg_dump (la restauration échouait sur une AttributeError).
    "outil sans version": (
        lambda d: _reecrire_manifeste(d, outil="pg_dump"),
        "manifeste.json n'est pas valide : outil",
    ),
    "chemin hors du dossier": (_chemin_hors_du_dossier, "chemin de document invalide"),
}


@base
def test_refuse_sans_rien_changer_une_sauvegarde_plus_recente_d_un_autre_moteur_ou_alteree(
    sauvegarde_puis_changements, tmp_path
):
    dossier, etat = sauvegarde_puis_changements
    for cas, (alteration, message) in REFUS.items():
        copie = tmp_path / cas
        shutil.copytree(dossier, copie)
        alteration(copie)
        with pytest.raises(CommandError, match=message):
            _restaurer(copie)
        _rien_n_a_change(etat)
    assert not Path("/etc/cron.d/balise").exists()


@base
def test_une_base_restauree_qui_differe_du_manifeste_est_annulee(sauvegarde_puis_changements):
    """La vérification faite dans la transaction de restauration : si la base obtenue n'est pas celle du
    manifeste, tout est annulé (la base, et les documents ajoutés avant elle)."""
    dossier, etat = sauvegarde_puis_changements
    donnees = json.loads((dossier / m.NOM_MANIFESTE).read_text())
    donnees["comptes"]["registre_systemeia"] += 1
    (dossier / m.NOM_MANIFESTE).write_text(json.dumps(donnees))
    with pytest.raises(
        CommandError, match="ne correspond pas au manifeste.*registre_systemeia : 1 lignes au lieu de 2"
    ):
        _restaurer(dossier)
    _rien_n_a_change(etat)


def _connexion_postgresql(nom: str | None = None, **options) -> psycopg.Connection:
    reglages = connection.settings_dict
    return psycopg.connect(
        dbname=nom or reglages["NAME"],
        host=reglages["HOST"] or None,
        port=reglages["PORT"] or None,
        user=reglages["USER"] or None,
        password=reglages["PASSWORD"] or None,
        **options,
    )


def _url_postgresql(nom: str) -> str:
    """L'adresse (BALISE_DATABASE_URL) d'une autre base du serveur de test."""
    reglages = connection.settings_dict
    identite = quote(reglages["USER"] or "") + (
        f":{quote(reglages['PASSWORD'])}" if reglages["PASSWORD"] else ""
    )
    hote, port = reglages["HOST"] or "", f":{reglages['PORT']}" if reglages["PORT"] else ""
    if hote.startswith("/"):  # socket Unix
        return f"postgres://{identite}@{port}/{nom}?host={quote(hote)}"
    return f"postgres://{identite}@{hote}{port}/{nom}"


@base
@postgresql_seulement
def test_restaurer_attend_puis_echoue_si_une_transaction_tient_la_base(sauvegarde_puis_changements):
    dossier, etat = sauvegarde_puis_changements
    autre = _connexion_postgresql()  # Balise en service, au milieu d'une requête longue
    try:
        autre.execute(
            "SELECT COUNT(*) FROM registre_systemeia"
        ).fetchone()  # transaction ouverte, table prise
        with pytest.raises(CommandError, match="La base est occupée.*Rien n'a été changé"):
            _restaurer(dossier, attente=0.5)
    finally:
        autre.close()
    _rien_n_a_change(etat)


@base
@postgresql_seulement
def test_sans_les_outils_de_postgresql_rien_n_est_ecrit_ni_change(
    sauvegarde_puis_changements, settings, tmp_path
):
    dossier, etat = sauvegarde_puis_changements
    settings.PG_BIN = str(tmp_path / "sans-outils")  # BALISE_PG_BIN vers un dossier sans pg_dump
    with pytest.raises(CommandError, match=r"pg_dump est introuvable dans .*sans-outils \(BALISE_PG_BIN\)"):
        call_command("sauvegarder", str(tmp_path / "nouvelle"))
    assert not (tmp_path / "nouvelle").exists()
    assert not [p for p in tmp_path.iterdir() if "partielle" in p.name]
    with pytest.raises(CommandError, match="pg_restore est introuvable"):
        _restaurer(dossier)
    _rien_n_a_change(etat)


@base
def test_restaurer_demande_confirmation(sauvegarde_puis_changements, monkeypatch):
    dossier, etat = sauvegarde_puis_changements
    monkeypatch.setattr("builtins.input", lambda invite: "non")
    sortie = io.StringIO()
    call_command("restaurer", str(dossier), stdout=sortie)
    assert "Elle va remplacer la base" in sortie.getvalue() and "rien n'a été changé" in sortie.getvalue()
    _rien_n_a_change(etat)


# --------------------------------------------------------------------------------------------------
# Sauvegarde d'une version plus ancienne : restaurée, puis migrée
# --------------------------------------------------------------------------------------------------


def _applications_dependantes(application: str) -> set[str]:
    """Les applications dont une migration dépend d'une migration de `application`."""
    graphe = MigrationLoader(connection, ignore_no_migrations=True).graph
    return {
        cle[0]
        for cle in graphe.nodes
        if cle[0] != application and any(parent[0] == application for parent in graphe.node_map[cle].parents)
    }


@base
def test_une_sauvegarde_plus_ancienne_est_restauree_puis_migree(org_a, referent_a, tmp_path):
    systeme = fabrique.systeme(org_a, referent_a, nom="Fiche de l'ancienne version")
    # La base d'une version d'avant la feuille de route (application dont aucune autre ne dépend) : ce
    # que fait le retour de ses migrations (ses tables supprimées), sans la commande migrate, lente.
    assert _applications_dependantes("programme") == set(), "choisir une application sans dépendantes"
    enregistreur = MigrationRecorder(connection)
    migrations = sorted(nom for app, nom in enregistreur.applied_migrations() if app == "programme")
    modeles = list(apps.get_app_config("programme").get_models())
    with connection.schema_editor() as editeur:
        for modele in modeles:
            editeur.delete_model(modele)
    for nom in migrations:
        enregistreur.record_unapplied("programme", nom)
    try:
        manifeste = _sauvegarder(tmp_path / "ancienne")
    finally:
        with connection.schema_editor() as editeur:
            for modele in modeles:
                editeur.create_model(modele)
        for nom in migrations:
            enregistreur.record_applied("programme", nom)
    assert "programme" not in manifeste.migrations
    assert not any(table.startswith("programme_") for table in manifeste.comptes)

    sortie = _restaurer(tmp_path / "ancienne")

    appliquees = ", ".join(f"programme.{nom}" for nom in migrations)
    assert f"Balise {exploitation.version_balise()} : migrations appliquées ensuite : {appliquees}." in sortie
    assert enregistreur.migration_qs.filter(app="programme", name="0001_initial").exists()
    assert Action.objects.count() == 0  # ses tables existent de nouveau
    assert SystemeIA.objects.get(pk=systeme.pk).nom == "Fiche de l'ancienne version"


@base
def test_restaurer_sur_une_base_neuve_reprend_tout(org_a, referent_a, tmp_path):
    """Reprise après sinistre : une machine neuve, une base vide (sans `migrate`), aucun document. Les
    logos des organisations sont en base (docs/identite-visuelle.md) : ils reviennent avec elle."""
    systeme = fabrique.systeme(org_a, referent_a)
    document = instantane.document(systeme, referent_a)
    logo = logos.nettoyer(SimpleUploadedFile("logo.png", fabrique.image(taille=(300, 100))))
    organisations.deposer_logo(org_a.pk, logo, org_a.version, referent_a)
    logos_gardes = (
        "SELECT o.logo, l.png FROM organisations_logo l"
        " JOIN organisations_organisation o ON o.id = l.organisation_id"
    )
    manifeste = _sauvegarder(tmp_path / "sauvegarde")
    neuve = tmp_path / "machine-neuve"
    neuve.mkdir()
    nom_pg = f"{connection.settings_dict['NAME']}_neuve"
    if connection.vendor == "sqlite":
        url = f"sqlite:///{neuve / 'balise.sqlite3'}"
    else:
        with _connexion_postgresql("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{nom_pg}"')
            admin.execute(f'CREATE DATABASE "{nom_pg}"')
        url = _url_postgresql(nom_pg)
    try:
        resultat = _manage(url, neuve)("restaurer", str(tmp_path / "sauvegarde"), "--noinput")
        assert resultat.returncode == 0, resultat.stderr
        assert "1 document(s) (1 ajouté(s)" in resultat.stdout
        assert (neuve / "documents" / document.fichier.name).read_bytes() == instantane.PDF
        if connection.vendor == "sqlite":
            base_neuve = sqlite3.connect(neuve / "balise.sqlite3")
            releve = sqlite_exploitation.relever(base_neuve)
            restaures = base_neuve.execute(logos_gardes).fetchall()
        else:
            with _connexion_postgresql(nom_pg) as base_neuve, base_neuve.cursor() as curseur:
                releve = postgresql_exploitation.relever(curseur, "public")
                restaures = curseur.execute(logos_gardes).fetchall()
        assert m.ecarts(releve, manifeste) == []
        assert [(empreinte, bytes(png)) for empreinte, png in restaures] == [(logo.empreinte, logo.png)]
    finally:
        if connection.vendor == "postgresql":
            with _connexion_postgresql("postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{nom_pg}" WITH (FORCE)')


# --------------------------------------------------------------------------------------------------
# Pendant que Balise écrit : la sauvegarde est celle d'un instant
# --------------------------------------------------------------------------------------------------


class Ecrivain(threading.Thread):
    """Écrit sans arrêt, chaque fois dans une transaction, une session et un type de contenu : dans toute
    copie d'un instant, il y a autant des uns que des autres (en plus de ceux d'avant)."""

    def __init__(self, connecter, parametre: str):
        super().__init__(daemon=True)
        self.connecter, self.p = connecter, parametre
        self.ecrites = 0
        self.arret = threading.Event()
        self.erreur: BaseException | None = None

    def run(self) -> None:
        try:
            base = self.connecter()
            try:
                while not self.arret.is_set():
                    n = self.ecrites + 1
                    p = self.p
                    # Une transaction (ouverte d'elle-même par sqlite3 comme par psycopg).
                    base.execute(
                        f"INSERT INTO django_session (session_key, session_data, expire_date) VALUES ({p}, 'x', {p})",  # noqa: S608 — {p} est le marqueur de paramètre du pilote
                        (f"ecrivain{n:08d}", "2999-01-01 00:00:00+00"),
                    )
                    base.execute(
                        f"INSERT INTO django_content_type (app_label, model) VALUES ('ecrivain', {p})",  # noqa: S608 — idem
                        (f"m{n}",),
                    )
                    base.commit()
                    self.ecrites = n
                    time.sleep(0.002)
            finally:
                base.close()
        except BaseException as erreur:  # noqa: BLE001 — remonté au test
            self.erreur = erreur

    def attendre(self, nombre: int) -> int:
        while self.ecrites < nombre and self.erreur is None:
            time.sleep(0.01)
        assert self.erreur is None, self.erreur
        return self.ecrites


def _ecrites(comptes: dict[str, int], types_de_contenu_avant: int) -> int:
    sessions, types = comptes["django_session"], comptes["django_content_type"] - types_de_contenu_avant
    assert sessions == types, f"copie de deux instants : {sessions} sessions, {types} types de contenu"
    return sessions


@base
@postgresql_seulement
def test_une_sauvegarde_postgresql_pendant_des_ecritures_est_celle_d_un_instant(tmp_path):
    from django.contrib.contenttypes.models import ContentType

    types_avant = ContentType.objects.count()
    ecrivain = Ecrivain(_connexion_postgresql, "%s")
    ecrivain.start()
    try:
        avant = ecrivain.attendre(20)
        manifeste = _sauvegarder(tmp_path / "sauvegarde")
        apres = ecrivain.attendre(ecrivain.ecrites + 5)  # il écrivait encore pendant la sauvegarde
    finally:
        ecrivain.arret.set()
        ecrivain.join()
    assert avant <= _ecrites(manifeste.comptes, types_avant) <= apres
    # La copie contient exactement ce que dit le manifeste (vérifié dans la transaction de restauration).
    _restaurer(tmp_path / "sauvegarde")
    assert Session.objects.count() == manifeste.comptes["django_session"]


# --------------------------------------------------------------------------------------------------
# SQLite en fichier, en mode WAL, servie à d'autres processus
# --------------------------------------------------------------------------------------------------


def _manage(url: str, dossier: Path):
    """De quoi lancer `manage.py` sur la base `url`, comme un exploitant, avec un dossier des documents et
    un cache partagé à elle, dans `dossier`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "balise.settings",
        "BALISE_DATABASE_URL": url,
        "BALISE_MEDIA_ROOT": str(dossier / "documents"),
        "BALISE_CACHE_PARTAGE": str(dossier / "partage"),
    }

    def manage(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(RACINE / "manage.py"), *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return manage


@pytest.fixture
def base_sqlite_en_service(tmp_path):
    """Une base SQLite dans un fichier, en mode WAL, copie de la base de test migrée, et `manage.py` sur elle."""
    fichier = tmp_path / "balise.sqlite3"
    connection.ensure_connection()
    copie = sqlite3.connect(fichier)
    connection.connection.backup(copie)
    copie.execute("PRAGMA journal_mode = WAL")
    copie.close()
    return fichier, _manage(f"sqlite:///{fichier}", tmp_path)


def _ouvrir(fichier: Path) -> sqlite3.Connection:
    base = sqlite3.connect(fichier, isolation_level=None, timeout=0.1, check_same_thread=False)
    base.execute("PRAGMA wal_autocheckpoint = 0")  # ce qu'elle écrit reste dans le -wal
    base.execute("PRAGMA synchronous = NORMAL")
    return base


def _sessions(base: sqlite3.Connection) -> int:
    return base.execute("SELECT COUNT(*) FROM django_session").fetchone()[0]


@base
@sqlite_seulement
def test_restaurer_par_dessus_une_base_sqlite_en_service_avec_son_wal(base_sqlite_en_service, tmp_path):
    fichier, manage = base_sqlite_en_service
    ecrivain = _ouvrir(fichier)
    ecrivain.execute("INSERT INTO django_session VALUES ('avant', 'x', '2999-01-01')")
    resultat = manage("sauvegarder", str(tmp_path / "sauvegarde"))
    assert resultat.returncode == 0, resultat.stderr
    manifeste = m.lire(tmp_path / "sauvegarde")
    assert manifeste.comptes["django_session"] == 1

    # Balise en service : des écritures validées mais encore dans le -wal seulement, et un lecteur dont la
    # transaction est ouverte (il empêche tout point de reprise de vider le -wal).
    for n in range(200):
        ecrivain.execute("INSERT INTO django_session VALUES (?, 'x', '2999-01-01')", (f"apres{n}",))
    lecteur = _ouvrir(fichier)
    lecteur.execute("BEGIN")
    assert _sessions(lecteur) == 201
    assert Path(f"{fichier}-wal").stat().st_size > 0

    # Une écriture en cours tient la base : la restauration attend, puis échoue en le disant, sans rien changer.
    ecrivain.execute("BEGIN IMMEDIATE")
    ecrivain.execute("INSERT INTO django_session VALUES ('en-cours', 'x', '2999-01-01')")
    resultat = manage("restaurer", str(tmp_path / "sauvegarde"), "--noinput", "--attente", "0.5")
    assert resultat.returncode == 1
    assert "La base est occupée" in resultat.stderr and "Rien n'a été changé" in resultat.stderr
    ecrivain.execute("ROLLBACK")
    assert _sessions(ecrivain) == 201

    resultat = manage("restaurer", str(tmp_path / "sauvegarde"), "--noinput")
    assert resultat.returncode == 0, resultat.stderr
    assert "Restauration terminée" in resultat.stdout

    assert _sessions(lecteur) == 201  # son instantané d'avant, tant que sa transaction dure
    lecteur.execute("COMMIT")
    neuve = sqlite3.connect(fichier)
    for base_ouverte in (lecteur, ecrivain, neuve):
        assert [cle for (cle,) in base_ouverte.execute("SELECT session_key FROM django_session")] == ["avant"]
    assert neuve.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert neuve.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    releve = sqlite_exploitation.relever(neuve)
    assert m.ecarts(releve, manifeste) == []
    for base_ouverte in (lecteur, ecrivain, neuve):
        base_ouverte.close()


@base
@sqlite_seulement
def test_une_sauvegarde_sqlite_pendant_des_ecritures_est_celle_d_un_instant(base_sqlite_en_service, tmp_path):
    fichier, manage = base_sqlite_en_service
    types_avant = sqlite3.connect(fichier).execute("SELECT COUNT(*) FROM django_content_type").fetchone()[0]
    ecrivain = Ecrivain(lambda: _ouvrir_pour_ecrire(fichier), "?")
    ecrivain.start()
    try:
        avant = ecrivain.attendre(50)
        resultat = manage("sauvegarder", str(tmp_path / "sauvegarde"))
        apres = ecrivain.attendre(ecrivain.ecrites + 5)
    finally:
        ecrivain.arret.set()
        ecrivain.join()
    assert resultat.returncode == 0, resultat.stderr
    manifeste = m.lire(tmp_path / "sauvegarde")
    # Tout ce qui était validé avant la sauvegarde y est (bien que resté dans le -wal), rien n'est à moitié.
    assert avant <= _ecrites(manifeste.comptes, types_avant) <= apres
    copie = sqlite3.connect(tmp_path / "sauvegarde" / "base.sqlite3")
    assert copie.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert copie.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # un seul fichier
    assert m.ecarts(sqlite_exploitation.relever(copie), manifeste) == []
    copie.close()


def _ouvrir_pour_ecrire(fichier: Path) -> sqlite3.Connection:
    base = sqlite3.connect(fichier, timeout=20, check_same_thread=False)
    base.execute("PRAGMA wal_autocheckpoint = 0")
    base.execute("PRAGMA synchronous = NORMAL")
    return base


# --------------------------------------------------------------------------------------------------
# Le manifeste (fonctions pures)
# --------------------------------------------------------------------------------------------------


def _manifeste(**champs) -> m.Manifeste:
    donnees = {
        "format": 1,
        "application": "balise",
        "version": "0.9.0",
        "date": "2026-12-01T02:00:00+01:00",
        "moteur": "sqlite",
        "version_moteur": "3.40.1",
        "outil": "sqlite3 3.40.1",
        "migrations": {"registre": ["0001_initial"]},
        "comptes": {"registre_systemeia": 3, "django_migrations": 1},
        "base": {"sha256": "0" * 64, "octets": 10},
        "documents": {},
    }
    return m.Manifeste.model_validate({**donnees, **champs})


def test_les_versions_se_comparent_nombre_par_nombre():
    connues = {("registre", "0001_initial")}
    assert (
        m.incompatibilites(_manifeste(), version="0.10.0", moteur="sqlite", migrations_connues=connues) == []
    )
    (refus,) = m.incompatibilites(
        _manifeste(version="0.10.0"), version="0.9.0", moteur="sqlite", migrations_connues=connues
    )
    assert "plus récente de Balise (0.10.0 ; cette installation : 0.9.0)" in refus
    assert m.incompatibilites(_manifeste(), version="0.9.0", moteur="postgresql", migrations_connues=connues)


def test_les_ecarts_a_un_manifeste_sont_tous_dits():
    releve = m.Releve(
        migrations={"registre": ["0001_initial", "0002_autre"]},
        comptes={"registre_systemeia": 2, "en_trop": 0},
    )
    assert m.ecarts(releve, _manifeste()) == [
        "table django_migrations absente",
        "table en_trop en trop",
        "table registre_systemeia : 2 lignes au lieu de 3",
        "migration registre.0002_autre en trop",
    ]
    assert (
        m.ecarts(
            m.Releve(
                migrations={"registre": ["0001_initial"]},
                comptes={"registre_systemeia": 3, "django_migrations": 1},
            ),
            _manifeste(),
        )
        == []
    )
