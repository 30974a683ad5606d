"""Le personnel d'une mutualisante dans l'espace d'un membre : l'adhésion déléguée par une convention.

`organisations.acces` s'adresse ici quand une personne n'est pas membre de l'organisation de l'adresse.
Elle y entre si elle a, dans une mutualisante, un rôle qui permet de MUTUALISER, et que la convention
de cette mutualisante avec l'organisation ouvre l'accès aujourd'hui (signée, dans ses dates :
`Convention.ouvre_l_acces`). Elle y a le rôle que le membre accorde, et rien de plus.

Les conventions utiles sont lues sous la génération de la personne (son rôle dans la mutualisante) et
sous celle du membre (toute convention enregistrée la renouvelle : mutualisation/fraicheur.py) ; la
date, elle, est jugée à chaque requête : une convention qui arrive à son terme ferme l'accès le jour
suivant sans qu'aucune écriture ne l'annonce.

Chaque requête qui écrit, faite ainsi, est notée au journal du membre « pour le compte de »
(`PourLeCompteDe`, un intergiciel) : l'historique des objets nomme déjà la personne, le journal dit
à quel titre elle agissait. Une écriture compte quand elle est validée (rappel `on_commit` d'un signal
d'enregistrement) : un refus qui défait tout ne laisse pas d'entrée.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from balise import generations
from balise.organisations import journal
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import DROITS, Permission

from .models import Convention

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

# Les rôles d'une mutualisante dont le titulaire agit chez ses membres (roles.py en décide).
ROLES_INTERVENANTS = tuple(role for role, droits in DROITS.items() if Permission.MUTUALISER in droits)

# Ce que toute requête connectée peut écrire sans que la personne ait rien changé chez le membre.
_SANS_EFFET = frozenset(
    {"sessions.session", "comptes.jetonapi", "envois.envoi", "organisations.evenementjournal"}
)


@dataclass
class Intervention:
    """La requête en cours agit sous cette convention ; `ecrit` : ce qu'elle a écrit et validé."""

    convention: Convention
    personne: Utilisateur  # celle que l'accès a reconnue (session ou jeton d'API)
    ecrit: set[str] = field(default_factory=set)


_INTERVENTION: ContextVar[Intervention | None] = ContextVar("intervention_mutualisee", default=None)


def _conventions(utilisateur_id: int, organisation_id: int) -> list[Convention]:
    return list(
        Convention.objects.filter(
            membre=organisation_id,
            etat=Convention.Etat.EN_VIGUEUR,
            mutualisante__adhesions__utilisateur=utilisateur_id,
            mutualisante__adhesions__role__in=ROLES_INTERVENANTS,
        )
        .select_related("mutualisante")
        .order_by("debut", "pk")
    )


def adhesion_deleguee(utilisateur: Utilisateur, organisation: Organisation) -> Adhesion | None:
    """Une adhésion non enregistrée, au rôle accordé, si une convention ouvre l'accès aujourd'hui."""
    conventions = generations.lire(
        "personne",
        utilisateur.pk,
        f"conventions|{organisation.pk}|{generations.jeton('organisation', organisation.pk)}",
        lambda: _conventions(utilisateur.pk, organisation.pk),
    )
    jour = timezone.localdate()
    for convention in conventions:
        if convention.ouvre_l_acces(jour):
            _INTERVENTION.set(Intervention(convention, utilisateur))
            deleguee = Adhesion(
                utilisateur_id=utilisateur.pk, organisation=organisation, role=convention.role
            )
            deleguee.convention = convention  # type: ignore[attr-defined]  # lu par les gabarits
            return deleguee
    return None


@receiver([post_save, post_delete, m2m_changed])
def _ecriture(sender: type[Model], **kwargs: Any) -> None:
    """Retient ce qu'écrit une requête faite sous convention, une fois validé : un enregistrement défait
    par un refus (bloc atomique annulé) emporte son rappel `on_commit` et ne compte pas."""
    intervention = _INTERVENTION.get()
    if intervention is None or sender._meta.label_lower in _SANS_EFFET:
        return
    if sender._meta.label_lower.split(".")[1].startswith("historical"):
        return  # l'historique accompagne l'objet enregistré, déjà retenu
    nom = str(sender._meta.verbose_name)
    transaction.on_commit(lambda: intervention.ecrit.add(nom))


class PourLeCompteDe:
    """Note au journal du membre chaque requête du personnel d'une mutualisante qui y a écrit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        jeton = _INTERVENTION.set(None)
        try:
            response = self.get_response(request)
            intervention = _INTERVENTION.get()
            if intervention is not None and intervention.ecrit:
                convention, personne = intervention.convention, intervention.personne
                journal.noter(
                    convention.membre_id,
                    personne,
                    journal.Nature.POUR_LE_COMPTE_DE,
                    f"{request.method} {request.path}",
                    mutualisante=convention.mutualisante.nom,
                    intervenant=personne.get_full_name() or personne.email,
                    role_accorde=convention.get_role_display(),
                    action="Enregistré : " + ", ".join(sorted(intervention.ecrit)),
                )
            return response
        finally:
            _INTERVENTION.reset(jeton)
