"""Les pages de la passerelle et son API compatible OpenAI, contre le serveur local qui tient le rôle du
fournisseur (tests/modele_local.py) : première utilisation, aperçu, envoi, refus, export avec la mention,
catalogue, clés personnelles ; chacun ne lit que ses conversations."""

import html
import json
from decimal import Decimal

import pytest
from django.test import Client

from balise.passerelle import services
from balise.passerelle import services_catalogue as catalogue
from balise.passerelle.models import ClePersonnelle, Conversation, Fournisseur, ModeleCatalogue, Requete
from balise.regles_usage import selectors as selectors_regles
from balise.regles_usage import services as regles
from tests import fabrique, instantane
from tests.modele_local import fixture_modele_local  # noqa: F401  (la fixture « modele_local »)

pytestmark = pytest.mark.django_db

LETTRE = "Répondez à Mme Claire Dubois (claire.dubois@exemple.fr) au sujet de sa place en crèche."


@pytest.fixture
def passerelle(org_a, admin_a, modele_local):
    """Règles publiées, un fournisseur (le serveur local) et un modèle au catalogue."""
    brouillon = regles.creer_brouillon(org_a, admin_a)
    regles.publier(org_a, brouillon.pk, admin_a, brouillon.version)
    fournisseur = catalogue.ajouter_fournisseur(
        org_a,
        {"nom": "Local", "url_base": modele_local.url, "hebergement": "france", "delai_s": 5},
        modele_local.cle,
        admin_a,
    )
    return catalogue.ajouter_modele(
        org_a, fournisseur.pk, {"identifiant": "albert-large", "libelle": "Albert", "prix_entree_million": Decimal("1")}, [], admin_a
    )  # fmt: skip


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def _agent(org, email="agent-a@exemple.fr", role="lecteur"):
    personne = fabrique.membre(org, role, email)
    client = Client()
    client.force_login(personne)
    return personne, client


def _pret(org, personne):
    services.premiere_utilisation(org, personne, None, "Petite enfance")


def test_les_regles_se_lisent_avant_la_premiere_requete(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    page = client.get("/o/commune-a/passerelle/")
    assert page.status_code == 200
    contenu = _texte(page)
    assert "Lisez les règles d'usage" in contenu and "Enregistrer ma lecture" in contenu
    assert 'name="texte"' not in contenu
    # Sans cocher, rien n'est enregistré ; l'envoi direct est renvoyé à la lecture, sans rien envoyer.
    avant = instantane.photo()
    assert (
        client.post("/o/commune-a/passerelle/premiere-utilisation/", {"service": "Crèches"}).status_code
        == 400
    )
    assert (
        client.post(
            "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Bonjour"}
        ).status_code
        == 302
    )
    assert instantane.photo() == avant and modele_local.recues == []
    version = selectors_regles.publiee(org_a).pk
    reponse = client.post(
        "/o/commune-a/passerelle/premiere-utilisation/",
        {"service": "Crèches", "version_regles": version, "lu": "on"},
    )
    assert reponse.status_code == 302
    assert 'name="texte"' in _texte(client.get("/o/commune-a/passerelle/"))


def test_apercu_montre_ce_qui_partira_sans_rien_envoyer_ni_ecrire(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    avant = instantane.photo()
    page = client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": LETTRE, "action": "apercu"}
    )
    assert page.status_code == 200
    contenu = _texte(page)
    assert "Ce qui partira" in contenu and "[PERSONNE_1]" in contenu and "Adresse électronique" in contenu
    assert modele_local.recues == [] and instantane.photo() == avant


def test_envoyer_puis_poursuivre_et_exporter_avec_la_mention(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    modele_local.scenario.texte = "Chère [PERSONNE_1], votre demande est enregistrée."
    reponse = client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": LETTRE, "action": "envoyer"}
    )
    assert reponse.status_code == 302
    conversation = Conversation.objects.get(personne=personne)
    page = _texte(client.get(reponse["Location"]))
    assert "Chère Claire Dubois, votre demande est enregistrée." in page
    assert "Produit par une IA" in page and "Remplacés par des marques" in page
    assert "Claire Dubois" not in json.dumps(modele_local.recues[-1].corps, ensure_ascii=False)
    # Le tour suivant repart avec l'historique, toujours masqué.
    client.post(
        "/o/commune-a/passerelle/envoi/",
        {"modele": passerelle.pk, "texte": "Plus court.", "conversation": conversation.pk},
    )
    partis = modele_local.recues[-1].corps["messages"]
    assert len(partis) == 3 and all("Dubois" not in m["content"] for m in partis)
    export = client.get(f"/o/commune-a/passerelle/conversations/{conversation.pk}/conversation.txt")
    texte = _texte(export)
    assert export["Content-Type"].startswith("text/plain") and "Claire Dubois" in texte
    assert texte.count(catalogue.reglages(org_a).mention) == 2
    requete = Requete.objects.filter(personne=personne).first()
    assert requete.service == "Petite enfance" and requete.canal == "page"


