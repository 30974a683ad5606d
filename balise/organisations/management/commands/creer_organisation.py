from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from balise.organisations import services
from balise.organisations.models import TypeOrganisation


class Command(BaseCommand):
    help = "Crée une organisation et son premier administrateur (administrateur d'instance)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nom")
        parser.add_argument("--type", required=True, choices=TypeOrganisation.values)
        parser.add_argument("--admin", required=True, help="adresse électronique du premier administrateur")
        parser.add_argument("--slug", default="")
        parser.add_argument("--siren", default="")
        parser.add_argument("--population", type=int)
        parser.add_argument("--agents", type=int)
        parser.add_argument("--contact", default="", help="adresse de contact affichée au public")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            organisation, utilisateur, cree = services.creer_organisation(
                nom=o["nom"],
                type=o["type"],
                administrateur_email=o["admin"],
                slug=o["slug"],
                siren=o["siren"],
                population=o["population"],
                nombre_agents=o["agents"],
                contact_public=o["contact"],
            )
        except ValidationError as erreur:
            raise CommandError(" ".join(erreur.messages)) from None
        self.stdout.write(f"Organisation créée : {organisation.nom} (/{organisation.slug}/)")
        if cree:
            self.stdout.write(
                f"Administrateur : {utilisateur.email} — un lien pour choisir son mot de passe lui est envoyé "
                "par courriel (valable 3 jours)."
            )
        else:
            self.stdout.write(f"Administrateur : {utilisateur.email} (compte existant)")
