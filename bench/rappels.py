"""Banc des rappels : calculer et envoyer les récapitulatifs de 2 000 organisations × 5 personnes, chacune
avec des éléments dus, par le processus de fond, vers un puits SMTP local (issue 13, « Measured »).

Usage : .venv/bin/python bench/rappels.py [--base postgresql|sqlite] [--organisations 2000]
                                          [--personnes 5] [--travailleurs 1] [--sortie fichier.json]

1. Base neuve (PostgreSQL `balise_bench_rappels` ou SQLite), réglages de production (`BALISE_DEBUG=0`).
2. Données (`bulk_create`) : `--organisations` organisations, chacune avec un système d'IA qualifié et
   `--personnes` personnes (un administrateur, un référent, un DPO, un lecteur, un membre de comité…) ;
   chaque personne est responsable de deux obligations (une en retard, une à échéance dans 10 jours)
   et d'une condition (à échéance dans 5 jours) : 10 000 personnes, 20 000 obligations, 10 000
   conditions pour 2 000 × 5. Puis `VACUUM ANALYZE` / `ANALYZE`.
3. Un puits SMTP (aiosmtpd, dans ce processus, sur un port libre) qui compte les messages, leurs
   destinataires (chacun une seule fois ?) et la présence des en-têtes List-Unsubscribe.
4. `--travailleurs` processus `manage.py travailleur --batch --priorite 0`, avec BALISE_RAPPELS_HEURE=0
   (la tournée, planifiée au démarrage, est due tout de suite) et BALISE_EMAIL_BACKEND SMTP vers le
   puits. Le premier démarré planifie et exécute la tournée, qui met en file les lots ; les travailleurs
   se les partagent et s'arrêtent quand la file est vide. Chronomètre : du lancement à la fin du dernier.
5. Mémoire : la mémoire résidente (VmRSS, /proc/<pid>/status) de chaque travailleur, relevée toutes les
   0,2 s ; on compare le relevé après le premier dixième des messages à celui de la fin, et le maximum
   (getrusage des enfants, ru_maxrss).
6. Rapport : durée, débit, messages reçus (doivent être exactement une fois chaque personne), mémoire,
   charge de la machine (getloadavg avant/après) et étalon du processeur ; bench/resultats/rappels-<base>.json.
   Code de sortie 0 même si l'objectif (< 60 s sur PostgreSQL, mémoire plate) est manqué.
"""

from __future__ import annotations

import argparse
import email
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from email import policy
from pathlib import Path

import commun

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_rappels"
OBJECTIF_S = 60.0
ROLES = ["administrateur", "referent", "dpo", "lecteur", "comite"]


