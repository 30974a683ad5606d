"""Le fichier portable d'un système : sa fiche, sa dernière qualification, ses obligations et ses
évaluations finalisées, dans un fichier JSON qu'une autre instance de Balise, ou une autre organisation,
reprend (docs/fichier-portable.md).

Le format est décrit par les modèles ci-dessous ; le schéma JSON publié (draft 2020-12,
`schemas/systeme-portable.json`, servi à /public/schema/systeme-portable.json) en est tiré et un test
vérifie qu'il n'a pas divergé. Il décrit les trois versions que Balise lit : la 3, qu'il écrit, la 2,
sans la date de mise en service, et la 1, dont les évaluations n'étaient aussi que résumées. Le fichier ne porte ni identifiant interne ni nom de
personne : le responsable de la fiche, le contact, les responsables des obligations et les évaluateurs
restent dans l'organisation d'origine ; des évaluations ne voyagent que des comptes (nombre
d'évaluateurs par profil, réponses agrégées par item : instruments/portabilite.py).

À l'import, rien n'est copié à l'aveugle : la fiche est recréée et validée comme une saisie, les
réponses du questionnaire sont rejouées par le moteur sous la même version des règles (qui recalcule
conclusions, obligations et échéances), puis l'état de chaque obligation que ce calcul produit aussi
est repris ; chaque évaluation est vérifiée (même instrument ici, réponses permises, résultats
retrouvés par le calcul) avant d'être écrite, finalisée et marquée importée.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import AfterValidator, AwareDatetime, Field, TypeAdapter
from pydantic import ValidationError as ErreurPydantic

from balise import versions
from balise.comptes.models import Utilisateur
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie, Qualification
from balise.conformite.regles import version as regles_de_version
from balise.francais import compter
from balise.instruments import portabilite
from balise.instruments.definition import Moment
from balise.instruments.models import Evaluation
from balise.instruments.portabilite import EvaluationPortable, SectionPortable
from balise.organisations.models import Organisation
from balise.validation import DonneesInvalides, Strict, messages_en_francais

from .cycle_de_vie import Stade
from .models import MESSAGE_MISE_EN_SERVICE, MISE_EN_SERVICE_MAX, MISE_EN_SERVICE_MIN, SystemeIA
from .referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA

FORMAT = "balise-systeme"
VERSION = 3  # celle qu'écrit Balise
VERSIONS_LUES = (1, 2, 3)
FICHIER_SCHEMA = Path(__file__).parent / "schemas" / "systeme-portable.json"
# Une fiche, une qualification et quelques dizaines d'obligations et d'évaluations tiennent en
# quelques dizaines de kilo-octets : 1 Mo laisse large, et borne ce que le serveur lit.
TAILLE_MAX = 1024 * 1024

Ligne = Annotated[str, Field(max_length=200)]
Titre = Annotated[str, Field(min_length=1, max_length=200)]
Texte = Annotated[str, Field(max_length=20_000)]
Code = Annotated[str, Field(min_length=1, max_length=60)]
Cout = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


def _mise_en_service(jour: date) -> date:
    if not MISE_EN_SERVICE_MIN <= jour <= MISE_EN_SERVICE_MAX:
        raise ValueError(MESSAGE_MISE_EN_SERVICE)
    return jour


MiseEnService = Annotated[date, AfterValidator(_mise_en_service)]


class FicheV2(Strict):
    """Versions 1 et 2 du format : la fiche du registre, sans responsable ni contact (des personnes)."""

    nom: Titre
    finalite: Annotated[str, Field(min_length=1, max_length=20_000)]
    service: Titre
    domaine: Domaine
    type_ia: TypeIA
    cible: Cible
    positionnement: Positionnement
    usage_non_declare: bool
    realisation: Realisation
    fournisseur: Ligne
    modeles: Annotated[str, Field(max_length=300)]
    hebergement: Hebergement
    hebergeur: Ligne
    donnees: Texte
    sources_donnees: Texte
    donnees_personnelles: bool
    donnees_sensibles: bool
    contribution_decision: Texte
    decision_individuelle: bool
    regles_traitement: Texte
    supervision_humaine: Texte
    mode_degrade: Texte
    cout_investissement: Cout | None
    cout_annuel: Cout | None
    benefices_attendus: Texte
    stade: Stade
    motif_fin: Texte


class Fiche(FicheV2):
    """Version 3, celle qu'écrit Balise : la fiche, avec sa date de mise en service (ou null)."""

    mis_en_service_le: MiseEnService | None


