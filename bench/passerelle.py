"""Banc de la passerelle d'IA générative (issue 18, « Measured ») : surcoût de Balise par requête,
temps jusqu'au premier morceau d'un flux, conversations simultanées, mémoire des processus web et
pages d'usage sur un journal d'un million de requêtes.

Usage : .venv/bin/python bench/passerelle.py [--base postgresql|sqlite] [--requetes 1000000]
        [--repetitions 200] [--conversations 16] [--tours 3] [--fils 8]
        [--sortie bench/resultats/passerelle-<base>.json]

Le fournisseur est le serveur compatible OpenAI des tests (`tests/modele_local.py`, `ServeurModele`),
lancé dans un processus à part : il ne partage pas le verrou global de Python avec les clients du banc.
Il répond « Réponse à : <dernier message> » en morceaux de 4 caractères (≈ un jeton par événement).

1. Surcoût, dans le processus (sans HTTP) : invite française de 2 000 caractères
   (`bench/donnees_personnelles.py`, `INVITE`), vers un modèle qui peut recevoir « sensible » mais pas
   « personnelle » (le NIR part, les noms et coordonnées sont pseudonymisés, et un `ContenuSensible`
   est écrit). Tour après tour, en alternance : (a) le modèle français nu (`modele()(invite)`) ;
   (b) `envoi.preparer` (analyse, politique, pseudonymisation) puis `envoi._journal` (écriture de la
   `Requete` avec coût et empreinte EcoLogits, et du contenu sensible chiffré) à jetons et latence
   fixes. 20 tours de mise en température, `--repetitions` tours mesurés ; p50 et p95 de chacun et
   rapport (objectifs : p50 ≤ 1,3×, p95 ≤ 1,5×). `dp.analyser` est remplacé, le temps de la mesure,
   par une enveloppe chronométrée : analyse d'un côté, politique + pseudonymisation de l'autre.
2. Temps jusqu'au premier morceau (TTFT) : gunicorn (2 travailleurs, réglages de production,
   `BALISE_PASSERELLE_PRECHARGER=1`), `POST /v1/chat/completions` en flux avec une clé personnelle,
   contre la même requête envoyée directement au fournisseur, en alternance ; premier
   `chat.completion.chunk` au contenu non vide ; invite courte et invite de 2 000 caractères.
   Objectif : TTFT en plus ≤ surcoût p50 (mesure 1) + 10 ms.
3. `--conversations` conversations simultanées en flux (un fil et une connexion chacune, `--tours`
   tours, l'historique renvoyé à chaque tour) : chaque flux finit par `data: [DONE]` et son texte est
   exactement la réponse du fournisseur, valeurs remises, suivie de la mention.
4. Mémoire de chaque travailleur (VmRSS, VmHWM) après le chargement du modèle, puis après 2 et 3.
   Objectif : < 700 Mo par processus web.
5. Pages d'usage : `--requetes` lignes de journal (une organisation, 12 mois, ~2 000 personnes,
   30 services, 4 modèles, actions et classes mêlées ; COPY sur PostgreSQL, `bulk_create` par 10 000
   sur SQLite), `VACUUM ANALYZE`, puis `/o/<slug>/passerelle/usage/?mois=<mois le plus chargé>` et
   `/o/<slug>/passerelle/usage/fiches/<pk>/` (fiche du modèle le plus utilisé) à 1 et 16 clients
   (`bench/registre.py` : `mesurer`). Objectif : p50 < 100 ms. Sur PostgreSQL, le plan
   (`EXPLAIN (ANALYZE, BUFFERS)`) de chaque requête SQL des deux pages est gardé dans les résultats.

Travailleurs : `--fils 8` (défaut) donne `--worker-class gthread --threads 8` (par
`GUNICORN_CMD_ARGS`) : un travailleur synchrone sert un seul flux à la fois, et gunicorn l'arrête au
bout de son délai (`--timeout`) tant qu'un flux long le tient ; `--fils 0` garde les travailleurs
synchrones. Code de sortie 0 même si un objectif est manqué : c'est une mesure, pas un test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import commun
import registre as banc_registre
from donnees_personnelles import INVITE, TERMES

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_passerelle"
HOTE = banc_registre.HOTE
MISE_EN_TEMPERATURE = 20
OBJECTIF_RAPPORT = {"p50": 1.3, "p95": 1.5}
OBJECTIF_MEMOIRE_MO = 700
OBJECTIF_USAGE_P50_MS = 100.0

INVITE_COURTE = "Propose trois idées de titre pour une lettre d'information sur le tri des déchets."
# Un message de conversation avec de quoi pseudonymiser (nom, courriel, téléphone) et restaurer.
MESSAGE_TOUR = (
    "Reformule ce message pour Mme Claire Dubois (claire.dubois@exemple.fr, 06 11 22 33 44) : "
    "sa demande de place en crèche est acceptée à compter du 1er septembre, tour {n}."
)
SERVICES = [
    "Direction générale des services", "Ressources humaines", "Finances", "Commande publique",
    "Affaires juridiques", "Systèmes d'information", "Communication", "État civil", "Élections",
    "Urbanisme", "Voirie", "Espaces verts", "Propreté", "Eau et assainissement", "Petite enfance",
    "Éducation", "Restauration scolaire", "Sports", "Culture", "Médiathèque", "Action sociale",
    "CCAS", "Logement", "Police municipale", "Relation usagers", "Archives", "Secrétariat des assemblées",
    "Développement économique", "Transition écologique", "Bâtiments",
]  # fmt: skip
# (libellé, identifiant chez le fournisseur, classes permises, part du journal, paramètres actifs/totaux)
MODELES = [
    ("Albert", "albert-large", ["sensible"], 0.45, None),
    ("Mistral Small", "mistral-small-latest", [], 0.30, None),
    ("Llama local", "llama-local", ["interne", "personnelle", "sensible"], 0.15, (Decimal(8), Decimal(8))),
    ("Albert code", "albert-code", ["interne"], 0.10, (Decimal(32), Decimal(32))),
]

# Le fournisseur dans son propre processus ; il dit son port puis attend la fermeture de stdin.
CODE_FOURNISSEUR = """
import sys
from tests.modele_local import ServeurModele
serveur = ServeurModele().demarrer()
print(serveur.port, flush=True)
sys.stdin.read()
serveur.arreter()
"""


def centiles(valeurs: list[float]) -> dict[str, float]:
    if not valeurs:
        return {"p50": float("nan"), "p95": float("nan"), "n": 0}
    p95 = statistics.quantiles(valeurs, n=100, method="inclusive")[94] if len(valeurs) > 1 else valeurs[0]
    return {"p50": round(statistics.median(valeurs), 2), "p95": round(p95, 2), "n": len(valeurs)}


# --------------------------------------------------------------------------------------------------
# Fournisseur, organisation, catalogue
# --------------------------------------------------------------------------------------------------


def demarrer_fournisseur() -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE_FOURNISSEUR], cwd=RACINE, env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    ligne = proc.stdout.readline()
    if not ligne.strip().isdigit():
        proc.kill()
        raise RuntimeError(f"le fournisseur local n'a pas démarré : {ligne!r}")
    return proc, int(ligne)


def arreter_fournisseur(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def preparer_jeu(port_fournisseur: int) -> dict[str, Any]:
    """Par les services de Balise : organisation, administratrice, règles publiées, fournisseur, quatre
    modèles (chacun avec sa fiche du registre), réglages avec termes propres, un agent qui a lu les
    règles et indiqué son service, sa clé personnelle, et la session de l'administratrice."""
    from django.contrib.sessions.backends.db import SessionStore

    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation
    from balise.passerelle import services
    from balise.passerelle import services_catalogue as catalogue
    from balise.regles_usage import services as regles
    from tests.modele_local import CLE_TEST

    org = Organisation.objects.create(
        nom="Ville du Banc de la passerelle", slug="banc-passerelle", type="commune",
        contact_public="contact@banc-passerelle.example",
    )  # fmt: skip
    admin = Utilisateur.objects.create_user("admin@banc-passerelle.example", None)
    agent = Utilisateur.objects.create_user("agent@banc-passerelle.example", None)
    Adhesion.objects.create(utilisateur=admin, organisation=org, role="administrateur")
    Adhesion.objects.create(utilisateur=agent, organisation=org, role="lecteur")
    brouillon = regles.creer_brouillon(org, admin)
    regles.publier(org, brouillon.pk, admin, brouillon.version)
    fournisseur = catalogue.ajouter_fournisseur(
        org,
        {
            "nom": "Local",
            "url_base": f"http://{HOTE}:{port_fournisseur}/v1",
            "hebergement": "france",
            "delai_s": 60,
        },
        CLE_TEST,
        admin,
    )
    modeles = {}
    for libelle, identifiant, classes, _, parametres in MODELES:
        donnees: dict[str, Any] = {
            "identifiant": identifiant,
            "libelle": libelle,
            "prix_entree_million": Decimal("0.5"),
            "prix_sortie_million": Decimal("1.5"),
        }
        if parametres:
            donnees["parametres_actifs_milliards"], donnees["parametres_totaux_milliards"] = parametres
        else:
            donnees["ecologits_fournisseur"], donnees["ecologits_modele"] = (
                "mistralai",
                "mistral-small-latest",
            )
        modeles[libelle] = catalogue.ajouter_modele(org, fournisseur.pk, donnees, classes, admin)
    catalogue.regler(
        org, "Texte produit avec l'aide d'une IA, relu par un agent.", 365, "\n".join(TERMES), 1, admin
    )
    services.premiere_utilisation(org, agent, None, "Action sociale")
    _, secret = services.emettre_cle(org, agent, "Banc de mesure")
    session = SessionStore()
    session["_auth_user_id"] = str(admin.pk)
    session["_auth_user_backend"] = "balise.comptes.backends.PersonneEnCache"
    session["_auth_user_hash"] = admin.get_session_auth_hash()
    session.save()
    return {
        "org": org, "admin": admin, "agent": agent, "modeles": modeles, "secret": secret,
        "session": session.session_key, "mention": catalogue.reglages(org).mention,
    }  # fmt: skip


