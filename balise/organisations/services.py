"""Opérations sur les organisations et leurs membres."""

import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from balise import versions
from balise.comptes.models import Utilisateur
from balise.comptes.services import creer_compte, envoyer_activation

from . import journal, logos
from .models import Adhesion, Invitation, Logo, Organisation
from .roles import Role

# Ces identifiants d'adresse sont pris par des pages de Balise (/public/schema/, /public/observatoire/ …).
SLUGS_RESERVES = frozenset({"schema", "api", "admin", "static", "observatoire", "bibliotheque"})


def slug_disponible(nom: str) -> str:
    base = slugify(nom)[:70] or "organisation"
    slug, n = base, 2
    while slug in SLUGS_RESERVES or Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# La commande `creer_organisation` est lancée par l'exploitant de l'instance, qui n'a pas de compte dans
# Balise : l'organisation et la première adhésion sont attribuées au premier administrateur, avec ce
# motif, plutôt que laissées sans auteur (docs/architecture.md, « Journal »).
MOTIF_CREATION_HORS_LIGNE = "Créée par la commande creer_organisation (exploitant de l'instance)"


@transaction.atomic
def creer_organisation(
    *,
    nom: str,
    type: str,
    administrateur_email: str,
    slug: str = "",
    siren: str = "",
    population: int | None = None,
    nombre_agents: int | None = None,
    contact_public: str = "",
    prenom: str = "",
    nom_administrateur: str = "",
    par: Utilisateur | None = None,
) -> tuple[Organisation, Utilisateur, bool]:
    """Crée une organisation et son premier administrateur, attribuées à `par` (ou, sans lui, au premier
    administrateur avec le motif MOTIF_CREATION_HORS_LIGNE).

    Renvoie aussi vrai si le compte de l'administrateur vient d'être créé : il reçoit alors par courriel
    un lien pour choisir son mot de passe (aucun mot de passe n'est affiché ni écrit nulle part).
    """
    slug = slug or slug_disponible(nom)
    if slug in SLUGS_RESERVES:
        raise ValidationError(f"L'identifiant « {slug} » est réservé.")
    organisation = Organisation(
        nom=nom,
        slug=slug,
        type=type,
        siren=siren,
        population=population,
        nombre_agents=nombre_agents,
        contact_public=contact_public,
    )
    organisation.full_clean()
    email = administrateur_email.strip().lower()
    utilisateur = Utilisateur.objects.filter(email=email).first()
    cree = utilisateur is None
    if utilisateur is None:
        # Un mot de passe que personne ne connaît : la personne choisit le sien par le lien reçu, ou,
        # le lien échu, par « Mot de passe oublié » (qui ignore les comptes sans mot de passe utilisable).
        utilisateur = Utilisateur.objects.create_user(
            email, secrets.token_urlsafe(32), first_name=prenom.strip(), last_name=nom_administrateur.strip()
        )
    adhesion = Adhesion(utilisateur=utilisateur, organisation=organisation, role=Role.ADMINISTRATEUR)
    objets: tuple[models.Model, ...] = (organisation, adhesion)
    for objet in objets:
        if par is None:
            # Lu par simple-history à l'enregistrement (bibliothèque sans annotations).
            objet._change_reason = MOTIF_CREATION_HORS_LIGNE  # type: ignore[attr-defined]
        versions.attribuer(objet, par or utilisateur)
    if cree:
        envoyer_activation(utilisateur, organisation.nom)
    return organisation, utilisateur, cree


CHAMPS_MODIFIABLES = [
    "nom",
    "type",
    "siren",
    "population",
    "nombre_agents",
    "contact_public",
    "couleur",
    "seuil_secret",
]


# L'administration de l'instance change aussi l'identifiant d'adresse (la page des paramètres, non).
CHAMPS_MODIFIABLES_PAR_L_INSTANCE = ["slug", *CHAMPS_MODIFIABLES]


@transaction.atomic
def modifier_organisation(
    organisation_id: int,
    donnees: dict,
    version_attendue: int,
    par: Utilisateur,
    champs: list[str] = CHAMPS_MODIFIABLES,
) -> Organisation:
    organisation = versions.verrouiller(Organisation.objects.all(), organisation_id, version_attendue)
    for champ in champs:
        if champ in donnees:
            setattr(organisation, champ, donnees[champ])
    if organisation.slug in SLUGS_RESERVES:
        raise ValidationError(f"L'identifiant « {organisation.slug} » est réservé.")
    organisation.full_clean()
    versions.enregistrer(organisation, par)
    return organisation


