"""Les pages de la passerelle et son API compatible OpenAI, contre le serveur local qui tient le rôle du
fournisseur (tests/modele_local.py) : première utilisation, aperçu, envoi, refus, export avec la mention,
catalogue, clés personnelles ; chacun ne lit que ses conversations."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from balise.passerelle import disponibles, quotas, services
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


def _lignes(reponse) -> list[dict]:
    assert reponse.streaming and reponse["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(ligne) for ligne in b"".join(reponse.streaming_content).decode().splitlines()]


def test_la_page_lit_la_reponse_a_mesure_puis_ouvre_la_conversation(org_a, passerelle, modele_local):
    """Le flux de la page (assistant.js) : morceaux restaurés, une marque coupée entre deux morceaux
    rendue entière, l'échange consigné et noté une fois au journal, puis l'adresse de la conversation."""
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    modele_local.scenario.morceaux = ["Chère [PERSO", "NNE_1], c'est", " noté."]
    reponse = client.post("/o/commune-a/passerelle/envoi/flux/", {"modele": passerelle.pk, "texte": LETTRE})
    lignes = _lignes(reponse)
    assert "".join(ligne.get("texte", "") for ligne in lignes) == "Chère Claire Dubois, c'est noté."
    assert all("[PERSONNE" not in ligne.get("texte", "") for ligne in lignes)
    conversation = Conversation.objects.get(personne=personne)
    assert lignes[-1] == {"fin": f"/o/commune-a/passerelle/conversations/{conversation.pk}/"}
    assert [m.contenu for m in conversation.messages.all()] == [LETTRE, "Chère Claire Dubois, c'est noté."]
    requete = Requete.objects.get()
    assert (requete.canal, requete.action, requete.erreur) == ("page", "pseudonymiser", "")
    assert "Claire Dubois" not in json.dumps(modele_local.recues[-1].corps, ensure_ascii=False)
    assert modele_local.recues[-1].corps["stream"] is True
    # Le message des données masquées attend la page de la conversation.
    assert "Remplacés par des marques" in _texte(client.get(lignes[-1]["fin"]))


def test_chacun_voit_son_propre_usage_du_mois_et_son_quota(org_a, passerelle, modele_local, admin_a):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": LETTRE})
    client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "NIR 2 84 05 59 350 042 25"}
    )
    quotas.fixer(org_a, "personne", "", 300, None, admin_a)
    mien = re.search(r'<p[^>]*id="mon-usage">(.*?)</p>', _texte(client.get("/o/commune-a/passerelle/")), re.S)
    assert mien is not None
    assert "1 requête partie sur les 300 de votre quota, 1 refusée" in mien.group(1)
    _, autre = _agent(org_a, "autre-agent@exemple.fr")
    sien = re.search(r'<p[^>]*id="mon-usage">(.*?)</p>', _texte(autre.get("/o/commune-a/passerelle/")), re.S)
    assert sien is not None and sien.group(1).startswith("0 requête partie sur les 300")


def test_la_page_en_flux_renvoie_au_formulaire_ce_qui_ne_partirait_pas(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    avant = instantane.photo()
    # Règles non lues, puis données refusées, puis saisie vide : rien n'est écrit ni envoyé ; le
    # formulaire classique s'en chargera (il note le refus au journal et l'explique).
    refus = {"modele": passerelle.pk, "texte": "Dossier de M. Paul Durand, NIR 2 84 05 59 350 042 25."}
    assert client.post("/o/commune-a/passerelle/envoi/flux/", refus).json() == {"repli": "formulaire"}
    assert instantane.photo() == avant
    _pret(org_a, personne)
    avant = instantane.photo()
    for donnees in (refus, {"modele": passerelle.pk, "texte": " "}, {"modele": 0, "texte": "Bonjour"}):
        reponse = client.post("/o/commune-a/passerelle/envoi/flux/", donnees)
        assert reponse.status_code == 422 and reponse.json() == {"repli": "formulaire"}
    assert modele_local.recues == [] and instantane.photo() == avant


def test_la_page_en_flux_dit_la_panne_du_fournisseur_sans_rien_consigner(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    modele_local.scenario.erreur_apres = 1
    reponse = client.post(
        "/o/commune-a/passerelle/envoi/flux/", {"modele": passerelle.pk, "texte": "Bonjour"}
    )
    lignes = _lignes(reponse)
    assert "erreur" in lignes[-1] and "fin" not in lignes[-1]
    assert not Conversation.objects.exists()
    assert Requete.objects.get().action == "erreur"
    # Une autre personne ne poursuit pas la conversation d'autrui par le flux.
    _, autre = _agent(org_a, "autre-agent@exemple.fr")
    conversation = Conversation.objects.create(
        organisation=org_a, personne=personne, modele=passerelle, titre="T"
    )
    assert (
        autre.post(
            "/o/commune-a/passerelle/envoi/flux/",
            {"modele": passerelle.pk, "texte": "Bonjour", "conversation": conversation.pk},
        ).status_code
        == 404
    )


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


# --- Usage, requêtes sensibles, effacement à échéance -----------------------------------------


def _sensible(org, passerelle, personne, texte="NIR 2 84 05 59 350 042 25"):
    from balise.passerelle import envoi

    prep = envoi.preparer(passerelle, [{"role": "user", "content": texte}], catalogue.reglages(org))
    return envoi.envoyer(prep, personne, "page", catalogue.reglages(org)).requete


def test_le_dpo_lit_une_requete_sensible_en_donnant_sa_raison(org_a, passerelle, modele_local, admin_a):
    from balise.organisations.models import EvenementJournal
    from balise.passerelle.models import LectureContenu

    personne, _ = _agent(org_a)
    requete = _sensible(org_a, passerelle, personne)
    dpo, client = _agent(org_a, "dpo-a@exemple.fr", "dpo")
    liste = _texte(client.get("/o/commune-a/passerelle/sensibles/"))
    assert f"Lire la requête n° {requete.pk}" in liste and "2 84 05" not in liste
    avant = instantane.photo()
    sans_raison = client.post(f"/o/commune-a/passerelle/sensibles/{requete.pk}/lecture/", {"raison": "vu"})
    assert sans_raison.status_code == 400 and "2 84 05" not in _texte(sans_raison)
    assert instantane.photo() == avant
    lue = client.post(
        f"/o/commune-a/passerelle/sensibles/{requete.pk}/lecture/", {"raison": "Plainte d'un usager."}
    )
    assert lue.status_code == 200 and "NIR 2 84 05 59 350 042 25" in _texte(lue)
    lecture = LectureContenu.objects.get()
    assert lecture.lecteur == dpo and lecture.raison == "Plainte d'un usager."
    assert EvenementJournal.objects.filter(organisation=org_a, nature="contenu_sensible_lu", par=dpo).exists()
    # L'administrateur lui-même ne lit pas : 403, rien de noté.
    admin = Client()
    admin.force_login(admin_a)
    assert admin.get("/o/commune-a/passerelle/sensibles/").status_code == 403
    assert (
        admin.post(
            f"/o/commune-a/passerelle/sensibles/{requete.pk}/lecture/", {"raison": "Par curiosité, voir."}
        ).status_code
        == 403
    )
    assert LectureContenu.objects.count() == 1


def test_les_contenus_echus_sont_effaces_et_le_journal_reste(org_a, passerelle, modele_local):
    from datetime import timedelta

    from django.utils import timezone

    from balise.organisations.models import EvenementJournal
    from balise.passerelle import sensibles
    from balise.passerelle.models import ContenuSensible

    personne, _ = _agent(org_a)
    requete = _sensible(org_a, passerelle, personne)
    echeance = ContenuSensible.objects.get().garder_jusqu_au
    assert echeance == timezone.localdate() + timedelta(days=catalogue.reglages(org_a).conservation_jours)
    assert sensibles.effacer_echus(echeance) == 0  # le dernier jour, encore gardé
    assert sensibles.effacer_echus(echeance + timedelta(days=1)) == 1
    assert not ContenuSensible.objects.exists() and Requete.objects.filter(pk=requete.pk).exists()
    assert EvenementJournal.objects.get(nature="contenus_sensibles_effaces").details == {"nombre": 1}


def test_l_effacement_est_planifie_une_fois_par_le_travailleur(db, monkeypatch):
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(db_worker.Command, "handle", lambda self, *a, **o: None)
    monkeypatch.setattr("os.nice", lambda n: 0)
    call_command("travailleur", verbosity=0)
    call_command("travailleur", verbosity=0)
    attente = DBTaskResult.objects.filter(task_path="balise.passerelle.taches.effacer", status="READY")
    assert attente.count() == 1


def test_usage_du_mois_par_modele_et_par_service(org_a, passerelle, modele_local):
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": LETTRE})
    _sensible(org_a, passerelle, personne)
    page = _texte(client.get("/o/commune-a/passerelle/usage/"))
    assert (
        "2 requêtes" in page
        and "par 1 personne" in page
        and "1 pseudonymisée" in page
        and "1 refusée" in page
    )
    assert "Petite enfance" in page and "Albert" in page and "sensibles : 1" in page
    assert "Aucune requête ce mois-là" in _texte(client.get("/o/commune-a/passerelle/usage/?mois=2001-01"))
    assert client.get("/o/commune-a/passerelle/usage/?mois=n'importe").status_code == 200
    fiche = _texte(client.get(f"/o/commune-a/passerelle/usage/fiches/{passerelle.systeme_id}/"))
    assert "Usage de « " in fiche and "<td>2</td>" in fiche


def test_un_quota_atteint_refuse_avant_l_analyse_et_se_dit(org_a, passerelle, modele_local, admin_a):
    from balise.passerelle import quotas

    personne, client = _agent(org_a)
    _pret(org_a, personne)
    admin = Client()
    admin.force_login(admin_a)
    reponse = admin.post(
        "/o/commune-a/passerelle/catalogue/quotas/", {"quota-portee": "service", "quota-service": "petite enfance", "quota-requetes_par_mois": 1}
    )  # fmt: skip
    assert reponse.status_code == 302
    avant = instantane.photo()
    assert (
        admin.post("/o/commune-a/passerelle/catalogue/quotas/", {"quota-portee": "service"}).status_code
        == 400
    )
    assert instantane.photo() == avant
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Première question."})
    assert len(modele_local.recues) == 1
    page = _texte(
        client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Seconde question."})
    )
    assert "Le service « Petite enfance » a atteint son quota de 1 requêtes ce mois-ci" in page
    assert "se renouvelle le 1er" in page and len(modele_local.recues) == 1
    api = _completion(_cle(org_a, personne), model="Albert", messages=[{"role": "user", "content": "Encore"}])
    assert api.status_code == 429 and api.json()["error"]["code"] == "quota"
    assert Requete.objects.filter(erreur="quota").count() == 2
    # Retiré (attribué, à l'historique), l'usage reprend.
    quota = quotas.Quota.objects.get()
    assert admin.post(f"/o/commune-a/passerelle/catalogue/quotas/{quota.pk}/retrait/").status_code == 302
    assert quotas.Quota.history.filter(history_type="-", history_user=admin_a).exists()
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Seconde question."})
    assert len(modele_local.recues) == 2


def test_quota_par_personne_en_euros(org_a, passerelle, modele_local, admin_a):
    from balise.passerelle import quotas

    personne, client = _agent(org_a)
    _pret(org_a, personne)
    # Un centime le jeton : sans prix de sortie, le coût ne serait pas chiffré (ni compté au quota).
    ModeleCatalogue.objects.filter(pk=passerelle.pk).update(
        prix_entree_million=Decimal("10000"), prix_sortie_million=Decimal("10000")
    )
    quotas.fixer(org_a, "personne", "", None, Decimal("0.05"), admin_a)
    assert quotas.depasse(org_a, personne) is None
    client.post(
        "/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": "Une question assez longue."}
    )
    assert quotas.depasse(org_a, personne).startswith("Vous avez atteint votre quota de 0.05 € HT ce mois-ci")


def test_le_rapport_annuel_dit_l_usage_de_la_passerelle(org_a, passerelle, modele_local):
    from django.utils import timezone

    from balise.rapports import sections
    from balise.rapports import services as rapports

    debut, fin = rapports.periode(timezone.localdate().year)
    vide = next(
        s for s in rapports.construire(org_a, sections.ANNUEL, debut, fin).sections if "passerelle" in s.titre
    )
    assert "Aucune requête" in str(vide)
    personne, client = _agent(org_a)
    _pret(org_a, personne)
    client.post("/o/commune-a/passerelle/envoi/", {"modele": passerelle.pk, "texte": LETTRE})
    rapport = rapports.construire(org_a, sections.ANNUEL, debut, fin)
    section = next(s for s in rapport.sections if "passerelle" in s.titre)
    texte = str(section)
    assert (
        "1 requête d'agents" in texte
        and "par 1 personne." in texte
        and "Albert" in texte
        and "Petite enfance" in texte
        and "personnelles : 1" in texte
    )


def test_les_cumuls_tenus_a_chaque_requete_valent_le_journal_recalcule(org_a, passerelle):
    """Oracle : les cumuls mensuels tenus requête par requête (`cumuler`) sont ceux que `recalculer`
    tire du journal, et les totaux lus dans les cumuls sont ceux d'une agrégation directe du journal."""
    import random
    from datetime import timedelta

    from django.db.models import Count, Sum
    from django.utils import timezone

    from balise.passerelle import envoi, usage
    from balise.passerelle.models import UsageMensuel

    tirage = random.Random(7)
    personnes = [_agent(org_a, f"agent{i}@exemple.fr")[0] for i in range(4)]
    maintenant = timezone.now()
    for i in range(60):
        requete = envoi._noter(
            passerelle, tirage.choice(personnes), tirage.choice(["page", "api"]),
            action=tirage.choice(["envoyer", "pseudonymiser", "refuser", "erreur"]),
            classes=tirage.choice([[], ["personnelle"], ["interne", "sensible"]]),
            jetons_entree=tirage.randint(0, 900), jetons_sortie=tirage.randint(0, 400),
            cout_euros=tirage.choice([None, Decimal("0.001234")]), energie_wh=tirage.choice([None, 0.5]),
        )  # fmt: skip
        if i % 3 == 0:  # un autre mois : le cumul suit la date de la requête
            Requete.objects.filter(pk=requete.pk).update(le=maintenant - timedelta(days=40))
    # Les dates ont bougé après coup : les cumuls sont refaits requête par requête, comme à l'écriture.
    UsageMensuel.objects.all().delete()
    for requete in Requete.objects.order_by("pk"):
        usage.cumuler(requete)
    colonnes = (
        "mois",
        "personne_id",
        "requetes",
        "refusees",
        "erreurs",
        "jetons_entree",
        "cout",
        "avec_sensible",
    )
    tenus = sorted(UsageMensuel.objects.values_list(*colonnes))
    assert usage.recalculer(org_a) == len(tenus)
    assert sorted(UsageMensuel.objects.values_list(*colonnes)) == tenus
    assert sum(t[2] for t in tenus) == 60
    debut, fin = usage.bornes(timezone.localdate())
    total = usage.du_mois(org_a, timezone.localdate()).total
    direct = Requete.objects.filter(organisation=org_a, le__gte=debut, le__lt=fin).aggregate(
        n=Count("pk"), p=Count("personne", distinct=True), j=Sum("jetons_entree"), c=Sum("cout_euros")
    )
    assert (total.requetes, total.personnes, total.jetons_entree) == (direct["n"], direct["p"], direct["j"])
    assert total.cout == (direct["c"] or 0)


