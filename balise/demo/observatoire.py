"""Démonstration de l'observatoire : une population d'organisations **fictives, générées** (nom en
« (générée) », identifiant en `observatoire-generee-…`), assez nombreuses pour que certaines strates
dépassent le seuil du secret et d'autres non, puis un relevé. Tout est écrit par les services de
Balise et attribué à l'administrateur de l'instance (aucune version sans auteur).

Les organisations n'ont pas de SIREN (aucun rattachement à une collectivité réelle) : elles sont
toutes dans la région « non renseignée »."""

from __future__ import annotations

import random

from django.core.management import call_command

from balise import versions
from balise.chartes.models import VersionCharte
from balise.comptes.models import Utilisateur
from balise.gouvernance.models import Instance
from balise.observatoire import services as observatoire
from balise.organisations.models import Organisation, TypeOrganisation
from balise.registre import services as registre
from balise.registre.referentiels import Domaine, Hebergement, Realisation, TypeIA

PREFIXE = "observatoire-generee"
GRAINE = 17
# (type, populations) : des strates bien remplies (communes de moins de 1 000 habitants) et d'autres
# où trop peu d'organisations contribuent pour qu'un chiffre soit montré.
POPULATION: list[tuple[TypeOrganisation, list[int | None]]] = [
    (TypeOrganisation.COMMUNE, [300 + 37 * i for i in range(18)]),
    (TypeOrganisation.COMMUNE, [1200 + 250 * i for i in range(12)]),
    (TypeOrganisation.COMMUNE, [6000 + 900 * i for i in range(6)]),
    (TypeOrganisation.COMMUNE, [25000, 41000, 67000]),
    (TypeOrganisation.COMMUNE, [140000]),
    (TypeOrganisation.EPCI, [*(22000 + 6000 * i for i in range(10)), 160000, 210000]),
    (TypeOrganisation.DEPARTEMENT, [310000, 420000, 560000, 690000]),
    (TypeOrganisation.CDG, [None, None]),
    (TypeOrganisation.SYNDICAT_MIXTE, [None, None]),
]
NOMS = {
    TypeOrganisation.COMMUNE: "Commune fictive",
    TypeOrganisation.EPCI: "Communauté fictive",
    TypeOrganisation.DEPARTEMENT: "Département fictif",
    TypeOrganisation.CDG: "Centre de gestion fictif",
    TypeOrganisation.SYNDICAT_MIXTE: "Syndicat mixte fictif",
}


def _fiche(hasard: random.Random, numero: int) -> dict[str, str]:
    return {
        "nom": f"Système généré n° {numero}",
        "finalite": "Système fictif de la démonstration de l'observatoire.",
        "service": "Service fictif",
        "responsable": "Personne fictive",
        "domaine": hasard.choice(list(Domaine)).value,
        "type_ia": hasard.choice(list(TypeIA)).value,
        "cible": "agents",
        "positionnement": "ameliorer",
        "realisation": hasard.choice(list(Realisation)).value,
        "hebergement": hasard.choice(list(Hebergement)).value,
        "contribution_decision": "Aucune décision individuelle : aide à la préparation du travail (fictif).",
    }


def charger(utilisateurs: dict[str, Utilisateur]) -> int:
    """Génère la population (une fois) puis calcule un relevé ; renvoie le nombre d'organisations générées."""
    instance = next((u for u in utilisateurs.values() if u.is_superuser), None)
    if instance is None or Organisation.objects.filter(slug__startswith=PREFIXE).exists():
        return 0
    hasard = random.Random(GRAINE)  # noqa: S311 — données de démonstration, pas de sécurité
    numero_systeme = 0
    generees = 0
    for type_org, populations in POPULATION:
        for population in populations:
            generees += 1
            organisation = versions.attribuer(
                Organisation(
                    nom=f"{NOMS[type_org]} n° {generees} (générée)",
                    slug=f"{PREFIXE}-{generees}",
                    type=type_org,
                    population=population,
                ),
                instance,
            )
            contribue = hasard.random() < 0.7
            observatoire.changer_participation(organisation, instance, 1, contribue, False)
            for _ in range(hasard.randint(1, 4)):
                numero_systeme += 1
                systeme = registre.creer_systeme(organisation, _fiche(hasard, numero_systeme), instance)
                if hasard.random() < 0.6:
                    registre.publier(systeme.pk, True, instance, systeme.version)
            if contribue and hasard.random() < 0.5:
                versions.attribuer(
                    VersionCharte(
                        organisation=organisation,
                        numero=1,
                        titre="Charte fictive",
                        statut=VersionCharte.Statut.ADOPTEE,
                        cree_par=instance,
                    ),
                    instance,
                )
            if contribue and hasard.random() < 0.4:
                versions.attribuer(
                    Instance(
                        organisation=organisation,
                        nom="Comité fictif de l'IA",
                        mission="Rendre des avis (fictif).",
                        nature=Instance.Nature.CONSULTATIVE,
                    ),
                    instance,
                )
    call_command("calculer_observatoire", verbosity=0)
    return generees
