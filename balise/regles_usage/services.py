"""Composer, publier et faire connaître les règles d'usage. Fonctions courtes et atomiques ; toute
écriture est attribuée (`par`) et historisée ; une saisie refusée ne change rien et le dit en français.

Verrou optimiste (balise/versions.py) : modifier ou publier une version exige le numéro de version de
la fiche que la personne a ouverte."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from balise import versions
from balise.metiers.lecture import ressemble_a_une_formule

from . import depart
from .models import InformationService, Moyen, Origine, PriseDeConnaissance, SensRegle, VersionRegles

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation

LONGUEUR_TITRE = 200
LONGUEUR_INTRODUCTION = 1000
LONGUEUR_SERVICE = 200
EFFECTIF_MAX = 1_000_000
DATE_MIN = date(2000, 1, 1)
ConflitEdition = versions.ConflitEdition


def _texte(valeur: Any, libelle: str, longueur: int, obligatoire: bool = True) -> str:
    if valeur is None:
        valeur = ""
    if not isinstance(valeur, str):
        raise ValidationError(f"{libelle} : un texte est attendu.")
    valeur = " ".join(valeur.split()) if "\n" not in valeur else valeur.strip()
    if "\x00" in valeur:
        raise ValidationError(f"{libelle} : caractère nul refusé.")
    if obligatoire and not valeur:
        raise ValidationError(f"{libelle} : ce champ est obligatoire.")
    if len(valeur) > longueur:
        raise ValidationError(f"{libelle} : texte trop long ({len(valeur)} caractères, {longueur} au plus).")
    return valeur


def regle_de_depart(regle: depart.RegleDepart) -> dict[str, Any]:
    return {
        "sens": regle.sens,
        "texte": regle.texte,
        "origine": Origine.DEPART,
        "id": regle.id,
        "theme": regle.theme,
        "sources": list(regle.sources),
    }


def _depart_par_id() -> dict[str, depart.RegleDepart]:
    return {r.id: r for r in depart.en_vigueur().regles}


def valider_regles(regles: Any) -> list[dict[str, Any]]:
    """Les règles d'une version, vérifiées : sens connu, texte de 1 à 400 caractères, 40 règles au plus.
    Une règle qui se dit « du jeu de départ » ne le reste que si son texte est celui du jeu de départ ;
    modifiée, elle devient propre à l'organisation."""
    if not isinstance(regles, list):
        raise ValidationError("Les règles doivent être une liste.")
    if len(regles) > depart.NOMBRE_MAX_REGLES:
        raise ValidationError(
            f"{len(regles)} règles : {depart.NOMBRE_MAX_REGLES} au plus, pour qu'elles tiennent sur une "
            "page et qu'un agent les lise."
        )
    connues = _depart_par_id()
    propres: list[dict[str, Any]] = []
    for rang, regle in enumerate(regles, start=1):
        if not isinstance(regle, dict):
            raise ValidationError(f"Règle n° {rang} : un objet (sens, texte) est attendu.")
        sens = regle.get("sens")
        if sens not in SensRegle.values:
            raise ValidationError(f"Règle n° {rang} : le sens doit être « faire » ou « ne_pas_faire ».")
        texte = _texte(regle.get("texte"), f"Règle n° {rang}", depart.LONGUEUR_REGLE)
        origine = regle.get("origine") or Origine.PROPRE
        if origine not in Origine.values:
            raise ValidationError(f"Règle n° {rang} : origine « {str(origine)[:40]} » inconnue.")
        source = connues.get(str(regle.get("id", "")))
        if origine == Origine.DEPART and source is not None and (source.texte, source.sens) == (texte, sens):
            propres.append(regle_de_depart(source))
            continue
        if origine == Origine.DEPART:
            origine = Origine.PROPRE
        propres.append({"sens": sens, "texte": texte, "origine": origine})
    return propres


def _numero_suivant(organisation: Organisation) -> int:
    dernier = VersionRegles.objects.filter(organisation=organisation).aggregate(n=Max("numero"))["n"]
    return (dernier or 0) + 1


@transaction.atomic
def creer_brouillon(organisation: Organisation, par: Utilisateur) -> VersionRegles:
    """Un nouveau brouillon : les règles publiées s'il y en a, sinon le jeu de départ de Balise."""
    if VersionRegles.objects.filter(
        organisation=organisation, statut=VersionRegles.Statut.BROUILLON
    ).exists():
        raise ValidationError(
            "Un brouillon des règles existe déjà : reprenez-le plutôt que d'en ouvrir un autre."
        )
    publiee = VersionRegles.objects.filter(
        organisation=organisation, statut=VersionRegles.Statut.PUBLIEE
    ).first()
    if publiee is not None:
        titre, introduction, regles = publiee.titre, publiee.introduction, list(publiee.regles)
    else:
        jeu = depart.en_vigueur()
        titre, introduction = jeu.titre, jeu.introduction
        regles = [regle_de_depart(r) for r in jeu.regles]
    brouillon = VersionRegles(
        organisation=organisation,
        numero=_numero_suivant(organisation),
        titre=titre,
        introduction=introduction,
        regles=regles,
        cree_par=par,
    )
    try:
        with transaction.atomic():
            versions.attribuer(brouillon, par)
    except IntegrityError:
        raise ValidationError(
            "Un brouillon vient d'être ouvert par quelqu'un d'autre : rechargez la page."
        ) from None
    return brouillon


