"""Recherche des fichiers statiques selon le thème de l'instance (balise/theme.py).

Thème neutre (par défaut) : les fontes Marianne et les icônes du DSFR ne sont ni servies ni recueillies
par collectstatic, et la feuille neutre dérivée de celle du DSFR est écrite dans `THEME_DOSSIER`
(var/theme), d'où elle est servie et recueillie comme tout fichier statique. Thème de l'État : les
fichiers du DSFR tels quels.
"""

import fnmatch
import os
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage, Storage

from balise import theme


def theme_neutre() -> bool:
    return str(getattr(settings, "THEME", "neutre")) != "etat"


class ApplicationsSansEtat(finders.AppDirectoriesFinder):
    """Les fichiers statiques des applications, moins ceux de l'identité de l'État en thème neutre."""

    def _exclu(self, chemin: str) -> bool:
        return theme_neutre() and any(fnmatch.fnmatch(chemin, motif) for motif in theme.FICHIERS_ETAT)

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if self._exclu(path):
            return []
        return super().find(path, find_all=find_all)  # type: ignore[call-overload]  # les stubs exigent un littéral

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, Storage]]:
        for chemin, stockage in super().list(ignore_patterns):
            if not self._exclu(chemin):
                yield chemin, stockage


@cache
def _ecrire(dossier: str, source_mtime: float) -> None:
    """Écrit la feuille neutre une fois par processus et par version du DSFR (écriture atomique)."""
    cible = Path(dossier) / theme.FEUILLE_NEUTRE
    contenu = theme.feuille_neutre()
    if cible.exists() and cible.read_text(encoding="utf-8") == contenu:
        return
    cible.parent.mkdir(parents=True, exist_ok=True)
    descripteur, provisoire = tempfile.mkstemp(dir=cible.parent, suffix=".tmp")
    with os.fdopen(descripteur, "w", encoding="utf-8") as f:
        f.write(contenu)
    os.replace(provisoire, cible)


class FeuilleNeutre(finders.BaseFinder):
    """La feuille neutre, dérivée à la demande de la feuille du DSFR installée."""

    def _stockage(self) -> FileSystemStorage:
        dossier = str(settings.THEME_DOSSIER)
        _ecrire(dossier, theme.chemin_source().stat().st_mtime)
        return FileSystemStorage(location=dossier)

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if not theme_neutre() or path != theme.FEUILLE_NEUTRE:
            return []
        chemin = self._stockage().path(path)
        return [chemin] if find_all else chemin

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, Storage]]:
        if theme_neutre():
            yield theme.FEUILLE_NEUTRE, self._stockage()
