"""Le référentiel de l'observatoire (referentiels/observatoire-v<N>.yaml) : régions et leurs départements
(COG de l'INSEE), tranches de population ; et ce qui range une organisation dans une strate et une région.

La région d'une organisation se déduit de son SIREN par le référentiel des collectivités d'Etalab
(balise/organisations/collectivites.py), qui donne son département ; sans SIREN connu de ce référentiel
(centre de gestion, syndicat, région, SIREN absent), elle est « non renseignée ».
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from balise.organisations import collectivites
from balise.organisations.models import TypeOrganisation
from balise.validation import (
    DonneesInvalides,
    FichiersVersionnes,
    Identifiant,
    Reference,
    Source,
    Strict,
    lire_yaml,
    references_inconnues,
)

DOSSIER = Path(__file__).parent / "referentiels"
REGION_NON_RENSEIGNEE = "Région non renseignée"
POPULATION_NON_RENSEIGNEE = "population non renseignée"
Libelle = Annotated[str, Field(min_length=1, max_length=120)]


class Region(Strict):
    code: Annotated[str, Field(pattern=r"^\d{2}$")]
    nom: Libelle
    departements: list[Annotated[str, Field(pattern=r"^(\d{2}|2A|2B|97\d)$")]] = Field(min_length=1)


class Tranche(Strict):
    id: Identifiant
    libelle: Libelle
    min: int = Field(ge=0)


class Referentiel(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[str, Source]
    regions: list[Region] = Field(min_length=1)
    tranches: list[Tranche] = Field(min_length=1)
    references: list[Reference] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherence(self) -> Referentiel:
        erreurs = references_inconnues("observatoire", self.references, self.sources)
        departements = [d for r in self.regions for d in r.departements]
        doublons = sorted({d for d in departements if departements.count(d) > 1})
        if doublons:
            erreurs.append(f"départements rangés dans plusieurs régions : {', '.join(doublons)}")
        noms = [r.nom for r in self.regions]
        if len(set(noms)) != len(noms) or REGION_NON_RENSEIGNEE in noms:
            erreurs.append("noms de régions en double ou réservés")
        minimums = [t.min for t in self.tranches]
        if minimums[0] != 0 or minimums != sorted(set(minimums)):
            erreurs.append("les tranches commencent à 0 et leurs bornes croissent strictement")
        if len({t.libelle for t in self.tranches}) != len(self.tranches):
            erreurs.append("libellés de tranches en double")
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    @property
    def noms_regions(self) -> list[str]:
        return [*sorted(r.nom for r in self.regions), REGION_NON_RENSEIGNEE]

    def tranche(self, population: int | None) -> str:
        if population is None:
            return POPULATION_NON_RENSEIGNEE
        retenue = self.tranches[0]
        for tranche in self.tranches:
            if population >= tranche.min:
                retenue = tranche
        return retenue.libelle

    def strates(self) -> list[str]:
        """Chaque type d'organisation croisé avec chaque tranche, dans l'ordre des types puis des tranches."""
        tranches = [*(t.libelle for t in self.tranches), POPULATION_NON_RENSEIGNEE]
        return [f"{t.label} — {tranche}" for t in TypeOrganisation for tranche in tranches]

    def strate(self, type_organisation: str, population: int | None) -> str:
        return f"{TypeOrganisation(type_organisation).label} — {self.tranche(population)}"


class ReferentielInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Referentiel:
    return lire_yaml(texte, Referentiel, "référentiel de l'observatoire", ReferentielInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "observatoire", lire, ReferentielInvalide, "Référentiel de l'observatoire v{numero} introuvable."
)


def en_vigueur() -> Referentiel:
    return _VERSIONS.en_vigueur()


@cache
def _region_par_departement() -> dict[str, str]:
    return {d: r.nom for r in en_vigueur().regions for d in r.departements}


def region(siren: str) -> str:
    """La région d'une organisation d'après son SIREN (référentiel d'Etalab), ou « non renseignée »."""
    collectivite = collectivites.par_siren(siren) if siren else None
    if collectivite is None:
        return REGION_NON_RENSEIGNEE
    return _region_par_departement().get(collectivite.departement, REGION_NON_RENSEIGNEE)
