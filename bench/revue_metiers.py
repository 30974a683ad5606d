"""Banc de la page de revue des libellés de métiers (issue 15, point 7) : un tableau des effectifs de
500 libellés distincts.

Usage : .venv/bin/python bench/revue_metiers.py [--base sqlite|postgresql] [--requetes 200] [--duree 8]

Base neuve (réglages de production : BALISE_DEBUG=0, `commun.configurer_django`), une organisation et
sa responsable RH, un import traité de 500 libellés distincts écrits par `bulk_create` (sans
historique : sans effet sur des lectures) : 300 à revoir (douteux ou inconnus, avec leurs trois
candidats du référentiel) et 200 rattachés. Mesures par HTTP, comme `bench/registre.py` (dont le banc
reprend serveur et client) : gunicorn à 2 travailleurs synchrones, contrôle du contenu, mise en
température, puis 1 client en boucle fermée sur « À revoir seulement » et « Tous les libellés ».
Objectifs : HTML < 300 Ko et p50 < 100 ms. Résultats : bench/resultats/revue_metiers-<base>.json et
docs/performances.md (« Revue des libellés de métiers »).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import commun
import registre as banc_registre

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_revue_metiers"
HOTE = banc_registre.HOTE
NB_LIBELLES = 500
NB_A_REVOIR = 300
OBJECTIF_KO = 300
OBJECTIF_P50_MS = 100.0


def remplir() -> dict[str, Any]:
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from balise.comptes.models import Utilisateur
    from balise.metiers.models import ImportEffectifs, LibelleImporte
    from balise.metiers.referentiel import charger
    from balise.organisations.models import Adhesion, Organisation

    org = Organisation.objects.create(nom="Commune du Banc", slug="banc", type="commune")
    rh = Utilisateur.objects.create_user("rh@banc.example", None, first_name="Claire", last_name="Petit")
    Adhesion.objects.create(utilisateur=rh, organisation=org, role="rh")
    ref = charger()
    metiers = list(ref.metiers)
    imp = ImportEffectifs.objects.create(
        organisation=org,
        nom_fichier="effectifs-500-libelles.xlsx",
        format="xlsx",
        referentiel=ref.provenance.id,
        version_referentiel=ref.provenance.version,
        etat=ImportEffectifs.Etat.REVUE,
        cree_par=rh,
        traite_le=timezone.now(),
    )
    libelles = []
    for i in range(NB_LIBELLES):
        m = metiers[i % len(metiers)]
        candidats = [[metiers[(i + k) % len(metiers)].metier, 88 - 6 * k] for k in range(3)]
        libelle = f"{m.metier} — poste {i:03d}"
        if i < NB_A_REVOIR:
            statut = LibelleImporte.Statut.DOUTEUX if i % 2 else LibelleImporte.Statut.INCONNU
            rattache = {"confiance": 88 if i % 2 else 60}
        else:
            statut = LibelleImporte.Statut.SUR
            rattache = {"confiance": 95, "metier": m.metier, "isco08": m.isco08, "niveau": m.niveau}
        libelles.append(
            LibelleImporte(
                import_effectifs=imp,
                libelle=libelle,
                normalise=f"poste {i:03d}",
                effectif=1 + i % 7,
                statut=statut,
                candidats=candidats,
                **rattache,
            )
        )
    LibelleImporte.objects.bulk_create(libelles)
    session = SessionStore()
    session["_auth_user_id"] = str(rh.pk)
    session["_auth_user_backend"] = "balise.comptes.backends.PersonneEnCache"
    session["_auth_user_hash"] = rh.get_session_auth_hash()
    session.save()
    return {"org": org.slug, "import": imp.pk, "session": session.session_key, "libelles": NB_LIBELLES}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requetes", type=int, default=200, help="plafond de requêtes par mesure")
    parser.add_argument("--duree", type=float, default=8.0, help="plafond de durée par mesure (s)")
    parser.add_argument("--sortie", type=Path, help="défaut : bench/resultats/revue_metiers-<base>.json")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    banc_registre.NOM_BASE_PG = NOM_BASE_PG
    debut = time.monotonic()
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-revue-metiers-"))
    serveur: subprocess.Popen[bytes] | None = None
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, HOTE)
        from django.core.management import call_command
        from django.db import connections

        call_command("collectstatic", interactive=False, verbosity=0)
        jeu = remplir()
        with connections["default"].cursor() as curseur:
            curseur.execute("VACUUM ANALYZE" if args.base == "postgresql" else "ANALYZE")
        description = commun.machine(args.base)
        connections.close_all()
        port = banc_registre.port_libre()
        serveur = banc_registre.demarrer_serveur(dict(os.environ), port, dossier / "gunicorn.log")
        base = f"/o/{jeu['org']}/metiers/imports/{jeu['import']}/revue/"
        pages = [
            banc_registre.Page("À revoir seulement", base, True, "100ms", "Revoir les libellés"),
            banc_registre.Page("Tous les libellés", base + "?tous=1", True, "100ms", "Revoir les libellés"),
        ]
        cookie = f"sessionid={jeu['session']}"
        tailles = {}
        for page in pages:
            tailles[page.nom] = round(len(banc_registre.page_attendue(port, page, cookie)) / 1024, 1)
        for page in pages:  # mise en température
            banc_registre.mesurer(port, page, cookie, 1, 20, 3)
        mesures = []
        for page in pages:
            m = banc_registre.mesurer(port, page, cookie, 1, args.requetes, args.duree)
            mesures.append(m)
            print(
                f"  {m.page:<20} HTML {tailles[m.page]} Ko, p50 {m.p50_ms:.1f} ms, p95 {m.p95_ms:.1f} ms,"
                f" {m.requetes} requêtes, {m.erreurs} erreur(s)",
                flush=True,
            )
        banc_registre.arreter_serveur(serveur)
        serveur = None
        objectifs = []
        for m in mesures:
            objectifs.append(
                {"page": m.page, "objectif": "HTML < 300 Ko", "atteint": tailles[m.page] < OBJECTIF_KO}
            )
            objectifs.append(
                {"page": m.page, "objectif": "p50 < 100 ms", "atteint": m.p50_ms < OBJECTIF_P50_MS}
            )
        for c in objectifs:
            print(f"  {'atteint' if c['atteint'] else 'MANQUÉ':<8} {c['page']} : {c['objectif']}")
        sortie = (args.sortie or RESULTATS / f"revue_metiers-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/revue_metiers.py",
                "machine": description,
                "donnees": jeu | {"session": "…"},
                "tailles_ko": tailles,
                "mesures": [asdict(m) for m in mesures],
                "objectifs": objectifs,
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"Résultats : {sortie}")
        return 0 if all(c["atteint"] for c in objectifs) else 1
    finally:
        if serveur is not None:
            banc_registre.arreter_serveur(serveur)
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())
