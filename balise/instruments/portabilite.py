"""Les évaluations d'un système dans son fichier portable (registre/portable.py, docs/fichier-portable.md) :
ce qui en voyage, et leur reprise dans une autre organisation, finalisées et marquées importées.

Voyagent, pour chaque évaluation finalisée : l'instrument (code, version et empreinte de sa définition),
le moment, la date de finalisation, les réponses agrégées (agregats.py : des comptes par item et par
profil, aucune personne, aucun commentaire) et les résultats qu'en tire `calcul.calculer`, annoncés pour
être vérifiés. Ne voyagent pas : les évaluations en cours (leurs résultats ne sont pas arrêtés, et leurs
évaluateurs, restés là-bas, ne pourraient pas les poursuivre ici) ni les consultations anonymes des agents.

À l'import, rien n'est cru sur parole : l'instrument doit exister ici dans la même version et avec le
même contenu (empreinte) ; chaque réponse doit être permise par sa définition ; les comptes doivent
pouvoir venir de vrais évaluateurs ; les résultats recalculés ici doivent être ceux que le fichier
annonce. Le fichier n'est pas signé : on vérifie sa cohérence, pas son auteur.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AwareDatetime, Field

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA
from balise.validation import Strict

from . import agregats, selectors
from .calcul import Resultat, calculer
from .definition import LIBELLES_MOMENTS, Definition, Moment, empreinte
from .models import DefinitionInstrument, Evaluation, Profil, ProvenanceEvaluation
from .services import Saisie, verifier_saisies

Code = Annotated[str, Field(min_length=1, max_length=60)]
# Le dépliage coûte une unité par réponse : un fichier de 1 Mo ne doit pas occuper le serveur des minutes.
MAX_REPONSES_PAR_FICHIER = 200_000
_ARRONDI = 4  # décimales des scores et de la complétude annoncés


class SectionPortable(Strict):
    id: Code
    titre: Annotated[str, Field(max_length=2000)]
    score: float | None
    penche: Literal["positif", "negatif", "equilibre"] | None


class EvaluationPortable(agregats.Agregat):
    """Une évaluation finalisée : son instrument, ses réponses agrégées, ses résultats annoncés."""

    instrument: Code
    version_instrument: int = Field(ge=1)
    empreinte_instrument: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    titre: Annotated[str, Field(max_length=2000)]
    moment: Moment
    # L'organisation où elle a été faite, si ce n'est pas celle qui exporte (elle-même l'avait importée).
    origine: Annotated[str, Field(min_length=1, max_length=300)] | None
    finalisee_le: AwareDatetime
    evaluateurs: int = Field(ge=0)
    completude: float = Field(ge=0, le=1)
    sections: list[SectionPortable] = Field(max_length=30)


# --- Export -----------------------------------------------------------------------------------------


def _sections(resultat: Resultat) -> list[dict[str, Any]]:
    return [
        {
            "id": s.section.id,
            "titre": s.section.titre,
            "score": None if s.score is None else round(s.score, _ARRONDI),
            "penche": s.penche,
        }
        for s in resultat.sections
    ]


def exporter(systeme: SystemeIA) -> list[dict[str, Any]]:
    """Les évaluations finalisées du système, de la plus ancienne à la plus récente. Quatre requêtes :
    les évaluations, leurs provenances, leurs cotations, puis les mêmes réponses agrégées (ce qui
    voyage). Les résultats annoncés viennent des vraies cotations, non du dépliage des agrégats : l'import
    les compare ainsi à un calcul fait par un autre chemin."""
    finalisees = list(
        systeme.evaluations.filter(statut=Evaluation.Statut.FINALISEE)
        .select_related("instrument")
        .order_by("finalisee_le", "pk")
    )
    provenances = selectors.provenances_de(finalisees)
    cotations = selectors._cotations(finalisees, provenances)
    agregees = selectors.reponses_agregees(finalisees, provenances)
    entrees = []
    for e in finalisees:
        definition = e.instrument.definition
        resultat = calculer(definition, cotations[e.pk])
        provenance = provenances.get(e.pk)
        entrees.append(
            {
                "instrument": e.instrument.code,
                "version_instrument": e.instrument.version,
                "empreinte_instrument": empreinte(definition),
                "titre": e.instrument.titre,
                "moment": e.moment,
                "origine": provenance.origine if provenance else None,
                "finalisee_le": timezone.localtime(e.finalisee_le).isoformat(),
                "evaluateurs": resultat.evaluateurs,
                "completude": round(resultat.completude, _ARRONDI),
                "sections": _sections(resultat),
                **agregees[e.pk].model_dump(mode="json"),
            }
        )
    return entrees


# --- Import -----------------------------------------------------------------------------------------


def decrire(entree: EvaluationPortable) -> str:
    """« Girouet » (en amont du projet, finalisée le 20/11/2026) : l'évaluation dont parle un message."""
    quand = timezone.localdate(entree.finalisee_le)
    return f"« {entree.titre} » ({LIBELLES_MOMENTS[entree.moment].lower()}, finalisée le {quand:%d/%m/%Y})"


@dataclass(frozen=True)
class Reprise:
    """Une évaluation du fichier vérifiée, prête à écrire : son instrument ici, ses réponses agrégées."""

    entree: EvaluationPortable
    instrument: DefinitionInstrument


