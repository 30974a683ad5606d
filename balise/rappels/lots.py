"""« À traiter » pour tout un lot de personnes à la fois : le même résultat que
`gouvernance.a_traiter.pour_personne`, appelé pour chaque (personne, organisation) du lot, en un
nombre de requêtes qui ne dépend ni du nombre de personnes ni du nombre d'éléments.

`pour_personne` fait une dizaine de requêtes par personne et par organisation : pour 10 000 personnes,
100 000 allers-retours, la première dépense d'une tournée. Ici, une requête par catégorie pour tout le
lot (obligations, conditions : totaux groupés et listes bornées à `LIMITE` par une fonction de fenêtre ;
évaluations ; sièges et séances ; décisions attendues et systèmes à requalifier, listes propres à
chaque organisation, partagées par ses personnes ; actions du programme).

La règle de ce qui est dû reste celle de a_traiter.py : ses constantes (`JOURS_PROCHES`, `LIMITE`,
`SEANCES_A_VENIR`), ses droits, et ses ensembles de départ (`obligations_a_suivre`,
`conditions_a_suivre`, `systemes_en_attente_de_decision`, `systemes_a_requalifier`,
`actions_a_suivre`) recopiés ici à un
seul changement près : le filtre sur une organisation devient un filtre sur celles du lot. Qui change
l'une change l'autre : tests/test_rappels.py vérifie que
les deux donnent le même résultat sur des personnes de tous les rôles.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from balise.conformite.models import ObligationSuivie, Qualification
from balise.gouvernance import a_traiter as regle
from balise.gouvernance.a_traiter import ATraiter, EvaluationACoter, SeanceAVenir
from balise.gouvernance.models import Condition, Decision, Membre, Point, Seance
from balise.instruments.models import Evaluateur, Evaluation
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut
from balise.programme.models import Action
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA

Cle = tuple[int, int]  # (personne, organisation)


def _depart(modele: type[Any], organisations: list[int], aujourd_hui: date) -> QuerySet[Any]:
    """L'ensemble de départ de a_traiter.py (`obligations_a_suivre` ou `conditions_a_suivre`) pour
    une organisation, élargi à toutes celles du lot : son filtre sur l'organisation est remplacé."""
    if modele is ObligationSuivie:
        qs = ObligationSuivie.objects.filter(applicable=True, systeme__archive_le__isnull=True).exclude(
            statut__in=ObligationSuivie.TERMINES
        )
        return qs.filter(organisation_id__in=organisations).avec_retard(aujourd_hui)
    return (
        Condition.objects.filter(organisation_id__in=organisations, systeme__archive_le__isnull=True)
        .en_attente()
        .avec_retard(aujourd_hui)
    )


def _dus(
    modele: type[Any],
    resultats: dict[Cle, ATraiter],
    personnes: list[int],
    organisations: list[int],
    aujourd_hui: date,
) -> dict[Cle, tuple[int, int, list[Any]]]:
    horizon = aujourd_hui + timedelta(days=regle.JOURS_PROCHES)
    qs = _depart(modele, organisations, aujourd_hui).filter(
        responsable_id__in=personnes, echeance__lte=horizon
    )
    totaux = {
        (t["responsable_id"], t["organisation_id"]): (t["total"], t["retard"])
        for t in qs.values("responsable_id", "organisation_id")
        .annotate(total=Count("pk"), retard=Count("pk", filter=Q(en_retard=True)))
        .order_by()
    }
    rang = Window(
        RowNumber(),
        partition_by=[F("responsable_id"), F("organisation_id")],
        order_by=[F("echeance").asc(), F("systeme__nom").asc(), F("pk").asc()],
    )
    listes: dict[Cle, list[Any]] = defaultdict(list)
    lignes = (
        qs.select_related("systeme")
        .annotate(rang=rang)
        .filter(rang__lte=regle.LIMITE)
        .order_by("echeance", "systeme__nom", "pk")
    )
    for ligne in lignes:
        listes[(ligne.responsable_id, ligne.organisation_id)].append(ligne)
    return {
        cle: (total, retard, listes.get(cle, []))
        for cle, (total, retard) in totaux.items()
        if cle in resultats and resultats[cle].voit_registre
    }


