"""Le flux iCalendar personnel (RFC 5545) : ce qu'un agenda abonné à l'adresse secrète reçoit.

Toutes les organisations de la personne, mais seulement ce qu'elle peut y voir :
- les séances des instances où elle siège (droit SIEGER et siège actuel), y compris annulées
  (STATUS:CANCELLED, pour que l'agenda les retire), depuis `PASSE` jours ;
- les échéances de ses obligations et de ses conditions encore ouvertes (la règle de
  gouvernance/a_traiter.py), si elle voit le registre de l'organisation : événements d'une journée.

Requêtes : une pour les adhésions, une pour les séances, deux par organisation où elle voit le
registre ; aucune par événement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event  # type: ignore[import-untyped]  # bibliothèque sans annotations

from balise.comptes.models import Utilisateur
from balise.gouvernance.a_traiter import conditions_a_suivre, debut_du_jour, obligations_a_suivre
from balise.gouvernance.models import Membre, Seance
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from .selectors import adresse_absolue

PASSE = 365  # jours de séances passées gardés dans le flux
DOMAINE_UID = "balise"


def _evenement_du_jour(
    uid: str, jour: date, titre: str, description: str, adresse: str, horodatage: datetime
) -> Event:
    evenement = Event()
    evenement.add("uid", uid)
    evenement.add("dtstamp", horodatage)
    evenement.add("dtstart", jour)
    evenement.add("dtend", jour + timedelta(days=1))
    evenement.add("summary", titre)
    evenement.add("description", f"{description}\n{adresse}")
    evenement.add("url", adresse)
    evenement.add("transp", "TRANSPARENT")  # une échéance n'occupe pas la journée
    return evenement


def calendrier(utilisateur: Utilisateur, aujourd_hui: date | None = None) -> bytes:
    aujourd_hui = aujourd_hui or timezone.localdate()
    maintenant = timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Balise//Rappels//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Balise — mes séances et échéances")
    cal.add("x-wr-timezone", "Europe/Paris")

    adhesions = list(Adhesion.objects.filter(utilisateur=utilisateur).select_related("organisation"))
    siegent = [a.organisation_id for a in adhesions if peut(a.role, Permission.SIEGER)]
    sieges = Membre.objects.filter(
        utilisateur=utilisateur,
        retire_le__isnull=True,
        instance__organisation_id__in=siegent,
        instance__archive_le__isnull=True,
    ).values("instance_id")
    seances = (
        Seance.objects.filter(
            instance_id__in=sieges, debut__gte=debut_du_jour(aujourd_hui - timedelta(days=PASSE))
        )
        .select_related("instance__organisation")
        .order_by("debut", "pk")
    )
    for seance in seances:
        evenement = Event()
        evenement.add("uid", f"{seance.uid}@{DOMAINE_UID}")
        evenement.add("dtstamp", maintenant)
        # En UTC (« Z ») : compris de tous les agendas, sans composant VTIMEZONE.
        debut = seance.debut.astimezone(UTC)
        evenement.add("dtstart", debut)
        evenement.add("dtend", debut + timedelta(minutes=seance.duree_minutes))
        evenement.add("summary", f"Séance — {seance.instance.nom}")
        page = adresse_absolue(reverse("gouvernance:a_traiter", args=[seance.instance.organisation.slug]))
        evenement.add(
            "description", f"{seance.instance.organisation.nom} — {seance.get_statut_display()}\n{page}"
        )
        evenement.add("url", page)
        if seance.lieu:
            evenement.add("location", seance.lieu)
        evenement.add("status", "CANCELLED" if seance.statut == Seance.Statut.ANNULEE else "CONFIRMED")
        cal.add_component(evenement)

    for adhesion in adhesions:
        if not peut(adhesion.role, Permission.VOIR_REGISTRE):
            continue
        organisation = adhesion.organisation
        obligations = (
            obligations_a_suivre(organisation, aujourd_hui)
            .filter(responsable=utilisateur)
            .select_related("systeme")
            .order_by("echeance", "pk")
        )
        for obligation in obligations:
            cal.add_component(
                _evenement_du_jour(
                    f"obligation-{obligation.pk}@{DOMAINE_UID}",
                    obligation.echeance,
                    f"Échéance : {obligation.titre[:200]} ({obligation.systeme.nom})",
                    f"{organisation.nom} — obligation {obligation.get_statut_display().lower()}",
                    adresse_absolue(
                        reverse("conformite:obligation", args=[organisation.slug, obligation.pk])
                    ),
                    maintenant,
                )
            )
        conditions = (
            conditions_a_suivre(organisation, aujourd_hui)
            .filter(responsable=utilisateur)
            .select_related("systeme")
            .order_by("echeance", "pk")
        )
        for condition in conditions:
            cal.add_component(
                _evenement_du_jour(
                    f"condition-{condition.pk}@{DOMAINE_UID}",
                    condition.echeance,
                    f"Condition à lever : {condition.intitule[:200]} ({condition.systeme.nom})",
                    f"{organisation.nom} — condition {condition.get_statut_display().lower()}",
                    adresse_absolue(
                        reverse("registre:detail", args=[organisation.slug, condition.systeme_id])
                    ),
                    maintenant,
                )
            )
    return bytes(cal.to_ical())
