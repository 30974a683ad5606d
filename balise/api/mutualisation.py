"""API de la mutualisation : exactement les droits des pages (mutualisation/views.py).

- lister les conventions de l'organisation (comme mutualisante et comme membre) : VOIR_REGISTRE ;
- le portefeuille agrégé des membres d'une mutualisante : VOIR_REGISTRE dans la mutualisante, pour les
  seuls membres dont la convention ouvre l'accès aujourd'hui et qui partagent leur portefeuille (vide
  pour une organisation qui ne mutualise pour personne) ;
- proposer (la mutualisante) ou demander (le membre) une convention, la signer, la refuser, y mettre
  fin, partager ou non son portefeuille (le membre) : GERER_MEMBRES, de chaque côté, par les services
  de mutualisation/services.py, avec la version lue (verrou optimiste).

Statuts des écritures : un corps hors du schéma est refusé (422) avant la vue, par django-ninja ; puis,
dans l'ordre où ils se décident : 404 (organisation, convention ou organisation désignée introuvables),
403 (rôle, ou côté de la convention qui n'a pas la main : signer sa propre proposition, partager le
portefeuille de la mutualisante), 422 (ce que le schéma ne peut dire : fin avant le début, paire
d'organisations impossible), 409 (version périmée ; état de la convention qui refuse l'action ;
convention déjà en cours pour la paire). Un refus n'écrit rien : les services sont atomiques.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from balise.mutualisation import selectors, services
from balise.mutualisation.models import ROLES_ACCORDABLES, Convention
from balise.mutualisation.portefeuille import portefeuille as calculer_portefeuille
from balise.organisations import acces
from balise.organisations.models import Organisation
from balise.organisations.roles import Permission

from .schemas import (
    ConflitSortie,
    Corps,
    DateISO,
    Erreur,
    ErreurValidation,
    Texte,
    VersionLue,
    sans_defaut_nul,
)

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
# 400 : corps illisible (pas du JSON) ; 413 : corps trop volumineux (api/erreurs.py).
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}
routeur = Router(tags=["Mutualisation"])

# Une convention (200, 201), ou un refus des termes (422, `ErreurValidation`).
Reponse = dict[str, Any] | tuple[int, dict[str, Any]]
RoleAccordeT = Literal[tuple(r.value for r in ROLES_ACCORDABLES)]  # type: ignore[valid-type]


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


# --- Écritures des conventions ------------------------------------------------------------------


def _un_seul_cote(schema: dict[str, Any]) -> None:
    sans_defaut_nul(schema)
    schema["oneOf"] = [{"required": ["membre"]}, {"required": ["mutualisante"]}]


class ConventionNouvelle(Corps):
    """Proposer (`membre` : l'organisation désignée sera membre) ou demander (`mutualisante`) : l'un des
    deux, pas les deux. L'autre organisation est désignée par son identifiant d'adresse ou son SIREN."""

    model_config = ConfigDict(json_schema_extra=_un_seul_cote)

    membre: Texte(80, obligatoire=True) = Field(  # type: ignore[valid-type]
        None,
        description="Pour proposer, comme mutualisante : l'identifiant d'adresse ou le SIREN du membre.",
    )
    mutualisante: Texte(80, obligatoire=True) = Field(  # type: ignore[valid-type]
        None,
        description="Pour demander, comme membre : l'identifiant d'adresse ou le SIREN de la mutualisante.",
    )
    objet: Texte(services.LONGUEUR_OBJET, obligatoire=True) = Field(  # type: ignore[valid-type]
        description="Les services mutualisés, tels que la convention les écrit."
    )
    role: RoleAccordeT = Field(  # type: ignore[valid-type]
        description="Rôle accordé au personnel de la mutualisante chez le membre (proposé par la "
        "mutualisante, que le membre confirme ou change à la signature ; fixé par le membre qui demande)."
    )
    debut: DateISO
    fin: DateISO | None = Field(None, description="Vide : sans terme fixé. Jamais avant `debut` (422).")
    deliberations: Texte(services.LONGUEUR_DELIBERATIONS) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _un_seul(self) -> "ConventionNouvelle":
        if (self.membre is None) == (self.mutualisante is None):
            raise PydanticCustomError(
                "un_seul_cote",
                "Désignez soit le membre (vous proposez la convention), soit la mutualisante (vous la "
                "demandez) : l'un des deux, pas les deux.",
            )
        return self


class ConventionSignatureEntree(Corps):
    version: VersionLue
    role: RoleAccordeT | None = Field(  # type: ignore[valid-type]
        None,
        description="Le membre qui signe une proposition peut changer le rôle accordé ; la mutualisante "
        "signe une demande telle qu'elle est (un autre rôle : 422).",
    )


class ConventionMotifEntree(Corps):
    version: VersionLue
    motif: Texte(services.LONGUEUR_MOTIF) = ""  # type: ignore[valid-type]


class ConventionPartageEntree(Corps):
    version: VersionLue
    partage: bool = Field(description="Le portefeuille du membre compte-t-il dans celui de la mutualisante ?")


def _invalide(erreur: ValidationError) -> tuple[int, dict[str, Any]]:
    """Un refus des services qui porte sur les termes demandés : 422, au schéma `ErreurValidation`."""
    if hasattr(erreur, "error_dict"):
        details = [
            {"type": "value_error", "loc": ["body", "corps", champ], "msg": message}
            for champ, messages in erreur.message_dict.items()
            for message in messages
        ]
    else:
        details = [{"type": "value_error", "loc": ["body", "corps"], "msg": m} for m in erreur.messages]
    return 422, {"message": " ".join(erreur.messages), "erreurs": details}


def _conflit(erreur: ValidationError) -> HttpError:
    """Un refus des services dû à l'état de la convention (déjà signée, terminée…) : 409."""
    return HttpError(409, " ".join(erreur.messages))


@routeur.post(
    "/{slug}/mutualisation/conventions",
    response={201: ConventionSortie, **ERREURS_ECRITURE},
    summary="Proposer ou demander une convention de mutualisation",
    description="Avec `membre`, l'organisation (mutualisante) propose la convention ; avec "
    "`mutualisante`, elle (membre) la demande. L'autre organisation la signera ou la refusera. "
    "Organisation désignée introuvable : 404 ; avec elle-même, ou mutualisante qui n'est pas d'une nature "
    "qui mutualise, ou fin avant le début : 422 ; convention déjà proposée, demandée ou signée pour la "
    "paire : 409.",
)
def creer_convention(request: Any, slug: str, corps: ConventionNouvelle) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_MEMBRES)
    org = adhesion.organisation
    propose = corps.membre is not None
    autre = selectors.par_reference(corps.membre if propose else corps.mutualisante)
    if autre is None:
        raise HttpError(404, "Aucune organisation de Balise n'a cet identifiant ou ce SIREN.")
    mutualisante, membre = (org, autre) if propose else (autre, org)
    termes = corps.dict(exclude={"membre", "mutualisante"})
    try:
        # La paire d'abord (422) : ce qui reste refusé ensuite par le service est la convention déjà en
        # cours pour la paire (409), ou un terme que le schéma ne peut dire (422 : fin avant le début).
        services.verifier_paire(mutualisante, membre)
        services.verifier_termes(**termes)
    except ValidationError as erreur:
        return _invalide(erreur)
    try:
        if propose:
            c = services.proposer(org, autre, request.auth, **termes)
        else:
            c = services.demander(org, autre, request.auth, **termes)
    except ValidationError as erreur:
        raise _conflit(erreur) from None
    return 201, _sortie(c, timezone.localdate())