# --------------------------------------------------------------------------------------------------
# 1. Surcoût dans le processus
# --------------------------------------------------------------------------------------------------


def mesurer_surcout(jeu: dict[str, Any], repetitions: int) -> dict[str, Any]:
    from balise.passerelle import donnees_personnelles as dp
    from balise.passerelle import envoi
    from balise.passerelle.models import ContenuSensible, Requete
    from balise.passerelle.services_catalogue import reglages

    invite = INVITE[:2000]
    modele, agent = jeu["modeles"]["Albert"], jeu["agent"]
    reglages_org = reglages(jeu["org"])
    messages = [{"role": "user", "content": invite}]
    nlp = dp.modele()
    dp.moteur()
    analyser_original = dp.analyser
    minute = {"analyse": 0.0}

    def analyser_minute(texte: str, termes: Any = ()) -> Any:
        t = time.perf_counter()
        try:
            return analyser_original(texte, termes)
        finally:
            minute["analyse"] = time.perf_counter() - t

    series: dict[str, list[float]] = {
        k: [] for k in ("modele_nu", "analyse", "politique", "journal", "surcout")
    }
    prep = None
    dp.analyser = analyser_minute  # type: ignore[assignment]
    try:
        for tour in range(MISE_EN_TEMPERATURE + repetitions):
            t = time.perf_counter()
            nlp(invite)
            nu = time.perf_counter() - t
            t = time.perf_counter()
            prep = envoi.preparer(modele, messages, reglages_org)
            preparation = time.perf_counter() - t
            t = time.perf_counter()
            envoi._journal(
                prep, agent, "api", reglages_org, action=prep.decision.action,
                jetons_entree=600, jetons_sortie=300, latence_s=2.5,
            )  # fmt: skip
            journal = time.perf_counter() - t
            if tour >= MISE_EN_TEMPERATURE:
                series["modele_nu"].append(nu * 1000)
                series["analyse"].append(minute["analyse"] * 1000)
                series["politique"].append((preparation - minute["analyse"]) * 1000)
                series["journal"].append(journal * 1000)
                series["surcout"].append((preparation + journal) * 1000)
    finally:
        dp.analyser = analyser_original
    assert prep is not None
    a, b = centiles(series["modele_nu"]), centiles(series["surcout"])
    # Ce que le banc a écrit : une requête et un contenu sensible par tour, rien d'autre.
    ecrites = Requete.objects.count()
    sensibles = ContenuSensible.objects.count()
    Requete.objects.all().delete()  # le journal du point 5 part d'une table vide
    return {
        "caracteres": len(invite),
        "repetitions": repetitions,
        "action": prep.decision.action,
        "types_pseudonymises": sorted({t.type for t in prep.decision.a_pseudonymiser}),
        "classes_trouvees": sorted(prep.decision.classes_trouvees),
        "requetes_ecrites": ecrites,
        "contenus_sensibles_ecrits": sensibles,
        "modele_nu_ms": a,
        "analyse_ms": centiles(series["analyse"]),
        "politique_pseudonymisation_ms": centiles(series["politique"]),
        "journal_ms": centiles(series["journal"]),
        "surcout_ms": b,
        "rapport": {"p50": round(b["p50"] / a["p50"], 2), "p95": round(b["p95"] / a["p95"], 2)},
        "objectif": OBJECTIF_RAPPORT,
        "atteint": b["p50"] / a["p50"] <= OBJECTIF_RAPPORT["p50"]
        and b["p95"] / a["p95"] <= OBJECTIF_RAPPORT["p95"],
    }


