"""Ce qu'un agent fait à la passerelle : sa première utilisation (règles lues, service indiqué), ses
conversations, ses clés personnelles pour l'API. Le catalogue se tient dans services_catalogue.py ;
l'envoi d'une requête, de l'analyse au journal, dans envoi.py."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists
from django.http import Http404
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur, empreinte_secret
from balise.organisations.models import Organisation
from balise.passerelle import envoi, quotas
from balise.passerelle.models import ClePersonnelle, Conversation, Message, ModeleCatalogue, Profil, Reglages
from balise.passerelle.services_catalogue import reglages
from balise.regles_usage import selectors as regles
from balise.regles_usage import services as services_regles

LONGUEUR_SERVICE = 200


def obstacle(organisation: Organisation, personne: Utilisateur) -> str | None:
    """Ce qui empêche encore la personne de converser, ou None. Seed 003 et issue 18 : les règles d'usage
    se lisent avant la première requête, et cette lecture est gardée."""
    # Le cas de chaque requête (règles lues, service indiqué) en une seule lecture : avoir lu des règles
    # publiées suppose qu'elles le sont. Le motif ne se cherche qu'en cas d'obstacle.
    lu = regles.prises_de_connaissance(personne, organisation)
    profil = Profil.objects.filter(organisation=organisation, personne=personne)
    if profil.filter(Exists(lu)).exists():
        return None
    if regles.publiee(organisation) is None:
        return (
            "Votre organisation n'a pas encore publié ses règles d'usage de l'IA : la passerelle s'ouvrira "
            "quand elles le seront."
        )
    if not lu.exists():
        return "Lisez les règles d'usage de votre organisation avant votre première requête."
    return "Indiquez votre service : l'usage est suivi par service, jamais par le contenu de vos requêtes."


@transaction.atomic
def premiere_utilisation(
    organisation: Organisation, personne: Utilisateur, version_regles_id: int | None, service: str
) -> None:
    service = " ".join(service.split())
    if not service:
        raise ValidationError("Indiquez votre service.")
    if len(service) > LONGUEUR_SERVICE:
        raise ValidationError(f"Le nom du service dépasse {LONGUEUR_SERVICE} caractères.")
    services_regles.prendre_connaissance(organisation, personne, version_regles_id)
    profil = Profil.objects.filter(organisation=organisation, personne=personne).first()
    if profil is None:
        profil = Profil(organisation=organisation, personne=personne)
    profil.service = service
    versions.attribuer(profil, personne)


def conversation_de(organisation: Organisation, personne: Utilisateur, pk: int) -> Conversation:
    """Une conversation de la personne : celle d'un autre est introuvable, même pour l'administrateur."""
    trouvee = Conversation.objects.filter(organisation=organisation, personne=personne, pk=pk).first()
    if trouvee is None:
        raise Http404("Conversation introuvable.")
    return trouvee


def historique(conversation: Conversation | None) -> list[dict[str, str]]:
    if conversation is None:
        return []
    return [{"role": m.role, "content": m.contenu} for m in conversation.messages.all()]


@dataclass
class Echange:
    """Le résultat d'un envoi depuis la page : la conversation (nouvelle ou poursuivie), la préparation
    (ce qui part, ce qui a été trouvé) et, si la requête est partie, la réponse."""

    conversation: Conversation | None
    preparation: envoi.Preparation | None  # None : refusée avant l'analyse (quota atteint)
    resultat: envoi.Resultat | None = None


def _titre(texte: str) -> str:
    ligne = " ".join(texte.split())
    return ligne if len(ligne) <= 80 else ligne[:79] + "…"


def apercevoir(
    organisation: Organisation,
    personne: Utilisateur,
    modele: ModeleCatalogue,
    texte: str,
    conversation: Conversation | None,
) -> envoi.Preparation:
    """Ce qui partirait, sans rien envoyer ni écrire (l'agent le voit avant d'envoyer)."""
    messages = historique(conversation) + [{"role": Message.Role.AGENT, "content": texte}]
    return envoi.preparer(modele, messages, reglages(organisation))


def converser(
    organisation: Organisation,
    personne: Utilisateur,
    modele: ModeleCatalogue,
    texte: str,
    conversation: Conversation | None,
) -> Echange:
    """Envoyer un message : une requête refusée n'entre pas dans la conversation (le texte reste à
    corriger dans le formulaire) ; une requête partie y entre, avec la réponse telle que l'agent la lit."""
    quota_atteint = quotas.depasse(organisation, personne)
    if quota_atteint:
        return Echange(conversation, None, envoi.refuser_pour_quota(modele, personne, "page", quota_atteint))
    reglages_org: Reglages = reglages(organisation)
    messages = historique(conversation) + [{"role": Message.Role.AGENT, "content": texte}]
    prep = envoi.preparer(modele, messages, reglages_org)
    resultat = envoi.envoyer(prep, personne, "page", reglages_org)
    if not resultat.texte:
        return Echange(conversation, prep, resultat)
    conversation = _consigner(organisation, personne, modele, texte, resultat.texte, conversation)
    return Echange(conversation, prep, resultat)


