"""Personne, adhésions, organisation et pages lues en cache sous leur génération (balise/generations.py) :
tout changement de droits vaut dès la requête suivante, jamais une lecture d'avant n'est resservie."""

import os
from urllib.parse import quote

import pytest
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from balise import generations
from balise.comptes.models import JetonAPI
from balise.organisations import selectors as organisations_lues
from balise.organisations import services as organisations
from balise.organisations.models import Adhesion, Organisation
from tests import fabrique

pytestmark = pytest.mark.django_db
REDIS = os.environ.get("BALISE_TEST_REDIS_URL")  # posée par `make test`, qui démarre Redis


@pytest.fixture(autouse=True, params=["fichiers", "redis"])
def partage(request, settings, _cache_propre):
    """Chaque test, avec le cache partagé des réglages par défaut (fichiers) puis avec Redis (plusieurs
    machines)."""
    if request.param == "redis":
        if not REDIS:
            pytest.skip("BALISE_TEST_REDIS_URL absente : `make test` démarre Redis et la pose")
        settings.CACHES = {
            **settings.CACHES,
            "partage": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
        }
        caches["partage"].clear()  # base Redis réservée aux tests
    return request.param


def _client(personne) -> Client:
    client = Client()
    client.force_login(personne)
    return client


def _liste(org) -> str:
    return f"/o/{org.slug}/registre/"


def _adhesion(personne, org) -> Adhesion:
    return Adhesion.objects.get(utilisateur=personne, organisation=org)


def test_un_membre_retire_perd_l_acces_a_la_requete_suivante(org_a, admin_a, referent_a, systeme_a):
    client = _client(referent_a)
    assert client.get(_liste(org_a)).status_code == 200
    organisations.retirer_membre(_adhesion(referent_a, org_a), admin_a)
    assert client.get(_liste(org_a)).status_code == 404
    assert client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/").status_code == 404


def test_un_role_abaisse_vaut_a_la_requete_suivante(org_a, admin_a, referent_a):
    client = _client(referent_a)
    assert "Déclarer un système" in client.get(_liste(org_a)).content.decode()
    assert client.get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 200
    organisations.changer_role(_adhesion(referent_a, org_a), "lecteur", admin_a)
    assert "Déclarer un système" not in client.get(_liste(org_a)).content.decode()
    assert client.get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 403


def test_une_adhesion_nouvelle_ouvre_l_acces_a_la_requete_suivante(org_a, org_b, admin_b):
    client = _client(admin_b)
    assert client.get(_liste(org_a)).status_code == 404  # l'absence d'adhésion est gardée, elle aussi
    Adhesion.objects.create(utilisateur=admin_b, organisation=org_a, role="lecteur")
    assert client.get(_liste(org_a)).status_code == 200


def test_un_compte_desactive_est_deconnecte(org_a, referent_a):
    client = _client(referent_a)
    assert client.get(_liste(org_a)).status_code == 200
    referent_a.is_active = False
    referent_a.save()
    assert client.get(_liste(org_a)).status_code == 302  # vers la connexion


def test_un_mot_de_passe_change_ferme_les_autres_sessions(org_a, referent_a):
    client = _client(referent_a)
    assert client.get(_liste(org_a)).status_code == 200
    referent_a.set_password("un-tout-autre-mot-de-passe-99")
    referent_a.save()
    assert client.get(_liste(org_a)).status_code == 302


def test_une_organisation_supprimee_disparait(org_a, referent_a):
    client = _client(referent_a)
    assert client.get(_liste(org_a)).status_code == 200
    assert Client().get(f"/public/{org_a.slug}/").status_code == 200
    Organisation.objects.filter(pk=org_a.pk).delete()
    assert client.get(_liste(org_a)).status_code == 404
    assert Client().get(f"/public/{org_a.slug}/").status_code == 404


def test_un_identifiant_d_adresse_change_ou_repris(org_a, admin_a, referent_a, systeme_a):
    client = _client(referent_a)
    ancien = org_a.slug
    assert client.get(_liste(org_a)).status_code == 200
    assert Client().get(f"/public/{ancien}/").status_code == 200
    org_a.slug, org_a.nom = "commune-a-nouvelle", "Commune A renommée"
    org_a.save()
    assert client.get(f"/o/{ancien}/registre/").status_code == 404
    assert "Commune A renommée" in client.get(_liste(org_a)).content.decode()
    assert Client().get(f"/public/{ancien}/").status_code == 404
    reprise = fabrique.organisation("Commune qui reprend l'identifiant", slug=ancien)
    public = Client().get(f"/public/{ancien}/").content.decode()
    assert reprise.nom.replace("'", "&#x27;") in public and "Commune A renommée" not in public


