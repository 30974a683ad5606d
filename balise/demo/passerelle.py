"""La passerelle d'IA générative de la démonstration (issue 18, point 8) : le service informatique de
l'agglomération sert un modèle ouvert sur son propre serveur (adresse compatible OpenAI d'Ollama, sur
cette machine : s'il n'y tourne pas, la page de conversation le dit, jamais de fausse réponse) ; l'API
Albert de l'État attend sa clé (inactive). Un mois d'usage généré remplit les pages d'usage : des
requêtes d'agents de plusieurs services, dont des pseudonymisées et quelques refusées, avec leur
empreinte estimée. Aucune ligne n'est inventée hors du journal : les textes des requêtes sensibles
générées sont fictifs et chiffrés comme les vrais. Tirage déterministe (graine fixe)."""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.mutualisation import modeles_partages
from balise.mutualisation.models import ModelePartage
from balise.organisations.models import Organisation
from balise.passerelle import chiffrement, empreinte, usage
from balise.passerelle import services_catalogue as catalogue
from balise.passerelle.models import Action, ContenuSensible, ModeleCatalogue, Profil, Requete

ORGANISATION = "val-de-balise"
REFERENT = "referent@val-de-balise.example"
# Où la démonstration cherche un serveur local compatible OpenAI (Ollama par défaut).
ADRESSE_LOCALE = os.environ.get("BALISE_DEMO_MODELE_URL", "http://127.0.0.1:11434/v1")
SERVICES = {
    "admin@val-de-balise.example": "Direction générale",
    "referent@val-de-balise.example": "Service informatique",
    "dpo@val-de-balise.example": "Affaires juridiques",
    "elu@val-de-balise.example": "Cabinet",
    "comite@val-de-balise.example": "Action sociale",
    "drh@val-de-balise.example": "Ressources humaines",
}
JOURS, PAR_JOUR = 30, 40
TEXTE_SENSIBLE = "Demande d'aide de M. Exemple Fictif, numéro de sécurité sociale 1 85 05 78 006 084 91."


def charger(utilisateurs: dict[str, Utilisateur]) -> ModeleCatalogue:
    organisation = Organisation.objects.get(slug=ORGANISATION)
    referent = utilisateurs[REFERENT]
    local = catalogue.ajouter_fournisseur(
        organisation,
        {"nom": "Serveur du service informatique (Ollama)", "url_base": ADRESSE_LOCALE, "hebergement": "france", "delai_s": 120},
        "ollama",
        referent,
    )  # fmt: skip
    modele = catalogue.ajouter_modele(
        organisation,
        local.pk,
        {
            "identifiant": "llama3.1:8b",
            "libelle": "Llama 3.1 8B (serveur de l'agglomération)",
            "parametres_actifs_milliards": Decimal(8),
            "parametres_totaux_milliards": Decimal(8),
            "jetons_max": 1500,
        },
        ["interne", "personnelle", "sensible"],
        referent,
    )
    albert = catalogue.ajouter_fournisseur(
        organisation,
        {"nom": "API Albert de l'État", "url_base": "https://albert.api.etalab.gouv.fr/v1", "hebergement": "france", "actif": False},
        "",
        referent,
    )  # fmt: skip
    catalogue.ajouter_modele(
        organisation,
        albert.pk,
        {"identifiant": "albert-large", "libelle": "Albert (grand modèle)", "actif": False},
        ["interne"],
        referent,
        systeme_id=modele.systeme_id,
    )
    catalogue.regler(
        organisation,
        "Texte rédigé avec l'aide d'une IA générative (passerelle de l'agglomération), relu par un agent.",
        180,
        "Projet Hirondelle\nDossier Vauban",
        1,
        referent,
    )
    for email, service in SERVICES.items():
        versions.attribuer(
            Profil(organisation=organisation, personne=utilisateurs[email], service=service), referent
        )
    _usage(organisation, modele, [utilisateurs[e] for e in SERVICES])
    _partager_avec_rivebelle(organisation, modele, referent, utilisateurs)
    return modele


