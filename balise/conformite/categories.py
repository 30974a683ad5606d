"""La catégorie AI Act d'un système, tirée des conclusions de sa qualification actuelle.

La correspondance conclusion → catégorie est dans les règles (champ `categorie` des conclusions de
`regles/qualification-v<N>.yaml`) ; ce module choisit la plus grave des catégories retenues. C'est la
seule fonction qui donne la catégorie : registre, portes du cycle de vie, pages et API l'appellent.
"""

from collections.abc import Iterable

from django.db import models

from . import regles
from .models import Qualification
from .regles import version


class Categorie(models.TextChoices):
    INTERDITE = "interdite", "Pratique interdite"
    HAUT_RISQUE = "haut_risque", "Haut risque"
    TRANSPARENCE = "transparence", "Transparence"
    RISQUE_MINIMAL = "risque_minimal", "Risque minimal"
    HORS_CHAMP = "hors_champ", "Hors champ (pas un système d'IA)"
    NON_QUALIFIE = "non_qualifie", "Non qualifié"


# De la plus grave à la moins grave, dans l'ordre que fixent les règles (`regles.GRAVITE`).
GRAVITE = [Categorie(c) for c in regles.GRAVITE]


def categorie(version_regles: int | None, conclusions: Iterable[str]) -> Categorie:
    """La catégorie AI Act que donnent ces conclusions (lues avec la version des règles qui les a
    produites) ; sans qualification (`version_regles` vide) : non qualifié."""
    if version_regles is None:
        return Categorie.NON_QUALIFIE
    par_id = version(version_regles).par_conclusion
    retenues = {par_id[c].categorie for c in conclusions if c in par_id and par_id[c].categorie is not None}
    return next((c for c in GRAVITE if c.value in retenues), Categorie.NON_QUALIFIE)


def conclusions_interdites(version_regles: int | None, conclusions: Iterable[str]) -> list[str]:
    """Les libellés des pratiques interdites retenues (pour le dire en clair sur la fiche)."""
    if version_regles is None:
        return []
    par_id = version(version_regles).par_conclusion
    return [par_id[c].libelle for c in conclusions if c in par_id and par_id[c].categorie == "interdite"]


def qualifications_actuelles(systemes: Iterable[int]) -> dict[int, Qualification]:
    """La dernière qualification de chaque système, en une requête quel que soit leur nombre."""
    ids = list(systemes)
    actuelles: dict[int, Qualification] = {}
    if not ids:
        return actuelles
    qs = Qualification.objects.filter(systeme_id__in=ids).only(
        "systeme_id", "version_regles", "conclusions", "a_requalifier", "cree_le"
    )
    for q in qs.order_by("systeme_id", "-cree_le", "-pk"):
        actuelles.setdefault(q.systeme_id, q)
    return actuelles


def categories(systemes: Iterable[int]) -> dict[int, Categorie]:
    """La catégorie de chaque système (non qualifié s'il n'a pas de qualification), en une requête."""
    ids = list(systemes)
    actuelles = qualifications_actuelles(ids)
    return {
        pk: categorie(q.version_regles, q.conclusions) if (q := actuelles.get(pk)) else Categorie.NON_QUALIFIE
        for pk in ids
    }
