"""Recherche plein texte en français sur PostgreSQL : une colonne générée `recherche_fts` (le vecteur
`to_tsvector('french', recherche)` et un lexème par filtre, « domaine=rh », que la recherche ajoute à
sa requête ; tenue à jour par la base à chaque écriture, bulk_create compris),
son index GIN, et le rangement des deux colonnes (le vecteur dans la ligne, le texte hors de la ligne). Le modèle ne la déclare pas : seules les requêtes de `selectors.rechercher` la lisent,
sur PostgreSQL. Sur SQLite, rien n'est créé : la recherche y passe par `recherche` (mots cherchés un à
un, sans accents ni majuscules). Voir docs/bibliotheque.md."""

from django.db import migrations

TABLE = "bibliotheque_casusage"

CREER = [
    f"ALTER TABLE {TABLE} ADD COLUMN recherche_fts tsvector GENERATED ALWAYS AS ("
    "to_tsvector('french'::regconfig, recherche) || array_to_tsvector(ARRAY["
    "'domaine=' || domaine, 'type_ia=' || type_ia, 'realisation=' || realisation, "
    "'type_collectivite=' || type_collectivite, 'origine=' || origine])) STORED",
    f"CREATE INDEX cas_recherche_fts ON {TABLE} USING GIN (recherche_fts)",
    # Le vecteur reste dans la ligne (compressé s'il le faut, hors ligne en dernier recours) : lu sans
    # détour par la table TOAST à chaque ligne parcourue ; le texte d'où il est tiré, que PostgreSQL ne
    # relit pas pour chercher, en sort. Trois fois moins de temps sur 50 000 cas (docs/performances.md).
    f"ALTER TABLE {TABLE} ALTER COLUMN recherche_fts SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN recherche SET STORAGE EXTERNAL",
]
RETIRER = [
    f"ALTER TABLE {TABLE} ALTER COLUMN recherche SET STORAGE EXTENDED",
    "DROP INDEX IF EXISTS cas_recherche_fts",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS recherche_fts",
]


def _executer(requetes):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for requete in requetes:
            schema_editor.execute(requete)

    return operation


class Migration(migrations.Migration):
    dependencies = [("bibliotheque", "0001_initial")]

    operations = [migrations.RunPython(_executer(CREER), _executer(RETIRER))]