def test_modifier_et_retirer_un_fournisseur_et_un_modele(
    org_a, passerelle, modele_local, admin_a, referent_a
):
    admin = Client()
    admin.force_login(admin_a)
    fournisseur = passerelle.fournisseur
    adresse = f"/o/commune-a/passerelle/catalogue/fournisseurs/{fournisseur.pk}/"
    page = _texte(admin.get(adresse))
    assert "Modifier « Local »" in page and modele_local.cle not in page
    saisie = {"fournisseur-nom": "Local", "fournisseur-url_base": modele_local.url, "fournisseur-hebergement": "ue", "fournisseur-delai_s": 30, "fournisseur-version": 1}  # fmt: skip
    # Une autre personne a modifié entre-temps : conflit montré (409), rien d'écrit, la saisie gardée.
    catalogue.modifier_fournisseur(org_a, fournisseur.pk, {"delai_s": 45}, "", 1, referent_a)
    avant = instantane.photo()
    conflit = admin.post(adresse, {**saisie, "fournisseur-actif": "on"})
    assert conflit.status_code == 409 and "Modification concurrente" in _texte(conflit)
    assert instantane.photo() == avant
    # Retiré : clé gardée (vide dans le formulaire), plus proposé aux agents, journal intact.
    assert admin.post(adresse, {**saisie, "fournisseur-version": 2}).status_code == 302
    fournisseur.refresh_from_db()
    assert not fournisseur.actif and fournisseur.hebergement == "ue" and fournisseur.cle_fin
    assert fournisseur.history.first().history_user == admin_a
    assert disponibles.modeles_disponibles(org_a) == []
    modele = f"/o/commune-a/passerelle/catalogue/modeles-approuves/{passerelle.pk}/"
    reponse = admin.post(modele, {"modele-fournisseur": fournisseur.pk, "modele-identifiant": "albert-large", "modele-libelle": "Albert", "modele-classes": ["interne", "personnelle"], "modele-jetons_max": 500, "modele-version": 1})  # fmt: skip
    assert reponse.status_code == 302
    passerelle.refresh_from_db()
    assert passerelle.classes_permises == ["interne", "personnelle"] and not passerelle.actif
    # Un modèle d'une autre organisation : introuvable.
    assert admin.get("/o/commune-a/passerelle/catalogue/modeles-approuves/999999/").status_code == 404
