"""API des indicateurs du programme et de ses systèmes : liste avec leur suivi (dernière mesure,
prochaine période, retard, cible tenue), fiche avec ses mesures, création, modification et archivage
d'un indicateur, saisie et correction de ses mesures. Mêmes droits que les pages
(balise/indicateurs/droits.py) : lire, VOIR_REGISTRE ; créer, modifier, archiver, PILOTER_PROGRAMME ;
saisir et corriger une mesure, PILOTER_PROGRAMME ou la personne responsable de l'indicateur. Une
modification porte la version lue (verrou optimiste : 409 si elle est périmée) ; les refus des
services (balise/indicateurs/services.py) répondent 400 en français, sans rien écrire."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import BeforeValidator, ConfigDict

from balise.indicateurs import droits, echeances, selectors, services
from balise.indicateurs.models import VALEUR_MAX, Indicateur, Mesure
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission

from .schemas import (
    OMISSIBLE,
    ConflitSortie,
    Corps,
    DateISO,
    Erreur,
    ErreurValidation,
    Texte,
    VersionLue,
    _entier,
    sans_defaut_nul,
)

routeur = Router(tags=["Programme : indicateurs"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

SensT = Literal[tuple(Indicateur.Sens.values)]  # type: ignore[valid-type]
FrequenceT = Literal[tuple(Indicateur.Frequence.values)]  # type: ignore[valid-type]
Identifiant = Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_entier)]
# Un nombre JSON (jamais une chaîne ni un booléen), arrondi au millième par le service, comme une saisie
# des pages ; au-delà de cent milliards, une faute de frappe plutôt qu'une mesure.
Nombre = Annotated[float, Field(ge=-VALEUR_MAX, le=VALEUR_MAX, allow_inf_nan=False)]


class SuiviIndicateurSortie(Schema):
    derniere_periode: date | None = Field(description="Période de la dernière mesure (null : aucune).")
    derniere_valeur: Decimal | None
    atteinte: bool | None = Field(
        description="La dernière mesure tient-elle la cible ? null : aucune mesure."
    )
    prochaine_periode: date = Field(description="Premier jour de la prochaine période à mesurer.")
    libelle_prochaine_periode: str
    echeance: date = Field(description="Date limite de saisie de la mesure de la prochaine période.")
    due: bool = Field(description="La prochaine période est finie : sa mesure peut et doit être saisie.")
    en_retard: bool = Field(description="La date limite de saisie est passée.")


class IndicateurSortie(Schema):
    id: int
    objectif: str
    intitule: str
    unite: str
    cible: Decimal
    sens: SensT  # type: ignore[valid-type]
    frequence: FrequenceT  # type: ignore[valid-type]
    responsable: int = Field(description="Identifiant de la personne responsable des mesures.")
    responsable_nom: str
    systeme: int | None = Field(description="Système suivi (null : indicateur du programme).")
    systeme_nom: str | None
    modele: str = Field(description="Modèle de départ repris (vide : indicateur libre).")
    source: str
    cree_le: datetime
    archive_le: datetime | None
    suivi: SuiviIndicateurSortie
    version: int = Field(description="À renvoyer avec toute écriture (verrou optimiste).")


class MesureSortie(Schema):
    id: int
    periode: date = Field(description="Premier jour de la période mesurée.")
    libelle_periode: str
    valeur: Decimal
    atteinte: bool = Field(description="La valeur tient-elle la cible ?")
    commentaire: str
    saisie_par: str
    saisie_le: datetime
    version: int = Field(description="À renvoyer avec toute correction (verrou optimiste).")


class IndicateurDetail(IndicateurSortie):
    mesures: list[MesureSortie]


class IndicateurEntree(Corps):
    objectif: Texte(300, obligatoire=True)  # type: ignore[valid-type]
    intitule: Texte(300, obligatoire=True)  # type: ignore[valid-type]
    unite: Texte(40, obligatoire=True)  # type: ignore[valid-type]
    cible: Nombre
    sens: SensT = Field(  # type: ignore[valid-type]
        description="au_moins : atteindre ou dépasser la cible ; au_plus : ne pas la dépasser."
    )
    frequence: FrequenceT  # type: ignore[valid-type]
    responsable: Identifiant = Field(description="Une personne membre de l'organisation (pas externe).")
    systeme: Identifiant | None = Field(None, description="Un système actif de l'organisation, ou null.")
    source: Texte(300) = ""  # type: ignore[valid-type]


class IndicateurModification(Corps):
    """Modification partielle : seuls les champs fournis changent ; `version` est la version lue."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    objectif: Texte(300, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    intitule: Texte(300, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    unite: Texte(40, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    cible: Nombre = OMISSIBLE  # type: ignore[assignment]  # omis : inchangé ; jamais null
    sens: SensT = OMISSIBLE  # type: ignore[valid-type]
    frequence: FrequenceT = OMISSIBLE  # type: ignore[valid-type]
    responsable: Identifiant = OMISSIBLE  # type: ignore[assignment]
    systeme: Identifiant | None = Field(None, description="null : indicateur du programme.")
    source: Texte(300) = OMISSIBLE  # type: ignore[valid-type]


