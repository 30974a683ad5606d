"""Le fichier portable d'un système : export conforme au schéma publié, aller-retour d'une organisation à
une autre, fichiers hostiles refusés sans rien écrire (balise/registre/portable.py)."""

import json

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from balise.conformite import moteur
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie, Qualification
from balise.conformite.regles import en_vigueur
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument
from balise.instruments.services import Saisie
from balise.registre import portable
from balise.registre.models import SystemeIA

REGLES = en_vigueur()


def _cas_avec_obligations():
    return max(REGLES.cas, key=lambda c: len(moteur.qualifier(REGLES, c.reponses).obligations))


@pytest.fixture
def systeme_complet(systeme_a, referent_a):
    """Une fiche qualifiée, une obligation faite, une évaluation girouet cotée."""
    systeme_a.cout_annuel = "1200.50"
    systeme_a.save()
    conformite.qualifier(systeme_a, REGLES, _cas_avec_obligations().reponses, referent_a)
    obligation = ObligationSuivie.objects.filter(systeme=systeme_a).order_by("code").first()
    assert obligation is not None
    conformite.modifier_obligation(obligation.pk, {"statut": "faite"}, obligation.version, referent_a)
    girouet = DefinitionInstrument.objects.get(organisation=None, code="girouet")
    evaluation = instruments.demarrer_evaluation(systeme_a, girouet, "amont", referent_a)
    instruments.coter(evaluation, referent_a, {"autonomie": Saisie(4)})
    return systeme_a


def _televerser(client: Client, slug: str, contenu: bytes, responsable: str = "Mme Roux, DGS"):
    return client.post(
        reverse("registre:importer_portable", args=[slug]),
        {
            "fichier": SimpleUploadedFile("systeme.json", contenu, "application/json"),
            "responsable": responsable,
        },
    )


def _etat() -> tuple[int, int, int]:
    return SystemeIA.objects.count(), Qualification.objects.count(), ObligationSuivie.objects.count()


def test_le_schema_publie_est_celui_du_format():
    assert json.loads(portable.schema_publie()) == portable.schema()


def test_l_export_suit_le_schema_et_ne_porte_aucun_nom(systeme_complet, referent_a):
    fichier = portable.exporter(systeme_complet)
    jsonschema_rs.Draft202012Validator(json.loads(portable.schema_publie())).validate(
        json.loads(json.dumps(fichier))
    )
    texte = json.dumps(fichier, ensure_ascii=False)
    assert systeme_complet.responsable not in texte and referent_a.email not in texte
    assert not {"id", "pk", "uid", "organisation", "responsable", "contact"} & set(fichier["fiche"])
    assert str(systeme_complet.uid) not in texte
    assert fichier["fiche"]["cout_annuel"] == "1200.50"
    assert fichier["qualification"]["version_regles"] == REGLES.version
    assert fichier["evaluations"][0]["instrument"] == "girouet"
    assert fichier["evaluations"][0]["evaluateurs"] == 1
    assert "faite" in {o["statut"] for o in fichier["obligations"]}


def test_telechargement_nomme_et_cloisonne(client, systeme_complet, lecteur_a, admin_b):
    client.force_login(lecteur_a)
    reponse = client.get(reverse("registre:exporter_portable", args=["commune-a", systeme_complet.pk]))
    assert reponse.status_code == 200
    assert "systeme-detection-des-fuites-" in reponse["Content-Disposition"]
    assert json.loads(reponse.content)["fiche"]["nom"] == "Détection des fuites"
    page = client.get(reverse("registre:detail", args=["commune-a", systeme_complet.pk]))
    assert "Exporter (fichier portable)" in page.content.decode()
    client.force_login(admin_b)
    refus = client.get(reverse("registre:exporter_portable", args=["commune-a", systeme_complet.pk]))
    assert refus.status_code in (403, 404)


