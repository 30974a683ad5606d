"""Votes, avis, décisions et conditions : écritures atomiques et attribuées.

Sources : les critères d'une expérimentation sont fixés avant de la tester, puis on décide de
poursuivre ou d'abandonner (seed 002:596–604) ; la décision d'y recourir est un arbitrage pris après
l'avis d'un comité d'éthique (seed 004:513) ; chaque décision est tracée dans un registre (seed
001:1048–1055).

Les droits sont vérifiés par les pages et l'API (`droits.py`) ; les services les revérifient là où
une erreur ferait écrire ce que la personne ne peut pas écrire (voter sans siège, décider au nom
d'une instance consultative). Une saisie invalide lève `ValidationError` en français et ne change rien.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, Role, peut
from balise.registre.models import Document, SystemeIA

from . import droits
from .models import Avis, Condition, Decision, Instance, Point, Seance, Vote


@dataclass(frozen=True)
class NouvelleCondition:
    """Une réserve d'un avis ou une condition d'une décision, telle que saisie."""

    intitule: str
    responsable: Utilisateur | None
    echeance: date | None


def _texte(valeur: Any) -> str:
    return valeur.strip() if isinstance(valeur, str) else ""


def _choix(valeur: Any, choix: type[Any], message: str) -> str:
    if valeur not in choix.values:
        raise ValidationError(message)
    return str(valeur)


def _verifier_responsable(organisation_id: int, responsable: Utilisateur | None) -> None:
    if responsable is None:
        return
    membre = (
        Adhesion.objects.filter(organisation_id=organisation_id, utilisateur_id=responsable.pk)
        .exclude(role=Role.EXTERNE)
        .exists()
    )
    if not membre:
        raise ValidationError(
            "Le responsable d'une condition doit être une personne de l'organisation du système."
        )


def _creer_conditions(
    systeme: SystemeIA, conditions: list[NouvelleCondition], par: Utilisateur, **origine: Any
) -> list[Condition]:
    creees = []
    for i, c in enumerate(conditions, start=1):
        intitule = _texte(c.intitule)
        if not intitule:
            raise ValidationError(f"Condition {i} : écrivez son intitulé.")
        if len(intitule) > 1000:
            raise ValidationError(f"Condition {i} : l'intitulé dépasse 1 000 caractères.")
        if c.echeance is None:
            raise ValidationError(f"Condition {i} : fixez son échéance.")
        _verifier_responsable(systeme.organisation_id, c.responsable)
        condition = Condition(
            organisation_id=systeme.organisation_id,
            systeme=systeme,
            intitule=intitule,
            responsable=c.responsable,
            echeance=c.echeance,
            **origine,
        )
        creees.append(versions.attribuer(condition, par))
    return creees


# --- Votes -------------------------------------------------------------------------------------------


def voter(
    point: Point, adhesion: Adhesion, sens: str, opinion: str, version: int | None, par: Utilisateur
) -> Vote:
    """Enregistre ou change le vote du membre sur le point, tant que l'avis n'est pas rendu. Changer
    un vote exige la version lue (verrou optimiste) ; le premier vote n'en a pas."""
    instance = point.seance.instance
    membre = droits.peut_voter(adhesion, instance)
    if membre is None:
        raise PermissionDenied("Vous ne votez pas dans cette instance (siège à voix délibérative requis).")
    sens = _choix(sens, Vote.Sens, "Choisissez votre vote : pour, contre ou abstention.")
    opinion = _texte(opinion)
    if len(opinion) > 10_000:
        raise ValidationError("L'opinion dépasse 10 000 caractères.")
    with transaction.atomic():
        # Le point est verrouillé : l'avis ne peut pas être rendu pendant qu'on vote.
        Point.objects.select_for_update().get(pk=point.pk)
        if Avis.objects.filter(point_id=point.pk).exists():
            raise ValidationError("L'avis sur ce point est rendu : les votes sont clos.")
        if point.seance.statut == Seance.Statut.ANNULEE:
            raise ValidationError("La séance est annulée : on n'y vote pas.")
        existant = Vote.objects.filter(point_id=point.pk, membre=membre).first()
        if existant is None:
            vote = Vote(point=point, membre=membre, sens=sens, opinion=opinion)
            return versions.attribuer(vote, par)
        vote = versions.verrouiller(Vote.objects.all(), existant.pk, version)
        vote.sens, vote.opinion = sens, opinion
        versions.enregistrer(vote, par)
        return vote


# --- Avis --------------------------------------------------------------------------------------------

CHAMPS_AVIS = ("sens", "motifs", "opinions_divergentes", "public")


