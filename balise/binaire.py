"""Écrire un gros contenu dans un champ binaire sans le recopier, échappé, dans le texte de la requête.

Sur PostgreSQL, Django (psycopg 3, liaison des paramètres côté client, réglage par défaut) insère
chaque paramètre dans le texte SQL : 5 Mo d'octets y deviennent 10 Mo d'hexadécimal, ≈ 140 ms par
écriture contre ≈ 18 ms quand les octets partent à part, liés côté serveur (mesuré sur cette machine,
docs/performances.md, « Impact sur les métiers »). C'est ce que fait `ecrire`, pour cette seule
requête : le reste de Balise garde la liaison côté client, avec laquelle PostgreSQL reconnaît les
expressions regroupées des agrégats. Ailleurs (SQLite), l'ORM passe déjà les octets tels quels.
"""

from typing import Any

from django.db import connection, models


def ecrire(modele: type[models.Model], pk: Any, champ: str, contenu: bytes | None) -> int:
    """Écrit `contenu` dans `champ` de la ligne `pk` de `modele` ; rend le nombre de lignes écrites.
    S'exécute dans la transaction en cours (même connexion)."""
    if connection.vendor != "postgresql":
        return modele._default_manager.filter(pk=pk).update(**{champ: contenu})
    import psycopg
    from psycopg import sql

    meta = modele._meta
    colonne, cle = meta.get_field(champ).column, meta.pk.column  # type: ignore[union-attr]  # champs concrets
    requete = sql.SQL("UPDATE {} SET {} = %s WHERE {} = %s").format(
        sql.Identifier(meta.db_table), sql.Identifier(str(colonne)), sql.Identifier(str(cle))
    )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as curseur:  # liaison côté serveur
        curseur.execute(requete, (contenu, pk))
        return curseur.rowcount
