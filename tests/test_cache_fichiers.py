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


def test_incrementer_est_atomique_entre_processus_et_garde_l_expiration(tmp_path):
    """Les compteurs des limites d'envoi : des incréments simultanés (ici 4 processus) n'en perdent
    aucun, et l'entrée expire quand elle devait expirer (Django réécrit sinon l'expiration par défaut)."""
    import multiprocessing
    import pickle

    cache = _cache(tmp_path)
    cache.add("compteur", 0, timeout=3600)
    with open(cache._key_to_file("compteur"), "rb") as f:
        expiration = pickle.load(f)  # noqa: S301 — fichier écrit par le cache du test
    contexte = multiprocessing.get_context("fork")
    processus = [contexte.Process(target=_incrementer, args=(str(tmp_path), 50)) for _ in range(4)]
    for p in processus:
        p.start()
    for p in processus:
        p.join()
        assert p.exitcode == 0
    assert cache.get("compteur") == 200
    with open(cache._key_to_file("compteur"), "rb") as f:
        assert pickle.load(f) == pytest.approx(expiration, abs=1)  # noqa: S301 — idem
    assert not cache.add("compteur", 0)  # déjà là : `add` ne l'écrase pas
    with pytest.raises(ValueError):
        cache.incr("absente")
    cache.set("expiree", 1, timeout=-1)  # déjà expirée
    with pytest.raises(ValueError):
        cache.incr("expiree")


def _incrementer(dossier: str, fois: int) -> None:
    cache = _cache(dossier)
    for _ in range(fois):
        cache.incr("compteur")
