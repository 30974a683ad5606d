"""Le travail de fond des rapports : exécuté par `manage.py travailleur`, jamais dans une requête ; le
suivi (état, annulation, échec en français) est celui de balise/travaux."""

from django_tasks import task

from balise.travaux import services as travaux


@task()
def produire(travail_id: int) -> None:
    from . import services

    travaux.executer(travail_id, services.produire)
