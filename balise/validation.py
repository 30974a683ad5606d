"""Les erreurs de validation pydantic en français, avec le chemin du champ fautif.

Les fichiers de données que lisent des non-développeurs (définitions d'instruments, règles de
qualification) s'expliquent dans leur langue : « sections.0.items.2.poids : valeur trop petite ».
"""

from pydantic import ValidationError
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