def _brouillon(organisation: Organisation, pk: int, version: int | None) -> VersionRegles:
    try:
        objet = versions.verrouiller(VersionRegles.objects.filter(organisation=organisation), pk, version)
    except VersionRegles.DoesNotExist:
        raise ValidationError("Cette version des règles est introuvable.") from None
    if objet.statut != VersionRegles.Statut.BROUILLON:
        raise ValidationError("Seul un brouillon se modifie : une version publiée ne change plus.")
    return objet


@transaction.atomic
def modifier_brouillon(
    organisation: Organisation,
    pk: int,
    donnees: dict[str, Any],
    par: Utilisateur,
    version: int | None,
) -> VersionRegles:
    """Change le titre, l'introduction et les règles d'un brouillon (champs absents : inchangés)."""
    brouillon = _brouillon(organisation, pk, version)
    if "titre" in donnees:
        brouillon.titre = _texte(donnees["titre"], "Titre", LONGUEUR_TITRE)
    if "introduction" in donnees:
        brouillon.introduction = _texte(
            donnees["introduction"], "Introduction", LONGUEUR_INTRODUCTION, obligatoire=False
        )
    if "regles" in donnees:
        brouillon.regles = valider_regles(donnees["regles"])
    versions.enregistrer(brouillon, par)
    return brouillon


@transaction.atomic
def ajouter_depart(organisation: Organisation, pk: int, par: Utilisateur, version: int | None) -> int:
    """Ajoute au brouillon les règles du jeu de départ qu'il n'a pas ; rend leur nombre."""
    brouillon = _brouillon(organisation, pk, version)
    presentes = {r.get("id") for r in brouillon.regles if r.get("origine") == Origine.DEPART}
    nouvelles = [regle_de_depart(r) for r in depart.en_vigueur().regles if r.id not in presentes]
    if not nouvelles:
        return 0
    brouillon.regles = valider_regles([*brouillon.regles, *nouvelles])
    versions.enregistrer(brouillon, par)
    return len(nouvelles)


def _cle(texte: str) -> str:
    return " ".join(texte.split()).casefold().rstrip(" .;")


@transaction.atomic
def reprendre_de_la_charte(
    organisation: Organisation, version_regles: VersionRegles, lignes_rouges: list[str], par: Utilisateur
) -> int:
    """Ajoute au brouillon une règle « à ne pas faire », d'origine « charte », par ligne rouge de la
    charte qui n'y figure pas déjà ; rend le nombre de règles ajoutées. Le bouton qui l'appelle lit les
    lignes rouges de la charte adoptée (chartes.selectors.adoptee(org).lignes_rouges)."""
    if version_regles.organisation_id != organisation.pk:
        raise ValidationError("Cette version des règles est introuvable.")
    brouillon = _brouillon(organisation, version_regles.pk, version_regles.version)
    deja = {_cle(r["texte"]) for r in brouillon.regles}
    nouvelles = []
    for ligne in lignes_rouges:
        texte = _texte(ligne, "Ligne rouge de la charte", depart.LONGUEUR_REGLE, obligatoire=False)
        if texte and _cle(texte) not in deja:
            deja.add(_cle(texte))
            nouvelles.append({"sens": SensRegle.NE_PAS_FAIRE, "texte": texte, "origine": Origine.CHARTE})
    if not nouvelles:
        return 0
    brouillon.regles = valider_regles([*brouillon.regles, *nouvelles])
    versions.enregistrer(brouillon, par)
    version_regles.refresh_from_db()
    return len(nouvelles)


@transaction.atomic
def publier(organisation: Organisation, pk: int, par: Utilisateur, version: int | None) -> VersionRegles:
    """Le brouillon devient les règles en vigueur ; la version publiée jusque-là est remplacée."""
    brouillon = _brouillon(organisation, pk, version)
    if not brouillon.a_faire and not brouillon.a_ne_pas_faire:
        raise ValidationError("Ce brouillon n'a aucune règle : ajoutez-en avant de le publier.")
    maintenant = timezone.now()
    ancienne = (
        VersionRegles.objects.select_for_update()
        .filter(organisation=organisation, statut=VersionRegles.Statut.PUBLIEE)
        .first()
    )
    if ancienne is not None:
        ancienne.statut = VersionRegles.Statut.REMPLACEE
        ancienne.remplacee_le = maintenant
        versions.enregistrer(ancienne, par)
    brouillon.statut = VersionRegles.Statut.PUBLIEE
    brouillon.publiee_par = par
    brouillon.publiee_le = maintenant
    versions.enregistrer(brouillon, par)
    return brouillon


