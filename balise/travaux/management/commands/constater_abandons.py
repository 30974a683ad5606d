"""Marque échoués les travaux de fond restés « en cours » sans signe de vie de leur processus (arrêté,
tué faute de mémoire) : la personne voit alors pourquoi et peut relancer. À planifier avec
`purger_depots` (docs/exploitation.md) ; les pages le font aussi pour le travail qu'elles montrent."""

from typing import Any

from django.core.management.base import BaseCommand

from balise.travaux.services import SILENCE, constater_abandons


class Command(BaseCommand):
    help = "Marque échoués les travaux de fond sans signe de vie depuis plus de deux minutes."

    def handle(self, *args: Any, **options: Any) -> None:
        nombre = constater_abandons()
        minutes = int(SILENCE.total_seconds() // 60)
        self.stdout.write(
            f"{nombre} travail(aux) sans signe de vie depuis {minutes} minutes marqué(s) échoué(s)."
        )
