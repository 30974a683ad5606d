"""Les opérations qui changent le programme : état d'une étape, actions de la feuille de route,
actions de sensibilisation, notes de veille. Fonctions courtes et atomiques ; une saisie refusée lève
`ValidationError` (message en français) et ne change rien. Toute écriture est attribuée et historisée ;
l'état d'une étape et une action se modifient sous verrou optimiste (balise/versions.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.organisations.models import Adhesion
from balise.organisations.roles import Role

from . import referentiel
from .models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation

# Dates plausibles d'un programme : ni avant 2000, ni après 2100 (une année tapée « 20226 » est refusée).
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
LONGUEUR_INTITULE = 300
LONGUEUR_TEXTE = 4000
LONGUEUR_RESUME = 8000
ETIQUETTES_AU_PLUS = 12
LONGUEUR_ETIQUETTE = 40
PARTICIPANTS_AU_PLUS = 1_000_000
CHAMPS_ACTION = (
    "intitule",
    "etape",
    "priorite",
    "budget",
    "etp",
    "moyens",
    "echeance",
    "responsable",
    "parties_prenantes",
    "etat",
)


def _texte(valeur: Any, libelle: str, longueur: int, obligatoire: bool = False) -> str:
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if "\x00" in texte:
        raise ValidationError(f"{libelle} : le texte contient un caractère nul, refusé.")
    if obligatoire and not texte:
        raise ValidationError(f"{libelle} : ce champ est obligatoire.")
    if len(texte) > longueur:
        raise ValidationError(f"{libelle} : {longueur} caractères au plus ({len(texte)} saisis).")
    return texte


def _choix(valeur: Any, valeurs: Any, message: str) -> str:
    if not isinstance(valeur, str) or valeur not in valeurs:
        raise ValidationError(message)
    return valeur


def _etape(valeur: Any) -> str:
    ids = referentiel.en_vigueur().etape_par_id
    return _choix(valeur, ids, "Étape inconnue : choisissez l'une des cinq étapes du programme.")


def _jour(valeur: Any, libelle: str) -> date:
    """Une date obligatoire et plausible."""
    jour = _date(valeur, libelle, obligatoire=True)
    if jour is None:  # _date refuse déjà l'absence d'une date obligatoire
        raise ValidationError(f"{libelle} : indiquez une date.")
    return jour


def _date(valeur: Any, libelle: str, obligatoire: bool = False) -> date | None:
    if valeur is None or valeur == "":
        if obligatoire:
            raise ValidationError(f"{libelle} : indiquez une date.")
        return None
    if isinstance(valeur, str):
        try:
            valeur = date.fromisoformat(valeur)
        except ValueError:
            raise ValidationError(f"{libelle} : date illisible (AAAA-MM-JJ).") from None
    if not isinstance(valeur, date) or not DATE_MIN <= valeur <= DATE_MAX:
        raise ValidationError(f"{libelle} : date invraisemblable (entre 2000 et 2100).")
    return valeur


def _decimal(valeur: Any, libelle: str, maximum: Decimal, decimales: int = 2) -> Decimal | None:
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, bool):
        raise ValidationError(f"{libelle} : un nombre est attendu.")
    try:
        nombre = Decimal(str(valeur))
    except InvalidOperation:
        raise ValidationError(f"{libelle} : un nombre est attendu.") from None
    if not nombre.is_finite() or nombre < 0 or nombre > maximum:
        raise ValidationError(f"{libelle} : un nombre entre 0 et {maximum} est attendu.")
    if nombre != nombre.quantize(Decimal(1).scaleb(-decimales)):
        raise ValidationError(f"{libelle} : {decimales} décimale(s) au plus.")
    return nombre


def verifier_responsable(organisation: Organisation, responsable: Utilisateur | None) -> None:
    """Le responsable d'une action est une personne de l'organisation (pas un membre externe)."""
    if responsable is None:
        return
    membre = (
        Adhesion.objects.filter(organisation=organisation, utilisateur_id=responsable.pk)
        .exclude(role=Role.EXTERNE)
        .exists()
    )
    if not membre:
        raise ValidationError("Le responsable d'une action doit être une personne de l'organisation.")


# --- Étapes -----------------------------------------------------------------------------------------


@transaction.atomic
def changer_etape(
    organisation: Organisation,
    etape: str,
    etat: str,
    commentaire: str,
    version_attendue: int | None,
    par: Utilisateur,
) -> EtatEtape:
    """Fixe l'état d'une étape. Une étape jamais renseignée est à la version 0 : la première écriture
    l'attend, comme les suivantes attendent la version lue."""
    etape = _etape(etape)
    etat = _choix(etat, EtatEtape.Etat.values, "État inconnu : à venir, en cours ou faite.")
    commentaire = _texte(commentaire, "Commentaire", LONGUEUR_TEXTE)
    lignes = EtatEtape.objects.filter(organisation=organisation)
    existante = lignes.filter(etape=etape).values_list("pk", flat=True).first()
    if existante is None:
        if version_attendue != 0:
            if version_attendue is None or isinstance(version_attendue, bool):
                raise versions.VersionAbsente(EtatEtape(organisation=organisation, etape=etape, version=0))
            raise versions.ConflitEdition(
                EtatEtape(organisation=organisation, etape=etape, version=0), [], []
            )
        ligne = EtatEtape(organisation=organisation, etape=etape, etat=etat, commentaire=commentaire)
        return versions.attribuer(ligne, par)
    ligne = versions.verrouiller(lignes, existante, version_attendue)
    if (ligne.etat, ligne.commentaire) != (etat, commentaire):
        ligne.etat, ligne.commentaire = etat, commentaire
        versions.enregistrer(ligne, par)
    return ligne


