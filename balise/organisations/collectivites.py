"""Le référentiel des collectivités et groupements (Etalab, Licence Ouverte 2.0) : lecture et recherche.

Le fichier est livré avec Balise (referentiels/collectivites/, sa provenance à côté) et lu une fois
par processus ; son schéma est vérifié au chargement : une ligne mal formée empêche de démarrer la
recherche plutôt que de proposer une collectivité fausse.
"""

import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

from .models import TypeOrganisation, valider_siren

FICHIER = Path(__file__).resolve().parent / "referentiels" / "collectivites" / "collectivites.csv.gz"
COLONNES = ["code", "type", "nature", "nom", "siren", "population", "departement", "epci"]
NATURES = {
    "commune": "Commune",
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "METRO": "Métropole",
    "MET69": "Métropole de Lyon",
    "EPT": "Établissement public territorial",
    "departement": "Département",
    "region": "Région",
}
# Ce que la liste officielle contient ; les autres (centres de gestion, syndicats mixtes…) demandent à
# part, avec leur SIREN (services_adhesion.demander_hors_liste).
TYPES_DU_REFERENTIEL = frozenset(
    {TypeOrganisation.COMMUNE, TypeOrganisation.EPCI, TypeOrganisation.DEPARTEMENT, TypeOrganisation.REGION}
)
TYPES_HORS_REFERENTIEL = tuple(t for t in TypeOrganisation if t not in TYPES_DU_REFERENTIEL)
_CODE = re.compile(r"^(\d[\dAB]\d{3}|\d{9}|D\d[\dAB]\d?|R\d{2,3})$")
RESULTATS_MAX = 10
RECHERCHE_MIN = 2


@dataclass(frozen=True)
class Collectivite:
    code: str
    type: str
    nature: str
    nom: str
    siren: str
    population: int | None
    departement: str
    epci: str

    @property
    def libelle(self) -> str:
        """Ce qui distingue deux homonymes : la nature et le département."""
        precision = NATURES[self.nature]
        if self.departement and self.type != TypeOrganisation.DEPARTEMENT:
            precision += f", {self.departement}"
        return f"{self.nom} ({precision})"


def normaliser(texte: str) -> str:
    """Minuscules sans accents, tirets et apostrophes comme des espaces : « st-étienne » ≈ « St Etienne »."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", sans_accents.lower()).split())


def verifier_ligne(ligne: dict[str, str]) -> Collectivite:
    """Le schéma d'une ligne ; lève ValidationError en français."""
    if list(ligne) != COLONNES:
        raise ValidationError(f"Colonnes attendues : {', '.join(COLONNES)}.")
    if not _CODE.match(ligne["code"]):
        raise ValidationError(f"Code illisible : « {ligne['code']} ».")
    if ligne["type"] not in TYPES_DU_REFERENTIEL:
        raise ValidationError(f"Type inconnu : « {ligne['type']} » ({ligne['code']}).")
    if ligne["nature"] not in NATURES or not ligne["nom"].strip():
        raise ValidationError(f"Nature ou nom manquant ({ligne['code']}).")
    if ligne["siren"]:
        valider_siren(ligne["siren"])
    population = ligne["population"]
    if population and not population.isdigit():
        raise ValidationError(f"Population illisible ({ligne['code']}).")
    return Collectivite(**{**ligne, "population": int(population) if population else None})  # type: ignore[arg-type]


@cache
def toutes() -> tuple[Collectivite, ...]:
    with gzip.open(FICHIER, "rb") as f:
        texte = io.TextIOWrapper(f, encoding="utf-8")
        return tuple(verifier_ligne(ligne) for ligne in csv.DictReader(texte))


@cache
def _index() -> tuple[dict[str, Collectivite], tuple[tuple[str, Collectivite], ...]]:
    tout = toutes()
    return {c.code: c for c in tout}, tuple((normaliser(c.nom), c) for c in tout)


@cache
def _par_siren() -> dict[str, Collectivite]:
    return {c.siren: c for c in toutes() if c.siren}


@cache
def _par_epci() -> dict[str, tuple[Collectivite, ...]]:
    communes: dict[str, list[Collectivite]] = {}
    for c in toutes():
        if c.epci:
            communes.setdefault(c.epci, []).append(c)
    return {epci: tuple(liste) for epci, liste in communes.items()}


def communes_de(siren_epci: str) -> tuple[Collectivite, ...]:
    """Les communes membres d'une intercommunalité à fiscalité propre (colonne `epci`)."""
    return _par_epci().get(siren_epci, ())


def par_code(code: str) -> Collectivite | None:
    return _index()[0].get(code)


def par_siren(siren: str) -> Collectivite | None:
    return _par_siren().get(siren)


def rechercher(texte: str, nombre: int = RESULTATS_MAX) -> list[Collectivite]:
    """Les collectivités dont le nom contient chaque mot cherché : d'abord celles dont le nom commence
    par la saisie, puis les plus peuplées (la ville avant le hameau du même nom)."""
    cherche = normaliser(texte)[:100]
    if len(cherche) < RECHERCHE_MIN:
        return []
    mots = cherche.split()
    trouvees = [(nom, c) for nom, c in _index()[1] if all(m in nom for m in mots)]
    trouvees.sort(key=lambda t: (not t[0].startswith(cherche), t[0] != cherche, -(t[1].population or 0)))
    return [c for _, c in trouvees[:nombre]]
