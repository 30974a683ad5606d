"""Les fichiers de données versionnés et leurs erreurs de validation, en français, avec le chemin du
champ fautif.

Les fichiers de données que lisent des non-développeurs (définitions d'instruments, règles de
qualification) s'expliquent dans leur langue : « sections.0.items.2.poids : valeur trop petite ».
"""

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Generic, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

_MESSAGES = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu (vérifiez son orthographe)",
    "string_type": "doit être un texte",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "bool_type": "doit valoir true ou false",
    "date_type": "doit être une date (AAAA-MM-JJ)",
    "date_parsing": "doit être une date (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "doit être une date (AAAA-MM-JJ)",
    "datetime_type": "doit être une date et une heure (AAAA-MM-JJTHH:MM:SS+01:00)",
    "datetime_parsing": "doit être une date et une heure (AAAA-MM-JJTHH:MM:SS+01:00)",
    "datetime_from_date_parsing": "doit être une date et une heure (AAAA-MM-JJTHH:MM:SS+01:00)",
    "timezone_aware": "doit porter son fuseau horaire (AAAA-MM-JJTHH:MM:SS+01:00)",
    "list_type": "doit être une liste",
    "dict_type": "doit être un dictionnaire",
    "model_type": "doit être un dictionnaire de champs",
    "too_short": "trop court ou liste vide",
    "too_long": "trop long ou liste trop longue",
    "string_too_short": "ne doit pas être vide",
    "string_too_long": "texte trop long",
    "string_pattern_mismatch": "identifiant invalide : lettres minuscules, chiffres, - et _ seulement",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "literal_error": "valeur non prévue",
    "enum": "valeur non prévue",
}


def _message(erreur: ErrorDetails, racine: str) -> str:
    chemin = ".".join(str(p) for p in erreur["loc"]) or racine
    if erreur["type"] == "value_error":
        texte = str(erreur["ctx"]["error"]) if "ctx" in erreur else erreur["msg"]
    else:
        texte = _MESSAGES.get(erreur["type"], erreur["msg"])
        if erreur["type"] in ("literal_error", "enum") and "ctx" in erreur:
            texte += f" (attendu : {erreur['ctx'].get('expected', '')})"
    return f"{chemin} : {texte}"


def messages_en_francais(exc: ValidationError, racine: str, limite: int = 30) -> list[str]:
    return [_message(e, racine) for e in exc.errors()[:limite]]


Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")]


class Strict(BaseModel):
    """Un élément de fichier de données : aucun champ inconnu, rien de modifiable après lecture."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    titre: Annotated[str, Field(min_length=1, max_length=2000)]
    url: str | None = None


class Reference(Strict):
    """Une source citée par son identifiant : une ligne d'un fichier de seed, ou le texte entier."""

    source: Identifiant
    ligne: int | None = Field(default=None, ge=1)


def references_inconnues(ident: str, references: list[Reference], sources: dict[str, Source]) -> list[str]:
    """Les erreurs des références d'un élément : source non déclarée, ligne citée hors d'un seed."""
    erreurs = []
    for r in references:
        if r.source not in sources:
            erreurs.append(f"« {ident} » : source inconnue « {r.source} »")
        elif r.ligne is not None and not r.source.startswith("seed_"):
            erreurs.append(
                f"« {ident} » : une ligne se cite dans un fichier de seed, pas dans « {r.source} »"
            )
    return erreurs


class DonneesInvalides(ValueError):
    """Un fichier de données refusé : la liste de ses erreurs, en français."""

    def __init__(self, erreurs: list[str]) -> None:
        self.erreurs = erreurs
        super().__init__("; ".join(erreurs))


class AUneVersion(Protocol):
    version: int


S = TypeVar("S", bound=BaseModel)


def lire_yaml(texte: str, schema: type[S], racine: str, erreur: type[DonneesInvalides]) -> S:
    """Un texte YAML validé par son schéma ; `erreur` porte les messages en français."""
    try:
        return schema.model_validate(yaml.safe_load(texte))
    except yaml.YAMLError:
        raise erreur(["le fichier n'est pas du YAML valide"]) from None
    except ValidationError as exc:
        raise erreur(messages_en_francais(exc, racine)) from None


V = TypeVar("V", bound=AUneVersion)


class FichiersVersionnes(Generic[V]):
    """Les versions livrées d'un fichier de données, `<prefixe>-v<N>.yaml` dans un dossier : règles de
    qualification, politique des portes, modèles d'instances. Les fichiers ne changent pas pendant que
    l'application tourne : chaque version est lue une fois."""

    def __init__(
        self,
        dossier: Path,
        prefixe: str,
        lire: Callable[[str], V],
        erreur: type[DonneesInvalides],
        introuvable: str,
    ) -> None:
        self._dossier, self._prefixe, self._lire, self._erreur = dossier, prefixe, lire, erreur
        self._introuvable = introuvable  # message, avec {numero}
        self._lues: dict[int, V] = {}

    @cached_property
    def fichiers(self) -> dict[int, Path]:
        motif = f"{self._prefixe}-v*.yaml"
        return {int(p.stem.rsplit("v", 1)[1]): p for p in self._dossier.glob(motif)}

    def version(self, numero: int) -> V:
        if numero not in self._lues:
            chemin = self.fichiers.get(numero)
            if chemin is None:
                raise LookupError(self._introuvable.format(numero=numero))
            lue = self._lire(chemin.read_text(encoding="utf-8"))
            if lue.version != numero:
                raise self._erreur([f"{chemin.name} déclare la version {lue.version}"])
            self._lues[numero] = lue
        return self._lues[numero]

    def en_vigueur(self) -> V:
        return self.version(max(self.fichiers))
