"""Connexion par le fournisseur d'identité de l'instance (ProConnect ou autre fournisseur OpenID Connect),
contre un vrai fournisseur (node-oidc-provider, tests/oidc/) : PKCE, state, nonce, compte retrouvé par
adresse vérifiée, refus en français, rien de créé, déconnexion chez le fournisseur."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from balise.comptes import reglages_oidc
from balise.comptes.backends import BACKEND_SESSION
from balise.comptes.models import IdentiteOIDC, Utilisateur
from tests import serveur_oidc
from tests.serveur_oidc import CLIENT_ID, brancher, se_connecter_chez_le_fournisseur

# Le fournisseur de test et les réglages qui le branchent (tests/serveur_oidc.py).
fournisseur_oidc = serveur_oidc.fournisseur_oidc
oidc_actif = serveur_oidc.oidc_actif

MOT_DE_PASSE = "mot-de-passe-tres-long-42"


def _partir(client, suite: str = "") -> tuple[str, dict[str, str]]:
    """Le bouton : l'adresse d'autorisation chez le fournisseur et ses paramètres."""
    reponse = client.get(f"/comptes/oidc/connexion/{suite}")
    assert reponse.status_code == 302
    adresse = reponse["Location"]
    return adresse, {cle: valeurs[0] for cle, valeurs in parse_qs(urlsplit(adresse).query).items()}


def _revenir(client, retour: str):
    morceaux = urlsplit(retour)
    assert f"{morceaux.scheme}://{morceaux.netloc}" == "http://testserver"
    return client.get(f"{morceaux.path}?{morceaux.query}")


def _connexion(client, identifiant: str, suite: str = ""):
    adresse, _ = _partir(client, suite)
    retour, _ = se_connecter_chez_le_fournisseur(adresse, identifiant)
    return _revenir(client, retour)


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def test_sans_fournisseur_rien_ne_change(client, db, settings):
    assert reglages_oidc.lire({})["BALISE_OIDC"] is None
    assert getattr(settings, "BALISE_OIDC", None) is None
    page = client.get("/comptes/connexion/").content.decode()
    assert "ProConnect" not in page and "/comptes/oidc/" not in page
    # Même les adresses branchées, sans fournisseur configuré : 404.
    settings.ROOT_URLCONF = "tests.serveur_oidc"
    settings.BALISE_OIDC = None
    assert client.get("/comptes/oidc/connexion/").status_code == 404
    assert client.get("/comptes/oidc/retour/?code=x&state=y").status_code == 404


def test_reglages_lus_dans_l_environnement():
    base = {"BALISE_OIDC_EMETTEUR": "https://fournisseur.exemple/api/v2/", "BALISE_OIDC_CLIENT_ID": "c"}
    with pytest.raises(RuntimeError, match="BALISE_OIDC_CLIENT_SECRET"):
        reglages_oidc.lire(base)
    base["BALISE_OIDC_CLIENT_SECRET"] = "s"
    proconnect = reglages_oidc.lire(base)
    assert proconnect["BALISE_OIDC"] == {
        "emetteur": "https://fournisseur.exemple/api/v2",
        "nom": "ProConnect",
        "proconnect": True,
        "email_verifie_exige": False,
        "decouverte": True,
    }
    assert proconnect["OIDC_RP_SCOPES"] == "openid email given_name usual_name"
    assert proconnect["OIDC_USE_PKCE"] is True and proconnect["OIDC_CREATE_USER"] is False
    autre = reglages_oidc.lire(
        {
            **base,
            "BALISE_OIDC_NOM": "Keycloak de la métropole",
            "BALISE_OIDC_AUTORISATION": "https://k/auth",
            "BALISE_OIDC_JETON": "https://k/token",
            "BALISE_OIDC_USERINFO": "https://k/userinfo",
            "BALISE_OIDC_CLES": "https://k/jwks",
            "BALISE_OIDC_ACR_VALUES": "eidas1",
        }
    )
    assert autre["BALISE_OIDC"]["decouverte"] is False and autre["BALISE_OIDC"]["email_verifie_exige"] is True
    assert autre["OIDC_RP_SCOPES"] == "openid email profile"
    assert autre["OIDC_OP_TOKEN_ENDPOINT"] == "https://k/token"
    assert autre["OIDC_AUTH_REQUEST_EXTRA_PARAMS"] == {"acr_values": "eidas1"}


def test_bouton_sur_la_page_de_connexion(client, db, oidc_actif):
    page = client.get("/comptes/connexion/?next=/comptes/compte/").content.decode()
    assert 'class="fr-connect"' in page and "ProConnect" in page
    assert 'href="/comptes/oidc/connexion/?next=/comptes/compte/"' in page
    assert 'name="password"' in page  # le formulaire de mot de passe reste


def test_depart_vers_le_fournisseur_avec_pkce_state_et_nonce(client, db, oidc_actif):
    adresse, parametres = _partir(client)
    assert adresse.startswith(f"{oidc_actif.emetteur}/auth?")  # lu dans le document de découverte
    assert parametres["client_id"] == CLIENT_ID and parametres["response_type"] == "code"
    assert parametres["scope"] == "openid email given_name usual_name"
    assert parametres["redirect_uri"] == "http://testserver/comptes/oidc/retour/"
    assert len(parametres["state"]) >= 32 and len(parametres["nonce"]) >= 32  # exigé par ProConnect
    assert parametres["code_challenge_method"] == "S256"
    verificateur = client.session["oidc_states"][parametres["state"]]["code_verifier"]
    defi = base64.urlsafe_b64encode(hashlib.sha256(verificateur.encode()).digest()).rstrip(b"=").decode()
    assert parametres["code_challenge"] == defi


def test_parcours_complet(client, admin_a, oidc_actif):
    reponse = _connexion(client, "admin-a@exemple.fr", "?next=/comptes/compte/")
    assert reponse.status_code == 302 and reponse["Location"] == "/comptes/compte/"
    session = client.session
    assert int(session["_auth_user_id"]) == admin_a.pk
    # La session est celle d'une connexion par mot de passe : personne relue sous sa génération.
    assert session[BACKEND_SESSION_KEY] == BACKEND_SESSION
    assert session["oidc_id_token"].count(".") == 2  # pour la déconnexion chez le fournisseur
    assert client.get("/comptes/compte/").status_code == 200
    # Notée comme une connexion par mot de passe : dernière connexion, journal d'accès de django-axes.
    admin_a.refresh_from_db()
    assert admin_a.last_login is not None
    assert AccessLog.objects.filter(username=admin_a.email).count() == 1


def test_sans_adresse_de_suite_la_page_a_traiter(client, org_a, admin_a, oidc_actif):
    reponse = _connexion(client, "admin-a@exemple.fr")
    assert reponse["Location"] == reverse("gouvernance:a_traiter", args=[org_a.slug])


def test_adresse_comparee_sans_la_casse(client, admin_a, oidc_actif):
    reponse = _connexion(client, "ADMIN-A@EXEMPLE.FR", "?next=/comptes/compte/")
    assert reponse["Location"] == "/comptes/compte/"
    assert int(client.session["_auth_user_id"]) == admin_a.pk


def test_adresse_inconnue_refusee_sans_rien_creer(client, admin_a, oidc_actif):
    comptes = Utilisateur.objects.count()
    reponse = _connexion(client, "inconnu@exemple.fr")
    assert reponse.status_code == 302 and reponse["Location"] == "/comptes/connexion/"
    assert "_auth_user_id" not in client.session
    page = client.get("/comptes/connexion/").content.decode()
    assert "Aucun compte Balise n&#x27;est ouvert pour inconnu@exemple.fr" in page
    assert "demandez une invitation" in page
    assert Utilisateur.objects.count() == comptes
    # Pas un mot de passe manqué : rien pour django-axes.
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()


def test_adresse_non_verifiee_refusee(client, admin_a, oidc_actif):
    # Le fournisseur donne l'adresse d'admin A, sans l'avoir vérifiée (email_verified: false).
    reponse = _connexion(client, "non-verifiee@exemple.fr")
    assert reponse["Location"] == "/comptes/connexion/" and "_auth_user_id" not in client.session
    assert any("non vérifiée" in m for m in _messages(client.get("/comptes/connexion/")))


def test_compte_desactive_refuse(client, admin_a, oidc_actif):
    admin_a.is_active = False
    admin_a.save()
    reponse = _connexion(client, "admin-a@exemple.fr")
    assert reponse["Location"] == "/comptes/connexion/" and "_auth_user_id" not in client.session
    assert any("désactivé" in m for m in _messages(client.get("/comptes/connexion/")))


def test_l_identite_liee_a_la_premiere_connexion_designe_ensuite_le_compte(
    client, admin_a, oidc_actif, fournisseur_oidc
):
    """Après la première connexion, l'identité du fournisseur (iss, sub), et non l'adresse, désigne le
    compte : une adresse changée dans Balise n'empêche pas la connexion."""
    _connexion(client, "admin-a@exemple.fr")
    (identite,) = IdentiteOIDC.objects.all()
    assert (identite.utilisateur, identite.emetteur, identite.sub) == (
        admin_a,
        fournisseur_oidc.emetteur,
        "admin-a@exemple.fr",  # le `sub` du fournisseur de test : l'identifiant de connexion
    )
    client.logout()
    Utilisateur.objects.filter(pk=admin_a.pk).update(email="alice.nouvelle@exemple.fr")
    reponse = _connexion(client, "admin-a@exemple.fr", "?next=/comptes/compte/")
    assert reponse["Location"] == "/comptes/compte/" and int(client.session["_auth_user_id"]) == admin_a.pk
    assert IdentiteOIDC.objects.count() == 1
    # Désactivé, le compte lié est refusé comme l'autre.
    client.logout()
    Utilisateur.objects.filter(pk=admin_a.pk).update(is_active=False)
    assert _connexion(client, "admin-a@exemple.fr")["Location"] == "/comptes/connexion/"


