"""Banc de mesure de la page « À traiter » et de la vue d'ensemble de l'organisation (issue 13, point 5).

Usage : .venv/bin/python bench/a_traiter.py [--base sqlite|postgresql] [--concurrences 1,16]

Base neuve (réglages de production : BALISE_DEBUG=0, `commun.configurer_django`), une organisation de
500 systèmes d'IA, 5 000 obligations, 300 conditions et 40 séances, écrits par `bulk_create` (sans
historique : sans effet sur des lectures), puis `VACUUM ANALYZE` / `ANALYZE`. La personne mesurée est
une référente IA (elle gouverne et qualifie : toutes les sections lui sont ouvertes) : responsable de
250 obligations (dont une partie en retard ou à échéance dans les 30 jours) et de 30 conditions,
invitée à coter 5 évaluations en cours, membre de deux des quatre instances (20 séances, dont 10 à
venir, chacune de 5 points avec dossier) ; 60 systèmes attendent une décision, 30 sont à requalifier,
120 décisions ont été prises sur deux ans.

Mesures par HTTP, comme `bench/registre.py` (dont le banc reprend serveur, client et sonde CPU) :
gunicorn à 2 travailleurs synchrones, contrôle du contenu, mise en température, puis 1 et 16 clients
en boucle fermée. Les deux pages ne sont jamais en cache : chaque mesure est « sans cache ».
Objectifs : p50 < 50 ms à 1 client, aucune erreur à 16 clients. Résultats :
bench/resultats/a_traiter-<base>.json et docs/performances.md.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import commun
import registre as banc_registre

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_a_traiter"
HOTE = banc_registre.HOTE
NB_SYSTEMES = 500
NB_OBLIGATIONS = 5_000
NB_CONDITIONS = 300
NB_SEANCES = 40
NB_PERSONNES = 20
OBJECTIF_P50_MS = 50.0
STADES = ["idee", "etude", "experimentation", "decision", "production", "arret", "abandon"]


def remplir(alea: random.Random) -> dict[str, Any]:
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from balise.comptes.models import Utilisateur
    from balise.conformite.models import ObligationSuivie, Qualification
    from balise.gouvernance.models import Condition, Decision, Instance, Membre, Point, Seance
    from balise.instruments.models import DefinitionInstrument, Evaluateur, Evaluation
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre.models import ChangementStade, SystemeIA

    maintenant = timezone.now()
    aujourd_hui = timezone.localdate()
    org = Organisation.objects.create(nom="Métropole du Banc", slug="banc", type="epci")
    referente = Utilisateur.objects.create_user(
        "referente@banc.example", None, first_name="Claire", last_name="Petit"
    )
    personnes = [referente] + [
        Utilisateur.objects.create_user(f"agent{i}@banc.example", None, first_name="Agent", last_name=str(i))
        for i in range(1, NB_PERSONNES)
    ]
    Adhesion.objects.bulk_create(
        [Adhesion(utilisateur=referente, organisation=org, role="referent")]
        + [Adhesion(utilisateur=p, organisation=org, role="lecteur") for p in personnes[1:]]
    )
    # 60 systèmes au stade « décision » (les premiers), le reste réparti sur les autres stades.
    systemes = SystemeIA.objects.bulk_create(
        [
            SystemeIA(
                organisation=org,
                nom=f"Système {i:03d}",
                finalite="Aider les agents.",
                service=f"Service {i % 12}",
                responsable="Claire Petit",
                domaine="relation_usagers",
                type_ia="generative",
                cible="usagers",
                positionnement="innover",
                realisation="prestataire",
                hebergement="france",
                stade="decision" if i < 60 else alea.choice([s for s in STADES if s != "decision"]),
                motif_fin="Motif." if i >= 60 else "",
            )
            for i in range(NB_SYSTEMES)
        ]
    )
    ChangementStade.objects.bulk_create(
        [
            ChangementStade(
                systeme=s,
                depuis="experimentation",
                vers="decision",
                par=referente,
                le=maintenant - timedelta(days=i),
            )
            for i, s in enumerate(systemes[:60])
        ]
    )
    qualifications = Qualification.objects.bulk_create(
        [
            Qualification(
                organisation=org,
                systeme=s,
                version_regles=1,
                reponses={},
                conclusions=[],
                donnees_registre={},
                a_requalifier=i % 17 == 0 and i < 510,
                cree_par=referente,
            )
            for i, s in enumerate(systemes)
        ]
    )
    par_obligation = NB_OBLIGATIONS // NB_SYSTEMES
    ObligationSuivie.objects.bulk_create(
        [
            ObligationSuivie(
                organisation=org,
                systeme=s,
                qualification=q,
                code=f"regle-{j}",
                regime="ai_act",
                titre=f"Obligation {j} du système {i}",
                echeance=aujourd_hui + timedelta(days=alea.randint(-120, 365)),
                responsable=personnes[(i * par_obligation + j) % NB_PERSONNES],
                statut=alea.choice(["a_faire", "a_faire", "en_cours", "faite", "sans_objet"]),
            )
            for i, (s, q) in enumerate(zip(systemes, qualifications, strict=True))
            for j in range(par_obligation)
        ],
        batch_size=1000,
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                organisation=org,
                systeme=systemes[60 + i],
                sens=alea.choice(["experimenter", "mettre_en_production", "poursuivre"]),
                motifs="Motifs de la décision.",
                decidee_le=aujourd_hui - timedelta(days=alea.randint(0, 730)),
                cree_par=referente,
            )
            for i in range(120)
        ]
    )
    Condition.objects.bulk_create(
        [
            Condition(
                organisation=org,
                systeme=decisions[i % len(decisions)].systeme,
                decision=decisions[i % len(decisions)],
                intitule=f"Condition {i}",
                responsable=personnes[0 if i % 10 == 0 else 1 + i % (NB_PERSONNES - 1)],
                echeance=aujourd_hui + timedelta(days=alea.randint(-90, 180)),
                statut=alea.choice(["a_lever", "en_cours", "levee"]),
            )
            for i in range(NB_CONDITIONS)
        ]
    )
    instances = Instance.objects.bulk_create(
        [
            Instance(organisation=org, nom=nom, mission="Mission.", nature="consultative")
            for nom in ("Comité d'éthique", "Comité de pilotage IA", "COTECH", "Comité de direction")
        ]
    )
    # La référente siège dans les deux premières instances ; les onze autres premières personnes partout.
    Membre.objects.bulk_create(
        [
            Membre(instance=inst, utilisateur=p)
            for inst in instances
            for p in personnes[:12]
            if p != referente or inst in instances[:2]
        ]
    )
    seances = Seance.objects.bulk_create(
        [
            Seance(
                instance=instances[i % 4],
                debut=maintenant + timedelta(days=(i // 4) * 14 - 70, hours=1),
                statut="convoquee" if i // 4 >= 5 else "tenue",
                cree_par=referente,
            )
            for i in range(NB_SEANCES)
        ]
    )
    Point.objects.bulk_create(
        [
            Point(
                seance=s,
                ordre=k,
                nature="porte",
                titre=f"Point {k}",
                organisation=org,
                systeme=systemes[(i * 5 + k) % NB_SYSTEMES],
                dossier=f"dossiers_seances/banc-{i}-{k}.pdf",
            )
            for i, s in enumerate(seances)
            for k in range(5)
        ]
    )
    instrument = DefinitionInstrument.objects.filter(organisation__isnull=True).order_by("pk").first()
    assert instrument is not None
    evaluations = Evaluation.objects.bulk_create(
        [
            Evaluation(
                organisation=org,
                systeme=systemes[100 + i],
                instrument=instrument,
                moment=instrument.definition.moments[0],
                cree_par=referente,
            )
            for i in range(5)
        ]
    )
    Evaluateur.objects.bulk_create(
        [
            Evaluateur(evaluation=e, utilisateur=referente, profil="direction", invite_par=referente)
            for e in evaluations
        ]
    )
    session = SessionStore()
    session["_auth_user_id"] = str(referente.pk)
    session["_auth_user_backend"] = "balise.comptes.backends.PersonneEnCache"
    session["_auth_user_hash"] = referente.get_session_auth_hash()
    session.save()
    return {
        "org": org.slug,
        "session": session.session_key,
        "obligations": ObligationSuivie.objects.count(),
        "conditions": Condition.objects.count(),
        "seances": Seance.objects.count(),
        "systemes": SystemeIA.objects.count(),
    }


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrences", default="1,16")
    parser.add_argument("--requetes", type=int, default=1000, help="plafond de requêtes par mesure")
    parser.add_argument("--duree", type=float, default=8.0, help="plafond de durée par mesure (s)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/a_traiter-<base>.json)"
    )
    args = parser.parse_args()
    concurrences = [int(c) for c in args.concurrences.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    banc_registre.NOM_BASE_PG = NOM_BASE_PG  # la sonde CPU reconnaît les processus PostgreSQL du banc
    debut = time.monotonic()
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-a-traiter-"))
    serveur: subprocess.Popen[bytes] | None = None
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, HOTE)
        from django.core.management import call_command
        from django.db import connections

        call_command("collectstatic", interactive=False, verbosity=0)
        print("Remplissage…", flush=True)
        jeu = remplir(random.Random(2026))
        print(f"  {jeu}", flush=True)
        with connections["default"].cursor() as curseur:
            curseur.execute("VACUUM ANALYZE" if args.base == "postgresql" else "ANALYZE")
        description = commun.machine(args.base)
        connections.close_all()
        charge = os.getloadavg()
        occupation_avant = banc_registre.occupation_cpu(2.0)
        if occupation_avant > 10:
            print(
                f"ATTENTION : machine déjà occupée à {occupation_avant:.0f} % (charge {charge[0]:.1f}) ; mesures bruitées."
            )
        port = banc_registre.port_libre()
        serveur = banc_registre.demarrer_serveur(dict(os.environ), port, dossier / "gunicorn.log")
        o = jeu["org"]
        pages = [
            banc_registre.Page("plancher /livez", "/livez", False, attendu="ok"),
            banc_registre.Page(
                "À traiter", f"/o/{o}/a-traiter/", True, "50ms", "Systèmes qui attendent une décision"
            ),
            banc_registre.Page(
                "Vue d'ensemble", f"/o/{o}/pilotage/", True, "50ms", "En retard, par responsable"
            ),
        ]
        cookies: dict[bool, str | None] = {True: f"sessionid={jeu['session']}", False: None}
        for page in pages:
            banc_registre.page_attendue(port, page, cookies[page.authentifiee])
        sonde = banc_registre.SondeCPU(serveur.pid, args.base == "postgresql")
        for page in pages:  # mise en température
            banc_registre.mesurer(port, page, cookies[page.authentifiee], 4, 40, 5)
        mesures = []
        for concurrence in concurrences:
            for page in pages:
                m = banc_registre.mesurer(
                    port, page, cookies[page.authentifiee], concurrence, args.requetes, args.duree, sonde
                )
                mesures.append(m)
                print(
                    f"  {m.page:<18} {concurrence:>2} client(s) : p50 {m.p50_ms:.1f} ms, p95 {m.p95_ms:.1f} ms,"
                    f" {m.req_s} req/s, {m.erreurs} erreur(s), autres processus {m.cpu_autres_pct} %",
                    flush=True,
                )
        banc_registre.arreter_serveur(serveur)
        serveur = None
        objectifs = []
        for m in mesures:
            if m.page.startswith("plancher"):
                continue
            if m.concurrence == 1:
                objectifs.append(
                    {
                        "page": m.page,
                        "objectif": "p50 < 50 ms à 1 client",
                        "atteint": m.p50_ms < OBJECTIF_P50_MS,
                    }
                )
            objectifs.append(
                {
                    "page": m.page,
                    "objectif": f"aucune erreur à {m.concurrence} clients",
                    "atteint": m.erreurs == 0,
                }
            )
        for c in objectifs:
            print(f"  {'atteint' if c['atteint'] else 'MANQUÉ':<8} {c['page']} : {c['objectif']}")
        sortie = (args.sortie or RESULTATS / f"a_traiter-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/a_traiter.py",
                "machine": description,
                "charge_avant": [round(c, 2) for c in charge],
                "cpu_occupe_avant_pct": round(occupation_avant, 1),
                "donnees": jeu | {"session": "…"},
                "mesures": [asdict(m) for m in mesures],
                "objectifs": objectifs,
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"Résultats : {sortie}")
        return 0
    finally:
        if serveur is not None:
            banc_registre.arreter_serveur(serveur)
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())
