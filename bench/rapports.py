"""Banc des rapports : le rapport annuel d'une grande organisation en PDF, ODT et DOCX.

Usage : .venv/bin/python bench/rapports.py [--base sqlite|postgresql] [--tours 3] [--genre annuel]

1. Base neuve (réglages de production, `BALISE_DEBUG=0`) : SQLite dans un dossier temporaire, ou la
   base PostgreSQL `balise_rapports_bench` (recréée, supprimée à la fin).
2. Peuplement (non chronométré), fonctions de `PEUPLEMENTS` appelées dans l'ordre : une organisation de
   500 systèmes d'IA (bulk_create, champs de bench/registre.py), leurs passages de stade de l'année,
   une obligation sur deux, des conditions ; 40 séances d'un comité avec deux points et un avis chacun,
   une décision par séance ; un tableau des effectifs de 3 000 agents importé par les services (le
   fichier de la démonstration répété, matricules renouvelés). Puis 200 sessions de formation (deux
   participations chacune) et 50 indicateurs de 60 mesures mensuelles, par bulk_create.
3. Mesures : pour chaque format, `--tours` fois, un processus neuf (le pic de mémoire d'un processus
   ne redescend pas) lit le contenu (`services.construire`) et le rend (`rendus.RENDUS[format]`) :
   durée totale, dont la lecture du contenu, et pic de mémoire résidente (VmHWM) du processus.
4. Objectifs (docs/performances.md) : PDF < 5 s, ODT et DOCX < 3 s, pic < 400 Mo. Résultats dans
   bench/resultats/rapports-<base>.json ; code de sortie 0 même si un objectif est manqué.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import commun

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_rapports_bench"
SLUG = "banc-rapports"
COURRIEL = "referent@banc-rapports.example"
MARQUE = "RESULTAT "
GRAINE = 2026
NB_SYSTEMES, NB_SEANCES, NB_AGENTS = 500, 40, 3_000
NB_SESSIONS, NB_INDICATEURS, NB_MOIS = 200, 50, 60
OBJECTIFS_S = {"pdf": 5.0, "odt": 3.0, "docx": 3.0}
OBJECTIF_PIC_MO = 400.0


def _annee() -> int:
    return date.today().year - 1


# --- Peuplement -----------------------------------------------------------------------------------


def peupler_registre(org: Any, par: Any, alea: random.Random) -> None:
    """500 systèmes, leurs passages de stade de l'année, une obligation sur deux, des conditions."""
    import registre  # bench/registre.py : les fiches vraisemblables
    from django.utils import timezone

    from balise.conformite.models import ObligationSuivie, Qualification
    from balise.gouvernance.models import Condition, Decision
    from balise.registre.models import ChangementStade, SystemeIA

    systemes = SystemeIA.objects.bulk_create(
        [SystemeIA(organisation=org, **registre._fiche(alea, n)) for n in range(NB_SYSTEMES)], batch_size=500
    )
    annee = _annee()
    jour = lambda: timezone.make_aware(  # noqa: E731
        timezone.datetime(annee, alea.randrange(1, 13), alea.randrange(1, 29), 10)
    )
    ChangementStade.objects.bulk_create(
        [ChangementStade(systeme=s, depuis="idee", vers=s.stade, par=par, le=jour()) for s in systemes],
        batch_size=500,
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
                cree_par=par,
            )  # fmt: skip
            for s in systemes[::2]
        ]
    )
    statuts = list(ObligationSuivie.Statut.values)
    ObligationSuivie.objects.bulk_create(
        [
            ObligationSuivie(
                organisation=org,
                systeme=q.systeme,
                qualification=q,
                code=f"regle-{i}",
                regime="ai_act",
                titre=f"Obligation {i} : documentation et information des personnes",
                responsable=par,
                echeance=date(annee, 1 + i % 12, 1 + i % 28),
                statut=statuts[i % len(statuts)],
            )  # fmt: skip
            for i, q in enumerate(qualifications)
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                organisation=org,
                systeme=s,
                sens="experimenter",
                motifs="Motifs de la décision.",
                cree_par=par,
                decidee_le=jour().date(),
            )  # fmt: skip
            for s in systemes[::5]
        ]
    )
    Condition.objects.bulk_create(
        [
            Condition(
                organisation=org,
                systeme=d.systeme,
                decision=d,
                intitule="Former les agents concernés.",
                responsable=par,
                echeance=date(annee, 6, 30),
                statut="a_lever" if i % 3 else "levee",
            )  # fmt: skip
            for i, d in enumerate(decisions)
        ]
    )


