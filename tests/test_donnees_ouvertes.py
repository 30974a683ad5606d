"""Registre public et données ouvertes : schéma stable, seulement les fiches publiques."""

import csv
import io
import json

from balise.registre import opendata, services
from tests import fabrique


def _publier(org, auteur, **champs):
    s = fabrique.systeme(org, auteur, contribution_decision="Propose ; un agent décide.", **champs)
    return services.publier(s.pk, True, auteur, s.version)


def test_json_suit_le_schema(client, org_a, admin_a):
    publie = _publier(org_a, admin_a, nom="Publié")
    fabrique.systeme(org_a, admin_a, nom="Non publié")
    archive = _publier(org_a, admin_a, nom="Archivé")
    services.archiver(archive.pk, admin_a, archive.version)

    d = client.get(f"/public/{org_a.slug}/registre.json").json()
    assert d["schema"]["nom"] == opendata.SCHEMA_NOM and d["schema"]["version"] == opendata.SCHEMA_VERSION
    assert d["organisation"]["identifiant"] == org_a.slug
    assert [s["nom"] for s in d["systemes"]] == ["Publié"]
    ligne = d["systemes"][0]
    assert list(ligne) == opendata.NOMS_CHAMPS
    assert ligne["identifiant"] == str(publie.uid)
    assert ligne["stade_libelle"] == "Idée" and ligne["contact"] == org_a.contact_public


def test_csv_memes_colonnes_et_formules_neutralisees(client, org_a, admin_a):
    _publier(org_a, admin_a, nom='=HYPERLINK("http://x")', finalite="+1 pour tous")
    reponse = client.get(f"/public/{org_a.slug}/registre.csv")
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert lignes[0] == opendata.NOMS_CHAMPS
    valeurs = dict(zip(lignes[0], lignes[1], strict=True))
    assert valeurs["nom"].startswith("'=") and valeurs["finalite"].startswith("'+")
    assert valeurs["decision_individuelle"] == "false"


def test_page_publique_sans_connexion(client, org_a, admin_a):
    s = _publier(org_a, admin_a, nom="Prévision des cantines")
    fabrique.systeme(org_a, admin_a, nom="Projet interne confidentiel")
    page = client.get(f"/public/{org_a.slug}/").content.decode()
    assert "Prévision des cantines" in page and "Projet interne confidentiel" not in page
    fiche = client.get(f"/public/{org_a.slug}/systemes/{s.uid}/").content.decode()
    assert "Propose ; un agent décide." in fiche


def test_organisation_inconnue(client, db):
    assert client.get("/public/nulle-part/").status_code == 404
    assert client.get("/public/nulle-part/registre.json").status_code == 404


def test_accueil_mene_aux_registres_publics(client, org_a, admin_a):
    _publier(org_a, admin_a)
    assert f"/public/{org_a.slug}/" in client.get("/").content.decode()


def test_schema_documente_chaque_champ(client, db):
    page = client.get("/public/schema/").content.decode()
    assert all(f"<code>{nom}</code>" in page for nom in opendata.NOMS_CHAMPS)
    json.dumps(opendata.CHAMPS)


def test_le_cache_public_suit_chaque_modification(client, org_a, admin_a):
    s = _publier(org_a, admin_a, nom="Ancien nom")
    for url in (
        f"/public/{org_a.slug}/",
        f"/public/{org_a.slug}/registre.json",
        f"/public/{org_a.slug}/registre.csv",
    ):
        assert "Ancien nom" in client.get(url).content.decode()
    s = services.modifier_systeme(s.pk, {"nom": "Nouveau nom"}, s.version, admin_a)
    for url in (
        f"/public/{org_a.slug}/",
        f"/public/{org_a.slug}/registre.json",
        f"/public/{org_a.slug}/registre.csv",
    ):
        contenu = client.get(url).content.decode()
        assert "Nouveau nom" in contenu and "Ancien nom" not in contenu
    services.publier(s.pk, False, admin_a, s.version)
    assert "Nouveau nom" not in client.get(f"/public/{org_a.slug}/").content.decode()
    assert client.get(f"/public/{org_a.slug}/registre.json").json()["systemes"] == []


def test_le_cache_public_suit_l_organisation(client, org_a, admin_a):
    _publier(org_a, admin_a)
    client.get(f"/public/{org_a.slug}/")
    from balise.organisations.services import modifier_organisation

    modifier_organisation(org_a.pk, {"contact_public": "nouveau@exemple.fr"}, org_a.version, admin_a)
    assert "nouveau@exemple.fr" in client.get(f"/public/{org_a.slug}/").content.decode()
    assert (
        client.get(f"/public/{org_a.slug}/registre.json").json()["organisation"]["contact"]
        == "nouveau@exemple.fr"
    )
