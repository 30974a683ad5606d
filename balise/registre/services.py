"""Les opérations qui changent le registre. Chacune est attribuée à une personne et gardée dans l'historique.

Les vues et l'API vérifient les droits (organisations.acces) puis appellent ces fonctions ; aucune
règle métier du registre ne vit ailleurs.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.conformite.models import ObligationSuivie
from balise.gouvernance import faits, portes
from balise.gouvernance import selectors_politique as politiques
from balise.gouvernance.models import Condition
from balise.organisations import journal
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Permission, peut

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
    "mis_en_service_le",
    "contact",
    "identifiant_externe",
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


class IdentifiantExterneDejaPris(RefusEtat):
    """Une autre fiche de l'organisation porte déjà cet identifiant du registre d'origine : la reprise
    d'un tableur retrouve une fiche par lui, il doit la désigner seule. L'API répond 409."""

    def __init__(self, identifiant: str, autre: SystemeIA) -> None:
        archivee = " (archivée)" if autre.archive else ""
        super().__init__(
            {
                "identifiant_externe": (
                    f"L'identifiant « {identifiant} » est déjà celui de la fiche « {autre.nom} »{archivee} : "
                    "chaque fiche de l'organisation a le sien. Choisissez-en un autre ou laissez le champ vide."
                )
            }
        )


def _verifier_identifiant_externe(systeme: SystemeIA) -> None:
    if not systeme.identifiant_externe:
        return
    autre = (
        SystemeIA.objects.filter(
            organisation_id=systeme.organisation_id, identifiant_externe=systeme.identifiant_externe
        )
        .exclude(pk=systeme.pk)
        .first()
    )
    if autre is not None:
        raise IdentifiantExterneDejaPris(systeme.identifiant_externe, autre)


def _enregistrer_fiche(systeme: SystemeIA, par: Utilisateur, nouvelle: bool) -> None:
    """Valide puis enregistre (nouvelle version attribuée) ; deux enregistrements simultanés du même
    identifiant externe : la contrainte de la table arrête le second, refusé avec le même message."""
    _verifier_identifiant_externe(systeme)  # la seule contrainte de la table, dite avec l'autre fiche
    systeme.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            if nouvelle:
                versions.attribuer(systeme, par)
            else:
                versions.enregistrer(systeme, par)
    except IntegrityError:
        _verifier_identifiant_externe(systeme)
        raise


def creer_systeme(organisation: Organisation, donnees: dict[str, Any], par: Utilisateur) -> SystemeIA:
    systeme = SystemeIA(organisation=organisation, **{k: v for k, v in donnees.items() if k in CHAMPS_SAISIS})
    _enregistrer_fiche(systeme, par, nouvelle=True)
    return systeme


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
    _enregistrer_fiche(systeme, par, nouvelle=False)
    return systeme


class PorteNonFranchie(RefusEtat):
    """Une porte du cycle de vie n'est pas franchie (gouvernance/portes.py) ; `criteres` : ceux qui
    manquent, pour l'API (409)."""

    def __init__(self, message: str, controle: portes.Controle) -> None:
        super().__init__(message)
        self.controle = controle
        self.criteres = _criteres_manquants(controle)


def _criteres_manquants(controle: portes.Controle) -> list[dict[str, Any]]:
    return [
        {"id": ligne.id, "libelle": ligne.libelle, "motif": ligne.motif, "bloquant": ligne.bloquante}
        for ligne in controle.manquants
    ]


def _passer_la_porte(
    systeme: SystemeIA,
    porte: str,
    justification: str,
    par: Utilisateur,
    applicable: politiques.Applicable,
) -> portes.Controle | None:
    """Vérifie la porte `porte` selon la politique de l'organisation du système ; renvoie sa liste de
    contrôle si elle est passée sans être franchie (justifiée par un administrateur), None si elle est
    franchie ou s'il n'y en a pas.

    Une porte dont un critère bloquant manque (pratique interdite) ne se passe jamais."""
    controle = portes.controler(applicable.politique, porte, faits.faits_de(systeme))
    if controle is None or controle.franchie:
        return None
    manque = controle.resume_manquants()
    if controle.bloquee:
        bloquants = " ; ".join(
            f"{ligne.libelle} ({ligne.motif})" for ligne in controle.manquants if ligne.bloquante
        )
        raise PorteNonFranchie(
            f"« {controle.libelle} » est impossible : {bloquants}. Cette porte ne se force pas, quel que "
            "soit le rôle : requalifiez le système ou abandonnez-le.",
            controle,
        )
    adhesion = Adhesion.objects.filter(organisation_id=systeme.organisation_id, utilisateur=par).first()
    if not peut(adhesion.role if adhesion else None, Permission.FORCER_PORTE):
        raise PorteNonFranchie(
            f"« {controle.libelle} » : la porte n'est pas franchie. Il manque : {manque}. Seul un "
            "administrateur peut la passer, en écrivant une justification.",
            controle,
        )
    if not justification:
        raise PorteNonFranchie(
            f"« {controle.libelle} » : la porte n'est pas franchie. Il manque : {manque}. Pour la "
            "passer quand même, écrivez une justification.",
            controle,
        )
    return controle


