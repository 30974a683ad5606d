"""Charge (ou met à jour) le catalogue livré de la bibliothèque des cas d'usage, sans doublon.

    manage.py charger_bibliotheque [--par admin@exemple.fr]

Les versions historisées sont attribuées à `--par` (un compte de l'instance) ou, sans lui, au premier
administrateur de l'instance ; relancer la commande ne change rien si le catalogue n'a pas changé."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from balise.bibliotheque import services
from balise.comptes.models import Utilisateur


class Command(BaseCommand):
    help = "Charge ou met à jour le catalogue des cas d'usage de la bibliothèque (sans doublon)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--par", help="adresse du compte à qui attribuer les versions")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["par"]:
            par = Utilisateur.objects.filter(email__iexact=options["par"], is_active=True).first()
            if par is None:
                raise CommandError(f"Aucun compte actif à l'adresse « {options['par']} ».")
        else:
            par = Utilisateur.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if par is None:
                raise CommandError(
                    "Aucun administrateur de l'instance : créez-en un, ou donnez un compte avec --par."
                )
        bilan = services.charger_catalogue(par)
        self.stdout.write(
            f"Bibliothèque : {bilan.crees} cas créés, {bilan.modifies} mis à jour, {bilan.inchanges} "
            f"inchangés, {bilan.retires} retirés."
        )
