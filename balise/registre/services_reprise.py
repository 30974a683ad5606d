"""Reprendre un registre tenu dans un tableur : dépôt, lecture (processus de fond), correspondances,
aperçu, confirmation, enregistrement (processus de fond), suppression d'un import abandonné.

Rien n'est écrit au registre avant la confirmation ; l'enregistrement écrit toutes les lignes en une
seule transaction (celle qui conclut le travail de fond), chaque fiche attribuée à la personne qui a
confirmé et gardée dans l'historique avec le nom du fichier. Une ligne dont l'identifiant est celui
d'une fiche de l'organisation met cette fiche à jour (verrou optimiste : une fiche modifiée depuis la
confirmation fait tout échouer, rien n'est écrit) ; les autres lignes créent des fiches.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task
from simple_history.utils import bulk_create_with_history

from balise import binaire, generations, versions
from balise.comptes.models import Utilisateur
from balise.metiers.lecture import FichierIllisible, preparer, reconnaitre, relire
from balise.organisations.models import Organisation
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from . import reprise, taches_reprise
from .models import ImportRegistre, SystemeIA

DEPOT_EFFACE = "Cet import a été supprimé entre-temps : déposez de nouveau le fichier."
DEJA_CONFIRME = "Cet import a déjà été confirmé : déposez de nouveau le fichier pour l'importer encore."
_COMPRESSION = {"xlsx": 0, "ods": 0}


class ImportRefuse(ValidationError):
    """L'opération n'est pas possible dans l'état de l'import ; le message s'adresse à la personne."""


# --- Dépôt et lecture ---------------------------------------------------------------------------------


def deposer(organisation: Organisation, par: Utilisateur, nom_fichier: str, contenu: bytes) -> ImportRegistre:
    """Vérifie ce qui se vérifie sans lire le fichier (taille, signature, archive), le garde et met
    sa lecture dans la file du processus de fond. Lève FichierIllisible (message en français)."""
    format_ = reconnaitre(contenu)
    with transaction.atomic():
        imp = ImportRegistre.objects.create(
            organisation=organisation, nom_fichier=nom_fichier[-255:], format=format_, cree_par=par
        )
        binaire.ecrire(
            ImportRegistre, imp.pk, "contenu", zlib.compress(contenu, _COMPRESSION.get(format_, 1))
        )
        _lancer(imp, Travail.Nature.LECTURE_REGISTRE, taches_reprise.lire, par)
    return imp


def _lancer(imp: ImportRegistre, nature: str, tache: Task[..., Any], par: Utilisateur) -> None:
    imp.travail = travaux.lancer(imp.organisation, par, nature, tache, imp.pk)
    imp.save(update_fields=["travail", "etat"])


def lire(import_id: int, travail: Travail) -> None:
    """Processus de fond : le classeur converti en CSV (processus enfant borné), l'en-tête lu et les
    colonnes proposées. Un fichier refusé n'est pas gardé ; le travail échoue avec le motif."""
    imp = ImportRegistre.objects.filter(pk=import_id, etat=ImportRegistre.Etat.LECTURE).first()
    if imp is None or imp.contenu is None:
        raise travaux.Echec(DEPOT_EFFACE)
    travaux.avancer(travail, "Lecture du fichier")
    try:
        format_, prepare = preparer(imp.nom_fichier, zlib.decompress(imp.contenu), travaux.veille(travail))
        tableau = relire(format_, prepare)
        premiere = next(tableau.lignes)  # une ligne mal formée juste après l'en-tête se voit ici
    except FichierIllisible as erreur:
        ImportRegistre.objects.filter(pk=imp.pk).update(contenu=None)
        raise travaux.Echec(erreur.message) from None
    del premiere
    # Les choix du dernier import confirmé : un tableur réimporté retrouve ses colonnes et ses valeurs.
    colonnes, valeurs = (
        ImportRegistre.objects.filter(organisation_id=imp.organisation_id, etat=ImportRegistre.Etat.TERMINE)
        .values_list("colonnes", "valeurs")
        .first()
    ) or ({}, {})
    travaux.avancer(travail, "Enregistrement")
    with travaux.conclure(travail):
        lu = ImportRegistre.objects.filter(pk=imp.pk, etat=ImportRegistre.Etat.LECTURE).update(
            etat=ImportRegistre.Etat.CORRESPONDANCE,
            format=format_,
            entetes=tableau.entetes,
            colonnes=reprise.proposer_colonnes(tableau.entetes, colonnes),
            valeurs=valeurs,
        )
        if not lu:
            raise travaux.Echec(DEPOT_EFFACE)
        if format_ != "csv":
            binaire.ecrire(ImportRegistre, imp.pk, "contenu", zlib.compress(prepare, 1))