# --------------------------------------------------------------------------------------------------
# Flux SSE par http.client
# --------------------------------------------------------------------------------------------------


def flux(
    connexion: http.client.HTTPConnection, cle: str, modele: str, messages: list[dict[str, str]]
) -> dict[str, Any]:
    """Un `POST /v1/chat/completions` en flux : temps jusqu'au premier morceau au contenu non vide,
    durée totale, texte reçu, fin par `[DONE]`, erreur éventuelle (statut, événement `error`)."""
    corps = json.dumps({"model": modele, "messages": messages, "stream": True}, ensure_ascii=False).encode()
    entetes = {
        "Host": HOTE, "Authorization": f"Bearer {cle}", "Content-Type": "application/json",
        "Accept": "text/event-stream", "User-Agent": "balise-bench",
    }  # fmt: skip
    resultat: dict[str, Any] = {"ttft_ms": None, "texte": "", "done": False, "erreur": ""}
    t0 = time.perf_counter()
    try:
        connexion.request("POST", "/v1/chat/completions", body=corps, headers=entetes)
        reponse = connexion.getresponse()
        if reponse.status != 200:
            resultat["erreur"] = f"statut {reponse.status} : {reponse.read()[:300]!r}"
            return resultat
        morceaux = []
        while True:
            ligne = reponse.readline()
            if not ligne:
                break
            if not ligne.startswith(b"data: "):
                continue
            donnees = ligne[6:].strip()
            if donnees == b"[DONE]":
                resultat["done"] = True
                continue
            objet = json.loads(donnees)
            if "error" in objet:
                resultat["erreur"] = f"événement error : {objet['error']}"
                continue
            for choix in objet.get("choices") or []:
                contenu = (choix.get("delta") or {}).get("content") or ""
                if contenu:
                    if resultat["ttft_ms"] is None:
                        resultat["ttft_ms"] = (time.perf_counter() - t0) * 1000
                    morceaux.append(contenu)
        resultat["texte"] = "".join(morceaux)
        if reponse.will_close:
            connexion.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        connexion.close()
        resultat["erreur"] = f"{type(exc).__name__} : {exc}"
    resultat["duree_ms"] = (time.perf_counter() - t0) * 1000
    return resultat


