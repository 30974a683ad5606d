"""Banc des travaux de fond : le registre public reste rapide pendant que quatre gros classeurs sont lus
et traités par le processus de fond.

Usage : .venv/bin/python bench/travaux.py [--base sqlite|postgresql] [--classeurs 4] [--travailleurs 1]
                                          [--duree-repos 15] [--sortie fichier.json]

1. Base neuve, réglages de production (`BALISE_DEBUG=0`), une organisation de 10 systèmes publiés, une
   personne « ressources humaines » dont la session est créée en base.
2. Un classeur de 200 colonnes × 49 000 lignes (9,8 millions de cellules, ≈ 7,8 Mo : dans toutes les
   bornes de Balise) écrit directement en XML (openpyxl mettrait des minutes), gardé dans
   bench/resultats/cache/ d'une exécution à l'autre.
3. gunicorn avec le nombre de travailleurs documenté (`-w 4`, docs/exploitation.md) et le processus de
   fond (`manage.py travailleur`, ses réglages par défaut : nice 10).
4. Registre public (`/public/<org>/`) au repos : un client en boucle fermée pendant `--duree-repos` s.
5. Dépôt simultané des `--classeurs` classeurs par la vraie page (jeton CSRF lu sur le formulaire), puis,
   chaque lecture finie, choix des colonnes (Emploi, Catégorie, Direction, Sexe, Quotité) par la page ;
   pendant tout ce temps, le même client lit le registre public en boucle, jusqu'à ce que les imports
   soient tous traités. Toute réponse inattendue (dépôt autre que 302, registre autre que 200) est une
   erreur.
6. Rapport : p50 / p95 du registre au repos et pendant, rapport des p95 (objectif < 3), erreurs,
   durées des dépôts et des traitements, occupation de la machine par d'autres processus, étalon du
   processeur avant et après ; bench/resultats/travaux-<base>.json. Code de sortie 0 même si un
   objectif est manqué.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import commun

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
CACHE = RESULTATS / "cache"
NOM_BASE_PG = "balise_bench_travaux"
HOTE = "127.0.0.1"
SLUG = "banc-travaux"
COURRIEL = "rh@banc-travaux.example"
TRAVAILLEURS_WEB = 4  # docs/exploitation.md
COLONNES, LIGNES = 200, 49_000
OBJECTIF_RATIO = 3.0
OBJECTIF_DEPOT_MS = 300.0
DELAI_MAX_S = 1200


# --- Le classeur ----------------------------------------------------------------------------------


def _lettres(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def classeur() -> Path:
    """Le classeur de 9,8 millions de cellules, écrit une fois (XML de feuille produit à la main)."""
    chemin = CACHE / f"classeur-{COLONNES}x{LIGNES}.xlsx"
    if chemin.exists():
        return chemin
    CACHE.mkdir(parents=True, exist_ok=True)
    alea = random.Random(2026)
    lettres = [_lettres(i + 1) for i in range(COLONNES)]
    entetes = ["Matricule", "Nom", "Emploi", "Catégorie", "Direction", "Sexe", "Quotité"]
    entetes += [f"Indicateur {i}" for i in range(COLONNES - len(entetes))]
    emplois = ["Jardinier", "Agent d'accueil", "Secrétaire de mairie", "Comptable", "Archiviste", "Policier"]

    # Sans référence de cellule (`r`, facultative) : le classeur garde la taille d'un export réel.
    def texte(_ref: str, valeur: str) -> str:
        return f'<c t="inlineStr"><is><t>{valeur}</t></is></c>'

    def lignes():
        yield (
            '<row r="1">'
            + "".join(texte(f"{c}1", e) for c, e in zip(lettres, entetes, strict=True))
            + "</row>"
        )
        for n in range(2, LIGNES + 2):
            debut = [
                f"M{n:06d}",
                f"Nom {n % 997}",
                emplois[n % 6],
                "ABC"[n % 3],
                f"Direction {n % 60}",
                "FH"[n % 2],
            ]
            cellules = [texte(f"{c}{n}", v) for c, v in zip(lettres, debut, strict=False)]
            cellules.append(f"<c><v>{(1, 0.8, 0.5)[n % 3]}</v></c>")
            cellules += [f"<c><v>{alea.randrange(10)}</v></c>" for _ in lettres[7:]]
            yield f'<row r="{n}">' + "".join(cellules) + "</row>"

    provisoire = chemin.with_suffix(".tmp")
    with zipfile.ZipFile(provisoire, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Effectifs" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as feuille:
            feuille.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + f'<dimension ref="A1:{lettres[-1]}{LIGNES + 1}"/><sheetData>'.encode()
            )
            for ligne in lignes():
                feuille.write(ligne.encode())
            feuille.write(b"</sheetData></worksheet>")
    provisoire.replace(chemin)
    return chemin


# --- Données, serveur, client ---------------------------------------------------------------------


def peupler() -> str:
    """Une organisation de 10 systèmes publiés et sa DRH ; renvoie la clé de session de la DRH."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation

    organisation = Organisation.objects.create(nom="Commune du banc", slug=SLUG, type="commune")
    rh = Utilisateur.objects.create_user(COURRIEL, "banc-" + uuid.uuid4().hex)
    Adhesion.objects.create(utilisateur=rh, organisation=organisation, role="administrateur")
    commun.publier_des_systemes(organisation, rh, 10)
    session = SessionStore()
    session[SESSION_KEY] = str(rh.pk)
    session[BACKEND_SESSION_KEY] = "balise.comptes.backends.PersonneEnCache"
    session[HASH_SESSION_KEY] = rh.get_session_auth_hash()
    session.create()
    return session.session_key


