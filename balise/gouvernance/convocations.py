"""Les courriels d'une séance et leur invitation iCalendar (RFC 5545, méthodes iTIP de la RFC 5546).

Une invitation porte l'identifiant stable de la séance (`Seance.uid`) : un agenda qui reçoit une
séance modifiée remplace l'ancienne (même UID, SEQUENCE plus grande), et une annulation
(METHOD:CANCEL) la retire. La SEQUENCE est la version de la séance, qui ne fait que croître.

Chaque membre reçoit son propre message, qui ne nomme que lui comme participant : les adresses des
autres membres ne circulent pas (un membre externe n'a pas à les connaître).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText  # type: ignore[import-untyped]  # stubs non installés

from .models import Membre, Point, Seance

PRODID = "-//Balise//Gouvernance des systèmes d'IA//FR"


@dataclass(frozen=True)
class Destinataire:
    email: str
    nom: str
    votant: bool


def destinataires(seance: Seance) -> list[Destinataire]:
    """Les membres actuels de l'instance, une fois chacun."""
    membres = Membre.objects.filter(instance_id=seance.instance_id, retire_le__isnull=True).select_related(
        "utilisateur"
    )
    vus: dict[str, Destinataire] = {}
    for m in membres:
        if m.utilisateur.email and m.utilisateur.email not in vus:
            vus[m.utilisateur.email] = Destinataire(m.utilisateur.email, m.utilisateur.nom_affiche, m.votant)
    return list(vus.values())


def fin(seance: Seance) -> datetime:
    return seance.debut + timedelta(minutes=seance.duree_minutes)


def calendrier(seance: Seance, methode: str, destinataire: Destinataire, description: str = "") -> str:
    """Le fichier .ics d'une séance pour un destinataire : METHOD:REQUEST ou METHOD:CANCEL."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", methode)
    evenement = Event()
    evenement.add("uid", str(seance.uid))
    evenement.add("dtstamp", timezone.now().astimezone(UTC))
    evenement.add("dtstart", seance.debut.astimezone(UTC))
    evenement.add("dtend", fin(seance).astimezone(UTC))
    evenement.add("sequence", seance.version)
    evenement.add("summary", f"Séance : {seance.instance.nom}")
    if seance.lieu:
        evenement.add("location", seance.lieu)
    if description:
        evenement.add("description", description)
    evenement.add("status", "CANCELLED" if methode == "CANCEL" else "CONFIRMED")
    organisateur = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organisateur.params["cn"] = vText(seance.instance.nom)
    evenement.add("organizer", organisateur)
    participant = vCalAddress(f"mailto:{destinataire.email}")
    participant.params["cn"] = vText(destinataire.nom)
    participant.params["role"] = vText("REQ-PARTICIPANT" if destinataire.votant else "OPT-PARTICIPANT")
    participant.params["partstat"] = vText("NEEDS-ACTION")
    participant.params["rsvp"] = vText("FALSE")
    evenement.add("attendee", participant)
    cal.add_component(evenement)
    return cal.to_ical().decode()


def _quand(seance: Seance) -> str:
    debut = timezone.localtime(seance.debut)
    return f"le {debut:%d/%m/%Y} à {debut:%H:%M} (durée : {seance.duree_minutes} minutes)"


def _ordre_du_jour(points: list[Point]) -> str:
    if not points:
        return "Ordre du jour : à venir."
    lignes = [f"{n}. {p.titre}" for n, p in enumerate(points, start=1)]
    return "Ordre du jour :\n" + "\n".join(lignes)


def _envoyer(seance: Seance, sujet: str, corps: str, methode: str, description: str) -> int:
    envoyes = 0
    for destinataire in destinataires(seance):
        message = EmailMessage(sujet, corps, settings.DEFAULT_FROM_EMAIL, [destinataire.email])
        message.attach(
            "invitation.ics", calendrier(seance, methode, destinataire, description), "text/calendar"
        )
        message.send()
        envoyes += 1
    return envoyes


def convoquer(seance: Seance, points: list[Point], adresse: str, modifiee: bool = False) -> int:
    """Envoie la convocation (ou sa mise à jour) à chaque membre ; renvoie le nombre de messages."""
    instance = seance.instance.nom
    lieu = seance.lieu or "à préciser"
    odj = _ordre_du_jour(points)
    entete = (
        "La séance a été modifiée : voici la convocation à jour, qui remplace la précédente.\n\n"
        if modifiee
        else ""
    )
    corps = (
        f"{entete}Vous êtes convoqué(e) à la séance de l'instance « {instance} » {_quand(seance)}.\n"
        f"Lieu : {lieu}\n\n{odj}\n\n"
        f"Les dossiers des points, figés à la date de la convocation, sont à télécharger sur la page de "
        f"la séance : {adresse}\n\nL'invitation jointe s'ajoute à votre agenda."
    )
    sujet = f"{'Séance modifiée' if modifiee else 'Convocation'} : {instance}, {_quand(seance)}"
    return _envoyer(seance, sujet, corps, "REQUEST", f"{odj}\n\n{adresse}")


def annoncer_annulation(seance: Seance, adresse: str) -> int:
    instance = seance.instance.nom
    corps = (
        f"La séance de l'instance « {instance} » prévue {_quand(seance)} est annulée.\n"
        f"Motif : {seance.motif_annulation}\n\nPage de la séance : {adresse}\n\n"
        "L'invitation jointe retire la séance de votre agenda."
    )
    return _envoyer(seance, f"Séance annulée : {instance}", corps, "CANCEL", seance.motif_annulation)