class QualificationPortable(Strict):
    """La dernière qualification : la version des règles, les réponses, les conclusions retenues."""

    version_regles: int = Field(ge=1)
    reponses: dict[Code, str | list[str]] = Field(max_length=500)
    conclusions: list[Code] = Field(max_length=200)
    le: date


class ObligationPortable(Strict):
    code: Code
    titre: Annotated[str, Field(min_length=1, max_length=2000)]
    regime: Annotated[str, Field(max_length=10)]
    statut: ObligationSuivie.Statut
    echeance: date
    applicable: bool


class EvaluationResumee(Strict):
    """Version 1 du format : une évaluation résumée (ses scores par section), qui ne se reprend pas."""

    instrument: Code
    version_instrument: int = Field(ge=1)
    titre: Annotated[str, Field(max_length=2000)]
    moment: Moment
    statut: Evaluation.Statut
    finalisee_le: date | None
    evaluateurs: int = Field(ge=0)
    completude: float = Field(ge=0, le=1)
    sections: list[SectionPortable] = Field(max_length=30)


class _Systeme(Strict):
    format: Literal["balise-systeme"]
    organisation: Annotated[str, Field(max_length=300)]
    qualification: QualificationPortable | None
    obligations: list[ObligationPortable] = Field(max_length=200)


class FichierPortable(_Systeme):
    """Version 3, celle qu'écrit Balise : la date de mise en service dans la fiche, les évaluations
    finalisées avec leurs réponses agrégées."""

    version: Literal[3]
    fiche: Fiche
    exporte_le: AwareDatetime
    evaluations: list[EvaluationPortable] = Field(max_length=200)


class FichierPortableV2(_Systeme):
    """Version 2, encore lue : comme la 3, sans la date de mise en service."""

    version: Literal[2]
    fiche: FicheV2
    exporte_le: AwareDatetime
    evaluations: list[EvaluationPortable] = Field(max_length=200)


class FichierPortableV1(_Systeme):
    """Version 1, encore lue : les évaluations (même en cours) n'y sont que résumées."""

    version: Literal[1]
    fiche: FicheV2
    exporte_le: datetime
    evaluations: list[EvaluationResumee] = Field(max_length=200)


Fichier = FichierPortable | FichierPortableV2 | FichierPortableV1
LECTEURS: dict[int, type[FichierPortable] | type[FichierPortableV2] | type[FichierPortableV1]] = {
    3: FichierPortable,
    2: FichierPortableV2,
    1: FichierPortableV1,
}


def schema() -> dict[str, Any]:
    """Le schéma JSON (draft 2020-12) du fichier, tel qu'il est publié : l'une ou l'autre version."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/public/schema/systeme-portable.json",
        "title": "Fichier portable d'un système d'IA (Balise)",
        "description": "Fichier portable d'un système d'IA exporté par Balise (format « balise-systeme ») : "
        "fiche du registre, dernière qualification, obligations, évaluations. Version 3 (écrite par Balise) : "
        "fiche avec sa date de mise en service, évaluations finalisées avec leurs réponses agrégées, sans "
        "personne ; version 2 (encore lue) : la même, sans date de mise en service ; version 1 (encore lue) : "
        "évaluations résumées.",
        **TypeAdapter(Fichier).json_schema(),
    }


def schema_publie() -> str:
    return FICHIER_SCHEMA.read_text(encoding="utf-8")


# --- Export -----------------------------------------------------------------------------------------


def _fiche(systeme: SystemeIA) -> dict[str, Any]:
    fiche = {nom: getattr(systeme, nom) for nom in Fiche.model_fields}
    for cout in ("cout_investissement", "cout_annuel"):
        fiche[cout] = None if fiche[cout] is None else str(fiche[cout])
    if fiche["mis_en_service_le"] is not None:
        fiche["mis_en_service_le"] = fiche["mis_en_service_le"].isoformat()
    return fiche


def _qualification(systeme: SystemeIA) -> dict[str, Any] | None:
    derniere = Qualification.objects.filter(systeme=systeme).order_by("-cree_le", "-pk").first()
    if derniere is None:
        return None
    return {
        "version_regles": derniere.version_regles,
        "reponses": derniere.reponses,
        "conclusions": derniere.conclusions,
        "le": timezone.localdate(derniere.cree_le).isoformat(),
    }


def _obligations(systeme: SystemeIA) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "titre": o.titre,
            "regime": o.regime,
            "statut": o.statut,
            "echeance": o.echeance.isoformat(),
            "applicable": o.applicable,
        }
        for o in ObligationSuivie.objects.filter(systeme=systeme).order_by("code")
    ]


def exporter(systeme: SystemeIA) -> dict[str, Any]:
    """Le fichier portable du système, prêt à écrire en JSON (il suit `schema()`)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exporte_le": timezone.now().replace(microsecond=0).isoformat(),
        "organisation": systeme.organisation.nom,
        "fiche": _fiche(systeme),
        "qualification": _qualification(systeme),
        "obligations": _obligations(systeme),
        "evaluations": portabilite.exporter(systeme),
    }