# --------------------------------------------------------------------------------------------------
# 2. TTFT, 3. conversations simultanées, 4. mémoire
# --------------------------------------------------------------------------------------------------


def travailleurs(pid_maitre: int) -> list[int]:
    pids = []
    for nom in os.listdir("/proc"):
        if nom.isdigit():
            try:
                texte = Path(f"/proc/{nom}/stat").read_text()
            except OSError:
                continue
            if int(texte[texte.rindex(")") + 2 :].split()[1]) == pid_maitre:
                pids.append(int(nom))
    return sorted(pids)


def memoire(pids: list[int]) -> list[dict[str, Any]]:
    releves = []
    for pid in pids:
        valeurs: dict[str, Any] = {"pid": pid}
        try:
            for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
                if ligne.startswith(("VmRSS:", "VmHWM:")):
                    valeurs[ligne[:5]] = round(int(ligne.split()[1]) / 1024, 1)
        except OSError:
            continue
        releves.append(valeurs)
    return releves


def mettre_en_temperature(port: int, jeu: dict[str, Any], pid_maitre: int) -> dict[str, Any]:
    """Les deux travailleurs chargent le modèle dans un fil au démarrage ; des requêtes simultanées
    (quatre à la fois, donc servies par les deux) attendent ce chargement (`moteur()` est verrouillé),
    jusqu'à ce que la mémoire de chaque travailleur ne bouge plus d'un tour à l'autre."""
    invite = INVITE[:2000]
    precedente: list[dict[str, Any]] = []
    tours = 0
    for tours in range(1, 31):
        fils = [
            threading.Thread(
                target=flux,
                args=(
                    http.client.HTTPConnection(HOTE, port, timeout=120),
                    jeu["secret"],
                    "Albert",
                    [{"role": "user", "content": invite}],
                ),
            )  # fmt: skip
            for _ in range(4)
        ]
        for f in fils:
            f.start()
        for f in fils:
            f.join()
        releve = memoire(travailleurs(pid_maitre))
        stable = precedente and all(
            abs(a["VmRSS"] - b["VmRSS"]) < 5 for a, b in zip(releve, precedente, strict=False)
        )
        if tours >= 5 and stable:
            break
        precedente = releve
    return {"tours": tours, "memoire": memoire(travailleurs(pid_maitre))}


def mesurer_ttft(port: int, port_fournisseur: int, jeu: dict[str, Any], repetitions: int) -> dict[str, Any]:
    from django.db import connection

    from balise.passerelle.models import Requete
    from tests.modele_local import CLE_TEST

    resultats: dict[str, Any] = {}
    for nom, invite in (("courte", INVITE_COURTE), ("2000", INVITE[:2000])):
        messages = [{"role": "user", "content": invite}]
        series: dict[str, list[float]] = {"direct": [], "balise": []}
        erreurs: list[str] = []
        dernier = 0
        for tour in range(MISE_EN_TEMPERATURE + repetitions):
            if tour == MISE_EN_TEMPERATURE:  # le journal des seuls tours mesurés
                dernier = Requete.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                connection.close()
            # Connexion neuve de part et d'autre : même coût d'établissement des deux côtés.
            for cote, cible, cle, modele in (
                ("direct", port_fournisseur, CLE_TEST, "albert-large"),
                ("balise", port, jeu["secret"], "Albert"),
            ):
                connexion = http.client.HTTPConnection(HOTE, cible, timeout=120)
                r = flux(connexion, cle, modele, messages)
                connexion.close()
                if r["erreur"] or r["ttft_ms"] is None or not r["done"]:
                    erreurs.append(f"{cote} : {r['erreur'] or 'flux incomplet'}")
                elif tour >= MISE_EN_TEMPERATURE:
                    series[cote].append(r["ttft_ms"])
        direct, balise = centiles(series["direct"]), centiles(series["balise"])
        # Le temps de `preparer` dans le travailleur, tel que le journal l'a noté (`analyse_ms`) :
        # dit si l'écart au surcoût du point 1 vient de l'analyse ou du reste de la requête.
        notes = Requete.objects.filter(pk__gt=dernier).values_list("analyse_ms", flat=True)
        preparer_serveur = centiles([float(v) for v in notes])
        connection.close()
        resultats[nom] = {
            "caracteres": len(invite),
            "direct_ms": direct,
            "balise_ms": balise,
            "en_plus_ms": {k: round(balise[k] - direct[k], 2) for k in ("p50", "p95")},
            "preparer_dans_le_travailleur_ms": preparer_serveur,
            "erreurs": erreurs[:20],
            "nb_erreurs": len(erreurs),
        }
        print(
            f"  TTFT invite {nom} : direct p50 {direct['p50']} ms, Balise p50 {balise['p50']} ms "
            f"(+{resultats[nom]['en_plus_ms']['p50']} ms), {len(erreurs)} erreur(s)",
            flush=True,
        )
    return resultats


