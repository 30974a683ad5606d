"""Les opérations sur les instances (comités, COPIL, CST…), leurs collèges et leurs membres.

Chaque opération est atomique et attribuée à son auteur (historique de simple-history) ; une instance
et un siège se modifient sous verrou optimiste (balise/versions.py). Une saisie invalide lève
ValidationError avec un message en français, sans rien changer. Les droits (GOUVERNER) sont vérifiés
par les vues et l'API avant l'appel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations import journal
from balise.organisations.models import Adhesion, Invitation, Organisation
from balise.organisations.roles import Permission, Role, peut

from . import modeles_instances
from .models import College, Instance, InvitationSiege, Membre

# Ce qu'une instance expose à la saisie (formulaire et API) ; archivage et composition ont leurs opérations.
CHAMPS_INSTANCE = [
    "nom",
    "mission",
    "nature",
    "quorum_pourcent",
    "regle_vote",
    "avis_publics",
    "periodicite",
]
COLLEGES_AU_PLUS = 12
LONGUEUR_MISSION = 4000


def valeurs_du_modele(modele_id: str) -> dict[str, Any]:
    """Les valeurs d'un modèle d'instance, pour pré-remplir le formulaire de création."""
    modele = modeles_instances.en_vigueur().par_id.get(modele_id)
    if modele is None:
        raise ValidationError("Ce modèle d'instance n'existe pas.")
    valeurs: dict[str, Any] = {champ: getattr(modele, champ) for champ in CHAMPS_INSTANCE}
    valeurs["colleges"] = list(modele.colleges)
    return valeurs


def noms_de_colleges(noms: Iterable[str]) -> list[str]:
    """Les noms de collèges saisis, sans vide ni doublon ; refuse un nom trop long ou trop de collèges."""
    retenus: list[str] = []
    for nom in (n.strip() for n in noms):
        if not nom:
            continue
        if len(nom) > 200:
            raise ValidationError("Le nom d'un collège ne dépasse pas 200 caractères.")
        if nom.casefold() in {r.casefold() for r in retenus}:
            raise ValidationError(f"Le collège « {nom} » est cité deux fois.")
        retenus.append(nom)
    if len(retenus) > COLLEGES_AU_PLUS:
        raise ValidationError(f"Une instance compte au plus {COLLEGES_AU_PLUS} collèges.")
    return retenus


def _valider(instance: Instance) -> None:
    instance.nom = instance.nom.strip()
    instance.mission = instance.mission.strip()
    instance.periodicite = instance.periodicite.strip()
    erreurs: dict[str, str] = {}
    if not instance.nom:
        erreurs["nom"] = "Donnez un nom à l'instance."
    if not instance.mission:
        erreurs["mission"] = "Décrivez la mission de l'instance."
    elif len(instance.mission) > LONGUEUR_MISSION:
        erreurs["mission"] = f"La mission ne dépasse pas {LONGUEUR_MISSION} caractères."
    quorum = instance.quorum_pourcent
    if isinstance(quorum, bool) or not isinstance(quorum, int) or not 0 <= quorum <= 100:
        erreurs["quorum_pourcent"] = "Le quorum est un pourcentage entre 0 et 100."
    if erreurs:
        raise ValidationError(erreurs)
    instance.full_clean(exclude=["organisation"])
    homonyme = Instance.objects.filter(
        organisation_id=instance.organisation_id, nom__iexact=instance.nom, archive_le__isnull=True
    ).exclude(pk=instance.pk)
    if homonyme.exists():
        raise ValidationError({"nom": "Une autre instance de l'organisation porte déjà ce nom."})


@transaction.atomic
def creer_instance(
    organisation: Organisation,
    donnees: dict[str, Any],
    par: Utilisateur,
    *,
    modele: str = "",
    colleges: Iterable[str] = (),
) -> Instance:
    """Crée une instance, librement (`modele` vide) ou d'après un modèle livré, avec ses collèges."""
    if modele and modele not in modeles_instances.en_vigueur().par_id:
        raise ValidationError("Ce modèle d'instance n'existe pas.")
    noms = noms_de_colleges(colleges)
    instance = Instance(organisation=organisation, modele=modele)
    for champ in CHAMPS_INSTANCE:
        if champ in donnees:
            setattr(instance, champ, donnees[champ])
    _valider(instance)
    versions.attribuer(instance, par)
    for ordre, nom in enumerate(noms):
        versions.attribuer(College(instance=instance, nom=nom, ordre=ordre), par)
    return instance


def _verrouiller(organisation: Organisation, instance_id: int, version: int | None) -> Instance:
    return versions.verrouiller(Instance.objects.filter(organisation=organisation), instance_id, version)