def test_un_refus_garde_le_texte_et_nomme_ce_qui_a_ete_trouve(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    texte = "Dossier de M. Paul Durand, NIR 2 84 05 59 350 042 25."
    page = client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": texte})
    assert page.status_code == 400
    contenu = _texte(page)
    assert "Rien n'est parti" in contenu and "numéro de sécurité sociale (nir)" in contenu
    assert "2 84 05 59 350 042 25" in contenu  # dans le formulaire, à corriger
    assert modele_local.recues == [] and not Conversation.objects.exists()


def test_piece_jointe_texte_seulement(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    from django.core.files.uploadedfile import SimpleUploadedFile

    avant = instantane.photo()
    binaire = SimpleUploadedFile("note.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    page = client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Résume", "piece": binaire}
    )
    assert page.status_code == 400 and "Seuls les fichiers texte" in _texte(page)
    latin = SimpleUploadedFile("note.txt", "Délibération".encode("latin-1"), content_type="text/plain")
    page = client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Résume", "piece": latin}
    )
    assert page.status_code == 400 and "UTF-8" in _texte(page)
    assert instantane.photo() == avant and modele_local.recues == []
    note = SimpleUploadedFile(
        "note.txt", "Délibération du 3 mars sur les cantines.".encode(), content_type="text/plain"
    )
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Résume", "piece": note})
    assert "Délibération du 3 mars" in modele_local.recues[-1].corps["messages"][0]["content"]


def test_chacun_ne_lit_que_ses_conversations(org_a, passerelle, modele_local, admin_a):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Résume la délibération."}
    )
    conversation = Conversation.objects.get()
    autre = Client()
    autre.force_login(admin_a)  # même l'administrateur
    for adresse in (
        f"/o/commune-a/passerelle/conversations/{conversation.pk}/",
        f"/o/commune-a/passerelle/conversations/{conversation.pk}/conversation.txt",
    ):
        assert autre.get(adresse).status_code == 404
    services.premiere_utilisation(org_a, admin_a, None, "Direction")
    avant = instantane.photo()
    reponse = autre.post(
        "/o/commune-a/passerelle/envoi/",
        {"modele": passerelle.pk, "texte": "Suite", "conversation": conversation.pk},
    )
    assert reponse.status_code == 404 and instantane.photo() == avant


def test_catalogue_ajout_et_cle_jamais_reaffichee(org_a, passerelle, admin_a, modele_local):
    client = Client()
    client.force_login(admin_a)
    reponse = client.post(
        "/o/commune-a/passerelle/catalogue/fournisseurs/",
        {"fournisseur-nom": "Mistral", "fournisseur-url_base": "https://api.mistral.ai/v1", "fournisseur-cle": "sk-secret-mistral-1234", "fournisseur-hebergement": "france", "fournisseur-delai_s": 60, "fournisseur-actif": "on", "fournisseur-version": 1},
    )  # fmt: skip
    assert reponse.status_code == 302
    page = _texte(client.get("/o/commune-a/passerelle/catalogue/"))
    assert "Mistral" in page and "sk-secret-mistral" not in page and "« 1234 »" in page
    mistral = Fournisseur.objects.get(nom="Mistral")
    reponse = client.post(
        "/o/commune-a/passerelle/catalogue/modeles/",
        {"modele-fournisseur": mistral.pk, "modele-identifiant": "mistral-small-latest", "modele-libelle": "Mistral Small", "modele-classes": ["interne"], "modele-jetons_max": 1000, "modele-actif": "on", "modele-version": 1},
    )  # fmt: skip
    assert reponse.status_code == 302
    modele = ModeleCatalogue.objects.get(libelle="Mistral Small")
    assert modele.classes_permises == ["interne"] and modele.systeme.organisation == org_a
    # Mauvaises saisies : message, rien d'écrit.
    avant = instantane.photo()
    for donnees in (
        {"nom": "Sans clé", "url_base": "https://x.fr/v1", "cle": "", "hebergement": "ue", "delai_s": 60},
        {"nom": "Mistral", "url_base": "https://x.fr/v1", "cle": "k", "hebergement": "ue", "delai_s": 60},
        {"nom": "X", "url_base": "pas une adresse", "cle": "k", "hebergement": "lune", "delai_s": 0},
    ):
        saisie = {f"fournisseur-{cle}": valeur for cle, valeur in donnees.items()}
        assert client.post("/o/commune-a/passerelle/catalogue/fournisseurs/", saisie).status_code == 400
    assert instantane.photo() == avant


