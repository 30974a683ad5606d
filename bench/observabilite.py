"""Banc de l'observabilité : ce que coûtent, par requête, la ligne de journal et les métriques.

Usage : .venv/bin/python bench/observabilite.py [--base sqlite|postgresql] [--tours 30] [--lot 50]

Base neuve (réglages de production : BALISE_DEBUG=0), une organisation de 10 systèmes publiés. Puis,
dans un processus neuf par mode de prometheus_client (« simple » : compteurs en mémoire ; « multi » :
`PROMETHEUS_MULTIPROC_DIR`, compteurs dans des fichiers partagés, comme sous gunicorn -w N), avec le
client de test de Django (sans HTTP, pour que le bruit du réseau ne noie pas quelques dizaines de
microsecondes) :

- le registre public (`/public/<org>/`, page en cache), servi par deux piles d'intergiciels dans le
  même processus : **avec** (les réglages de Balise), **sans** (`Observation` et `MetriquesPermises`
  retirés) et **métriques seules** (la pile de Balise, ligne de journal coupée), en alternance par lots de `--lot` requêtes, `--tours` fois chacune, après une mise en
  température. La ligne de journal est écrite pour de vrai (JSON, dans un fichier : le banc vérifie
  qu'il y a une ligne par requête servie « avec ») ;
- la collecte `/metriques` (registre des requêtes, compteurs, trois lectures en base des travaux) ;
- le coût unitaire des deux enveloppes qui restent dans les deux piles : une opération du cache partagé
  avec et sans le compte de ses erreurs, une requête SQL avec et sans `execute_wrapper`.

Écrit bench/resultats/observabilite-<base>.json et supprime la base. Chiffres : docs/performances.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_observabilite"
SLUG = "commune-du-banc-observabilite"


def peupler() -> None:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation

    organisation = Organisation.objects.create(nom="Commune du banc", slug=SLUG, type="commune")
    referente = Utilisateur.objects.create_user("referente@banc.example", None)
    Adhesion.objects.create(utilisateur=referente, organisation=organisation, role="administrateur")
    commun.publier_des_systemes(organisation, referente, 10)


def _resume(durees_s: list[float]) -> dict[str, float]:
    ms = sorted(d * 1000 for d in durees_s)
    centiles = statistics.quantiles(ms, n=100)
    return {"p50_ms": round(centiles[49], 3), "p95_ms": round(centiles[94], 3), "n": len(ms)}


def _chrono_unitaire(fonction, n: int) -> float:
    """Médiane de 5 séries de n appels, en microsecondes par appel."""
    series = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fonction()
        series.append((time.perf_counter() - t0) / n * 1e6)
    return round(statistics.median(series), 2)


def sous_mesure(tours: int, lot: int) -> dict:
    """Dans un processus neuf : Django configuré par l'environnement hérité du banc."""
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client, override_settings

    from balise.cache_fichiers import CacheDeFichiers
    from balise.observabilite import erreurs

    # La ligne de journal est vraiment formatée et écrite, dans un fichier plutôt que sur le terminal.
    journal = Path(tempfile.mkstemp(prefix="balise-bench-journal-", suffix=".log")[1])
    flux = journal.open("w", encoding="utf-8")
    (console,) = logging.getLogger().handlers
    console.setStream(flux)

    page = f"/public/{SLUG}/"
    avec = Client(HTTP_HOST="testserver")
    sans = Client(HTTP_HOST="testserver")
    pile_sans = [m for m in settings.MIDDLEWARE if not m.startswith("balise.observabilite.")]
    with override_settings(MIDDLEWARE=pile_sans):
        assert "X-Request-ID" not in sans.get(page)  # la pile « sans » est chargée ici, une fois
    assert "X-Request-ID" in avec.get(page)

    def servir(client: Client, durees: list[float]) -> None:
        for _ in range(lot):
            t0 = time.perf_counter()
            reponse = client.get(page)
            durees.append(time.perf_counter() - t0)
            assert reponse.status_code == 200, reponse.status_code

    for _ in range(4):  # mise en température
        servir(avec, [])
        servir(sans, [])
    flux.flush()
    lignes_avant = journal.read_text(encoding="utf-8").count("\n")
    # Trois bras en alternance (l'ordre tourne) : « metriques » est la pile complète, ligne de journal
    # coupée comme par BALISE_JOURNAL_REQUETES=0.
    durees: dict[str, list[float]] = {"avec": [], "sans": [], "metriques": []}
    lignes_journal = logging.getLogger("balise.journal")
    for tour in range(tours):
        ordre = ["avec", "sans", "metriques"]
        for nom in ordre[tour % 3 :] + ordre[: tour % 3]:
            lignes_journal.setLevel(logging.WARNING if nom == "metriques" else logging.INFO)
            servir(sans if nom == "sans" else avec, durees[nom])
    lignes_journal.setLevel(logging.INFO)
    flux.flush()
    lignes = journal.read_text(encoding="utf-8").splitlines()
    nouvelles = lignes[lignes_avant:]
    assert len(nouvelles) == tours * lot, (len(nouvelles), tours * lot)
    exemple = json.loads(nouvelles[-1])
    assert exemple["route"] == "/public/<slug:slug>/" and exemple["statut"] == 200

    # La collecte, par une adresse permise.
    collectes: list[float] = []
    with override_settings(METRIQUES_ADRESSES=["127.0.0.1/32"]):
        exploitant = Client(REMOTE_ADDR="127.0.0.1")
        corps = exploitant.get("/metriques").content
        for _ in range(60):
            t0 = time.perf_counter()
            assert exploitant.get("/metriques").status_code == 200
            collectes.append(time.perf_counter() - t0)
    series = [ligne for ligne in corps.decode().splitlines() if ligne and not ligne.startswith("#")]

    # Les enveloppes présentes dans les deux piles, mesurées seules.
    partage = caches["partage"]
    brut = CacheDeFichiers(settings.CACHES["partage"]["LOCATION"], {})
    partage.set("banc:cle", "valeur", 3600)
    cache_avec = _chrono_unitaire(lambda: partage.get("banc:cle"), 2000)
    cache_sans = _chrono_unitaire(lambda: brut.get("banc:cle"), 2000)

    def requete_sql() -> None:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()

    requete_sql()
    assert erreurs._executer in connection.execute_wrappers
    sql_avec = _chrono_unitaire(requete_sql, 2000)
    connection.execute_wrappers.remove(erreurs._executer)
    sql_sans = _chrono_unitaire(requete_sql, 2000)
    connection.execute_wrappers.append(erreurs._executer)

    flux.close()
    taille_ligne = round(statistics.mean(len(ligne.encode()) + 1 for ligne in nouvelles))
    journal.unlink()
    mesures = {nom: _resume(d) for nom, d in durees.items()}
    return {
        "registre_public": mesures,
        "surcout_p50_ms": round(mesures["avec"]["p50_ms"] - mesures["sans"]["p50_ms"], 3),
        "surcout_p95_ms": round(mesures["avec"]["p95_ms"] - mesures["sans"]["p95_ms"], 3),
        "surcout_metriques_seules_p50_ms": round(
            mesures["metriques"]["p50_ms"] - mesures["sans"]["p50_ms"], 3
        ),
        "ligne_de_journal_octets": taille_ligne,
        "exemple_de_ligne": exemple,
        "collecte": {**_resume(collectes), "octets": len(corps), "series": len(series)},
        "cache_get_us": {"avec": cache_avec, "sans": cache_sans},
        "sql_select_1_us": {"avec": sql_avec, "sans": sql_sans},
    }


