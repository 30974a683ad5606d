"""Proposer, demander, signer, refuser et terminer une convention de mutualisation : fonctions courtes,
atomiques, attribuées et historisées, notées au journal des deux organisations ; erreurs en français
(rien n'est écrit en cas de refus).

Qui décide : de chaque côté, qui gère les membres de son organisation (Permission.GERER_MEMBRES,
vérifiée par les vues et l'API). La mutualisante propose, ou le membre demande ; l'autre côté signe
ou refuse. Le membre choisit seul le rôle accordé au personnel de la mutualisante. L'un ou l'autre
termine : l'accès cesse à la requête suivante, les données du membre restent les siennes.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from balise import versions
from balise.organisations import journal
from balise.organisations.models import Organisation

from .models import ROLES_ACCORDABLES, TYPES_MUTUALISANTS, Convention

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

Nature = journal.Nature
LONGUEUR_OBJET = 2000
LONGUEUR_DELIBERATIONS = 2000
LONGUEUR_MOTIF = 1000


def _texte(valeur: object, champ: str, limite: int, obligatoire: bool) -> str:
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if obligatoire and not texte:
        raise ValidationError({champ: "Ce champ est obligatoire."})
    if len(texte) > limite:
        raise ValidationError({champ: f"Ce champ tient en {limite} caractères au plus."})
    return texte


def _role(role: object) -> str:
    if role not in {r.value for r in ROLES_ACCORDABLES}:
        noms = ", ".join(str(r.label) for r in ROLES_ACCORDABLES)
        raise ValidationError({"role": f"Choisissez le rôle accordé parmi : {noms}."})
    return str(role)


def _dates(debut: date | None, fin: date | None) -> tuple[date, date | None]:
    if debut is None:
        raise ValidationError({"debut": "Indiquez la date de début de la convention."})
    if fin is not None and fin < debut:
        raise ValidationError({"fin": "La fin de la convention ne peut précéder son début."})
    return debut, fin


def verifier_paire(mutualisante: Organisation, membre: Organisation) -> None:
    if mutualisante.pk == membre.pk:
        raise ValidationError("Une organisation ne peut pas conventionner avec elle-même.")
    if mutualisante.type not in TYPES_MUTUALISANTS:
        raise ValidationError(
            f"{mutualisante.nom} n'est pas d'une nature qui mutualise pour d'autres "
            "(intercommunalité, centre de gestion, syndicat mixte ou département)."
        )


def _dates_lisibles(c: Convention) -> str:
    debut = c.debut.strftime("%d/%m/%Y")
    return f"du {debut} au {c.fin:%d/%m/%Y}" if c.fin else f"à partir du {debut}, sans terme"


def _noter(c: Convention, par: Utilisateur, nature: str, **details: str) -> None:
    """La même entrée au journal des deux organisations : chacune voit ce qui la lie."""
    for organisation_id in (c.mutualisante_id, c.membre_id):
        journal.noter(
            organisation_id,
            par,
            nature,
            f"Convention {c.mutualisante.nom} – {c.membre.nom}",
            mutualisante=c.mutualisante.nom,
            membre=c.membre.nom,
            role_accorde=c.get_role_display(),
            dates=_dates_lisibles(c),
            **details,
        )


def verifier_termes(
    *, objet: str, role: str, debut: date | None, fin: date | None, deliberations: str = ""
) -> dict[str, object]:
    """Les termes d'une convention, vérifiés et nettoyés (une seule règle, pour la convention comme pour
    l'invitation d'une collectivité qui n'a pas encore son espace)."""
    debut, fin = _dates(debut, fin)
    return {
        "objet": _texte(objet, "objet", LONGUEUR_OBJET, True),
        "role": _role(role),
        "debut": debut,
        "fin": fin,
        "deliberations": _texte(deliberations, "deliberations", LONGUEUR_DELIBERATIONS, False),
    }


def _creer(
    mutualisante: Organisation,
    membre: Organisation,
    etat: str,
    par: Utilisateur,
    *,
    objet: str,
    role: str,
    debut: date | None,
    fin: date | None,
    deliberations: str = "",
) -> Convention:
    verifier_paire(mutualisante, membre)
    termes = verifier_termes(objet=objet, role=role, debut=debut, fin=fin, deliberations=deliberations)
    c = Convention(mutualisante=mutualisante, membre=membre, etat=etat, creee_par=par, **termes)
    try:
        with transaction.atomic():
            versions.attribuer(c, par)
    except IntegrityError:
        raise ValidationError(
            f"Une convention entre {mutualisante.nom} et {membre.nom} est déjà proposée, demandée ou signée."
        ) from None
    nature = Nature.CONVENTION_PROPOSEE if etat == Convention.Etat.PROPOSEE else Nature.CONVENTION_DEMANDEE
    _noter(c, par, nature)
    return c


