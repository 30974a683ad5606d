"""Les opérations qui changent le registre. Chacune est attribuée à une personne et gardée dans l'historique.

Les vues et l'API vérifient les droits (organisations.acces) puis appellent ces fonctions ; aucune
règle métier du registre ne vit ailleurs.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations import journal
from balise.organisations.models import Organisation

from . import cycle_de_vie, documents
from .models import ChangementStade, Document, SystemeIA

# Champs qu'une fiche expose à la saisie (formulaire et API) ; le stade, la publication et l'archivage
# ont leurs propres opérations.
CHAMPS_SAISIS = [
    "nom",
    "finalite",
    "service",
    "responsable",
    "domaine",
    "type_ia",
    "cible",
    "positionnement",
    "usage_non_declare",
    "realisation",
    "fournisseur",
    "modeles",
    "hebergement",
    "hebergeur",
    "donnees",
    "sources_donnees",
    "donnees_personnelles",
    "donnees_sensibles",
    "contribution_decision",
    "decision_individuelle",
    "regles_traitement",
    "supervision_humaine",
    "mode_degrade",
    "cout_investissement",
    "cout_annuel",
    "benefices_attendus",
    "contact",
]


ConflitEdition = versions.ConflitEdition


_TEXTES_FACULTATIFS = frozenset(
    f.name
    for f in SystemeIA._meta.get_fields()
    if isinstance(f, models.CharField | models.TextField) and f.blank and not f.null
)


class RefusEtat(ValidationError):
    """Refus dû à l'état actuel de la fiche, non à la saisie : passage de stade impossible depuis le
    stade actuel, publication d'une fiche qui n'a pas encore ce qu'elle doit dire. L'API répond 409."""


class TransitionInterdite(RefusEtat):
    pass


def _verrouiller(systeme_id: int, version_attendue: int) -> SystemeIA:
    return versions.verrouiller(
        SystemeIA.objects.select_related("organisation"), systeme_id, version_attendue
    )


def creer_systeme(organisation: Organisation, donnees: dict[str, Any], par: Utilisateur) -> SystemeIA:
    systeme = SystemeIA(organisation=organisation, **{k: v for k, v in donnees.items() if k in CHAMPS_SAISIS})
    systeme.full_clean()
    return versions.attribuer(systeme, par)


@transaction.atomic
def modifier_systeme(
    systeme_id: int, donnees: dict[str, Any], version_attendue: int, par: Utilisateur
) -> SystemeIA:
    systeme = _verrouiller(systeme_id, version_attendue)
    for champ, valeur in donnees.items():
        if champ in CHAMPS_SAISIS:
            if valeur is None and champ in _TEXTES_FACULTATIFS:
                # `null` (API) efface un texte facultatif. full_clean() laisserait passer None sur ces
                # colonnes NOT NULL et l'enregistrement échouerait en erreur 500.
                valeur = ""
            setattr(systeme, champ, valeur)
    systeme.full_clean()
    versions.enregistrer(systeme, par)
    return systeme


@transaction.atomic
def changer_stade(
    systeme_id: int, vers: str, motif: str, par: Utilisateur, version_attendue: int
) -> SystemeIA:
    systeme = _verrouiller(systeme_id, version_attendue)
    if systeme.archive:
        raise TransitionInterdite("Une fiche archivée ne change plus de stade.")
    depuis = systeme.stade
    if not cycle_de_vie.transition_permise(depuis, vers):
        permis = ", ".join(str(cycle_de_vie.Stade(s).label) for s in cycle_de_vie.suivants(depuis)) or "aucun"
        raise TransitionInterdite(
            f"Passage impossible de « {cycle_de_vie.Stade(depuis).label} » à ce stade. Stades possibles : {permis}."
        )
    motif = motif.strip()
    if vers in cycle_de_vie.MOTIF_OBLIGATOIRE and not motif:
        raise TransitionInterdite("Indiquez le motif de l'arrêt ou de l'abandon.")
    systeme.stade = vers
    if vers in cycle_de_vie.MOTIF_OBLIGATOIRE:
        systeme.motif_fin = motif
    versions.enregistrer(systeme, par)
    ChangementStade.objects.create(systeme=systeme, depuis=depuis, vers=vers, motif=motif, par=par)
    return systeme


@transaction.atomic
def publier(systeme_id: int, publie: bool, par: Utilisateur, version_attendue: int) -> SystemeIA:
    systeme = _verrouiller(systeme_id, version_attendue)
    if publie and not systeme.contribution_decision.strip():
        raise RefusEtat(
            "Avant de publier, décrivez comment le système contribue aux décisions (fiche publique CRPA)."
        )
    if publie and systeme.decision_individuelle and not systeme.regles_traitement.strip():
        raise RefusEtat(
            "Avant de publier un système qui intervient dans des décisions individuelles, décrivez les "
            "règles et les principaux paramètres du traitement (CRPA, art. L312-1-3)."
        )
    systeme.publie = publie
    versions.enregistrer(systeme, par)
    return systeme


@transaction.atomic
def archiver(systeme_id: int, par: Utilisateur, version_attendue: int) -> SystemeIA:
    """Supprimer, c'est archiver : la fiche et son historique restent, elle sort du registre et du public."""
    systeme = _verrouiller(systeme_id, version_attendue)
    if not systeme.archive:
        systeme.archive_le = timezone.now()
        systeme.publie = False
        versions.enregistrer(systeme, par)
        journal.noter(systeme.organisation_id, par, journal.Nature.FICHE_ARCHIVEE, systeme.nom)
    return systeme