def peupler_gouvernance(org: Any, par: Any, alea: random.Random) -> None:
    """40 séances d'un comité dans l'année, deux points chacune, un avis par point."""
    from django.utils import timezone

    from balise.gouvernance.models import Avis, Instance, Point, Seance
    from balise.registre.models import SystemeIA

    instance = Instance.objects.create(
        organisation=org, nom="Comité éthique du banc", mission="Rendre des avis.", nature="consultative"
    )
    annee = _annee()
    seances = Seance.objects.bulk_create(
        [
            Seance(
                instance=instance,
                debut=timezone.make_aware(timezone.datetime(annee, 1 + i % 12, 1 + i % 27, 14)),
                statut=Seance.Statut.TENUE,
                cree_par=par,
            )  # fmt: skip
            for i in range(NB_SEANCES)
        ]
    )
    systemes = list(SystemeIA.objects.filter(organisation=org).values_list("pk", flat=True)[: NB_SEANCES * 2])
    points = Point.objects.bulk_create(
        [
            Point(
                seance=s,
                ordre=k,
                nature="porte",
                titre=f"Examen du système n° {i * 2 + k}",
                organisation=org,
                systeme_id=systemes[(i * 2 + k) % len(systemes)],
            )  # fmt: skip
            for i, s in enumerate(seances)
            for k in range(2)
        ]
    )
    sens = list(Avis.Sens.values)
    Avis.objects.bulk_create(
        [
            Avis(
                point=p,
                sens=alea.choice(sens),
                motifs="Motifs de l'avis.",
                cree_par=par,
                rendu_le=p.seance.debut,
            )
            for p in points
        ]
    )


def peupler_effectifs(org: Any, par: Any, alea: random.Random) -> None:
    """3 000 agents : le tableau de la démonstration répété, importé par les services."""
    from balise.metiers import services as metiers
    from balise.metiers.models import ImportEffectifs
    from balise.travaux import services as travaux

    source = (RACINE / "balise" / "demo" / "effectifs-val-de-balise.csv").read_text(encoding="utf-8")
    lignes = list(csv.reader(io.StringIO(source), delimiter=";"))
    entetes, agents = lignes[0], lignes[1:]
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(entetes)
    for i in range(NB_AGENTS):
        ligne = list(agents[i % len(agents)])
        ligne[0], ligne[1] = f"{i:05d}", f"BANC-{i:05d}"
        ecrivain.writerow(ligne)
    imp = metiers.deposer(org, par, "effectifs-banc.csv", sortie.getvalue().encode())
    assert imp.travail is not None
    travaux.executer_ici(imp.travail)
    imp.refresh_from_db()
    colonnes = {
        "metier": "Emploi", "categorie": "Catégorie", "filiere": "Filière", "direction": "Direction",
        "cadre": "Cadre d'emplois", "sexe": "Sexe", "quotite": "Quotité",
    }  # fmt: skip
    metiers.choisir_colonnes(imp, colonnes, par)
    imp.refresh_from_db()
    assert imp.travail is not None
    travaux.executer_ici(imp.travail)
    imp.refresh_from_db()
    assert imp.etat not in ImportEffectifs.NON_TRAITES, imp.travail.message if imp.travail else imp.etat