def mesurer_conversations(port: int, jeu: dict[str, Any], nombre: int, tours: int) -> dict[str, Any]:
    """`nombre` agents en même temps, chacun sa connexion et sa conversation de `tours` tours."""
    depart = threading.Barrier(nombre)
    verrou = threading.Lock()
    bilan: dict[str, Any] = {"flux": 0, "complets": 0, "erreurs": [], "durees_ms": [], "ttft_ms": []}
    suffixe = f"\n\n— {jeu['mention']}"

    def agent(numero: int) -> None:
        connexion = http.client.HTTPConnection(HOTE, port, timeout=300)
        historique: list[dict[str, str]] = []
        depart.wait()
        for n in range(1, tours + 1):
            message = MESSAGE_TOUR.format(n=f"{n} de l'agent {numero}")
            historique.append({"role": "user", "content": message})
            r = flux(connexion, jeu["secret"], "Albert", historique)
            attendu = f"Réponse à : {message}{suffixe}"
            with verrou:
                bilan["flux"] += 1
                if r["erreur"] or not r["done"]:
                    bilan["erreurs"].append(f"agent {numero}, tour {n} : {r['erreur'] or 'sans [DONE]'}")
                elif r["texte"] != attendu:
                    bilan["erreurs"].append(
                        f"agent {numero}, tour {n} : texte mal restauré {r['texte'][:160]!r}"
                    )
                else:
                    bilan["complets"] += 1
                    bilan["durees_ms"].append(r["duree_ms"])
                    bilan["ttft_ms"].append(r["ttft_ms"])
            # Ce que le client renvoie au tour suivant : la réponse telle qu'il l'a lue.
            historique.append({"role": "assistant", "content": r["texte"]})
        connexion.close()

    fils = [threading.Thread(target=agent, args=(i + 1,), daemon=True) for i in range(nombre)]
    t0 = time.perf_counter()
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=600)
    duree = time.perf_counter() - t0
    return {
        "conversations": nombre,
        "tours": tours,
        "duree_s": round(duree, 2),
        "flux": bilan["flux"],
        "complets": bilan["complets"],
        "nb_erreurs": len(bilan["erreurs"]) + (nombre * tours - bilan["flux"]),
        "erreurs": bilan["erreurs"][:20],
        "flux_ms": centiles(bilan["durees_ms"]),
        "ttft_ms": centiles(bilan["ttft_ms"]),
    }


# --------------------------------------------------------------------------------------------------
# 5. Journal d'un million de requêtes, pages d'usage
# --------------------------------------------------------------------------------------------------

COLONNES = (
    "organisation_id", "personne_id", "service", "modele_id", "canal", "le", "action", "classes", "types",
    "jetons_entree", "jetons_sortie", "jetons_estimes", "latence_ms", "analyse_ms", "erreur", "cout_euros",
    "energie_wh", "ges_gco2e", "eau_l",
)  # fmt: skip
# (action, part, classes possibles et types correspondants)
ACTIONS: list[tuple[str, float, list[tuple[list[str], list[str]]]]] = [
    ("envoyer", 0.68, [([], []), (["publique"], [])]),
    ("pseudonymiser", 0.22, [(["personnelle"], ["PERSONNE"]), (["personnelle"], ["COURRIEL", "PERSONNE"]),
                              (["interne", "personnelle"], ["PERSONNE", "TERME_PROPRE"]), (["interne"], ["TERME_PROPRE"])]),
    ("refuser", 0.07, [(["sensible"], ["NIR"]), (["personnelle", "sensible"], ["NIR", "PERSONNE"])]),
    ("erreur", 0.03, [([], [])]),
]  # fmt: skip