@transaction.atomic
def restaurer(systeme_id: int, par: Utilisateur, version_attendue: int) -> SystemeIA:
    systeme = _verrouiller(systeme_id, version_attendue)
    if systeme.archive:
        systeme.archive_le = None
        versions.enregistrer(systeme, par)
        journal.noter(systeme.organisation_id, par, journal.Nature.FICHE_RESTAUREE, systeme.nom)
    return systeme


def deposer_document(systeme: SystemeIA, titre: str, fichier: UploadedFile, par: Utilisateur) -> Document:
    if systeme.archive:
        raise ValidationError("On ne dépose pas de document sur une fiche archivée.")
    verifie = documents.verifier(fichier)
    titre = titre.strip()[:200] or verifie.nom
    document = Document(
        systeme=systeme,
        titre=titre,
        nom_original=verifie.nom,
        type_mime=verifie.type_mime,
        taille=verifie.taille,
        depose_par=par,
    )
    document.fichier.save(verifie.nom, fichier, save=False)
    return versions.attribuer(document, par)


def _verrouiller_document(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("systeme").get(pk=document.pk)


def _noter_document(document: Document, par: Utilisateur, nature: str) -> None:
    journal.noter(
        document.systeme.organisation_id,
        par,
        nature,
        document.titre,
        fiche=document.systeme.nom,
        deposee_le=document.depose_le,
    )


@transaction.atomic
def archiver_document(document: Document, par: Utilisateur) -> Document:
    """Retire un document de la fiche ; il reste gardé, avec son historique, et peut être restauré."""
    document = _verrouiller_document(document)
    if document.archive_le is not None:
        raise ValidationError("Ce document est déjà archivé.")
    document.archive_le = timezone.now()
    versions.attribuer(document, par, update_fields=["archive_le"])
    _noter_document(document, par, journal.Nature.DOCUMENT_ARCHIVE)
    return document


def verifier_restauration(document: Document) -> None:
    """Lève ValidationError si le document ne peut pas être restauré."""
    if document.archive_le is None:
        raise ValidationError("Ce document n'est pas archivé.")
    if document.systeme.archive:
        raise ValidationError("La fiche est archivée : restaurez-la avant d'en restaurer les documents.")


@transaction.atomic
def restaurer_document(document: Document, par: Utilisateur) -> Document:
    """Remet un document archivé sur sa fiche (téléchargeable de nouveau)."""
    document = _verrouiller_document(document)
    verifier_restauration(document)
    document.archive_le = None
    versions.attribuer(document, par, update_fields=["archive_le"])
    _noter_document(document, par, journal.Nature.DOCUMENT_RESTAURE)
    return document
