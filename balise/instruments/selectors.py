"""Lectures des instruments et des évaluations, avec leurs résultats calculés ; requêtes en nombre constant."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from . import agregats
from .calcul import Cotation, Resultat, calculer
from .definition import LIBELLES_MOMENTS, Definition, Item
from .models import (
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    GroupeCodes,
    Profil,
    ProvenanceEvaluation,
    Reponse,
)

# Aucun résultat d'une consultation anonyme n'est montré avant ce nombre de réponses : en deçà,
# une personne pourrait être reconnue à ses réponses.
SEUIL_ANONYMAT = 5


def instruments(organisation: Organisation) -> QuerySet[DefinitionInstrument]:
    """Toutes les versions visibles par l'organisation : nationales et ses propres adaptations.

    À numéro égal (une adaptation de la v1 numérotée 2, puis une v2 nationale livrée), l'adaptation de
    l'organisation passe devant, sur toutes les bases : c'est elle que l'organisation a choisie."""
    return (
        DefinitionInstrument.objects.filter(Q(organisation=None) | Q(organisation=organisation))
        .select_related("organisation", "base__organisation")
        .order_by("code", "-version", F("organisation_id").asc(nulls_last=True))
    )


def instruments_courants(organisation: Organisation) -> list[DefinitionInstrument]:
    """La version la plus récente de chaque instrument : celle que l'on propose pour une évaluation."""
    courants: dict[str, DefinitionInstrument] = {}
    for instrument in instruments(organisation):
        courants.setdefault(instrument.code, instrument)
    return sorted(courants.values(), key=lambda i: i.titre)


def instrument(organisation: Organisation, pk: int) -> DefinitionInstrument:
    return get_object_or_404(instruments(organisation), pk=pk)


def evaluation(organisation: Organisation, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related("instrument", "systeme", "cree_par", "finalisee_par", "provenance"),
        organisation=organisation,
        pk=pk,
    )


def evaluations(systeme: SystemeIA) -> QuerySet[Evaluation]:
    """Les évaluations du système ; `nb_evaluateurs` : les personnes invitées ici ou, pour une évaluation
    importée, ses évaluateurs de l'organisation d'origine (`origine`)."""
    return (
        systeme.evaluations.select_related("instrument", "cree_par")
        .annotate(
            nb_invites=Count("evaluateurs", distinct=True),
            origine=F("provenance__origine"),
            nb_evaluateurs=Coalesce(F("provenance__evaluateurs"), F("nb_invites")),
        )
        .order_by("-cree_le", "-pk")
    )


def provenances_de(evaluations: list[Evaluation]) -> dict[int, ProvenanceEvaluation]:
    return {p.evaluation_id: p for p in ProvenanceEvaluation.objects.filter(evaluation__in=evaluations)}


def evaluateurs_d_origine(provenance: ProvenanceEvaluation) -> list[tuple[str, int]]:
    """Les évaluateurs d'une évaluation importée : seulement leur nombre par profil (libellé, nombre)."""
    libelles = dict(Profil.choices)
    agregat = agregats.Agregat.model_validate(provenance.reponses)
    return [(libelles.get(p.profil, p.profil), p.evaluateurs) for p in agregat.profils]


_LigneReponse = tuple[int, int, str, str, int | None, bool, list[str], str]


def _reponses(evaluations: list[Evaluation]) -> Iterable[_LigneReponse]:
    """Les cotations en base de ces évaluations : (évaluation, évaluateur, profil, item, valeur, sans
    objet, choix, commentaire). Des tuples plutôt que des objets du modèle : quatre fois moins cher
    pour les centaines de cotations d'une évaluation à 50 voix (mesuré par bench/instruments.py)."""
    return (
        Reponse.objects.filter(evaluateur__evaluation__in=evaluations)
        .order_by("pk")
        .values_list(
            "evaluateur__evaluation_id",
            "evaluateur_id",
            "evaluateur__profil",
            "item",
            "valeur",
            "sans_objet",
            "choix",
            "commentaire",
        )
    )


