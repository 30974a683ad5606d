"""Banc de l'observatoire (issue 17, « Measured ») : population nationale sur PostgreSQL, recalcul
complet par le processus de fond, puis page publique et JSON servis comme en production.

Usage : .venv/bin/python bench/observatoire.py [--base postgresql|sqlite] [--organisations 36000]
                                              [--systemes 200000] [--sortie fichier.json]

1. Base neuve (PostgreSQL `balise_bench_observatoire` ou SQLite), réglages de production.
2. Données (`bulk_create`) : les organisations sont prises du référentiel d'Etalab livré
   (communes, EPCI, départements, régions, avec SIREN et population : leur région est donc réelle),
   plus 100 centres de gestion sans SIREN, jusqu'à `--organisations` ; à 36 000 : 34 6xx communes
   (toutes celles du référentiel), 1 2xx EPCI, 101 départements, 18 régions, 100 CDG. `--systemes`
   systèmes répartis selon la racine carrée de la population (une grande ville en a plus), champs tirés
   au hasard, ~40 % publiés, ~2 % archivés, la moitié qualifiés (conclusions réelles des règles en
   vigueur). 30 % des organisations contribuent ; parmi elles, 40 % ont une charte adoptée, 30 % une
   instance, 25 % une session de formation. Puis `VACUUM ANALYZE` / `ANALYZE`.
3. Recalcul par le processus de fond : `manage.py travailleur --batch` (au démarrage, il planifie le
   calcul, dû tout de suite faute de relevé, l'exécute, le replanifie au lendemain et s'arrête) ; durée
   du processus, durée du calcul (`Releve.duree`) et pic de mémoire résidente (VmHWM de l'enfant, relevé pendant qu'il tourne).
4. Une « nuit » : 1 % des systèmes changent de domaine, 200 organisations changent de choix ; second
   calcul (`manage.py calculer_observatoire`, le même service) contre le premier relevé : c'est celui
   qui applique le secret d'un relevé à l'autre (évolution, persistance, recoupement).
5. gunicorn (2 travailleurs) ; /public/observatoire/ et /public/observatoire/observatoire.json à 1 et
   16 clients (bench/registre.py : `mesurer`), p50, p95, erreurs.
Résultats : bench/resultats/observatoire-<base>.json ; lecture dans docs/performances.md.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import commun
import registre as banc_registre

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_observatoire"
OBJECTIF_CALCUL_S = 30.0
OBJECTIF_MEMOIRE_MO = 500
OBJECTIF_P50_MS = 50.0


def _population(organisations: int) -> list[tuple[str, str, str, int | None]]:
    """(nom, type, siren, population) : le référentiel d'Etalab, puis des centres de gestion."""
    from balise.organisations import collectivites

    par_type: dict[str, list[tuple[str, str, str, int | None]]] = {}
    for c in collectivites.toutes():
        par_type.setdefault(c.type, []).append((c.nom, c.type, c.siren, c.population))
    cdg = [(f"Centre de gestion du banc n° {i + 1}", "cdg", "", None) for i in range(100)]
    autres = [*par_type.get("epci", []), *par_type.get("departement", []), *par_type.get("region", []), *cdg]
    communes = par_type.get("commune", [])[: max(0, organisations - len(autres))]
    return (communes + autres)[:organisations]


