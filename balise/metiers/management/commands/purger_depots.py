"""Efface les tableaux des effectifs déposés depuis plus de 24 heures sans que leurs colonnes aient été
choisies : ils contiennent les lignes des agents telles qu'exportées (à planifier, par exemple chaque heure)."""

from typing import Any

from django.core.management.base import BaseCommand

from balise.metiers.services import DUREE_ATTENTE, purger_depots_expires


class Command(BaseCommand):
    help = "Efface les fichiers d'effectifs déposés et abandonnés depuis plus de 24 heures."

    def handle(self, *args: Any, **options: Any) -> None:
        nombre = purger_depots_expires()
        heures = int(DUREE_ATTENTE.total_seconds() // 3600)
        self.stdout.write(f"{nombre} dépôt(s) abandonné(s) depuis plus de {heures} heures effacé(s).")