class Archivage(Corps):
    version: VersionLue


class MesureEntree(Corps):
    periode: DateISO = Field(
        description="Une date de la période mesurée (AAAA-MM-JJ), ramenée à son premier jour ; une "
        "période pas encore commencée ou déjà mesurée est refusée (400)."
    )
    valeur: Nombre
    commentaire: Texte(2000) = ""  # type: ignore[valid-type]


class MesureModification(Corps):
    """Correction d'une mesure : sa valeur, son commentaire (seuls ceux fournis changent). La période ne
    se corrige pas : supprimer une mesure n'est pas prévu, saisissez celle de la bonne période."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    valeur: Nombre = OMISSIBLE  # type: ignore[assignment]
    commentaire: Texte(2000) = OMISSIBLE  # type: ignore[valid-type]


def _millieme(valeur: Decimal | float) -> Decimal:
    return Decimal(valeur).quantize(Decimal("0.001"))


def _suivi(s: selectors.Suivi) -> dict[str, Any]:
    return {
        "derniere_periode": s.derniere_periode,
        # Lue par une sous-requête : la base peut la rendre sans ses décimales (« 8 » pour 8,000).
        "derniere_valeur": None if s.derniere_valeur is None else _millieme(s.derniere_valeur),
        "atteinte": s.atteinte,
        "prochaine_periode": s.etat.periode,
        "libelle_prochaine_periode": echeances.libelle_periode(s.etat.periode, s.indicateur.frequence),
        "echeance": s.etat.echeance,
        "due": s.etat.due,
        "en_retard": s.etat.en_retard,
    }


def _indicateur(s: selectors.Suivi) -> dict[str, Any]:
    i = s.indicateur
    return {
        "id": i.pk,
        "objectif": i.objectif,
        "intitule": i.intitule,
        "unite": i.unite,
        "cible": i.cible,
        "sens": i.sens,
        "frequence": i.frequence,
        "responsable": i.responsable_id,
        "responsable_nom": i.responsable.nom_affiche,
        "systeme": i.systeme_id,
        "systeme_nom": i.systeme.nom if i.systeme else None,
        "modele": i.modele,
        "source": i.source,
        "cree_le": i.cree_le,
        "archive_le": i.archive_le,
        "suivi": _suivi(s),
        "version": i.version,
    }


def _mesure(i: Indicateur, m: Mesure) -> dict[str, Any]:
    return {
        "id": m.pk,
        "periode": m.periode,
        "libelle_periode": echeances.libelle_periode(m.periode, i.frequence),
        "valeur": m.valeur,
        "atteinte": echeances.atteinte(m.valeur, i.cible, i.sens),
        "commentaire": m.commentaire,
        "saisie_par": m.saisie_par.nom_affiche,
        "saisie_le": m.saisie_le,
        "version": m.version,
    }


def _lire(adhesion: Adhesion, pk: int) -> Indicateur:
    """L'indicateur `pk` de l'organisation (archivé compris, comme la page), introuvable sinon."""
    qs = Indicateur.objects.filter(organisation=adhesion.organisation).select_related(
        "systeme", "responsable"
    )
    return get_object_or_404(qs, pk=pk)


def _detail(indicateur: Indicateur) -> dict[str, Any]:
    annote = selectors.avec_derniere(
        Indicateur.objects.filter(pk=indicateur.pk).select_related("systeme", "responsable")
    ).get()
    return {
        **_indicateur(selectors.suivi(annote, timezone.localdate())),
        "mesures": [_mesure(annote, m) for m in selectors.mesures(annote)],
    }


def _actif(adhesion: Adhesion, pk: int) -> Indicateur:
    indicateur = _lire(adhesion, pk)
    if indicateur.archive_le is not None:
        raise ValidationError("Cet indicateur est archivé : il ne se modifie plus.")
    return indicateur


def _saisissable(request: Any, slug: str, pk: int) -> tuple[Adhesion, Indicateur]:
    """L'indicateur dont la personne peut saisir et corriger les mesures (droits.peut_saisir)."""
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    indicateur = _lire(adhesion, pk)
    if not droits.peut_saisir(adhesion.role, request.auth.pk, indicateur):
        raise PermissionDenied("Votre rôle dans cette organisation ne permet pas cette action.")
    return adhesion, indicateur


