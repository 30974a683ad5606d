"""Banc des consultations par codes de participation : générer une feuille, vérifier un code, répondre.

Usage : .venv/bin/python bench/consultations.py [--base sqlite|postgresql] [--tours 40]

Base neuve (réglages de production : BALISE_DEBUG=0), remplie par les services de Balise : une
organisation, un système, un questionnaire par codes à 20 groupes de 200 codes (4 000 codes). Puis,
dans le processus, avec le client de test de Django (sans HTTP), la personne qui pilote connectée :

- la feuille de 500 codes (POST `consultations/<id>/codes/` : tirage, empreintes, insertion, page
  avec les 500 coupons) ; objectif p50 < 1 s ;
- la saisie d'un code par un agent (POST `/questionnaire/<jeton>/`, code vérifié sans être utilisé)
  et l'envoi des réponses avec un code (le code supprimé, la réponse écrite) ; objectif p50 < 100 ms ;
- la page du questionnaire de qui pilote (tableau des groupes, résultats) ; objectif p50 < 200 ms.

Écrit bench/resultats/consultations-<base>.json et supprime la base.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_consultations"
HOTE = "testserver"
GROUPES, CODES_PAR_GROUPE = 20, 200
OBJECTIFS_MS = {"feuille de 500 codes": 1000.0, "saisie du code": 100.0, "envoi des réponses": 100.0}
OBJECTIF_PAGE_MS = 200.0


def remplir() -> dict:
    from balise.comptes.models import Utilisateur
    from balise.instruments import services
    from balise.instruments.models import DefinitionInstrument
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre import services as registre

    org = Organisation.objects.create(
        nom="Commune du Banc", slug="banc-consultations", type="commune", contact_public="banc@exemple.fr"
    )
    pilote = Utilisateur.objects.create_user("pilote@banc.example", None)
    Adhesion.objects.create(utilisateur=pilote, organisation=org, role="referent")
    systeme = registre.creer_systeme(
        org,
        {
            "nom": "Assistant de rédaction",
            "finalite": "Aider à rédiger les courriers.",
            "service": "Secrétariat général",
            "responsable": "Claire Petit",
            "domaine": "relation_usagers",
            "type_ia": "generative",
            "cible": "agents",
            "positionnement": "innover",
            "realisation": "prestataire",
            "hebergement": "france",
        },
        pilote,
    )
    questionnaire = DefinitionInstrument.objects.get(organisation=None, code="questionnaire-experimentation")
    consultation = services.ouvrir_consultation(systeme, questionnaire, "bilan", pilote)
    codes: list[str] = []
    for n in range(GROUPES):
        codes += services.creer_groupe_de_codes(
            consultation, f"Service {n + 1}", CODES_PAR_GROUPE, pilote
        ).codes
    # Une consultation neuve par feuille mesurée : une consultation compte au plus 5 000 codes.
    vierges = [services.ouvrir_consultation(systeme, questionnaire, "bilan", pilote).pk for _ in range(40)]
    return {
        "org": org.slug,
        "consultation": consultation,
        "pilote": pilote,
        "codes": codes,
        "vierges": vierges,
    }


def chronometrer(fonction, tours: int) -> dict:
    for _ in range(2):  # mise en température
        fonction()
    durees = []
    for _ in range(tours):
        t0 = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - t0) * 1000)
    durees.sort()
    return {
        "p50_ms": round(statistics.median(durees), 1),
        "p95_ms": round(durees[min(len(durees) - 1, int(0.95 * len(durees)))], 1),
        "tours": tours,
    }


def mesurer(jeu: dict, tours: int) -> dict[str, dict]:
    from django.test import Client

    consultation, org = jeu["consultation"], jeu["org"]
    pilote = Client(HTTP_HOST=HOTE)
    pilote.force_login(jeu["pilote"])
    page = f"/o/{org}/consultations/{consultation.pk}/"
    entree = f"/questionnaire/{consultation.jeton}/"
    libres = iter(jeu["codes"])
    vierges = iter(jeu["vierges"])

    def feuille() -> None:
        adresse = f"/o/{org}/consultations/{next(vierges)}/codes/"
        r = pilote.post(adresse, {"libelle": "Service des eaux", "nombre": "500"})
        assert r.status_code == 200 and r.content.count(b"balise-code-participation") == 500

    def saisie() -> None:
        r = Client(HTTP_HOST=HOTE).post(entree, {"code": jeu["codes"][-1]})
        assert r.status_code == 200 and b"Envoyer mes r" in r.content

    def envoi() -> None:
        donnees = {"etape": "reponses", "code": next(libres), "note-gain_temps": "3", "note-usages": "Résumé"}
        r = Client(HTTP_HOST=HOTE).post(entree, donnees)
        assert r.status_code == 302, r.status_code

    def page_pilote() -> None:
        assert pilote.get(page).status_code == 200

    resultats = {
        "saisie du code": chronometrer(saisie, tours),
        "envoi des réponses": chronometrer(envoi, tours),
        "page de qui pilote (20 groupes)": chronometrer(page_pilote, tours),
        "feuille de 500 codes": chronometrer(feuille, min(38, max(2, tours // 4))),
    }
    for nom, m in resultats.items():
        objectif = OBJECTIFS_MS.get(nom, OBJECTIF_PAGE_MS)
        m["objectif_ms"], m["atteint"] = objectif, m["p50_ms"] < objectif
    return resultats


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tours", type=int, default=40)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-consultations-"))
    debut = time.monotonic()
    try:
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, f"{HOTE},127.0.0.1")
        print(f"Remplissage : {GROUPES} groupes de {CODES_PAR_GROUPE} codes…", flush=True)
        t0 = time.monotonic()
        jeu = remplir()
        remplissage_s = round(time.monotonic() - t0, 1)
        description = commun.machine(args.base)
        etalon = [commun.etalon()]
        mesures = mesurer(jeu, args.tours)
        etalon.append(commun.etalon())
        print(f"\n{'mesure':<36} {'p50 ms':>8} {'p95 ms':>8} {'objectif':>9}")
        for nom, m in mesures.items():
            verdict = "atteint" if m["atteint"] else "MANQUÉ"
            print(f"{nom:<36} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['objectif_ms']:>7.0f}  {verdict}")
        print(
            f"Étalon CPU : {etalon[0]:.0f} ms avant, {etalon[1]:.0f} ms après ; remplissage {remplissage_s} s."
        )
        sortie = RESULTATS / f"consultations-{args.base}.json"
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/consultations.py",
                "machine": description,
                "execution": "dans le processus : client de test de Django (sans HTTP), BALISE_DEBUG=0",
                "donnees": {
                    "groupes": GROUPES,
                    "codes_par_groupe": CODES_PAR_GROUPE,
                    "remplissage_s": remplissage_s,
                },
                "charge_moyenne_1min": os.getloadavg()[0],
                "etalon_cpu_ms": {"avant": etalon[0], "apres": etalon[1]},
                "mesures": mesures,
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"Résultats : {sortie}")
        return 0
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())
