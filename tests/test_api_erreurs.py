"""Chaque erreur de l'API répond le schéma `Erreur` ({"message": …}, JSON) avec le bon statut, en
production comme en mode débogage : corps trop volumineux (413), requête illisible (400), sans
authentification (401), interdite (403), introuvable (404), méthode non permise (405), conflit (409),
données invalides (422), erreur interne (500). Jamais une page HTML ni une trace de pile."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from balise.comptes.models import JetonAPI
from balise.registre.models import SystemeIA
from tests import fabrique, instantane


@pytest.fixture(params=[False, True], ids=["production", "debogage"])
def reglages(request, settings):
    settings.DEBUG = request.param
    settings.ALLOWED_HOSTS = ["testserver"]
    return settings


@pytest.fixture
def client_api(admin_a):
    _, secret = JetonAPI.emettre(admin_a, "erreurs")
    # Comme un vrai client : l'exception d'une vue n'est pas relancée dans le test, on lit la réponse.
    return Client(raise_request_exception=False, headers={"authorization": f"Bearer {secret}"})


def _erreur(reponse, statut: int) -> str:
    assert reponse.status_code == statut, (reponse.status_code, reponse.content[:500])
    assert reponse["Content-Type"].split(";")[0] == "application/json", reponse["Content-Type"]
    corps = json.loads(reponse.content)
    assert isinstance(corps.get("message"), str) and corps["message"], corps
    assert "Traceback" not in corps["message"] and "<html" not in reponse.content.decode().lower()
    return corps["message"]


LISTE = "/api/organisations/commune-a/systemes"


def test_corps_json_trop_volumineux_413(reglages, client_api, org_a):
    avant = instantane.photo()
    corps = json.dumps(
        {**fabrique.FICHE_MINIMALE, "finalite": "x" * (reglages.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    message = _erreur(client_api.post(LISTE, corps, content_type="application/json"), 413)
    assert "trop volumineux" in message
    assert instantane.photo() == avant


def test_champ_de_formulaire_trop_volumineux_413(reglages, client_api, systeme_a):
    # Sous la limite d'un envoi de document, mais un champ (non fichier) dépasse la limite des données.
    titre = "t" * (reglages.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    reponse = client_api.post(f"{LISTE}/{systeme_a.pk}/documents", {"titre": titre})
    assert "trop volumineux" in _erreur(reponse, 413)


def test_envoi_plus_gros_qu_un_document_permis_413(reglages, client_api, systeme_a):
    reglages.DOCUMENT_MAX_OCTETS = 1000
    gros = SimpleUploadedFile(
        "gros.pdf", instantane.PDF + b"0" * (reglages.DATA_UPLOAD_MAX_MEMORY_SIZE + 2000)
    )
    reponse = client_api.post(f"{LISTE}/{systeme_a.pk}/documents", {"fichier": gros})
    assert "trop volumineux" in _erreur(reponse, 413)


def test_document_au_dela_de_la_taille_permise_413(reglages, client_api, systeme_a):
    reglages.DOCUMENT_MAX_OCTETS = 50
    reponse = client_api.post(f"{LISTE}/{systeme_a.pk}/documents", {"fichier": instantane.pdf()})
    assert _erreur(reponse, 413)
    assert not systeme_a.documents.exists()


def test_trop_de_champs_400(reglages, client_api, systeme_a):
    champs = {f"c{i}": "x" for i in range(reglages.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert _erreur(client_api.post(f"{LISTE}/{systeme_a.pk}/documents", champs), 400)


def test_json_illisible_400(reglages, client_api, org_a):
    assert _erreur(client_api.post(LISTE, "{pas du json", content_type="application/json"), 400)


def test_hote_inconnu_400(reglages, client_api, org_a):
    assert _erreur(client_api.get(LISTE, headers={"host": "pirate.example"}), 400)


def test_sans_authentification_401(reglages, org_a):
    assert _erreur(Client(raise_request_exception=False).get(LISTE), 401)


def test_role_insuffisant_403(reglages, org_a, lecteur_a):
    _, secret = JetonAPI.emettre(lecteur_a, "lecture")
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {secret}"})
    reponse = client.post(LISTE, json.dumps(fabrique.FICHE_MINIMALE), content_type="application/json")
    assert _erreur(reponse, 403)


@pytest.mark.parametrize(
    "adresse", ["/api/nexiste-pas", "/api/organisations/commune-a/inconnu/", f"{LISTE}/999999"]
)
def test_introuvable_404(reglages, client_api, org_a, adresse):
    assert _erreur(client_api.get(adresse), 404)


def test_methode_non_permise_405(reglages, client_api, org_a):
    reponse = client_api.put(LISTE, "{}", content_type="application/json")
    assert _erreur(reponse, 405)
    assert set(reponse["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_conflit_409(reglages, client_api, systeme_a):
    reponse = client_api.patch(
        f"{LISTE}/{systeme_a.pk}", json.dumps({"version": 7, "nom": "X"}), content_type="application/json"
    )
    assert _erreur(reponse, 409)


def test_donnees_invalides_422(reglages, client_api, org_a):
    assert _erreur(client_api.post(LISTE, json.dumps({"nom": ""}), content_type="application/json"), 422)


def test_erreur_interne_500(reglages, client_api, systeme_a):
    # Une ligne que le schéma de sortie refuse (stade inconnu, écrit hors de Balise) : erreur interne.
    SystemeIA.objects.filter(pk=systeme_a.pk).update(stade="stade-inconnu")
    message = _erreur(client_api.get(f"{LISTE}/{systeme_a.pk}"), 500)
    assert "stade-inconnu" not in message  # rien de l'erreur elle-même n'est révélé