# --- Le logo (docs/identite-visuelle.md) ----------------------------------------------------------


@transaction.atomic
def deposer_logo(
    organisation_id: int, logo: logos.LogoPropre, version_attendue: int | None, par: Utilisateur
) -> Organisation:
    """Fait du logo (déjà vérifié et ré-encodé par `logos.nettoyer`) celui de l'organisation. Le logo
    précédent reste gardé ; le changement est une version de l'organisation, attribuée à `par`."""
    organisation = versions.verrouiller(Organisation.objects.all(), organisation_id, version_attendue)
    if organisation.logo == logo.empreinte:
        raise ValidationError("Cette image est déjà le logo de l'organisation : rien n'a changé.")
    # La ligne de l'organisation est verrouillée : deux dépôts du même fichier ne se croisent pas.
    Logo.objects.get_or_create(
        organisation=organisation,
        empreinte=logo.empreinte,
        defaults={
            "png": logo.png,
            "largeur": logo.largeur,
            "hauteur": logo.hauteur,
            "nom_original": logo.nom_original,
            "depose_par": par,
        },
    )
    remplace = bool(organisation.logo)
    organisation.logo = logo.empreinte
    organisation.logo_largeur, organisation.logo_hauteur = logo.largeur_affichee, logo.hauteur_affichee
    quoi = "Logo remplacé" if remplace else "Logo déposé"
    motif = f"{quoi} : « {logo.nom_original} », {logo.largeur} × {logo.hauteur} pixels"
    # Lu par simple-history (bibliothèque sans annotations), montré au journal ; 100 caractères au plus.
    organisation._change_reason = motif[:100]  # type: ignore[attr-defined]
    versions.enregistrer(organisation, par)
    return organisation


@transaction.atomic
def retirer_logo(organisation_id: int, version_attendue: int | None, par: Utilisateur) -> Organisation:
    """L'organisation n'a plus de logo ; l'image reste gardée (`Logo`), le retrait est historisé."""
    organisation = versions.verrouiller(Organisation.objects.all(), organisation_id, version_attendue)
    if not organisation.logo:
        raise ValidationError("L'organisation n'a pas de logo à retirer.")
    organisation.logo, organisation.logo_largeur, organisation.logo_hauteur = "", None, None
    organisation._change_reason = "Logo retiré"  # type: ignore[attr-defined]  # lu par simple-history
    versions.enregistrer(organisation, par)
    return organisation


def inviter(
    organisation: Organisation,
    email: str,
    role: str,
    par: Utilisateur,
    lien_absolu: Callable[[Invitation], str],
) -> Invitation:
    email = email.strip().lower()
    if role == Role.EXTERNE:
        # Le rôle n'a de sens que lié à un siège : on invite depuis la page de l'instance.
        raise ValidationError(
            "Un membre externe s'invite depuis l'instance où il siège (Instances, puis « Composition »)."
        )
    if Adhesion.objects.filter(organisation=organisation, utilisateur__email=email).exists():
        raise ValidationError("Cette personne est déjà membre de l'organisation.")
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invitee_par=par)
    lien = lien_absolu(invitation)
    send_mail(
        f"Invitation à rejoindre {organisation.nom} sur Balise",
        f"{par.nom_affiche} vous invite à rejoindre {organisation.nom} sur Balise "
        f"(rôle : {invitation.get_role_display()}).\n\nPour accepter, ouvrez ce lien dans les 14 jours :\n{lien}\n",
        None,
        [email],
    )
    return invitation


@transaction.atomic
def accepter_invitation(invitation: Invitation, utilisateur: Utilisateur) -> Adhesion:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.valide:
        raise ValidationError("Cette invitation n'est plus valable.")
    if utilisateur.email != invitation.email:
        raise ValidationError("Cette invitation a été adressée à une autre adresse électronique.")
    adhesion = Adhesion.objects.filter(utilisateur=utilisateur, organisation=invitation.organisation).first()
    if adhesion is None:
        adhesion = Adhesion(
            utilisateur=utilisateur, organisation=invitation.organisation, role=invitation.role
        )
        versions.attribuer(adhesion, utilisateur)
    # Une invitation à siéger dans une instance (membre externe) donne aussi le siège proposé ; la
    # gouvernance dépend des organisations, d'où l'import ici.
    from balise.gouvernance.services_instances import sieger_par_invitation

    sieger_par_invitation(invitation, utilisateur)
    invitation.acceptee_le = timezone.now()
    invitation.save(update_fields=["acceptee_le"])
    return adhesion