def test_une_autre_identite_pour_la_meme_adresse_est_refusee_jusqu_au_retrait_du_lien(
    client, admin_a, oidc_actif
):
    """Une adresse réattribuée chez le fournisseur (autre `sub`, même adresse) n'ouvre pas le compte
    lié ; l'administrateur de l'instance retire le lien, la connexion suivante le repose."""
    _connexion(client, "admin-a@exemple.fr")
    client.logout()
    avant = list(IdentiteOIDC.objects.values())
    reponse = _connexion(client, "ADMIN-A@EXEMPLE.FR")  # un autre `sub`, la même adresse
    assert reponse["Location"] == "/comptes/connexion/" and "_auth_user_id" not in client.session
    assert any("déjà lié à une autre identité" in m for m in _messages(client.get("/comptes/connexion/")))
    assert list(IdentiteOIDC.objects.values()) == avant

    instance = Utilisateur.objects.create_superuser("instance@exemple.fr", "mot-de-passe-instance-42")
    gestion = Client()
    gestion.force_login(instance)
    page = gestion.post(
        "/admin/comptes/identiteoidc/",
        {"action": "delier", "_selected_action": [IdentiteOIDC.objects.get().pk]},
        follow=True,
    )
    assert "1 identité(s) déliée(s)" in page.content.decode()
    assert not IdentiteOIDC.objects.exists()
    retrait = IdentiteOIDC.history.filter(history_type="-").get()
    assert retrait.history_user == instance and retrait.sub == "admin-a@exemple.fr"
    reponse = _connexion(client, "ADMIN-A@EXEMPLE.FR", "?next=/comptes/compte/")
    assert reponse["Location"] == "/comptes/compte/"
    assert IdentiteOIDC.objects.get().sub == "ADMIN-A@EXEMPLE.FR"