def annuler(imp: ImportRegistre, par: Utilisateur) -> Travail:
    if imp.travail is None or not imp.en_travail:
        raise travaux.TravailTermine(travaux.DEJA_FINI)
    return travaux.annuler(imp.travail, par)


# --- Correspondances et aperçu -----------------------------------------------------------------------


def _verrouiller(imp: ImportRegistre, version: int | None) -> ImportRegistre:
    verrouille = versions.verrouiller(
        ImportRegistre.objects.defer("contenu").select_related("organisation"), imp.pk, version
    )
    if verrouille.etat != ImportRegistre.Etat.CORRESPONDANCE:
        raise ImportRefuse(DEJA_CONFIRME if verrouille.etat != ImportRegistre.Etat.LECTURE else DEPOT_EFFACE)
    return verrouille


@transaction.atomic
def choisir_colonnes(
    imp: ImportRegistre, colonnes: Mapping[str, str], version: int | None, par: Utilisateur
) -> ImportRegistre:
    """Retient les colonnes ; lève reprise.ColonnesInvalides, ConflitEdition ou ImportRefuse sans rien écrire."""
    imp = _verrouiller(imp, version)
    imp.colonnes = reprise.verifier_colonnes(colonnes, imp.entetes)
    imp.colonnes_choisies = True
    versions.enregistrer(imp, par)
    return imp


@transaction.atomic
def choisir_valeurs(
    imp: ImportRegistre, valeurs: Mapping[str, Mapping[str, str]], version: int | None, par: Utilisateur
) -> ImportRegistre:
    """Retient la correspondance des valeurs des listes. Une valeur inconnue de Balise est refusée."""
    imp = _verrouiller(imp, version)
    if not imp.colonnes_choisies:
        raise ImportRefuse("Choisissez d'abord les colonnes du fichier.")
    retenues: dict[str, dict[str, str]] = {}
    for champ, choisies in valeurs.items():
        if champ not in reprise.LISTES:
            raise ImportRefuse(f"Champ « {champ[:40]} » inconnu.")
        codes = {c for c, _ in reprise.choix(champ)}
        for code in choisies.values():
            if code and code not in codes:
                raise ImportRefuse(f"{reprise.PAR_CODE[champ].libelle} : valeur « {code[:40]} » inconnue.")
        retenues[champ] = {brute: code for brute, code in choisies.items() if code}
    imp.valeurs = {**imp.valeurs, **retenues}
    versions.enregistrer(imp, par)
    return imp


@dataclass
class Apercu:
    lignes: list[reprise.Ligne]
    # Champ à liste → [(valeur du fichier, nombre de lignes, code retenu, proposition)]
    valeurs: dict[str, list[tuple[str, int, str, reprise.Proposition]]]
    correspondances: dict[str, dict[str, str]]
    existantes: dict[str, SystemeIA] = field(default_factory=dict)
    # Identifiants des fiches existantes que le fichier ne change pas : elles ne sont pas réécrites.
    inchangees: set[str] = field(default_factory=set)

    @property
    def en_erreur(self) -> list[reprise.Ligne]:
        return [ligne for ligne in self.lignes if ligne.erreurs]

    @property
    def a_mettre_a_jour(self) -> int:
        return sum(
            1 for ligne in self.lignes if ligne.champs.get("identifiant_externe") in self.existantes
        ) - len(self.inchangees)

    @property
    def resume(self) -> str:
        c, m, i = self.a_creer, self.a_mettre_a_jour, len(self.inchangees)
        return (
            f"{c} fiche{'s' if c > 1 else ''} à créer, {m} à mettre à jour et {i} "
            f"inchangée{'s' if i > 1 else ''}"
        )

    @property
    def a_creer(self) -> int:
        return len(self.lignes) - self.a_mettre_a_jour - len(self.inchangees)


