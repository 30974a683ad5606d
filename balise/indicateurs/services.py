"""Écrire les indicateurs, leurs mesures et les écarts analysés en revue : fonctions courtes,
atomiques, attribuées et historisées, erreurs en français (rien n'est écrit en cas de refus)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.gouvernance.models import Point
from balise.organisations.models import Adhesion
from balise.registre.models import SystemeIA

from . import echeances, modeles
from .models import VALEUR_MAX, Ecart, Indicateur, Mesure

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation

ConflitEdition = versions.ConflitEdition
PREMIERE_ANNEE = 2000
CHAMPS_TEXTE = {"objectif": 300, "intitule": 300, "unite": 40, "source": 300}


def nombre(valeur: Any, champ: str = "valeur") -> Decimal:
    """Un nombre saisi (« 12,5 », 12.5, « 1 200 ») ; refusé s'il n'en est pas un, ou s'il est énorme."""
    if isinstance(valeur, bool):
        raise ValidationError({champ: "Saisissez un nombre (par exemple 12,5)."})
    if isinstance(valeur, (int, float, Decimal)):
        texte = str(valeur)
    elif isinstance(valeur, str):
        texte = valeur.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    else:
        raise ValidationError({champ: "Saisissez un nombre (par exemple 12,5)."})
    if not texte or len(texte) > 40:
        raise ValidationError({champ: "Saisissez un nombre (par exemple 12,5)."})
    try:
        d = Decimal(texte)
    except InvalidOperation:
        raise ValidationError({champ: "Saisissez un nombre (par exemple 12,5)."}) from None
    if not d.is_finite():
        raise ValidationError({champ: "Saisissez un nombre (par exemple 12,5)."})
    if abs(d) > VALEUR_MAX:
        raise ValidationError({champ: "Ce nombre est trop grand : cent milliards au plus."})
    return d.quantize(Decimal("0.001"))


def _texte(donnees: dict[str, Any], champ: str, obligatoire: bool = True) -> str:
    valeur = donnees.get(champ, "")
    valeur = valeur.strip() if isinstance(valeur, str) else ""
    if obligatoire and not valeur:
        raise ValidationError({champ: "Ce champ est obligatoire."})
    if len(valeur) > CHAMPS_TEXTE[champ]:
        raise ValidationError({champ: f"Ce champ tient en {CHAMPS_TEXTE[champ]} caractères au plus."})
    return valeur


def _choix(valeur: Any, choix: Any, champ: str, message: str) -> str:
    if valeur not in choix.values:
        raise ValidationError({champ: message})
    return str(valeur)


def _identifiant(pk: Any) -> bool:
    """Un identifiant de ligne plausible : des chiffres, assez peu pour tenir dans un entier de la base."""
    return not isinstance(pk, bool) and isinstance(pk, (int, str)) and str(pk).isdigit() and len(str(pk)) < 19


def _responsable(organisation: Organisation, pk: Any) -> int:
    if not _identifiant(pk):
        raise ValidationError({"responsable": "Choisissez une personne membre de l'organisation."})
    if (
        not Adhesion.objects.filter(organisation=organisation, utilisateur_id=int(pk))
        .exclude(role="externe")
        .exists()
    ):
        raise ValidationError({"responsable": "Choisissez une personne membre de l'organisation."})
    return int(pk)


def _systeme(organisation: Organisation, pk: Any) -> int | None:
    if pk in (None, ""):
        return None
    if not _identifiant(pk):
        raise ValidationError({"systeme": "Ce système est introuvable dans l'organisation."})
    if not SystemeIA.objects.filter(organisation=organisation, pk=int(pk), archive_le__isnull=True).exists():
        raise ValidationError({"systeme": "Ce système est introuvable dans l'organisation."})
    return int(pk)


def _remplir(indicateur: Indicateur, donnees: dict[str, Any]) -> None:
    org = indicateur.organisation
    for champ in CHAMPS_TEXTE:
        setattr(indicateur, champ, _texte(donnees, champ, obligatoire=champ != "source"))
    indicateur.cible = nombre(donnees.get("cible"), "cible")
    indicateur.sens = _choix(
        donnees.get("sens"), Indicateur.Sens, "sens", "Choisissez « au moins » ou « au plus »."
    )
    indicateur.frequence = _choix(
        donnees.get("frequence"), Indicateur.Frequence, "frequence", "Choisissez la fréquence de mesure."
    )
    indicateur.responsable_id = _responsable(org, donnees.get("responsable"))
    indicateur.systeme_id = _systeme(org, donnees.get("systeme"))


