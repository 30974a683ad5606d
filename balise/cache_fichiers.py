"""Cache de fichiers de Django, sans compter tous ses fichiers à chaque écriture.

Le `FileBasedCache` de Django liste son dossier à chaque `set` pour savoir s'il doit en effacer une
part (MAX_ENTRIES) : une écriture coûte 3 ms à 1 000 fichiers, 17 ms à 10 000 (docs/performances.md).
Le cache partagé, qui garde les sessions et les jetons de génération, est écrit à chaque
modification et à chaque connexion : ici, le compte n'est fait qu'à une écriture sur `1 / PART`, ce
qui laisse le dossier dépasser sa limite de quelques centaines d'entrées au plus.
"""

import random

from django.core.cache.backends.filebased import FileBasedCache

PART = 0.01


class CacheDeFichiers(FileBasedCache):
    def _cull(self) -> None:
        if random.random() < PART:
            super()._cull()