def _instrument_ici(organisation: Organisation, entree: EvaluationPortable) -> DefinitionInstrument | str:
    """La définition de même code, version et contenu que voit l'organisation, ou pourquoi il n'y en a pas."""
    candidats = list(selectors.instruments(organisation).filter(code=entree.instrument))
    if not candidats:
        return f"l'instrument « {entree.instrument} » n'existe pas dans cette instance de Balise"
    meme_version = [c for c in candidats if c.version == entree.version_instrument]
    if not meme_version:
        connues = ", ".join(str(v) for v in sorted({c.version for c in candidats}))
        return (
            f"cette instance n'a pas la version {entree.version_instrument} de cet instrument "
            f"(versions disponibles ici : {connues})"
        )
    for candidat in meme_version:
        if empreinte(candidat.definition) == entree.empreinte_instrument:
            return candidat
    return (
        f"la version {entree.version_instrument} de cet instrument n'a pas ici le même contenu que dans "
        "l'organisation d'origine (sans doute une adaptation propre à celle-ci)"
    )


def _ecart(definition: Definition, entree: EvaluationPortable, resultat: Resultat) -> str | None:
    """Le premier résultat annoncé par le fichier que le calcul ne retrouve pas, dit en français."""
    if resultat.evaluateurs != entree.evaluateurs:
        return f"{entree.evaluateurs} évaluateurs annoncés, {resultat.evaluateurs} d'après les réponses"
    if round(resultat.completude, _ARRONDI) != entree.completude:
        return f"complétude {entree.completude:.0%} annoncée, {resultat.completude:.0%} d'après les réponses"
    if [s.id for s in entree.sections] != [s.section.id for s in resultat.sections]:
        return "les sections annoncées ne sont pas celles de l'instrument"
    for annoncee, calculee in zip(entree.sections, resultat.sections, strict=True):
        score = None if calculee.score is None else round(calculee.score, _ARRONDI)
        if annoncee.score != score or annoncee.penche != calculee.penche:
            lu = "aucun" if annoncee.score is None else f"{annoncee.score:.2f}".replace(".", ",")
            refait = "aucun" if score is None else f"{score:.2f}".replace(".", ",")
            return f"section « {calculee.section.titre} » : score {lu} annoncé, {refait} d'après les réponses"
    return None


def _verifier(definition: Definition, entree: EvaluationPortable) -> str | None:
    """Pourquoi les réponses et résultats d'une évaluation du fichier ne tiennent pas ensemble, ou None."""
    if entree.moment not in definition.moments:
        return "ce moment n'est pas prévu par l'instrument"
    for r in entree.reponses:
        try:
            verifier_saisies(definition, {r.item: Saisie(r.valeur, r.sans_objet, tuple(r.choix))})
        except ValidationError as exc:
            return exc.messages[0]
    try:
        cotations = agregats.deplier(definition, entree, dict(Profil.choices))
    except agregats.AgregatIncoherent as exc:
        return str(exc)
    return _ecart(definition, entree, calculer(definition, cotations))


def preparer(
    organisation: Organisation, entrees: list[EvaluationPortable], exporte_le: datetime
) -> tuple[list[Reprise], list[str]]:
    """Les évaluations reprenables ici, et pourquoi chacune des autres ne l'est pas (instrument absent
    ou différent). Lève ValidationError si une évaluation est incohérente : le fichier entier est refusé."""
    if sum(e.nombre_de_reponses for e in entrees) > MAX_REPONSES_PAR_FICHIER:
        plafond = f"{MAX_REPONSES_PAR_FICHIER:,}".replace(",", "\u202f")
        raise ValidationError(
            f"Le fichier annonce plus de {plafond} réponses d'évaluateurs : ce n'est pas un export de Balise."
        )
    reprises, absentes = [], []
    for entree in entrees:
        instrument = _instrument_ici(organisation, entree)
        if isinstance(instrument, str):
            absentes.append(f"L'évaluation {decrire(entree)} ne peut pas être importée : {instrument}.")
            continue
        probleme = _verifier(instrument.definition, entree)
        # L'heure d'export est écrite à la seconde : une finalisation dans la même seconde reste avant.
        if probleme is None and entree.finalisee_le >= exporte_le + timedelta(seconds=1):
            probleme = "elle serait finalisée après la date du fichier"
        if probleme is not None:
            raise ValidationError(
                f"L'évaluation {decrire(entree)} ne tient pas : {probleme}. Le fichier a pu être modifié "
                "après son export ; rien n'a été importé."
            )
        reprises.append(Reprise(entree, instrument))
    return reprises, absentes


def importer(
    systeme: SystemeIA, reprise: Reprise, origine: str, exporte_le: datetime, par: Utilisateur, motif: str
) -> Evaluation:
    """Écrit une évaluation vérifiée par `preparer` : finalisée, importée par `par`, sans évaluateur ici.

    À appeler dans la transaction qui crée le système (registre/portable.importer)."""
    entree = reprise.entree
    evaluation = Evaluation(
        organisation=systeme.organisation,
        systeme=systeme,
        instrument=reprise.instrument,
        moment=entree.moment,
        cree_par=par,
        statut=Evaluation.Statut.FINALISEE,
        finalisee_le=entree.finalisee_le,
    )
    evaluation._change_reason = motif  # type: ignore[attr-defined]  # lu par simple-history
    versions.attribuer(evaluation, par)
    agregat = agregats.Agregat.model_validate(entree.model_dump(include=set(agregats.Agregat.model_fields)))
    ProvenanceEvaluation.objects.create(
        evaluation=evaluation,
        origine=entree.origine or origine,
        exportee_le=exporte_le,
        evaluateurs=agregat.total_evaluateurs,
        reponses=agregat.model_dump(mode="json"),
    )
    return evaluation
