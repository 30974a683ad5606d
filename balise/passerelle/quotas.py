"""Les quotas mensuels de la passerelle (issue 18, point 6) : les fixer, les retirer (attribué,
historisé), et dire avant un envoi si l'un est atteint. Le mois est le mois civil en cours ; on compte
les requêtes parties (envoyées ou pseudonymisées) et leur coût, pas les refus."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.passerelle.models import Action, Profil, Quota, Requete
from balise.passerelle.usage import bornes, mois_suivant

MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")  # fmt: skip


@transaction.atomic
def fixer(
    organisation: Organisation,
    portee: str,
    service: str,
    requetes: int | None,
    euros: Decimal | None,
    par: Utilisateur,
) -> Quota:
    """Fixe (ou remplace) le quota de chaque personne, ou d'un service."""
    service = " ".join(service.split()) if portee == Quota.Portee.SERVICE else ""
    if portee == Quota.Portee.SERVICE and not service:
        raise ValidationError("Nommez le service auquel s'applique le quota.")
    if requetes is None and euros is None:
        raise ValidationError("Fixez un plafond : un nombre de requêtes, un montant, ou les deux.")
    quota = (
        Quota.objects.select_for_update()
        .filter(organisation=organisation, portee=portee, service=service)
        .first()
    )
    quota = quota or Quota(organisation=organisation, portee=portee, service=service, cree_par=par)
    quota.requetes_par_mois, quota.euros_par_mois = requetes, euros
    quota.full_clean(exclude=["organisation", "cree_par"], validate_constraints=False)
    return versions.attribuer(quota, par)


@transaction.atomic
def retirer(organisation: Organisation, pk: int, par: Utilisateur) -> None:
    quota = Quota.objects.filter(organisation=organisation, pk=pk).first()
    if quota is None:
        raise Http404("Quota introuvable.")
    quota._history_user = par  # type: ignore[attr-defined]  # la suppression est attribuée dans l'historique
    quota.delete()


@dataclass(frozen=True)
class Consommation:
    requetes: int
    euros: Decimal


def _consommation(organisation: Organisation, filtre: Q) -> Consommation:
    debut, fin = bornes(timezone.localdate())
    parties = Requete.objects.filter(
        filtre,
        organisation=organisation,
        le__gte=debut,
        le__lt=fin,
        action__in=[Action.ENVOYE, Action.PSEUDONYMISE],
    )
    totaux = parties.aggregate(requetes=Count("pk"), euros=Sum("cout_euros"))
    return Consommation(totaux["requetes"], totaux["euros"] or Decimal(0))


def _renouvellement() -> str:
    suivant = mois_suivant(timezone.localdate())
    return f"le 1er {MOIS[suivant.month - 1]} {suivant.year}"


def _atteint(quota: Quota, conso: Consommation, sujet: str) -> str | None:
    """« <sujet> quota de … » si l'un des plafonds est atteint ; `sujet` porte le verbe et le possessif."""
    if quota.requetes_par_mois is not None and conso.requetes >= quota.requetes_par_mois:
        return f"{sujet} quota de {quota.requetes_par_mois} requêtes ce mois-ci"
    if quota.euros_par_mois is not None and conso.euros >= quota.euros_par_mois:
        return f"{sujet} quota de {quota.euros_par_mois} € HT ce mois-ci"
    return None


def depasse(organisation: Organisation, personne: Utilisateur | None) -> str | None:
    """Le message à montrer si un quota de la personne ou de son service est atteint, sinon None."""
    quotas = list(Quota.objects.filter(organisation=organisation))
    if not quotas or personne is None:
        return None
    service = (
        Profil.objects.filter(organisation=organisation, personne=personne)
        .values_list("service", flat=True)
        .first()
    )
    for quota in quotas:
        if quota.portee == Quota.Portee.PERSONNE:
            message = _atteint(
                quota, _consommation(organisation, Q(personne=personne)), "Vous avez atteint votre"
            )
        elif service and quota.service.casefold() == service.casefold():
            conso = _consommation(organisation, Q(service__iexact=service))
            message = _atteint(quota, conso, f"Le service « {service} » a atteint son")
        else:
            continue
        if message:
            return f"{message} : rien n'a été envoyé. Le quota se renouvelle {_renouvellement()} ; votre référent IA peut le relever."
    return None