def test_le_catalogue_se_lit_sans_se_tenir(org_a, passerelle, lecteur_a):
    client = Client()
    client.force_login(lecteur_a)
    assert client.get("/o/commune-a/passerelle/catalogue/").status_code == 200
    avant = instantane.photo()
    assert (
        client.post(
            "/o/commune-a/passerelle/catalogue/reglages/",
            {"reglages-mention": "x", "reglages-conservation_jours": 3, "reglages-version": 1},
        ).status_code
        == 403
    )
    assert instantane.photo() == avant


# --- API compatible OpenAI ---------------------------------------------------------------------


def _cle(org, personne):
    _, secret = services.emettre_cle(org, personne, "Extension")
    return {"authorization": f"Bearer {secret}"}


def _completion(entetes, **corps):
    return Client().post(
        "/v1/chat/completions", json.dumps(corps), content_type="application/json", headers=entetes
    )


def test_api_modeles_et_completion_masquee(org_a, passerelle, modele_local):
    personne, _ = _agent(org_a)
    _pret(org_a, personne)
    entetes = _cle(org_a, personne)
    liste = Client().get("/v1/models", headers=entetes).json()
    assert [m["id"] for m in liste["data"]] == ["Albert"]
    modele_local.scenario.texte = "Bonjour [PERSONNE_1]."
    reponse = _completion(entetes, model="Albert", messages=[{"role": "user", "content": LETTRE}])
    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert corps["choices"][0]["message"]["content"].startswith("Bonjour Claire Dubois.")
    assert catalogue.reglages(org_a).mention in corps["choices"][0]["message"]["content"]
    assert "Nom de personne" in corps["balise"]["donnees_masquees"]
    assert "Dubois" not in json.dumps(modele_local.recues[-1].corps)
    assert Requete.objects.get().canal == "api"


def test_api_flux_restaure_et_termine(org_a, passerelle, modele_local):
    personne, _ = _agent(org_a)
    _pret(org_a, personne)
    modele_local.scenario.morceaux = ["Chère [PERS", "ONNE_1], c'est", " noté."]
    reponse = _completion(
        _cle(org_a, personne), model="Albert", stream=True, messages=[{"role": "user", "content": LETTRE}]
    )
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/event-stream")
    evenements = [
        ligne[6:]
        for ligne in b"".join(reponse.streaming_content).decode().split("\n\n")
        if ligne.startswith("data: ")
    ]
    assert evenements[-1] == "[DONE]"
    texte = "".join(json.loads(e)["choices"][0]["delta"].get("content", "") for e in evenements[:-1])
    assert texte.startswith("Chère Claire Dubois, c'est noté.") and catalogue.reglages(org_a).mention in texte
    assert Requete.objects.get().jetons_sortie > 0


def test_api_refus_et_erreurs_en_francais_sans_rien_envoyer(org_a, passerelle, modele_local):
    personne, _ = _agent(org_a)
    _pret(org_a, personne)
    entetes = _cle(org_a, personne)
    refus = _completion(
        entetes, model="Albert", messages=[{"role": "user", "content": "NIR 2 84 05 59 350 042 25"}]
    )
    assert refus.status_code == 400 and refus.json()["error"]["code"] == "donnees_refusees"
    inconnu = _completion(entetes, model="gpt-4o", messages=[{"role": "user", "content": "Bonjour"}])
    assert inconnu.status_code == 404 and "n'est pas dans le catalogue" in inconnu.json()["error"]["message"]
    invalide = Client().post("/v1/chat/completions", "{", content_type="application/json", headers=entetes)
    assert invalide.status_code == 400 and "JSON" in invalide.json()["error"]["message"]
    vide = _completion(entetes, model="Albert", messages=[])
    assert vide.status_code == 400
    assert modele_local.recues == []
    modele_local.scenario.statut = 503
    panne = _completion(entetes, model="Albert", messages=[{"role": "user", "content": "Bonjour"}])
    assert panne.status_code == 502 and "sk-test" not in _texte(panne)


def test_api_cle_revoquee_autre_organisation_ou_regles_non_lues(org_a, org_b, passerelle, modele_local):
    personne, _ = _agent(org_a)
    entetes = _cle(org_a, personne)  # règles pas encore lues
    reponse = _completion(entetes, model="Albert", messages=[{"role": "user", "content": "Bonjour"}])
    assert reponse.status_code == 403 and reponse.json()["error"]["code"] == "regles_non_lues"
    _pret(org_a, personne)
    services.revoquer_cle(org_a, personne, ClePersonnelle.objects.get().pk)
    assert (
        _completion(entetes, model="Albert", messages=[{"role": "user", "content": "Bonjour"}]).status_code
        == 401
    )
    assert Client().get("/v1/models").status_code == 401
    # Une personne qui quitte l'organisation perd l'usage de sa clé.
    entetes = _cle(org_a, personne)
    personne.adhesions.filter(organisation=org_a).delete()
    assert Client().get("/v1/models", headers=entetes).status_code == 401
    assert modele_local.recues == []
