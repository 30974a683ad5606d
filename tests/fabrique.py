"""Fabrique de données de test : des organisations, des personnes avec un rôle, des fiches complètes."""

import io
import json
from itertools import count
from typing import Any

from django.test import Client

from balise.comptes.models import JetonAPI, Utilisateur
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


def donnees_indicateur(responsable: Utilisateur, **autres) -> dict[str, Any]:
    """La saisie d'un indicateur libre (création, modification), au plus 10 jours par dossier."""
    return {
        "objectif": "Réduction des délais de traitement",
        "intitule": "Temps moyen par dossier",
        "unite": "jours",
        "cible": "10",
        "sens": "au_plus",
        "frequence": "mensuelle",
        "responsable": responsable.pk,
        **autres,
    }


def saisie_politique(politique=None, depuis_numero: int = 0) -> dict[str, Any]:
    """Ce qu'envoie le formulaire d'adaptation de la politique des portes tel qu'il s'affiche (valeurs
    initiales de chaque champ modifiable), à partir de `politique` (la nationale par défaut)."""
    from balise.gouvernance import politique as politiques
    from balise.gouvernance.forms_politique import AdaptationForm

    form = AdaptationForm(
        initial={"depuis_numero": depuis_numero},
        politique=politique or politiques.en_vigueur(),
        instruments={},
        obligations=politiques.obligations_connues(),
        nom_organisation="Commune",
    )
    donnees: dict[str, Any] = {}
    for nom, champ in form.fields.items():
        valeur = form[nom].value()
        if champ.disabled or valeur is None or valeur is False:
            continue
        if valeur is True:
            donnees[nom] = "on"
        elif isinstance(valeur, list | tuple):
            donnees[nom] = list(valeur)
        else:
            donnees[nom] = str(valeur)
    return donnees


def appel_api(personne: Utilisateur, methode: str, adresse: str, corps: Any = None):
    """Un appel à l'API (`adresse` après /api/organisations/) avec un jeton neuf de `personne`, par un
    client qui vérifie le CSRF comme un navigateur : un jeton doit s'en passer."""
    _, secret = JetonAPI.emettre(personne, "jeton de test")
    return Client(enforce_csrf_checks=True).generic(
        methode,
        "/api/organisations/" + adresse,
        "" if corps is None else json.dumps(corps),
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )


def image(
    format: str = "PNG", taille: tuple[int, int] = (600, 200), couleur=(31, 111, 139), **options
) -> bytes:
    """Une image dessinée à la volée (un rectangle et une bande), dans le format de Pillow demandé."""
    from PIL import Image, ImageDraw

    mode = "RGBA" if format in ("PNG", "WEBP") else "RGB"
    dessin = Image.new(mode, taille, (*couleur, 255)[: len(mode)])
    ImageDraw.Draw(dessin).rectangle(
        (0, 0, taille[0] // 3, taille[1]), fill=(255, 255, 255, 255)[: len(mode)]
    )
    sortie = io.BytesIO()
    dessin.save(sortie, format, **options)
    return sortie.getvalue()