def peupler_formations(org: Any, par: Any, alea: random.Random) -> None:
    """Les populations de référence, puis 200 sessions du catalogue dans l'année (bulk_create), chacune
    avec deux participations de populations de son palier."""
    from balise.formations import referentiel
    from balise.formations import services as formations
    from balise.formations.models import Participation, Population, SessionFormation

    formations.initialiser_populations(org, par)
    par_palier: dict[str, list[Any]] = {}
    for pop in Population.objects.filter(organisation=org):
        par_palier.setdefault(pop.palier, []).append(pop)
    offres = [o for o in referentiel.catalogue().offres if o.palier in par_palier]
    annee = _annee()
    sessions = SessionFormation.objects.bulk_create(
        [
            SessionFormation(
                organisation=org,
                offre_catalogue=o.code,
                palier=o.palier,
                cree_par=par,
                date=date(annee, 1, 1) + timedelta(days=alea.randrange(365)),
            )  # fmt: skip
            for o in (alea.choice(offres) for _ in range(NB_SESSIONS))
        ]
    )
    Participation.objects.bulk_create(
        [
            Participation(
                session=s,
                population=alea.choice(par_palier[s.palier]),
                service=f"Service {j}",
                nombre=alea.randint(5, 25),
            )  # fmt: skip
            for s in sessions
            for j in range(2)
        ]
    )


