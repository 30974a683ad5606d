"""Le cache de fichiers du cache partagé ne liste son dossier qu'à une écriture sur cent, et le
borne toujours (balise/cache_fichiers.py)."""

import pytest

from balise import cache_fichiers


def _cache(dossier):
    return cache_fichiers.CacheDeFichiers(str(dossier), {"OPTIONS": {"MAX_ENTRIES": 10}})


def _fichiers(dossier) -> int:
    return len(list(dossier.glob("*.djcache")))


def test_une_ecriture_ordinaire_ne_liste_pas_le_dossier(tmp_path, monkeypatch):
    cache = _cache(tmp_path)
    monkeypatch.setattr(cache_fichiers.random, "random", lambda: 0.5)
    monkeypatch.setattr(cache, "_list_cache_files", lambda: pytest.fail("dossier listé"))
    for i in range(30):
        cache.set(f"cle{i}", i)
    assert _fichiers(tmp_path) == 30 and cache.get("cle29") == 29


def test_le_dossier_reste_borne(tmp_path, monkeypatch):
    cache = _cache(tmp_path)
    monkeypatch.setattr(cache_fichiers.random, "random", lambda: 0.0)  # le tirage qui fait compter
    for i in range(30):
        cache.set(f"cle{i}", i)
    assert _fichiers(tmp_path) <= 10
