"""Les travaux de fond dans les tests : la vraie file (django-tasks-db, en base) et la vraie boucle de
son processus (`Worker.run` de la commande `db_worker`, que `manage.py travailleur` lance), exécutée
dans le processus du test, en mode « --batch » : elle prend les tâches prêtes une à une, les exécute
et s'arrête quand la file est vide.

Une seule différence avec la commande : `close_old_connections` (fermer les connexions périmées entre
deux tâches) est neutralisée, car elle fermerait la connexion du test au milieu de sa transaction.
Un test lance aussi le vrai processus (tests/test_travaux.py)."""

from __future__ import annotations

from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from balise.metiers import services as metiers
from balise.metiers.models import ImportEffectifs


def executer_travaux() -> int:
    """Exécute toutes les tâches en file ; renvoie le nombre de tâches exécutées."""
    avant = DBTaskResult.objects.exclude(status="READY").count()
    travailleur = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        travailleur.run()
    return DBTaskResult.objects.exclude(status="READY").count() - avant


def deposer_et_lire(org, par, nom: str, contenu: bytes) -> ImportEffectifs:
    """Dépôt (la requête) puis lecture (le processus de fond) : l'import attend ses colonnes."""
    imp = metiers.deposer(org, par, nom, contenu)
    executer_travaux()
    return ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)


def importer(org, par, nom: str, contenu: bytes, colonnes: dict[str, str]) -> ImportEffectifs:
    """Le parcours complet d'un import par le processus de fond : dépôt, lecture, colonnes, traitement."""
    imp = deposer_et_lire(org, par, nom, contenu)
    metiers.choisir_colonnes(imp, colonnes, par)
    executer_travaux()
    return ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
