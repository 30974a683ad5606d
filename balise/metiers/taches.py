"""Les travaux de fond de l'import des effectifs : des tâches django-tasks exécutées par
`manage.py travailleur`, jamais dans une requête. Chacune n'est qu'un appel : le suivi (état, annulation,
erreurs) est celui de balise/travaux, le travail celui de services.py."""

from django_tasks import task

from balise.travaux import services as travaux


@task()
def lire(travail_id: int, import_id: int) -> None:
    from . import services

    travaux.executer(travail_id, lambda travail: services.lire(import_id, travail))


@task()
def traiter(travail_id: int, import_id: int) -> None:
    from . import services

    travaux.executer(travail_id, lambda travail: services.traiter(import_id, travail))