def test_l_api_suit_les_droits_comme_les_pages(org_a, admin_a, referent_a):
    _, secret = JetonAPI.emettre(referent_a, "essai")
    entetes = {"authorization": f"Bearer {secret}"}
    chemin = f"/api/organisations/{org_a.slug}/systemes"
    assert Client().get(chemin, headers=entetes).status_code == 200
    organisations.retirer_membre(_adhesion(referent_a, org_a), admin_a)
    assert Client().get(chemin, headers=entetes).status_code == 404


def test_chacun_ses_droits_en_cache(org_a, org_b, admin_a, lecteur_a, admin_b):
    """Les adhésions gardées sont celles de chaque personne : l'une ne sert jamais à l'autre."""
    assert _client(admin_a).get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 200
    assert _client(lecteur_a).get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 403
    assert _client(admin_b).get(_liste(org_a)).status_code == 404
    assert _client(admin_a).get(_liste(org_b)).status_code == 404


def test_caches_vides_tout_est_relu_en_base(org_a, referent_a, systeme_a):
    client = _client(referent_a)
    assert client.get(_liste(org_a)).status_code == 200
    caches["partage"].clear()  # sessions comprises : elles sont aussi en base
    cache.clear()
    with CaptureQueriesContext(connection) as requetes:
        assert "Détection des fuites" in client.get(_liste(org_a)).content.decode()
    assert len(requetes) > 0


def test_le_jeton_est_renouvele_encore_apres_la_validation(org_a, django_capture_on_commit_callbacks):
    avant = generations.jeton("organisation", org_a.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        generations.renouveler("organisation", org_a.pk)
        pendant = generations.jeton("organisation", org_a.pk)
        # Une lecture faite avant la validation voit la base d'avant : elle est rangée sous `pendant`.
        assert generations.lire("organisation", org_a.pk, "essai", lambda: "d'avant") == "d'avant"
    apres = generations.jeton("organisation", org_a.pk)
    assert len({avant, pendant, apres}) == 3
    assert generations.lire("organisation", org_a.pk, "essai", lambda: "validée") == "validée"


def test_une_transaction_annulee_ne_laisse_rien_de_perime(org_a):
    assert generations.lire("organisation", org_a.pk, "essai", lambda: "avant") == "avant"
    with pytest.raises(RuntimeError), transaction.atomic():
        generations.renouveler("organisation", org_a.pk)
        raise RuntimeError
    # Le jeton a changé pour rien : la valeur est produite à nouveau, à l'identique de la base.
    assert generations.lire("organisation", org_a.pk, "essai", lambda: "relue") == "relue"


def test_une_modification_hors_de_balise_vaut_a_l_expiration_du_jeton(org_a, referent_a):
    """Limite connue et bornée : sans signal (SQL à la main, `QuerySet.update`), le changement attend
    l'expiration du jeton de la personne (DUREES["personne"], 5 minutes)."""
    client = _client(referent_a)
    assert client.get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 200
    Adhesion.objects.filter(utilisateur=referent_a).update(role="lecteur")
    assert client.get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 200
    caches["partage"].delete(f"generation:personne:{referent_a.pk}")  # ce que fait l'expiration
    assert client.get(f"/o/{org_a.slug}/registre/nouveau/").status_code == 403
    assert generations.DUREES["personne"] <= 300


def test_les_jetons_sont_communs_aux_processus(org_a):
    """Un autre client du même cache partagé (un autre processus, une autre machine avec Redis) voit le
    jeton renouvelé ici."""
    autre = caches.create_connection("partage")
    generations.renouveler("organisation", org_a.pk)
    assert autre.get(f"generation:organisation:{org_a.pk}") == generations.jeton("organisation", org_a.pk)


@pytest.mark.parametrize("slug", ["Données utilisées.", "x" * 5000, "commune-a\n", "commune-a/../b", ""])
def test_un_identifiant_impossible_ne_coute_ni_requete_ni_cle(client, org_a, referent_a, slug):
    client.force_login(referent_a)
    with CaptureQueriesContext(connection) as requetes:
        assert organisations_lues.organisation_par_slug(slug) is None
    assert len(requetes) == 0
    assert client.get(f"/api/organisations/{quote(slug)}/systemes").status_code == 404
