"""Les opérations sur la charte : composer une version, la modifier (verrou optimiste), la soumettre à
une séance d'instance, l'adopter, en reprendre une nouvelle version.

Chacune est atomique et attribuée (historique) ; les vues et l'API vérifient le droit
PILOTER_PROGRAMME puis appellent ces fonctions. Une saisie invalide lève `ValidationError` (rien n'est
changé) ; une opération que l'état de la version interdit lève `RefusCharte` (409 à l'API).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from balise import versions
from balise.organisations import journal
from balise.registre.services import RefusEtat

from . import jeux
from .models import VersionCharte

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.gouvernance.models import Point
    from balise.organisations.models import Organisation

Statut = VersionCharte.Statut
Mode = VersionCharte.Mode

LONGUEUR_TITRE = 200
LONGUEUR_PERIMETRE = 4000
LONGUEUR_ELEMENT = 1000
NOMBRE_MAX = 40
FORMULES = ("=", "+", "-", "@", "\t", "\r")


ConflitEdition = versions.ConflitEdition


class RefusCharte(RefusEtat):
    """L'état de la version interdit l'opération (déjà soumise, adoptée, remplacée…)."""


def _texte(valeur: Any, champ: str, libelle: str, longueur: int, obligatoire: bool = False) -> str:
    texte = valeur.strip() if isinstance(valeur, str) else None
    if texte is None:
        raise ValidationError({champ: f"{libelle} : un texte est attendu."})
    if obligatoire and not texte:
        raise ValidationError({champ: f"{libelle} : ce champ est obligatoire."})
    if len(texte) > longueur:
        raise ValidationError({champ: f"{libelle} : {longueur} caractères au plus."})
    if "\x00" in texte:
        raise ValidationError({champ: f"{libelle} : caractère nul refusé."})
    if texte[:1] in FORMULES[:4]:
        # Un texte repris dans un tableur ou un export ne doit pas pouvoir y devenir une formule.
        raise ValidationError({champ: f"{libelle} : un texte ne commence pas par =, +, - ou @."})
    return texte


def _liste(valeur: Any, champ: str, libelle: str) -> list[str]:
    if not isinstance(valeur, list | tuple):
        raise ValidationError({champ: f"{libelle} : une liste de textes est attendue."})
    if len(valeur) > NOMBRE_MAX:
        raise ValidationError({champ: f"{libelle} : {NOMBRE_MAX} éléments au plus."})
    elements = [_texte(v, champ, libelle, LONGUEUR_ELEMENT) for v in valeur]
    return [e for e in elements if e]


def _principes(valeur: Any) -> list[dict[str, str]]:
    if not isinstance(valeur, list | tuple):
        raise ValidationError({"principes": "Principes : une liste est attendue."})
    if not valeur:
        raise ValidationError({"principes": "La charte énonce au moins un principe."})
    if len(valeur) > NOMBRE_MAX:
        raise ValidationError({"principes": f"Principes : {NOMBRE_MAX} au plus."})
    resultat = []
    for p in valeur:
        if not isinstance(p, dict):
            raise ValidationError({"principes": "Chaque principe a un titre et une explication."})
        titre = _texte(p.get("titre"), "principes", "Titre d'un principe", LONGUEUR_TITRE, True)
        explication = _texte(p.get("explication", ""), "principes", "Explication", LONGUEUR_ELEMENT)
        source = p.get("source", "")
        source = source if isinstance(source, str) and len(source) <= 200 else ""
        resultat.append({"titre": titre, "explication": explication, "source": source})
    titres = [p["titre"].casefold() for p in resultat]
    if len(set(titres)) != len(titres):
        raise ValidationError({"principes": "Deux principes portent le même titre."})
    return resultat


def principes_des_jeux(references: Any) -> tuple[list[dict[str, str]], list[str]]:
    """« jeu/principe » choisis → les principes copiés (titre, explication, source) et les jeux cités."""
    if not isinstance(references, list | tuple) or not references:
        raise ValidationError({"principes": "Choisissez au moins un principe dans les jeux livrés."})
    if len(references) > NOMBRE_MAX:
        raise ValidationError({"principes": f"Principes : {NOMBRE_MAX} au plus."})
    principes, cites = [], []
    for ref in references:
        trouve = jeux.principe(ref)
        if trouve is None:
            raise ValidationError({"principes": f"Principe inconnu : {str(ref)[:80]!r}."})
        jeu, p = trouve
        principes.append({"titre": p.titre, "explication": p.explication, "source": p.source})
        if f"{jeu.identifiant}-v{jeu.version}" not in cites:
            cites.append(f"{jeu.identifiant}-v{jeu.version}")
    return principes, cites


def _numero_suivant(organisation_id: int) -> int:
    dernier = VersionCharte.objects.filter(organisation_id=organisation_id).aggregate(m=Max("numero"))["m"]
    return (dernier or 0) + 1


@transaction.atomic
def composer(
    organisation: Organisation,
    donnees: dict[str, Any],
    par: Utilisateur,
) -> VersionCharte:
    """Une nouvelle version brouillon : `titre`, `principes` (références « jeu/principe » choisies dans les
    jeux livrés), `perimetre`, `engagements`, `lignes_rouges` (listes de textes)."""
    titre = _texte(donnees.get("titre", ""), "titre", "Titre", LONGUEUR_TITRE, obligatoire=True)
    principes, cites = principes_des_jeux(donnees.get("principes"))
    principes = _principes(principes)
    v = VersionCharte(
        organisation=organisation,
        titre=titre,
        perimetre=_texte(donnees.get("perimetre", ""), "perimetre", "Périmètre", LONGUEUR_PERIMETRE),
        principes=principes,
        engagements=_liste(donnees.get("engagements", []), "engagements", "Engagements"),
        lignes_rouges=_liste(donnees.get("lignes_rouges", []), "lignes_rouges", "Lignes rouges"),
        jeux=cites,
        cree_par=par,
    )
    # Le numéro se lit sous le verrou de l'organisation : deux compositions simultanées n'ont pas le même.
    type(organisation).objects.select_for_update().filter(pk=organisation.pk).first()
    v.numero = _numero_suivant(organisation.pk)
    return versions.attribuer(v, par)


@transaction.atomic
def reprendre(pk: int, par: Utilisateur) -> VersionCharte:
    """Une nouvelle version brouillon qui reprend le contenu d'une version existante (pour la réviser)."""
    source = VersionCharte.objects.select_related("organisation").get(pk=pk)
    type(source.organisation).objects.select_for_update().filter(pk=source.organisation_id).first()
    v = VersionCharte(
        organisation_id=source.organisation_id,
        numero=_numero_suivant(source.organisation_id),
        titre=source.titre,
        perimetre=source.perimetre,
        principes=source.principes,
        engagements=source.engagements,
        lignes_rouges=source.lignes_rouges,
        jeux=source.jeux,
        cree_par=par,
    )
    return versions.attribuer(v, par)


