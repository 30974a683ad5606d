"""Les métriques de Balise au format Prometheus (bibliothèque prometheus_client).

Deux sortes :

- celles que chaque processus compte (requêtes, latence, erreurs de base et de cache). Sous gunicorn
  à plusieurs processus, chacun a ses compteurs : avec `PROMETHEUS_MULTIPROC_DIR` (un dossier posé
  avant le démarrage), prometheus_client les écrit dans des fichiers de ce dossier et la collecte les
  additionne, quel que soit le processus qui répond (docs/exploitation.md) ;
- l'état des travaux de fond, lu en base au moment de la collecte (`TravauxEnBase`) : juste quel que
  soit le nombre de processus, web ou de fond, et sur quelle machine qu'ils tournent.

Les étiquettes ne prennent que des valeurs en nombre borné (motif de la route, jamais le chemin brut ;
méthode connue ou « autre ») : une adresse inventée par un robot ne crée pas de série.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

# Réponses produites avant la résolution de l'adresse, ou adresse inconnue (404).
ROUTE_INCONNUE = "(aucune)"
METHODES = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUETES = Counter(
    "balise_requetes",
    "Requêtes HTTP servies, par motif de route, méthode et statut.",
    ["route", "methode", "statut"],
    registry=None,
)
DUREES = Histogram(
    "balise_requetes_duree_secondes",
    "Durée des requêtes HTTP (jusqu'aux en-têtes de la réponse), par motif de route et méthode.",
    ["route", "methode"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
ERREURS_BASE = Counter(
    "balise_erreurs_base",
    "Erreurs de la base de données (requête refusée ou connexion impossible), par type d'erreur.",
    ["erreur"],
    registry=None,
)
ERREURS_CACHE = Counter(
    "balise_erreurs_cache",
    "Erreurs d'un cache (Redis injoignable, disque plein…), par cache et type d'erreur.",
    ["cache", "erreur"],
    registry=None,
)
PROPRES = (REQUETES, DUREES, ERREURS_BASE, ERREURS_CACHE)


def methode(valeur: str) -> str:
    return valeur if valeur in METHODES else "autre"


class TravauxEnBase:
    """Collecteur : les travaux de fond par nature et état, l'attente du plus ancien travail en attente
    (un processus de fond arrêté se voit là), et la file de django-tasks par état. Trois requêtes
    agrégées, à chaque collecte. Base injoignable : ces séries manquent, `balise_collecte_base` vaut 0."""

    def describe(self) -> list[Metric]:
        return []  # séries calculées à la collecte : rien à vérifier à l'enregistrement

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.models import DBTaskResult

        from balise.travaux.models import Travail

        ok = GaugeMetricFamily(
            "balise_collecte_base", "1 si l'état des travaux a pu être lu en base à cette collecte."
        )
        try:
            par_etat = list(Travail.objects.values_list("nature", "etat").annotate(n=Count("pk")).order_by())
            plus_ancien = Travail.objects.filter(etat=Travail.Etat.EN_ATTENTE).aggregate(m=Min("cree_le"))[
                "m"
            ]
            file = list(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by())
        except DatabaseError:
            ok.add_metric([], 0)
            yield ok
            return
        ok.add_metric([], 1)
        yield ok
        travaux = GaugeMetricFamily(
            "balise_travaux",
            "Travaux de fond en base, par nature et état (en_attente, en_cours, termine, echoue, annule).",
            labels=["nature", "etat"],
        )
        comptes = {(nature, etat): n for nature, etat, n in par_etat}
        # Chaque combinaison, même à zéro : une alerte sur « echoue » a toujours une série à lire.
        for nature in Travail.Nature.values:
            for etat in Travail.Etat.values:
                travaux.add_metric([nature, etat], comptes.get((nature, etat), 0))
        yield travaux
        attente = timezone.now() - plus_ancien if plus_ancien else timedelta(0)
        yield GaugeMetricFamily(
            "balise_travaux_attente_plus_longue_secondes",
            "Depuis combien de temps attend le plus ancien travail en attente (0 s'il n'y en a pas).",
            value=max(attente.total_seconds(), 0.0),
        )
        taches = GaugeMetricFamily(
            "balise_file_taches",
            "Tâches de la file django-tasks par état (READY, RUNNING, FAILED, SUCCESSFUL) ; "
            "FAILED : erreur imprévue, trace dans /admin/.",
            labels=["etat"],
        )
        for etat, n in sorted(file):
            taches.add_metric([etat], n)
        yield taches


def multiprocessus() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def registre() -> CollectorRegistry:
    """Le registre d'une collecte. En multiprocessus, les compteurs de tous les processus sont relus dans
    les fichiers du dossier (les objets de ce processus-ci n'en sont qu'une part) ; sinon, ceux du
    processus, avec sa mémoire et son temps de calcul."""
    registre = CollectorRegistry()
    if multiprocessus():
        MultiProcessCollector(registre)
    else:
        for metrique in PROPRES:
            registre.register(metrique)
        ProcessCollector(registry=registre)
    registre.register(TravauxEnBase())
    return registre


def exposition() -> bytes:
    return generate_latest(registre())