def _actions(
    resultats: dict[Cle, ATraiter], personnes: list[int], organisations: list[int], aujourd_hui: date
) -> dict[Cle, tuple[int, int, list[Action]]]:
    """`a_traiter.actions_a_suivre` du responsable, pour tout le lot : une requête, les totaux et le
    rang par fonctions de fenêtre partagées par (responsable, organisation)."""
    horizon = aujourd_hui + timedelta(days=regle.JOURS_PROCHES)
    partition = [F("responsable_id"), F("organisation_id")]
    qs = (
        Action.objects.filter(organisation_id__in=organisations, responsable_id__in=personnes)
        .ouvertes()
        .avec_retard(aujourd_hui)
        .filter(echeance__lte=horizon)
        .only(*regle.CHAMPS_ACTION)
        .annotate(
            rang=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("echeance").asc(), F("intitule").asc(), F("pk").asc()],
            ),
            total=Window(Count("pk"), partition_by=partition),
            retard=Window(
                Sum(Case(When(en_retard=True, then=Value(1)), default=Value(0))), partition_by=partition
            ),
        )
    )
    trouvees: dict[Cle, tuple[int, int, list[Action]]] = {}
    for a in qs.filter(rang__lte=regle.LIMITE).order_by("echeance", "intitule", "pk"):
        cle = (a.responsable_id or 0, a.organisation_id)
        if cle not in resultats or not resultats[cle].voit_registre:
            continue
        # `total` et `retard` : annotations des fonctions de fenêtre, portées par chaque ligne.
        totaux = (getattr(a, "total", 0), getattr(a, "retard", 0) or 0)
        trouvees.setdefault(cle, (*totaux, []))[2].append(a)
    return trouvees


def _evaluations(
    resultats: dict[Cle, ATraiter], personnes: list[int], organisations: list[int]
) -> dict[Cle, list[EvaluationACoter]]:
    invitations = (
        Evaluateur.objects.filter(
            utilisateur_id__in=personnes,
            evaluation__organisation_id__in=organisations,
            evaluation__statut=Evaluation.Statut.EN_COURS,
            evaluation__systeme__archive_le__isnull=True,
        )
        .select_related("evaluation__systeme", "evaluation__instrument")
        .annotate(cotes=Count("reponses"))
        .order_by("evaluation__cree_le", "pk")
    )
    items: dict[int, int] = {}
    trouvees: dict[Cle, list[EvaluationACoter]] = defaultdict(list)
    for invitation in invitations:
        evaluation = invitation.evaluation
        cle = (invitation.utilisateur_id, evaluation.organisation_id)
        if cle not in resultats or not resultats[cle].voit_registre:
            continue
        if evaluation.instrument_id not in items:
            items[evaluation.instrument_id] = len(evaluation.instrument.definition.items)
        total = items[evaluation.instrument_id]
        if invitation.cotes < total:
            trouvees[cle].append(EvaluationACoter(evaluation, invitation.cotes, total))
    return {cle: liste[: regle.LIMITE] for cle, liste in trouvees.items()}


def _seances(siegent: set[Cle], personnes: list[int], aujourd_hui: date) -> dict[Cle, list[SeanceAVenir]]:
    if not siegent:
        return {}
    sieges = Membre.objects.filter(
        utilisateur_id__in=personnes,
        retire_le__isnull=True,
        instance__organisation_id__in={org for _, org in siegent},
        instance__archive_le__isnull=True,
    ).values_list("utilisateur_id", "instance_id", "instance__organisation_id")
    instances_de: dict[Cle, set[int]] = defaultdict(set)
    for personne, instance, org in sieges:
        if (personne, org) in siegent:
            instances_de[(personne, org)].add(instance)
    toutes = set().union(*instances_de.values()) if instances_de else set()
    if not toutes:
        return {}
    seances = list(
        Seance.objects.filter(
            instance_id__in=toutes,
            statut__in=regle.SEANCES_A_VENIR,
            debut__gte=regle.debut_du_jour(aujourd_hui),
        )
        .select_related("instance")
        # Comme a_traiter.py : l'ordre du jour lu une fois ; ses points au dossier prêt sont à lire.
        .prefetch_related(
            Prefetch("points", queryset=Point.objects.order_by("ordre", "pk"), to_attr="ordre_du_jour")
        )
        .order_by("debut", "pk")
    )
    return {
        cle: [
            SeanceAVenir(s, [p for p in s.ordre_du_jour if p.dossier], len(s.ordre_du_jour))
            for s in seances
            if s.instance_id in instances
        ][: regle.LIMITE]
        for cle, instances in instances_de.items()
    }


def _en_attente_de_decision(organisations: list[int]) -> QuerySet[SystemeIA]:
    """`a_traiter.systemes_en_attente_de_decision`, pour toutes les organisations du lot."""
    entree = (
        ChangementStade.objects.filter(systeme=OuterRef("pk"), vers=Stade.DECISION)
        .order_by("-le", "-pk")
        .values("le")[:1]
    )
    decidee = Decision.objects.filter(systeme=OuterRef("pk"), cree_le__gte=OuterRef("entree"))
    return (
        SystemeIA.objects.filter(organisation_id__in=organisations, stade=Stade.DECISION)
        .actifs()
        .annotate(entree=Coalesce(Subquery(entree), F("cree_le")))
        .filter(~Exists(decidee))
        .only("pk", "nom", "service", "stade", "organisation_id", "cree_le")
    )


