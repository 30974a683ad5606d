import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balise.settings")
application = get_wsgi_application()

# Le modèle français de la passerelle (balise/passerelle/donnees_personnelles.py), chargé dès le
# démarrage du processus web, dans un fil à part : BALISE_PASSERELLE_PRECHARGER=0 l'évite.
if os.environ.get("BALISE_PASSERELLE_PRECHARGER", "1") == "1":
    from balise.passerelle.donnees_personnelles import precharger

    precharger()
