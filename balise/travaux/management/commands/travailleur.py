"""Le processus de fond de Balise : exécute les travaux mis en file (lecture et traitement des tableaux
des effectifs, et demain rapports, courriels, passerelle d'IA).

C'est la commande `db_worker` de django-tasks-db, avec deux choix de Balise : le processus se met à une
priorité de calcul plus basse que le serveur web (`--priorite`, 10 par défaut : `os.nice`), pour que
les pages restent rapides pendant un traitement, et ne se recharge pas sur changement du code (sauf
`--reload`). À son démarrage, il marque échoués les travaux qu'un processus mort a laissés en cours.
Voir docs/exploitation.md.
"""

import os
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from balise.observatoire.taches import planifier as planifier_observatoire
from balise.passerelle.taches import planifier as planifier_effacement
from balise.rappels.taches import planifier
from balise.travaux.services import constater_abandons


class Command(DbWorker):
    help = (
        "Exécute les travaux de fond de Balise (à lancer à côté du serveur web ; voir docs/exploitation.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--priorite",
            type=int,
            default=10,
            help="Incrément de « nice » du processus (0 à 19 ; 10 par défaut) : le web passe d'abord.",
        )
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        priorite: int = options.pop("priorite")
        if priorite > 0:
            os.nice(min(priorite, 19))
        abandonnes = constater_abandons()
        if abandonnes and options["verbosity"]:
            self.stdout.write(
                f"{abandonnes} travail(aux) laissé(s) en cours par un processus arrêté : marqué(s) échoué(s)."
            )
        # django-tasks n'a pas d'ordonnanceur : la tournée des rappels se replanifie elle-même, et chaque
        # démarrage garantit qu'une, et une seule, attend dans la file (balise/rappels/taches.py).
        plan = planifier()
        if options["verbosity"] > 1:
            self.stdout.write(f"Prochaine tournée des rappels : {plan.prevue_le:%d/%m/%Y %H:%M}.")
        planifier_observatoire()  # le recalcul nocturne de l'observatoire, de la même façon
        planifier_effacement()  # l'effacement des requêtes sensibles échues de la passerelle
        super().handle(*args, **options)