@transaction.atomic
def accepter_invitation_en_creant_son_compte(
    invitation: Invitation, mot_de_passe: str, prenom: str, nom: str
) -> Utilisateur:
    """La personne invitée n'a pas encore de compte : il est créé à l'adresse de l'invitation, qu'elle
    accepte dans la même transaction (un refus ne laisse pas de compte sans adhésion)."""
    utilisateur = creer_compte(invitation.email, mot_de_passe, prenom=prenom, nom=nom)
    accepter_invitation(invitation, utilisateur)
    return utilisateur


@transaction.atomic
def annuler_invitation(invitation: Invitation, par: Utilisateur) -> None:
    """Annule une invitation en attente ; le journal de l'organisation garde qui l'a annulée, et quand."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.acceptee_le is not None:
        raise ValidationError("Cette invitation a déjà été acceptée : retirez le membre s'il le faut.")
    if invitation.annulee_le is not None:
        raise ValidationError("Cette invitation est déjà annulée.")
    invitation.annulee_le = timezone.now()
    invitation.save(update_fields=["annulee_le"])
    journal.noter(
        invitation.organisation_id,
        par,
        journal.Nature.INVITATION_ANNULEE,
        invitation.email,
        role=invitation.get_role_display(),
        invitee_le=invitation.creee_le,
    )


DERNIER_ADMINISTRATEUR = "L'organisation doit garder au moins un administrateur."


def _reste_un_administrateur(adhesion: Adhesion) -> bool:
    """Vrai si un autre membre est administrateur. Les adhésions d'administrateur sont verrouillées
    jusqu'à la fin de la transaction : deux retraits simultanés ne laissent pas l'organisation sans."""
    administrateurs = Adhesion.objects.select_for_update().filter(
        organisation_id=adhesion.organisation_id, role=Role.ADMINISTRATEUR
    )
    return any(pk != adhesion.pk for pk in administrateurs.values_list("pk", flat=True))


@transaction.atomic
def ajouter_membre(
    organisation: Organisation, utilisateur: Utilisateur, role: str, par: Utilisateur
) -> Adhesion:
    """Donne un rôle dans l'organisation à une personne qui a déjà un compte (administration de
    l'instance ; depuis les pages, on invite)."""
    if role not in Role.values:
        raise ValidationError("Rôle inconnu.")
    if Adhesion.objects.filter(organisation=organisation, utilisateur=utilisateur).exists():
        raise ValidationError(f"{utilisateur} est déjà membre de l'organisation.")
    return versions.attribuer(Adhesion(utilisateur=utilisateur, organisation=organisation, role=role), par)


@transaction.atomic
def changer_role(adhesion: Adhesion, role: str, par: Utilisateur) -> Adhesion:
    if role not in Role.values:
        raise ValidationError("Rôle inconnu.")
    # Relue en base : l'objet reçu a pu être modifié par un formulaire (administration).
    adhesion = Adhesion.objects.select_for_update().get(pk=adhesion.pk)
    if (
        adhesion.role == Role.ADMINISTRATEUR
        and role != Role.ADMINISTRATEUR
        and not _reste_un_administrateur(adhesion)
    ):
        raise ValidationError(DERNIER_ADMINISTRATEUR)
    adhesion.role = role
    return versions.attribuer(adhesion, par)


@transaction.atomic
def retirer_membre(adhesion: Adhesion, par: Utilisateur) -> None:
    adhesion = Adhesion.objects.select_for_update().get(pk=adhesion.pk)
    if adhesion.role == Role.ADMINISTRATEUR and not _reste_un_administrateur(adhesion):
        raise ValidationError(DERNIER_ADMINISTRATEUR)
    adhesion._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    adhesion.delete()


@transaction.atomic
def supprimer_organisation(organisation: Organisation, par: Utilisateur) -> None:
    """Supprime une organisation (administration de l'instance) ; son journal et l'historique de ses
    versions restent. Ce qu'elle a déclaré (fiches, qualifications…) protège sa suppression."""
    organisation._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    organisation.delete()
