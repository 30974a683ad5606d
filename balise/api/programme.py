"""API du programme : étapes et leur état, actions de la feuille de route (lecture, création,
modification sous verrou optimiste), actions de sensibilisation, notes de veille. Mêmes droits que les
pages (balise/programme/vues_programme.py) : lire, toute personne qui voit le registre ; écrire,
PILOTER_PROGRAMME.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from balise.comptes.models import Utilisateur
from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.programme import referentiel, selectors, services
from balise.programme.models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation

from .schemas import (
    OMISSIBLE,
    ConflitSortie,
    Corps,
    DateISO,
    Erreur,
    ErreurValidation,
    Montant,
    Texte,
    VersionLue,
    _entier,
    sans_defaut_nul,
)

routeur = Router(tags=["Programme : étapes, feuille de route, sensibilisation, veille"])

ERREURS = {401: Erreur, 422: ErreurValidation, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

_REF = referentiel.en_vigueur()
EtapeT = Literal[tuple(e.id for e in _REF.etapes)]  # type: ignore[valid-type]
FormatT = Literal[tuple(f.id for f in _REF.formats)]  # type: ignore[valid-type]
EtatEtapeT = Literal[tuple(EtatEtape.Etat.values)]  # type: ignore[valid-type]
EtatActionT = Literal[tuple(Action.Etat.values)]  # type: ignore[valid-type]
PrioriteT = Literal[tuple(Action.Priorite.values)]  # type: ignore[valid-type]
PublicT = Literal[tuple(Participants.Public.values)]  # type: ignore[valid-type]
MesureT = Literal["taux", "note"]
Identifiant = Annotated[int, Field(ge=1, le=2_000_000_000), BeforeValidator(_entier)]
Nombre = Annotated[int, Field(ge=0, le=services.PARTICIPANTS_AU_PLUS), BeforeValidator(_entier)]
VersionEtape = Annotated[
    int,
    Field(ge=0, le=2_000_000_000, description="La version lue de l'étape (0 : jamais renseignée)."),
    BeforeValidator(_entier),
]
# Une date AAAA-MM-JJ ; sa vraisemblance (entre 2000 et 2100) est vérifiée par le service (400).
Jour = DateISO
# Un nombre positif (ou une chaîne de chiffres) : son plafond et ses décimales sont vérifiés par le
# service (400, message en français), comme pour les pages.
_NOMBRE = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
Nombre_decimal = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": _NOMBRE}]}),
]
Etp = Nombre_decimal
Appropriation = Nombre_decimal


# --- Étapes -----------------------------------------------------------------------------------------


class EtapeSortie(Schema):
    id: str
    numero: int
    titre: str
    description: str
    sources: list[str]
    etat: EtatEtapeT  # type: ignore[valid-type]
    commentaire: str
    version: int = Field(description="0 : l'étape n'a jamais été renseignée.")


class EtapeModification(Corps):
    """`etat` et `commentaire` : ceux qui sont fournis changent ; `version` est celle lue."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionEtape
    etat: EtatEtapeT = OMISSIBLE  # type: ignore[valid-type]
    commentaire: Texte(services.LONGUEUR_TEXTE) = OMISSIBLE  # type: ignore[valid-type]


def _etapes(organisation: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": e.etape.id,
            "numero": e.etape.numero,
            "titre": e.etape.titre,
            "description": e.etape.description,
            "sources": e.sources,
            "etat": e.etat,
            "commentaire": e.commentaire,
            "version": e.version,
        }
        for e in selectors.etapes(organisation)
    ]