# --- Actions de la feuille de route ------------------------------------------------------------------


def _appliquer(action: Action, donnees: dict[str, Any]) -> None:
    if "intitule" in donnees:
        action.intitule = _texte(donnees["intitule"], "Intitulé", LONGUEUR_INTITULE, obligatoire=True)
    if "etape" in donnees:
        action.etape = _etape(donnees["etape"])
    if "priorite" in donnees:
        action.priorite = _choix(donnees["priorite"], Action.Priorite.values, "Priorité inconnue.")
    if "budget" in donnees:
        action.budget = _decimal(donnees["budget"], "Budget", Decimal("9999999999.99"))
    if "etp" in donnees:
        action.etp = _decimal(donnees["etp"], "ETP", Decimal("9999.99"))
    if "moyens" in donnees:
        action.moyens = _texte(donnees["moyens"], "Autres moyens", LONGUEUR_TEXTE)
    if "echeance" in donnees:
        action.echeance = _date(donnees["echeance"], "Échéance")
    if "responsable" in donnees:
        verifier_responsable(action.organisation, donnees["responsable"])
        action.responsable = donnees["responsable"]
    if "parties_prenantes" in donnees:
        action.parties_prenantes = _texte(donnees["parties_prenantes"], "Parties prenantes", LONGUEUR_TEXTE)
    if "etat" in donnees:
        etat = _choix(donnees["etat"], Action.Etat.values, "État inconnu.")
        if etat == Action.Etat.FAITE and action.etat != Action.Etat.FAITE:
            action.faite_le = timezone.localdate()
        elif etat != Action.Etat.FAITE:
            action.faite_le = None
        action.etat = etat


@transaction.atomic
def creer_action(organisation: Organisation, donnees: dict[str, Any], par: Utilisateur) -> Action:
    action = Action(organisation=organisation)
    _appliquer(action, {"priorite": Action.Priorite.MOYENNE, "etat": Action.Etat.A_FAIRE, **donnees})
    if not action.intitule or not action.etape:
        raise ValidationError("Une action a un intitulé et une étape.")
    return versions.attribuer(action, par)


@transaction.atomic
def modifier_action(
    organisation: Organisation,
    pk: int,
    donnees: dict[str, Any],
    version_attendue: int | None,
    par: Utilisateur,
) -> Action:
    """Modifie les champs donnés (les autres ne changent pas). Rien n'est écrit si rien ne change."""
    action = versions.verrouiller(Action.objects.filter(organisation=organisation), pk, version_attendue)
    avant = [getattr(action, c) for c in ("faite_le", *CHAMPS_ACTION)]
    inconnus = set(donnees) - set(CHAMPS_ACTION)
    if inconnus:
        raise ValidationError(f"Champ inconnu : {', '.join(sorted(inconnus))}.")
    _appliquer(action, donnees)
    if [getattr(action, c) for c in ("faite_le", *CHAMPS_ACTION)] != avant:
        versions.enregistrer(action, par)
    return action


# --- Sensibilisation --------------------------------------------------------------------------------

CHAMPS_SENSIBILISATION = ("format", "intitule", "date", "mesure", "avant", "apres")


