"""Le registre public en données ouvertes : un schéma documenté et stable (voir docs/donnees-ouvertes.md).

Un champ ajouté incrémente la version mineure du schéma ; un champ retiré ou renommé, la version majeure.
Seules les fiches marquées publiques et non archivées y figurent (selectors.registre_public).
"""

import csv
import io
from typing import Any

from balise.organisations.models import Organisation

from .cycle_de_vie import Stade
from .referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA
from .selectors import registre_public

SCHEMA_NOM = "balise-registre-public"
# 1.1 : ajout de regles_traitement (CRPA, art. L312-1-3) ; 1.2 : ajout de charte (JSON seulement).
SCHEMA_VERSION = "1.2"

# (nom du champ, description) — l'ordre est celui des colonnes du CSV.
CHAMPS: list[tuple[str, str]] = [
    ("identifiant", "Identifiant stable de la fiche (UUID), inchangé si la fiche est renommée."),
    ("nom", "Nom du système d'IA."),
    ("finalite", "Finalité : à quoi sert le système."),
    ("service", "Service de la collectivité qui porte le système."),
    ("domaine", "Domaine d'action publique (code)."),
    ("domaine_libelle", "Domaine d'action publique (libellé)."),
    ("type_ia", "Type d'IA : generative, predictive ou discriminante."),
    ("type_ia_libelle", "Type d'IA (libellé)."),
    ("cible", "Utilisateurs et bénéficiaires directs : agents ou usagers."),
    ("positionnement", "ameliorer (améliorer l'existant) ou innover (nouveau mode opératoire)."),
    ("stade", "Stade du cycle de vie (code)."),
    ("stade_libelle", "Stade du cycle de vie (libellé)."),
    ("contribution_decision", "Comment le système contribue aux décisions de l'administration."),
    (
        "decision_individuelle",
        "true si le système intervient dans des décisions administratives individuelles.",
    ),
    ("donnees", "Données utilisées."),
    ("sources_donnees", "Sources des données."),
    ("donnees_personnelles", "true si le système traite des données personnelles."),
    ("supervision_humaine", "Modalités de supervision humaine."),
    ("realisation", "prestataire, interne, mixte ou grand_public."),
    ("fournisseur", "Fournisseur ou éditeur."),
    ("modeles", "Modèle(s) d'IA utilisé(s)."),
    ("hebergement", "Lieu d'hébergement : france, ue, hors_ue ou inconnu."),
    ("contact", "Adresse à laquelle poser une question ou demander des explications."),
    ("mis_a_jour_le", "Date et heure de dernière mise à jour de la fiche (ISO 8601)."),
    (
        "regles_traitement",
        "Règles et principaux paramètres du traitement, et leur pondération, pour les décisions "
        "individuelles (CRPA, art. L312-1-3). Depuis la version 1.1.",
    ),
]
NOMS_CHAMPS = [nom for nom, _ in CHAMPS]

# L'objet `charte` du JSON (null tant qu'aucune charte n'est adoptée). Depuis la version 1.2.
CHAMPS_CHARTE: list[tuple[str, str]] = [
    ("titre", "Titre de la charte de l'IA adoptée."),
    ("numero", "Numéro de la version adoptée (1, 2…) ; une nouvelle version adoptée remplace la précédente."),
    ("adoptee_le", "Date d'adoption (AAAA-MM-JJ)."),
    ("mode_adoption", "direction (comité de direction) ou deliberation."),
    ("deliberation_numero", "Numéro de la délibération (vide pour une adoption par le comité de direction)."),
    ("perimetre", "À qui et à quoi s'applique la charte."),
    ("principes", "Liste des principes : objets {titre, explication}."),
    ("engagements", "Liste des engagements (textes)."),
    ("lignes_rouges", "Liste des lignes rouges : ce que la collectivité s'interdit (textes)."),
    ("adresse", "Page publique de la charte (le PDF est à la même adresse, terminée par charte.pdf)."),
]