def _raison(controle: portes.Controle, justification: str) -> str:
    """La raison gardée dans l'historique de la fiche quand une porte est passée sans être franchie."""
    return f"Porte « {controle.libelle} » passée sans être franchie. Justification : {justification}"[:100]


def _clore_en_attente(systeme: SystemeIA, vers: str, motif: str, par: Utilisateur) -> None:
    """Un système arrêté ou abandonné n'a plus d'obligations ni de conditions en attente : elles
    deviennent « sans objet », avec la date, le motif et l'auteur, et sortent des listes en retard."""
    etape = cycle_de_vie.Stade(vers).label.lower()
    note = f"Sans objet depuis le {timezone.localdate():%d/%m/%Y} : système passé en « {etape} » ({motif})."
    for obligation in (
        ObligationSuivie.objects.select_for_update()
        .filter(systeme=systeme, applicable=True)
        .exclude(statut__in=ObligationSuivie.TERMINES)
    ):
        obligation.statut = ObligationSuivie.Statut.SANS_OBJET
        obligation.commentaire = f"{obligation.commentaire}\n{note}".strip()[:4000]
        obligation._change_reason = note[:100]  # type: ignore[attr-defined]  # lu par simple-history
        versions.enregistrer(obligation, par)
    for condition in Condition.objects.select_for_update().filter(systeme=systeme).en_attente():
        condition.statut = Condition.Statut.SANS_OBJET
        condition.commentaire = f"{condition.commentaire}\n{note}".strip()[:4000]
        condition._change_reason = note[:100]  # type: ignore[attr-defined]  # lu par simple-history
        versions.enregistrer(condition, par)


@transaction.atomic
def changer_stade(
    systeme_id: int,
    vers: str,
    motif: str,
    par: Utilisateur,
    version_attendue: int,
    justification: str = "",
) -> SystemeIA:
    """Passe le système au stade `vers`. La porte de ce stade (politique des portes) doit être
    franchie, ou passée par un administrateur qui écrit une justification ; jamais une porte bloquante."""
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
    justification = justification.strip()
    applicable = politiques.applicable(systeme.organisation_id)
    forcee = _passer_la_porte(systeme, vers, justification, par, applicable)
    if forcee:
        systeme._change_reason = _raison(forcee, justification)  # type: ignore[attr-defined]  # simple-history
    systeme.stade = vers
    le = timezone.now()
    if vers == cycle_de_vie.Stade.PRODUCTION and systeme.mis_en_service_le is None:
        # La mise en service date du passage en production, sauf si la personne l'a déjà indiquée (une
        # date effective ou prévue qu'elle connaît mieux que Balise) : elle n'est jamais écrasée.
        systeme.mis_en_service_le = timezone.localdate(le)
    if vers in cycle_de_vie.MOTIF_OBLIGATOIRE:
        systeme.motif_fin = motif
        _clore_en_attente(systeme, vers, motif, par)
    versions.enregistrer(systeme, par)
    ChangementStade.objects.create(
        systeme=systeme,
        depuis=depuis,
        vers=vers,
        motif=motif,
        le=le,
        par=par,
        porte_forcee=forcee is not None,
        justification=justification if forcee else "",
        criteres_manquants=_criteres_manquants(forcee) if forcee else [],
        politique=applicable.libelle,
    )
    return systeme


@transaction.atomic
def publier(
    systeme_id: int, publie: bool, par: Utilisateur, version_attendue: int, justification: str = ""
) -> SystemeIA:
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
    justification = justification.strip()
    applicable = politiques.applicable(systeme.organisation_id) if publie and not systeme.publie else None
    forcee = (
        _passer_la_porte(systeme, portes.PUBLICATION, justification, par, applicable)
        if applicable is not None
        else None
    )
    systeme.publie = publie
    if forcee:
        systeme._change_reason = _raison(forcee, justification)  # type: ignore[attr-defined]  # simple-history
    versions.enregistrer(systeme, par)
    if forcee:
        ChangementStade.objects.create(
            systeme=systeme,
            nature=ChangementStade.Nature.PUBLICATION,
            depuis=systeme.stade,
            vers=systeme.stade,
            par=par,
            porte_forcee=True,
            justification=justification,
            criteres_manquants=_criteres_manquants(forcee),
            politique=applicable.libelle if applicable else "",
        )
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