@transaction.atomic
def modifier_instance(
    organisation: Organisation,
    instance_id: int,
    donnees: dict[str, Any],
    version_attendue: int | None,
    par: Utilisateur,
) -> Instance:
    instance = _verrouiller(organisation, instance_id, version_attendue)
    if instance.archive_le is not None:
        raise ValidationError("Cette instance est archivée : restaurez-la avant de la modifier.")
    for champ in CHAMPS_INSTANCE:
        if champ in donnees:
            setattr(instance, champ, donnees[champ])
    _valider(instance)
    versions.enregistrer(instance, par)
    return instance


def _membres_en_fonction(instance: Instance) -> int:
    return instance.membres.filter(retire_le__isnull=True).count()


@transaction.atomic
def archiver_instance(
    organisation: Organisation, instance_id: int, version_attendue: int | None, par: Utilisateur
) -> Instance:
    """Archiver : l'instance sort des listes, ses membres, séances et avis restent avec leur historique."""
    instance = _verrouiller(organisation, instance_id, version_attendue)
    if instance.archive_le is not None:
        raise ValidationError("Cette instance est déjà archivée.")
    instance.archive_le = timezone.now()
    versions.enregistrer(instance, par)
    journal.noter(
        organisation.pk,
        par,
        journal.Nature.INSTANCE_ARCHIVEE,
        instance.nom,
        membres=_membres_en_fonction(instance),
    )
    return instance


@transaction.atomic
def restaurer_instance(
    organisation: Organisation, instance_id: int, version_attendue: int | None, par: Utilisateur
) -> Instance:
    instance = _verrouiller(organisation, instance_id, version_attendue)
    if instance.archive_le is None:
        raise ValidationError("Cette instance n'est pas archivée.")
    instance.archive_le = None
    _valider(instance)  # une instance active du même nom a pu être créée entre-temps
    versions.enregistrer(instance, par)
    journal.noter(organisation.pk, par, journal.Nature.INSTANCE_RESTAUREE, instance.nom)
    return instance


# --- Collèges -----------------------------------------------------------------------------------


def _instance_active(instance: Instance) -> Instance:
    """Relit et verrouille l'instance : les changements de composition se font l'un après l'autre."""
    verrouillee = Instance.objects.select_for_update().get(pk=instance.pk)
    if verrouillee.archive_le is not None:
        raise ValidationError("Cette instance est archivée : restaurez-la avant d'en changer la composition.")
    return verrouillee


@transaction.atomic
def ajouter_college(instance: Instance, nom: str, par: Utilisateur) -> College:
    instance = _instance_active(instance)
    existants = list(instance.colleges.values_list("nom", flat=True))
    noms = noms_de_colleges([*existants, nom])
    if len(noms) == len(existants):
        raise ValidationError("Donnez un nom au collège.")
    ordre = instance.colleges.count()
    return versions.attribuer(College(instance=instance, nom=noms[-1], ordre=ordre), par)


@transaction.atomic
def renommer_college(instance: Instance, college_id: int, nom: str, par: Utilisateur) -> College:
    instance = _instance_active(instance)
    college = instance.colleges.get(pk=college_id)
    autres = instance.colleges.exclude(pk=college.pk).values_list("nom", flat=True)
    noms = noms_de_colleges([*autres, nom])
    if len(noms) == len(autres):
        raise ValidationError("Donnez un nom au collège.")
    college.nom = noms[-1]
    return versions.attribuer(college, par)


@transaction.atomic
def retirer_college(instance: Instance, college_id: int, par: Utilisateur) -> None:
    """Retire un collège qui n'a jamais eu de membre (sinon l'historique des sièges y renvoie)."""
    instance = _instance_active(instance)
    college = instance.colleges.get(pk=college_id)
    if college.membres.exists():
        raise ValidationError(
            f"Le collège « {college.nom} » a ou a eu des membres : il reste, pour leur historique. "
            "Renommez-le s'il le faut."
        )
    college._history_user = par  # type: ignore[attr-defined]  # lu par simple-history (sans annotations)
    college.delete()


# --- Membres ------------------------------------------------------------------------------------


def _college(instance: Instance, college_id: int | None) -> College | None:
    if college_id is None:
        return None
    if isinstance(college_id, bool) or not isinstance(college_id, int):
        raise ValidationError({"college": "Ce collège n'appartient pas à cette instance."})
    college = College.objects.filter(instance=instance, pk=college_id).first()
    if college is None:
        raise ValidationError({"college": "Ce collège n'appartient pas à cette instance."})
    return college


def _fonction(fonction: str) -> str:
    if not isinstance(fonction, str) or fonction not in Membre.Fonction.values:
        raise ValidationError({"fonction": "Fonction inconnue."})
    return fonction


def _qualite(qualite: str) -> str:
    if not isinstance(qualite, str) or "\x00" in qualite:
        raise ValidationError({"qualite": "La qualité est un texte, sans caractère nul."})
    qualite = qualite.strip()
    if len(qualite) > 200:
        raise ValidationError({"qualite": "La qualité ne dépasse pas 200 caractères."})
    return qualite


