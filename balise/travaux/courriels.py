"""Les courriels partent par le processus de fond.

`EMAIL_BACKEND` de Balise est `ParLeTravailleur` : envoyer un courriel (invitation, lien de
réinitialisation) ne fait que mettre une tâche dans la file de django-tasks, dans la transaction de
la requête ; le processus de fond l'envoie ensuite par le vrai moyen d'envoi, `COURRIELS_BACKEND`
(SMTP en production, `BALISE_EMAIL_BACKEND`). Ainsi une requête n'attend jamais un serveur de
courrier lent ou injoignable ; une invitation annulée avec sa transaction n'envoie rien ; un envoi
en échec n'est pas avalé : la tâche échoue, avec son erreur, et se compte dans /metriques.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task


class ParLeTravailleur(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            envoyer.enqueue(en_donnees(message))
        return len(email_messages)


@task()
def envoyer(donnees: dict[str, Any]) -> None:
    with get_connection(settings.COURRIELS_BACKEND) as connexion:
        connexion.send_messages([en_message(donnees)])


def en_donnees(message: EmailMessage) -> dict[str, Any]:
    """Ce que la file garde d'un message (du JSON). Seules des pièces jointes de texte passent (une
    invitation iCalendar, par exemple) : un message qui porte un fichier binaire est refusé plutôt
    qu'envoyé amputé (les dossiers se téléchargent depuis Balise, jamais par courriel)."""
    pieces = []
    for piece in message.attachments:
        nom, contenu, type_mime = piece if isinstance(piece, tuple) else (None, None, None)
        if not isinstance(nom, str) or not isinstance(contenu, str) or not isinstance(type_mime, str):
            raise ValueError("Seule une pièce jointe de texte passe par la file des courriels.")
        pieces.append([nom, contenu, type_mime])
    return {
        "sujet": message.subject,
        "corps": message.body,
        "de": message.from_email,
        "a": list(message.to),
        "cc": list(message.cc),
        "cci": list(message.bcc),
        "repondre_a": list(message.reply_to),
        "entetes": dict(message.extra_headers),
        "variantes": [list(v) for v in getattr(message, "alternatives", [])],
        "pieces": pieces,
    }


def en_message(donnees: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        donnees["sujet"],
        donnees["corps"],
        donnees["de"],
        donnees["a"],
        cc=donnees["cc"],
        bcc=donnees["cci"],
        reply_to=donnees["repondre_a"],
        headers=donnees["entetes"],
    )
    for contenu, type_mime in donnees["variantes"]:
        message.attach_alternative(contenu, type_mime)
    for nom, contenu, type_mime in donnees.get("pieces", []):
        message.attach(nom, contenu, type_mime)
    return message
