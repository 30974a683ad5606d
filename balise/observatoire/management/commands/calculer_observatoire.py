"""Calculer l'observatoire maintenant (le processus de fond le recalcule chaque nuit)."""

from typing import Any

from django.core.management.base import BaseCommand

from balise.observatoire import services


class Command(BaseCommand):
    help = "Calcule un relevé de l'observatoire tout de suite (docs/observatoire.md)."
    # Un calcul lancé par cron ou à la main n'a que faire des vérifications du système, qui importent
    # toutes les adresses (et la mise en page des PDF) : quelques secondes de démarrage en moins.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        releve = services.calculer_releve()
        if options["verbosity"]:
            caches = sum(
                1
                for table in releve.tables
                for ligne in [*table["lignes"], table["totaux"]]
                for membre in [*ligne["cases"], ligne["total"]]
                if membre["secret"]
            )
            self.stdout.write(
                f"Relevé {releve.pk} : {len(releve.tables)} tableaux, {caches} chiffres couverts par le "
                f"secret (seuil {releve.seuil}), calculé en {releve.duree:.1f} s."
            )