def charte(organisation: Organisation, adresse: str = "") -> dict[str, Any] | None:
    """La charte adoptée de l'organisation, au format `CHAMPS_CHARTE`, ou None (une requête)."""
    from balise.chartes.selectors import adoptee

    v = adoptee(organisation)
    if v is None:
        return None
    return {
        "titre": v.titre,
        "numero": v.numero,
        "adoptee_le": v.adoptee_le.isoformat() if v.adoptee_le else None,
        "mode_adoption": v.mode_adoption,
        "deliberation_numero": v.deliberation_numero,
        "perimetre": v.perimetre,
        "principes": [{"titre": p["titre"], "explication": p["explication"]} for p in v.principes],
        "engagements": list(v.engagements),
        "lignes_rouges": list(v.lignes_rouges),
        "adresse": adresse,
    }


_LIBELLES = {
    "domaine": dict(Domaine.choices),
    "type_ia": dict(TypeIA.choices),
    "stade": dict(Stade.choices),
    "cible": dict(Cible.choices),
    "positionnement": dict(Positionnement.choices),
    "realisation": dict(Realisation.choices),
    "hebergement": dict(Hebergement.choices),
}

_COLONNES = [
    "uid",
    "nom",
    "finalite",
    "service",
    "domaine",
    "type_ia",
    "cible",
    "positionnement",
    "stade",
    "contribution_decision",
    "decision_individuelle",
    "donnees",
    "sources_donnees",
    "donnees_personnelles",
    "supervision_humaine",
    "realisation",
    "fournisseur",
    "modeles",
    "hebergement",
    "contact",
    "modifie_le",
    "regles_traitement",
]


def lignes(organisation: Organisation) -> list[dict[str, Any]]:
    qs = registre_public(organisation).values(*_COLONNES)
    resultat = []
    for v in qs:
        resultat.append(
            {
                "identifiant": str(v["uid"]),
                "nom": v["nom"],
                "finalite": v["finalite"],
                "service": v["service"],
                "domaine": v["domaine"],
                "domaine_libelle": _LIBELLES["domaine"].get(v["domaine"], ""),
                "type_ia": v["type_ia"],
                "type_ia_libelle": _LIBELLES["type_ia"].get(v["type_ia"], ""),
                "cible": v["cible"],
                "positionnement": v["positionnement"],
                "stade": v["stade"],
                "stade_libelle": _LIBELLES["stade"].get(v["stade"], ""),
                "contribution_decision": v["contribution_decision"],
                "decision_individuelle": v["decision_individuelle"],
                "donnees": v["donnees"],
                "sources_donnees": v["sources_donnees"],
                "donnees_personnelles": v["donnees_personnelles"],
                "supervision_humaine": v["supervision_humaine"],
                "realisation": v["realisation"],
                "fournisseur": v["fournisseur"],
                "modeles": v["modeles"],
                "hebergement": v["hebergement"],
                "contact": v["contact"] or organisation.contact_public,
                "mis_a_jour_le": v["modifie_le"].isoformat(timespec="seconds"),
                "regles_traitement": v["regles_traitement"],
            }
        )
    return resultat


def document_json(
    organisation: Organisation, adresse_schema: str, adresse_charte: str = ""
) -> dict[str, Any]:
    return {
        "schema": {"nom": SCHEMA_NOM, "version": SCHEMA_VERSION, "documentation": adresse_schema},
        "organisation": {
            "nom": organisation.nom,
            "identifiant": organisation.slug,
            "siren": organisation.siren,
            "type": organisation.type,
            "contact": organisation.contact_public,
        },
        "charte": charte(organisation, adresse_charte),
        "systemes": lignes(organisation),
    }


def _cellule(valeur: Any) -> str:
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    texte = str(valeur)
    # Neutralise l'injection de formules quand le CSV est ouvert dans un tableur.
    return "'" + texte if texte[:1] in ("=", "+", "-", "@", "\t", "\r") else texte


def document_csv(organisation: Organisation) -> str:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\r\n")
    ecrivain.writerow(NOMS_CHAMPS)
    for ligne in lignes(organisation):
        ecrivain.writerow([_cellule(ligne[nom]) for nom in NOMS_CHAMPS])
    return tampon.getvalue()