def _agir(
    request: Any,
    slug: str,
    pk: int,
    agir: Callable[[Organisation], Convention],
    verifier: Callable[[Convention, str], None] | None = None,
) -> Reponse:
    """Les droits (404, 403), la convention de l'organisation (404), le côté qui a la main (`verifier` :
    PermissionDenied, 403 ; ValidationError, 422), puis le service : version périmée (409, api.py), état
    de la convention qui refuse l'action (409)."""
    adhesion = acces.exiger(request.auth, slug, Permission.GERER_MEMBRES)
    org = adhesion.organisation
    c = selectors.convention(org, pk)
    if c is None:
        raise Http404("Convention introuvable.")
    if verifier is not None:
        try:
            verifier(c, "membre" if c.membre_id == org.pk else "mutualisante")
        except ValidationError as erreur:
            return _invalide(erreur)
    try:
        c = agir(org)
    except ValidationError as erreur:
        raise _conflit(erreur) from None
    return _sortie(c, timezone.localdate())


@routeur.post(
    "/{slug}/mutualisation/conventions/{pk}/signature",
    response={200: ConventionSortie, **ERREURS_ECRITURE},
    summary="Signer une convention de mutualisation",
    description="Le membre signe une proposition (et peut changer le rôle accordé, `role`), la "
    "mutualisante une demande, telle qu'elle est (un autre rôle : 422). Signer ce que son organisation a "
    "proposé ou demandé : 403 ; convention déjà signée, refusée ou terminée : 409.",
)
def signer_convention(request: Any, slug: str, pk: int, corps: ConventionSignatureEntree) -> Reponse:
    def verifier(c: Convention, cote: str) -> None:
        attendu = {Convention.Etat.PROPOSEE: "membre", Convention.Etat.DEMANDEE: "mutualisante"}.get(c.etat)  # type: ignore[call-overload]
        if attendu is not None and cote != attendu:
            raise PermissionDenied("C'est à l'autre organisation de signer cette convention.")
        if attendu == "mutualisante" and corps.role is not None and corps.role != c.role:
            raise ValidationError(
                {
                    "role": "Le rôle accordé est fixé par le membre : la mutualisante signe sa demande telle quelle."
                }
            )

    return _agir(
        request,
        slug,
        pk,
        lambda org: services.signer(org, pk, corps.version, request.auth, corps.role),
        verifier,
    )