def test_retour_sans_demande_ou_rejoue_refuse(client, admin_a, oidc_actif):
    reponse = client.get("/comptes/oidc/retour/?code=abc&state=inconnu")
    assert reponse["Location"] == "/comptes/connexion/"
    adresse, _ = _partir(client)
    retour, _ = se_connecter_chez_le_fournisseur(adresse, "admin-a@exemple.fr")
    assert _revenir(client, retour)["Location"] != "/comptes/connexion/"
    client.logout()
    rejoue = _revenir(client, retour)  # même state, même code : refusé
    assert rejoue["Location"] == "/comptes/connexion/" and "_auth_user_id" not in client.session


def test_pkce_verifie_par_le_fournisseur(client, admin_a, oidc_actif):
    adresse, parametres = _partir(client)
    session = client.session
    session["oidc_states"][parametres["state"]]["code_verifier"] = "x" * 64  # un autre vérificateur
    session.save()
    retour, _ = se_connecter_chez_le_fournisseur(adresse, "admin-a@exemple.fr")
    reponse = _revenir(client, retour)
    assert reponse["Location"] == "/comptes/connexion/" and "_auth_user_id" not in client.session
    assert any("a échoué" in m for m in _messages(client.get("/comptes/connexion/")))


def test_annulation_chez_le_fournisseur(client, db, oidc_actif):
    _, parametres = _partir(client)
    reponse = client.get(f"/comptes/oidc/retour/?error=access_denied&state={parametres['state']}")
    assert reponse["Location"] == "/comptes/connexion/"
    assert parametres["state"] not in client.session["oidc_states"]


