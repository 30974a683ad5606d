"""Fabrique de données de test : des organisations, des personnes avec un rôle, des fiches complètes."""

from itertools import count
from typing import Any

from balise.comptes.models import Utilisateur
from balise.organisations.models import Adhesion, Organisation
from balise.registre import services
from balise.registre.models import SystemeIA

_n = count(1)

FICHE_MINIMALE: dict[str, Any] = {
    "nom": "Assistant de test",
    "finalite": "Répondre aux questions des usagers.",
    "service": "Relation usagers",
    "responsable": "Claire Petit, cheffe de projet",
    "domaine": "relation_usagers",
    "type_ia": "generative",
    "cible": "usagers",
    "positionnement": "innover",
    "realisation": "prestataire",
    "hebergement": "france",
}


def organisation(nom: str | None = None, **champs) -> Organisation:
    i = next(_n)
    nom = nom or f"Commune {i}"
    champs.setdefault("slug", f"commune-{i}")
    champs.setdefault("type", "commune")
    champs.setdefault("contact_public", f"contact{i}@exemple.fr")
    return Organisation.objects.create(nom=nom, **champs)


def utilisateur(email: str | None = None, **champs) -> Utilisateur:
    email = email or f"personne{next(_n)}@exemple.fr"
    return Utilisateur.objects.create_user(email, "mot-de-passe-tres-long-42", **champs)


def membre(org: Organisation, role: str, email: str | None = None) -> Utilisateur:
    personne = utilisateur(email)
    Adhesion.objects.create(utilisateur=personne, organisation=org, role=role)
    return personne


def systeme(org: Organisation, par: Utilisateur | None = None, **champs) -> SystemeIA:
    par = par or utilisateur()
    return services.creer_systeme(org, {**FICHE_MINIMALE, **champs}, par)
