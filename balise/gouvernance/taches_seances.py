"""Le travail de fond des séances : la convocation (dossiers figés, courriels). Exécuté par
`manage.py travailleur`, jamais dans une requête ; le suivi est celui de balise/travaux."""

from django_tasks import task

from balise.travaux import services as travaux


@task()
def convoquer(travail_id: int, seance_id: int, adresse: str) -> None:
    from . import services_seances

    travaux.executer(
        travail_id, lambda travail: services_seances.executer_convocation(seance_id, adresse, travail)
    )