def _presidence_libre(instance: Instance, fonction: str, sauf: Membre | None = None) -> None:
    if fonction != Membre.Fonction.PRESIDENT:
        return
    presidents = instance.membres.filter(retire_le__isnull=True, fonction=Membre.Fonction.PRESIDENT)
    if sauf is not None:
        presidents = presidents.exclude(pk=sauf.pk)
    if presidents.exists():
        raise ValidationError(
            {
                "fonction": "L'instance a déjà une présidence : retirez ou changez d'abord la personne qui l'exerce."
            }
        )


def _sieger(
    instance: Instance,
    utilisateur_id: int,
    college: College | None,
    fonction: str,
    qualite: str,
    par: Utilisateur,
    depuis: date | None = None,
    motif: str = "",
) -> Membre:
    if instance.membres.filter(utilisateur_id=utilisateur_id, retire_le__isnull=True).exists():
        raise ValidationError("Cette personne siège déjà dans cette instance.")
    membre = Membre(
        instance=instance,
        utilisateur_id=utilisateur_id,
        college=college,
        fonction=fonction,
        qualite=qualite,
        depuis=depuis or timezone.localdate(),
    )
    if motif:
        membre._change_reason = motif  # type: ignore[attr-defined]  # lu par simple-history
    return versions.attribuer(membre, par)


@transaction.atomic
def nommer_membre(
    instance: Instance,
    utilisateur_id: int,
    par: Utilisateur,
    *,
    college_id: int | None = None,
    fonction: str = Membre.Fonction.MEMBRE,
    qualite: str = "",
) -> Membre:
    """Nomme une personne de l'organisation (quel que soit son rôle) à un siège de l'instance."""
    instance = _instance_active(instance)
    adhesion = Adhesion.objects.filter(
        organisation_id=instance.organisation_id, utilisateur_id=utilisateur_id
    ).first()
    if adhesion is None or not peut(adhesion.role, Permission.SIEGER):
        raise ValidationError(
            {
                "utilisateur": "Cette personne n'est pas membre de l'organisation : invitez-la comme membre externe."
            }
        )
    college = _college(instance, college_id)
    fonction = _fonction(fonction)
    _presidence_libre(instance, fonction)
    return _sieger(instance, utilisateur_id, college, fonction, _qualite(qualite), par)


@transaction.atomic
def modifier_membre(
    instance: Instance,
    membre_id: int,
    donnees: dict[str, Any],
    version_attendue: int | None,
    par: Utilisateur,
) -> Membre:
    """Change la fonction, le collège ou la qualité d'un membre en fonction (les clés absentes de
    `donnees` ne changent pas ; `college` à None : sans collège). Rien n'est écrit si rien ne change :
    la version reste celle lue."""
    instance = _instance_active(instance)
    membre = versions.verrouiller(Membre.objects.filter(instance=instance), membre_id, version_attendue)
    if membre.retire_le is not None:
        raise ValidationError("Ce membre a été retiré de l'instance : nommez-le de nouveau s'il le faut.")
    avant = (membre.fonction, membre.college_id, membre.qualite)
    if "fonction" in donnees:
        membre.fonction = _fonction(donnees["fonction"])
        _presidence_libre(instance, membre.fonction, sauf=membre)
    if "college" in donnees:
        membre.college = _college(instance, donnees["college"])
    if "qualite" in donnees:
        membre.qualite = _qualite(donnees["qualite"])
    if (membre.fonction, membre.college_id, membre.qualite) != avant:
        versions.enregistrer(membre, par)
    return membre


@transaction.atomic
def retirer_membre(
    instance: Instance, membre_id: int, version_attendue: int | None, par: Utilisateur
) -> Membre:
    """Met fin à un siège : la ligne reste (retire_le), avec ses présences, ses votes et son historique."""
    membre = versions.verrouiller(Membre.objects.filter(instance=instance), membre_id, version_attendue)
    if membre.retire_le is not None:
        raise ValidationError("Ce membre a déjà été retiré de l'instance.")
    membre.retire_le = timezone.now()
    versions.enregistrer(membre, par)
    return membre


# --- Membres externes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultatInvitation:
    """Une invitation envoyée (personne extérieure), ou un siège créé tout de suite (la personne était
    déjà membre de l'organisation)."""

    invitation: InvitationSiege | None = None
    membre: Membre | None = None