def _entier(valeur: Any, libelle: str, obligatoire: bool = True) -> int | None:
    if valeur in (None, ""):
        if obligatoire:
            raise ValidationError(f"{libelle} : ce champ est obligatoire.")
        return None
    if isinstance(valeur, bool):
        raise ValidationError(f"{libelle} : un nombre entier est attendu.")
    try:
        nombre = int(valeur)
    except (TypeError, ValueError):
        raise ValidationError(f"{libelle} : un nombre entier est attendu.") from None
    if isinstance(valeur, float) and valeur != nombre:
        raise ValidationError(f"{libelle} : un nombre entier est attendu.")
    if not 0 <= nombre <= EFFECTIF_MAX:
        raise ValidationError(f"{libelle} : entre 0 et {EFFECTIF_MAX:,} agents.".replace(",", " "))
    return nombre


def _date(valeur: Any, publiee: VersionRegles) -> date:
    if isinstance(valeur, str):
        try:
            valeur = date.fromisoformat(valeur.strip())
        except ValueError:
            raise ValidationError("Date : une date réelle est attendue (AAAA-MM-JJ).") from None
    if not isinstance(valeur, date):
        raise ValidationError("Date : ce champ est obligatoire.")
    aujourd_hui = timezone.localdate()
    if valeur > aujourd_hui:
        raise ValidationError("Date : l'information n'a pas encore eu lieu (date dans le futur).")
    if valeur < max(DATE_MIN, timezone.localdate(publiee.cree_le)):
        raise ValidationError(
            f"Date : antérieure à la rédaction de ces règles (version n° {publiee.numero}, "
            f"ouverte le {timezone.localdate(publiee.cree_le):%d/%m/%Y})."
        )
    return valeur


@transaction.atomic
def enregistrer_information(
    organisation: Organisation, donnees: dict[str, Any], par: Utilisateur
) -> InformationService:
    """Les agents d'un service informés des règles publiées : combien, quand, par quel moyen."""
    publiee = VersionRegles.objects.filter(
        organisation=organisation, statut=VersionRegles.Statut.PUBLIEE
    ).first()
    if publiee is None:
        raise ValidationError("Aucune règle n'est publiée : publiez-les avant d'en informer les agents.")
    service = _texte(donnees.get("service"), "Service", LONGUEUR_SERVICE)
    if ressemble_a_une_formule(service):
        raise ValidationError(f"Service : formule de tableur refusée (« {service[:40]} »).")
    informes = _entier(donnees.get("effectif_informe"), "Agents informés") or 0
    effectif = _entier(donnees.get("effectif_service"), "Effectif du service", obligatoire=False)
    if effectif is not None and informes is not None and informes > effectif:
        raise ValidationError(f"Agents informés : {informes}, plus que l'effectif du service ({effectif}).")
    moyen = donnees.get("moyen")
    if moyen not in Moyen.values:
        raise ValidationError(
            "Moyen : choisissez réunion, courriel, affichage, intranet, entretien, formation ou autre."
        )
    information = InformationService(
        organisation=organisation,
        version_regles=publiee,
        service=service,
        effectif_informe=informes,
        effectif_service=effectif,
        date=_date(donnees.get("date"), publiee),
        moyen=moyen,
        cree_par=par,
    )
    return versions.attribuer(information, par)


def prendre_connaissance(
    organisation: Organisation, personne: Utilisateur, version_regles_id: int | None = None
) -> tuple[PriseDeConnaissance, bool]:
    """« J'ai pris connaissance » des règles publiées : une fois par version ; rend (prise, nouvelle ?).
    `version_regles_id`, s'il est donné, doit être la version publiée (la page lue n'est pas périmée)."""
    publiee = VersionRegles.objects.filter(
        organisation=organisation, statut=VersionRegles.Statut.PUBLIEE
    ).first()
    if publiee is None:
        raise ValidationError("Aucune règle n'est publiée.")
    if version_regles_id is not None and version_regles_id != publiee.pk:
        raise ValidationError(
            "Ces règles ont été remplacées depuis que vous avez ouvert la page : lisez la version en vigueur."
        )
    try:
        with transaction.atomic():
            return PriseDeConnaissance.objects.get_or_create(
                organisation=organisation, version_regles=publiee, personne=personne
            )
    except IntegrityError:  # deux clics simultanés : la première prise compte
        return PriseDeConnaissance.objects.get(version_regles=publiee, personne=personne), False