def _valider_sensibilisation(
    action: Sensibilisation, donnees: dict[str, Any], participants: dict[str, int]
) -> list[tuple[str, int]]:
    """Les règles d'une action de sensibilisation, les mêmes à la création et à la modification : fixe
    les champs de `action` (sans l'enregistrer) et rend ses participants par public (nombres non nuls,
    au moins un public)."""
    formats = referentiel.en_vigueur().format_par_id
    action.format = _choix(
        donnees.get("format"), formats, "Format inconnu : choisissez un format de la liste."
    )
    action.intitule = _texte(donnees.get("intitule"), "Intitulé", LONGUEUR_INTITULE, obligatoire=True)
    action.date = _jour(donnees.get("date"), "Date")
    mesure = donnees.get("mesure") or ""
    action.mesure = _choix(mesure, Sensibilisation.Mesure.values, "Mesure de l'appropriation inconnue.")
    action.avant = action.apres = None
    if action.mesure:
        plafond = Decimal(100) if action.mesure == Sensibilisation.Mesure.TAUX else Decimal(10)
        action.avant = _decimal(donnees.get("avant"), "Appropriation avant", plafond, 1)
        action.apres = _decimal(donnees.get("apres"), "Appropriation après", plafond, 1)
        if action.avant is None and action.apres is None:
            raise ValidationError("Mesure de l'appropriation : indiquez la valeur avant, après, ou les deux.")
    elif donnees.get("avant") not in (None, "") or donnees.get("apres") not in (None, ""):
        raise ValidationError("Choisissez la mesure (taux ou note) des valeurs d'appropriation saisies.")
    if not isinstance(participants, dict):
        raise ValidationError("Indiquez le nombre de participants d'au moins un public.")
    lignes = []
    for public, nombre in participants.items():
        _choix(public, Participants.Public.values, f"Public inconnu : {str(public)[:40]}.")
        if isinstance(nombre, bool) or not isinstance(nombre, int) or not 0 <= nombre <= PARTICIPANTS_AU_PLUS:
            raise ValidationError("Nombre de participants : un entier entre 0 et 1 000 000.")
        if nombre:
            lignes.append((public, nombre))
    if not lignes:
        raise ValidationError("Indiquez le nombre de participants d'au moins un public.")
    return sorted(lignes)


@transaction.atomic
def creer_sensibilisation(
    organisation: Organisation,
    donnees: dict[str, Any],
    participants: dict[str, int],
    par: Utilisateur,
) -> Sensibilisation:
    """Une action de sensibilisation, ses participants par public (au moins un public) et, si elle a
    été relevée, la mesure de l'appropriation (taux en % ou note sur 10, avant et après)."""
    action = Sensibilisation(organisation=organisation)
    lignes = _valider_sensibilisation(action, donnees, participants)
    versions.attribuer(action, par)
    for public, nombre in lignes:
        versions.attribuer(Participants(sensibilisation=action, public=public, nombre=nombre), par)
    return action


def _libelle_participants(lignes: list[tuple[str, int]]) -> str:
    libelles = dict(Participants.Public.choices)
    return ", ".join(f"{str(libelles.get(p, p)).lower()} : {n}" for p, n in lignes) or "aucun"


@transaction.atomic
def modifier_sensibilisation(
    organisation: Organisation,
    pk: int,
    donnees: dict[str, Any],
    participants: dict[str, int],
    par: Utilisateur,
    version: int | None,
) -> Sensibilisation:
    """Corrige une action de sensibilisation (verrou optimiste) avec les règles de la création ; ses
    participants sont remplacés en entier, les anciens restent dans l'historique, attribués. Rien n'est
    écrit si rien ne change ; un changement des seuls participants fait aussi une nouvelle version, notée
    avec le détail des participants (motif de l'historique)."""
    action = versions.verrouiller(Sensibilisation.objects.filter(organisation=organisation), pk, version)
    avant = [getattr(action, c) for c in CHAMPS_SENSIBILISATION]
    anciennes = list(action.participants.order_by("public"))
    lignes_avant = [(p.public, p.nombre) for p in anciennes]
    lignes = _valider_sensibilisation(action, donnees, participants)
    champs_changes = [getattr(action, c) for c in CHAMPS_SENSIBILISATION] != avant
    if not champs_changes and lignes == lignes_avant:
        return action
    if lignes != lignes_avant:
        action._change_reason = (  # type: ignore[attr-defined]  # lu par simple-history
            f"Participants : {_libelle_participants(lignes_avant)} → {_libelle_participants(lignes)}."
        )
        for ancienne in anciennes:
            ancienne._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
            ancienne.delete()
        for public, nombre in lignes:
            versions.attribuer(Participants(sensibilisation=action, public=public, nombre=nombre), par)
    versions.enregistrer(action, par)
    return action