def lignes_du_fichier(imp: ImportRegistre) -> list[tuple[int, list[str]]]:
    contenu = ImportRegistre.objects.filter(pk=imp.pk).values_list("contenu", flat=True).first()
    if contenu is None:
        raise ImportRefuse(DEPOT_EFFACE)
    try:
        return list(relire(imp.format, zlib.decompress(contenu)).lignes)
    except FichierIllisible as erreur:
        raise ImportRefuse(erreur.message) from None


def apercu(imp: ImportRegistre, rangees: list[tuple[int, list[str]]] | None = None) -> Apercu:
    """Les lignes telles qu'elles seraient enregistrées avec les choix actuels, leurs erreurs, et les
    fiches existantes qu'elles mettraient à jour. Ne change rien."""
    rangees = lignes_du_fichier(imp) if rangees is None else rangees
    positions = {
        code: imp.entetes.index(entete) for code, entete in imp.colonnes.items() if entete in imp.entetes
    }
    distinctes = reprise.valeurs_distinctes((v for _, v in rangees), positions)
    correspondances = {
        champ: reprise.proposer_valeurs(champ, comptes, imp.valeurs.get(champ))
        for champ, comptes in distinctes.items()
    }
    valeurs = {
        champ: [
            (brute, nombre, correspondances[champ][brute], reprise.proposer_valeur(champ, brute))
            for brute, nombre in sorted(comptes.items(), key=lambda c: (-c[1], c[0]))
        ]
        for champ, comptes in distinctes.items()
    }
    lignes = [reprise.lire_ligne(numero, v, positions, correspondances) for numero, v in rangees]
    reprise.doublons(lignes)
    identifiants = {
        ligne.champs["identifiant_externe"] for ligne in lignes if ligne.champs.get("identifiant_externe")
    }
    existantes = {
        s.identifiant_externe: s
        for s in SystemeIA.objects.filter(
            organisation_id=imp.organisation_id, identifiant_externe__in=identifiants
        )
    }
    inchangees: set[str] = set()
    for ligne in lignes:
        systeme = existantes.get(ligne.champs.get("identifiant_externe", ""))
        if systeme is None:
            continue
        if not _changements(systeme, ligne):
            inchangees.add(systeme.identifiant_externe)
        if systeme.archive:
            ligne.erreurs.append(
                f"la fiche « {systeme.nom[:60]} » est archivée : restaurez-la avant de la mettre à jour"
            )
        stade = ligne.champs.get("stade")
        if "stade" in positions and stade and stade != systeme.stade:
            ligne.notes.append(
                "stade inchangé : celui d'une fiche existante se change depuis la fiche (portes du cycle de vie)"
            )
    return Apercu(lignes, valeurs, correspondances, existantes, inchangees)


def _changements(systeme: SystemeIA, ligne: reprise.Ligne) -> dict[str, Any]:
    """Les champs de la ligne qui changeraient la fiche existante (le stade n'en est pas : il suit les
    portes du cycle de vie)."""
    return {k: v for k, v in ligne.champs.items() if k != "stade" and getattr(systeme, k) != v}


