"""Les lectures du programme : avancement des étapes, actions filtrées, sensibilisation, veille, et le
bilan d'une période (`bilan`, que le rapport annuel appelle). Chaque lecture coûte un nombre de requêtes
qui ne dépend pas des volumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from . import referentiel
from .models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation

if TYPE_CHECKING:
    from balise.organisations.models import Organisation


@dataclass(frozen=True)
class EtapeSuivie:
    etape: referentiel.Etape
    etat: str  # valeur de EtatEtape.Etat
    libelle: str
    commentaire: str
    version: int  # 0 : jamais renseignée
    sources: list[str]


def etapes(organisation: Organisation) -> list[EtapeSuivie]:
    """Les cinq étapes dans l'ordre, chacune avec son état pour l'organisation (une requête)."""
    ref = referentiel.en_vigueur()
    lignes = {e.etape: e for e in EtatEtape.objects.filter(organisation=organisation)}
    libelles = dict(EtatEtape.Etat.choices)
    resultat = []
    for etape in ref.etapes:
        ligne = lignes.get(etape.id)
        etat = ligne.etat if ligne else EtatEtape.Etat.A_VENIR
        resultat.append(
            EtapeSuivie(
                etape,
                etat,
                str(libelles[etat]),
                ligne.commentaire if ligne else "",
                ligne.version if ligne else 0,
                ref.citer(etape.references),
            )
        )
    return resultat


def etat_etape(organisation: Organisation, etape_id: str) -> EtatEtape | None:
    return EtatEtape.objects.filter(organisation=organisation, etape=etape_id).first()


def actions(
    organisation: Organisation,
    aujourd_hui: date,
    etape: str = "",
    etat: str = "",
    en_retard: bool = False,
) -> QuerySet[Action]:
    """Les actions de la feuille de route, chacune avec `en_retard`, filtrées (étape, état, en retard),
    les plus urgentes d'abord ; le responsable est lu avec elles (une requête)."""
    qs = (
        Action.objects.filter(organisation=organisation)
        .avec_retard(aujourd_hui)
        .select_related("responsable")
    )
    if etape:
        qs = qs.filter(etape=etape)
    if etat:
        qs = qs.filter(etat=etat)
    if en_retard:
        qs = qs.filter(Q(en_retard=True))
    return qs.order_by("-en_retard", "echeance", "pk")


def action(organisation: Organisation, pk: int, aujourd_hui: date) -> Action:
    """Une action de l'organisation (404 sinon)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Action.objects.filter(organisation=organisation)
        .avec_retard(aujourd_hui)
        .select_related("responsable"),
        pk=pk,
    )


def sensibilisations(organisation: Organisation) -> QuerySet[Sensibilisation]:
    """Les actions de sensibilisation, les plus récentes d'abord, avec `total` (participants) et leurs
    participants par public (`par_public`) : deux requêtes."""
    return (
        Sensibilisation.objects.filter(organisation=organisation)
        .annotate(total=Sum("participants__nombre"))
        .prefetch_related(
            Prefetch("participants", queryset=Participants.objects.order_by("public"), to_attr="par_public")
        )
        .order_by("-date", "-pk")
    )


def sensibilisation(organisation: Organisation, pk: int) -> Sensibilisation:
    """Une action de sensibilisation de l'organisation (404 sinon)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Sensibilisation.objects.filter(organisation=organisation), pk=pk)


def note(organisation: Organisation, pk: int) -> NoteVeille:
    """Une note de veille de l'organisation (404 sinon)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(NoteVeille.objects.filter(organisation=organisation), pk=pk)


def notes(organisation: Organisation, etiquette: str = "") -> QuerySet[NoteVeille]:
    """Les notes de veille de l'organisation, les plus récentes d'abord ; `etiquette` : celles qui la
    portent (une requête)."""
    qs = NoteVeille.objects.filter(organisation=organisation).select_related("auteur")
    if etiquette:
        qs = qs.filter(etiquettes__contains=f";{etiquette.strip().lower()};")
    return qs.order_by("-date", "-pk")


def etiquettes(organisation: Organisation) -> list[str]:
    """Les étiquettes employées dans la veille de l'organisation, triées (une requête)."""
    vues: set[str] = set()
    for valeur in NoteVeille.objects.filter(organisation=organisation).values_list("etiquettes", flat=True):
        vues.update(e for e in valeur.split(";") if e)
    return sorted(vues)


@dataclass
class Bilan:
    """Le programme d'une organisation sur une période [debut, fin] (bornes comprises)."""

    debut: date
    fin: date
    etapes: list[EtapeSuivie]
    actions_faites: list[Action] = field(default_factory=list)
    # Échéance dans la période, ni faite au plus tard à la fin de la période, ni abandonnée.
    actions_en_retard: list[Action] = field(default_factory=list)
    nb_sensibilisations: int = 0
    participants: int = 0
    participants_par_public: dict[str, int] = field(default_factory=dict)  # libellé du public → nombre
    nb_notes_veille: int = 0


def bilan(organisation: Organisation, debut: date, fin: date, aujourd_hui: date | None = None) -> Bilan:
    """Le bilan de la période pour le rapport annuel, en cinq requêtes quels que soient les volumes :
    étapes et états ; actions faites dans la période et actions en retard à sa fin ; nombre d'actions
    de sensibilisation et de participants (total et par public) ; nombre de notes de veille.

    Une action est en retard à la fin de la période (ou aujourd'hui, si la période n'est pas finie) :
    son échéance, dans la période, est passée à cette date sans qu'elle soit faite, ni abandonnée (la
    règle d'`ActionQuerySet.avec_retard`, à cette date)."""
    resultat = Bilan(debut, fin, etapes(organisation))
    borne = min(fin, aujourd_hui or timezone.localdate())
    faites = Q(faite_le__gte=debut, faite_le__lte=fin, etat=Action.Etat.FAITE)
    retard = (
        Q(echeance__gte=debut, echeance__lt=borne)
        & ~Q(etat=Action.Etat.ABANDONNEE)
        & (Q(faite_le__isnull=True) | Q(faite_le__gt=borne))
    )
    for a in (
        Action.objects.filter(organisation=organisation)
        .filter(faites | retard)
        .select_related("responsable")
        .order_by("echeance", "pk")
    ):
        if a.etat == Action.Etat.FAITE and a.faite_le and debut <= a.faite_le <= fin:
            resultat.actions_faites.append(a)
        if (
            a.echeance
            and debut <= a.echeance < borne
            and a.etat != Action.Etat.ABANDONNEE
            and (a.faite_le is None or a.faite_le > borne)
        ):
            resultat.actions_en_retard.append(a)
    periode = Q(date__gte=debut, date__lte=fin)
    totaux = Sensibilisation.objects.filter(periode, organisation=organisation).aggregate(
        nombre=Count("pk", distinct=True), participants=Sum("participants__nombre")
    )
    resultat.nb_sensibilisations = totaux["nombre"] or 0
    resultat.participants = totaux["participants"] or 0
    libelles = dict(Participants.Public.choices)
    for ligne in (
        Participants.objects.filter(
            sensibilisation__organisation=organisation,
            sensibilisation__date__gte=debut,
            sensibilisation__date__lte=fin,
        )
        .values("public")
        .annotate(n=Sum("nombre"))
        .order_by("public")
    ):
        resultat.participants_par_public[str(libelles.get(ligne["public"], ligne["public"]))] = ligne["n"]
    resultat.nb_notes_veille = NoteVeille.objects.filter(periode, organisation=organisation).count()
    return resultat
