"""Lectures de l'impact sur les métiers. Tout chiffre sur les agents sort d'ici protégé par le
secret statistique (`secret.proteger`) : les pages, le graphique et les exports n'en lisent pas d'autre."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from balise.organisations.models import Organisation

from .models import Dimension, GroupeEffectif, GroupeSuivi, ImportEffectifs, LibelleImporte
from .referentiel import charger
from .secret import Case, TableauProtege, proteger

NON_RATTACHES = "Non rattachés"
NON_RENSEIGNE = "Non renseigné"
AGENTS = "Agents"
ZERO = Decimal(0)
AUCUN = Case(0, ZERO, None)  # un groupe absent de l'import : zéro agent, chiffre montrable


def imports(organisation: Organisation) -> QuerySet[ImportEffectifs]:
    return (
        ImportEffectifs.objects.filter(organisation=organisation)
        .sans_contenu()
        .select_related("cree_par", "travail__annule_par")
        .annotate(a_revoir=Count("libelles", filter=Q(libelles__statut__in=LibelleImporte.A_REVOIR)))
    )


def import_de(organisation: Organisation, pk: int) -> ImportEffectifs:
    return get_object_or_404(imports(organisation), pk=pk)


def dernier_import(organisation: Organisation) -> ImportEffectifs | None:
    return imports(organisation).exclude(etat__in=ImportEffectifs.NON_TRAITES).first()


def niveaux() -> list[str]:
    """Les colonnes des tableaux : du plus au moins exposé, puis les agents non rattachés."""
    return [*reversed(charger().niveaux), NON_RATTACHES]


# Précision des ETP en base (4 décimales) : une somme d'ETP exacte n'en a pas davantage.
_PRECISION_ETP_EN_BASE = Decimal(1).scaleb(-GroupeEffectif._meta.get_field("etp").decimal_places)


def etp_exact(somme: Decimal | None) -> Decimal:
    """La somme d'ETP lue en base, ramenée à la précision de la colonne.

    SQLite additionne les décimaux en flottants : `Sum("etp")` y rend 762,449999999998 pour 762,45
    (arrondi ensuite à 762,4 au lieu de 762,5, et recopié tel quel dans les exports). L'erreur d'une
    somme de n flottants reste sous n × 1,2e-16 × la somme : sous 0,00005 (la moitié de la précision
    de la colonne) jusqu'à des centaines de milliers de groupes d'agents ; la valeur ramenée à
    4 décimales est donc la somme exacte, celle que PostgreSQL rend directement."""
    return ZERO if somme is None else Decimal(somme).quantize(_PRECISION_ETP_EN_BASE)


def _valeurs(
    lignes: Iterable[Mapping[str, Any]], cle_ligne: str
) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(valeur de la ligne, niveau) → (effectif, ETP), en cumulant les lignes qui se confondent."""
    valeurs: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for ligne in lignes:
        cle = (ligne[cle_ligne] or NON_RENSEIGNE, ligne["libelle__niveau"] or NON_RATTACHES)
        effectif, etp = valeurs.get(cle, (0, ZERO))
        valeurs[cle] = (effectif + ligne["effectif"], etp + etp_exact(ligne["etp"]))
    return valeurs


def _groupes(imp: ImportEffectifs, *champs: str) -> QuerySet[GroupeEffectif, dict[str, Any]]:
    return (
        GroupeEffectif.objects.filter(import_effectifs=imp)
        .values(*champs, "libelle__niveau")
        .annotate(effectif=Sum("effectif"), etp=Sum("etp"))
        .order_by()
    )


def synthese(imp: ImportEffectifs, seuil: int) -> TableauProtege:
    """Effectif et ETP par niveau d'exposition (une colonne)."""
    lignes = [{**ligne, "ensemble": AGENTS} for ligne in _groupes(imp)]
    valeurs = {(niveau, AGENTS): v for (_, niveau), v in _valeurs(lignes, "ensemble").items()}
    return proteger(valeurs, niveaux(), [AGENTS], seuil)


def croisement(imp: ImportEffectifs, dimension: str, seuil: int) -> TableauProtege:
    """Effectif et ETP par valeur d'une dimension (lignes) et niveau d'exposition (colonnes)."""
    if dimension not in Dimension.values:
        raise ValueError(f"Dimension « {dimension} » inconnue.")
    valeurs = _valeurs(_groupes(imp, dimension), dimension)
    lignes = sorted({ligne for ligne, _ in valeurs}, key=lambda v: (v == NON_RENSEIGNE, v.casefold()))
    return proteger(valeurs, lignes, niveaux(), seuil)


