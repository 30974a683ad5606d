"""Les rapports de la démonstration : le rapport annuel de l'an dernier de la première organisation,
déjà produit (trois formats), comme une DGS le trouverait en préparant la séance de l'assemblée."""

from __future__ import annotations

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.rapports import services
from balise.rapports.models import Rapport
from balise.travaux import services as travaux


def charger(donnees: dict, utilisateurs: dict[str, Utilisateur]) -> Rapport:
    o = donnees["organisations"][0]
    organisation = Organisation.objects.get(slug=o["slug"])
    par = utilisateurs[next(e for e, r in o["membres"].items() if r in ("referent", "administrateur"))]
    rapport = services.lancer(organisation, par, Rapport.Genre.ANNUEL, timezone.localdate().year - 1)
    if rapport.travail is None:
        raise RuntimeError("Le rapport de démonstration n'a pas de travail de fond.")
    travaux.executer_ici(rapport.travail)
    rapport.refresh_from_db()
    if rapport.version is None:
        raise RuntimeError("Le rapport annuel de démonstration n'a pas été produit.")
    return rapport
