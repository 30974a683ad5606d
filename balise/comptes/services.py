"""Opérations sur les jetons d'API : les émettre avec une échéance, les révoquer (attribué, historisé)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from balise import versions
from balise.organisations.models import Adhesion
from balise.organisations.roles import Role

from .models import IdentiteOIDC, JetonAPI, Utilisateur


def premiere_echeance_permise() -> date:
    return timezone.localdate()


def derniere_echeance_permise() -> date:
    return timezone.localdate() + timedelta(days=settings.JETON_API_DUREE_MAX)


def echeance_proposee() -> date:
    return timezone.localdate() + timedelta(days=settings.JETON_API_DUREE_PAR_DEFAUT)


def verifier_echeance(jour: date) -> None:
    if jour < premiere_echeance_permise():
        raise ValidationError("Cette date est passée : choisissez aujourd'hui ou une date à venir.")
    if jour > derniere_echeance_permise():
        raise ValidationError(
            f"Un jeton vaut {settings.JETON_API_DUREE_MAX} jours au plus : choisissez une date "
            f"jusqu'au {derniere_echeance_permise():%d/%m/%Y}."
        )


def emettre_jeton(utilisateur: Utilisateur, nom: str, valable_jusqu_au: date) -> tuple[JetonAPI, str]:
    """Un jeton valable jusqu'à la fin du jour choisi (heure de Paris) ; renvoie aussi son secret."""
    verifier_echeance(valable_jusqu_au)
    fin = timezone.make_aware(datetime.combine(valable_jusqu_au, time(23, 59, 59)))
    return JetonAPI.emettre(utilisateur, nom, expire_le=fin)


@transaction.atomic
def revoquer_jeton(jeton: JetonAPI, par: Utilisateur) -> JetonAPI:
    """Révoque le jeton dès l'appel suivant de l'API (qui le relit en base à chaque appel)."""
    jeton = JetonAPI.objects.select_for_update().get(pk=jeton.pk)
    if jeton.revoque_le is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    jeton.revoque_le = timezone.now()
    jeton.revoque_par = par
    versions.attribuer(jeton, par, update_fields=["revoque_le", "revoque_par"])
    return jeton


@transaction.atomic
def lier_identite(personne: Utilisateur, emetteur: str, sub: str) -> None:
    """Lie le compte à la personne que nomme le fournisseur d'identité, à sa première connexion par lui
    (balise/comptes/oidc.py) ; refusé si le compte est déjà lié à une autre identité chez lui, ou cette
    identité à un autre compte."""
    if IdentiteOIDC.objects.filter(utilisateur=personne, emetteur=emetteur).exclude(sub=sub).exists():
        raise ValidationError("compte déjà lié à une autre identité chez ce fournisseur")
    try:
        with transaction.atomic():
            identite, creee = IdentiteOIDC.objects.get_or_create(
                emetteur=emetteur, sub=sub, defaults={"utilisateur": personne}
            )
    except IntegrityError:  # une autre identité liée au même instant (deux onglets, deux retours)
        raise ValidationError("compte déjà lié à une autre identité chez ce fournisseur") from None
    if identite.utilisateur_id != personne.pk:
        raise ValidationError("identité déjà liée à un autre compte")


def delier_identite(identite: IdentiteOIDC, par: Utilisateur) -> None:
    """Retire le lien (l'administrateur de l'instance, par exemple quand le fournisseur a attribué une
    nouvelle identité à la personne) : la prochaine connexion retrouve le compte par son adresse vérifiée
    et le lie de nouveau. Le retrait est gardé dans l'historique, attribué."""
    identite._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    identite.delete()


def creer_compte(email: str, mot_de_passe: str | None, prenom: str = "", nom: str = "") -> Utilisateur:
    """Crée le compte d'une personne (invitation acceptée, administration de l'instance)."""
    email = email.strip().lower()
    if Utilisateur.objects.filter(email=email).exists():
        raise ValidationError(f"Un compte existe déjà pour {email}.")
    return Utilisateur.objects.create_user(email, mot_de_passe, first_name=prenom, last_name=nom)


def modifier_compte(utilisateur: Utilisateur, champs: list[str]) -> Utilisateur:
    """Enregistre les seuls champs changés : la connexion et l'inactivité écrivent d'autres champs
    de la même ligne au même moment (last_login, mot de passe)."""
    if champs:
        utilisateur.save(update_fields=champs)
    return utilisateur


@transaction.atomic
def supprimer_compte(utilisateur: Utilisateur) -> None:
    """Supprime un compte et ses adhésions ; refusé s'il laisserait une organisation sans administrateur."""
    siennes = Adhesion.objects.select_for_update().filter(utilisateur=utilisateur, role=Role.ADMINISTRATEUR)
    orphelines = [
        a.organisation.nom
        for a in siennes.select_related("organisation")
        if not Adhesion.objects.filter(organisation_id=a.organisation_id, role=Role.ADMINISTRATEUR)
        .exclude(pk=a.pk)
        .exists()
    ]
    if orphelines:
        raise ValidationError(
            f"{utilisateur} est le seul administrateur de « {' », « '.join(orphelines)} » : "
            "nommez-en un autre avant de supprimer ce compte."
        )
    utilisateur.delete()


def lien_d_activation(utilisateur: Utilisateur) -> str:
    """Le lien où une personne dont le compte vient d'être créé choisit son mot de passe : valable
    3 jours (PASSWORD_RESET_TIMEOUT), une seule fois (le jeton dépend du mot de passe, qui change)."""
    uid = urlsafe_base64_encode(force_bytes(utilisateur.pk))
    jeton = default_token_generator.make_token(utilisateur)
    return settings.URL_PUBLIQUE + reverse("comptes:activation", args=[uid, jeton])


def envoyer_activation(utilisateur: Utilisateur, organisation: str) -> None:
    """Le courriel du premier administrateur d'une organisation : aucun mot de passe n'y est écrit."""
    send_mail(
        f"Votre espace {organisation} est ouvert sur Balise",
        f"Bonjour,\n\nL'espace de {organisation} est ouvert sur Balise et vous en êtes l'administrateur "
        f"({utilisateur.email}).\n\nPour choisir votre mot de passe et commencer, ouvrez ce lien "
        f"(valable 3 jours, une seule fois) :\n{lien_d_activation(utilisateur)}\n\nPassé ce délai, "
        "demandez un nouveau lien depuis la page de connexion (« Mot de passe oublié »).\n",
        None,
        [utilisateur.email],
    )


def activer_compte(utilisateur: Utilisateur, mot_de_passe: str, prenom: str, nom: str) -> Utilisateur:
    """La personne choisit son mot de passe et dit son nom ; le lien d'activation cesse de valoir."""
    utilisateur.first_name, utilisateur.last_name = prenom.strip(), nom.strip()
    utilisateur.set_password(mot_de_passe)
    return modifier_compte(utilisateur, ["first_name", "last_name", "password"])