class Puits:
    """Serveur SMTP qui garde de chaque message le destinataire et deux en-têtes, pas le corps."""

    def __init__(self) -> None:
        self.destinataires: Counter[str] = Counter()
        self.sans_desabonnement = 0
        self.premier: float | None = None
        self.dernier: float | None = None
        self.verrou = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (nom imposé par aiosmtpd)
        entetes = email.message_from_bytes(envelope.content.split(b"\r\n\r\n", 1)[0], policy=policy.default)
        with self.verrou:
            maintenant = time.monotonic()
            self.premier = self.premier or maintenant
            self.dernier = maintenant
            for d in envelope.rcpt_tos:
                self.destinataires[d] += 1
            if "List-Unsubscribe=One-Click" not in str(entetes.get("List-Unsubscribe-Post", "")):
                self.sans_desabonnement += 1
        return "250 OK"

    @property
    def recus(self) -> int:
        return sum(self.destinataires.values())


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def donnees(organisations: int, personnes: int) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from balise.comptes.models import Utilisateur
    from balise.conformite.models import ObligationSuivie, Qualification
    from balise.gouvernance.models import Condition, Decision
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre.models import SystemeIA

    aujourd_hui = timezone.localdate()
    mot_de_passe = make_password(None)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                nom=f"Commune du banc n° {i + 1}",
                slug=f"banc-{i + 1:04d}",
                type="commune",
                contact_public=f"contact{i + 1}@banc.example",
            )
            for i in range(organisations)
        ],
        batch_size=1000,
    )
    gens = Utilisateur.objects.bulk_create(
        [
            Utilisateur(
                email=f"p{j}-{i + 1}@banc.example",
                first_name="Agent",
                last_name=f"{i + 1}-{j}",
                password=mot_de_passe,
            )
            for i in range(organisations)
            for j in range(personnes)
        ],
        batch_size=2000,
    )
    Adhesion.objects.bulk_create(
        [
            Adhesion(utilisateur=gens[i * personnes + j], organisation=o, role=ROLES[j % len(ROLES)])
            for i, o in enumerate(orgs)
            for j in range(personnes)
        ],
        batch_size=2000,
    )
    fiche = {
        "finalite": "Répondre aux questions des usagers.",
        "service": "Relation usagers",
        "responsable": "Claire Petit, cheffe de projet",
        "domaine": "relation_usagers",
        "type_ia": "generative",
        "cible": "usagers",
        "positionnement": "innover",
        "realisation": "prestataire",
        "hebergement": "france",
    }
    systemes = SystemeIA.objects.bulk_create(
        [SystemeIA(organisation=o, nom=f"Assistant {i + 1}", **fiche) for i, o in enumerate(orgs)],
        batch_size=1000,
    )
    auteurs = [gens[i * personnes] for i in range(organisations)]
    qualifs = Qualification.objects.bulk_create(
        [
            Qualification(
                organisation=s.organisation,
                systeme=s,
                version_regles=1,
                reponses={},
                conclusions=[],
                donnees_registre={},
                cree_par=auteurs[i],
            )
            for i, s in enumerate(systemes)
        ],
        batch_size=1000,
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                organisation=s.organisation,
                systeme=s,
                sens="experimenter",
                motifs="Essai encadré.",
                cree_par=auteurs[i],
            )
            for i, s in enumerate(systemes)
        ],
        batch_size=1000,
    )
    obligations, conditions = [], []
    for i, s in enumerate(systemes):
        for j in range(personnes):
            p = gens[i * personnes + j]
            for k, decalage in enumerate((-3, 10)):
                obligations.append(
                    ObligationSuivie(
                        organisation=s.organisation,
                        systeme=s,
                        qualification=qualifs[i],
                        code=f"regle-{j}-{k}",
                        regime="ai_act",
                        titre=f"Tenir la documentation technique ({k + 1})",
                        echeance=aujourd_hui + timedelta(days=decalage),
                        responsable=p,
                    )
                )
            conditions.append(
                Condition(
                    organisation=s.organisation,
                    systeme=s,
                    decision=decisions[i],
                    intitule="Former les agents avant le déploiement",
                    responsable=p,
                    echeance=aujourd_hui + timedelta(days=5),
                )
            )
    ObligationSuivie.objects.bulk_create(obligations, batch_size=2000)
    Condition.objects.bulk_create(conditions, batch_size=2000)
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return len(gens)


