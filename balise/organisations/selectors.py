"""Lectures sur les organisations."""

import heapq
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from operator import attrgetter
from typing import Protocol

from django.core.cache import cache
from django.utils.text import capfirst

from balise import generations, versions

from . import journal
from .models import FORME_SLUG, Adhesion, EvenementJournal, Organisation
from .roles import Role

_ROLES = dict(Role.choices)
_LONGUEUR_SLUG = Organisation._meta.get_field("slug").max_length


def organisation(pk: int) -> Organisation | None:
    """L'organisation, lue sous sa génération (balise/generations.py) : sans requête tant qu'elle ne
    change pas."""
    return generations.lire(
        "organisation", pk, "organisation", lambda: Organisation.objects.filter(pk=pk).first()
    )


def organisation_par_slug(slug: str) -> Organisation | None:
    """L'organisation qui porte cet identifiant d'adresse. Le lien de l'identifiant à l'organisation
    est gardé sans génération, mais vérifié sur l'organisation lue sous la sienne : un identifiant
    repris ou changé est relu en base."""
    if len(slug) > _LONGUEUR_SLUG or not re.fullmatch(FORME_SLUG, slug):
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


# --- Le journal de l'organisation ------------------------------------------------------------------


@dataclass(frozen=True)
class EntreeJournal:
    date: datetime
    categorie: str
    evenement: str
    objet: str
    details: tuple[str, ...]
    auteur: str


_LIBELLES_CATEGORIES = dict(journal.Categorie.CHOIX)
_NATURES_ADHESION = {"+": "Membre ajouté", "~": "Rôle changé", "-": "Membre retiré"}
# Natures de versions.historique → événements du journal.
_NATURES_ORGANISATION = {"Création": "Organisation créée", "Modification": "Informations modifiées"}


def _auteur(personne) -> str:
    return personne.nom_affiche if personne is not None else "Système"


def _motif(motif: str | None) -> tuple[str, ...]:
    return (f"Motif : {motif}",) if motif else ()


class _Source(Protocol):
    """Une source du journal : son nombre d'entrées et ses `n` plus récentes, en deux requêtes."""

    def compter(self) -> int: ...

    def premieres(self, n: int) -> list[EntreeJournal]: ...


class _Membres:
    def __init__(self, organisation: Organisation):
        self.lignes = Adhesion.history.filter(organisation_id=organisation.pk)

    def compter(self) -> int:
        return self.lignes.count()

    def premieres(self, n: int) -> list[EntreeJournal]:
        lues = self.lignes.select_related("history_user", "utilisateur").order_by(
            "-history_date", "-history_id"
        )
        return [
            EntreeJournal(
                h.history_date,
                _LIBELLES_CATEGORIES[journal.Categorie.MEMBRES],
                _NATURES_ADHESION.get(h.history_type, ""),
                h.utilisateur.nom_affiche if h.utilisateur else "(compte supprimé)",
                (f"Rôle : {_ROLES.get(h.role, h.role)}", *_motif(h.history_change_reason)),
                _auteur(h.history_user),
            )
            for h in lues[:n]
        ]


class _Informations:
    def __init__(self, organisation: Organisation):
        self.organisation = organisation

    def compter(self) -> int:
        return self.organisation.history.count()

    def premieres(self, n: int) -> list[EntreeJournal]:
        return [
            EntreeJournal(
                e.date,
                _LIBELLES_CATEGORIES[journal.Categorie.ORGANISATION],
                _NATURES_ORGANISATION.get(e.nature, e.nature),
                self.organisation.nom,
                (
                    *(f"{capfirst(libelle)} : {avant} → {apres}" for libelle, avant, apres in e.changements),
                    *_motif(e.motif),
                ),
                e.auteur,
            )
            for e in versions.historique(self.organisation, limite=n)
        ]


class _Evenements:
    def __init__(self, organisation: Organisation, natures: list[str] | None):
        self.lignes = EvenementJournal.objects.filter(organisation_id=organisation.pk)
        if natures is not None:
            self.lignes = self.lignes.filter(nature__in=natures)

    def compter(self) -> int:
        return self.lignes.count()

    def premieres(self, n: int) -> list[EntreeJournal]:
        return [
            EntreeJournal(
                e.le,
                _LIBELLES_CATEGORIES[journal.CATEGORIES[e.nature]],
                e.get_nature_display(),
                e.objet,
                journal.details_lisibles(e.details),
                _auteur(e.par),
            )
            for e in self.lignes.select_related("par").order_by("-le", "-pk")[:n]
        ]


class JournalFusionne:
    """Les entrées de plusieurs sources, de la plus récente à la plus ancienne, lues à la demande par
    `Paginator` : la page n lit les n × taille premières entrées de chaque source (deux requêtes par
    source, quel que soit le nombre d'entrées ou d'auteurs)."""

    def __init__(self, sources: list[_Source]):
        self.sources = sources

    def count(self) -> int:
        return sum(source.compter() for source in self.sources)

    def __getitem__(self, tranche: slice) -> list[EntreeJournal]:
        fin = tranche.stop or 0
        if fin <= 0:
            return []
        listes = [source.premieres(fin) for source in self.sources]
        fusion = heapq.merge(*listes, key=attrgetter("date"), reverse=True)
        return list(islice(fusion, fin))[tranche]


def journal_de(organisation: Organisation, categorie: str = "") -> JournalFusionne:
    """Le journal de l'organisation : arrivées, changements de rôle et départs des membres,
    modifications de ses informations, et les événements notés par les services (journal.noter),
    tous ou ceux d'une catégorie (journal.Categorie)."""
    sources: list[_Source] = []
    if categorie in ("", journal.Categorie.MEMBRES):
        sources.append(_Membres(organisation))
    if categorie in ("", journal.Categorie.ORGANISATION):
        sources.append(_Informations(organisation))
    if categorie != journal.Categorie.ORGANISATION:
        natures = None if not categorie else [n for n, c in journal.CATEGORIES.items() if c == categorie]
        sources.append(_Evenements(organisation, natures))
    return JournalFusionne(sources)