def donnees(organisations: int, systemes: int, alea: random.Random) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from balise.chartes.models import VersionCharte
    from balise.comptes.models import Utilisateur
    from balise.conformite import regles
    from balise.conformite.models import Qualification
    from balise.formations.models import Participation as ParticipationFormation
    from balise.formations.models import Population, SessionFormation
    from balise.gouvernance.models import Instance
    from balise.observatoire.models import Participation
    from balise.organisations.models import Organisation
    from balise.registre.cycle_de_vie import Stade
    from balise.registre.models import SystemeIA
    from balise.registre.referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA

    auteur = Utilisateur.objects.create(email="banc@observatoire.example", password=make_password(None))
    lignes = _population(organisations)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(nom=nom, slug=f"banc-{i + 1:05d}", type=type_org, siren=siren, population=population)
            for i, (nom, type_org, siren, population) in enumerate(lignes)
        ],
        batch_size=2000,
    )
    # Systèmes : organisation tirée selon la racine carrée de sa population (au moins 1).
    poids = [math.sqrt(o.population or 5000) for o in orgs]
    tirage = alea.choices(range(len(orgs)), weights=poids, k=systemes)
    stades = list(Stade)
    choix = {c: list(v) for c, v in (("d", Domaine), ("t", TypeIA), ("r", Realisation), ("h", Hebergement))}
    lot = []
    for n, i in enumerate(tirage):
        stade = alea.choice(stades)
        lot.append(
            SystemeIA(
                organisation=orgs[i],
                nom=f"Système {n + 1}",
                finalite="Aide au traitement.",
                service="Service",
                responsable="Responsable",
                domaine=alea.choice(choix["d"]),
                type_ia=alea.choice(choix["t"]),
                cible=alea.choice(list(Cible)),
                positionnement=alea.choice(list(Positionnement)),
                realisation=alea.choice(choix["r"]),
                hebergement=alea.choice(choix["h"]),
                stade=stade,
                motif_fin="Fin." if stade in (Stade.ARRET, Stade.ABANDON) else "",
                contribution_decision="Aide ; un agent décide.",
                publie=alea.random() < 0.4,
            )
        )
    crees = SystemeIA.objects.bulk_create(lot, batch_size=5000)
    del lot
    archives = [s.pk for s in crees if alea.random() < 0.02]
    from django.utils import timezone

    SystemeIA.objects.filter(pk__in=archives).update(archive_le=timezone.now())
    en_vigueur = regles.en_vigueur()
    par_categorie: dict[str, list[str]] = {}
    for c in en_vigueur.conclusions:
        if c.categorie:
            par_categorie.setdefault(c.categorie, []).append(c.id)
    categories = list(par_categorie)
    Qualification.objects.bulk_create(
        (
            Qualification(
                organisation_id=s.organisation_id,
                systeme_id=s.pk,
                version_regles=en_vigueur.version,
                reponses={},
                conclusions=[alea.choice(par_categorie[alea.choice(categories)])],
                donnees_registre={},
                cree_par=auteur,
            )
            for s in crees
            if alea.random() < 0.5
        ),
        batch_size=5000,
    )
    contributrices = [o for o in orgs if alea.random() < 0.3]
    Participation.objects.bulk_create(
        [
            Participation(organisation=o, contribue=True, partage_metiers=alea.random() < 0.3)
            for o in contributrices
        ],
        batch_size=5000,
    )
    VersionCharte.objects.bulk_create(
        [
            VersionCharte(organisation=o, numero=1, titre="Charte", statut="adoptee", cree_par=auteur)
            for o in contributrices
            if alea.random() < 0.4
        ],
        batch_size=5000,
    )
    Instance.objects.bulk_create(
        [
            Instance(organisation=o, nom="Comité IA", mission="Avis.", nature="consultative")
            for o in contributrices
            if alea.random() < 0.3
        ],
        batch_size=5000,
    )
    formees = [o for o in contributrices if alea.random() < 0.25]
    populations = Population.objects.bulk_create(
        [
            Population(organisation=o, code="agents", titre="Agents", palier="culture_partagee", cible=80)
            for o in formees
        ],
        batch_size=5000,
    )
    sessions = SessionFormation.objects.bulk_create(
        [
            SessionFormation(organisation=o, date="2026-03-01", palier="culture_partagee", cree_par=auteur)
            for o in formees
        ],
        batch_size=5000,
    )
    ParticipationFormation.objects.bulk_create(
        [
            ParticipationFormation(session=s, population=p, nombre=alea.randint(1, 30))
            for s, p in zip(sessions, populations, strict=True)
        ],
        batch_size=5000,
    )
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "organisations": len(orgs),
        "systemes": len(crees),
        "contributrices": len(contributrices),
        "types": {t: sum(1 for o in orgs if o.type == t) for t in sorted({o.type for o in orgs})},
    }