def lignes_journal(nombre: int, jeu: dict[str, Any], alea: random.Random) -> Any:
    """Les lignes du journal, une à une : 12 mois jusqu'à maintenant, l'usage croissant (plus de
    requêtes les derniers mois), les heures ouvrées, chaque personne dans un service."""
    from django.utils import timezone

    maintenant = timezone.now()
    personnes, org_id = jeu["personnes"], jeu["org"].pk
    service_de = {p: SERVICES[i % len(SERVICES)] for i, p in enumerate(personnes)}
    modeles = [(jeu["modeles"][m[0]].pk, m[3]) for m in MODELES]
    ids_modeles, poids_modeles = [m[0] for m in modeles], [m[1] for m in modeles]
    actions, poids_actions = ACTIONS, [a[1] for a in ACTIONS]
    for _ in range(nombre):
        jours = 365 * (1 - alea.random() ** 0.6)  # plus dense vers aujourd'hui
        le = maintenant - timedelta(days=jours)
        le = le.replace(hour=alea.randint(8, 18), minute=alea.randint(0, 59))
        if le > maintenant:
            le -= timedelta(days=1)
        personne = alea.choice(personnes)
        action, _, variantes = alea.choices(actions, poids_actions)[0]
        classes, types = alea.choice(variantes)
        part = action != "refuser"
        entree = alea.randint(40, 3000) if part else 0
        sortie = alea.randint(20, 1200) if action in ("envoyer", "pseudonymiser") else 0
        latence = alea.randint(400, 15000) if part else None
        yield (
            org_id, personne, service_de[personne], alea.choices(ids_modeles, poids_modeles)[0],
            "page" if alea.random() < 0.6 else "api", le, action, json.dumps(classes), json.dumps(types),
            entree, sortie, alea.random() < 0.1, latence, alea.randint(20, 200),
            "delai" if action == "erreur" else "",
            Decimal(entree * 5 + sortie * 15) / Decimal(10_000_000) if part else None,
            sortie * 0.002 if part else None, sortie * 0.0001 if part else None, sortie * 0.00002 if part else None,
        )  # fmt: skip


