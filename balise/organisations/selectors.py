"""Lectures sur les organisations."""

from dataclasses import dataclass
from datetime import datetime

from balise import versions

from .models import Adhesion, Organisation
from .roles import Role

_ROLES = dict(Role.choices)
_NATURES_ADHESION = {"+": "ajout", "~": "changement de rôle", "-": "retrait"}


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