CHAMPS_MODIFIABLES = ("titre", "perimetre", "principes", "engagements", "lignes_rouges")


@transaction.atomic
def modifier(pk: int, donnees: dict[str, Any], version: int | None, par: Utilisateur) -> VersionCharte:
    """Modifie un brouillon ; `donnees` ne porte que les champs changés. Une version soumise ou
    adoptée ne change plus : on en reprend une nouvelle."""
    inconnus = set(donnees) - set(CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(inconnus))}.")
    v = versions.verrouiller(VersionCharte.objects.all(), pk, version)
    if not v.modifiable:
        raise RefusCharte(
            f"Cette version est « {v.get_statut_display().lower()} » : elle ne se modifie plus. "
            "Reprenez-en une nouvelle version pour la réviser."
        )
    if "titre" in donnees:
        v.titre = _texte(donnees["titre"], "titre", "Titre", LONGUEUR_TITRE, obligatoire=True)
    if "perimetre" in donnees:
        v.perimetre = _texte(donnees["perimetre"], "perimetre", "Périmètre", LONGUEUR_PERIMETRE)
    if "principes" in donnees:
        v.principes = _principes(donnees["principes"])
    if "engagements" in donnees:
        v.engagements = _liste(donnees["engagements"], "engagements", "Engagements")
    if "lignes_rouges" in donnees:
        v.lignes_rouges = _liste(donnees["lignes_rouges"], "lignes_rouges", "Lignes rouges")
    versions.enregistrer(v, par)
    return v


def inscrire_au_point(version_id: Any, organisation_id: int, par: Utilisateur) -> VersionCharte:
    """Appelé par l'ordre du jour (gouvernance/services_seances.ajouter_point) dans sa transaction : la
    version doit être de l'organisation de l'instance, brouillon ou déjà soumise ; un brouillon devient
    « soumise » (son texte est celui que l'instance examine)."""
    if isinstance(version_id, bool) or not isinstance(version_id, int):
        raise ValidationError({"version_charte": "Choisissez une version de la charte."})
    v = (
        VersionCharte.objects.select_for_update()
        .filter(pk=version_id, organisation_id=organisation_id)
        .first()
    )
    if v is None:
        raise ValidationError({"version_charte": "Version de la charte introuvable dans cette organisation."})
    if v.statut not in (Statut.BROUILLON, Statut.SOUMISE):
        raise RefusCharte(
            f"Cette version est « {v.get_statut_display().lower()} » : elle ne se soumet plus à la consultation."
        )
    if v.statut == Statut.BROUILLON:
        v.statut, v.soumise_le = Statut.SOUMISE, timezone.now()
        versions.enregistrer(v, par)
    return v