@transaction.atomic
def inviter_externe(
    instance: Instance,
    email: str,
    par: Utilisateur,
    lien_absolu: Callable[[Invitation], str],
    *,
    college_id: int | None = None,
    fonction: str = Membre.Fonction.MEMBRE,
    qualite: str = "",
) -> ResultatInvitation:
    """Invite par courriel une personne extérieure (citoyen, expert, universitaire, représentant
    syndical) à siéger : invitation au rôle « membre externe », liée au siège proposé. Si la personne
    est déjà membre de l'organisation, elle est nommée tout de suite, avec son rôle actuel."""
    instance = _instance_active(instance)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Adresse électronique invalide."}) from None
    college = _college(instance, college_id)
    fonction = _fonction(fonction)
    qualite = _qualite(qualite)
    _presidence_libre(instance, fonction)
    adhesion = Adhesion.objects.filter(
        organisation_id=instance.organisation_id, utilisateur__email=email
    ).first()
    if adhesion is not None:
        membre = _sieger(instance, adhesion.utilisateur_id, college, fonction, qualite, par)
        return ResultatInvitation(membre=membre)
    en_attente = InvitationSiege.objects.filter(
        instance=instance,
        invitation__email=email,
        invitation__acceptee_le__isnull=True,
        invitation__annulee_le__isnull=True,
        invitation__expire_le__gt=timezone.now(),
    )
    if en_attente.exists():
        raise ValidationError({"email": "Une invitation à siéger attend déjà la réponse de cette personne."})
    invitation = Invitation.objects.create(
        organisation_id=instance.organisation_id, email=email, role=Role.EXTERNE, invitee_par=par
    )
    siege = InvitationSiege.objects.create(
        invitation=invitation, instance=instance, college=college, fonction=fonction, qualite=qualite
    )
    organisation = Organisation.objects.get(pk=instance.organisation_id)
    send_mail(
        f"Invitation à siéger : {instance.nom} ({organisation.nom})",
        f"{par.nom_affiche} vous invite à siéger dans l'instance « {instance.nom} » de {organisation.nom}"
        f" ({siege.get_fonction_display().lower()}"
        + (f", {college.nom}" if college else "")
        + ").\n\nSur Balise, vous verrez les séances de cette instance et les dossiers qui lui sont "
        "soumis, et vous y donnerez votre vote et votre avis ; rien d'autre de l'organisation.\n\n"
        f"Pour accepter, ouvrez ce lien dans les 14 jours :\n{lien_absolu(invitation)}\n",
        None,
        [email],
    )
    return ResultatInvitation(invitation=siege)


# Noté dans l'historique du siège (history_change_reason, 100 caractères au plus).
MOTIF_PRESIDENCE_OCCUPEE = "Invitation à la présidence : déjà exercée à l'acceptation, siège comme membre"


def sieger_par_invitation(invitation: Invitation, utilisateur: Utilisateur) -> Membre | None:
    """À l'acceptation d'une invitation (organisations.services), donne à la personne le siège qui lui
    était proposé, s'il y en a un. Appelé dans la transaction de l'acceptation.

    La présidence est revérifiée : si quelqu'un d'autre l'exerce désormais (nommé après l'envoi de
    l'invitation), la personne siège quand même, comme « membre » : son invitation n'échoue pas pour
    une raison qui ne dépend pas d'elle. L'écart est noté dans l'historique du siège et dit par
    `ecart_a_l_acceptation`."""
    siege = InvitationSiege.objects.select_related("instance").filter(invitation=invitation).first()
    if siege is None:
        return None
    instance = Instance.objects.select_for_update().get(pk=siege.instance_id)
    if instance.archive_le is not None:
        raise ValidationError(
            f"L'instance « {instance.nom} » a été archivée : cette invitation ne vaut plus."
        )
    membre = instance.membres.filter(utilisateur=utilisateur, retire_le__isnull=True).first()
    if membre is None:
        fonction, motif = siege.fonction, ""
        try:
            _presidence_libre(instance, fonction)
        except ValidationError:
            fonction, motif = Membre.Fonction.MEMBRE, MOTIF_PRESIDENCE_OCCUPEE
        membre = _sieger(
            instance, utilisateur.pk, siege.college, fonction, siege.qualite, utilisateur, motif=motif
        )
    siege.membre = membre
    siege.save(update_fields=["membre"])
    return membre


def ecart_a_l_acceptation(invitation: Invitation) -> str:
    """Ce qu'il faut dire à la personne qui vient d'accepter son invitation à siéger si elle ne siège
    pas à la fonction proposée (présidence exercée entre-temps par une autre personne) ; "" sinon."""
    siege = InvitationSiege.objects.select_related("instance", "membre").filter(invitation=invitation).first()
    if siege is None or siege.membre is None:
        return ""
    if not siege.membre.history.filter(history_change_reason=MOTIF_PRESIDENCE_OCCUPEE).exists():
        return ""
    return (
        f"Votre invitation proposait la présidence de « {siege.instance.nom} », mais une autre personne "
        "l'exerce désormais : vous y siégez comme membre. Les responsables de l'instance peuvent "
        "changer votre fonction."
    )
