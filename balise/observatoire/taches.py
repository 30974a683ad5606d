"""Le recalcul de l'observatoire, chaque nuit, par le processus de fond (même ordonnanceur que
balise/rappels/taches.py) : au démarrage du travailleur, `planifier()` garantit qu'un calcul, et un
seul, attend dans la file (à OBSERVATOIRE_HEURE, ou tout de suite s'il n'y a encore aucun relevé) ;
chaque calcul se replanifie au lendemain avant de travailler ; un calcul qui n'est pas celui
qu'attend la ligne `Planification` (doublon d'un redémarrage concurrent) s'arrête sans rien faire."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskContext, task

from balise.travaux import quotidien

from . import services
from .models import Planification, Releve

journal = logging.getLogger(__name__)

PRIORITE = -30  # après les courriels et les rappels


def planifier(maintenant: datetime | None = None) -> Planification:
    """Au démarrage du travailleur : un recalcul, et un seul, attend dans la file (tout de suite s'il n'y
    a encore aucun relevé)."""
    maintenant = maintenant or timezone.now()
    return quotidien.planifier(
        Planification,
        recalculer,
        lambda: quotidien.prochaine_heure(
            maintenant, settings.OBSERVATOIRE_HEURE, rattrapage=not Releve.objects.exists()
        ),
    )


@task(priority=PRIORITE, takes_context=True)
def recalculer(context: TaskContext) -> int:
    """Se replanifie au lendemain, puis calcule un relevé ; renvoie son identifiant (0 : doublon)."""
    moi = str(context.task_result.id)
    suivant = quotidien.prochaine_heure(timezone.now(), settings.OBSERVATOIRE_HEURE, rattrapage=False)
    if not quotidien.replanifier(Planification, recalculer, moi, suivant):
        journal.warning("Calcul de l'observatoire %s en double : ignoré.", moi)
        return 0
    releve = services.calculer_releve()
    journal.info("Observatoire recalculé en %.1f s (relevé %s).", releve.duree, releve.pk)
    return releve.pk
