"""Les travaux de fond de l'import d'un registre existant : des tâches django-tasks exécutées par
`manage.py travailleur`, jamais dans une requête ; le travail lui-même est dans services_reprise.py."""

from django_tasks import task

from balise.travaux import services as travaux


@task()
def lire(travail_id: int, import_id: int) -> None:
    from . import services_reprise

    travaux.executer(travail_id, lambda travail: services_reprise.lire(import_id, travail))


@task()
def enregistrer(travail_id: int, import_id: int) -> None:
    from . import services_reprise

    travaux.executer(travail_id, lambda travail: services_reprise.enregistrer(import_id, travail))