@transaction.atomic
def supprimer_sensibilisation(
    organisation: Organisation, pk: int, version: int | None, par: Utilisateur
) -> None:
    """Supprime une action de sensibilisation saisie par erreur et ses participants (verrou optimiste) ;
    l'historique garde les deux, suppression attribuée."""
    action = versions.verrouiller(Sensibilisation.objects.filter(organisation=organisation), pk, version)
    for ligne in action.participants.all():
        ligne._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
        ligne.delete()
    action._history_user = par  # type: ignore[attr-defined]
    action.delete()


# --- Veille -----------------------------------------------------------------------------------------


def verifier_source(valeur: Any) -> str:
    """Une adresse web en http ou https, bien formée ; tout autre schéma (javascript:, data:, file:)
    est refusé."""
    adresse = _texte(valeur, "Source", 1000, obligatoire=True)
    if urlsplit(adresse).scheme.lower() not in ("http", "https"):
        raise ValidationError("Source : une adresse web commençant par http:// ou https:// est attendue.")
    try:
        URLValidator(schemes=["http", "https"])(adresse)
    except ValidationError:
        raise ValidationError("Source : cette adresse web n'est pas valide.") from None
    return adresse


def normaliser_etiquettes(valeur: Any) -> str:
    """« IA Act, CNIL ; cnil » → « ;ia act;cnil; » (minuscules, sans doublon, dans l'ordre saisi)."""
    brutes = valeur.replace(";", ",").split(",") if isinstance(valeur, str) else list(valeur or [])
    etiquettes: list[str] = []
    for brute in brutes:
        e = " ".join(str(brute).split()).lower()
        if not e:
            continue
        if len(e) > LONGUEUR_ETIQUETTE or "\x00" in e:
            raise ValidationError(f"Étiquettes : {LONGUEUR_ETIQUETTE} caractères au plus chacune.")
        if e not in etiquettes:
            etiquettes.append(e)
    if len(etiquettes) > ETIQUETTES_AU_PLUS:
        raise ValidationError(f"Étiquettes : {ETIQUETTES_AU_PLUS} au plus.")
    return f";{';'.join(etiquettes)};" if etiquettes else ""


CHAMPS_NOTE = ("date", "titre", "resume", "source", "etiquettes")


def _valider_note(note: NoteVeille, donnees: dict[str, Any]) -> None:
    """Les règles d'une note de veille, les mêmes à la création et à la modification : fixe les champs
    de `note` sans l'enregistrer."""
    note.date = _jour(donnees.get("date"), "Date")
    note.titre = _texte(donnees.get("titre"), "Titre", LONGUEUR_INTITULE, obligatoire=True)
    note.resume = _texte(donnees.get("resume"), "Résumé", LONGUEUR_RESUME, obligatoire=True)
    note.source = verifier_source(donnees.get("source"))
    note.etiquettes = normaliser_etiquettes(donnees.get("etiquettes", ""))


@transaction.atomic
def creer_note(organisation: Organisation, donnees: dict[str, Any], par: Utilisateur) -> NoteVeille:
    note = NoteVeille(organisation=organisation, auteur=par)
    _valider_note(note, donnees)
    return versions.attribuer(note, par)


@transaction.atomic
def modifier_note(
    organisation: Organisation, pk: int, donnees: dict[str, Any], par: Utilisateur, version: int | None
) -> NoteVeille:
    """Corrige une note de veille (verrou optimiste) avec les règles de la création ; l'auteur reste
    celui qui l'a notée, la correction est attribuée dans l'historique. Rien n'est écrit si rien ne change."""
    note = versions.verrouiller(NoteVeille.objects.filter(organisation=organisation), pk, version)
    avant = [getattr(note, c) for c in CHAMPS_NOTE]
    _valider_note(note, donnees)
    if [getattr(note, c) for c in CHAMPS_NOTE] != avant:
        versions.enregistrer(note, par)
    return note


@transaction.atomic
def supprimer_note(organisation: Organisation, pk: int, version: int | None, par: Utilisateur) -> None:
    """Supprime une note de veille (verrou optimiste) ; l'historique la garde, suppression attribuée."""
    note = versions.verrouiller(NoteVeille.objects.filter(organisation=organisation), pk, version)
    note._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
    note.delete()
