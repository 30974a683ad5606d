"""Sélecteur des faits qu'examinent les portes du cycle de vie (portes.py), pour un système ou en lot.

Le lot se lit en un nombre constant de requêtes, quel que soit le nombre de systèmes : la liste du
registre montre la porte de chaque système.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count

from balise.conformite import categories
from balise.conformite.models import ObligationSuivie
from balise.instruments.models import Evaluation
from balise.registre import cycle_de_vie
from balise.registre.models import SystemeIA

from . import politique, portes
from . import selectors_politique as politiques
from .models import Condition, Decision


def _renseigne(valeur: object) -> bool:
    if valeur is None:
        return False
    return bool(valeur.strip()) if isinstance(valeur, str) else True


@dataclass(frozen=True)
class Etat:
    """Les faits d'un système et sa catégorie AI Act."""

    faits: portes.Faits
    categorie: categories.Categorie


def etats(systemes: Sequence[SystemeIA]) -> dict[int, Etat]:
    """Les faits de chaque système, en six requêtes au plus quel que soit leur nombre."""
    ids = [s.pk for s in systemes]
    if not ids:
        return {}
    qualifications = categories.qualifications_actuelles(ids)
    evaluations: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for systeme_id, code, moment, statut in Evaluation.objects.filter(systeme_id__in=ids).values_list(
        "systeme_id", "instrument__code", "moment", "statut"
    ):
        evaluations[systeme_id].append((code, moment, statut))
    obligations: dict[int, dict[str, tuple[str, int]]] = defaultdict(dict)
    for systeme_id, code, statut, pk in ObligationSuivie.objects.filter(
        systeme_id__in=ids, applicable=True
    ).values_list("systeme_id", "code", "statut", "pk"):
        obligations[systeme_id][code] = (statut, pk)
    decisions: dict[int, str] = {}
    for systeme_id, sens in (
        Decision.objects.filter(systeme_id__in=ids)
        .order_by("systeme_id", "-decidee_le", "-pk")
        .values_list("systeme_id", "sens")
    ):
        decisions.setdefault(systeme_id, sens)
    conditions = dict(
        Condition.objects.filter(systeme_id__in=ids)
        .en_attente()
        .values_list("systeme_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("systeme_id", "n")
    )
    champs = list(politique.CHAMPS_FICHE)
    resultat: dict[int, Etat] = {}
    for s in systemes:
        q = qualifications.get(s.pk)
        version, conclusions = (q.version_regles, q.conclusions) if q else (None, [])
        faits = portes.Faits(
            champs_renseignes=frozenset(c for c in champs if _renseigne(getattr(s, c))),
            evaluations=tuple(evaluations.get(s.pk, ())),
            qualifie=q is not None,
            a_requalifier=bool(q and q.a_requalifier),
            pratiques_interdites=tuple(categories.conclusions_interdites(version, conclusions)),
            obligations=obligations.get(s.pk, {}),
            derniere_decision=decisions.get(s.pk),
            conditions_en_attente=conditions.get(s.pk, 0),
        )
        resultat[s.pk] = Etat(faits, categories.categorie(version, conclusions))
    return resultat


def faits_de(systeme: SystemeIA) -> portes.Faits:
    return etats([systeme])[systeme.pk].faits


@dataclass(frozen=True)
class Portes:
    """Ce que les pages montrent des portes d'un système : catégorie, prochaine porte, publication,
    et la porte de chaque stade où il peut passer maintenant."""

    categorie: categories.Categorie
    pratiques_interdites: tuple[str, ...]
    prochaine: portes.Controle | None
    publication: portes.Controle | None
    suivants: dict[str, portes.Controle]
    # La politique qui a établi ces listes de contrôle : « nationale v1 », « adaptée n° 2 ».
    politique: str = ""

    @property
    def interdite(self) -> bool:
        return bool(self.pratiques_interdites)

    @property
    def a_justifier(self) -> bool:
        """Un stade possible a une porte fermée qu'un administrateur peut passer en la justifiant."""
        return any(not c.franchie and not c.bloquee for c in self.suivants.values())


def _portes(systeme: SystemeIA, etat: Etat, applicable: politiques.Applicable) -> Portes:
    regles = applicable.politique
    nom = portes.prochaine_porte(regles, systeme.stade)
    suivants = {
        stade: controle
        for stade in cycle_de_vie.suivants(systeme.stade)
        if (controle := portes.controler(regles, stade, etat.faits)) is not None
    }
    return Portes(
        categorie=etat.categorie,
        pratiques_interdites=etat.faits.pratiques_interdites,
        prochaine=portes.controler(regles, nom, etat.faits) if nom else None,
        publication=portes.controler(regles, portes.PUBLICATION, etat.faits),
        suivants=suivants,
        politique=applicable.libelle,
    )


def portes_de(systeme: SystemeIA) -> Portes:
    """Les portes d'un système selon la politique de son organisation."""
    applicable = politiques.applicable(systeme.organisation_id)
    return _portes(systeme, etats([systeme])[systeme.pk], applicable)


def portes_en_lot(systemes: Sequence[SystemeIA]) -> dict[int, Portes]:
    """Les portes de chaque système, chacun selon la politique de son organisation : une requête pour
    les politiques, quel que soit le nombre de systèmes (et d'organisations)."""
    if not systemes:
        return {}
    applicables = politiques.applicables({s.organisation_id for s in systemes})
    lus = etats(systemes)
    return {s.pk: _portes(s, lus[s.pk], applicables[s.organisation_id]) for s in systemes}