def en_json(systeme: SystemeIA) -> bytes:
    return json.dumps(exporter(systeme), ensure_ascii=False, indent=2).encode("utf-8")


# --- Import -----------------------------------------------------------------------------------------


class FichierRefuse(DonneesInvalides):
    """Un fichier portable illisible ou hors format : ses erreurs, en français ; rien n'est écrit."""


def lire(contenu: bytes) -> Fichier:
    """Le fichier validé (version 3, ou 2 ou 1 encore lues), ou FichierRefuse avec des messages que la
    personne comprend."""
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse(
            [f"Le fichier dépasse {TAILLE_MAX // 1024} Ko : ce n'est pas un fichier portable."]
        )
    try:
        donnees = json.loads(contenu.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # imbrication sans fin : refusée aussi
        raise FichierRefuse(
            ["Le fichier n'est pas du JSON valide : déposez le fichier exporté par Balise."]
        ) from None
    if not isinstance(donnees, dict) or donnees.get("format") != FORMAT:
        raise FichierRefuse(
            [f"Ce fichier n'est pas un fichier portable de Balise (format « {FORMAT} » attendu)."]
        )
    version = donnees.get("version")
    if isinstance(version, bool) or version not in VERSIONS_LUES:
        raise FichierRefuse(
            [
                f"Cette version du format ({version!r}) n'est pas prise en charge : Balise lit les "
                f"versions {', '.join(str(v) for v in VERSIONS_LUES[:-1])} et {VERSIONS_LUES[-1]}. Un "
                "fichier plus récent vient "
                "d'une instance de Balise plus à jour que celle-ci."
            ]
        )
    try:
        return LECTEURS[version].model_validate(donnees)
    except ErreurPydantic as exc:
        raise FichierRefuse(messages_en_francais(exc, "fichier")) from None


@dataclass
class Import:
    systeme: SystemeIA
    qualifie: bool
    evaluations: int = 0  # évaluations reprises, finalisées et marquées importées
    avertissements: list[str] = field(default_factory=list)


def _raison(fichier: Fichier) -> str:
    return f"Fichier portable de « {fichier.organisation} » du {fichier.exporte_le:%d/%m/%Y}"[:100]


def _creer_fiche(
    organisation: Organisation, fichier: Fichier, responsable: str, par: Utilisateur
) -> SystemeIA:
    systeme = SystemeIA(organisation=organisation, responsable=responsable, **fichier.fiche.model_dump())
    systeme._change_reason = _raison(fichier)  # type: ignore[attr-defined]  # lu par simple-history
    systeme.full_clean()
    return versions.attribuer(systeme, par)


# Le libellé de la case du formulaire d'import (forms.FichierPortableForm), que les messages citent.
SANS_EVALUATIONS_ABSENTES = "Importer sans les évaluations dont l'instrument manque ici"


def _evaluations_reprises(
    organisation: Organisation, fichier: Fichier, sans_absentes: bool
) -> tuple[list[portabilite.Reprise], list[str]]:
    """Les évaluations du fichier à écrire et les avertissements de celles qui ne le seront pas. Une
    évaluation dont l'instrument manque ici fait refuser le fichier, sauf si la personne a choisi de
    l'importer sans elle ; une évaluation incohérente le fait refuser toujours (ValidationError)."""
    if isinstance(fichier, FichierPortableV1):
        if not fichier.evaluations:
            return [], []
        return [], [
            f"Évaluations du fichier : {len(fichier.evaluations)}. Elles ne sont pas reprises ici : ce fichier "
            "suit la version 1 du format, qui n'en porte que les résumés, sans les réponses dont Balise "
            "recalcule les résultats. Demandez un nouvel export à l'organisation d'origine."
        ]
    reprises, absentes = portabilite.preparer(organisation, fichier.evaluations, fichier.exporte_le)
    if absentes and not sans_absentes:
        raise FichierRefuse(
            [
                *absentes,
                f"Rien n'a été importé. Pour inscrire le système sans {'ces évaluations' if len(absentes) > 1 else 'cette évaluation'}, "
                f"cochez « {SANS_EVALUATIONS_ABSENTES} » et déposez de nouveau le fichier.",
            ]
        )
    return reprises, [f"{a} Le reste du fichier est importé." for a in absentes]


def _reprendre_statuts(systeme: SystemeIA, fichier: Fichier, par: Utilisateur) -> int:
    """Reprend l'état des obligations que la qualification rejouée produit aussi ; renvoie leur nombre."""
    statuts = {o.code: o.statut for o in fichier.obligations if o.applicable}
    note = f"État repris du fichier portable de « {fichier.organisation} » ; la preuve est restée là-bas."
    reprises = 0
    for obligation in ObligationSuivie.objects.select_for_update().filter(
        systeme=systeme, applicable=True, code__in=statuts
    ):
        statut = statuts[obligation.code]
        if statut == obligation.statut:
            continue
        obligation.statut = statut
        obligation.commentaire = f"{obligation.commentaire}\n{note}".strip()[:4000]
        obligation._change_reason = _raison(fichier)  # type: ignore[attr-defined]  # lu par simple-history
        versions.enregistrer(obligation, par)
        reprises += 1
    return reprises


@transaction.atomic
def importer(
    organisation: Organisation,
    fichier: Fichier,
    responsable: str,
    par: Utilisateur,
    sans_evaluations_absentes: bool = False,
) -> Import:
    """Crée un NOUVEAU système dans `organisation` à partir d'un fichier lu par `lire`, avec ses
    évaluations finalisées (versions 2 et 3 du format).

    Tout est écrit ensemble ou rien : une fiche invalide, des réponses que les règles refusent ou une
    évaluation incohérente lèvent ValidationError ; une évaluation dont l'instrument manque ici lève
    FichierRefuse, sauf `sans_evaluations_absentes`. Une version des règles absente de cette instance
    n'empêche pas l'import de la fiche : le système est alors à qualifier ici, ce que dit l'avertissement."""
    responsable = responsable.strip()
    if not responsable:
        raise ValidationError("Indiquez le responsable du système dans votre organisation (nom et fonction).")
    reprises, avertissements = _evaluations_reprises(organisation, fichier, sans_evaluations_absentes)
    systeme = _creer_fiche(organisation, fichier, responsable, par)
    resultat = Import(systeme, qualifie=False, evaluations=len(reprises))
    if systeme.stade != Stade.IDEE:
        resultat.avertissements.append(
            f"Le stade « {Stade(systeme.stade).label} » est repris du fichier sans passer par les portes de "
            "votre politique : vérifiez qu'il vaut aussi pour votre organisation."
        )
    resultat.avertissements += avertissements
    for reprise in reprises:
        portabilite.importer(
            systeme, reprise, fichier.organisation, fichier.exporte_le, par, _raison(fichier)
        )
    q = fichier.qualification
    if q is None:
        return resultat
    try:
        regles = regles_de_version(q.version_regles)
    except LookupError:
        resultat.avertissements.append(
            f"La qualification du fichier suit la version {q.version_regles} des règles, que cette instance "
            "ne connaît pas : le système est à qualifier ici, et l'état de ses obligations n'est pas repris."
        )
        return resultat
    try:
        conformite.qualifier(systeme, regles, q.reponses, par)
    except ValidationError as exc:
        raise ValidationError(
            "Les réponses de qualification du fichier ne sont pas valides pour la version "
            f"{q.version_regles} des règles : {'; '.join(exc.messages)}"
        ) from None
    resultat.qualifie = True
    _reprendre_statuts(systeme, fichier, par)
    return resultat


def message_evaluations(resultat: Import) -> str:
    """« et 2 évaluations finalisées importées » : ce que la page d'arrivée dit des évaluations."""
    if not resultat.evaluations:
        return ""
    n = compter(resultat.evaluations, "évaluation", feminin=True)
    return f" ; {n} {'finalisées importées' if resultat.evaluations > 1 else 'finalisée importée'}"
