"""Cache de fichiers de Django, sans compter tous ses fichiers à chaque écriture.

Le `FileBasedCache` de Django liste son dossier à chaque `set` pour savoir s'il doit en effacer une
part (MAX_ENTRIES) : une écriture coûte 3 ms à 1 000 fichiers, 17 ms à 10 000 (docs/performances.md).
Le cache partagé, qui garde les sessions et les jetons de génération, est écrit à chaque
modification et à chaque connexion : ici, le compte n'est fait qu'à une écriture sur `1 / PART`, ce
qui laisse le dossier dépasser sa limite de quelques centaines d'entrées au plus.

`add` et `incr` y sont atomiques entre processus (verrou sur un fichier du dossier) et `incr` garde
l'expiration de l'entrée : les compteurs des limites de débit (balise/limites.py) en dépendent. Chez
Django, `incr` relit puis réécrit la valeur sans verrou, avec l'expiration par défaut.
"""

import os
import pickle
import random
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

PART = 0.01
VERROU = "verrou-compteurs"  # sans le suffixe des entrées : ni compté, ni effacé par `clear`


class CacheDeFichiers(FileBasedCache):
    # Méthodes privées de FileBasedCache, absentes de django-stubs (qui n'en décrit que l'interface publique).
    def _cull(self) -> None:
        if random.random() < PART:  # noqa: S311 — tirage d'échantillonnage, pas un secret
            super()._cull()  # type: ignore[misc]  # privée, absente des stubs

    @contextmanager
    def _verrou(self) -> Iterator[None]:
        self._createdir()  # type: ignore[attr-defined]  # privée, absente des stubs
        with open(os.path.join(self._dir, VERROU), "ab") as f:  # type: ignore[attr-defined]  # idem
            locks.lock(f, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(f)

    def add(
        self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        with self._verrou():
            return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        with self._verrou():
            try:
                with open(self._key_to_file(key, version), "rb") as f:  # type: ignore[attr-defined]  # idem
                    # Fichiers du cache lui-même, au format de FileBasedCache (pickle aussi chez Django).
                    expiration = pickle.load(f)  # noqa: S301 — écrit par ce cache, pas une donnée reçue
                    valeur = pickle.loads(zlib.decompress(f.read()))  # noqa: S301 — idem
            except (FileNotFoundError, EOFError):
                raise ValueError(f"Clé « {key} » absente du cache.") from None
            maintenant = time.time()
            if expiration is not None and expiration <= maintenant:
                raise ValueError(f"Clé « {key} » expirée.")
            valeur += delta
            reste = None if expiration is None else expiration - maintenant
            self.set(key, valeur, timeout=reste, version=version)
            return valeur