def peupler_indicateurs(org: Any, par: Any, alea: random.Random) -> None:
    """50 indicateurs sur les premiers systèmes, chacun avec 60 mesures mensuelles (5 ans jusqu'à la fin
    de l'année du rapport), par bulk_create."""
    from decimal import Decimal

    from balise.indicateurs.models import Indicateur, Mesure
    from balise.registre.models import SystemeIA

    systemes = list(SystemeIA.objects.filter(organisation=org).order_by("pk")[:NB_INDICATEURS])
    indicateurs = Indicateur.objects.bulk_create(
        [
            Indicateur(
                organisation=org,
                systeme=systemes[i % len(systemes)] if systemes else None,
                objectif="Qualité du service rendu",
                intitule=f"Taux de réponses justes n° {i + 1}",
                unite="%",
                cible=Decimal("90"),
                sens=Indicateur.Sens.AU_MOINS,
                frequence=Indicateur.Frequence.MENSUELLE,
                responsable=par,
            )  # fmt: skip
            for i in range(NB_INDICATEURS)
        ]
    )
    premier = _annee() - 4
    Mesure.objects.bulk_create(
        [
            Mesure(
                indicateur=ind,
                organisation=org,
                periode=date(premier + m // 12, m % 12 + 1, 1),
                valeur=Decimal(alea.randint(700, 1000)) / 10,
                saisie_par=par,
            )  # fmt: skip
            for ind in indicateurs
            for m in range(NB_MOIS)
        ],
        batch_size=1000,
    )


# Les peuplements, dans l'ordre : les volumes de l'issue 14 (500 systèmes, 40 séances, 3 000 agents,
# 200 sessions de formation, 50 indicateurs × 60 mesures mensuelles).
PEUPLEMENTS: dict[str, Callable[[Any, Any, random.Random], None]] = {
    "registre": peupler_registre,
    "gouvernance": peupler_gouvernance,
    "effectifs": peupler_effectifs,
    "formations": peupler_formations,
    "indicateurs": peupler_indicateurs,
}


def peupler() -> dict[str, float]:
    from django.db import transaction

    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation

    alea = random.Random(GRAINE)
    durees = {}
    with transaction.atomic():
        org = Organisation.objects.create(
            nom="Métropole du banc des rapports", slug=SLUG, nombre_agents=NB_AGENTS
        )
        par = Utilisateur.objects.create_user(COURRIEL, "mot-de-passe-du-banc-42")
        Adhesion.objects.create(organisation=org, utilisateur=par, role="referent")
    for nom, fonction in PEUPLEMENTS.items():
        t0 = time.perf_counter()
        with transaction.atomic():
            fonction(org, par, alea)
        durees[nom] = round(time.perf_counter() - t0, 1)
        print(f"  peuplement « {nom} » : {durees[nom]} s", flush=True)
    return durees


# --- Mesure dans un processus neuf ----------------------------------------------------------------


def pic_mo() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for ligne in f:
            if ligne.startswith("VmHWM:"):
                return round(int(ligne.split()[1]) / 1024, 1)
    return 0.0


def mesurer_format(format_: str, genre: str) -> dict[str, Any]:
    """Dans le processus de mesure : lire le contenu puis le rendre en `format_`."""
    import django

    django.setup()
    from balise.organisations.models import Organisation
    from balise.rapports import rendus, services

    org = Organisation.objects.get(slug=SLUG)
    debut, fin = services.periode(_annee())
    t0 = time.perf_counter()
    contenu = services.construire(org, genre, debut, fin)
    t1 = time.perf_counter()
    fichier = rendus.RENDUS[format_](contenu)
    t2 = time.perf_counter()
    # Le processus de fond vit longtemps : un second rapport ne paie plus l'initialisation des bibliothèques
    # (polices de WeasyPrint surtout). Mesuré aussi, à part.
    services.construire(org, genre, debut, fin)
    t3 = time.perf_counter()
    rendus.RENDUS[format_](contenu)
    t4 = time.perf_counter()
    return {
        "duree_s": round(t2 - t0, 3),
        "contenu_s": round(t1 - t0, 3),
        "rendu_s": round(t2 - t1, 3),
        "suivant_s": round(t4 - t2, 3),
        "suivant_rendu_s": round(t4 - t3, 3),
        "pic_mo": pic_mo(),
        "octets": len(fichier),
    }


def sous_mesure(script: Path, mode: str, *arguments: str) -> dict[str, Any]:
    sortie = subprocess.run(
        [sys.executable, str(script), "--sous-mesure", mode, *arguments],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    ligne = next(ligne for ligne in reversed(sortie.splitlines()) if ligne.startswith(MARQUE))
    return json.loads(ligne[len(MARQUE) :])


def _nb(valeur: float, decimales: int = 2) -> str:
    return f"{valeur:,.{decimales}f}".replace(",", " ").replace(".", ",")


def main() -> int:
    parseur = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parseur.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parseur.add_argument("--tours", type=int, default=3)
    parseur.add_argument("--genre", default="annuel")
    parseur.add_argument("--sous-mesure", help=argparse.SUPPRESS)
    options = parseur.parse_args()
    if options.sous_mesure:
        sys.path.insert(0, str(RACINE))
        print(MARQUE + json.dumps(mesurer_format(options.sous_mesure, options.genre)), flush=True)
        return 0
    dossier = Path(tempfile.mkdtemp(prefix="banc-rapports-"))
    try:
        commun.configurer_django(options.base, dossier, NOM_BASE_PG, "127.0.0.1")
        print("Peuplement…", flush=True)
        peuplement = peupler()
        etalon_avant = commun.etalon()
        resultats: dict[str, Any] = {}
        for format_ in OBJECTIFS_S:
            tours = [
                sous_mesure(Path(__file__).resolve(), format_, "--genre", options.genre)
                for _ in range(options.tours)
            ]
            mediane = statistics.median(t["duree_s"] for t in tours)
            pic = max(t["pic_mo"] for t in tours)
            resultats[format_] = {
                "tours": tours,
                "mediane_s": mediane,
                "contenu_s": statistics.median(t["contenu_s"] for t in tours),
                "suivant_s": statistics.median(t["suivant_s"] for t in tours),
                "pic_mo": pic,
                "objectif_s": OBJECTIFS_S[format_],
                "atteint": mediane < OBJECTIFS_S[format_] and pic < OBJECTIF_PIC_MO,
            }
            print(
                f"{format_.upper():5} médiane {_nb(mediane)} s (contenu {_nb(resultats[format_]['contenu_s'])} s ; "
                f"rapport suivant, même processus : {_nb(resultats[format_]['suivant_s'])} s) ; "
                f"pic {_nb(pic, 0)} Mo ; {tours[0]['octets'] // 1024} Ko ; objectif < {_nb(OBJECTIFS_S[format_], 0)} s "
                f"et < {_nb(OBJECTIF_PIC_MO, 0)} Mo : {'atteint' if resultats[format_]['atteint'] else 'MANQUÉ'}",
                flush=True,
            )
        document = {
            "machine": commun.machine(options.base),
            "etalon_ms": {"avant": etalon_avant, "apres": commun.etalon()},
            "jeu": {
                "systemes": NB_SYSTEMES,
                "seances": NB_SEANCES,
                "agents": NB_AGENTS,
                "peuplements": list(PEUPLEMENTS),
            },
            "peuplement_s": peuplement,
            "genre": options.genre,
            "resultats": resultats,
        }
        commun.ecrire_json(RESULTATS / f"rapports-{options.base}.json", document)
    finally:
        commun.nettoyer(options.base, dossier, NOM_BASE_PG)
    return 0


if __name__ == "__main__":
    sys.exit(main())
