"""API des votes, avis, décisions et conditions : exactement les droits des pages (gouvernance/vues_avis.py).

- lire un point, ses votes, son décompte et son avis : qui voit l'instance (membre de l'organisation,
  ou membre externe qui y siège) ;
- voter : un membre à voix délibérative de l'instance, tant que l'avis n'est pas rendu ;
- rendre ou corriger un avis, décider sur un point : la présidence, le secrétariat ou qui a GOUVERNER ;
- décider directement sur un système (délibération de l'assemblée) : GOUVERNER ;
- lire décisions et conditions : VOIR_REGISTRE ; faire avancer une condition : son responsable,
  GOUVERNER ou QUALIFIER.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BeforeValidator, ConfigDict

from balise.comptes.models import Utilisateur
from balise.gouvernance import droits, selectors_avis, services_avis
from balise.gouvernance.models import Avis, Condition, Decision, Instance, Vote
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.registre import selectors as registre
from balise.registre.models import Document

from .schemas import (
    OMISSIBLE,
    Corps,
    DateISO,
    Erreur,
    ErreurValidation,
    PaginationBornee,
    Texte,
    VersionLue,
    _entier,
    sans_defaut_nul,
)
from .schemas import ConflitSortie as _Conflit

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: _Conflit, 413: Erreur}

routeur = Router(tags=["Gouvernance : avis, décisions, conditions"])

SensVoteT = Literal[tuple(Vote.Sens.values)]  # type: ignore[valid-type]
SensAvisT = Literal[tuple(Avis.Sens.values)]  # type: ignore[valid-type]
SensDecisionT = Literal[tuple(Decision.Sens.values)]  # type: ignore[valid-type]
StatutConditionT = Literal[tuple(Condition.Statut.values)]  # type: ignore[valid-type]
# Un identifiant : un entier (195.0 en est un pour JSON Schema, comme pour `VersionLue`).
Identifiant = Annotated[int, Field(ge=1, le=2_000_000_000), BeforeValidator(_entier)]


# --- Schémas -----------------------------------------------------------------------------------------


class ConditionEntree(Corps):
    intitule: Texte(1000, obligatoire=True)  # type: ignore[valid-type]
    echeance: DateISO
    responsable_id: Identifiant = Field(
        None, description="Une personne de l'organisation du système (pas un membre externe)."
    )
    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)


class VoteEntree(Corps):
    """Un premier vote n'a pas de version ; changer son vote exige la version lue (409 sinon)."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    vote: SensVoteT
    opinion: Texte(10_000) = ""  # type: ignore[valid-type]
    version: VersionLue = OMISSIBLE