def test_aller_retour_d_une_organisation_a_l_autre(client, systeme_complet, admin_b):
    contenu = portable.en_json(systeme_complet)
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", contenu)
    assert reponse.status_code == 302
    importe = SystemeIA.objects.get(organisation__slug="commune-b", nom="Détection des fuites")
    assert importe.pk != systeme_complet.pk and importe.uid != systeme_complet.uid
    assert importe.responsable == "Mme Roux, DGS"
    depart, arrivee = portable.exporter(systeme_complet), portable.exporter(importe)
    assert arrivee["fiche"] == depart["fiche"]
    assert arrivee["qualification"]["conclusions"] == depart["qualification"]["conclusions"]
    assert arrivee["qualification"]["reponses"] == depart["qualification"]["reponses"]
    assert arrivee["obligations"] == depart["obligations"]
    assert arrivee["evaluations"] == []  # non reprises, et la page le dit
    historique = importe.history.get()
    assert historique.history_user == admin_b
    assert "Commune A" in (historique.history_change_reason or "")
    suite = client.get(reponse["Location"]).content.decode()
    assert "ne sont pas reprises" in suite


def test_version_des_regles_inconnue_la_fiche_seule(client, systeme_complet, admin_b):
    donnees = portable.exporter(systeme_complet)
    donnees["qualification"]["version_regles"] = 999
    donnees["fiche"]["stade"] = "experimentation"
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", json.dumps(donnees).encode())
    assert reponse.status_code == 302
    importe = SystemeIA.objects.get(organisation__slug="commune-b")
    assert not importe.qualifications.exists() and not importe.obligations.exists()
    assert importe.stade == "experimentation"
    page = client.get(reponse["Location"]).content.decode()
    assert "version 999 des règles" in page and "sans passer par les portes" in page


def _falsifie(donnees: dict) -> dict:
    donnees["qualification"]["reponses"] = {"question_inventee": "oui"}
    return donnees


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"\x00\x01 pas du json", "pas du JSON valide"),
        (b"[1, 2]", "pas un fichier portable de Balise"),
        (b"[" * 200_000, "pas du JSON valide"),
        (json.dumps({"format": "balise-systeme", "version": 7}).encode(), "version du format"),
        (b"{" + b" " * (portable.TAILLE_MAX + 1) + b"}", "dépasse 1024 Ko"),
    ],
)
def test_fichiers_hostiles_refuses_rien_ecrit(client, org_b, admin_b, contenu, message):
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", contenu)
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert _etat() == (0, 0, 0)


@pytest.mark.parametrize(
    ("modifier", "message"),
    [
        (lambda d: d["fiche"].update(domaine="astrologie"), "fiche.domaine : valeur non prévue"),
        (lambda d: d["fiche"].pop("nom"), "fiche.nom : champ obligatoire absent"),
        (lambda d: d.update(intrus=1), "intrus : champ inconnu"),
        (lambda d: d["fiche"].update(cout_annuel="-3"), "fiche.cout_annuel"),
        (_falsifie, "réponses de qualification du fichier ne sont pas valides"),
    ],
)
def test_schema_ou_reponses_faux_refuses_rien_ecrit(client, systeme_complet, admin_b, modifier, message):
    donnees = portable.exporter(systeme_complet)
    modifier(donnees)
    avant = _etat()
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", json.dumps(donnees).encode())
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert _etat() == avant


def test_lecteur_n_importe_pas(client, systeme_complet, lecteur_a):
    client.force_login(lecteur_a)
    reponse = _televerser(client, "commune-a", portable.en_json(systeme_complet))
    assert reponse.status_code == 403
    assert SystemeIA.objects.count() == 1


def test_schema_servi_sans_connexion(client):
    reponse = client.get(reverse("public:schema_portable"))
    assert reponse.status_code == 200
    assert json.loads(reponse.content)["$schema"].endswith("2020-12/schema")


def test_responsable_obligatoire(client, systeme_complet, admin_b):
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", portable.en_json(systeme_complet), responsable="")
    assert (
        reponse.status_code == 400 and SystemeIA.objects.filter(organisation__slug="commune-b").count() == 0
    )