def _cotations(
    evaluations: list[Evaluation], provenances: dict[int, ProvenanceEvaluation] | None = None
) -> dict[int, list[Cotation]]:
    """Les cotations de chaque évaluation : ses réponses en base ou, pour une évaluation importée, ses
    réponses agrégées dépliées (agregats.py), que `calculer` lit de même. Deux requêtes."""
    par_evaluation: dict[int, list[Cotation]] = defaultdict(list)
    libelles = dict(Profil.choices)
    for evaluation, evaluateur, profil, item, valeur, sans_objet, choix, commentaire in _reponses(
        evaluations
    ):
        par_evaluation[evaluation].append(
            Cotation(
                evaluateur=evaluateur,
                item=item,
                valeur=valeur,
                sans_objet=sans_objet,
                choix=tuple(choix),
                commentaire=commentaire,
                profil=libelles.get(profil, profil),
            )
        )
    if provenances is None:
        provenances = provenances_de(evaluations)
    for e in evaluations:
        if e.pk in provenances:
            agregat = agregats.Agregat.model_validate(provenances[e.pk].reponses)
            par_evaluation[e.pk] += agregats.deplier(e.instrument.definition, agregat, libelles)
    return par_evaluation


def _cotations_de(evaluation: Evaluation) -> list[Cotation]:
    provenance = evaluation.importee  # sans requête si lue avec l'évaluation (selectors.evaluation)
    return _cotations([evaluation], {evaluation.pk: provenance} if provenance else {})[evaluation.pk]


def resultat(evaluation: Evaluation) -> Resultat:
    return calculer(evaluation.instrument.definition, _cotations_de(evaluation))


def points_matrice(evaluation: Evaluation) -> list[tuple[int, int]]:
    """Pour la matrice 2 × 2 : le couple de notes de chaque évaluateur qui a noté les deux axes."""
    return agregats.couples(evaluation.instrument.definition, _cotations_de(evaluation))


def reponses_agregees(
    evaluations: list[Evaluation], provenances: dict[int, ProvenanceEvaluation]
) -> dict[int, agregats.Agregat]:
    """Ce qui voyage de chaque évaluation dans un fichier portable : ses réponses agrégées, sans
    personne ni commentaire ; une évaluation importée redonne celles qu'elle a reçues. Une requête."""
    lignes: dict[int, list[agregats.Ligne]] = defaultdict(list)
    for evaluation, evaluateur, profil, item, valeur, sans_objet, choix, _commentaire in _reponses(
        evaluations
    ):
        lignes[evaluation].append(agregats.Ligne(evaluateur, profil, item, valeur, sans_objet, tuple(choix)))
    return {
        e.pk: (
            agregats.Agregat.model_validate(provenances[e.pk].reponses)
            if e.pk in provenances
            else agregats.agreger(e.instrument.definition, lignes[e.pk])
        )
        for e in evaluations
    }


def libelle_serie(evaluation: Evaluation, provenance: ProvenanceEvaluation | None = None) -> str:
    quand = evaluation.finalisee_le or evaluation.cree_le
    importee = f" (importée de « {provenance.origine} »)" if provenance else ""
    return f"{LIBELLES_MOMENTS[evaluation.moment]} — {quand:%d/%m/%Y}{importee}"


@dataclass
class Serie:
    evaluation: Evaluation
    libelle: str
    resultat: Resultat


def codes_a_comparer(evaluations: list[Evaluation]) -> list[str]:
    """Les instruments dont l'évolution se montre : au moins deux évaluations finalisées."""
    finalisees = Counter(e.instrument.code for e in evaluations if e.finalisee)
    return [code for code, n in finalisees.items() if n >= 2]


def evaluateurs(evaluation: Evaluation) -> list[Evaluateur]:
    """Les personnes invitées à coter, avec leur nombre de cotations."""
    return list(
        evaluation.evaluateurs.select_related("utilisateur")
        .annotate(nb_reponses=Count("reponses"))
        .order_by("invite_le", "pk")
    )


def evaluateur(evaluation: Evaluation, utilisateur: Utilisateur) -> Evaluateur | None:
    return Evaluateur.objects.filter(evaluation=evaluation, utilisateur=utilisateur).first()


def consultation_par_jeton(jeton: str) -> Consultation:
    """La consultation d'un lien de questionnaire (sans compte : le jeton seul la désigne)."""
    return get_object_or_404(
        Consultation.objects.select_related("instrument", "systeme", "organisation"), jeton=jeton
    )