def _a_requalifier(organisations: list[int]) -> QuerySet[SystemeIA]:
    """`a_traiter.systemes_a_requalifier`, pour toutes les organisations du lot."""
    signalees = Qualification.objects.filter(systeme=OuterRef("pk"), a_requalifier=True)
    return (
        SystemeIA.objects.filter(organisation_id__in=organisations)
        .actifs()
        .filter(Exists(signalees))
        .only("pk", "nom", "service", "stade", "organisation_id")
    )


def _par_organisation(qs: QuerySet[SystemeIA], ordre: list[str]) -> dict[int, tuple[list[SystemeIA], int]]:
    """Les `LIMITE` premiers de chaque organisation, dans l'ordre de a_traiter.py, et leur total exact."""
    partition = [F("organisation_id")]
    lignes = (
        qs.annotate(
            rang=Window(RowNumber(), partition_by=partition, order_by=[F(c).asc() for c in ordre]),
            total=Window(Count("pk"), partition_by=partition),
        )
        .filter(rang__lte=regle.LIMITE)
        .order_by(*ordre)
    )
    trouves: dict[int, tuple[list[SystemeIA], int]] = {}
    for systeme in lignes:
        liste, _ = trouves.setdefault(systeme.organisation_id, ([], systeme.total))
        liste.append(systeme)
    return trouves


def pour_lot(adhesions: list[Adhesion], aujourd_hui: date) -> dict[Cle, ATraiter]:
    """`pour_personne(a.utilisateur, a.organisation, a.role, aujourd_hui)` pour chaque adhésion, par clé
    (personne, organisation). Les adhésions portent leur organisation (select_related)."""
    resultats: dict[Cle, ATraiter] = {}
    siegent: set[Cle] = set()
    for a in adhesions:
        voit = peut(a.role, Permission.VOIR_REGISTRE)
        r = ATraiter(
            organisation=a.organisation,
            aujourd_hui=aujourd_hui,
            voit_registre=voit,
            gouverne=voit and peut(a.role, Permission.GOUVERNER),
            qualifie=voit and peut(a.role, Permission.QUALIFIER),
        )
        resultats[(a.utilisateur_id, a.organisation_id)] = r
        if peut(a.role, Permission.SIEGER):
            siegent.add((a.utilisateur_id, a.organisation_id))
    if not resultats:
        return resultats
    personnes = sorted({p for p, _ in resultats})
    registre = sorted({o for (_, o), r in resultats.items() if r.voit_registre})

    for cle, seances in _seances(siegent, personnes, aujourd_hui).items():
        resultats[cle].seances = seances
    if registre:
        for cle, (total, retard, liste) in _dus(
            ObligationSuivie, resultats, personnes, registre, aujourd_hui
        ).items():
            r = resultats[cle]
            r.nb_obligations, r.nb_obligations_en_retard, r.obligations = total, retard, liste
        for cle, (total, retard, liste) in _dus(
            Condition, resultats, personnes, registre, aujourd_hui
        ).items():
            r = resultats[cle]
            r.nb_conditions, r.nb_conditions_en_retard, r.conditions = total, retard, liste
        for cle, evaluations in _evaluations(resultats, personnes, registre).items():
            resultats[cle].evaluations = evaluations
        for cle, (total, retard, liste) in _actions(resultats, personnes, registre, aujourd_hui).items():
            r = resultats[cle]
            r.nb_actions, r.nb_actions_en_retard, r.actions = total, retard, liste

        # Indicateurs dont la personne est responsable (a_traiter.indicateurs_a_suivre) : une requête.
        qs = regle.indicateurs.Indicateur.objects.filter(
            organisation_id__in=registre, responsable_id__in=personnes
        )
        mesures: dict[Cle, list[Any]] = defaultdict(list)
        for s in regle.indicateurs_a_suivre(qs, aujourd_hui):
            mesures[(s.indicateur.responsable_id, s.indicateur.organisation_id)].append(s)
        for cle, liste in mesures.items():
            if cle in resultats and resultats[cle].voit_registre:
                resultats[cle].mesures, resultats[cle].nb_mesures = liste[: regle.LIMITE], len(liste)

    # Listes propres à l'organisation, partagées par ses personnes : une requête pour tout le lot.
    gouvernees = sorted({o for (_, o), r in resultats.items() if r.gouverne})
    qualifiees = sorted({o for (_, o), r in resultats.items() if r.qualifie})
    decisions = (
        _par_organisation(_en_attente_de_decision(gouvernees), ["entree", "nom", "pk"]) if gouvernees else {}
    )
    requalifier = _par_organisation(_a_requalifier(qualifiees), ["nom", "pk"]) if qualifiees else {}
    for (_, org), r in resultats.items():
        if r.gouverne:
            r.decisions_attendues, r.nb_decisions_attendues = decisions.get(org, ([], 0))
        if r.qualifie:
            r.a_requalifier, r.nb_a_requalifier = requalifier.get(org, ([], 0))
    return resultats