def remplir_journal(base: str, jeu: dict[str, Any], nombre: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from balise.comptes.models import Utilisateur
    from balise.passerelle import usage
    from balise.passerelle.models import Requete

    alea = random.Random(18)  # noqa: S311 — données de banc
    # Les requêtes écrites par les points 2 et 3 sortent : le journal compte exactement `nombre` lignes.
    Requete.objects.all().delete()
    t0 = time.perf_counter()
    mot_de_passe = make_password(None)
    personnes = Utilisateur.objects.bulk_create(
        [
            Utilisateur(email=f"agent{i:04d}@banc-passerelle.example", password=mot_de_passe)
            for i in range(2000)
        ],
        batch_size=1000,
    )
    jeu["personnes"] = [p.pk for p in personnes]
    lignes = lignes_journal(nombre, jeu, alea)
    with transaction.atomic():
        if base == "postgresql":
            with (
                connection.cursor() as c,
                c.cursor.copy(f"COPY passerelle_requete ({', '.join(COLONNES)}) FROM STDIN") as copie,
            ):
                for ligne in lignes:
                    copie.write_row(ligne)
        else:
            lot: list[Requete] = []
            for ligne in lignes:
                valeurs = dict(zip(COLONNES, ligne, strict=True))
                valeurs["classes"], valeurs["types"] = (
                    json.loads(valeurs["classes"]),
                    json.loads(valeurs["types"]),
                )
                lot.append(Requete(**valeurs))
                if len(lot) == 10_000:
                    Requete.objects.bulk_create(lot)
                    lot = []
            Requete.objects.bulk_create(lot)
    duree = time.perf_counter() - t0
    # Le journal est écrit d'un bloc, sans passer par la passerelle : ses cumuls mensuels (que lisent les
    # pages d'usage) sont refaits à partir de lui, comme après une reprise.
    t1 = time.perf_counter()
    cumuls = usage.recalculer(jeu["org"])
    duree_cumuls = time.perf_counter() - t1
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE" if base == "postgresql" else "ANALYZE")
    par_mois = (
        Requete.objects.filter(organisation=jeu["org"]).annotate(mois=TruncMonth("le")).values("mois")
        .annotate(n=Count("pk")).order_by("-n").first()
    )  # fmt: skip
    assert par_mois is not None
    return {
        "requetes": Requete.objects.count(),
        "personnes": len(personnes),
        "services": len(SERVICES),
        "modeles": len(MODELES),
        "duree_remplissage_s": round(duree, 1),
        "cumuls_mensuels": cumuls,
        "duree_recalcul_cumuls_s": round(duree_cumuls, 1),
        "mois_le_plus_charge": f"{par_mois['mois']:%Y-%m}",
        "requetes_du_mois": par_mois["n"],
    }


def plans(base: str, jeu: dict[str, Any], mois: str, systeme_id: int) -> list[dict[str, Any]]:
    """Le plan réel de chaque requête SQL des deux pages (celles de `usage.du_mois` et de
    `usage.par_mois_de_la_fiche`), capturées à l'appel puis rejouées sous EXPLAIN ANALYZE."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from balise.passerelle import usage

    annee, m = (int(x) for x in mois.split("-"))
    with CaptureQueriesContext(connection) as capture:
        usage.du_mois(jeu["org"], date(annee, m, 1))
        usage.par_mois_de_la_fiche(systeme_id, 12)
    resultats = []
    for requete in capture.captured_queries:
        sql = requete["sql"]
        if base != "postgresql" or not sql.lstrip().upper().startswith("SELECT"):
            resultats.append({"sql": sql, "duree_ms": round(float(requete["time"]) * 1000, 1)})
            continue
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [ligne[0] for ligne in c.fetchall()]
        resultats.append({"sql": sql, "duree_ms": round(float(requete["time"]) * 1000, 1), "plan": plan})
    connection.close()
    return resultats


def mesurer_usage(port: int, jeu: dict[str, Any], mois: str, systeme_id: int) -> list[dict[str, Any]]:
    slug = jeu["org"].slug
    cookie = f"sessionid={jeu['session']}; csrftoken={secrets.token_hex(16)}"
    pages = [
        banc_registre.Page("usage du mois", f"/o/{slug}/passerelle/usage/?mois={mois}", True,
                           attendu="Usage de la passerelle en"),
        banc_registre.Page("usage de la fiche", f"/o/{slug}/passerelle/usage/fiches/{systeme_id}/", True,
                           attendu="Usage mois par mois"),
    ]  # fmt: skip
    mesures = []
    for page in pages:
        banc_registre.page_attendue(port, page, cookie)
        for concurrence in (1, 16):
            banc_registre.mesurer(port, page, cookie, concurrence, 10 * concurrence, 10)  # chauffe
            m = banc_registre.mesurer(port, page, cookie, concurrence, 200 if concurrence == 1 else 800, 20)
            mesures.append({
                "page": m.page, "chemin": m.chemin, "concurrence": concurrence, "p50_ms": m.p50_ms,
                "p95_ms": m.p95_ms, "req_s": m.req_s, "requetes": m.requetes, "erreurs": m.erreurs,
                "atteint": m.p50_ms < OBJECTIF_USAGE_P50_MS and not m.erreurs,
            })  # fmt: skip
            print(
                f"  {page.nom:<18} {concurrence:>2} client(s) : p50 {m.p50_ms:.1f} ms, p95 {m.p95_ms:.1f} ms, "
                f"{m.req_s:.0f} req/s, {m.erreurs} erreur(s)",
                flush=True,
            )
    return mesures


# --------------------------------------------------------------------------------------------------


def serveur_gunicorn(dossier: Path, fils: int, nom: str) -> tuple[subprocess.Popen[bytes], int]:
    """Le serveur de bench/registre.py ; la classe de travailleurs passe par GUNICORN_CMD_ARGS, que
    gunicorn ajoute à sa ligne de commande."""
    env = {**os.environ, "BALISE_PASSERELLE_PRECHARGER": "1", "BALISE_JOURNAL_REQUETES": "0"}
    if fils:
        env["GUNICORN_CMD_ARGS"] = f"--worker-class gthread --threads {fils}"
    port = banc_registre.port_libre()
    return banc_registre.demarrer_serveur(env, port, dossier / f"gunicorn-{nom}.log"), port


def incidents(dossier: Path) -> list[str]:
    """Les lignes inquiétantes des journaux de gunicorn : travailleur arrêté, erreur, trace."""
    motifs = ("WORKER TIMEOUT", "Traceback", "[ERROR]", "[CRITICAL]")
    lignes = []
    for journal in sorted(dossier.glob("gunicorn-*.log")):
        for ligne in journal.read_text(errors="replace").splitlines():
            if any(m in ligne for m in motifs):
                lignes.append(f"{journal.name} : {ligne[:300]}")
    return lignes[:50]


def afficher(r: dict[str, Any]) -> None:
    s = r["surcout"]
    print(f"\n1. Surcoût, invite de {s['caracteres']} caractères, {s['repetitions']} tours ({s['action']})")
    print("| mesure | p50 ms | p95 ms |\n| --- | ---: | ---: |")
    for cle, libelle in (
        ("modele_nu_ms", "(a) modèle nu"), ("analyse_ms", "analyse"),
        ("politique_pseudonymisation_ms", "politique + pseudonymisation"), ("journal_ms", "journal"),
        ("surcout_ms", "(b) surcoût = preparer + journal"),
    ):  # fmt: skip
        print(f"| {libelle} | {s[cle]['p50']} | {s[cle]['p95']} |")
    print(f"| rapport (b)/(a), objectif 1,3 / 1,5 | {s['rapport']['p50']}× | {s['rapport']['p95']}× |")
    print(f"\n2. TTFT ({r['serveur']})")
    for nom, t in r["ttft"].items():
        print(
            f"  invite {nom} : direct {t['direct_ms']['p50']} / {t['direct_ms']['p95']} ms, Balise "
            f"{t['balise_ms']['p50']} / {t['balise_ms']['p95']} ms, en plus {t['en_plus_ms']['p50']} / "
            f"{t['en_plus_ms']['p95']} ms (objectif ≤ {r['objectif_ttft_ms']} ms), {t['nb_erreurs']} erreur(s) ;"
            f" preparer dans le travailleur p50 {t['preparer_dans_le_travailleur_ms']['p50']} ms"
        )
    c = r["conversations"]
    print(
        f"\n3. {c['conversations']} conversations × {c['tours']} tours : {c['duree_s']} s, {c['complets']}/"
        f"{c['conversations'] * c['tours']} flux complets, {c['nb_erreurs']} erreur(s)"
    )
    for e in c["erreurs"][:5]:
        print(f"   {e}")
    print("\n4. Mémoire des travailleurs (Mo) :")
    for moment, releve in r["memoire"].items():
        print(f"  {moment} : " + ", ".join(f"RSS {m.get('VmRSS')} (pic {m.get('VmHWM')})" for m in releve))
    if "usage" in r:
        print(f"\n5. Pages d'usage, {r['journal']['requetes']} requêtes au journal :")
        for m in r["usage"]:
            print(
                f"  {'OK' if m['atteint'] else 'KO'} {m['page']:<18} {m['concurrence']:>2} client(s) "
                f"p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requetes", type=int, default=1_000_000, help="lignes du journal (point 5)")
    parser.add_argument("--repetitions", type=int, default=200, help="tours mesurés (points 1 et 2)")
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--tours", type=int, default=3, help="tours de chaque conversation (point 3)")
    parser.add_argument("--fils", type=int, default=8, help="fils par travailleur gthread ; 0 : synchrones")
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    debut = time.monotonic()
    dossier = Path(tempfile.mkdtemp(prefix="banc-passerelle-"))
    fournisseur: subprocess.Popen[str] | None = None
    serveur: subprocess.Popen[bytes] | None = None
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, HOTE)
        from django.db import connections

        fournisseur, port_fournisseur = demarrer_fournisseur()
        jeu = preparer_jeu(port_fournisseur)
        description = commun.machine(args.base)
        occupation = banc_registre.occupation_cpu(2.0)
        if occupation > 10:
            print(f"ATTENTION : machine déjà occupée à {occupation:.0f} % ; mesures bruitées.")
        resultats: dict[str, Any] = {
            "banc": "bench/passerelle.py",
            "machine": description,
            "cpu_occupe_avant_pct": round(occupation, 1),
            "etalon_ms": {"debut": commun.etalon()},
            "parametres": vars(args) | {"sortie": str(args.sortie or "")},
        }
        print("1. Surcoût dans le processus…", flush=True)
        resultats["surcout"] = mesurer_surcout(jeu, args.repetitions)
        objectif_ttft = round(resultats["surcout"]["surcout_ms"]["p50"] + 10, 1)
        resultats["objectif_ttft_ms"] = objectif_ttft
        connections.close_all()

        serveur, port = serveur_gunicorn(dossier, args.fils, "flux")
        classe = f"gthread, {args.fils} fils" if args.fils else "sync"
        resultats["serveur"] = f"gunicorn, {banc_registre.TRAVAILLEURS} travailleurs {classe}, BALISE_DEBUG=0"
        print(f"gunicorn ({resultats['serveur']}) : mise en température…", flush=True)
        chauffe = mettre_en_temperature(port, jeu, serveur.pid)
        resultats["memoire"] = {"modele_charge": chauffe["memoire"]}
        resultats["mise_en_temperature_tours"] = chauffe["tours"]
        print("2. Temps jusqu'au premier morceau…", flush=True)
        resultats["ttft"] = mesurer_ttft(port, port_fournisseur, jeu, args.repetitions)
        for t in resultats["ttft"].values():
            t["atteint"] = t["en_plus_ms"]["p50"] <= objectif_ttft and not t["nb_erreurs"]
        print(f"3. {args.conversations} conversations simultanées…", flush=True)
        resultats["conversations"] = mesurer_conversations(port, jeu, args.conversations, args.tours)
        memoire_apres = memoire(travailleurs(serveur.pid))
        resultats["memoire"]["apres_flux"] = memoire_apres
        resultats["memoire_atteint"] = all(m.get("VmHWM", 0) < OBJECTIF_MEMOIRE_MO for m in memoire_apres)
        banc_registre.arreter_serveur(serveur)
        serveur = None

        print(f"5. Journal de {args.requetes} requêtes…", flush=True)
        resultats["journal"] = remplir_journal(args.base, jeu, args.requetes)
        print(f"  {resultats['journal']}", flush=True)
        mois = resultats["journal"]["mois_le_plus_charge"]
        systeme_id = jeu["modeles"]["Albert"].systeme_id
        resultats["plans"] = plans(args.base, jeu, mois, systeme_id)
        connections.close_all()
        serveur, port = serveur_gunicorn(dossier, args.fils, "usage")
        resultats["usage"] = mesurer_usage(port, jeu, mois, systeme_id)
        banc_registre.arreter_serveur(serveur)
        serveur = None
        resultats["etalon_ms"]["fin"] = commun.etalon()
        resultats["gunicorn_incidents"] = incidents(dossier)
        resultats["duree_totale_s"] = round(time.monotonic() - debut, 1)
        afficher(resultats)
        for ligne in resultats["gunicorn_incidents"]:
            print(f"ATTENTION gunicorn : {ligne}")
        if args.base == "postgresql" and any(not m["atteint"] for m in resultats["usage"]):
            print("\nPlans des requêtes des pages d'usage (EXPLAIN ANALYZE) :")
            for p in resultats["plans"]:
                print(f"\n-- {p['sql'][:300]}")
                print("\n".join(p.get("plan", [])))
        sortie = (args.sortie or RESULTATS / f"passerelle-{args.base}.json").resolve()
        commun.ecrire_json(sortie, resultats)
        print(f"\nRésultats : {sortie} ({resultats['duree_totale_s']:.0f} s au total)")
        return 0
    finally:
        if serveur is not None:
            banc_registre.arreter_serveur(serveur)
        if fournisseur is not None:
            arreter_fournisseur(fournisseur)
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())
