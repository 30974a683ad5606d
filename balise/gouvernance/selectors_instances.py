"""Lectures des instances et de leur composition, filtrées par ce que la personne peut voir.

Un membre de l'organisation (VOIR_REGISTRE) voit toutes ses instances ; un membre externe, seulement
celles où il siège : une autre instance lui est introuvable (404), comme ce qui est chez les autres.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from . import droits
from .models import College, Instance, InvitationSiege, Membre


def instances(adhesion: Adhesion, archives: bool = False) -> QuerySet[Instance]:
    """Les instances que la personne voit, avec le nombre de membres en fonction."""
    qs = Instance.objects.filter(organisation_id=adhesion.organisation_id)
    if not peut(adhesion.role, Permission.VOIR_REGISTRE):
        # Sous-requête plutôt que jointure : le filtre ne doit pas restreindre le compte des membres.
        sieges = Membre.objects.filter(utilisateur_id=adhesion.utilisateur_id, retire_le__isnull=True)
        qs = qs.filter(pk__in=sieges.values("instance_id"))
    qs = qs.filter(archive_le__isnull=not archives)
    return qs.annotate(
        nombre_membres=Count("membres", filter=Q(membres__retire_le__isnull=True), distinct=True)
    ).order_by("nom", "pk")


def instance(adhesion: Adhesion, pk: int) -> Instance:
    """Une instance de l'organisation que la personne voit (archivée comprise), sinon 404."""
    trouvee = Instance.objects.filter(organisation_id=adhesion.organisation_id, pk=pk).first()
    if trouvee is None or not droits.peut_voir(adhesion, trouvee):
        raise Http404("Instance introuvable.")
    return trouvee


@dataclass
class Groupe:
    """Un collège et ses membres en fonction (collège None : membres sans collège)."""

    college: College | None
    membres: list[Membre] = field(default_factory=list)


@dataclass
class Composition:
    groupes: list[Groupe]
    anciens: list[Membre]
    invitations: list[InvitationSiege]

    @property
    def en_fonction(self) -> list[Membre]:
        return [m for g in self.groupes for m in g.membres]


def composition(instance: Instance, avec_invitations: bool = True) -> Composition:
    """Les membres par collège, les anciens membres et les invitations à siéger en attente ; un nombre
    fixe de requêtes, quel que soit le nombre de collèges et de membres."""
    colleges = list(instance.colleges.all())
    groupes = {c.pk: Groupe(c) for c in colleges}
    sans_college = Groupe(None)
    anciens = []
    for membre in instance.membres.select_related("utilisateur", "college").order_by(
        "college__ordre", "fonction", "utilisateur__last_name", "utilisateur__email", "pk"
    ):
        if membre.retire_le is not None:
            anciens.append(membre)
        else:
            groupes.get(membre.college_id or 0, sans_college).membres.append(membre)
    # L'ordre des fonctions : présidence, secrétariat, membres, invités.
    rang = {f: i for i, f in enumerate(Membre.Fonction.values)}
    for groupe in [*groupes.values(), sans_college]:
        groupe.membres.sort(key=lambda m: rang[m.fonction])
    anciens.sort(key=lambda m: m.retire_le or timezone.now(), reverse=True)
    invitations = (
        list(
            InvitationSiege.objects.filter(
                instance=instance,
                invitation__acceptee_le__isnull=True,
                invitation__annulee_le__isnull=True,
                invitation__expire_le__gt=timezone.now(),
            ).select_related("invitation", "college")
        )
        if avec_invitations
        else []
    )
    resultat = list(groupes.values())
    if sans_college.membres or not colleges:
        resultat.append(sans_college)
    return Composition(resultat, anciens, invitations)


def personnes_nommables(instance: Instance) -> QuerySet[Adhesion]:
    """Les personnes de l'organisation qui ne siègent pas (encore) dans l'instance."""
    en_fonction = Membre.objects.filter(instance=instance, retire_le__isnull=True).values("utilisateur_id")
    return (
        Adhesion.objects.filter(organisation_id=instance.organisation_id)
        .exclude(utilisateur_id__in=en_fonction)
        .select_related("utilisateur")
        .order_by("utilisateur__last_name", "utilisateur__first_name", "utilisateur__email")
    )


def membre(instance: Instance, pk: int) -> Membre:
    trouve = Membre.objects.filter(instance=instance, pk=pk).select_related("utilisateur").first()
    if trouve is None:
        raise Http404("Membre introuvable.")
    return trouve


def college(instance: Instance, pk: int) -> College:
    trouve = College.objects.filter(instance=instance, pk=pk).first()
    if trouve is None:
        raise Http404("Collège introuvable.")
    return trouve