@transaction.atomic
def confirmer(imp: ImportRegistre, version: int | None, par: Utilisateur) -> ImportRegistre:
    """Fige les choix de l'aperçu et met l'enregistrement dans la file. Refusé tant qu'une ligne a une
    erreur ; rien n'est écrit au registre avant la fin du travail de fond."""
    imp = _verrouiller(imp, version)
    if not imp.colonnes_choisies:
        raise ImportRefuse("Choisissez d'abord les colonnes du fichier.")
    vu = apercu(imp)
    if not vu.lignes:
        raise ImportRefuse("Le fichier ne contient aucune ligne de données.")
    if vu.en_erreur:
        n = len(vu.en_erreur)
        raise ImportRefuse(
            f"{n} ligne{'s' if n > 1 else ''} en erreur : corrigez les correspondances ou le fichier, puis "
            "confirmez de nouveau. Rien n'a été importé."
        )
    imp.valeurs = vu.correspondances
    imp.versions_vues = {str(s.pk): s.version for s in vu.existantes.values()}
    imp.etat = ImportRegistre.Etat.ENREGISTREMENT
    imp.confirme_par = par
    versions.enregistrer(imp, par)
    _lancer(imp, Travail.Nature.ENREGISTREMENT_REGISTRE, taches_reprise.enregistrer, par)
    return imp


# --- Enregistrement (processus de fond) --------------------------------------------------------------


def enregistrer(import_id: int, travail: Travail) -> None:
    """Processus de fond : relit les lignes avec les choix confirmés et écrit toutes les fiches dans la
    transaction finale. Une erreur (fiche modifiée entre-temps, identifiant pris) : rien n'est écrit."""
    imp = (
        ImportRegistre.objects.select_related("organisation", "confirme_par")
        .filter(pk=import_id, etat=ImportRegistre.Etat.ENREGISTREMENT)
        .first()
    )
    if imp is None or imp.confirme_par is None:
        raise travaux.Echec(DEPOT_EFFACE)
    travaux.avancer(travail, "Lecture des lignes", 0)
    try:
        vu = apercu(imp)
    except ImportRefuse as refus:
        raise travaux.Echec(" ".join(refus.messages)) from None
    if vu.en_erreur:  # les fiches ont changé depuis la confirmation (archivage…)
        ligne = vu.en_erreur[0]
        raise travaux.Echec(
            f"Ligne {ligne.numero} : {ligne.erreurs[0]}. Rien n'a été importé : revoyez l'aperçu d'un nouveau dépôt."
        )
    travaux.avancer(travail, "Enregistrement des fiches", 50)
    raison = f"Import du registre « {imp.nom_fichier} »"[:100]
    with travaux.conclure(travail):
        verrou = ImportRegistre.objects.select_for_update().only("pk")
        if verrou.filter(pk=imp.pk, etat=ImportRegistre.Etat.ENREGISTREMENT).first() is None:
            raise travaux.Echec(DEPOT_EFFACE)
        mises_a_jour = _mettre_a_jour(imp, vu, imp.confirme_par, raison)
        nouvelles = [
            _nouvelle_fiche(imp.organisation, ligne)
            for ligne in vu.lignes
            if ligne.champs.get("identifiant_externe") not in vu.existantes
        ]
        bulk_create_with_history(
            nouvelles, SystemeIA, batch_size=500, default_user=imp.confirme_par, default_change_reason=raison
        )
        generations.renouveler("organisation", imp.organisation_id)  # création en bloc : sans signal
        ImportRegistre.objects.filter(pk=imp.pk).update(
            etat=ImportRegistre.Etat.TERMINE,
            contenu=None,
            crees=len(nouvelles),
            mises_a_jour=mises_a_jour,
            inchangees=len(vu.inchangees),
            termine_le=timezone.now(),
        )


def _nouvelle_fiche(organisation: Organisation, ligne: reprise.Ligne) -> SystemeIA:
    systeme = SystemeIA(organisation=organisation, **ligne.champs)
    try:
        # L'organisation est celle de l'import ; l'unicité de l'identifiant est vérifiée pour tout le lot
        # (doublons du fichier, fiches existantes) : rien ne se vérifie ici par une requête.
        systeme.clean_fields(exclude=["organisation"])
    except ValidationError as erreur:
        raise travaux.Echec(f"Ligne {ligne.numero} : {' '.join(erreur.messages)}") from None
    return systeme


