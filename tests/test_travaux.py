"""Travaux de fond (balise/travaux) et import des effectifs par le processus de fond : annulation en
attente et en cours, abandon constaté, messages en français, rien d'écrit à moitié, et le vrai
processus `manage.py travailleur` sur une base en fichier (SQLite) ou PostgreSQL."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from balise.metiers import lecture
from balise.metiers import services as metiers
from balise.metiers.models import GroupeEffectif, ImportEffectifs, LibelleImporte, LigneRejetee
from balise.organisations.models import Organisation
from balise.travaux import services as travaux
from balise.travaux.models import Travail
from tests import fabrique, instantane, travailleur
from tests.test_effectifs import COLONNES, DESORDONNE

RACINE = Path(__file__).resolve().parent.parent


@pytest.fixture
def drh(org_a):
    return fabrique.membre(org_a, "rh", "drh-a@exemple.fr")


def _en_cours(org, par, nature=Travail.Nature.LECTURE_EFFECTIFS) -> Travail:
    """Un travail tel que le processus de fond le prend (sans tâche en file)."""
    travail = Travail.objects.create(organisation=org, nature=nature, demande_par=par)
    return travaux._demarrer(travail.pk)


# --- La couche générique ----------------------------------------------------------------------------


def test_annuler_un_travail_en_attente(org_a, drh, admin_a):
    imp = metiers.deposer(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    travail = travaux.annuler(imp.travail, admin_a)
    assert travail.etat == Travail.Etat.ANNULE and travail.annule_par == admin_a
    assert travail.message == f"Annulé par {admin_a.nom_affiche} ; rien n'a été enregistré."
    # Le processus de fond prend la tâche et ne fait rien : l'import attend toujours, fichier gardé.
    assert travailleur.executer_travaux() == 1
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.LECTURE and imp.contenu is not None and not imp.entetes
    with pytest.raises(travaux.TravailTermine, match="déjà terminé"):
        travaux.annuler(travail, admin_a)
    # Relancer la lecture : un nouveau travail, qui aboutit.
    metiers.relancer_lecture(imp, drh)
    travailleur.executer_travaux()
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.etat == ImportEffectifs.Etat.COLONNES and imp.travail.reussi and imp.travail.demande_par == drh


def test_annuler_un_travail_en_cours(org_a, drh, admin_a):
    ecrites = []

    def corps(travail):
        travaux.avancer(travail, "Première étape", 10)
        travaux.annuler(Travail.objects.get(pk=travail.pk), admin_a)  # la personne annule depuis la page
        ecrites.append("avant")
        travaux.avancer(travail, "Seconde étape", 50)  # le processus le voit ici et s'arrête
        ecrites.append("après")

    travail = Travail.objects.create(organisation=org_a, nature="effectifs.lecture", demande_par=drh)
    travaux.executer(travail.pk, corps)
    travail.refresh_from_db()
    assert ecrites == ["avant"]
    assert travail.etat == Travail.Etat.ANNULE and travail.annule_par == admin_a
    assert travail.message == f"Annulé par {admin_a.nom_affiche} ; rien n'a été enregistré."
    assert (travail.etape, travail.avancement) == ("Première étape", 10)


def test_une_annulation_juste_avant_la_fin_n_ecrit_rien(org_a, drh, admin_a):
    def corps(travail):
        travaux.annuler(Travail.objects.get(pk=travail.pk), admin_a)
        with travaux.conclure(travail):
            Organisation.objects.create(nom="Jamais écrite", slug="jamais", type="commune")

    travail = Travail.objects.create(organisation=org_a, nature="effectifs.lecture", demande_par=drh)
    travaux.executer(travail.pk, corps)
    assert Travail.objects.get(pk=travail.pk).etat == Travail.Etat.ANNULE
    assert not Organisation.objects.filter(slug="jamais").exists()


def test_une_erreur_dans_la_transaction_finale_n_ecrit_rien(org_a, drh):
    def corps(travail):
        with travaux.conclure(travail):
            Organisation.objects.create(nom="À moitié", slug="a-moitie", type="commune")
            raise MemoryError

    travail = Travail.objects.create(organisation=org_a, nature="effectifs.lecture", demande_par=drh)
    with pytest.raises(MemoryError):  # relevée : django-tasks garde la trace technique
        travaux.executer(travail.pk, corps)
    travail.refresh_from_db()
    assert travail.etat == Travail.Etat.ECHOUE and travail.message == travaux.INTERROMPU
    assert "rien n'a été enregistré" in travail.message
    assert not Organisation.objects.filter(slug="a-moitie").exists()


def test_un_travail_sans_signe_de_vie_est_constate_abandonne(client, org_a, drh):
    imp = metiers.deposer(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    Travail.objects.filter(pk=imp.travail_id).update(
        etat=Travail.Etat.EN_COURS, battement=timezone.now() - travaux.SILENCE + timedelta(seconds=30)
    )
    assert travaux.constater_abandons() == 0  # encore vivant
    Travail.objects.filter(pk=imp.travail_id).update(battement=timezone.now() - travaux.SILENCE * 2)
    # La page le constate d'elle-même, sans attendre la commande planifiée.
    client.force_login(drh)
    url = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/avancement/"
    assert client.get(url[:-1] + ".json").json()["actif"] is False
    travail = Travail.objects.get(pk=imp.travail_id)
    assert travail.etat == Travail.Etat.ECHOUE and travail.message == travaux.ABANDON
    page = client.get(url).content.decode()
    assert "Lecture interrompue" in page and "rien n&#x27;a été enregistré" in page
    assert "Relancer la lecture" in page
    # Un processus qui se réveillerait après coup s'arrête sans rien écrire.
    with pytest.raises(travaux.Annule):
        travaux.avancer(travail, "Lecture des lignes", 50)
    # La commande planifiée fait de même pour tous les travaux.
    autre = _en_cours(org_a, drh)
    Travail.objects.filter(pk=autre.pk).update(battement=timezone.now() - travaux.SILENCE * 2)
    from django.core.management import call_command

    sortie = io.StringIO()
    call_command("constater_abandons", stdout=sortie)
    assert sortie.getvalue().startswith("1 travail")


def test_avancer_ecrit_au_plus_une_fois_par_intervalle(org_a, drh, django_assert_num_queries):
    travail = _en_cours(org_a, drh)
    with django_assert_num_queries(1):
        travaux.avancer(travail, "Lecture des lignes", 1)
        for i in range(1000):  # même étape : rien n'est écrit avant INTERVALLE
            travaux.avancer(travail, None, i // 10)
    with django_assert_num_queries(1):
        travaux.avancer(travail, "Rattachement des libellés", 80)  # nouvelle étape : écrite aussitôt


# --- L'import des effectifs par le processus de fond ----------------------------------------------


def test_depot_rapide_puis_lecture_et_traitement_par_le_processus_de_fond(client, org_a, drh):
    client.force_login(drh)
    base = f"/o/{org_a.slug}/metiers/imports/"
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(["Nom", "Intitulé du poste", "Catégorie"])
    for i in range(30):
        feuille.append([f"Agent {i}", "Jardinier", "C"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    from django.core.files.uploadedfile import SimpleUploadedFile

    reponse = client.post(base + "nouveau/", {"fichier": SimpleUploadedFile("e.xlsx", tampon.getvalue())})
    imp = ImportEffectifs.objects.get()
    # Rien n'a été lu dans la requête : ni en-têtes ni conversion, une tâche en file.
    assert reponse["Location"].endswith(f"{imp.pk}/avancement/")
    assert imp.etat == ImportEffectifs.Etat.LECTURE and imp.entetes == [] and imp.format == "xlsx"
    assert DBTaskResult.objects.get().task_path == "balise.metiers.taches.lire"
    assert imp.travail.demande_par == drh and imp.travail.etat == Travail.Etat.EN_ATTENTE
    travailleur.executer_travaux()
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.COLONNES and imp.entetes == [
        "Nom",
        "Intitulé du poste",
        "Catégorie",
    ]
    assert client.post(base + f"{imp.pk}/colonnes/", {"metier": "Intitulé du poste"}).status_code == 302
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.TRAITEMENT and imp.contenu is not None
    assert not LibelleImporte.objects.exists()
    travailleur.executer_travaux()
    imp.refresh_from_db()
    assert imp.traite and imp.contenu is None and imp.lignes_retenues == 30
    assert imp.travail.etat == Travail.Etat.TERMINE and imp.travail.avancement == 100
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        # Un début de CSV correct, du binaire ensuite : vu à la lecture complète.
        (
            "binaire.csv",
            b"Nom;Metier\n" + b"a;b\n" * 20_000 + bytes(range(256)) * 100,
            "n'est pas un tableau",
        ),
        # Un classeur de 201 colonnes : la signature passe, la feuille est refusée par l'enfant.
        ("large.xlsx", None, "201 colonnes ; Balise en accepte 200 au plus"),
    ],
)
def test_fichier_refuse_a_la_lecture(client, org_a, drh, nom, contenu, message):
    if contenu is None:
        classeur = openpyxl.Workbook()
        classeur.active.append([f"C{i}" for i in range(201)])
        classeur.active.append(["x"] * 201)
        tampon = io.BytesIO()
        classeur.save(tampon)
        contenu = tampon.getvalue()
    imp = metiers.deposer(org_a, drh, nom, contenu)
    travailleur.executer_travaux()
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.travail.etat == Travail.Etat.ECHOUE and message in imp.travail.message
    assert imp.contenu is None, "un fichier refusé est effacé aussitôt"
    assert imp.etat == ImportEffectifs.Etat.LECTURE and not LibelleImporte.objects.exists()
    client.force_login(drh)
    page = client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/avancement/").content.decode()
    assert "Lecture interrompue" in page and "Déposer un autre fichier" in page
    assert "Relancer la lecture" not in page


def test_fichier_refuse_au_traitement_n_ecrit_rien(client, org_a, drh, monkeypatch):
    imp = travailleur.deposer_et_lire(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    monkeypatch.setattr(lecture, "MAX_LIGNES", 10)
    metiers.choisir_colonnes(imp, COLONNES, drh)
    travailleur.executer_travaux()
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.travail.message == "Le fichier dépasse 10 lignes."
    assert imp.contenu is None and imp.etat == ImportEffectifs.Etat.TRAITEMENT
    for modele in (LibelleImporte, GroupeEffectif, LigneRejetee):
        assert not modele.objects.exists(), modele
    client.force_login(drh)
    page = client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/avancement/").content.decode()
    assert "Traitement interrompu" in page and "Le fichier dépasse 10 lignes." in page


def test_un_traitement_interrompu_n_ecrit_rien_et_se_relance(client, org_a, drh, monkeypatch):
    """Une erreur au milieu des écritures (les libellés sont écrits, pas encore les lignes écartées) :
    la transaction finale n'écrit rien ; le fichier reste, le traitement se relance."""
    imp = travailleur.deposer_et_lire(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    metiers.choisir_colonnes(imp, COLONNES, drh)

    def panne(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(LigneRejetee.objects, "bulk_create", panne)
    travailleur.executer_travaux()
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.travail.etat == Travail.Etat.ECHOUE and imp.travail.message == travaux.INTERROMPU
    assert DBTaskResult.objects.get(task_path="balise.metiers.taches.traiter").status == "FAILED"
    assert imp.etat == ImportEffectifs.Etat.TRAITEMENT and imp.contenu is not None
    for modele in (LibelleImporte, GroupeEffectif, LigneRejetee):
        assert not modele.objects.exists(), modele
    # La page d'avancement mène au choix des colonnes, qui relance.
    monkeypatch.undo()
    client.force_login(drh)
    base = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/"
    assert client.get(base + "avancement/").status_code == 200
    page = client.get(base + "colonnes/").content.decode()
    assert "Traitement interrompu" in page and "Une erreur inattendue" in page
    assert client.post(base + "colonnes/", COLONNES)["Location"].endswith("/avancement/")
    travailleur.executer_travaux()
    imp.refresh_from_db()
    assert imp.traite and imp.lignes_lues == 113 and imp.contenu is None


def test_annuler_un_traitement_par_la_page_puis_effacer(client, org_a, drh):
    imp = travailleur.deposer_et_lire(org_a, drh, "e.csv", DESORDONNE.read_bytes())
    client.force_login(drh)
    base = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/"
    client.post(base + "colonnes/", COLONNES)
    assert client.post(base + "annulation/").status_code == 302
    travailleur.executer_travaux()
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.travail.etat == Travail.Etat.ANNULE and imp.travail.annule_par == drh
    assert not LibelleImporte.objects.exists() and imp.contenu is not None
    # Une seconde annulation n'a plus rien à annuler.
    client.post(base + "annulation/")
    assert "il n&#x27;y a plus rien à annuler" in client.get(base + "avancement/").content.decode()
    # Effacer un dépôt dont le traitement est en attente l'annule aussi.
    client.post(base + "colonnes/", COLONNES)
    travail = ImportEffectifs.objects.get(pk=imp.pk).travail
    client.post(base + "supprimer/")
    travail.refresh_from_db()
    assert not ImportEffectifs.objects.exists() and travail.etat == Travail.Etat.ANNULE
    assert travailleur.executer_travaux() == 1 and not LibelleImporte.objects.exists()


def test_refus_de_depot_n_ecrit_rien_ni_ne_met_en_file(client, org_a, drh):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(drh)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/metiers/imports/nouveau/", {"fichier": SimpleUploadedFile("x.csv", b"%PDF-1.4\n")}
    )
    assert reponse.status_code == 400 and "n&#x27;est pas un tableau" in reponse.content.decode()
    assert instantane.photo() == avant


# --- Le vrai processus de fond ------------------------------------------------------------------------


def _environnement(base: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    env.update(
        BALISE_DATABASE_URL=base,
        BALISE_CACHE_PARTAGE=str(tmp_path / "partage"),
        BALISE_DEBUG="1",
        PYTHONPATH=str(RACINE),
    )
    return env


def _base_du_processus(tmp_path) -> tuple[str, Path | None]:
    """L'adresse de la base de test pour un autre processus : PostgreSQL telle quelle ; SQLite (en
    mémoire, propre à ce processus) copiée dans un fichier."""
    reglages = connection.settings_dict
    if connection.vendor == "postgresql":
        hote = reglages.get("HOST") or "/var/run/postgresql"
        return f"postgres://{reglages.get('USER') or 'root'}@/{reglages['NAME']}?host={hote}", None
    fichier = tmp_path / "base.sqlite3"
    connection.ensure_connection()
    destination = sqlite3.connect(fichier)
    connection.connection.backup(destination)
    destination.close()
    return f"sqlite:///{fichier}", fichier


def _travailleur(env: dict, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "travailleur", "--batch", "--no-startup-delay", *options],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_le_vrai_processus_de_fond_lit_et_traite(tmp_path):
    """`manage.py travailleur --batch`, processus séparé, sur la base de test (PostgreSQL) ou sur sa
    copie dans un fichier (SQLite) : il prend la tâche en file, lit le fichier et le met en attente
    de colonnes ; sur PostgreSQL, le traitement suit, lu ensuite par le processus du test."""
    org = fabrique.organisation("Commune F", slug="commune-f")
    drh = fabrique.membre(org, "rh", "drh-f@exemple.fr")
    imp = metiers.deposer(org, drh, "e.csv", DESORDONNE.read_bytes())
    base, fichier = _base_du_processus(tmp_path)
    env = _environnement(base, tmp_path)
    fini = _travailleur(env)
    assert fini.returncode == 0, fini.stderr
    if fichier is not None:
        with sqlite3.connect(fichier) as lien:
            etat, entetes = lien.execute(
                "SELECT etat, entetes FROM metiers_importeffectifs WHERE id = ?", (imp.pk,)
            ).fetchone()
            travail = lien.execute(
                "SELECT etat, avancement FROM travaux_travail WHERE id = ?", (imp.travail_id,)
            ).fetchone()
            # Hors les travaux quotidiens que chaque démarrage du travailleur planifie (rappels, observatoire,
            # effacement des requêtes sensibles de la passerelle).
            statuts = [
                s
                for (s,) in lien.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path NOT LIKE 'balise.rappels.%' AND task_path NOT LIKE 'balise.observatoire.%' "
                    "AND task_path NOT LIKE 'balise.passerelle.%'"
                )
            ]
        assert etat == "colonnes" and "Intitulé du poste" in json.loads(entetes)
        assert travail == ("termine", 100) and statuts == ["SUCCESSFUL"]
        return
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.COLONNES and "Intitulé du poste" in imp.entetes
    metiers.choisir_colonnes(imp, COLONNES, drh)
    fini = _travailleur(env)
    assert fini.returncode == 0, fini.stderr
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.traite and imp.lignes_lues == 113 and imp.contenu is None
    assert imp.travail.etat == Travail.Etat.TERMINE
    taches = (
        DBTaskResult.objects.exclude(task_path__startswith="balise.rappels.")
        .exclude(task_path__startswith="balise.observatoire.")
        .exclude(task_path__startswith="balise.passerelle.")
    )
    assert set(taches.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_le_processus_de_fond_se_met_en_retrait_et_s_arrete_proprement(tmp_path):
    """Priorité de calcul abaissée (nice 10 par défaut) et arrêt sur SIGTERM (systemd, make demo)."""
    base, _ = _base_du_processus(tmp_path)
    processus = subprocess.Popen(
        [sys.executable, "manage.py", "travailleur", "--no-startup-delay", "--interval", "0.2"],
        cwd=RACINE,
        env=_environnement(base, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lues = []
        for ligne in processus.stdout:  # « Starting worker » : ses signaux sont en place
            lues.append(ligne)
            if "Starting worker" in ligne:
                break
        else:
            pytest.fail("".join(lues))
        champs = Path(f"/proc/{processus.pid}/stat").read_text().rsplit(")", 1)[1].split()
        assert int(champs[16]) == min(os.nice(0) + 10, 19)  # 19e champ de /proc/<pid>/stat : nice
        processus.send_signal(signal.SIGTERM)
        sortie, _ = processus.communicate(timeout=30)
    finally:
        processus.kill()
    assert processus.returncode == 0, sortie
    assert "shutting down gracefully" in sortie
