"""Les travaux quotidiens du processus de fond (tournée des rappels, recalcul de l'observatoire), sans
ordonnanceur à part : django-tasks-db garde une tâche jusqu'à son heure (`run_after`).

Une ligne de planification (pk=1, champs `tache` et `prevue_le`) nomme la tâche attendue. Au démarrage
du travailleur, `planifier` garantit qu'une, et une seule, attend dans la file. Chaque exécution appelle
`replanifier` avant de travailler : elle met la suivante en file pour le lendemain ; si elle n'est pas
celle qu'attend la ligne (doublon d'un redémarrage concurrent), elle s'arrête sans rien faire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.db import models, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Planification(Protocol):
    tache: str
    prevue_le: datetime | None

    def save(self) -> None: ...


def a_l_heure(jour: Any, heure: int) -> datetime:
    """Ce jour-là à `heure` (heure locale, changements d'heure compris)."""
    return timezone.make_aware(datetime.combine(jour, time(heure)))


def prochaine_heure(maintenant: datetime, heure: int, rattrapage: bool) -> datetime:
    """Aujourd'hui à `heure` si elle est à venir ; sinon tout de suite (`rattrapage`) ou demain à la
    même heure."""
    aujourd_hui = timezone.localdate(maintenant)
    prevue = a_l_heure(aujourd_hui, heure)
    if prevue > maintenant:
        return prevue
    return maintenant if rattrapage else a_l_heure(aujourd_hui + timedelta(days=1), heure)


def _mettre_en_file(plan: Planification, tache: Any, quand: datetime) -> None:
    resultat = tache.using(run_after=quand).enqueue()
    plan.tache, plan.prevue_le = str(resultat.id)[:64], quand
    plan.save()


def _ligne(modele: type[models.Model]) -> Any:
    modele._default_manager.get_or_create(pk=1)
    return modele._default_manager.select_for_update().get(pk=1)


def planifier(modele: type[models.Model], tache: Any, quand: Callable[[], datetime]) -> Any:
    """Au démarrage du travailleur : si aucune tâche n'attend, en met une en file à `quand()`."""
    with transaction.atomic():
        plan = _ligne(modele)
        en_attente = plan.tache and DBTaskResult.objects.filter(id=plan.tache, status="READY").exists()
        if not en_attente:
            _mettre_en_file(plan, tache, quand())
    return plan


def replanifier(modele: type[models.Model], tache: Any, moi: str, quand: datetime) -> bool:
    """Au début d'une exécution : met la suivante en file à `quand` et rend vrai ; rend faux, sans rien
    changer, si cette exécution n'est pas celle qu'attend la ligne."""
    with transaction.atomic():
        plan = _ligne(modele)
        if plan.tache and plan.tache != moi:
            return False
        _mettre_en_file(plan, tache, quand)
    return True
