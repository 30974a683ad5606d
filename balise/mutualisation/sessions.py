"""Les sessions de formation qu'une mutualisante ouvre aux agents de ses membres (issue 17, point 2) :
l'ouvrir, la fermer ; chaque membre sous convention ouverte y compte ses participants par population,
et sa couverture de formation (balise/formations) les compte comme ceux de ses propres sessions. La
mutualisante voit les présences par membre, jamais les populations d'un membre en détail."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from balise import versions
from balise.formations import selectors as formations
from balise.formations import services as services_formations
from balise.formations.models import EFFECTIF_MAXIMUM, Participation, Population, SessionFormation
from balise.organisations.models import Organisation

from .models import TYPES_MUTUALISANTS, SessionOuverte
from .partages import mutualisantes_ouvertes

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

RECENTES = 20


@transaction.atomic
def ouvrir(mutualisante: Organisation, session_pk: int, par: Utilisateur) -> SessionOuverte:
    if mutualisante.type not in TYPES_MUTUALISANTS:
        raise ValidationError("Seule une organisation mutualisante ouvre ses sessions à des membres.")
    session = SessionFormation.objects.filter(organisation=mutualisante, pk=session_pk).first()
    if session is None:
        raise ValidationError("Choisissez une session de votre organisation.")
    existante = SessionOuverte.objects.filter(session=session).first()
    if existante is not None:
        if existante.fermee_le is None:
            raise ValidationError("Cette session est déjà ouverte aux membres.")
        existante.fermee_le = None
        versions.enregistrer(existante, par)
        return existante
    try:
        with transaction.atomic():
            return versions.attribuer(SessionOuverte(session=session, ouverte_par=par), par)
    except IntegrityError:
        raise ValidationError("Cette session est déjà ouverte aux membres.") from None


@transaction.atomic
def fermer(mutualisante: Organisation, pk: int, version: int | None, par: Utilisateur) -> SessionOuverte:
    """Plus aucun membre n'y compte de participants ; ceux déjà comptés restent."""
    ouverte = versions.verrouiller(
        SessionOuverte.objects.filter(fermee_le__isnull=True).select_related("session"), pk, version
    )
    if ouverte.session.organisation_id != mutualisante.pk:
        raise ValidationError("Seule la mutualisante qui l'a ouverte ferme cette session.")
    ouverte.fermee_le = timezone.now()
    versions.enregistrer(ouverte, par)
    return ouverte


def ouverte_pour(organisation: Organisation, pk: int, jour: date) -> SessionOuverte | None:
    """Une session ouverte que l'organisation voit : la sienne, ou celle d'une mutualisante dont la
    convention lui ouvre l'accès ce jour-là."""
    return (
        SessionOuverte.objects.filter(pk=pk, fermee_le__isnull=True)
        .filter(
            Q(session__organisation=organisation)
            | Q(session__organisation__in=mutualisantes_ouvertes(organisation, jour))
        )
        .select_related("session__organisation", "session__offre")
        .first()
    )


@transaction.atomic
def compter(
    membre: Organisation, pk: int, nombres: dict[int, int], par: Utilisateur, jour: date
) -> list[Participation]:
    """Remplace les participants que le membre compte à cette session : un nombre par population (0 ou
    absent : aucun). Bornés par l'effectif de chaque population ; la couverture et les obligations de
    formation du membre suivent."""
    ouverte = ouverte_pour(membre, pk, jour)
    if ouverte is None or ouverte.session.organisation_id == membre.pk:
        raise ValidationError("Cette session n'est pas ouverte à votre organisation.")
    populations = {p.pk: p for p in formations.populations(membre)}
    effectifs = {li.population.pk: li.effectif.valeur for li in formations.couverture(membre, jour)}
    for population_pk, nombre in nombres.items():
        if population_pk not in populations:
            raise ValidationError("Population inconnue dans votre organisation.")
        if isinstance(nombre, bool) or not isinstance(nombre, int) or not 0 <= nombre <= EFFECTIF_MAXIMUM:
            raise ValidationError("Le nombre de participants est un entier positif ou nul.")
        effectif = effectifs.get(population_pk)
        if effectif is not None and nombre > effectif:
            raise ValidationError(
                f"« {populations[population_pk].titre} » : {nombre} participants pour un effectif de {effectif}."
            )
    for ancienne in ouverte.session.participations.filter(population__organisation=membre):
        ancienne._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
        ancienne.delete()
    creees = [
        versions.attribuer(Participation(session=ouverte.session, population_id=p, nombre=n), par)
        for p, n in nombres.items()
        if n
    ]
    services_formations.suivre_obligations(membre, par)
    return creees


@dataclass(frozen=True)
class SessionVueDuMembre:
    ouverte: SessionOuverte
    populations: list[tuple[Population, int]]  # chaque population du membre et ce qu'il y a compté

    @property
    def total(self) -> int:
        return sum(n for _, n in self.populations)


def pour_le_membre(membre: Organisation, jour: date) -> list[SessionVueDuMembre]:
    """Les sessions ouvertes par ses mutualisantes (convention ouverte ce jour-là), les plus récentes,
    avec ce que le membre y a compté. Trois requêtes."""
    ouvertes = list(
        SessionOuverte.objects.filter(
            fermee_le__isnull=True, session__organisation__in=mutualisantes_ouvertes(membre, jour)
        )
        .select_related("session__organisation", "session__offre")
        .order_by("-session__date", "-pk")[:RECENTES]
    )
    if not ouvertes:
        return []
    populations = list(formations.populations(membre))
    comptes: dict[tuple[int, int], int] = {
        (p.session_id, p.population_id): p.nombre
        for p in Participation.objects.filter(
            population__organisation=membre, session__in=[o.session_id for o in ouvertes]
        )
    }
    return [
        SessionVueDuMembre(o, [(p, comptes.get((o.session_id, p.pk), 0)) for p in populations])
        for o in ouvertes
    ]


@dataclass(frozen=True)
class SessionDeLaMutualisante:
    ouverte: SessionOuverte
    par_membre: list[tuple[str, int]]  # nom du membre, participants comptés


def de_la_mutualisante(
    mutualisante: Organisation,
) -> tuple[list[SessionDeLaMutualisante], list[SessionFormation]]:
    """Ses sessions ouvertes (avec les présences par membre) et ses sessions récentes encore fermées."""
    ouvertes = list(
        SessionOuverte.objects.filter(session__organisation=mutualisante, fermee_le__isnull=True)
        .select_related("session__offre")
        .order_by("-session__date", "-pk")[:RECENTES]
    )
    presences: dict[int, list[tuple[str, int]]] = defaultdict(list)
    lignes = (
        Participation.objects.filter(session__in=[o.session_id for o in ouvertes])
        .exclude(population__organisation=mutualisante)
        .values("session_id", "population__organisation__nom")
        .annotate(n=Sum("nombre"))
        .order_by("population__organisation__nom")
    )
    for ligne in lignes:
        presences[ligne["session_id"]].append((ligne["population__organisation__nom"], ligne["n"]))
    fermees = list(
        SessionFormation.objects.filter(organisation=mutualisante)
        .exclude(ouverture__fermee_le__isnull=True, ouverture__isnull=False)
        .select_related("offre")
        .order_by("-date", "-pk")[:RECENTES]
    )
    return [SessionDeLaMutualisante(o, presences.get(o.session_id, [])) for o in ouvertes], fermees
