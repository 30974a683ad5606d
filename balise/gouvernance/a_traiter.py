"""Ce qui attend une personne dans une organisation : la page « À traiter » et le courriel récapitulatif.

Un seul sélecteur, `pour_personne`, que la page et les rappels partagent : ce qu'il rassemble est
exactement ce que la personne a le droit de voir (organisations/roles.py, gouvernance/droits.py).

- ses obligations et ses conditions (elle en est responsable) en retard ou à échéance dans les
  `JOURS_PROCHES` jours, si elle voit le registre ;
- les évaluations en cours où elle est invitée et qu'elle n'a pas fini de coter ;
- les séances à venir des instances où elle siège, avec les points dont le dossier est à lire ;
- les systèmes au stade « décision » sans décision enregistrée depuis qu'ils y sont (GOUVERNER) ;
- les systèmes à requalifier (QUALIFIER) ;
- les indicateurs dont elle est responsable, si elle voit le registre : mesure due (la période est
  finie) ou en retard (indicateurs/echeances.py), ou dernière mesure hors cible dont l'écart n'a pas
  encore été analysé en revue.
- ses actions de la feuille de route du programme (elle en est responsable), ouvertes, en retard ou à
  échéance dans les `JOURS_PROCHES` jours, si elle voit le registre (une requête : totaux par fenêtre).

Un membre externe (rôle EXTERNE : SIEGER seul) n'y voit que ses séances. Le retard suit la seule règle
de `avec_retard` (obligations et conditions) : il dépend de la date passée en argument, jamais d'une
écriture, et apparaît donc dès le lendemain de l'échéance. Le nombre de requêtes ne dépend pas des
volumes (au plus `MAX_REQUETES`), et chaque liste est bornée à `LIMITE` éléments, ses totaux exacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

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
from django.db.models.functions import Coalesce
from django.utils import timezone

from balise.conformite.models import ObligationSuivie, Qualification

# Import tardif évité : l'application des indicateurs dépend de la gouvernance (points de revue), pas
# l'inverse ; seul ce module et les rappels lisent ses modèles.
from balise.indicateurs import selectors as indicateurs  # noqa: E402
from balise.instruments.models import Evaluateur, Evaluation
from balise.organisations.roles import Permission, peut
from balise.programme.models import Action
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA

from .models import Condition, Decision, Membre, Point, Seance

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation

# « À échéance proche » : dans les 30 jours qui viennent (aujourd'hui compris).
JOURS_PROCHES = 30
# Les plus urgents d'abord ; au-delà, la page renvoie aux listes complètes et les totaux restent exacts.
LIMITE = 20
# Deux par section au plus (la liste, puis son total si elle dépasse LIMITE), une pour les évaluations,
# une pour les indicateurs de la personne, une pour les actions du programme (liste et totaux par
# fonction de fenêtre).
MAX_REQUETES = 13
# Séances annoncées : celles qui ne sont ni tenues ni annulées.
SEANCES_A_VENIR = (Seance.Statut.PREVUE, Seance.Statut.CONVOQUEE)


@dataclass(frozen=True)
class EvaluationACoter:
    evaluation: Evaluation
    cotes: int  # items déjà cotés par la personne
    items: int  # items de l'instrument

    @property
    def commencee(self) -> bool:
        return self.cotes > 0


@dataclass(frozen=True)
class SeanceAVenir:
    seance: Seance
    # Les points de l'ordre du jour dont le dossier est prêt : à lire avant la séance.
    dossiers: list[Point]
    points: int  # nombre de points à l'ordre du jour


@dataclass
class ATraiter:
    """Ce qui attend une personne. Les listes sont triées (la plus urgente d'abord) et bornées à
    `LIMITE` ; les nombres `nb_…` sont les totaux exacts. Les objets ne portent que les champs
    affichés (`only`) : obligations (titre, echeance, statut, en_retard, systeme.nom), conditions
    (intitule, echeance, statut, en_retard, systeme.nom), séances (debut, lieu, statut, instance.nom)
    et leurs points (titre, dossier), systèmes (nom, service, stade) ; lire un autre champ coûte une
    requête par objet."""

    organisation: Organisation
    aujourd_hui: date
    # Ce que la personne peut voir : la page n'affiche que les sections ouvertes.
    voit_registre: bool
    gouverne: bool
    qualifie: bool
    obligations: list[ObligationSuivie] = field(default_factory=list)  # chacune porte `en_retard`
    nb_obligations: int = 0
    nb_obligations_en_retard: int = 0
    conditions: list[Condition] = field(default_factory=list)  # chacune porte `en_retard`
    nb_conditions: int = 0
    nb_conditions_en_retard: int = 0
    evaluations: list[EvaluationACoter] = field(default_factory=list)
    seances: list[SeanceAVenir] = field(default_factory=list)
    decisions_attendues: list[SystemeIA] = field(default_factory=list)
    nb_decisions_attendues: int = 0
    a_requalifier: list[SystemeIA] = field(default_factory=list)
    nb_a_requalifier: int = 0
    # Indicateurs dont la personne est responsable : mesure due, en retard, ou hors cible.
    mesures: list[indicateurs.Suivi] = field(default_factory=list)
    nb_mesures: int = 0

    @property
    def nb_mesures_en_retard(self) -> int:
        return sum(1 for m in self.mesures if m.etat.en_retard)

    actions: list[Action] = field(default_factory=list)  # chacune porte `en_retard`
    nb_actions: int = 0
    nb_actions_en_retard: int = 0

    @property
    def en_retard(self) -> int:
        return self.nb_obligations_en_retard + self.nb_conditions_en_retard + self.nb_actions_en_retard

    @property
    def vide(self) -> bool:
        return not (
            self.nb_obligations
            or self.nb_conditions
            or self.evaluations
            or self.seances
            or self.nb_decisions_attendues
            or self.nb_a_requalifier
            or self.nb_mesures
            or self.nb_actions
        )


def debut_du_jour(jour: date) -> datetime:
    """Minuit (heure locale) du jour donné : une séance du jour reste « à venir » toute la journée."""
    return timezone.make_aware(datetime.combine(jour, time.min))


def obligations_a_suivre(organisation: Organisation, aujourd_hui: date) -> QuerySet[ObligationSuivie]:
    """Les obligations encore applicables et ouvertes des systèmes actifs, avec `en_retard`."""
    return (
        ObligationSuivie.objects.filter(
            organisation=organisation, applicable=True, systeme__archive_le__isnull=True
        )
        .exclude(statut__in=ObligationSuivie.TERMINES)
        .avec_retard(aujourd_hui)
    )


def conditions_a_suivre(organisation: Organisation, aujourd_hui: date) -> QuerySet[Condition]:
    """Les conditions en attente des systèmes actifs, avec `en_retard`."""
    return (
        Condition.objects.filter(organisation=organisation, systeme__archive_le__isnull=True)
        .en_attente()
        .avec_retard(aujourd_hui)
    )


def systemes_en_attente_de_decision(organisation: Organisation) -> QuerySet[SystemeIA]:
    """Les systèmes actifs au stade « décision » sans décision enregistrée depuis leur dernier passage
    à ce stade (à défaut de passage enregistré : depuis leur création). Chacun porte `entree` (date et heure de
    son arrivée au stade)."""
    entree = (
        ChangementStade.objects.filter(systeme=OuterRef("pk"), vers=Stade.DECISION)
        .order_by("-le", "-pk")
        .values("le")[:1]
    )
    decidee = Decision.objects.filter(systeme=OuterRef("pk"), cree_le__gte=OuterRef("entree"))
    return (
        SystemeIA.objects.filter(organisation=organisation, stade=Stade.DECISION)
        .actifs()
        # Sans passage enregistré, le système a été créé à ce stade : toute décision compte.
        .annotate(entree=Coalesce(Subquery(entree), F("cree_le")))
        .filter(~Exists(decidee))
        .only("pk", "nom", "service", "stade", "organisation_id", "cree_le")
        .order_by("entree", "nom", "pk")
    )


def systemes_a_requalifier(organisation: Organisation) -> QuerySet[SystemeIA]:
    """Les systèmes actifs dont une qualification est signalée « à requalifier »."""
    signalees = Qualification.objects.filter(systeme=OuterRef("pk"), a_requalifier=True)
    return (
        SystemeIA.objects.filter(organisation=organisation)
        .actifs()
        .filter(Exists(signalees))
        .only("pk", "nom", "service", "stade", "organisation_id")
        .order_by("nom", "pk")
    )


def actions_a_suivre(organisation: Organisation, aujourd_hui: date) -> QuerySet[Action]:
    """Les actions ouvertes (ni faites ni abandonnées) de la feuille de route, avec `en_retard`."""
    return Action.objects.filter(organisation=organisation).ouvertes().avec_retard(aujourd_hui)


CHAMPS_ACTION = ("pk", "intitule", "echeance", "etat", "etape", "organisation_id", "responsable_id")


def premieres_actions(qs: QuerySet[Action]) -> tuple[list[Action], int, int]:
    """Les `LIMITE` actions les plus urgentes, leur total et le nombre en retard, en une requête : les
    totaux sont lus sur chaque ligne par des fonctions de fenêtre calculées avant la limite."""
    lignes = list(
        qs.only(*CHAMPS_ACTION)
        .annotate(
            total=Window(Count("pk")),
            retard=Window(Sum(Case(When(en_retard=True, then=Value(1)), default=Value(0)))),
        )
        .order_by("echeance", "intitule", "pk")[:LIMITE]
    )
    if not lignes:
        return [], 0, 0
    return list[Action](lignes), lignes[0].total, lignes[0].retard or 0


_CHAMPS_SYSTEME = ("systeme__nom", "systeme__organisation_id")


def _premieres(qs: QuerySet, champs: tuple[str, ...]) -> tuple[list, int, int]:
    """Les `LIMITE` premières (les plus urgentes), leur total et le nombre en retard : comptés sur la
    liste quand elle tient dans la limite (le cas courant), par une requête d'agrégat sinon."""
    lignes = list(
        qs.select_related("systeme")
        .only(*champs, *_CHAMPS_SYSTEME)
        .order_by("echeance", "systeme__nom", "pk")[: LIMITE + 1]
    )
    if len(lignes) <= LIMITE:
        return lignes, len(lignes), sum(1 for x in lignes if x.en_retard)
    totaux = qs.aggregate(total=Count("pk"), retard=Count("pk", filter=Q(en_retard=True)))
    return lignes[:LIMITE], totaux["total"], totaux["retard"]


def _evaluations(utilisateur: Utilisateur, organisation: Organisation) -> list[EvaluationACoter]:
    invitations = (
        Evaluateur.objects.filter(
            utilisateur=utilisateur,
            evaluation__organisation=organisation,
            evaluation__statut=Evaluation.Statut.EN_COURS,
            evaluation__systeme__archive_le__isnull=True,
        )
        .select_related("evaluation__systeme", "evaluation__instrument")
        .only(
            "evaluation__cree_le",
            "evaluation__moment",
            "evaluation__organisation_id",
            "evaluation__systeme__nom",
            "evaluation__systeme__organisation_id",
            "evaluation__instrument__titre",
            "evaluation__instrument__contenu",
        )
        .annotate(cotes=Count("reponses"))
        .order_by("evaluation__cree_le", "pk")
    )
    resultat = []
    for invitation in invitations:
        evaluation = invitation.evaluation
        items = len(evaluation.instrument.definition.items)
        if invitation.cotes < items:
            resultat.append(EvaluationACoter(evaluation, invitation.cotes, items))
    return resultat[:LIMITE]


def _seances(utilisateur: Utilisateur, organisation: Organisation, aujourd_hui: date) -> list[SeanceAVenir]:
    instances = Membre.objects.filter(
        utilisateur=utilisateur,
        retire_le__isnull=True,
        instance__organisation=organisation,
        instance__archive_le__isnull=True,
    ).values("instance_id")
    seances = (
        Seance.objects.filter(
            instance_id__in=instances, statut__in=SEANCES_A_VENIR, debut__gte=debut_du_jour(aujourd_hui)
        )
        .select_related("instance")
        .only("pk", "debut", "lieu", "statut", "instance__nom", "instance__organisation_id")
        .prefetch_related(
            Prefetch(
                "points",
                queryset=Point.objects.only("pk", "seance_id", "titre", "dossier", "ordre").order_by(
                    "ordre", "pk"
                ),
                to_attr="ordre_du_jour",
            )
        )
        .order_by("debut", "pk")[:LIMITE]
    )
    return [SeanceAVenir(s, [p for p in s.ordre_du_jour if p.dossier], len(s.ordre_du_jour)) for s in seances]


def indicateurs_a_suivre(qs: QuerySet, aujourd_hui: date) -> list[indicateurs.Suivi]:
    """Parmi les indicateurs de `qs`, ceux qui attendent leur responsable : mesure due ou en retard, ou
    dernière mesure hors cible dont l'écart n'a pas été analysé en revue. Les plus urgents d'abord
    (en retard, puis hors cible, puis par échéance). Une requête."""
    suivis = [
        indicateurs.suivi(i, aujourd_hui)
        for i in indicateurs.avec_derniere(
            qs.filter(archive_le__isnull=True).select_related("systeme").order_by("pk")
        )
    ]
    retenus = [
        s
        for s in suivis
        if s.etat.due or (s.hors_cible and not getattr(s.indicateur, "derniere_analysee", False))
    ]
    return sorted(
        retenus, key=lambda s: (not s.etat.en_retard, not s.hors_cible, s.etat.echeance, s.indicateur.pk)
    )


def pour_personne(
    utilisateur: Utilisateur, organisation: Organisation, role: str, aujourd_hui: date
) -> ATraiter:
    """Ce qui attend `utilisateur` dans `organisation`, où il a le rôle `role`, à la date `aujourd_hui`."""
    voit_registre = peut(role, Permission.VOIR_REGISTRE)
    resultat = ATraiter(
        organisation=organisation,
        aujourd_hui=aujourd_hui,
        voit_registre=voit_registre,
        gouverne=voit_registre and peut(role, Permission.GOUVERNER),
        qualifie=voit_registre and peut(role, Permission.QUALIFIER),
    )
    if peut(role, Permission.SIEGER):
        resultat.seances = _seances(utilisateur, organisation, aujourd_hui)
    if not voit_registre:
        return resultat  # un membre externe : ses séances, rien d'autre de l'organisation
    horizon = aujourd_hui + timedelta(days=JOURS_PROCHES)

    obligations = obligations_a_suivre(organisation, aujourd_hui).filter(
        responsable=utilisateur, echeance__lte=horizon
    )
    resultat.obligations, resultat.nb_obligations, resultat.nb_obligations_en_retard = _premieres(
        obligations, ("titre", "echeance", "statut", "systeme")
    )
    conditions = conditions_a_suivre(organisation, aujourd_hui).filter(
        responsable=utilisateur, echeance__lte=horizon
    )
    resultat.conditions, resultat.nb_conditions, resultat.nb_conditions_en_retard = _premieres(
        conditions, ("intitule", "echeance", "statut", "systeme")
    )

    resultat.evaluations = _evaluations(utilisateur, organisation)

    mesures = indicateurs_a_suivre(
        indicateurs.Indicateur.objects.filter(organisation=organisation, responsable=utilisateur), aujourd_hui
    )
    resultat.mesures, resultat.nb_mesures = mesures[:LIMITE], len(mesures)
    actions = actions_a_suivre(organisation, aujourd_hui).filter(
        responsable=utilisateur, echeance__lte=horizon
    )
    resultat.actions, resultat.nb_actions, resultat.nb_actions_en_retard = premieres_actions(actions)

    if resultat.gouverne:
        attendues = list(systemes_en_attente_de_decision(organisation)[: LIMITE + 1])
        resultat.decisions_attendues = attendues[:LIMITE]
        resultat.nb_decisions_attendues = (
            len(attendues)
            if len(attendues) <= LIMITE
            else systemes_en_attente_de_decision(organisation).count()
        )
    if resultat.qualifie:
        requalifier = list(systemes_a_requalifier(organisation)[: LIMITE + 1])
        resultat.a_requalifier = requalifier[:LIMITE]
        resultat.nb_a_requalifier = (
            len(requalifier) if len(requalifier) <= LIMITE else systemes_a_requalifier(organisation).count()
        )
    return resultat