@routeur.get(
    "/{slug}/programme/etapes",
    response={200: list[EtapeSortie], **ERREURS},
    summary="Lire les étapes du programme et leur état",
)
def etapes(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _etapes(adhesion.organisation)


@routeur.patch(
    "/{slug}/programme/etapes/{etape}",
    response={200: EtapeSortie, **ERREURS_ECRITURE},
    summary="Fixer l'état d'une étape",
    description="`version` : celle lue (0 pour une étape jamais renseignée) ; périmée, 409. Les champs "
    "absents gardent leur valeur.",
)
def fixer_etape(request: Any, slug: str, etape: EtapeT, corps: EtapeModification) -> dict[str, Any]:  # type: ignore[valid-type]
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    organisation = adhesion.organisation
    actuelle = next(e for e in _etapes(organisation) if e["id"] == etape)
    donnees = corps.dict(exclude_unset=True)
    services.changer_etape(
        organisation,
        etape,
        donnees.get("etat", actuelle["etat"]),
        donnees.get("commentaire", actuelle["commentaire"]),
        corps.version,
        request.auth,
    )
    return next(e for e in _etapes(organisation) if e["id"] == etape)


# --- Actions ----------------------------------------------------------------------------------------


class ActionSortie(Schema):
    id: int
    intitule: str
    etape: str
    priorite: PrioriteT  # type: ignore[valid-type]
    budget: Decimal | None
    etp: Decimal | None
    moyens: str
    echeance: date | None
    responsable_id: int | None = Field(description="Identifiant de la personne responsable.")
    responsable_nom: str | None
    parties_prenantes: str
    etat: EtatActionT  # type: ignore[valid-type]
    faite_le: date | None
    en_retard: bool = Field(description="Échéance passée, ni faite ni abandonnée.")
    version: int


class ActionEntree(Corps):
    intitule: Texte(services.LONGUEUR_INTITULE, obligatoire=True)  # type: ignore[valid-type]
    etape: EtapeT  # type: ignore[valid-type]
    priorite: PrioriteT = "moyenne"  # type: ignore[valid-type]
    budget: Montant | None = None
    etp: Etp | None = None
    moyens: Texte(services.LONGUEUR_TEXTE) = ""  # type: ignore[valid-type]
    echeance: Jour | None = None
    responsable_id: Identifiant | None = Field(
        None, description="Une personne de l'organisation (sinon 400)."
    )
    parties_prenantes: Texte(services.LONGUEUR_TEXTE) = ""  # type: ignore[valid-type]
    etat: EtatActionT = "a_faire"  # type: ignore[valid-type]


class ActionModification(Corps):
    """Modification partielle : seuls les champs fournis changent ; `version` est la version lue."""

    model_config = ConfigDict(json_schema_extra=sans_defaut_nul)

    version: VersionLue
    intitule: Texte(services.LONGUEUR_INTITULE, obligatoire=True) = OMISSIBLE  # type: ignore[valid-type]
    etape: EtapeT = OMISSIBLE  # type: ignore[valid-type]
    priorite: PrioriteT = OMISSIBLE  # type: ignore[valid-type]
    budget: Montant | None = Field(None, description="null : aucun budget.")
    etp: Etp | None = Field(None, description="null : aucun ETP.")
    moyens: Texte(services.LONGUEUR_TEXTE) = OMISSIBLE  # type: ignore[valid-type]
    echeance: Jour | None = Field(None, description="null : sans échéance.")
    responsable_id: Identifiant | None = Field(None, description="null : sans responsable.")
    parties_prenantes: Texte(services.LONGUEUR_TEXTE) = OMISSIBLE  # type: ignore[valid-type]
    etat: EtatActionT = OMISSIBLE  # type: ignore[valid-type]


class FiltreActions(Schema):
    etape: EtapeT | None = None  # type: ignore[valid-type]
    etat: EtatActionT | None = None  # type: ignore[valid-type]
    en_retard: bool = False


def _action(a: Action) -> dict[str, Any]:
    return {
        "id": a.pk,
        "intitule": a.intitule,
        "etape": a.etape,
        "priorite": a.priorite,
        "budget": a.budget,
        "etp": a.etp,
        "moyens": a.moyens,
        "echeance": a.echeance,
        "responsable_id": a.responsable_id,
        "responsable_nom": a.responsable.nom_affiche if a.responsable else None,
        "parties_prenantes": a.parties_prenantes,
        "etat": a.etat,
        "faite_le": a.faite_le,
        "en_retard": bool(getattr(a, "en_retard", False)),
        "version": a.version,
    }


def _personne(organisation: Any, pk: int | None) -> Utilisateur | None:
    if pk is None:
        return None
    personne = Utilisateur.objects.filter(pk=pk).first()
    if personne is None:  # même refus qu'une personne d'une autre organisation : rien n'est révélé
        raise ValidationError("Le responsable d'une action doit être une personne de l'organisation.")
    return personne


def _donnees_action(organisation: Any, corps: Corps, partielle: bool) -> dict[str, Any]:
    donnees = corps.dict(exclude_unset=partielle, exclude={"version"})
    if "responsable_id" in donnees:
        donnees["responsable"] = _personne(organisation, donnees.pop("responsable_id"))
    return donnees


@routeur.get(
    "/{slug}/programme/actions",
    response={200: list[ActionSortie], **ERREURS},
    summary="Lister les actions de la feuille de route",
)
def actions(request: Any, slug: str, filtre: Query[FiltreActions]) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    qs = selectors.actions(
        adhesion.organisation, timezone.localdate(), filtre.etape or "", filtre.etat or "", filtre.en_retard
    )
    return [_action(a) for a in qs]


@routeur.get(
    "/{slug}/programme/actions/{action_pk}",
    response={200: ActionSortie, **ERREURS},
    summary="Lire une action de la feuille de route",
)
def lire_action(request: Any, slug: str, action_pk: int) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return _action(selectors.action(adhesion.organisation, action_pk, timezone.localdate()))


@routeur.post(
    "/{slug}/programme/actions",
    response={201: ActionSortie, **ERREURS_ECRITURE},
    summary="Ajouter une action à la feuille de route",
)
def creer_action(request: Any, slug: str, corps: ActionEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    organisation = adhesion.organisation
    action = services.creer_action(organisation, _donnees_action(organisation, corps, False), request.auth)
    return 201, _action(selectors.action(organisation, action.pk, timezone.localdate()))


@routeur.patch(
    "/{slug}/programme/actions/{action_pk}",
    response={200: ActionSortie, **ERREURS_ECRITURE},
    summary="Modifier une action de la feuille de route",
    description="Seuls les champs fournis changent ; une version périmée : 409, rien n'est écrit.",
)
def modifier_action(request: Any, slug: str, action_pk: int, corps: ActionModification) -> dict[str, Any]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    organisation = adhesion.organisation
    get_object_or_404(Action.objects.filter(organisation=organisation), pk=action_pk)
    donnees = _donnees_action(organisation, corps, True)
    services.modifier_action(organisation, action_pk, donnees, corps.version, request.auth)
    return _action(selectors.action(organisation, action_pk, timezone.localdate()))


# --- Sensibilisation --------------------------------------------------------------------------------


class ParticipantsSortie(Schema):
    public: PublicT  # type: ignore[valid-type]
    nombre: int


class SensibilisationSortie(Schema):
    id: int
    format: str
    intitule: str
    date: date
    participants: list[ParticipantsSortie]
    total: int
    mesure: MesureT | None
    avant: Decimal | None
    apres: Decimal | None


class ParticipantsEntree(Corps):
    public: PublicT  # type: ignore[valid-type]
    nombre: Nombre


class SensibilisationEntree(Corps):
    format: FormatT  # type: ignore[valid-type]
    intitule: Texte(services.LONGUEUR_INTITULE, obligatoire=True)  # type: ignore[valid-type]
    date: Jour
    participants: list[ParticipantsEntree] = Field(
        min_length=1,
        max_length=len(Participants.Public.values),
        description="Un nombre par public, distincts.",
    )
    mesure: MesureT | None = Field(None, description="Taux (%, 0 à 100) ou note (0 à 10), avant et après.")
    avant: Appropriation | None = None
    apres: Appropriation | None = None


def _sensibilisation(s: Sensibilisation) -> dict[str, Any]:
    return {
        "id": s.pk,
        "format": s.format,
        "intitule": s.intitule,
        "date": s.date,
        "participants": [{"public": p.public, "nombre": p.nombre} for p in getattr(s, "par_public", [])],
        "total": getattr(s, "total", None) or 0,
        "mesure": s.mesure or None,
        "avant": s.avant,
        "apres": s.apres,
    }


@routeur.get(
    "/{slug}/programme/sensibilisations",
    response={200: list[SensibilisationSortie], **ERREURS},
    summary="Lister les actions de sensibilisation",
)
def sensibilisations(request: Any, slug: str) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_sensibilisation(s) for s in selectors.sensibilisations(adhesion.organisation)]


@routeur.post(
    "/{slug}/programme/sensibilisations",
    response={201: SensibilisationSortie, **ERREURS_ECRITURE},
    summary="Enregistrer une action de sensibilisation",
    description="Au moins un public compte un participant ; un public cité deux fois, une note au-delà "
    "de 10, des valeurs d'appropriation sans mesure : 400.",
)
def creer_sensibilisation(
    request: Any, slug: str, corps: SensibilisationEntree
) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    publics = [p.public for p in corps.participants]
    if len(set(publics)) != len(publics):
        raise ValidationError("Un public est cité deux fois dans les participants.")
    donnees = corps.dict(exclude={"participants"})
    donnees["mesure"] = donnees["mesure"] or ""
    creee = services.creer_sensibilisation(
        adhesion.organisation, donnees, {p.public: p.nombre for p in corps.participants}, request.auth
    )
    return 201, _sensibilisation(selectors.sensibilisations(adhesion.organisation).get(pk=creee.pk))


# --- Veille -----------------------------------------------------------------------------------------


class NoteSortie(Schema):
    id: int
    date: date
    titre: str
    resume: str
    source: str
    etiquettes: list[str]
    auteur: str | None
    cree_le: datetime


class NoteEntree(Corps):
    date: Jour
    titre: Texte(services.LONGUEUR_INTITULE, obligatoire=True)  # type: ignore[valid-type]
    resume: Texte(services.LONGUEUR_RESUME, obligatoire=True)  # type: ignore[valid-type]
    source: Annotated[str, Field(max_length=1000, pattern=r"^https?://[^\s\x00]+$")] = Field(
        description="Adresse web en http ou https (toute autre : 400)."
    )
    etiquettes: list[Texte(services.LONGUEUR_ETIQUETTE)] = Field(  # type: ignore[valid-type]
        [], max_length=services.ETIQUETTES_AU_PLUS
    )


class FiltreNotes(Schema):
    etiquette: Annotated[str, Field(max_length=services.LONGUEUR_ETIQUETTE)] = ""


def _note(n: NoteVeille) -> dict[str, Any]:
    return {
        "id": n.pk,
        "date": n.date,
        "titre": n.titre,
        "resume": n.resume,
        "source": n.source,
        "etiquettes": n.liste_etiquettes,
        "auteur": n.auteur.nom_affiche if n.auteur else None,
        "cree_le": n.cree_le,
    }


@routeur.get(
    "/{slug}/programme/veille",
    response={200: list[NoteSortie], **ERREURS},
    summary="Lister les notes de veille",
)
def notes(request: Any, slug: str, filtre: Query[FiltreNotes]) -> list[dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return [_note(n) for n in selectors.notes(adhesion.organisation, filtre.etiquette)]


@routeur.post(
    "/{slug}/programme/veille",
    response={201: NoteSortie, **ERREURS_ECRITURE},
    summary="Ajouter une note de veille",
)
def creer_note(request: Any, slug: str, corps: NoteEntree) -> tuple[int, dict[str, Any]]:
    adhesion = acces.exiger(request.auth, slug, Permission.PILOTER_PROGRAMME)
    note = services.creer_note(adhesion.organisation, corps.dict(), request.auth)
    return 201, _note(note)