def _partager_avec_rivebelle(
    agglo: Organisation, modele: ModeleCatalogue, referent: Utilisateur, utilisateurs: dict[str, Utilisateur]
) -> None:
    """L'agglomération partage son modèle avec ses communes ; Rivebelle, sous convention, l'a repris : ses
    agents l'emploient par le serveur de l'agglomération, avec sa fiche au registre de la commune."""
    rivebelle = Organisation.objects.filter(slug="rivebelle").first()
    if rivebelle is None:
        return
    jour = timezone.localdate()
    partage = modeles_partages.partager(
        agglo,
        ModelePartage.Nature.MODELE_IA,
        str(modele.pk),
        "Le modèle du serveur de l'agglomération, hébergé chez nous : vos agents l'emploient par votre "
        "propre passerelle, avec vos règles d'usage.",
        referent,
    )
    vus = [v for v in modeles_partages.partages_pour(rivebelle, jour) if v.partage.pk == partage.pk]
    if vus:
        modeles_partages.reprendre(
            rivebelle, partage.pk, utilisateurs["dgs@rivebelle.example"], vus[0].amont.revision, None, jour
        )


def _usage(organisation: Organisation, modele: ModeleCatalogue, personnes: list[Utilisateur]) -> None:
    """Un mois de requêtes au journal, comme la passerelle les aurait notées."""
    tirage = random.Random(18)  # noqa: S311 — un tirage reproductible, pas un secret
    maintenant = timezone.now()
    requetes, sensibles = [], []
    for jour in range(JOURS, 0, -1):
        for _ in range(tirage.randint(PAR_JOUR // 2, PAR_JOUR)):
            personne = tirage.choice(personnes)
            action = tirage.choices(
                [Action.ENVOYE, Action.PSEUDONYMISE, Action.REFUSE, Action.ERREUR], weights=[62, 30, 5, 3]
            )[0]
            classes = {
                Action.ENVOYE: [],
                Action.PSEUDONYMISE: ["personnelle"],
                Action.REFUSE: ["sensible"],
            }.get(action, [])
            entree, sortie = tirage.randint(150, 2500), tirage.randint(80, 900)
            latence = sortie / tirage.uniform(12, 30)
            parti = action in (Action.ENVOYE, Action.PSEUDONYMISE)
            estime = empreinte.estimer(
                modele=modele.identifiant, fournisseur_ecologits=None, parametres_actifs_milliards=8.0,
                parametres_totaux_milliards=8.0, jetons_sortie=sortie, latence_s=latence, hebergement="france",
            ) if parti else None  # fmt: skip
            requetes.append(
                Requete(
                    organisation=organisation,
                    personne=personne,
                    service=SERVICES[personne.email],
                    modele=modele,
                    canal=tirage.choice(["page", "page", "api"]),
                    le=maintenant - timedelta(days=jour, seconds=tirage.randint(0, 9 * 3600)),
                    action=action,
                    classes=classes,
                    types=["NIR"] if action == Action.REFUSE else [],
                    jetons_entree=entree if parti else 0,
                    jetons_sortie=sortie if parti else 0,
                    latence_ms=round(latence * 1000) if parti else None,
                    analyse_ms=tirage.randint(30, 90),
                    erreur="injoignable" if action == Action.ERREUR else "",
                    energie_wh=estime.energie_wh if estime else None,
                    ges_gco2e=estime.ges_gco2e if estime else None,
                    eau_l=estime.eau_l if estime else None,
                )  # fmt: skip
            )
    crees = Requete.objects.bulk_create(requetes, batch_size=500)
    for requete in crees:
        if requete.action == Action.REFUSE:
            sensibles.append(
                ContenuSensible(
                    requete=requete,
                    chiffre=chiffrement.chiffrer(TEXTE_SENSIBLE),
                    garder_jusqu_au=timezone.localdate(requete.le) + timedelta(days=180),
                )
            )
    ContenuSensible.objects.bulk_create(sensibles, batch_size=500)
    usage.recalculer(organisation)  # les cumuls mensuels que lisent les pages d'usage