@transaction.atomic
def creer_indicateur(organisation: Organisation, donnees: dict[str, Any], par: Utilisateur) -> Indicateur:
    indicateur = Indicateur(organisation=organisation)
    _remplir(indicateur, donnees)
    indicateur.full_clean()
    return versions.attribuer(indicateur, par)


@transaction.atomic
def depuis_modele(
    organisation: Organisation, code: str, par: Utilisateur, responsable: int, systeme: int | None = None
) -> Indicateur:
    """Un indicateur repris du modèle de départ livré (tableau de l'AFNOR Spec 2314, types par système)."""
    m = modeles.en_vigueur().par_id.get(code)
    if m is None:
        raise ValidationError({"modele": "Ce modèle d'indicateur est inconnu."})
    donnees = {
        "objectif": m.objectif,
        "intitule": m.intitule,
        "unite": m.unite,
        "cible": m.cible,
        "sens": m.sens.value,
        "frequence": m.frequence.value,
        "responsable": responsable,
        "systeme": systeme if m.portee == "systeme" else None,
        "source": modeles.en_vigueur().citer(m)[:300],
    }
    if m.portee == "systeme" and systeme is None:
        raise ValidationError({"systeme": "Cet indicateur type se rattache à un système : choisissez-le."})
    indicateur = Indicateur(organisation=organisation, modele=m.id)
    _remplir(indicateur, donnees)
    indicateur.full_clean()
    return versions.attribuer(indicateur, par)


@transaction.atomic
def modifier_indicateur(
    organisation: Organisation, pk: int, donnees: dict[str, Any], par: Utilisateur, version: Any
) -> Indicateur:
    qs = Indicateur.objects.filter(organisation=organisation, archive_le__isnull=True)
    indicateur = versions.verrouiller(qs, pk, version)
    _remplir(indicateur, donnees)
    indicateur.full_clean()
    versions.enregistrer(indicateur, par)
    return indicateur


@transaction.atomic
def archiver_indicateur(organisation: Organisation, pk: int, par: Utilisateur, version: Any) -> Indicateur:
    qs = Indicateur.objects.filter(organisation=organisation, archive_le__isnull=True)
    indicateur = versions.verrouiller(qs, pk, version)
    indicateur.archive_le = timezone.now()
    versions.enregistrer(indicateur, par)
    return indicateur


def periode(valeur: Any, frequence: str, aujourd_hui: date) -> date:
    """La période d'une mesure : une date (ou « AAAA-MM-JJ », « AAAA-MM ») ramenée au premier jour de
    sa période ; refusée si elle est illisible, antérieure à 2000 ou pas encore commencée."""
    if isinstance(valeur, str):
        texte = valeur.strip()
        if len(texte) == 7:
            texte += "-01"
        try:
            valeur = date.fromisoformat(texte)
        except ValueError:
            raise ValidationError(
                {"periode": "Saisissez la période sous la forme AAAA-MM (par exemple 2025-03)."}
            ) from None
    if not isinstance(valeur, date):
        raise ValidationError(
            {"periode": "Saisissez la période sous la forme AAAA-MM (par exemple 2025-03)."}
        )
    debut = echeances.periode_de(valeur, frequence)
    if debut.year < PREMIERE_ANNEE:
        raise ValidationError({"periode": f"La période commence en {PREMIERE_ANNEE} au plus tôt."})
    if debut > aujourd_hui:
        raise ValidationError({"periode": "Cette période n'a pas commencé : on ne mesure pas l'avenir."})
    return debut


def _commentaire(valeur: Any) -> str:
    texte = valeur.strip() if isinstance(valeur, str) else ""
    if len(texte) > 2000:
        raise ValidationError({"commentaire": "Le commentaire tient en 2 000 caractères au plus."})
    return texte