def desinscrire_du_point(version_id: int, par: Utilisateur) -> None:
    """Appelé par le retrait d'un point (gouvernance/services_seances.retirer_point) dans sa transaction :
    une version soumise qui n'est plus à l'ordre du jour d'aucune séance redevient un brouillon, qu'on
    peut de nouveau modifier."""
    from balise.gouvernance.models import Point

    v = VersionCharte.objects.select_for_update().get(pk=version_id)
    if v.statut == Statut.SOUMISE and not Point.objects.filter(version_charte=v).exists():
        v.statut, v.soumise_le = Statut.BROUILLON, None
        versions.enregistrer(v, par)


@transaction.atomic
def soumettre(pk: int, seance_id: Any, version: int | None, par: Utilisateur) -> Point:
    """Soumet la version à la consultation d'une instance : un point « charte » à l'ordre du jour de la
    séance (de l'organisation, ni tenue ni annulée). Une version soumise peut l'être à plusieurs
    instances (comité social territorial, comité d'éthique…)."""
    from balise.gouvernance import services_seances
    from balise.gouvernance.models import Point, Seance

    v = versions.verrouiller(VersionCharte.objects.all(), pk, version)
    if isinstance(seance_id, bool) or not isinstance(seance_id, int):
        raise ValidationError({"seance": "Choisissez une séance."})
    seance = Seance.objects.filter(pk=seance_id, instance__organisation_id=v.organisation_id).first()
    if seance is None:
        raise ValidationError({"seance": "Séance introuvable dans les instances de l'organisation."})
    if Point.objects.filter(seance=seance, version_charte=v).exists():
        raise RefusCharte("Cette version est déjà à l'ordre du jour de cette séance.")
    return services_seances.ajouter_point(
        seance.pk, Point.Nature.CHARTE, par, version_charte=v.pk, titre=f"Charte de l'IA : {v}"
    )


def _date_adoption(valeur: Any) -> date:
    if not isinstance(valeur, date):
        raise ValidationError({"adoptee_le": "Indiquez la date d'adoption."})
    if valeur > timezone.localdate():
        raise ValidationError({"adoptee_le": "La date d'adoption ne peut pas être dans le futur."})
    if valeur.year < 2000:
        raise ValidationError({"adoptee_le": "La date d'adoption est postérieure à l'an 2000."})
    return valeur


@transaction.atomic
def adopter(
    pk: int,
    mode: Any,
    adoptee_le: Any,
    version: int | None,
    par: Utilisateur,
    deliberation_numero: Any = "",
) -> VersionCharte:
    """Adopte une version soumise à la consultation : par le comité de direction (date) ou par
    délibération (numéro et date). La version adoptée jusque-là est remplacée. L'adoption est notée au
    journal de l'organisation."""
    if mode not in Mode.values:
        raise ValidationError({"mode_adoption": "Choisissez : comité de direction ou délibération."})
    jour = _date_adoption(adoptee_le)
    numero = ""
    if mode == Mode.DELIBERATION:
        numero = _texte(
            deliberation_numero, "deliberation_numero", "Numéro de la délibération", 60, obligatoire=True
        )
    v = versions.verrouiller(VersionCharte.objects.all(), pk, version)
    if v.statut == Statut.BROUILLON:
        raise RefusCharte(
            "Cette version n'a pas été soumise à la consultation : inscrivez-la à une séance d'instance "
            "(comité social territorial, comité d'éthique) avant de l'adopter."
        )
    if v.statut != Statut.SOUMISE:
        raise RefusCharte(f"Cette version est déjà « {v.get_statut_display().lower()} ».")
    if v.soumise_le and jour < timezone.localtime(v.soumise_le).date():
        raise ValidationError(
            {"adoptee_le": "La date d'adoption ne peut pas précéder la soumission à la consultation."}
        )
    precedente = (
        VersionCharte.objects.select_for_update()
        .filter(organisation_id=v.organisation_id, statut=Statut.ADOPTEE)
        .first()
    )
    if precedente is not None:
        precedente.statut, precedente.remplacee_le = Statut.REMPLACEE, timezone.now()
        versions.enregistrer(precedente, par)
    v.statut, v.mode_adoption, v.adoptee_le, v.deliberation_numero = Statut.ADOPTEE, mode, jour, numero
    versions.enregistrer(v, par)
    details: dict[str, Any] = {
        "mode_adoption": v.get_mode_adoption_display(),
        "date_adoption": jour.strftime("%d/%m/%Y"),
    }
    if numero:
        details["deliberation"] = numero
    if precedente is not None:
        details["remplace"] = str(precedente)
    journal.noter(v.organisation_id, par, journal.Nature.CHARTE_ADOPTEE, str(v), **details)
    return v