def une_nuit(alea: random.Random) -> None:
    """1 % des systèmes changent de domaine, 200 organisations changent leur choix."""
    from balise.observatoire.models import Participation
    from balise.registre.models import SystemeIA
    from balise.registre.referentiels import Domaine

    ids = list(SystemeIA.objects.values_list("pk", flat=True))
    for pk in alea.sample(ids, len(ids) // 100):
        SystemeIA.objects.filter(pk=pk).update(domaine=alea.choice(list(Domaine)))
    for p in Participation.objects.order_by("?")[:200]:
        Participation.objects.filter(pk=p.pk).update(contribue=not p.contribue)


def _hwm_ko(pid: int) -> int | None:
    """Le pic de mémoire résidente (VmHWM) d'un processus, propre à son image après exec."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for ligne in f:
                if ligne.startswith("VmHWM:"):
                    return int(ligne.split()[1])
    except OSError:
        return None
    return None


def _processus(commande: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Durée (s) et pic de mémoire résidente (Mo) d'une commande de manage.py, dans un processus neuf.

    Le pic est lu dans /proc/<pid>/status (VmHWM) toutes les 50 ms tant qu'il tourne : ru_maxrss des
    enfants compterait la mémoire du banc lui-même (le noyau garde, à l'exec, le pic de l'espace
    d'adresses d'avant : celui du processus qui a lancé l'enfant)."""
    t0 = time.monotonic()
    enfant = subprocess.Popen([sys.executable, "manage.py", *commande], cwd=RACINE, env=env)
    pic = 0
    while enfant.poll() is None:
        pic = max(pic, _hwm_ko(enfant.pid) or 0)
        time.sleep(0.05)
    duree = time.monotonic() - t0
    if enfant.returncode:
        raise subprocess.CalledProcessError(enfant.returncode, commande)
    return duree, pic // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--organisations", type=int, default=36_000)
    parser.add_argument("--systemes", type=int, default=200_000)
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()
    alea = random.Random(17)  # noqa: S311 — données de banc
    dossier = Path(tempfile.mkdtemp(prefix="banc-observatoire-"))
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, banc_registre.HOTE)
        print("Données…", flush=True)
        t0 = time.perf_counter()
        jeu = donnees(args.organisations, args.systemes, alea)
        print(f"  {jeu} en {time.perf_counter() - t0:.1f} s", flush=True)
        from django.db import connections

        from balise.observatoire.models import Releve

        machine = commun.machine(args.base)
        connections.close_all()
        env = {**os.environ, "BALISE_JOURNAL_REQUETES": "0", "BALISE_OBSERVATOIRE_HEURE": "3"}

        print("Premier calcul par le processus de fond…", flush=True)
        duree_travailleur, memoire_1 = _processus(
            ["travailleur", "--batch", "--no-startup-delay", "--priorite", "0"], env
        )
        premier = Releve.objects.order_by("pk").last()
        assert premier is not None, "le travailleur n'a pas calculé de relevé"
        connections.close_all()
        une_nuit(alea)
        connections.close_all()
        print("Second calcul (contre le premier relevé)…", flush=True)
        duree_commande, memoire_2 = _processus(["calculer_observatoire"], env)
        second = Releve.objects.order_by("pk").last()
        assert second is not None and second.pk != premier.pk

        def secrets(releve: Releve) -> dict[str, int]:
            motifs: dict[str, int] = {}
            for t in releve.tables:
                for rang in [*t["lignes"], t["totaux"]]:
                    for m in [*rang["cases"], rang["total"]]:
                        if m["secret"]:
                            motifs[m["secret"]] = motifs.get(m["secret"], 0) + 1
            return motifs

        connections.close_all()
        port = banc_registre.port_libre()
        serveur = banc_registre.demarrer_serveur(dict(env), port, dossier / "gunicorn.log")
        mesures = []
        try:
            pages = [
                banc_registre.Page("observatoire", "/public/observatoire/", False, attendu="secret"),
                banc_registre.Page("observatoire.json", "/public/observatoire/observatoire.json", False),
            ]
            for page in pages:
                statut, corps = banc_registre.requete_unique(port, page.chemin)
                assert statut == 200 and (not page.attendu or page.attendu.encode() in corps), page.chemin
                for concurrence in (1, 16):
                    banc_registre.mesurer(port, page, None, concurrence, 50, 5)  # chauffe
                    m = banc_registre.mesurer(
                        port, page, None, concurrence, 1500 if concurrence > 1 else 400, 20
                    )
                    mesures.append(m)
                    print(
                        f"  {page.nom:<20} {concurrence:>2} client(s) : p50 {m.p50_ms:.1f} ms, "
                        f"p95 {m.p95_ms:.1f} ms, {m.req_s:.0f} req/s, {m.erreurs} erreur(s)",
                        flush=True,
                    )
        finally:
            banc_registre.arreter_serveur(serveur)
        resultat = {
            "banc": "observatoire",
            "machine": machine,
            "donnees": jeu,
            "premier_calcul": {
                "processus_travailleur_s": round(duree_travailleur, 2),
                "calcul_s": round(premier.duree, 2),
                "memoire_max_mo": memoire_1,
                "secrets": secrets(premier),
            },
            "second_calcul": {
                "processus_commande_s": round(duree_commande, 2),
                "calcul_s": round(second.duree, 2),
                "memoire_max_mo": memoire_2,
                "secrets": secrets(second),
            },
            "pages": [
                {
                    "page": m.page,
                    "concurrence": m.concurrence,
                    "p50_ms": m.p50_ms,
                    "p95_ms": m.p95_ms,
                    "req_s": m.req_s,
                    "requetes": m.requetes,
                    "erreurs": m.erreurs,
                }
                for m in mesures
            ],
            "objectifs": {
                "calcul_s": OBJECTIF_CALCUL_S,
                "memoire_mo": OBJECTIF_MEMOIRE_MO,
                "p50_ms": OBJECTIF_P50_MS,
                "atteints": max(premier.duree, second.duree) < OBJECTIF_CALCUL_S
                and max(memoire_1, memoire_2) < OBJECTIF_MEMOIRE_MO
                and all(m.p50_ms < OBJECTIF_P50_MS and m.erreurs == 0 for m in mesures),
            },
        }
        print(
            f"Calcul : {premier.duree:.1f} s puis {second.duree:.1f} s (processus {duree_travailleur:.1f} s, "
            f"{duree_commande:.1f} s) ; mémoire max {memoire_1} Mo, {memoire_2} Mo ; secrets "
            f"{resultat['premier_calcul']['secrets']} puis {resultat['second_calcul']['secrets']}"
        )
        commun.ecrire_json(args.sortie or RESULTATS / f"observatoire-{args.base}.json", resultat)
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    main()