@routeur.get(
    "/{slug}/indicateurs",
    response={200: list[IndicateurSortie], **ERREURS},
    summary="Lister les indicateurs et leur suivi",
    description="Les indicateurs actifs (programme et systèmes), chacun avec sa dernière mesure, la "
    "prochaine période à mesurer, sa date limite, s'il est en retard et si la cible est tenue.",
)
def lister(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_indicateur(s) for s in selectors.liste(adhesion.organisation, timezone.localdate())]


@routeur.get(
    "/{slug}/indicateurs/{pk}",
    response={200: IndicateurDetail, **ERREURS},
    summary="Lire un indicateur, son suivi et ses mesures",
)
def lire(request: Any, slug: str, pk: int) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _detail(_lire(adhesion, pk))


@routeur.post(
    "/{slug}/indicateurs",
    response={201: IndicateurDetail, **ERREURS_ECRITURE},
    summary="Créer un indicateur",
    description="Un responsable qui n'est pas membre de l'organisation, un système inconnu ou archivé : "
    "400, rien n'est écrit.",
)
def creer(request: Any, slug: str, corps: IndicateurEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    indicateur = services.creer_indicateur(adhesion.organisation, corps.dict(), request.auth)
    return 201, _detail(indicateur)


@routeur.patch(
    "/{slug}/indicateurs/{pk}",
    response={200: IndicateurDetail, **ERREURS_ECRITURE},
    summary="Modifier un indicateur",
    description="Seuls les champs fournis changent ; `version` est la version lue (périmée : 409). Un "
    "indicateur archivé ne se modifie plus (400).",
)
def modifier(request: Any, slug: str, pk: int, corps: IndicateurModification) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    i = _actif(adhesion, pk)
    # Le service attend la fiche entière : les champs omis gardent leur valeur. S'ils changent
    # entre-temps, la version change aussi, et le service refuse l'écriture (409).
    donnees = {
        "objectif": i.objectif,
        "intitule": i.intitule,
        "unite": i.unite,
        "cible": i.cible,
        "sens": i.sens,
        "frequence": i.frequence,
        "responsable": i.responsable_id,
        "systeme": i.systeme_id,
        "source": i.source,
        **corps.dict(exclude_unset=True, exclude={"version"}),
    }
    try:
        services.modifier_indicateur(adhesion.organisation, i.pk, donnees, request.auth, corps.version)
    except Indicateur.DoesNotExist:  # archivé entre la lecture et le verrou
        raise Http404 from None
    return _detail(i)


@routeur.post(
    "/{slug}/indicateurs/{pk}/archivage",
    response={200: IndicateurDetail, **ERREURS_ECRITURE},
    summary="Archiver un indicateur",
    description="L'indicateur quitte la liste et ne reçoit plus de mesure ; ses mesures restent lisibles. "
    "`version` est la version lue (périmée : 409).",
)
def archiver(request: Any, slug: str, pk: int, corps: Archivage) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    i = _actif(adhesion, pk)
    try:
        services.archiver_indicateur(adhesion.organisation, i.pk, request.auth, corps.version)
    except Indicateur.DoesNotExist:
        raise Http404 from None
    return _detail(i)


@routeur.post(
    "/{slug}/indicateurs/{pk}/mesures",
    response={201: MesureSortie, **ERREURS_ECRITURE},
    summary="Saisir la mesure d'une période",
    description="Pilotage du programme, ou personne responsable de l'indicateur. Une période pas encore "
    "commencée, déjà mesurée, ou un indicateur archivé : 400, rien n'est écrit.",
)
def saisir(request: Any, slug: str, pk: int, corps: MesureEntree) -> tuple[int, dict[str, Any]]:
    _, indicateur = _saisissable(request, slug, pk)
    mesure = services.enregistrer_mesure(indicateur, corps.dict(), request.auth)
    return 201, _mesure(indicateur, mesure)


@routeur.patch(
    "/{slug}/indicateurs/{pk}/mesures/{mesure_pk}",
    response={200: MesureSortie, **ERREURS_ECRITURE},
    summary="Corriger une mesure",
    description="Sa valeur ou son commentaire ; `version` est la version lue de la mesure (périmée : 409).",
)
def corriger(request: Any, slug: str, pk: int, mesure_pk: int, corps: MesureModification) -> dict[str, Any]:
    _, indicateur = _saisissable(request, slug, pk)
    mesure = get_object_or_404(Mesure.objects.filter(indicateur=indicateur), pk=mesure_pk)
    donnees = {
        "valeur": mesure.valeur,
        "commentaire": mesure.commentaire,
        **corps.dict(exclude_unset=True, exclude={"version"}),
    }
    mesure = services.modifier_mesure(mesure.pk, indicateur, donnees, request.auth, corps.version)
    return _mesure(indicateur, Mesure.objects.select_related("saisie_par").get(pk=mesure.pk))