def _rss_ko(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for ligne in f:
                if ligne.startswith("VmRSS:"):
                    return int(ligne.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--personnes", type=int, default=5)
    parser.add_argument("--travailleurs", type=int, default=1)
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()

    dossier = Path(tempfile.mkdtemp(prefix="banc-rappels-"))
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, "127.0.0.1")
        print("Données…", flush=True)
        t0 = time.perf_counter()
        attendus = donnees(args.organisations, args.personnes)
        print(f"  {attendus} personnes en {time.perf_counter() - t0:.1f} s", flush=True)
        from django.db import connections

        connections.close_all()

        from aiosmtpd.controller import Controller

        puits = Puits()
        serveur = Controller(puits, hostname="127.0.0.1", port=_port_libre())
        serveur.start()
        env = {
            **os.environ,
            "BALISE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "BALISE_EMAIL_HOST": "127.0.0.1",
            "BALISE_EMAIL_PORT": str(serveur.port),
            "BALISE_RAPPELS_HEURE": "0",
            "BALISE_RAPPELS_JOUR": "0",
            "BALISE_URL_PUBLIQUE": "https://balise.banc.example",
            "BALISE_JOURNAL_REQUETES": "0",
        }
        etalon_avant, charge_avant = commun.etalon(), os.getloadavg()[0]
        print(f"Envoi par {args.travailleurs} travailleur(s)…", flush=True)
        debut = time.monotonic()
        commande = [
            sys.executable,
            "manage.py",
            "travailleur",
            "--batch",
            "--no-startup-delay",
            "--priorite",
            "0",
        ]
        premier = subprocess.Popen(commande, cwd=RACINE, env=env)
        processus = [premier]
        # Les suivants démarrent quand la tournée a mis les lots en file (sinon ils trouvent la file vide).
        while args.travailleurs > 1 and puits.recus == 0 and premier.poll() is None:
            time.sleep(0.05)
        processus += [subprocess.Popen(commande, cwd=RACINE, env=env) for _ in range(args.travailleurs - 1)]
        releves: dict[int, list[tuple[float, int, int]]] = {p.pid: [] for p in processus}
        while any(p.poll() is None for p in processus):
            for p in processus:
                rss = _rss_ko(p.pid)
                if rss is not None and p.poll() is None:
                    releves[p.pid].append((time.monotonic() - debut, puits.recus, rss))
            time.sleep(0.2)
        duree = time.monotonic() - debut
        time.sleep(0.5)  # les derniers messages acceptés par le puits
        serveur.stop()
        codes = [p.returncode for p in processus]
        maxrss_ko = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        etalon_apres, charge_apres = commun.etalon(), os.getloadavg()[0]

        memoire = {}
        for pid, serie in releves.items():
            if not serie:
                continue
            dixieme = next((r for r in serie if r[1] >= attendus // 10), serie[0])
            memoire[str(pid)] = {
                "rss_apres_un_dixieme_ko": dixieme[2],
                "rss_fin_ko": serie[-1][2],
                "rss_max_releve_ko": max(r[2] for r in serie),
                "releves": len(serie),
            }
        doublons = sum(1 for n in puits.destinataires.values() if n > 1)
        resultat = {
            "banc": "rappels",
            "machine": commun.machine(args.base),
            "organisations": args.organisations,
            "personnes": attendus,
            "travailleurs": args.travailleurs,
            "codes_de_sortie": codes,
            "duree_s": round(duree, 2),
            "messages_recus": puits.recus,
            "destinataires_distincts": len(puits.destinataires),
            "destinataires_en_double": doublons,
            "messages_sans_list_unsubscribe_post": puits.sans_desabonnement,
            "debit_par_s": round(puits.recus / duree, 1) if duree else None,
            # Démarrage du travailleur (Django, planification, tournée, premier lot) puis envois.
            "premier_message_s": round(puits.premier - debut, 2) if puits.premier else None,
            "dernier_message_s": round(puits.dernier - debut, 2) if puits.dernier else None,
            "memoire": memoire,
            "maxrss_enfants_ko": maxrss_ko,
            "charge_1min_avant": charge_avant,
            "charge_1min_apres": charge_apres,
            "etalon_ms_avant": etalon_avant,
            "etalon_ms_apres": etalon_apres,
            "objectif_s": OBJECTIF_S,
            "objectif_atteint": duree < OBJECTIF_S and puits.recus == attendus and doublons == 0,
        }
        print(
            f"{puits.recus}/{attendus} récapitulatifs reçus ({len(puits.destinataires)} destinataires, "
            f"{doublons} en double) en {duree:.1f} s — {resultat['debit_par_s']}/s ; objectif < {OBJECTIF_S:.0f} s : "
            f"{'OK' if resultat['objectif_atteint'] else 'KO'}"
        )
        if puits.premier and puits.dernier:
            print(
                f"  premier message à {puits.premier - debut:.1f} s, dernier à {puits.dernier - debut:.1f} s"
            )
        for pid, m in memoire.items():
            print(
                f"  travailleur {pid} : RSS {m['rss_apres_un_dixieme_ko'] / 1024:.0f} Mo après un dixième, "
                f"{m['rss_fin_ko'] / 1024:.0f} Mo à la fin, {m['rss_max_releve_ko'] / 1024:.0f} Mo au plus"
            )
        print(
            f"  maxrss des enfants : {maxrss_ko / 1024:.0f} Mo ; charge {charge_avant:.2f} → {charge_apres:.2f} ;"
            f" étalon {etalon_avant} → {etalon_apres} ms"
        )
        commun.ecrire_json(args.sortie or RESULTATS / f"rappels-{args.base}.json", resultat)
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    main()
