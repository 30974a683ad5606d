"""Les règles d'usage de la démonstration : l'agglomération a publié ses règles (le jeu de départ, plus
une règle qui lui est propre) il y a six semaines, en a informé plusieurs services (réunion, courriel,
affichage ; effectifs tirés du tableau des effectifs importé par la démonstration, ou saisis) et trois
membres en ont pris connaissance. Dates relatives au jour du chargement ; tout passe par les services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.regles_usage import services
from balise.regles_usage.models import VersionRegles

ORGANISATION = "val-de-balise"
REFERENT = "referent@val-de-balise.example"
DRH = "drh@val-de-balise.example"
LECTEURS = ["elu@val-de-balise.example", "comite@val-de-balise.example", "dpo@val-de-balise.example"]
REGLE_PROPRE = (
    "Avant d'utiliser l'assistant conversationnel de l'agglomération pour un courrier à un usager, "
    "relisez le modèle validé par le service juridique."
)
# (service, agents informés, effectif saisi ou None pour le tableau des effectifs, il y a n jours, moyen)
INFORMATIONS = [
    ("Direction générale", 26, None, 40, "reunion"),
    ("Urbanisme", 5, None, 33, "courriel"),
    ("Action sociale", 20, None, 25, "reunion"),
    ("Espaces verts", 18, None, 12, "affichage"),
    ("Service informatique", 9, 9, 38, "reunion"),
]


def charger(utilisateurs: dict[str, Utilisateur]) -> VersionRegles:
    organisation = Organisation.objects.get(slug=ORGANISATION)
    referent, drh = utilisateurs[REFERENT], utilisateurs[DRH]
    brouillon = services.creer_brouillon(organisation, referent)
    regles = [*brouillon.regles, {"sens": "faire", "texte": REGLE_PROPRE}]
    brouillon = services.modifier_brouillon(
        organisation, brouillon.pk, {"regles": regles}, referent, brouillon.version
    )
    publiee = services.publier(organisation, brouillon.pk, referent, brouillon.version)
    # Rédigées il y a sept semaines, publiées il y a six : dates reportées sans nouvelle version.
    maintenant = timezone.now()
    VersionRegles.objects.filter(pk=publiee.pk).update(
        cree_le=maintenant - timedelta(days=49), publiee_le=maintenant - timedelta(days=42)
    )
    publiee.refresh_from_db()
    aujourd_hui = timezone.localdate()
    for service, informes, effectif, il_y_a, moyen in INFORMATIONS:
        services.enregistrer_information(
            organisation,
            {
                "service": service,
                "effectif_informe": informes,
                "effectif_service": effectif,
                "date": aujourd_hui - timedelta(days=il_y_a),
                "moyen": moyen,
            },
            drh,
        )
    for email in [REFERENT, *LECTEURS]:
        services.prendre_connaissance(organisation, utilisateurs[email], publiee.pk)
    return publiee
