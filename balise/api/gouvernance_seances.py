"""API des séances des instances : lire les séances, leur ordre du jour et leurs présences ; programmer
une séance, inscrire un point, convoquer. Mêmes droits que les pages (gouvernance/droits.py) : lire
demande de voir l'instance (un membre externe ne voit que celles où il siège, sinon 404) ; écrire,
de l'instruire (GOUVERNER, ou président ou secrétaire de l'instance, sinon 403)."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from ninja import Field, Router, Schema
from pydantic import BeforeValidator

from balise.gouvernance import droits
from balise.gouvernance import selectors_seances as selectors
from balise.gouvernance import services_seances as services
from balise.gouvernance.models import Point, Seance
from balise.organisations import acces
from balise.organisations.roles import Permission

from .schemas import ConflitSortie, Corps, Erreur, ErreurValidation, StadeT, Texte, VersionLue, _entier

routeur = Router(tags=["Séances des instances"])

ERREURS = {401: Erreur, 403: Erreur, 404: Erreur, 422: ErreurValidation}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

StatutT = Literal[tuple(Seance.Statut.values)]  # type: ignore[valid-type]
NatureT = Literal[tuple(Point.Nature.values)]  # type: ignore[valid-type]
DateHeure = Annotated[
    datetime,
    Field(
        strict=False,
        description="Date et heure ISO 8601 avec fuseau (ex. 2031-03-10T14:00:00+01:00), entre 2000 et 2100.",
    ),
]
Identifiant = Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_entier)]
Duree = Annotated[
    int, Field(ge=1, le=services.DUREE_MAX, description="Durée en minutes."), BeforeValidator(_entier)
]


class SeanceEntree(Corps):
    debut: DateHeure
    duree_minutes: Duree = 120
    lieu: Texte(300) = Field("", description="Lieu ou lien de visioconférence.")  # type: ignore[valid-type]


class PointEntree(Corps):
    nature: NatureT = Field(
        ...,
        description="porte : système à un passage de stade (systeme, stade_vise) ; evaluation ; "
        "qualification ; charte (version_charte : une version brouillon ou soumise de la charte, qui "
        "devient soumise) ; libre (titre obligatoire).",
    )
    systeme: Identifiant | None = None
    stade_vise: StadeT | None = None
    evaluation: Identifiant | None = None
    qualification: Identifiant | None = None
    version_charte: Identifiant | None = None
    titre: Texte(300) = ""  # type: ignore[valid-type]
    description: Texte(10_000) = ""  # type: ignore[valid-type]


class Convocation(Corps):
    version: VersionLue


class SeanceSortie(Schema):
    id: int
    instance: int
    instance_nom: str
    debut: datetime
    duree_minutes: int
    lieu: str
    statut: StatutT
    uid: UUID = Field(..., description="Identifiant stable de l'invitation iCalendar (UID).")
    convoquee_le: datetime | None
    motif_annulation: str
    pv_approuve_le: datetime | None
    version: int


class PointSortie(Schema):
    id: int
    ordre: int
    nature: NatureT
    titre: str
    description: str
    systeme: int | None
    stade_vise: str
    evaluation: int | None
    qualification: int | None
    version_charte: int | None = None
    dossier_fige_le: datetime | None
    dossier: str | None = Field(
        ..., description="Adresse du dossier figé à la convocation (PDF), s'il l'est."
    )


class PresenceSortie(Schema):
    membre: int
    nom: str
    fonction: str
    votant: bool
    presence: Literal["present", "excuse", "absent", ""] = Field(..., description="Vide : non renseignée.")


class QuorumSortie(Schema):
    atteint: bool
    presents: int
    votants: int
    pourcent_requis: int
    texte: str


class SeanceDetail(SeanceSortie):
    points: list[PointSortie]
    presences: list[PresenceSortie]
    quorum: QuorumSortie


class TravailSortie(Schema):
    id: int
    nature: str
    etat: str
    etape: str


def _seance_json(s: Seance) -> dict:
    return {
        "id": s.pk,
        "instance": s.instance_id,
        "instance_nom": s.instance.nom,
        "debut": s.debut,
        "duree_minutes": s.duree_minutes,
        "lieu": s.lieu,
        "statut": s.statut,
        "uid": s.uid,
        "convoquee_le": s.convoquee_le,
        "motif_annulation": s.motif_annulation,
        "pv_approuve_le": s.pv_approuve_le,
        "version": s.version,
    }


def _point_json(slug: str, p: Point) -> dict:
    dossier = (
        reverse("gouvernance:seance_point_dossier", args=[slug, p.seance_id, p.pk]) if p.dossier else None
    )
    return {
        "id": p.pk,
        "ordre": p.ordre,
        "nature": p.nature,
        "titre": p.titre,
        "description": p.description,
        "systeme": p.systeme_id,
        "stade_vise": p.stade_vise,
        "evaluation": p.evaluation_id,
        "qualification": p.qualification_id,
        "version_charte": p.version_charte_id,
        "dossier_fige_le": p.dossier_fige_le,
        "dossier": dossier,
    }


def _adhesion(request, slug: str):
    return acces.exiger(request.auth, slug, Permission.SIEGER)


def _instruire(adhesion, instance) -> None:
    if not droits.peut_instruire(adhesion, instance):
        raise PermissionDenied(
            "Seuls la gouvernance, le président ou le secrétaire de l'instance l'instruisent."
        )


@routeur.get(
    "/{slug}/instances/{instance_pk}/seances",
    response={200: list[SeanceSortie], **ERREURS},
    summary="Lister les séances d'une instance",
)
def lister(request, slug: str, instance_pk: int):
    adhesion = _adhesion(request, slug)
    instance = selectors.instance_visible(adhesion, instance_pk)
    s = selectors.seances(instance)
    return [_seance_json(x) for x in [*s.a_venir, *s.passees]]


@routeur.post(
    "/{slug}/instances/{instance_pk}/seances",
    response={201: SeanceSortie, **ERREURS_ECRITURE},
    summary="Programmer une séance",
)
def programmer(request, slug: str, instance_pk: int, corps: SeanceEntree):
    adhesion = _adhesion(request, slug)
    instance = selectors.instance_visible(adhesion, instance_pk)
    _instruire(adhesion, instance)
    seance = services.programmer(instance, corps.debut, corps.duree_minutes, corps.lieu, request.auth)
    return 201, _seance_json(seance)


@routeur.get(
    "/{slug}/seances/{pk}",
    response={200: SeanceDetail, **ERREURS},
    summary="Lire une séance : ordre du jour, présences, quorum",
)
def lire(request, slug: str, pk: int):
    adhesion = _adhesion(request, slug)
    seance = selectors.seance_visible(adhesion, pk)
    feuille = selectors.feuille(seance)
    q = selectors.quorum_de(seance, feuille)
    return {
        **_seance_json(seance),
        "points": [_point_json(slug, p) for p in selectors.points(seance)],
        "presences": [
            {
                "membre": ligne.membre.pk,
                "nom": ligne.membre.utilisateur.nom_affiche,
                "fonction": ligne.membre.fonction,
                "votant": ligne.membre.votant,
                "presence": ligne.etat,
            }
            for ligne in feuille
        ],
        "quorum": {
            "atteint": q.atteint,
            "presents": q.presents,
            "votants": q.votants,
            "pourcent_requis": q.pourcent_requis,
            "texte": q.texte,
        },
    }


@routeur.post(
    "/{slug}/seances/{pk}/points",
    response={201: PointSortie, **ERREURS_ECRITURE},
    summary="Inscrire un point à l'ordre du jour",
    description="Seuls des objets du registre de l'organisation de l'instance s'inscrivent ; un système "
    "archivé, un stade visé impossible depuis le stade actuel, un point libre sans intitulé sont refusés "
    "(400). Une séance tenue ou annulée ne change plus d'ordre du jour (409).",
)
def ajouter_point(request, slug: str, pk: int, corps: PointEntree):
    adhesion = _adhesion(request, slug)
    seance = selectors.seance_visible(adhesion, pk)
    _instruire(adhesion, seance.instance)
    point = services.ajouter_point(
        seance.pk,
        corps.nature,
        request.auth,
        systeme=corps.systeme,
        stade_vise=corps.stade_vise or "",
        evaluation=corps.evaluation,
        qualification=corps.qualification,
        version_charte=corps.version_charte,
        titre=corps.titre,
        description=corps.description,
    )
    return 201, _point_json(slug, point)


@routeur.post(
    "/{slug}/seances/{pk}/convocation",
    response={202: TravailSortie, **ERREURS_ECRITURE},
    summary="Convoquer les membres",
    description="Lance le travail de fond qui fige le dossier de chaque point puis envoie à chaque membre "
    "son courriel et son invitation iCalendar. Refusée (409) sans point à l'ordre du jour, sans membre, "
    "pour une séance tenue ou annulée, ou si une convocation est déjà en cours.",
)
def convoquer(request, slug: str, pk: int, corps: Convocation):
    adhesion = _adhesion(request, slug)
    seance = selectors.seance_visible(adhesion, pk)
    _instruire(adhesion, seance.instance)
    adresse = request.build_absolute_uri(reverse("gouvernance:seance", args=[slug, seance.pk]))
    travail = services.convoquer(seance.pk, corps.version, request.auth, adresse)
    return 202, {"id": travail.pk, "nature": travail.nature, "etat": travail.etat, "etape": travail.etape}
