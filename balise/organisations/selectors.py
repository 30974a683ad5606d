"""Lectures sur les organisations."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from balise import generations, versions

from .models import FORME_SLUG, Adhesion, Organisation
from .roles import Role

_ROLES = dict(Role.choices)
_NATURES_ADHESION = {"+": "ajout", "~": "changement de rôle", "-": "retrait"}
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


@dataclass(frozen=True)
class EvenementMembre:
    date: datetime
    auteur: str
    personne: str
    nature: str
    role: str


def journal_des_membres(organisation: Organisation, limite: int = 200) -> list[EvenementMembre]:
    """Arrivées, changements de rôle et départs des membres, du plus récent au plus ancien."""
    historiques = (
        Adhesion.history.filter(organisation_id=organisation.pk)
        .select_related("history_user", "utilisateur")
        .order_by("-history_date", "-history_id")[:limite]
    )
    return [
        EvenementMembre(
            h.history_date,
            h.history_user.nom_affiche if h.history_user else "Système",
            h.utilisateur.nom_affiche if h.utilisateur else "(compte supprimé)",
            _NATURES_ADHESION.get(h.history_type, ""),
            _ROLES.get(h.role, h.role),
        )
        for h in historiques
    ]


def journal_de_l_organisation(organisation: Organisation) -> list[versions.EntreeHistorique]:
    return versions.historique(organisation)