def lancer_sous_mesure(mode: str, tours: int, lot: int, dossier: Path) -> dict:
    env = dict(os.environ, BALISE_JOURNAL_REQUETES="1")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if mode == "multi":
        multi = dossier / "prometheus"
        multi.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multi)
    fini = subprocess.run(
        [sys.executable, __file__, "--sous-mesure", "--tours", str(tours), "--lot", str(lot)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if fini.returncode != 0:
        raise RuntimeError(f"Sous-mesure {mode} en échec :\n{fini.stderr[-3000:]}")
    return json.loads(fini.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tours", type=int, default=30)
    parser.add_argument("--lot", type=int, default=50)
    parser.add_argument("--sous-mesure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()
    if args.sous_mesure:
        print(json.dumps(sous_mesure(args.tours, args.lot), ensure_ascii=False))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-observabilite-"))
    debut = time.monotonic()
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, "testserver,127.0.0.1")
        peupler()
        description = commun.machine(args.base)
        etalon = [commun.etalon()]
        charge = [os.getloadavg()[0]]
        modes = {
            mode: lancer_sous_mesure(mode, args.tours, args.lot, dossier) for mode in ("simple", "multi")
        }
        etalon.append(commun.etalon())
        charge.append(os.getloadavg()[0])
        print(f"\nRegistre public, {args.tours} × {args.lot} requêtes par pile, ms (p50 / p95) :")
        print(f"{'mode':<8} {'sans':>16} {'avec':>16} {'métriques seules':>17} {'surcoût p50 / p95':>18}")
        for mode, m in modes.items():
            a, s, ms = (m["registre_public"][n] for n in ("avec", "sans", "metriques"))
            print(
                f"{mode:<8} {s['p50_ms']:>7.3f} / {s['p95_ms']:<7.3f} {a['p50_ms']:>7.3f} / {a['p95_ms']:<7.3f}"
                f" {ms['p50_ms']:>7.3f} / {ms['p95_ms']:<7.3f}"
                f" {m['surcout_p50_ms']:>8.3f} / {m['surcout_p95_ms']:<8.3f}"
            )
            c = m["collecte"]
            print(
                f"         collecte /metriques : {c['p50_ms']:.2f} / {c['p95_ms']:.2f} ms, {c['series']} séries, "
                f"{c['octets']} octets ; cache get {m['cache_get_us']['avec']} µs (sans compte "
                f"{m['cache_get_us']['sans']}) ; SELECT 1 {m['sql_select_1_us']['avec']} µs "
                f"(sans enveloppe {m['sql_select_1_us']['sans']})"
            )
        print(f"Étalon CPU : {etalon[0]:.0f} ms avant, {etalon[1]:.0f} ms après ; charge {charge}.")
        sortie = args.sortie or RESULTATS / f"observabilite-{args.base}.json"
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/observabilite.py",
                "machine": description,
                "execution": "dans le processus : client de test de Django (sans HTTP), BALISE_DEBUG=0",
                "tours": args.tours,
                "lot": args.lot,
                "charge_moyenne_1min": charge,
                "etalon_cpu_ms": {"avant": etalon[0], "apres": etalon[1]},
                "modes": modes,
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"Résultats : {sortie}")
        return 0
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())
