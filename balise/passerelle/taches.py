"""L'effacement quotidien des requêtes sensibles échues, par le processus de fond (même ordonnanceur que
balise/rappels/taches.py et balise/observatoire/taches.py) : au démarrage du travailleur, `planifier()`
garantit qu'un effacement, et un seul, attend dans la file ; chacun se replanifie au lendemain avant de
travailler ; un doublon (redémarrage concurrent) s'arrête sans rien faire."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from django_tasks import TaskContext, task

from balise.travaux import quotidien

from . import sensibles
from .models import Planification

journal = logging.getLogger(__name__)

HEURE = 4  # la nuit, après la tournée des rappels et l'observatoire
PRIORITE = -40


def planifier(maintenant: datetime | None = None) -> Planification:
    """Au démarrage du travailleur : un effacement attend dans la file ; tout de suite si l'heure du jour
    est passée, pour qu'un travailleur arrêté plusieurs jours rattrape l'échéance au redémarrage."""
    maintenant = maintenant or timezone.now()
    return quotidien.planifier(
        Planification, effacer, lambda: quotidien.prochaine_heure(maintenant, HEURE, rattrapage=True)
    )


@task(priority=PRIORITE, takes_context=True)
def effacer(context: TaskContext) -> int:
    """Se replanifie au lendemain, puis efface les contenus échus ; renvoie leur nombre (-1 : doublon)."""
    moi = str(context.task_result.id)
    suivant = quotidien.prochaine_heure(timezone.now(), HEURE, rattrapage=False)
    if not quotidien.replanifier(Planification, effacer, moi, suivant):
        journal.warning("Effacement des requêtes sensibles %s en double : ignoré.", moi)
        return -1
    nombre = sensibles.effacer_echus()
    journal.info("%s requête(s) sensible(s) effacée(s) à échéance.", nombre)
    return nombre
