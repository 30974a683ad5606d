"""Le contenu d'un rapport, indépendant de son format : titres, paragraphes, listes et tableaux.

Les sections (sections.py) le construisent à partir de la base ; les rendus (rendus.py) l'écrivent en
PDF, ODT et DOCX sans rien recalculer. Une case d'un tableau couverte par le secret statistique est une
`Cellule` masquée : tous les rendus l'écrivent « secret », aucun n'a accès au chiffre (il n'y est pas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from balise.metiers.secret import SECRET, Case


@dataclass(frozen=True)
class Cellule:
    """Une case de tableau : un texte, ou rien (masquée par le secret statistique)."""

    texte: str
    masquee: bool = False

    @classmethod
    def secret(cls) -> Cellule:
        return cls(SECRET, masquee=True)

    @classmethod
    def nombre(cls, valeur: int) -> Cellule:
        return cls(f"{valeur:,}".replace(",", "\u202f"))

    @classmethod
    def effectif(cls, case: Case) -> Cellule:
        """L'effectif d'une case protégée : « secret » si elle est masquée, le chiffre sinon."""
        return cls.secret() if case.masquee else cls(case.afficher_effectif())


@dataclass(frozen=True)
class Paragraphe:
    texte: str


@dataclass(frozen=True)
class Liste:
    elements: list[str]


@dataclass(frozen=True)
class Tableau:
    """Un tableau réel : une ligne d'en-tête, des lignes de cellules ; `pied` (totaux) facultatif."""

    legende: str
    entetes: list[str]
    lignes: list[list[Cellule]]
    pied: list[Cellule] | None = None

    def __post_init__(self) -> None:
        for ligne in [*self.lignes, *([self.pied] if self.pied else [])]:
            if len(ligne) != len(self.entetes):
                raise ValueError(
                    f"Tableau « {self.legende} » : une ligne n'a pas autant de cases que d'en-têtes."
                )


Bloc = Paragraphe | Liste | Tableau


@dataclass
class Section:
    titre: str
    blocs: list[Bloc] = field(default_factory=list)
    sous_sections: list[Section] = field(default_factory=list)

    def paragraphe(self, texte: str) -> None:
        self.blocs.append(Paragraphe(texte))


@dataclass
class Rapport:
    titre: str
    organisation: str
    genre: str
    debut: date
    fin: date
    produit_le: datetime
    version: int
    sections: list[Section] = field(default_factory=list)

    @property
    def sous_titre(self) -> str:
        return f"{self.organisation} — du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"

    @property
    def mention(self) -> str:
        return f"Version {self.version}, produite le {self.produit_le:%d/%m/%Y à %H:%M} par Balise."


def texte_cellules(rapport: Rapport) -> list[str]:
    """Tous les textes des cellules du rapport, dans l'ordre : ce qu'un lecteur des fichiers doit retrouver."""
    textes: list[str] = []

    def parcourir(section: Section) -> None:
        for bloc in section.blocs:
            if isinstance(bloc, Tableau):
                for ligne in [*bloc.lignes, *([bloc.pied] if bloc.pied else [])]:
                    textes.extend(c.texte for c in ligne)
        for sous in section.sous_sections:
            parcourir(sous)

    for section in rapport.sections:
        parcourir(section)
    return textes