def test_fournisseur_injoignable(client, db, settings, fournisseur_oidc):
    brancher(settings, "http://127.0.0.1:9")  # rien n'écoute là
    reponse = client.get("/comptes/oidc/connexion/")
    assert reponse["Location"] == "/comptes/connexion/"
    assert any("ne répond pas" in m for m in _messages(client.get("/comptes/connexion/")))


def test_connexion_par_mot_de_passe_inchangee(client, admin_a, oidc_actif, settings):
    # Même si le backend OIDC est ajouté à AUTHENTICATION_BACKENDS.
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "balise.comptes.oidc.BackendOIDC"]
    reponse = client.post("/comptes/connexion/", {"username": admin_a.email, "password": MOT_DE_PASSE})
    assert reponse.status_code == 302 and int(client.session["_auth_user_id"]) == admin_a.pk
    client.post("/comptes/deconnexion/")
    reponse = client.post("/comptes/connexion/", {"username": admin_a.email, "password": "faux"})
    assert reponse.status_code == 200 and "_auth_user_id" not in client.session


def test_deconnexion_chez_le_fournisseur(client, admin_a, oidc_actif):
    adresse, _ = _partir(client, "?next=/comptes/compte/")
    retour, navigateur = se_connecter_chez_le_fournisseur(adresse, "admin-a@exemple.fr")
    _revenir(client, retour)
    id_token = client.session["oidc_id_token"]
    page = client.post("/comptes/oidc/deconnexion/")
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    html = page.content.decode()
    fin = (
        html.split('<meta http-equiv="refresh" content="0;url=', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    )
    assert fin.startswith(f"{oidc_actif.emetteur}/session/end?")
    parametres = {cle: v[0] for cle, v in parse_qs(urlsplit(fin).query).items()}
    assert parametres["id_token_hint"] == id_token
    assert parametres["post_logout_redirect_uri"] == "http://testserver/comptes/oidc/fin/"
    # Chez le fournisseur : sa page de confirmation, puis le retour vers Balise avec le même state.
    confirmation = navigateur.get(fin)
    assert confirmation.status_code == 200
    formulaire = confirmation.text.split('action="', 1)[1].split('"', 1)[0]
    champs = dict(
        (morceau.split('name="', 1)[1].split('"', 1)[0], morceau.split('value="', 1)[1].split('"', 1)[0])
        for morceau in confirmation.text.split("<input")[1:]
        if 'name="' in morceau and 'value="' in morceau
    )
    envoi = navigateur.post(httpx.URL(fin).join(formulaire), data={**champs, "logout": "yes"})
    while envoi.status_code in (302, 303) and envoi.headers["location"].startswith(oidc_actif.emetteur):
        envoi = navigateur.get(envoi.headers["location"])
    assert envoi.status_code in (302, 303), envoi.text
    retour_fin = envoi.headers["location"]
    assert retour_fin.startswith("http://testserver/comptes/oidc/fin/?")
    reponse = _revenir(client, retour_fin)
    assert reponse["Location"] == "/"
    assert any("déconnecté de Balise et de ProConnect" in m for m in _messages(client.get("/")))


def test_deconnexion_sans_connexion_oidc(client, admin_a, oidc_actif):
    client.post("/comptes/connexion/", {"username": admin_a.email, "password": MOT_DE_PASSE})
    reponse = client.post("/comptes/oidc/deconnexion/")
    assert reponse.status_code == 302 and reponse["Location"] == "/" and "_auth_user_id" not in client.session