def _series(evaluations: list[Evaluation]) -> list[Serie]:
    provenances = provenances_de(evaluations)
    cotations = _cotations(evaluations, provenances)
    return [
        Serie(e, libelle_serie(e, provenances.get(e.pk)), calculer(e.instrument.definition, cotations[e.pk]))
        for e in evaluations
    ]


def comparaison(systeme: SystemeIA, code: str) -> list[Serie]:
    """Les évaluations finalisées d'un même instrument pour un système, de la plus ancienne à la plus récente."""
    finalisees = list(
        systeme.evaluations.filter(instrument__code=code, statut=Evaluation.Statut.FINALISEE)
        .select_related("instrument")
        .order_by("finalisee_le", "pk")
    )
    return _series(finalisees)


def dernieres_finalisees(systeme: SystemeIA) -> list[Serie]:
    """La dernière évaluation finalisée de chaque instrument : ce que le dossier du comité présente."""
    dernieres: dict[str, Evaluation] = {}
    for e in (
        systeme.evaluations.filter(statut=Evaluation.Statut.FINALISEE)
        .select_related("instrument")
        .order_by("-finalisee_le", "-pk")
    ):
        dernieres.setdefault(e.instrument.code, e)
    return _series(sorted(dernieres.values(), key=lambda e: e.instrument.titre))


def en_cours(systeme: SystemeIA) -> list[Serie]:
    """Les évaluations encore ouvertes, avec leurs résultats du moment : le comité les voit comme
    provisoires (des cotations peuvent encore arriver ou changer)."""
    ouvertes = systeme.evaluations.filter(statut=Evaluation.Statut.EN_COURS).select_related("instrument")
    return _series(list(ouvertes.order_by("instrument__titre", "cree_le", "pk")))


def consultation(organisation: Organisation, pk: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related("instrument", "systeme").annotate(nb_reponses=Count("reponses")),
        organisation=organisation,
        pk=pk,
    )


def consultations(systeme: SystemeIA) -> QuerySet[Consultation]:
    return systeme.consultations.select_related("instrument").annotate(nb_reponses=Count("reponses"))


@dataclass(frozen=True)
class CompteCodes:
    """Les codes d'un groupe (ou de tous) : seulement des nombres, jamais quel code a servi."""

    libelle: str
    generes: int
    retires: int
    restants: int
    groupe: GroupeCodes | None = None

    @property
    def utilises(self) -> int:
        return self.generes - self.retires - self.restants


def codes_par_groupe(consultation: Consultation) -> tuple[list[CompteCodes], CompteCodes]:
    """Codes générés, utilisés, retirés et restants par groupe d'agents, et leur total (une requête)."""
    lignes = [
        CompteCodes(g.libelle, g.nb_generes, g.nb_retires, g.restants, g)
        for g in consultation.groupes.annotate(restants=Count("codes")).order_by("libelle", "pk")
    ]
    total = CompteCodes(
        "Total",
        sum(c.generes for c in lignes),
        sum(c.retires for c in lignes),
        sum(c.restants for c in lignes),
    )
    return lignes, total


def groupe_de_codes(consultation: Consultation, pk: int) -> GroupeCodes:
    return get_object_or_404(
        GroupeCodes.objects.select_related("consultation"), consultation=consultation, pk=pk
    )


def resultat_consultation(consultation: Consultation) -> Resultat | None:
    """Les réponses agrégées, ou rien tant qu'il y a moins de SEUIL_ANONYMAT réponses."""
    reponses = list(consultation.reponses.values_list("pk", "reponses"))
    if len(reponses) < SEUIL_ANONYMAT:
        return None
    return calculer(
        consultation.instrument.definition,
        [
            Cotation(
                evaluateur=pk,
                item=item,
                valeur=r.get("valeur"),
                sans_objet=bool(r.get("sans_objet")),
                choix=tuple(r.get("choix") or ()),
            )
            for pk, contenu in reponses
            for item, r in contenu.items()
        ],
    )


@dataclass(frozen=True)
class EntreeJournal:
    date: datetime
    auteur: str
    texte: str


def _auteur(h: Any) -> str:  # une version historisée : simple-history n'a pas d'annotations
    return h.history_user.nom_affiche if h.history_user else "Système"