def _valider_avis(donnees: dict[str, Any]) -> dict[str, Any]:
    sens = _choix(
        donnees.get("sens"),
        Avis.Sens,
        "Choisissez l'avis : favorable, favorable avec réserves, défavorable ou ajourné.",
    )
    motifs = _texte(donnees.get("motifs"))
    if not motifs:
        raise ValidationError("Écrivez les motifs de l'avis.")
    opinions = _texte(donnees.get("opinions_divergentes"))
    if len(motifs) > 20_000 or len(opinions) > 20_000:
        raise ValidationError("Les motifs et les opinions divergentes sont limités à 20 000 caractères.")
    return {"sens": sens, "motifs": motifs, "opinions_divergentes": opinions}


def rendre_avis(
    point: Point, donnees: dict[str, Any], reserves: list[NouvelleCondition], par: Utilisateur
) -> Avis:
    """Consigne l'avis de l'instance sur le point. « Favorable avec réserves » exige au moins une
    réserve ; chacune devient une condition suivie sur le système. Public par défaut si l'instance
    publie ses avis."""
    valides = _valider_avis(donnees)
    public = donnees.get("public")
    if public is None:
        public = point.seance.instance.avis_publics
    _verifier_reserves(valides["sens"], point, reserves, deja=0)
    with transaction.atomic():
        Point.objects.select_for_update().get(pk=point.pk)
        if Avis.objects.filter(point_id=point.pk).exists():
            raise ValidationError("L'avis sur ce point est déjà rendu : corrigez-le plutôt.")
        avis = versions.attribuer(Avis(point=point, public=bool(public), cree_par=par, **valides), par)
        if point.systeme is not None:
            _creer_conditions(point.systeme, reserves, par, avis=avis)
        return avis


def _verifier_reserves(sens: str, point: Point, reserves: list[NouvelleCondition], deja: int) -> None:
    if reserves and sens != Avis.Sens.RESERVES:
        raise ValidationError("Seul un avis « favorable avec réserves » porte des réserves.")
    if sens == Avis.Sens.RESERVES and not reserves and not deja:
        raise ValidationError("Un avis favorable avec réserves doit en énoncer au moins une.")
    if reserves and point.systeme is None:
        raise ValidationError(
            "Ce point ne porte sur aucun système : ses réserves ne peuvent pas y être suivies comme conditions."
        )


def corriger_avis(
    pk: int,
    donnees: dict[str, Any],
    reserves: list[NouvelleCondition],
    version: int | None,
    par: Utilisateur,
) -> Avis:
    """Corrige un avis rendu (historisé, attribué) ; de nouvelles réserves peuvent s'y ajouter. Un avis
    ne se supprime pas ; ses conditions déjà créées se suivent (ou se déclarent sans objet) à part."""
    valides = _valider_avis(donnees)
    with transaction.atomic():
        # Sans jointure : PostgreSQL refuse FOR UPDATE sur le côté facultatif d'une jointure externe.
        avis = versions.verrouiller(Avis.objects.all(), pk, version)
        _verifier_reserves(valides["sens"], avis.point, reserves, deja=avis.conditions.count())
        for champ, valeur in valides.items():
            setattr(avis, champ, valeur)
        if donnees.get("public") is not None:
            avis.public = bool(donnees["public"])
        versions.enregistrer(avis, par)
        if avis.point.systeme is not None:
            _creer_conditions(avis.point.systeme, reserves, par, avis=avis)
        return avis


# --- Décisions ---------------------------------------------------------------------------------------

CHAMPS_DECISION = ("sens", "motifs", "deliberation_numero", "deliberation_date", "public", "decidee_le")


def _valider_decision(donnees: dict[str, Any]) -> dict[str, Any]:
    sens = _choix(
        donnees.get("sens"),
        Decision.Sens,
        "Choisissez la décision : expérimenter, mettre en production, poursuivre, arrêter ou abandonner.",
    )
    motifs = _texte(donnees.get("motifs"))
    if not motifs:
        raise ValidationError("Écrivez les motifs de la décision.")
    if len(motifs) > 20_000:
        raise ValidationError("Les motifs sont limités à 20 000 caractères.")
    numero = _texte(donnees.get("deliberation_numero"))
    if len(numero) > 60:
        raise ValidationError("Le numéro de délibération est limité à 60 caractères.")
    date_delib = donnees.get("deliberation_date")
    if date_delib is not None and not numero:
        raise ValidationError("Une date de délibération va avec son numéro.")
    valides: dict[str, Any] = {
        "sens": sens,
        "motifs": motifs,
        "deliberation_numero": numero,
        "deliberation_date": date_delib,
        "public": bool(donnees.get("public", False)),
    }
    if donnees.get("decidee_le") is not None:
        valides["decidee_le"] = donnees["decidee_le"]
    return valides


