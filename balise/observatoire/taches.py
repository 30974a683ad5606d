"""Le recalcul de l'observatoire, chaque nuit, par le processus de fond (même ordonnanceur que
balise/rappels/taches.py) : au démarrage du travailleur, `planifier()` garantit qu'un calcul, et un
seul, attend dans la file (à OBSERVATOIRE_HEURE, ou tout de suite s'il n'y a encore aucun relevé) ;
chaque calcul se replanifie au lendemain avant de travailler ; un calcul qui n'est pas celui
qu'attend la ligne `Planification` (doublon d'un redémarrage concurrent) s'arrête sans rien faire."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from . import services
from .models import Planification, Releve

journal = logging.getLogger(__name__)

PRIORITE = -30  # après les courriels et les rappels


def prochain_calcul(maintenant: datetime, rattrapage: bool) -> datetime:
    """Aujourd'hui à OBSERVATOIRE_HEURE si elle est à venir ; sinon tout de suite (`rattrapage` : au
    démarrage, quand aucun relevé n'existe encore) ou demain à la même heure."""
    aujourd_hui = timezone.localdate(maintenant)
    prevu = timezone.make_aware(datetime.combine(aujourd_hui, time(settings.OBSERVATOIRE_HEURE)))
    if prevu > maintenant:
        return prevu
    return maintenant if rattrapage else prevu + timedelta(days=1)


def _mettre_en_file(plan: Planification, quand: datetime) -> None:
    resultat = recalculer.using(run_after=quand).enqueue()
    plan.tache, plan.prevue_le = str(resultat.id)[:64], quand
    plan.save()


def planifier(maintenant: datetime | None = None) -> Planification:
    """Au démarrage du travailleur : un recalcul, et un seul, attend dans la file."""
    maintenant = maintenant or timezone.now()
    with transaction.atomic():
        Planification.objects.get_or_create(pk=1)
        plan = Planification.objects.select_for_update().get(pk=1)
        en_attente = plan.tache and DBTaskResult.objects.filter(id=plan.tache, status="READY").exists()
        if not en_attente:
            rattrapage = not Releve.objects.exists()
            _mettre_en_file(plan, prochain_calcul(maintenant, rattrapage=rattrapage))
    return plan


@task(priority=PRIORITE, takes_context=True)
def recalculer(context: TaskContext) -> int:
    """Se replanifie au lendemain, puis calcule un relevé ; renvoie son identifiant (0 : doublon)."""
    moi = str(context.task_result.id)
    with transaction.atomic():
        Planification.objects.get_or_create(pk=1)
        plan = Planification.objects.select_for_update().get(pk=1)
        if plan.tache and plan.tache != moi:
            journal.warning("Calcul de l'observatoire %s en double : ignoré (attendu : %s).", moi, plan.tache)
            return 0
        _mettre_en_file(plan, prochain_calcul(timezone.now(), rattrapage=False))
    releve = services.calculer_releve()
    journal.info("Observatoire recalculé en %.1f s (relevé %s).", releve.duree, releve.pk)
    return releve.pk