@transaction.atomic
def proposer(
    mutualisante: Organisation, membre: Organisation, par: Utilisateur, **champs: object
) -> Convention:
    """La mutualisante propose une convention ; le membre la signera (et choisira le rôle) ou la refusera."""
    return _creer(mutualisante, membre, Convention.Etat.PROPOSEE, par, **champs)  # type: ignore[arg-type]


@transaction.atomic
def demander(
    membre: Organisation, mutualisante: Organisation, par: Utilisateur, **champs: object
) -> Convention:
    """Le membre demande à rejoindre la mutualisante, en fixant le rôle qu'il accorde."""
    return _creer(mutualisante, membre, Convention.Etat.DEMANDEE, par, **champs)  # type: ignore[arg-type]


def _cote(c: Convention, organisation: Organisation) -> str:
    if organisation.pk == c.membre_id:
        return "membre"
    if organisation.pk == c.mutualisante_id:
        return "mutualisante"
    raise ValidationError("Cette convention ne concerne pas votre organisation.")


def _verrouiller(organisation: Organisation, pk: int, version: int | None) -> Convention:
    c = versions.verrouiller(Convention.objects.select_related("mutualisante", "membre"), pk, version)
    _cote(c, organisation)
    return c


@transaction.atomic
def signer(
    organisation: Organisation, pk: int, version: int | None, par: Utilisateur, role: str | None = None
) -> Convention:
    """L'autre côté signe : le membre une proposition (il peut changer le rôle accordé), la mutualisante
    une demande. Dès lors, et dans ses dates, le personnel de la mutualisante agit chez le membre."""
    c = _verrouiller(organisation, pk, version)
    attendu = {Convention.Etat.PROPOSEE: "membre", Convention.Etat.DEMANDEE: "mutualisante"}.get(c.etat)  # type: ignore[call-overload]
    if attendu is None:
        raise ValidationError(f"Cette convention est {c.get_etat_display().lower()} : elle ne se signe plus.")
    if _cote(c, organisation) != attendu:
        raise ValidationError("C'est à l'autre organisation de signer cette convention.")
    if role is not None and attendu == "membre":
        c.role = _role(role)
    c.etat = Convention.Etat.EN_VIGUEUR
    c.signee_le = timezone.now()
    versions.enregistrer(c, par)
    _noter(c, par, Nature.CONVENTION_SIGNEE)
    return c


@transaction.atomic
def refuser(
    organisation: Organisation, pk: int, version: int | None, par: Utilisateur, motif: str = ""
) -> Convention:
    c = _verrouiller(organisation, pk, version)
    if c.etat not in (Convention.Etat.PROPOSEE, Convention.Etat.DEMANDEE):
        raise ValidationError(
            f"Cette convention est {c.get_etat_display().lower()} : elle ne se refuse plus."
        )
    c.etat = Convention.Etat.REFUSEE
    c.motif = _texte(motif, "motif", LONGUEUR_MOTIF, False)
    c.terminee_le = timezone.now()
    versions.enregistrer(c, par)
    _noter(c, par, Nature.CONVENTION_REFUSEE, **({"motif": c.motif} if c.motif else {}))
    return c


@transaction.atomic
def terminer(
    organisation: Organisation, pk: int, version: int | None, par: Utilisateur, motif: str = ""
) -> Convention:
    """Met fin à une convention signée (l'un ou l'autre côté) ou retire une proposition ou une demande.
    L'accès du personnel de la mutualisante cesse à la requête suivante ; rien du membre n'est effacé."""
    c = _verrouiller(organisation, pk, version)
    if c.etat not in Convention.EN_COURS:
        raise ValidationError(f"Cette convention est déjà {c.get_etat_display().lower()}.")
    c.etat = Convention.Etat.TERMINEE
    c.motif = _texte(motif, "motif", LONGUEUR_MOTIF, False)
    c.terminee_le = timezone.now()
    aujourd_hui = timezone.localdate()
    if c.fin is None or c.fin > aujourd_hui:
        c.fin = max(aujourd_hui, c.debut)
    versions.enregistrer(c, par)
    _noter(c, par, Nature.CONVENTION_TERMINEE, **({"motif": c.motif} if c.motif else {}))
    return c


@transaction.atomic
def partager_portefeuille(
    organisation: Organisation, pk: int, version: int | None, par: Utilisateur, partage: bool
) -> Convention:
    """Le membre, et lui seul, décide si son portefeuille compte dans celui de la mutualisante."""
    c = _verrouiller(organisation, pk, version)
    if _cote(c, organisation) != "membre":
        raise ValidationError("Seul le membre décide de partager son portefeuille.")
    if c.partage_portefeuille != partage:
        c.partage_portefeuille = partage
        versions.enregistrer(c, par)
    return c