@dataclass(frozen=True)
class ClassementMetiers:
    """Le tableau protégé des métiers et le niveau de chacun (connu même quand son effectif est secret)."""

    tableau: TableauProtege
    niveau: dict[str, str]

    @property
    def lignes(self) -> list[str]:
        return self.tableau.lignes

    def classement(self) -> list[tuple[str, str, Case]]:
        return [(m, self.niveau[m], self.tableau.totaux_lignes[m]) for m in self.tableau.lignes]


def metiers(imp: ImportEffectifs, seuil: int) -> ClassementMetiers:
    """Effectif et ETP par métier rattaché, les plus exposés d'abord (à niveau égal, les plus nombreux)."""
    rang = {n: i for i, n in enumerate(niveaux())}
    lignes = [
        {**ligne, "nom": ligne["libelle__metier"] or ligne["libelle__libelle"]}
        for ligne in _groupes(imp, "libelle__metier", "libelle__libelle").exclude(libelle__niveau="")
    ]
    valeurs = _valeurs(lignes, "nom")
    ordre = sorted(valeurs, key=lambda cle: (rang[cle[1]], -valeurs[cle][0], cle[0].casefold()))
    return ClassementMetiers(proteger(valeurs, [nom for nom, _ in ordre], niveaux()[:-1], seuil), dict(ordre))


@dataclass(frozen=True)
class ChiffresGroupe:
    """Les chiffres d'un groupe suivi, lus dans le tableau protégé dont il est une case."""

    imp: ImportEffectifs
    case: Case


def chiffres_du_groupe(groupe: GroupeSuivi, imp: ImportEffectifs | None) -> ChiffresGroupe | None:
    if imp is None:
        return None
    seuil = groupe.organisation.seuil_secret
    if not groupe.dimension:
        tableau = synthese(imp, seuil)
        return ChiffresGroupe(imp, tableau.cases.get((groupe.niveau, AGENTS), AUCUN))
    if groupe.dimension == GroupeSuivi.METIER:
        tableau = metiers(imp, seuil).tableau
    else:
        tableau = croisement(imp, groupe.dimension, seuil)
    return ChiffresGroupe(imp, tableau.cases.get((groupe.valeur, groupe.niveau), AUCUN))


def groupes_suivis(organisation: Organisation) -> QuerySet[GroupeSuivi]:
    return (
        GroupeSuivi.objects.filter(organisation=organisation)
        .annotate(nb_actions=Count("actions", distinct=True), nb_systemes=Count("systemes", distinct=True))
        .order_by("niveau", "dimension", "valeur")
    )


def libelles_a_revoir(imp: ImportEffectifs, tous: bool = False) -> QuerySet[LibelleImporte]:
    """Les libellés de la revue : seuls ou têtes de leur groupe de variantes (une décision couvre le
    groupe), les plus fréquents d'abord."""
    libelles = imp.libelles.filter(Q(cle_groupe="") | Q(cle_groupe=F("normalise")))
    if not tous:
        libelles = libelles.filter(statut__in=LibelleImporte.A_REVOIR)
    return libelles.order_by("-effectif", "libelle")


def variantes(imp: ImportEffectifs, tetes: Iterable[LibelleImporte]) -> dict[str, list[LibelleImporte]]:
    """Forme de tête -> ses variantes (hors la tête), pour les têtes d'une page de la revue."""
    cles = {lib.cle_groupe for lib in tetes if lib.cle_groupe}
    par_cle: dict[str, list[LibelleImporte]] = {}
    if cles:
        for lib in imp.libelles.filter(cle_groupe__in=cles).exclude(normalise=F("cle_groupe")):
            par_cle.setdefault(lib.cle_groupe, []).append(lib)
    return par_cle


@dataclass(frozen=True)
class Presentation:
    """Un tableau protégé prêt pour un gabarit : ses rangées (libellé, cases, total) et son pied."""

    tableau: TableauProtege

    def rangs(self) -> list[tuple[str, list[Case], Case]]:
        t = self.tableau
        return [
            (ligne, [t.cases[(ligne, c)] for c in t.colonnes], t.totaux_lignes[ligne]) for ligne in t.lignes
        ]

    def pied(self) -> list[Case]:
        return [self.tableau.totaux_colonnes[c] for c in self.tableau.colonnes]

    def __getattr__(self, nom: str) -> Any:
        return getattr(self.tableau, nom)
