"""API de la mutualisation : exactement les droits des pages (mutualisation/views.py).

- lister les conventions de l'organisation (comme mutualisante et comme membre) : VOIR_REGISTRE ;
- le portefeuille agrégé des membres d'une mutualisante : VOIR_REGISTRE dans la mutualisante, pour les
  seuls membres dont la convention ouvre l'accès aujourd'hui et qui partagent leur portefeuille (vide
  pour une organisation qui ne mutualise pour personne).
"""

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema

from balise.mutualisation import selectors
from balise.mutualisation.models import Convention
from balise.mutualisation.portefeuille import portefeuille as calculer_portefeuille
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import Erreur, ErreurValidation

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
routeur = Router(tags=["Mutualisation"])


class ConventionSortie(Schema):
    id: int
    mutualisante: str = Field(..., description="Identifiant d'adresse de l'organisation mutualisante.")
    mutualisante_nom: str
    membre: str = Field(..., description="Identifiant d'adresse de l'organisation membre.")
    membre_nom: str
    objet: str
    role: str = Field(..., description="Rôle accordé au personnel de la mutualisante chez le membre.")
    debut: date
    fin: date | None
    deliberations: str
    etat: str = Field(..., description="proposee, demandee, en_vigueur, refusee ou terminee.")
    ouvre_l_acces: bool = Field(..., description="Signée et dans ses dates aujourd'hui.")
    partage_portefeuille: bool
    signee_le: datetime | None
    terminee_le: datetime | None
    version: int


def _sortie(c: Convention, jour: date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "mutualisante": c.mutualisante.slug,
        "mutualisante_nom": c.mutualisante.nom,
        "membre": c.membre.slug,
        "membre_nom": c.membre.nom,
        "objet": c.objet,
        "role": c.role,
        "debut": c.debut,
        "fin": c.fin,
        "deliberations": c.deliberations,
        "etat": c.etat,
        "ouvre_l_acces": c.ouvre_l_acces(jour),
        "partage_portefeuille": c.partage_portefeuille,
        "signee_le": c.signee_le,
        "terminee_le": c.terminee_le,
        "version": c.version,
    }


@routeur.get(
    "/{slug}/mutualisation/conventions",
    response={200: list[ConventionSortie], **ERREURS},
    summary="Lister les conventions de mutualisation",
)
def conventions(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    jour = timezone.localdate()
    return [_sortie(c, jour) for c in selectors.conventions(adhesion.organisation)]


class MembrePortefeuilleSortie(Schema):
    membre: str
    membre_nom: str
    systemes: int
    par_stade: dict[str, int] = Field(..., description="Systèmes non archivés, par stade du cycle de vie.")
    obligations_en_retard: int
    participations_formations: int
    part_formee: int | None = Field(
        ...,
        description="Participations rapportées à l'effectif déclaré, en %, borné à 100 ; null sans effectif.",
    )


class PortefeuilleSortie(Schema):
    date: date
    membres: list[MembrePortefeuilleSortie]
    membres_sans_partage: int


@routeur.get(
    "/{slug}/mutualisation/portefeuille",
    response={200: PortefeuilleSortie, **ERREURS},
    summary="Portefeuille agrégé des membres d'une mutualisante",
)
def portefeuille(request: Any, slug: str) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    org = adhesion.organisation
    jour = timezone.localdate()
    p = calculer_portefeuille(org, jour)
    return {
        "date": jour,
        "membres": [
            {
                "membre": ligne.convention.membre.slug,
                "membre_nom": ligne.convention.membre.nom,
                "systemes": ligne.systemes,
                "par_stade": {code: ligne.par_stade[code] for code, _ in p.stades},
                "obligations_en_retard": ligne.obligations_en_retard,
                "participations_formations": ligne.participations,
                "part_formee": ligne.part_formee,
            }
            for ligne in p.lignes
        ],
        "membres_sans_partage": p.non_partages,
    }