@transaction.atomic
def _consigner(
    organisation: Organisation,
    personne: Utilisateur,
    modele: ModeleCatalogue,
    texte: str,
    reponse: str,
    conversation: Conversation | None,
) -> Conversation:
    """Le message de l'agent et la réponse telle qu'il l'a lue, dans la conversation (créée au besoin)."""
    if conversation is None:
        conversation = Conversation.objects.create(
            organisation=organisation, personne=personne, modele=modele, titre=_titre(texte)
        )
    elif conversation.modele_id != modele.pk:
        conversation.modele = modele
    conversation.save()  # date de la dernière activité
    Message.objects.create(conversation=conversation, role=Message.Role.AGENT, contenu=texte)
    Message.objects.create(conversation=conversation, role=Message.Role.MODELE, contenu=reponse)
    return conversation


def preparer_flux(
    organisation: Organisation,
    personne: Utilisateur,
    modele: ModeleCatalogue,
    texte: str,
    conversation: Conversation | None,
) -> envoi.Preparation | None:
    """La requête prête à partir en flux depuis la page, ou None si elle ne partirait pas (quota atteint,
    données refusées) : rien n'est alors écrit, et la page l'envoie par son formulaire, qui note le refus
    au journal et l'explique."""
    if quotas.depasse(organisation, personne):
        return None
    prep = apercevoir(organisation, personne, modele, texte, conversation)
    return prep if prep.part else None


def converser_en_flux(
    organisation: Organisation,
    personne: Utilisateur,
    prep: envoi.Preparation,
    texte: str,
    conversation: Conversation | None,
) -> Iterator[str | Conversation]:
    """La réponse morceau par morceau (restaurée), puis la conversation où l'échange est consigné. Une
    panne du fournisseur lève ErreurFournisseur (la tentative est au journal, rien dans la conversation) ;
    un flux abandonné par le navigateur n'est pas consigné non plus."""
    morceaux = []
    for morceau in envoi.diffuser(prep, personne, "page", reglages(organisation)):
        morceaux.append(morceau)
        yield morceau
    yield _consigner(organisation, personne, prep.modele, texte, "".join(morceaux), conversation)


# --- Clés personnelles de l'API compatible OpenAI ----------------------------------------------


def emettre_cle(organisation: Organisation, personne: Utilisateur, nom: str) -> tuple[ClePersonnelle, str]:
    nom = " ".join(nom.split())
    if not nom or len(nom) > 100:
        raise ValidationError("Nommez la clé (100 caractères au plus) : où allez-vous l'utiliser ?")
    secret = ClePersonnelle.PREFIXE + secrets.token_urlsafe(32)
    cle = ClePersonnelle(
        organisation=organisation,
        personne=personne,
        nom=nom,
        empreinte=empreinte_secret(secret),
        debut=secret[:12],
    )
    return versions.attribuer(cle, personne), secret


def revoquer_cle(organisation: Organisation, personne: Utilisateur, pk: int) -> ClePersonnelle:
    cle = ClePersonnelle.objects.filter(organisation=organisation, personne=personne, pk=pk).first()
    if cle is None:
        raise Http404("Clé introuvable.")
    if cle.revoquee_le is None:
        cle.revoquee_le = timezone.now()
        versions.attribuer(cle, personne)
    return cle


def trouver_cle(secret: str) -> ClePersonnelle | None:
    """La clé active de ce secret, avec sa personne et son organisation ; relue à chaque appel."""
    if not secret.startswith(ClePersonnelle.PREFIXE) or len(secret) > 200:
        return None
    return (
        ClePersonnelle.objects.select_related("personne", "organisation")
        .filter(empreinte=empreinte_secret(secret), revoquee_le__isnull=True, personne__is_active=True)
        .first()
    )
