"""Connexion, verrouillage après échecs, jetons d'API, sonde de santé, en-têtes de sécurité, démonstration."""

from balise.comptes.models import JetonAPI


def test_connexion_puis_verrouillage(client, admin_a, settings):
    r = client.post(
        "/comptes/connexion/", {"username": admin_a.email, "password": "mot-de-passe-tres-long-42"}
    )
    assert r.status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/comptes/connexion/", {"username": admin_a.email, "password": "faux"})
    assert r.status_code == 429 and "verrouillé" in r.content.decode()
    # Même le bon mot de passe est refusé pendant le verrouillage.
    r = client.post(
        "/comptes/connexion/", {"username": admin_a.email, "password": "mot-de-passe-tres-long-42"}
    )
    assert r.status_code == 429


def test_mot_de_passe_hache_avec_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    from tests import fabrique

    assert fabrique.utilisateur().password.startswith("argon2")


def test_jeton_montre_une_fois_et_revocable(client, admin_a):
    client.force_login(admin_a)
    r = client.post("/comptes/compte/", {"nom": "script DSI"})
    jeton = JetonAPI.objects.get(utilisateur=admin_a)
    page = r.content.decode()
    assert jeton.debut in page and jeton.empreinte not in page
    assert client.get("/comptes/compte/").content.decode().count("bal_") == 1  # seul le début reste affiché
    client.post(f"/comptes/jetons/{jeton.pk}/revocation/")
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None


def test_healthz_et_livez(client, db):
    assert client.get("/healthz").json() == {"statut": "ok"}
    assert client.get("/livez").status_code == 200


def test_entetes_de_securite(client, db):
    r = client.get("/")
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert (
        "script-src 'self'" in r["Content-Security-Policy"]
        and "unsafe-inline" not in r["Content-Security-Policy"]
    )
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


CHANGEMENT_DE_MOT_DE_PASSE = {
    "old_password": "mot-de-passe-tres-long-42",
    "new_password1": "Nouveau-secret-2026",
    "new_password2": "Nouveau-secret-2026",
}


def test_changer_son_mot_de_passe(client, admin_a):
    client.force_login(admin_a)
    r = client.post("/comptes/mot-de-passe/", CHANGEMENT_DE_MOT_DE_PASSE)
    assert r.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Nouveau-secret-2026")
    r = client.post(
        "/comptes/mot-de-passe/",
        {"old_password": "faux", "new_password1": "123", "new_password2": "123"},
    )
    assert r.status_code == 200 and "ancien mot de passe" in r.content.decode().lower()


def test_changer_son_mot_de_passe_n_ecrit_que_le_mot_de_passe(client, org_a, admin_a):
    """La personne de la requête vient du cache (comptes/backends.py) : changer son mot de passe ne
    réécrit pas le reste du compte avec cette copie (ici, un nom changé hors de Balise, que le cache ne
    voit pas encore)."""
    client.force_login(admin_a)
    assert client.get(f"/o/{org_a.slug}/registre/").status_code == 200
    type(admin_a).objects.filter(pk=admin_a.pk).update(last_name="Changé-ailleurs")
    assert client.post("/comptes/mot-de-passe/", CHANGEMENT_DE_MOT_DE_PASSE).status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Nouveau-secret-2026") and admin_a.last_name == "Changé-ailleurs"
    assert client.get(f"/o/{org_a.slug}/registre/").status_code == 200  # la session suit le nouveau


def test_reinitialiser_un_mot_de_passe_oublie(client, admin_a):
    import re

    from django.core import mail

    r = client.post("/comptes/mot-de-passe-oublie/", {"email": "inconnu@exemple.fr"})
    assert r.status_code == 302 and not mail.outbox  # même réponse, aucun courriel : rien n'est révélé
    client.post("/comptes/mot-de-passe-oublie/", {"email": admin_a.email})
    lien = re.search(r"http://testserver(/comptes/reinitialisation/\S+/)", mail.outbox[0].body).group(1)
    r = client.get(lien, follow=True)
    formulaire = r.redirect_chain[-1][0]
    r = client.post(
        formulaire, {"new_password1": "Encore-un-secret-26", "new_password2": "Encore-un-secret-26"}
    )
    assert r.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Encore-un-secret-26")
    # Le lien ne sert qu'une fois.
    assert "plus valable" in client.get(lien, follow=True).content.decode()


def test_reglages_de_production(tmp_path):
    """Avec BALISE_DEBUG=0 : cookies sécurisés, HSTS, HTTPS ; et refus de démarrer sans clé secrète."""
    import os
    import subprocess
    import sys

    code = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps(["
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "balise.settings", "BALISE_DEBUG": "0"}
    env.pop("BALISE_SECRET_KEY", None)
    sans_cle = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert sans_cle.returncode != 0 and "BALISE_SECRET_KEY" in sans_cle.stderr
    env["BALISE_SECRET_KEY"] = "cle-de-test-suffisamment-longue-pour-django"
    sortie = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert sortie.stdout.strip() == "[false, true, true, true, 31536000]"


def test_documentation_de_l_api_sans_internet(client, db):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def test_cache_partage_fichiers_ou_redis():
    """`BALISE_CACHE_PARTAGE` : un dossier (une machine) ou l'adresse d'un serveur Redis (plusieurs)."""
    from balise.cache_fichiers import CacheDeFichiers
    from balise.observabilite import erreurs
    from balise.settings import _cache_partage

    # Les backends de Django, dont les erreurs sont comptées (balise/observabilite/erreurs.py).
    assert _cache_partage("/srv/balise/cache")["BACKEND"] == "balise.observabilite.erreurs.FichiersComptee"
    assert issubclass(erreurs.FichiersComptee, CacheDeFichiers)
    redis = _cache_partage("redis://cache.interne:6379/0")
    assert redis == {
        "BACKEND": "balise.observabilite.erreurs.RedisComptee",
        "LOCATION": "redis://cache.interne:6379/0",
    }
