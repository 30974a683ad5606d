from django.core.management import call_command


def test_aucune_migration_manquante(db):
    # Échoue (SystemExit) si un modèle a changé sans sa migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