def prendre_decision(
    systeme: SystemeIA,
    donnees: dict[str, Any],
    conditions: list[NouvelleCondition],
    par: Utilisateur,
    point: Point | None = None,
) -> Decision:
    """Enregistre une décision sur un système : sur un point d'une séance d'une instance décisionnelle,
    ou directement (délibération de l'assemblée). Elle ne change pas le stade du système : le passage
    de stade reste gouverné par ses portes."""
    valides = _valider_decision(donnees)
    instance: Instance | None = None
    if point is not None:
        instance = point.seance.instance
        if instance.nature != Instance.Nature.DECISIONNELLE:
            raise ValidationError(
                f"« {instance.nom} » est une instance consultative : elle rend des avis, la décision "
                "revient à une instance décisionnelle."
            )
        if point.systeme_id != systeme.pk:
            raise ValidationError("Ce point de l'ordre du jour ne porte pas sur ce système.")
        if systeme.organisation_id != instance.organisation_id:
            # Le COPIL d'une mutualisante éclaire ses membres ; chacun décide de ses systèmes chez lui.
            raise ValidationError(
                "Ce système est celui d'une organisation membre : l'instance rend un avis, la décision "
                "revient aux instances de cette organisation."
            )
    if systeme.archive_le is not None:
        raise ValidationError("Ce système est archivé : restaurez sa fiche avant d'y consigner une décision.")
    with transaction.atomic():
        decision = versions.attribuer(
            Decision(
                organisation_id=systeme.organisation_id,
                systeme=systeme,
                instance=instance,
                point=point,
                cree_par=par,
                **valides,
            ),
            par,
        )
        _creer_conditions(systeme, conditions, par, decision=decision)
        return decision


def corriger_decision(
    pk: int,
    donnees: dict[str, Any],
    conditions: list[NouvelleCondition],
    version: int | None,
    par: Utilisateur,
) -> Decision:
    """Corrige une décision (historisée, attribuée) ; des conditions peuvent s'y ajouter."""
    valides = _valider_decision(donnees)
    with transaction.atomic():
        decision = versions.verrouiller(Decision.objects.all(), pk, version)
        for champ, valeur in valides.items():
            setattr(decision, champ, valeur)
        versions.enregistrer(decision, par)
        _creer_conditions(decision.systeme, conditions, par, decision=decision)
        return decision


# --- Conditions --------------------------------------------------------------------------------------

CHAMPS_CONDITION = ("statut", "responsable", "echeance", "preuve_document", "preuve_lien", "commentaire")


def peut_suivre(adhesion: Adhesion, condition: Condition) -> bool:
    """Le responsable de la condition, ou qui a GOUVERNER ou QUALIFIER, la fait avancer."""
    return (
        condition.responsable_id == adhesion.utilisateur_id
        or peut(adhesion.role, Permission.GOUVERNER)
        or peut(adhesion.role, Permission.QUALIFIER)
    )


def modifier_condition(pk: int, donnees: dict[str, Any], version: int | None, par: Utilisateur) -> Condition:
    with transaction.atomic():
        condition = versions.verrouiller(Condition.objects.all(), pk, version)
        for champ in CHAMPS_CONDITION:
            if champ in donnees:
                setattr(condition, champ, donnees[champ])
        condition.preuve_lien = _texte(condition.preuve_lien)
        condition.commentaire = _texte(condition.commentaire)
        _choix(condition.statut, Condition.Statut, "État de la condition inconnu.")
        if condition.echeance is None:
            raise ValidationError("Fixez l'échéance de la condition.")
        document: Document | None = condition.preuve_document
        if document is not None and (document.systeme_id != condition.systeme_id or document.archive_le):
            raise ValidationError("La preuve doit être un document (non archivé) de ce système.")
        if "responsable" in donnees:
            _verifier_responsable(condition.organisation_id, condition.responsable)
        if condition.statut == Condition.Statut.LEVEE and document is None and not condition.preuve_lien:
            raise ValidationError("Une condition levée porte sa preuve : un document du système ou un lien.")
        if condition.statut == Condition.Statut.SANS_OBJET and not condition.commentaire:
            raise ValidationError("Dites en commentaire pourquoi la condition est sans objet.")
        if len(condition.commentaire) > 4000:
            raise ValidationError("Le commentaire est limité à 4 000 caractères.")
        versions.enregistrer(condition, par)
        return condition