class AvisEntree(Corps):
    """« favorable_reserves » exige au moins une réserve ; les autres avis n'en portent pas (400)."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    avis: SensAvisT
    motifs: Texte(20_000, obligatoire=True)  # type: ignore[valid-type]
    opinions_divergentes: Texte(20_000) = ""  # type: ignore[valid-type]
    public: bool = Field(None, description="Par défaut : la règle de publication de l'instance.")
    reserves: list[ConditionEntree] = Field([], max_length=20)


class AvisCorrection(Corps):
    """Correction d'un avis rendu : seuls les champs fournis changent ; des réserves peuvent s'ajouter."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    version: VersionLue
    avis: SensAvisT = OMISSIBLE
    motifs: Texte(20_000, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    opinions_divergentes: Texte(20_000) = OMISSIBLE  # type: ignore[valid-type]
    public: bool = OMISSIBLE
    reserves: list[ConditionEntree] = Field([], max_length=20)


class DecisionEntree(Corps):
    """Une date de délibération va avec son numéro (400 sinon)."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    decision: SensDecisionT
    motifs: Texte(20_000, obligatoire=True)  # type: ignore[valid-type]
    decidee_le: DateISO = OMISSIBLE
    deliberation_numero: Texte(60) = ""  # type: ignore[valid-type]
    deliberation_date: DateISO = OMISSIBLE
    public: bool = False
    conditions: list[ConditionEntree] = Field([], max_length=20)


class DecisionCorrection(Corps):
    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    version: VersionLue
    decision: SensDecisionT = OMISSIBLE
    motifs: Texte(20_000, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    decidee_le: DateISO = OMISSIBLE
    deliberation_numero: Texte(60) = OMISSIBLE  # type: ignore[valid-type]
    deliberation_date: DateISO | None = None
    public: bool = OMISSIBLE
    conditions: list[ConditionEntree] = Field([], max_length=20)


class ConditionModification(Corps):
    """Seuls les champs fournis changent ; `null` retire le responsable ou le document de preuve. Une
    condition levée porte sa preuve (document du système ou lien) ; sans objet, un commentaire (400)."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)
    version: VersionLue
    statut: StatutConditionT = OMISSIBLE
    echeance: DateISO = OMISSIBLE
    responsable_id: Identifiant | None = None
    preuve_document_id: Identifiant | None = None
    preuve_lien: Texte(500) = OMISSIBLE  # type: ignore[valid-type]
    commentaire: Texte(4000) = OMISSIBLE  # type: ignore[valid-type]


class VoteSortie(Schema):
    id: int
    membre: str
    college: str | None
    vote: str
    opinion: str
    le: datetime
    version: int


class CompteSortie(Schema):
    college: str
    pour: int
    contre: int
    abstention: int


class DecompteSortie(Schema):
    regle: str
    colleges: list[CompteSortie]
    total: CompteSortie
    issue: str
    libelle: str


class ConditionSortie(Schema):
    id: int
    systeme_id: int
    avis_id: int | None
    decision_id: int | None
    intitule: str
    responsable_id: int | None
    echeance: date
    statut: str
    en_retard: bool
    preuve_document_id: int | None
    preuve_lien: str
    commentaire: str
    version: int


class AvisSortie(Schema):
    id: int
    point_id: int
    avis: str
    motifs: str
    opinions_divergentes: str
    public: bool
    rendu_le: datetime
    version: int
    conditions: list[ConditionSortie]


class PointAvisSortie(Schema):
    id: int
    titre: str
    nature: str
    instance: str
    regle_vote: str
    systeme_id: int | None
    votes: list[VoteSortie]
    decompte: DecompteSortie
    avis: AvisSortie | None


class DecisionSortie(Schema):
    id: int
    systeme_id: int
    instance_id: int | None
    point_id: int | None
    decision: str
    motifs: str
    decidee_le: date
    deliberation_numero: str
    deliberation_date: date | None
    public: bool
    version: int
    conditions: list[ConditionSortie]


class FiltresConditions(Schema):
    filtre: Literal[tuple(selectors_avis.FILTRES_CONDITIONS)] = "en_attente"  # type: ignore[valid-type]
    responsable_id: Identifiant = OMISSIBLE


# --- Conversions -------------------------------------------------------------------------------------


def _condition(c: Condition, aujourd_hui: date) -> dict:
    en_retard = getattr(c, "en_retard", None)
    if en_retard is None:
        en_retard = c.echeance < aujourd_hui and c.statut not in Condition.TERMINES
    return {
        "id": c.pk,
        "systeme_id": c.systeme_id,
        "avis_id": c.avis_id,
        "decision_id": c.decision_id,
        "intitule": c.intitule,
        "responsable_id": c.responsable_id,
        "echeance": c.echeance,
        "statut": c.statut,
        "en_retard": bool(en_retard),
        "preuve_document_id": c.preuve_document_id,
        "preuve_lien": c.preuve_lien,
        "commentaire": c.commentaire,
        "version": c.version,
    }


def _conditions(qs) -> list[dict]:
    aujourd_hui = timezone.localdate()
    return [_condition(c, aujourd_hui) for c in qs.avec_retard(aujourd_hui).order_by("echeance", "pk")]


def _avis(a: Avis) -> dict:
    return {
        "id": a.pk,
        "point_id": a.point_id,
        "avis": a.sens,
        "motifs": a.motifs,
        "opinions_divergentes": a.opinions_divergentes,
        "public": a.public,
        "rendu_le": a.rendu_le,
        "version": a.version,
        "conditions": _conditions(Condition.objects.filter(avis=a)),
    }


def _decision(d: Decision) -> dict:
    return {
        "id": d.pk,
        "systeme_id": d.systeme_id,
        "instance_id": d.instance_id,
        "point_id": d.point_id,
        "decision": d.sens,
        "motifs": d.motifs,
        "decidee_le": d.decidee_le,
        "deliberation_numero": d.deliberation_numero,
        "deliberation_date": d.deliberation_date,
        "public": d.public,
        "version": d.version,
        "conditions": _conditions(Condition.objects.filter(decision=d)),
    }


def _vote(v: Vote) -> dict:
    return {
        "id": v.pk,
        "membre": v.membre.utilisateur.nom_affiche,
        "college": v.membre.college.nom if v.membre.college else None,
        "vote": v.sens,
        "opinion": v.opinion,
        "le": v.le,
        "version": v.version,
    }


def _compte(nom, c) -> dict:
    return {"college": nom, "pour": c.pour, "contre": c.contre, "abstention": c.abstention}


def _nouvelles(organisation, entrees: list[ConditionEntree]) -> list[services_avis.NouvelleCondition]:
    personnes = selectors_avis.personnes(organisation).in_bulk(
        [e.responsable_id for e in entrees if e.responsable_id]
    )
    resultat = []
    for e in entrees:
        responsable = personnes.get(e.responsable_id) if e.responsable_id else None
        if e.responsable_id and responsable is None:
            raise ValidationError(
                "Le responsable d'une condition doit être une personne de l'organisation du système."
            )
        resultat.append(services_avis.NouvelleCondition(e.intitule, responsable, e.echeance))
    return resultat


def _point(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.SIEGER)
    point = selectors_avis.point(adhesion.organisation, pk)
    if not droits.peut_voir(adhesion, point.seance.instance):
        raise PermissionDenied("Vous ne siégez pas dans cette instance.")
    return adhesion, point


def _instruire(adhesion, instance: Instance) -> None:
    if not droits.peut_instruire(adhesion, instance):
        raise PermissionDenied(
            "Seuls la présidence, le secrétariat de l'instance ou qui gouverne consignent l'avis."
        )


# --- Points, votes, avis -----------------------------------------------------------------------------


@routeur.get(
    "/{slug}/points/{pk}",
    response={200: PointAvisSortie, **ERREURS},
    summary="Lire un point, ses votes et son avis",
)
def lire_point(request, slug: str, pk: int):
    _, point = _point(request, slug, pk)
    votes = selectors_avis.votes(point)
    d = selectors_avis.decompte_du_point(point, votes)
    avis = selectors_avis.avis_du_point(point)
    return {
        "id": point.pk,
        "titre": point.titre,
        "nature": point.nature,
        "instance": point.seance.instance.nom,
        "regle_vote": point.seance.instance.regle_vote,
        "systeme_id": point.systeme_id,
        "votes": [_vote(v) for v in votes],
        "decompte": {
            "regle": d.regle,
            "colleges": [_compte(n, c) for n, c in d.par_college],
            "total": _compte("Total", d.total),
            "issue": d.issue.value,
            "libelle": d.libelle,
        },
        "avis": _avis(avis) if avis else None,
    }


@routeur.post(
    "/{slug}/points/{pk}/vote",
    response={200: VoteSortie, **ERREURS_ECRITURE},
    summary="Voter ou changer son vote",
)
def voter(request, slug: str, pk: int, corps: VoteEntree):
    adhesion, point = _point(request, slug, pk)
    if droits.peut_voter(adhesion, point.seance.instance) is None:
        raise PermissionDenied("Vous ne votez pas dans cette instance (siège à voix délibérative requis).")
    vote = services_avis.voter(point, adhesion, corps.vote, corps.opinion, corps.version, request.auth)
    return _vote(Vote.objects.select_related("membre__utilisateur", "membre__college").get(pk=vote.pk))


@routeur.post(
    "/{slug}/points/{pk}/avis",
    response={201: AvisSortie, **ERREURS_ECRITURE},
    summary="Rendre l'avis sur un point",
)
def rendre_avis(request, slug: str, pk: int, corps: AvisEntree):
    adhesion, point = _point(request, slug, pk)
    _instruire(adhesion, point.seance.instance)
    donnees = {
        "sens": corps.avis,
        "motifs": corps.motifs,
        "opinions_divergentes": corps.opinions_divergentes,
        "public": corps.public,
    }
    avis = services_avis.rendre_avis(
        point, donnees, _nouvelles(point.organisation, corps.reserves), request.auth
    )
    return 201, _avis(avis)


def _avis_lu(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.SIEGER)
    avis = selectors_avis.avis(adhesion.organisation, pk)
    if not droits.peut_voir(adhesion, avis.point.seance.instance):
        raise PermissionDenied("Vous ne siégez pas dans cette instance.")
    return adhesion, avis


@routeur.get("/{slug}/avis/{pk}", response={200: AvisSortie, **ERREURS}, summary="Lire un avis")
def lire_avis(request, slug: str, pk: int):
    return _avis(_avis_lu(request, slug, pk)[1])


@routeur.patch(
    "/{slug}/avis/{pk}", response={200: AvisSortie, **ERREURS_ECRITURE}, summary="Corriger un avis"
)
def corriger_avis(request, slug: str, pk: int, corps: AvisCorrection):
    adhesion, avis = _avis_lu(request, slug, pk)
    _instruire(adhesion, avis.point.seance.instance)
    fournis = corps.dict(exclude_unset=True)
    donnees = {
        "sens": fournis.get("avis", avis.sens),
        "motifs": fournis.get("motifs", avis.motifs),
        "opinions_divergentes": fournis.get("opinions_divergentes", avis.opinions_divergentes),
        "public": fournis.get("public"),
    }
    reserves = _nouvelles(avis.point.organisation, corps.reserves)
    return _avis(services_avis.corriger_avis(avis.pk, donnees, reserves, corps.version, request.auth))


# --- Décisions ---------------------------------------------------------------------------------------


def _donnees_decision(corps: DecisionEntree) -> dict:
    return {
        "sens": corps.decision,
        "motifs": corps.motifs,
        "decidee_le": corps.decidee_le,
        "deliberation_numero": corps.deliberation_numero,
        "deliberation_date": corps.deliberation_date,
        "public": corps.public,
    }


@routeur.post(
    "/{slug}/points/{pk}/decision",
    response={201: DecisionSortie, **ERREURS_ECRITURE},
    summary="Décider sur un point (instance décisionnelle)",
    description="Une instance consultative rend des avis et ne décide pas : 400.",
)
def decider_sur_point(request, slug: str, pk: int, corps: DecisionEntree):
    adhesion, point = _point(request, slug, pk)
    _instruire(adhesion, point.seance.instance)
    if point.systeme is None:
        raise ValidationError("Ce point ne porte sur aucun système : aucune décision à y consigner.")
    decision = services_avis.prendre_decision(
        point.systeme,
        _donnees_decision(corps),
        _nouvelles(point.organisation, corps.conditions),
        request.auth,
        point=point,
    )
    return 201, _decision(decision)


@routeur.get(
    "/{slug}/systemes/{pk}/decisions",
    response={200: list[DecisionSortie], **ERREURS},
    summary="Décisions sur un système",
)
def decisions_du_systeme(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    systeme = registre.systeme(adhesion.organisation, pk)
    return [_decision(d) for d in Decision.objects.filter(systeme=systeme).order_by("decidee_le", "pk")]


@routeur.post(
    "/{slug}/systemes/{pk}/decisions",
    response={201: DecisionSortie, **ERREURS_ECRITURE},
    summary="Enregistrer une décision directe (délibération)",
    description="Une décision ne change pas le stade du système ; le passage de stade a sa propre opération.",
)
def decider(request, slug: str, pk: int, corps: DecisionEntree):
    adhesion = acces.exiger(request.auth, slug, Permission.GOUVERNER)
    systeme = registre.systeme(adhesion.organisation, pk, False)
    decision = services_avis.prendre_decision(
        systeme, _donnees_decision(corps), _nouvelles(adhesion.organisation, corps.conditions), request.auth
    )
    return 201, _decision(decision)


@routeur.get("/{slug}/decisions/{pk}", response={200: DecisionSortie, **ERREURS}, summary="Lire une décision")
def lire_decision(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _decision(selectors_avis.decision(adhesion.organisation, pk))


@routeur.patch(
    "/{slug}/decisions/{pk}",
    response={200: DecisionSortie, **ERREURS_ECRITURE},
    summary="Corriger une décision",
)
def corriger_decision(request, slug: str, pk: int, corps: DecisionCorrection):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    d = selectors_avis.decision(adhesion.organisation, pk)
    if not peut(adhesion.role, Permission.GOUVERNER) and not (
        d.instance is not None and droits.peut_instruire(adhesion, d.instance)
    ):
        raise PermissionDenied("Votre rôle ne permet pas de corriger cette décision.")
    fournis = corps.dict(exclude_unset=True)
    donnees = {
        "sens": fournis.get("decision", d.sens),
        "motifs": fournis.get("motifs", d.motifs),
        "decidee_le": fournis.get("decidee_le", d.decidee_le),
        "deliberation_numero": fournis.get("deliberation_numero", d.deliberation_numero),
        "deliberation_date": fournis.get("deliberation_date", d.deliberation_date),
        "public": fournis.get("public", d.public),
    }
    conditions = _nouvelles(adhesion.organisation, corps.conditions)
    return _decision(services_avis.corriger_decision(d.pk, donnees, conditions, corps.version, request.auth))


# --- Conditions --------------------------------------------------------------------------------------


@routeur.get(
    "/{slug}/conditions", response={200: list[ConditionSortie], **ERREURS}, summary="Lister les conditions"
)
@paginate(PaginationBornee)
def lister_conditions(request, slug: str, filtres: Query[FiltresConditions]):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    aujourd_hui = timezone.localdate()
    qs = selectors_avis.conditions(adhesion.organisation, aujourd_hui, filtres.filtre, filtres.responsable_id)
    return [_condition(c, aujourd_hui) for c in qs]


@routeur.get(
    "/{slug}/conditions/{pk}", response={200: ConditionSortie, **ERREURS}, summary="Lire une condition"
)
def lire_condition(request, slug: str, pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    aujourd_hui = timezone.localdate()
    return _condition(selectors_avis.condition(adhesion.organisation, pk, aujourd_hui), aujourd_hui)


@routeur.patch(
    "/{slug}/conditions/{pk}",
    response={200: ConditionSortie, **ERREURS_ECRITURE},
    summary="Faire avancer une condition",
)
def modifier_condition(request, slug: str, pk: int, corps: ConditionModification):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    aujourd_hui = timezone.localdate()
    c = selectors_avis.condition(adhesion.organisation, pk, aujourd_hui)
    if not services_avis.peut_suivre(adhesion, c):
        raise PermissionDenied(
            "Seuls le responsable de la condition, qui gouverne ou qui qualifie la font avancer."
        )
    fournis = corps.dict(exclude_unset=True, exclude={"version"})
    donnees: dict = {
        k: v for k, v in fournis.items() if k in ("statut", "echeance", "preuve_lien", "commentaire")
    }
    if "responsable_id" in fournis:
        donnees["responsable"] = (
            Utilisateur.objects.filter(pk=fournis["responsable_id"]).first()
            if fournis["responsable_id"]
            else None
        )
        if fournis["responsable_id"] and donnees["responsable"] is None:
            raise ValidationError(
                "Le responsable d'une condition doit être une personne de l'organisation du système."
            )
    if "preuve_document_id" in fournis:
        document = None
        if fournis["preuve_document_id"]:
            document = Document.objects.filter(
                pk=fournis["preuve_document_id"], systeme_id=c.systeme_id
            ).first()
            if document is None:
                raise ValidationError("La preuve doit être un document (non archivé) de ce système.")
        donnees["preuve_document"] = document
    modifiee = services_avis.modifier_condition(c.pk, donnees, corps.version, request.auth)
    return _condition(selectors_avis.condition(adhesion.organisation, modifiee.pk, aujourd_hui), aujourd_hui)