@routeur.post(
    "/{slug}/mutualisation/conventions/{pk}/refus",
    response={200: ConventionSortie, **ERREURS_ECRITURE},
    summary="Refuser une convention de mutualisation",
    description="Refuse une convention proposée ou demandée, avec un motif facultatif, noté au journal des "
    "deux organisations. Convention déjà signée, refusée ou terminée : 409.",
)
def refuser_convention(request: Any, slug: str, pk: int, corps: ConventionMotifEntree) -> Reponse:
    return _agir(
        request, slug, pk, lambda org: services.refuser(org, pk, corps.version, request.auth, corps.motif)
    )


@routeur.post(
    "/{slug}/mutualisation/conventions/{pk}/fin",
    response={200: ConventionSortie, **ERREURS_ECRITURE},
    summary="Mettre fin à une convention de mutualisation",
    description="L'un ou l'autre côté met fin à une convention signée, ou retire une proposition, une "
    "demande ; motif facultatif. L'accès du personnel de la mutualisante cesse à la requête suivante ; "
    "rien du membre n'est effacé. Convention déjà refusée ou terminée : 409.",
)
def terminer_convention(request: Any, slug: str, pk: int, corps: ConventionMotifEntree) -> Reponse:
    return _agir(
        request, slug, pk, lambda org: services.terminer(org, pk, corps.version, request.auth, corps.motif)
    )


@routeur.post(
    "/{slug}/mutualisation/conventions/{pk}/partage-portefeuille",
    response={200: ConventionSortie, **ERREURS_ECRITURE},
    summary="Partager ou non son portefeuille avec la mutualisante",
    description="Le membre, et lui seul (la mutualisante : 403), décide si son portefeuille compte dans "
    "le portefeuille agrégé de la mutualisante.",
)
def partager_portefeuille(request: Any, slug: str, pk: int, corps: ConventionPartageEntree) -> Reponse:
    def verifier(c: Convention, cote: str) -> None:
        if cote != "membre":
            raise PermissionDenied("Seul le membre décide de partager son portefeuille.")

    return _agir(
        request,
        slug,
        pk,
        lambda org: services.partager_portefeuille(org, pk, corps.version, request.auth, corps.partage),
        verifier,
    )