def _mettre_a_jour(imp: ImportRegistre, vu: Apercu, par: Utilisateur, raison: str) -> int:
    """Les fiches existantes que le fichier change, verrouillées ensemble à la version vue à la
    confirmation, écrites en lot avec leur historique ; puis ce que fait une modification depuis la
    fiche : pages en cache renouvelées, fiches qualifiées signalées à requalifier. Renvoie leur nombre."""
    lignes = {
        ligne.champs["identifiant_externe"]: ligne
        for ligne in vu.lignes
        if ligne.champs.get("identifiant_externe") in vu.existantes
        and ligne.champs["identifiant_externe"] not in vu.inchangees
    }
    verrouillees = SystemeIA.objects.select_for_update().filter(
        organisation_id=imp.organisation_id, pk__in=[vu.existantes[i].pk for i in lignes]
    )
    maintenant = timezone.now()
    changees: list[SystemeIA] = []
    champs: set[str] = set()
    for systeme in verrouillees:
        vue = imp.versions_vues.get(str(systeme.pk))
        if systeme.version != vue or systeme.identifiant_externe not in lignes:
            _, auteurs = versions.changements_depuis(systeme, vue) if isinstance(vue, int) else ([], [])
            qui = ", ".join(auteurs) or "une autre personne"
            raise travaux.Echec(
                f"La fiche « {systeme.nom[:60]} » a été modifiée par {qui} depuis la confirmation : rien "
                "n'a été importé. Revoyez l'aperçu d'un nouveau dépôt."
            )
        ligne = lignes[systeme.identifiant_externe]
        for champ, valeur in _changements(systeme, ligne).items():
            setattr(systeme, champ, valeur)
            champs.add(champ)
        try:
            systeme.clean_fields(exclude=["organisation"])
        except ValidationError as erreur:
            raise travaux.Echec(f"Ligne {ligne.numero} : {' '.join(erreur.messages)}") from None
        systeme.version += 1
        systeme.modifie_le = maintenant
        changees.append(systeme)
    if len(changees) != len(lignes):
        raise travaux.Echec(DEPOT_EFFACE)
    SystemeIA.objects.bulk_update(changees, sorted(champs | {"version", "modifie_le"}), batch_size=500)
    # Ce que ferait le signal d'enregistrement de chaque fiche, en lot : sa version dans l'historique,
    # les pages en cache de l'organisation, la requalification des fiches déjà qualifiées.
    SystemeIA.history.bulk_history_create(
        changees, batch_size=500, update=True, default_user=par, default_change_reason=raison
    )
    generations.renouveler("organisation", imp.organisation_id)
    from balise.conformite.models import Qualification
    from balise.conformite.services import signaler_si_necessaire

    qualifiees = set(Qualification.objects.filter(systeme__in=changees).values_list("systeme_id", flat=True))
    for systeme in changees:
        if systeme.pk in qualifiees:
            systeme._history_user = par  # type: ignore[attr-defined]  # auteur du signalement
            signaler_si_necessaire(systeme)
    return len(changees)


# --- Suppression d'un import abandonné ----------------------------------------------------------------


@transaction.atomic
def supprimer(imp: ImportRegistre, version: int | None, par: Utilisateur) -> None:
    """Supprime un import non confirmé (le fichier gardé avec lui). Un import confirmé reste : il dit
    d'où viennent les fiches. Un import en cours de lecture s'annule d'abord."""
    # Sans select_related("travail") : PostgreSQL refuse FOR UPDATE sur le côté nullable d'une jointure.
    verrouille = versions.verrouiller(ImportRegistre.objects.defer("contenu"), imp.pk, version)
    if verrouille.etat in (ImportRegistre.Etat.ENREGISTREMENT, ImportRegistre.Etat.TERMINE):
        raise ImportRefuse("Un import confirmé ne se supprime pas : il dit d'où viennent les fiches.")
    if verrouille.en_travail:
        raise ImportRefuse("La lecture du fichier est en cours : annulez-la avant de supprimer l'import.")
    verrouille._change_reason = "Import abandonné, supprimé"  # type: ignore[attr-defined]  # simple-history
    verrouille._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
    verrouille.delete()