def _requete(port: int, methode: str, chemin: str, cookie: str = "", corps: bytes = b"", type_: str = ""):
    connexion = http.client.HTTPConnection(HOTE, port, timeout=120)
    entetes = {"Host": HOTE, "User-Agent": "balise-bench"}
    if cookie:
        entetes["Cookie"] = cookie
    if type_:
        entetes["Content-Type"] = type_
    try:
        connexion.request(methode, chemin, body=corps or None, headers=entetes)
        reponse = connexion.getresponse()
        return reponse.status, reponse.read(), reponse.getheader("Location") or "", reponse.getheaders()
    finally:
        connexion.close()


def _csrf(port: int, chemin: str, session: str) -> tuple[str, str]:
    """(cookie complet, jeton) lus sur la page du formulaire."""
    statut, corps, _, entetes = _requete(port, "GET", chemin, f"sessionid={session}")
    assert statut == 200, (chemin, statut)
    cookie = next(v for k, v in entetes if k.lower() == "set-cookie" and v.startswith("csrftoken="))
    jeton = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', corps).group(1).decode()
    return f"sessionid={session}; {cookie.split(';', 1)[0]}", jeton


def _multipart(champs: dict[str, str], fichier: tuple[str, bytes] | None) -> tuple[bytes, str]:
    limite = "----banc" + uuid.uuid4().hex
    morceaux = []
    for nom, valeur in champs.items():
        morceaux.append(
            f'--{limite}\r\nContent-Disposition: form-data; name="{nom}"\r\n\r\n{valeur}\r\n'.encode()
        )
    if fichier:
        nom, contenu = fichier
        morceaux.append(
            f'--{limite}\r\nContent-Disposition: form-data; name="fichier"; filename="{nom}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + contenu
            + b"\r\n"
        )
    morceaux.append(f"--{limite}--\r\n".encode())
    return b"".join(morceaux), f"multipart/form-data; boundary={limite}"


def deposer(port: int, session: str, nom: str, contenu: bytes) -> tuple[float, int, str]:
    chemin = f"/o/{SLUG}/metiers/imports/nouveau/"
    cookie, jeton = _csrf(port, chemin, session)
    corps, type_ = _multipart({"csrfmiddlewaretoken": jeton}, (nom, contenu))
    t0 = time.perf_counter()
    statut, _, lieu, _ = _requete(port, "POST", chemin, cookie, corps, type_)
    return (time.perf_counter() - t0) * 1000, statut, lieu


def choisir_colonnes(port: int, session: str, pk: int) -> int:
    chemin = f"/o/{SLUG}/metiers/imports/{pk}/colonnes/"
    cookie, jeton = _csrf(port, chemin, session)
    champs = {"csrfmiddlewaretoken": jeton, "metier": "Emploi", "categorie": "Catégorie"}
    champs |= {"direction": "Direction", "sexe": "Sexe", "quotite": "Quotité"}
    corps = urlencode(champs).encode()
    return _requete(port, "POST", chemin, cookie, corps, "application/x-www-form-urlencoded")[0]


