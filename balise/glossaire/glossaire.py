"""Le glossaire (`termes/glossaire-v<N>.yaml`) : les mots techniques ou juridiques de Balise, expliqués en
mots simples, avec leurs sources.

Le schéma refuse un fichier incohérent avec un message en français (balise/validation.py) : identifiant
ou écriture d'un terme en double, source inconnue, ligne citée ailleurs que dans un fichier de seed.
`reperer` trouve les termes dans un texte (un sigle en capitales n'est reconnu qu'en capitales, un mot
quelle que soit sa casse) : le filtre `definir`, la page et le test des pages publiques s'en servent.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from balise import validation
from balise.validation import DonneesInvalides, FichiersVersionnes, Identifiant, Source, Strict, lire_yaml

DOSSIER = Path(__file__).parent / "termes"

Mot = Annotated[str, Field(min_length=2, max_length=80)]
Texte = Annotated[str, Field(min_length=1, max_length=600)]


class Reference(validation.Reference):
    article: Annotated[str, Field(min_length=1, max_length=120)] | None = None


class Terme(Strict):
    id: Identifiant
    terme: Mot
    variantes: list[Mot] = []
    definition: Texte
    references: list[Reference] = []

    @property
    def ecritures(self) -> list[str]:
        return [self.terme, *self.variantes]


class Glossaire(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    termes: list[Terme] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherence(self) -> Glossaire:
        erreurs: list[str] = []
        ids = [t.id for t in self.termes]
        erreurs += [f"terme « {i} » défini deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})]
        vues: dict[str, str] = {}
        for t in self.termes:
            for ecriture in t.ecritures:
                cle = ecriture.casefold()
                if cle in vues and vues[cle] != t.id:
                    erreurs.append(f"« {ecriture} » s'écrit dans « {vues[cle]} » et dans « {t.id} »")
                vues.setdefault(cle, t.id)
            erreurs += validation.references_inconnues(t.id, list(t.references), self.sources)
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    @cached_property
    def par_id(self) -> dict[str, Terme]:
        return {t.id: t for t in self.termes}

    @cached_property
    def par_ecriture(self) -> dict[str, Terme]:
        return {e.casefold(): t for t in self.termes for e in t.ecritures}

    @cached_property
    def _motif(self) -> re.Pattern[str]:
        # Les écritures les plus longues d'abord : « système à haut risque » avant « haut risque ».
        ecritures = sorted(self.par_ecriture, key=len, reverse=True)
        sigles = sorted((e for t in self.termes for e in t.ecritures if _est_sigle(e)), key=len, reverse=True)
        mots = [e for e in ecritures if e not in {s.casefold() for s in sigles}]
        alternatives = [re.escape(s) for s in sigles] + [f"(?i:{re.escape(m)})" for m in mots]
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")

    def terme(self, ecriture_ou_id: str) -> Terme:
        terme = self.par_id.get(ecriture_ou_id) or self.par_ecriture.get(ecriture_ou_id.casefold())
        if terme is None:
            raise LookupError(f"Terme absent du glossaire : « {ecriture_ou_id} ».")
        return terme

    def reperer(self, texte: str) -> list[tuple[int, int, Terme]]:
        """Chaque écriture d'un terme dans `texte` : début, fin, terme."""
        return [
            (m.start(), m.end(), self.par_ecriture[m.group().casefold()]) for m in self._motif.finditer(texte)
        ]

    def citer(self, terme: Terme) -> list[str]:
        """Les sources lisibles par un habitant : le titre du document et l'article, sans doublon (la ligne
        d'un document source reste dans le fichier du glossaire, pour qui le vérifie)."""
        return list(
            dict.fromkeys(
                ", ".join(x for x in (self.sources[r.source].titre, r.article) if x) for r in terme.references
            )
        )


def _est_sigle(ecriture: str) -> bool:
    """Un sigle (RAG, DPO, SaaS, AI Act) : plusieurs capitales ; reconnu en respectant la casse, pour ne
    pas confondre « RIA » ou « RAG » avec un mot courant."""
    return sum(c.isupper() for c in ecriture) >= 2


class GlossaireInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Glossaire:
    return lire_yaml(texte, Glossaire, "glossaire", GlossaireInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "glossaire", lire, GlossaireInvalide, "Glossaire v{numero} introuvable."
)


def en_vigueur() -> Glossaire:
    return _VERSIONS.en_vigueur()
