"""Le schéma JSON (draft 2020-12) du document ouvert de l'observatoire, publié à
/public/schema/observatoire.json : un chiffre est une valeur, ou null avec le motif de son secret."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .calcul import MOTIFS
from .selectors import SCHEMA_NOM, SCHEMA_VERSION


def schema() -> dict[str, Any]:
    membre = {
        "type": "object",
        "description": "Un chiffre : sa valeur, ou null s'il est couvert par le secret (motif dans `secret`).",
        "required": ["valeur", "secret"],
        "additionalProperties": False,
        "properties": {
            "valeur": {"type": ["integer", "null"], "minimum": 0},
            "secret": {"enum": [None, *MOTIFS]},
        },
        "oneOf": [
            {"properties": {"valeur": {"type": "integer"}, "secret": {"type": "null"}}},
            {"properties": {"valeur": {"type": "null"}, "secret": {"type": "string"}}},
        ],
    }
    rang = {
        "type": "object",
        "required": ["cases", "total"],
        "properties": {
            "cases": {"type": "array", "items": {"$ref": "#/$defs/membre"}},
            "total": {"$ref": "#/$defs/membre"},
        },
    }
    tableau = {
        "type": "object",
        "required": ["id", "titre", "groupe", "unite", "libelle_lignes", "colonnes", "lignes", "totaux"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z_]+$"},
            "titre": {"type": "string"},
            "groupe": {"enum": ["systemes", "organisations", "metiers", "passerelle"]},
            "unite": {
                "type": "string",
                "description": (
                    "Ce que l'on compte : systèmes, organisations, agents ; pour l'usage de la passerelle "
                    "(dernier mois complet), requêtes, personnes, Wh ou g CO₂e (estimations arrondies à "
                    "l'unité par organisation)."
                ),
            },
            "libelle_lignes": {"type": "string"},
            "colonnes": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "lignes": {
                "type": "array",
                "items": {
                    "allOf": [
                        {"$ref": "#/$defs/rang"},
                        {"required": ["libelle"], "properties": {"libelle": {"type": "string"}}},
                    ]
                },
            },
            "totaux": {"$ref": "#/$defs/rang"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/public/schema/observatoire.json",
        "title": "Observatoire anonyme de Balise",
        "description": (
            "Statistiques anonymes d'une instance de Balise. Aucun chiffre n'est tiré de moins de `seuil` "
            "organisations, ni retrouvable par soustraction dans un tableau, entre tableaux, avec les "
            "registres publics ou d'un relevé à l'autre (docs/observatoire.md)."
        ),
        "type": "object",
        "required": [
            "schema",
            "nom",
            "version_schema",
            "calcule_le",
            "seuil",
            "organisations",
            "motifs",
            "tableaux",
            "evolution",
        ],
        "additionalProperties": False,
        "properties": {
            "schema": {"type": "string"},
            "nom": {"const": SCHEMA_NOM},
            "version_schema": {"const": SCHEMA_VERSION},
            "calcule_le": {"type": "string", "format": "date-time"},
            "seuil": {"type": "integer", "minimum": 3},
            "organisations": {"type": "integer", "minimum": 0},
            "motifs": {"type": "object", "additionalProperties": {"type": "string"}},
            "tableaux": {"type": "array", "items": {"$ref": "#/$defs/tableau"}},
            "evolution": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["calcule_le", "totaux"],
                    "properties": {
                        "calcule_le": {"type": "string", "format": "date-time"},
                        "totaux": {"type": "object", "additionalProperties": {"$ref": "#/$defs/membre"}},
                    },
                },
            },
        },
        "$defs": {"membre": membre, "rang": rang, "tableau": tableau},
    }


@cache
def schema_publie() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2)