class Registre(threading.Thread):
    """Un client en boucle fermée sur le registre public ; garde les durées (ms) et les erreurs."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.durees, self.erreurs, self.arret = port, [], [], threading.Event()

    def run(self) -> None:
        while not self.arret.is_set():
            t0 = time.perf_counter()
            try:
                statut = _requete(self.port, "GET", f"/public/{SLUG}/")[0]
            except OSError as erreur:
                statut = str(erreur)
            if statut == 200:
                self.durees.append((time.perf_counter() - t0) * 1000)
            else:
                self.erreurs.append(statut)
            time.sleep(0.05)


def _p(valeurs: list[float], q: float) -> float:
    return round(statistics.quantiles(valeurs, n=100)[q - 1], 1) if len(valeurs) >= 2 else float("nan")


def _cpu() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as f:
        valeurs = [int(v) for v in f.readline().split()[1:9]]
    return sum(valeurs), valeurs[3] + valeurs[4]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--classeurs", type=int, default=4)
    parser.add_argument("--travailleurs", type=int, default=1, help="processus de fond")
    parser.add_argument("--duree-repos", type=float, default=15.0)
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()

    print("Classeur de 9,8 millions de cellules…", flush=True)
    fichier = classeur()
    contenu = fichier.read_bytes()
    print(f"  {fichier.name} : {len(contenu) / 1e6:.1f} Mo", flush=True)
    charge_avant = os.getloadavg()
    etalon_avant = commun.etalon()
    dossier = Path(tempfile.mkdtemp(prefix="banc-travaux-"))
    serveur = None
    travailleurs: list[subprocess.Popen] = []
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, HOTE)
        session = peupler()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        from django.db import connections

        connections.close_all()
        env = dict(os.environ)
        import socket

        with socket.socket() as s:
            s.bind((HOTE, 0))
            port = s.getsockname()[1]
        journal = dossier / "gunicorn.log"
        with journal.open("wb") as sortie:
            serveur = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "balise.wsgi:application",
                    f"--bind={HOTE}:{port}",
                    f"--workers={TRAVAILLEURS_WEB}",
                    "--log-level=warning",
                ],
                cwd=RACINE,
                env=env,
                stdout=sortie,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for i in range(args.travailleurs):
            travailleurs.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "travailleur", "--interval", "0.5", "-v", "0"],
                    cwd=RACINE,
                    env=env,
                    stdout=(dossier / f"travailleur-{i}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        limite = time.monotonic() + 60
        while True:
            try:
                if _requete(port, "GET", "/livez")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > limite or serveur.poll() is not None:
                raise RuntimeError(journal.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        for _ in range(20):  # mise en température : chaque travailleur sert le registre
            _requete(port, "GET", f"/public/{SLUG}/")

        print(f"Registre public au repos ({args.duree_repos:.0f} s)…", flush=True)
        cpu0 = _cpu()
        repos = Registre(port)
        repos.start()
        time.sleep(args.duree_repos)
        repos.arret.set()
        repos.join()

        print(
            f"Dépôt de {args.classeurs} classeurs, lecture et traitement par le processus de fond…",
            flush=True,
        )
        pendant = Registre(port)
        pendant.start()
        depots: list[tuple[float, int, str]] = [None] * args.classeurs  # type: ignore[list-item]

        def un_depot(i: int) -> None:
            depots[i] = deposer(port, session, f"classeur-{i}.xlsx", contenu)

        fils = [threading.Thread(target=un_depot, args=(i,)) for i in range(args.classeurs)]
        debut = time.monotonic()
        for f in fils:
            f.start()
        for f in fils:
            f.join()
        from balise.metiers.models import ImportEffectifs

        imports = list(ImportEffectifs.objects.order_by("pk").values_list("pk", flat=True))
        colonnes_choisies: dict[int, float] = {}
        fins: dict[int, float] = {}
        erreurs_pages: list[str] = [f"dépôt {s}" for _, s, _ in depots if s != 302]
        while len(fins) < len(imports) and time.monotonic() - debut < DELAI_MAX_S:
            for imp in ImportEffectifs.objects.filter(pk__in=imports).select_related("travail"):
                if imp.pk in fins:
                    continue
                if imp.etat == "colonnes" and imp.pk not in colonnes_choisies:
                    statut = choisir_colonnes(port, session, imp.pk)
                    colonnes_choisies[imp.pk] = time.monotonic() - debut
                    if statut != 302:
                        erreurs_pages.append(f"colonnes {statut}")
                elif imp.etat in ("revue", "pret"):
                    fins[imp.pk] = time.monotonic() - debut
                elif imp.travail and imp.travail.etat in ("echoue", "annule"):
                    fins[imp.pk] = time.monotonic() - debut
                    erreurs_pages.append(f"import {imp.pk} : {imp.travail.message}")
            connections.close_all()
            time.sleep(0.5)
        duree_totale = time.monotonic() - debut
        pendant.arret.set()
        pendant.join()
        cpu1 = _cpu()
        etats = dict(ImportEffectifs.objects.filter(pk__in=imports).values_list("pk", "etat"))
        lignes = dict(ImportEffectifs.objects.filter(pk__in=imports).values_list("pk", "lignes_lues"))
    finally:
        for t in travailleurs:
            if t.poll() is None:
                os.killpg(t.pid, signal.SIGKILL)
        if serveur is not None and serveur.poll() is None:
            os.killpg(serveur.pid, signal.SIGTERM)
            serveur.wait(timeout=20)
        timeouts = (
            (dossier / "gunicorn.log").read_text(errors="replace").count("WORKER TIMEOUT")
            if dossier.exists()
            else 0
        )
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)
    etalon_apres = commun.etalon()
    total, repos_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    p95_repos, p95_pendant = _p(repos.durees, 95), _p(pendant.durees, 95)
    ratio = round(p95_pendant / p95_repos, 2)
    depot_ms = sorted(d for d, _, _ in depots)
    resultat = {
        "machine": {
            "nproc": os.cpu_count(),
            "charge_avant": charge_avant,
            "charge_apres": os.getloadavg(),
            "cpu_occupe_pct": round(100 * (1 - repos_cpu / max(total, 1)), 1),
            "etalon_ms": [etalon_avant, etalon_apres],
            "revision": commun.revision(),
            "base": args.base,
        },
        "classeur": {"colonnes": COLONNES, "lignes": LIGNES, "octets": len(contenu)},
        "gunicorn_travailleurs": TRAVAILLEURS_WEB,
        "processus_de_fond": args.travailleurs,
        "registre_repos_ms": {"n": len(repos.durees), "p50": _p(repos.durees, 50), "p95": p95_repos},
        "registre_pendant_ms": {"n": len(pendant.durees), "p50": _p(pendant.durees, 50), "p95": p95_pendant},
        "ratio_p95": ratio,
        "erreurs_registre": [str(e) for e in repos.erreurs + pendant.erreurs],
        "erreurs": erreurs_pages,
        "worker_timeout": timeouts,
        "depots_ms": [round(d, 1) for d in depot_ms],
        "colonnes_choisies_s": {str(k): round(v, 1) for k, v in colonnes_choisies.items()},
        "imports_finis_s": {str(k): round(v, 1) for k, v in fins.items()},
        "etats": {str(k): v for k, v in etats.items()},
        "lignes_lues": {str(k): v for k, v in lignes.items()},
        "duree_totale_s": round(duree_totale, 1),
        "objectifs": {
            "ratio_p95_lt_3": ratio < OBJECTIF_RATIO,
            "aucune_erreur": not (repos.erreurs or pendant.erreurs or erreurs_pages or timeouts),
            "depot_lt_300ms": depot_ms[-1] < OBJECTIF_DEPOT_MS,
        },
    }
    commun.ecrire_json(args.sortie or RESULTATS / f"travaux-{args.base}.json", resultat)
    print(
        f"Registre public  repos : p50 {resultat['registre_repos_ms']['p50']} ms, p95 {p95_repos} ms "
        f"({len(repos.durees)} req.)"
    )
    print(
        f"                pendant : p50 {resultat['registre_pendant_ms']['p50']} ms, p95 {p95_pendant} ms "
        f"({len(pendant.durees)} req.) ; rapport des p95 {ratio} (objectif < {OBJECTIF_RATIO})"
    )
    print(f"Dépôts (ms) : {resultat['depots_ms']} ; imports finis (s) : {resultat['imports_finis_s']}")
    print(
        f"Erreurs : registre {resultat['erreurs_registre']}, pages {erreurs_pages}, WORKER TIMEOUT {timeouts}"
    )
    print(
        f"Machine : charge {charge_avant} → {resultat['machine']['charge_apres']}, "
        f"cœurs occupés {resultat['machine']['cpu_occupe_pct']} % (banc compris), étalon {etalon_avant} → {etalon_apres} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
