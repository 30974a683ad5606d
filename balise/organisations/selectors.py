"""Lectures sur les organisations."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst

from balise import generations, versions
from balise.comptes.models import Utilisateur

from . import journal
from .models import (
    FORME_SLUG,
    LONGUEUR_SLUG,
    Adhesion,
    DemandeAdhesion,
    EvenementJournal,
    Invitation,
    Logo,
    Organisation,
)
from .roles import Role

_ROLES = dict(Role.choices)


def organisation(pk: int) -> Organisation | None:
    """L'organisation, lue sous sa génération (balise/generations.py) : sans requête tant qu'elle ne
    change pas."""
    return generations.lire(
        "organisation", pk, "organisation", lambda: Organisation.objects.filter(pk=pk).first()
    )


def membres(organisation: Organisation) -> QuerySet[Adhesion]:
    return organisation.adhesions.select_related("utilisateur").order_by("utilisateur__email")


def adhesion(organisation: Organisation, pk: int) -> Adhesion:
    """Une adhésion de l'organisation (404 pour celle d'une autre : on ne révèle pas ce qui existe ailleurs)."""
    return get_object_or_404(
        Adhesion.objects.select_related("organisation"), pk=pk, organisation=organisation
    )


def invitations_en_attente(organisation: Organisation) -> list[Invitation]:
    return [i for i in organisation.invitations.all() if i.valide]


def invitation(organisation: Organisation, pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, organisation=organisation)


def invitation_par_jeton(jeton: str) -> Invitation | None:
    """L'invitation d'un lien, si elle peut encore être acceptée."""
    invitation = Invitation.objects.select_related("organisation").filter(jeton=jeton).first()
    return invitation if invitation is not None and invitation.valide else None


def a_un_compte(email: str) -> bool:
    return Utilisateur.objects.filter(email=email).exists()


def organisation_par_slug(slug: str) -> Organisation | None:
    """L'organisation qui porte cet identifiant d'adresse. Le lien de l'identifiant à l'organisation
    est gardé sans génération, mais vérifié sur l'organisation lue sous la sienne : un identifiant
    repris ou changé est relu en base."""
    if len(slug) > LONGUEUR_SLUG or not re.fullmatch(FORME_SLUG, slug):
        return None  # aucune ne peut le porter : ni requête, ni clé de cache arbitraire
    cle = f"organisation-par-slug:{slug}"
    pk = cache.get(cle)
    trouvee = organisation(pk) if pk is not None else None
    if trouvee is None or trouvee.slug != slug:
        pk = Organisation.objects.filter(slug=slug).values_list("pk", flat=True).first()
        # Relue sous sa génération, après la lecture de son jeton : jamais plus ancienne que lui.
        trouvee = organisation(pk) if pk is not None else None
        if trouvee is not None:
            cache.set(cle, pk, generations.DUREES["organisation"])
    return trouvee


def logo_png(organisation: Organisation) -> bytes | None:
    """Les octets du logo en cours de l'organisation (None si elle n'en a pas)."""
    if not organisation.logo:
        return None
    png = Logo.objects.filter(organisation=organisation, empreinte=organisation.logo).values_list(
        "png", flat=True
    )
    trouve = png.first()
    return bytes(trouve) if trouve is not None else None


# --- Le journal de l'organisation ------------------------------------------------------------------


@dataclass(frozen=True)
class EntreeJournal:
    date: datetime
    categorie: str
    evenement: str
    objet: str
    details: tuple[str, ...]
    auteur: str

    @property
    def quand(self) -> str:
        return journal.date_lisible(self.date)


_LIBELLES_CATEGORIES = dict(journal.Categorie.CHOIX)
_NATURES_ADHESION = {"+": "Membre ajouté", "~": "Rôle changé", "-": "Membre retiré"}
# Natures de versions.historique → événements du journal.
_NATURES_ORGANISATION = {"Création": "Organisation créée", "Modification": "Informations modifiées"}


def _auteur(personne: Utilisateur | None) -> str:
    return personne.nom_affiche if personne is not None else "Système"


def _motif(motif: str | None) -> tuple[str, ...]:
    return (f"Motif : {motif}",) if motif else ()


# Sources du journal, dans l'ordre où elles départagent deux entrées de même date.
_MEMBRES, _INFORMATIONS, _EVENEMENTS = 1, 2, 3


def _cles(lignes: QuerySet, source: int, date: str, cle: str) -> QuerySet:
    """(date, source, clé) de chaque ligne : de quoi ranger les sources ensemble dans la base."""
    return (
        lignes.order_by()
        .annotate(j_date=F(date), j_source=Value(source, IntegerField()), j_cle=F(cle))
        .values_list("j_date", "j_source", "j_cle")
    )


def _membres(cles: list[int]) -> dict[int, EntreeJournal]:
    lues = Adhesion.history.filter(history_id__in=cles).select_related("history_user", "utilisateur")
    return {
        h.history_id: EntreeJournal(
            h.history_date,
            _LIBELLES_CATEGORIES[journal.Categorie.MEMBRES],
            _NATURES_ADHESION.get(h.history_type, ""),
            h.utilisateur.nom_affiche if h.utilisateur else "(compte supprimé)",
            (f"Rôle : {_ROLES.get(h.role, h.role)}", *_motif(h.history_change_reason)),
            _auteur(h.history_user),
        )
        for h in lues
    }


def _informations(organisation: Organisation, cles: list[tuple[datetime, int]]) -> dict[int, EntreeJournal]:
    """Les versions d'une page se suivent dans l'historique de l'organisation : on lit cette suite et
    la version qui la précède, à laquelle la plus ancienne est comparée."""
    date, cle = max(cles)
    suite = list(
        organisation.history.filter(Q(history_date__lt=date) | Q(history_date=date, history_id__lte=cle))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: len(cles) + 1]
    )
    return {
        h.history_id: EntreeJournal(
            e.date,
            _LIBELLES_CATEGORIES[journal.Categorie.ORGANISATION],
            _NATURES_ORGANISATION.get(e.nature, e.nature),
            organisation.nom,
            (
                *(f"{capfirst(libelle)} : {avant} → {apres}" for libelle, avant, apres in e.changements),
                *_motif(e.motif),
            ),
            e.auteur,
        )
        for h, e in zip(suite, versions.entrees(Organisation, suite, len(cles)), strict=False)
    }


def _evenements(cles: list[int]) -> dict[int, EntreeJournal]:
    return {
        e.pk: EntreeJournal(
            e.le,
            _LIBELLES_CATEGORIES[journal.CATEGORIES[e.nature]],
            e.get_nature_display(),
            e.objet,
            journal.details_lisibles(e.details),
            _auteur(e.par),
        )
        for e in EvenementJournal.objects.filter(pk__in=cles).select_related("par")
    }


class JournalFusionne:
    """Les entrées des sources du journal, de la plus récente à la plus ancienne, lues à la demande
    par `Paginator`. La base range ensemble les (date, source, clé) de toutes les sources et n'en
    renvoie que ceux de la page ; chaque source lit ensuite ses lignes. Cinq requêtes au plus, quels
    que soient le nombre d'entrées, d'auteurs et le rang de la page."""

    def __init__(self, organisation: Organisation, cles: QuerySet):
        self.organisation = organisation
        self.cles = cles

    def count(self) -> int:
        return self.cles.count()

    def __getitem__(self, tranche: slice) -> list[EntreeJournal]:
        page = list(self.cles.order_by("-j_date", "j_source", "-j_cle")[tranche])
        par_source: dict[int, list] = {_MEMBRES: [], _INFORMATIONS: [], _EVENEMENTS: []}
        for date, source, cle in page:
            par_source[source].append((date, cle))
        lues: dict[int, dict[int, EntreeJournal]] = {
            _MEMBRES: _membres([c for _, c in par_source[_MEMBRES]]) if par_source[_MEMBRES] else {},
            _INFORMATIONS: _informations(self.organisation, par_source[_INFORMATIONS])
            if par_source[_INFORMATIONS]
            else {},
            _EVENEMENTS: _evenements([c for _, c in par_source[_EVENEMENTS]])
            if par_source[_EVENEMENTS]
            else {},
        }
        return [lues[source][cle] for _, source, cle in page]


def journal_de(organisation: Organisation, categorie: str = "") -> JournalFusionne:
    """Le journal de l'organisation : arrivées, changements de rôle et départs des membres,
    modifications de ses informations, et les événements notés par les services (journal.noter),
    tous ou ceux d'une catégorie (journal.Categorie)."""
    sources = []
    if categorie in ("", journal.Categorie.MEMBRES):
        membres = Adhesion.history.filter(organisation_id=organisation.pk)
        sources.append(_cles(membres, _MEMBRES, "history_date", "history_id"))
    if categorie in ("", journal.Categorie.ORGANISATION):
        sources.append(_cles(organisation.history.all(), _INFORMATIONS, "history_date", "history_id"))
    if categorie != journal.Categorie.ORGANISATION:
        evenements = EvenementJournal.objects.filter(organisation_id=organisation.pk)
        if categorie:
            evenements = evenements.filter(
                nature__in=[n for n, c in journal.CATEGORIES.items() if c == categorie]
            )
        sources.append(_cles(evenements, _EVENEMENTS, "le", "pk"))
    premiere, *autres = sources
    return JournalFusionne(organisation, premiere.union(*autres, all=True) if autres else premiere)


def demandes_d_adhesion(traitees_max: int = 50) -> tuple[list[DemandeAdhesion], list[DemandeAdhesion]]:
    """Les demandes en attente (les plus anciennes d'abord), puis les dernières traitées."""
    toutes = DemandeAdhesion.objects.select_related("organisation", "decidee_par")
    en_attente = list(toutes.filter(statut=DemandeAdhesion.Statut.EN_ATTENTE).order_by("creee_le"))
    traitees = list(
        toutes.exclude(statut=DemandeAdhesion.Statut.EN_ATTENTE).order_by("-decidee_le")[:traitees_max]
    )
    return en_attente, traitees


def nombre_demandes_en_attente() -> int:
    return DemandeAdhesion.objects.filter(statut=DemandeAdhesion.Statut.EN_ATTENTE).count()