def journal(evaluation: Evaluation) -> list[EntreeJournal]:
    """Tout ce qui s'est passé dans une évaluation, avec son auteur, du plus récent au plus ancien.

    Tiré de l'historique (simple-history) : ouverture (ou import d'un fichier portable), invitations,
    chaque cotation et chaque changement de cotation, finalisation. Trois requêtes, quel que soit le
    nombre d'entrées (la provenance est lue avec l'évaluation).
    """
    definition = evaluation.instrument.definition
    items = {item.id: item for item in definition.items}
    entrees = []
    provenance = evaluation.importee  # lue avec l'évaluation (selectors.evaluation)
    for h in evaluation.history.select_related("history_user").order_by("history_date", "history_id"):
        if h.history_type == "+" and provenance is not None:
            entrees.append(EntreeJournal(h.history_date, _auteur(h), _importee(evaluation, provenance)))
        elif h.history_type == "+":
            entrees.append(EntreeJournal(h.history_date, _auteur(h), "a ouvert l'évaluation"))
        elif h.statut == Evaluation.Statut.FINALISEE:
            entrees.append(EntreeJournal(h.history_date, _auteur(h), "a finalisé l'évaluation"))
    profils = dict(Profil.choices)
    for h in (
        Evaluateur.history.filter(evaluation_id=evaluation.pk)
        .select_related("history_user", "utilisateur")
        .order_by("history_date", "history_id")
    ):
        verbe = "a invité" if h.history_type == "+" else "a changé le profil de"
        entrees.append(
            EntreeJournal(
                h.history_date,
                _auteur(h),
                f"{verbe} {h.utilisateur.nom_affiche} ({profils.get(h.profil, h.profil).lower()})",
            )
        )
    precedentes: dict[tuple[int, str], str] = {}
    for h in (
        Reponse.history.filter(evaluateur__evaluation=evaluation)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = _valeur_lisible(definition, items.get(h.item), h)
        cle = (h.evaluateur_id, h.item)
        avant = precedentes.get(cle)
        precedentes[cle] = valeur
        changement = f"{avant} → {valeur}" if avant is not None else valeur
        texte = f"a coté « {items[h.item].libelle if h.item in items else h.item} » : {changement}"
        if h.commentaire:
            texte += " (avec commentaire)"
        entrees.append(EntreeJournal(h.history_date, _auteur(h), texte))
    return sorted(entrees, key=lambda e: e.date, reverse=True)


def _importee(evaluation: Evaluation, provenance: ProvenanceEvaluation) -> str:
    le = evaluation.finalisee_le
    finalisee = f", finalisée là-bas le {timezone.localdate(le):%d/%m/%Y}" if le else ""
    return (
        f"a importé l'évaluation, faite dans « {provenance.origine} »{finalisee}, depuis le fichier "
        f"portable du {timezone.localdate(provenance.exportee_le):%d/%m/%Y}"
    )


def _valeur_lisible(definition: Definition, item: Item | None, h: Any) -> str:
    if h.choix:
        return ", ".join(h.choix)
    if h.sans_objet:
        return "sans objet"
    if h.valeur is None:
        return "sans note"
    return (
        str(h.valeur)
        if item is None
        else f"{h.valeur} ({definition.echelle_de(item).libelle(h.valeur).lower()})"
    )


def journal_des_codes(consultation: Consultation) -> list[EntreeJournal]:
    """Qui a généré ou retiré des codes, quand, pour quel groupe : les seuls faits datés des codes.

    Tiré de l'historique des groupes (une requête) ; l'usage d'un code n'y figure jamais.
    """
    entrees = []
    precedents: dict[int, tuple[int, int]] = {}
    for h in (
        GroupeCodes.history.filter(consultation_id=consultation.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        generes, retires = precedents.get(h.id, (0, 0))
        precedents[h.id] = (h.nb_generes, h.nb_retires)
        if h.nb_generes > generes:
            n = h.nb_generes - generes
            texte = f"a généré {n} code{'s' if n > 1 else ''} pour « {h.libelle} »"
        elif h.nb_retires > retires:
            n = h.nb_retires - retires
            texte = f"a retiré {n} code{'s' if n > 1 else ''} non utilisé{'s' if n > 1 else ''} de « {h.libelle} »"
        else:
            continue
        entrees.append(EntreeJournal(h.history_date, _auteur(h), texte))
    return sorted(entrees, key=lambda e: e.date, reverse=True)
