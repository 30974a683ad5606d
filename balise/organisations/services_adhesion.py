"""Demandes d'adhésion : une collectivité demande à rejoindre l'instance, sans compte ; l'administrateur
de l'instance l'approuve (organisation et premier administrateur créés, lien d'activation envoyé) ou la
refuse avec un motif, envoyé à la personne qui a demandé."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur

from . import collectivites
from .models import DemandeAdhesion, Organisation, valider_siren
from .services import creer_organisation

MOTIF_DEMANDE = "Envoyée sans compte depuis la page « Demander l'adhésion »"
MOTIF_MAX = 2000


def organisation_de_la_demande(demande: DemandeAdhesion) -> Organisation | None:
    """L'organisation de l'instance qui est déjà celle de la demande : même SIREN, ou, sans SIREN dans le
    référentiel (départements, régions), même nom et même type."""
    if demande.siren:
        return Organisation.objects.filter(siren=demande.siren).first()
    return Organisation.objects.filter(nom__iexact=demande.nom, type=demande.type).first()


def _verifier_libre(demande: DemandeAdhesion) -> None:
    if organisation_de_la_demande(demande) is not None:
        raise ValidationError(
            f"{demande.nom} a déjà son espace sur Balise : demandez à son administrateur de vous y "
            "inviter (page « Membres »)."
        )
    if DemandeAdhesion.objects.filter(
        code_collectivite=demande.code_collectivite, statut=DemandeAdhesion.Statut.EN_ATTENTE
    ).exists():
        raise _deja_en_attente(demande)


def _deja_en_attente(demande: DemandeAdhesion) -> ValidationError:
    return ValidationError(
        f"Une demande d'adhésion pour {demande.nom} est déjà en attente : l'administrateur de "
        "l'instance l'examine, inutile d'en envoyer une autre."
    )


def _prevenir_l_instance(demande: DemandeAdhesion) -> None:
    destinataires = list(
        Utilisateur.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    )
    if destinataires:
        send_mail(
            f"Demande d'adhésion : {demande.nom}",
            f"{demande.nom_complet_administrateur} ({demande.fonction}, {demande.email}) demande l'ouverture "
            f"d'un espace pour {demande.nom} sur Balise.\n\nPour l'examiner :\n"
            f"{settings.URL_PUBLIQUE}{reverse('adhesion:demande', args=[demande.pk])}\n",
            None,
            destinataires,
        )


def demander(*, code: str, prenom: str, nom: str, email: str, fonction: str) -> DemandeAdhesion:
    """Enregistre une demande pour la collectivité `code` du référentiel ; refusée (rien d'écrit) si
    la collectivité est inconnue, déjà inscrite ou déjà en attente."""
    collectivite = collectivites.par_code(code)
    if collectivite is None:
        raise ValidationError("Choisissez votre collectivité dans la liste proposée.")
    demande = DemandeAdhesion(
        code_collectivite=collectivite.code,
        nom=collectivite.nom,
        type=collectivite.type,
        siren=collectivite.siren,
        population=collectivite.population,
    )
    return _enregistrer(demande, prenom=prenom, nom=nom, email=email, fonction=fonction)


def demander_hors_liste(
    *, nom_organisation: str, type: str, siren: str, prenom: str, nom: str, email: str, fonction: str
) -> DemandeAdhesion:
    """Une organisation absente du référentiel (centre de gestion, syndicat mixte…) : son nom, son type et
    son SIREN, qui lui sert de code ; l'administrateur de l'instance vérifie le SIREN avant d'approuver."""
    siren = "".join(siren.split())
    valider_siren(siren)
    if type not in collectivites.TYPES_HORS_REFERENTIEL:
        raise ValidationError(
            "Une commune, une intercommunalité, un département ou une région se choisit dans la liste."
        )
    listee = collectivites.par_siren(siren)
    if listee is not None:
        raise ValidationError(
            f"Ce SIREN est celui de {listee.libelle}, qui est dans la liste : cherchez-la par son nom."
        )
    demande = DemandeAdhesion(
        code_collectivite=siren, nom=" ".join(nom_organisation.split()), type=type, siren=siren
    )
    return _enregistrer(demande, prenom=prenom, nom=nom, email=email, fonction=fonction)


def _enregistrer(
    demande: DemandeAdhesion, *, prenom: str, nom: str, email: str, fonction: str
) -> DemandeAdhesion:
    demande.prenom, demande.nom_administrateur = prenom.strip(), nom.strip()
    demande.email, demande.fonction = email.strip().lower(), fonction.strip()
    _verifier_libre(demande)
    # La contrainte d'une seule demande en attente est tenue par la base (IntegrityError ci-dessous).
    demande.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            demande._change_reason = MOTIF_DEMANDE  # type: ignore[attr-defined]  # lu par simple-history
            versions.attribuer(demande, None)
            _prevenir_l_instance(demande)
    except IntegrityError:  # une demande simultanée pour la même collectivité est passée la première
        raise _deja_en_attente(demande) from None
    return demande


def _en_attente(pk: int) -> DemandeAdhesion:
    demande = DemandeAdhesion.objects.select_for_update().get(pk=pk)
    if demande.statut != DemandeAdhesion.Statut.EN_ATTENTE:
        raise ValidationError(f"Cette demande a déjà été traitée ({demande.get_statut_display().lower()}).")
    return demande


@transaction.atomic
def approuver(pk: int, par: Utilisateur) -> Organisation:
    """Crée l'organisation (nom, SIREN, type, population de la demande) et son premier administrateur,
    qui reçoit un lien pour choisir son mot de passe."""
    demande = _en_attente(pk)
    if organisation_de_la_demande(demande) is not None:
        raise ValidationError(
            f"{demande.nom} a déjà son espace sur Balise : refusez cette demande en le disant."
        )
    organisation, utilisateur, cree = creer_organisation(
        nom=demande.nom,
        type=demande.type,
        administrateur_email=demande.email,
        siren=demande.siren,
        population=demande.population,
        prenom=demande.prenom,
        nom_administrateur=demande.nom_administrateur,
        par=par,
    )
    if not cree:  # la personne a déjà un compte (autre organisation) : elle se connecte comme d'habitude
        send_mail(
            f"Votre espace {organisation.nom} est ouvert sur Balise",
            f"Bonjour,\n\nL'espace de {organisation.nom} est ouvert sur Balise et vous en êtes "
            f"l'administrateur. Connectez-vous avec votre compte habituel ({utilisateur.email}) :\n"
            f"{settings.URL_PUBLIQUE}{reverse('comptes:connexion')}\n",
            None,
            [utilisateur.email],
        )
    demande.statut = DemandeAdhesion.Statut.APPROUVEE
    demande.decidee_le, demande.decidee_par, demande.organisation = timezone.now(), par, organisation
    versions.attribuer(demande, par)
    # Une demande faite par une mutualisante pour la collectivité : sa convention lui est proposée.
    from balise.mutualisation.invitations import proposer_apres_approbation

    proposer_apres_approbation(demande, organisation)
    return organisation


@transaction.atomic
def refuser(pk: int, motif: str, par: Utilisateur) -> DemandeAdhesion:
    """Refuse la demande ; le motif, obligatoire, est envoyé à la personne qui l'a faite."""
    motif = motif.strip()
    if not motif:
        raise ValidationError("Écrivez le motif du refus : il est envoyé à la personne qui a demandé.")
    if len(motif) > MOTIF_MAX:
        raise ValidationError(f"Le motif compte {MOTIF_MAX} caractères au plus.")
    demande = _en_attente(pk)
    demande.statut, demande.motif_refus = DemandeAdhesion.Statut.REFUSEE, motif
    demande.decidee_le, demande.decidee_par = timezone.now(), par
    versions.attribuer(demande, par)
    send_mail(
        f"Votre demande d'adhésion à Balise pour {demande.nom}",
        f"Bonjour,\n\nVotre demande d'ouverture d'un espace pour {demande.nom} sur Balise n'a pas été "
        f"acceptée, pour ce motif :\n\n{motif}\n",
        None,
        [demande.email],
    )
    return demande