@transaction.atomic
def enregistrer_mesure(indicateur: Indicateur, donnees: dict[str, Any], par: Utilisateur) -> Mesure:
    """Une nouvelle mesure ; une période déjà mesurée se corrige (modifier_mesure), pas en double."""
    if indicateur.archive_le is not None:
        raise ValidationError({"indicateur": "Cet indicateur est archivé : il ne reçoit plus de mesure."})
    debut = periode(donnees.get("periode"), indicateur.frequence, timezone.localdate())
    if Mesure.objects.filter(indicateur=indicateur, periode=debut).exists():
        raise ValidationError(
            {"periode": "Cette période a déjà sa mesure : corrigez-la plutôt que d'en saisir une seconde."}
        )
    mesure = Mesure(
        indicateur=indicateur,
        organisation_id=indicateur.organisation_id,
        periode=debut,
        valeur=nombre(donnees.get("valeur")),
        commentaire=_commentaire(donnees.get("commentaire")),
        saisie_par=par,
    )
    mesure.full_clean()
    return versions.attribuer(mesure, par)


@transaction.atomic
def modifier_mesure(
    mesure_pk: int, indicateur: Indicateur, donnees: dict[str, Any], par: Utilisateur, version: Any
) -> Mesure:
    """Corrige la valeur et le commentaire d'une mesure (sa période ne change pas), sur la version lue."""
    if indicateur.archive_le is not None:
        raise ValidationError(
            {"indicateur": "Cet indicateur est archivé : ses mesures ne se corrigent plus."}
        )
    mesure = versions.verrouiller(Mesure.objects.filter(indicateur=indicateur), mesure_pk, version)
    mesure.valeur = nombre(donnees.get("valeur"))
    mesure.commentaire = _commentaire(donnees.get("commentaire"))
    mesure.full_clean()
    versions.enregistrer(mesure, par)
    return mesure


def _date_echeance(valeur: Any) -> date | None:
    if valeur in (None, ""):
        return None
    if isinstance(valeur, date):
        d = valeur
    else:
        try:
            d = date.fromisoformat(str(valeur).strip())
        except ValueError:
            raise ValidationError({"echeance": "Saisissez une date valide (JJ/MM/AAAA)."}) from None
    if not PREMIERE_ANNEE <= d.year <= 2100:
        raise ValidationError({"echeance": "Saisissez une échéance entre 2000 et 2100."})
    return d


@transaction.atomic
def enregistrer_ecart(
    point: Point, mesure: Mesure, donnees: dict[str, Any], par: Utilisateur, version: Any = None
) -> Ecart:
    """L'analyse d'une mesure hors cible en revue et son action corrective ; une analyse déjà notée à ce
    point se modifie avec sa version (verrou optimiste)."""
    if point.nature != Point.Nature.INDICATEURS:
        raise ValidationError({"point": "Ce point n'est pas une revue des indicateurs."})
    if mesure.organisation_id != point.organisation_id:
        raise ValidationError({"mesure": "Cette mesure est introuvable."})
    analyse = donnees.get("analyse")
    analyse = analyse.strip() if isinstance(analyse, str) else ""
    if not analyse:
        raise ValidationError({"analyse": "Écrivez l'analyse de l'écart."})
    action = donnees.get("action")
    action = action.strip() if isinstance(action, str) else ""
    if len(analyse) > 4000 or len(action) > 4000:
        raise ValidationError(
            {"analyse": "L'analyse et l'action tiennent chacune en 4 000 caractères au plus."}
        )
    responsable = donnees.get("responsable")
    responsable_id = _responsable(point.organisation, responsable) if responsable not in (None, "") else None
    existant = Ecart.objects.filter(point=point, mesure=mesure).first()
    if existant is None:
        ecart = Ecart(point=point, mesure=mesure, organisation_id=point.organisation_id, cree_par=par)
    else:
        ecart = versions.verrouiller(Ecart.objects.all(), existant.pk, version)
    ecart.analyse, ecart.action = analyse, action
    ecart.responsable_id = responsable_id
    ecart.echeance = _date_echeance(donnees.get("echeance"))
    ecart.full_clean()
    if existant is None:
        return versions.attribuer(ecart, par)
    versions.enregistrer(ecart, par)
    return ecart
