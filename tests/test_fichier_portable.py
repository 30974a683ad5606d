"""Le fichier portable d'un système : export conforme au schéma publié, aller-retour d'une organisation à
une autre (évaluations comprises, mêmes résultats), fichiers hostiles refusés sans rien écrire
(balise/registre/portable.py, balise/instruments/portabilite.py)."""

import copy
import json

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.conformite import moteur
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.instruments import selectors
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument, Evaluateur, Evaluation, ProvenanceEvaluation
from balise.instruments.services import Saisie
from balise.rapports import sections
from balise.registre import portable
from balise.registre.models import SystemeIA
from tests import fabrique, instantane

REGLES = en_vigueur()
COMMENTAIRE = "Mme Martin, du service des eaux, craint pour son poste"


def _cas_avec_obligations():
    return max(REGLES.cas, key=lambda c: len(moteur.qualifier(REGLES, c.reponses).obligations))


def _instrument(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.filter(organisation=None, code=code).order_by("-version").first()


def _evaluation(systeme, code, moment, cotations, par, finaliser=True) -> Evaluation:
    """Une évaluation ouverte par `par`, cotée par chaque (personne, profil, saisies), puis finalisée ;
    une liste de saisies est envoyée dans l'ordre (une cotation effacée ensuite reste, vide)."""
    evaluation = instruments.demarrer_evaluation(systeme, _instrument(code), moment, par, cotations[0][1])
    for personne, profil, saisies in cotations:
        instruments.inviter_evaluateur(evaluation, personne, profil, par)
        for envoi in saisies if isinstance(saisies, list) else [saisies]:
            instruments.coter(evaluation, personne, envoi)
    return instruments.finaliser(evaluation, par) if finaliser else evaluation


@pytest.fixture
def systeme_complet(org_a, systeme_a, referent_a, admin_a, lecteur_a):
    """Une fiche qualifiée, une obligation faite ; un girouet et une matrice finalisés à plusieurs voix
    (profils différents, « vide », commentaire nominatif), un radar encore en cours."""
    systeme_a.cout_annuel = "1200.50"
    systeme_a.save()
    conformite.qualifier(systeme_a, REGLES, _cas_avec_obligations().reponses, referent_a)
    obligation = ObligationSuivie.objects.filter(systeme=systeme_a).order_by("code").first()
    assert obligation is not None
    conformite.modifier_obligation(obligation.pk, {"statut": "faite"}, obligation.version, referent_a)
    agent = fabrique.membre(org_a, "lecteur", "agent-a@exemple.fr")
    _evaluation(
        systeme_a,
        "girouet",
        "amont",
        [
            (
                referent_a,
                "direction",
                {"autonomie": Saisie(4), "savoir_faire": Saisie(3, commentaire=COMMENTAIRE)},
            ),
            (
                admin_a,
                "agent",
                [
                    {"autonomie": Saisie(1), "reconnaissance": Saisie(2), "sens_du_travail": Saisie(3)},
                    {"sens_du_travail": Saisie()},
                ],
            ),
            (agent, "agent", {"autonomie": Saisie(2), "savoir_faire": Saisie(1), "sante_mentale": Saisie(4)}),
            (lecteur_a, "elu", {"relations_sociales": Saisie(3)}),
        ],
        referent_a,
    )
    _evaluation(
        systeme_a,
        "matrice-inet",
        "amont",
        [
            (referent_a, "direction", {"peut": Saisie(1), "veut": Saisie(1)}),
            (admin_a, "agent", {"peut": Saisie(1)}),
            (agent, "agent", {"veut": Saisie(0)}),
            (lecteur_a, "agent", {"peut": Saisie(0), "veut": Saisie(1)}),
        ],
        referent_a,
    )
    _evaluation(
        systeme_a, "radar-decision", "amont", [(referent_a, "direction", {})], referent_a, finaliser=False
    )
    return systeme_a


def _televerser(client: Client, slug: str, contenu: bytes, responsable: str = "Mme Roux, DGS", **options):
    return client.post(
        reverse("registre:importer_portable", args=[slug]),
        {
            "fichier": SimpleUploadedFile("systeme.json", contenu, "application/json"),
            "responsable": responsable,
            **options,
        },
    )


def _sans_commentaires(resultat):
    """Le résultat d'une évaluation, commentaires retirés : eux seuls ne voyagent pas."""
    copie = copy.deepcopy(resultat)
    for section in copie.sections:
        for item in section.items:
            item.commentaires = []
    return copie


def test_le_schema_publie_est_celui_du_format():
    assert json.loads(portable.schema_publie()) == portable.schema()


def test_l_export_suit_le_schema_et_ne_porte_aucune_personne(systeme_complet, referent_a, admin_a, lecteur_a):
    fichier = portable.exporter(systeme_complet)
    jsonschema_rs.Draft202012Validator(json.loads(portable.schema_publie())).validate(
        json.loads(json.dumps(fichier))
    )
    assert fichier["version"] == portable.VERSION == 3
    assert fichier["fiche"]["mis_en_service_le"] is None
    texte = json.dumps(fichier, ensure_ascii=False)
    assert systeme_complet.responsable not in texte
    for personne in (referent_a, admin_a, lecteur_a):
        assert personne.email not in texte and personne.nom_affiche not in texte
    assert "Mme Martin" not in texte  # les commentaires ne voyagent pas
    assert not {"id", "pk", "uid", "organisation", "responsable", "contact"} & set(fichier["fiche"])
    assert str(systeme_complet.uid) not in texte
    assert fichier["fiche"]["cout_annuel"] == "1200.50"
    assert fichier["qualification"]["version_regles"] == REGLES.version
    assert "faite" in {o["statut"] for o in fichier["obligations"]}
    # Les évaluations finalisées seules (le radar en cours reste) ; des comptes par profil, pas de personnes.
    girouet, matrice = fichier["evaluations"]
    assert (girouet["instrument"], matrice["instrument"]) == ("girouet", "matrice-inet")
    assert girouet["evaluateurs"] == 4 and girouet["origine"] is None
    assert girouet["profils"] == [
        {"profil": "agent", "evaluateurs": 2},
        {"profil": "direction", "evaluateurs": 1},
        {"profil": "elu", "evaluateurs": 1},
    ]
    for reponse in (
        {"item": "autonomie", "profil": "agent", "valeur": 1, "sans_objet": False, "choix": [], "nombre": 1},
        {
            "item": "sens_du_travail",
            "profil": "agent",
            "valeur": None,
            "sans_objet": False,
            "choix": [],
            "nombre": 1,
        },
    ):
        assert reponse in girouet["reponses"]
    assert matrice["points"] == [
        {"profil": "agent", "x": 0, "y": 1, "nombre": 1},
        {"profil": "direction", "x": 1, "y": 1, "nombre": 1},
    ]


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
    comptes = Utilisateur.objects.count()
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
    # Réexportées de B, les évaluations disent d'où elles viennent ; le reste est identique.
    assert arrivee["evaluations"] == [{**e, "origine": "Commune A"} for e in depart["evaluations"]]
    historique = importe.history.get()
    assert historique.history_user == admin_b
    assert "Commune A" in (historique.history_change_reason or "")
    suite = client.get(reponse["Location"]).content.decode()
    assert "2 évaluations finalisées importées" in suite

    # Mêmes résultats, recalculés ici ; aucun compte ni évaluateur créé, la provenance notée.
    assert Utilisateur.objects.count() == comptes
    origine = {e.instrument.code: e for e in systeme_complet.evaluations.filter(statut="finalisee")}
    for evaluation in importe.evaluations.select_related("instrument", "provenance"):
        source = origine[evaluation.instrument.code]
        assert evaluation.instrument == source.instrument and evaluation.moment == source.moment
        assert evaluation.finalisee and evaluation.finalisee_le == source.finalisee_le
        assert evaluation.finalisee_par is None and evaluation.cree_par == admin_b
        assert not Evaluateur.objects.filter(evaluation=evaluation).exists()
        assert evaluation.importee.origine == "Commune A" and evaluation.importee.evaluateurs == 4
        assert selectors.resultat(evaluation) == _sans_commentaires(selectors.resultat(source))
        assert sorted(selectors.points_matrice(evaluation)) == sorted(selectors.points_matrice(source))
        h = evaluation.history.get()
        assert h.history_user == admin_b and "Commune A" in h.history_change_reason
    matrice = importe.evaluations.get(instrument__code="matrice-inet")
    assert sorted(selectors.points_matrice(matrice)) == [(0, 1), (1, 1)]

    # Les pages disent qu'elle est importée, d'où, et ne montrent que des profils.
    girouet = importe.evaluations.get(instrument__code="girouet")
    page = client.get(reverse("instruments:evaluation", args=["commune-b", girouet.pk])).content.decode()
    assert "Importée de « Commune A »" in page and "Agent utilisateur : 2" in page
    assert "referent-a" not in page and "Mme Martin" not in page
    liste = client.get(
        reverse("instruments:evaluations_systeme", args=["commune-b", importe.pk])
    ).content.decode()
    assert "4 (Commune A)" in liste
    journal = client.get(reverse("instruments:journal", args=["commune-b", girouet.pk])).content.decode()
    assert "a importé l&#x27;évaluation, faite dans « Commune A »" in journal
    # Le rapport annuel de B la montre, en disant qu'elle a été cotée ailleurs.
    jour = timezone.localdate(girouet.finalisee_le)
    tableau = sections.girouet(importe.organisation, jour, jour).blocs[1]
    assert tableau.lignes[0][0].texte == "Détection des fuites (importée de « Commune A »)"


def test_reimporter_un_fichier_deja_importe_garde_l_origine(client, systeme_complet, admin_b, org_a, admin_a):
    """A → B → C : l'évaluation réexportée par B reste celle de A, avec les mêmes résultats."""
    client.force_login(admin_b)
    _televerser(client, "commune-b", portable.en_json(systeme_complet))
    de_b = portable.en_json(SystemeIA.objects.get(organisation__slug="commune-b"))
    org_c = fabrique.organisation("Commune C", slug="commune-c")
    admin_c = fabrique.membre(org_c, "administrateur", "admin-c@exemple.fr")
    client.force_login(admin_c)
    assert _televerser(client, "commune-c", de_b).status_code == 302
    chez_c = Evaluation.objects.get(organisation=org_c, instrument__code="girouet")
    assert chez_c.importee.origine == "Commune A"
    source = systeme_complet.evaluations.get(instrument__code="girouet")
    assert selectors.resultat(chez_c) == _sans_commentaires(selectors.resultat(source))


def _fichier_v1(systeme) -> dict:
    """Un fichier de la version 1 du format, tel que Balise l'écrivait : évaluations résumées."""
    donnees = portable.exporter(systeme)
    donnees["version"] = 1
    del donnees["fiche"]["mis_en_service_le"]  # champ de la version 3
    donnees["evaluations"] = [
        {
            "instrument": e["instrument"],
            "version_instrument": e["version_instrument"],
            "titre": e["titre"],
            "moment": e["moment"],
            "statut": "finalisee",
            "finalisee_le": e["finalisee_le"][:10],
            "evaluateurs": e["evaluateurs"],
            "completude": e["completude"],
            "sections": e["sections"],
        }
        for e in donnees["evaluations"]
    ]
    return donnees


def test_un_fichier_de_la_version_1_se_lit_encore(client, systeme_complet, admin_b):
    donnees = _fichier_v1(systeme_complet)
    jsonschema_rs.Draft202012Validator(json.loads(portable.schema_publie())).validate(donnees)
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", json.dumps(donnees).encode())
    assert reponse.status_code == 302
    importe = SystemeIA.objects.get(organisation__slug="commune-b")
    assert importe.qualifications.exists() and not importe.evaluations.exists()
    page = client.get(reponse["Location"]).content.decode()
    assert "Évaluations du fichier : 2" in page and "version 1 du format" in page


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


# --- Instrument absent ou différent ici ---------------------------------------------------------------


def _instrument_inconnu(d):
    d["evaluations"][0]["instrument"] = "grille-inventee"


def _autre_version(d):
    d["evaluations"][0]["version_instrument"] = 9


def _autre_contenu(d):
    d["evaluations"][0]["empreinte_instrument"] = "0" * 64


@pytest.mark.parametrize(
    ("modifier", "raison"),
    [
        (_instrument_inconnu, "l'instrument « grille-inventee » n'existe pas dans cette instance"),
        (
            _autre_version,
            "cette instance n'a pas la version 9 de cet instrument (versions disponibles ici : 1)",
        ),
        (_autre_contenu, "la version 1 de cet instrument n'a pas ici le même contenu"),
    ],
)
def test_instrument_absent_ici_refus_puis_import_sans_elle(
    client, systeme_complet, admin_b, modifier, raison
):
    donnees = portable.exporter(systeme_complet)
    modifier(donnees)
    contenu = json.dumps(donnees).encode()
    avant = instantane.photo()
    client.force_login(admin_b)
    refus = _televerser(client, "commune-b", contenu)
    assert refus.status_code == 400
    page = refus.content.decode().replace("&#x27;", "'")
    assert "L'évaluation « " in page and raison in page and "ne peut pas être importée" in page
    assert "cochez « Importer sans les évaluations dont l'instrument manque ici »" in page
    assert instantane.photo() == avant

    reponse = _televerser(client, "commune-b", contenu, sans_evaluations_absentes="on")
    assert reponse.status_code == 302
    importe = SystemeIA.objects.get(organisation__slug="commune-b")
    assert [e.instrument.code for e in importe.evaluations.all()] == ["matrice-inet"]
    suite = client.get(reponse["Location"]).content.decode().replace("&#x27;", "'")
    assert raison in suite and "Le reste du fichier est importé" in suite


def test_evaluation_d_un_instrument_adapte_par_l_origine(client, org_a, admin_a, systeme_a, admin_b):
    """Une adaptation de A porte un numéro de version que B n'a pas : l'évaluation ne se reprend pas."""
    girouet = _instrument("girouet")
    adapte = instruments.adapter(org_a, girouet, girouet.definition.model_dump_json(), admin_a, 1)
    evaluation = instruments.demarrer_evaluation(systeme_a, adapte, "amont", admin_a)
    instruments.coter(evaluation, admin_a, {"autonomie": Saisie(3)})
    instruments.finaliser(evaluation, admin_a)
    client.force_login(admin_b)
    refus = _televerser(client, "commune-b", portable.en_json(systeme_a))
    assert refus.status_code == 400
    assert "n'a pas la version 2 de cet instrument" in refus.content.decode().replace("&#x27;", "'")


# --- Fichiers hostiles ou falsifiés : refusés en français, rien d'écrit -----------------------------


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"\x00\x01 pas du json", "pas du JSON valide"),
        (b"[1, 2]", "pas un fichier portable de Balise"),
        (b"[" * 200_000, "pas du JSON valide"),
        (json.dumps({"format": "balise-systeme", "version": 7}).encode(), "version du format (7)"),
        (
            json.dumps({"format": "balise-systeme", "version": "2"}).encode(),
            "version du format (&#x27;2&#x27;)",
        ),
        (
            json.dumps({"format": "balise-systeme", "version": True}).encode(),
            "n&#x27;est pas prise en charge",
        ),
        (b"{" + b" " * (portable.TAILLE_MAX + 1) + b"}", "dépasse 1024 Ko"),
    ],
)
def test_fichiers_hostiles_refuses_rien_ecrit(client, org_b, admin_b, contenu, message):
    client.force_login(admin_b)
    avant = instantane.photo()
    reponse = _televerser(client, "commune-b", contenu)
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert instantane.photo() == avant


def _falsifie(donnees: dict) -> dict:
    donnees["qualification"]["reponses"] = {"question_inventee": "oui"}
    return donnees


def _score_gonfle(d):
    d["evaluations"][0]["sections"][0]["score"] = 3.9


def _reponse_changee(d):
    d["evaluations"][0]["reponses"][0]["valeur"] = 4


def _evaluateurs_gonfles(d):
    d["evaluations"][0]["profils"][0]["evaluateurs"] = 40
    d["evaluations"][0]["evaluateurs"] = 42


def _note_hors_echelle(d):
    d["evaluations"][0]["reponses"][0]["valeur"] = 9


def _point_invente(d):
    d["evaluations"][1]["points"].append({"profil": "elu", "x": 1, "y": 1, "nombre": 1})


def _date_sans_fuseau(d):
    d["evaluations"][0]["finalisee_le"] = "2026-11-20T10:00:00"


def _finalisee_apres_l_export(d):
    d["evaluations"][0]["finalisee_le"] = "2099-01-01T10:00:00+01:00"


def _trop_de_reponses(d):
    ligne = {
        "item": "autonomie",
        "profil": "agent",
        "valeur": 1,
        "sans_objet": False,
        "choix": [],
        "nombre": 500,
    }
    d["evaluations"][0]["reponses"] = [ligne] * 401


@pytest.mark.parametrize(
    ("modifier", "message"),
    [
        (lambda d: d["fiche"].update(domaine="astrologie"), "fiche.domaine : valeur non prévue"),
        (lambda d: d["fiche"].pop("nom"), "fiche.nom : champ obligatoire absent"),
        (lambda d: d.update(intrus=1), "intrus : champ inconnu"),
        (lambda d: d["fiche"].update(cout_annuel="-3"), "fiche.cout_annuel"),
        (_falsifie, "réponses de qualification du fichier ne sont pas valides"),
        (_score_gonfle, "score 3,90 annoncé, 2,17 d&#x27;après les réponses"),
        (_reponse_changee, "d&#x27;après les réponses"),
        (_evaluateurs_gonfles, "40 évaluateurs « Agent utilisateur » annoncés, mais 34 sans aucune réponse"),
        (
            lambda d: d["evaluations"][0].update(evaluateurs=5),
            "5 évaluateurs annoncés, 4 d&#x27;après les réponses",
        ),
        (_note_hors_echelle, "la note doit être entre 1 et 4"),
        (_point_invente, "des réponses du profil « Élu », qui n&#x27;a aucun évaluateur annoncé"),
        (_date_sans_fuseau, "evaluations.0.finalisee_le : doit porter son fuseau horaire"),
        (_finalisee_apres_l_export, "elle serait finalisée après la date du fichier"),
        (_trop_de_reponses, "plus de 200\u202f000 réponses d&#x27;évaluateurs"),
        (
            lambda d: d["evaluations"][0]["profils"].append(d["evaluations"][0]["profils"][0]),
            "compté deux fois",
        ),
    ],
)
def test_schema_reponses_ou_resultats_faux_refuses_rien_ecrit(
    client, systeme_complet, admin_b, modifier, message
):
    donnees = portable.exporter(systeme_complet)
    modifier(donnees)
    avant = instantane.photo()
    client.force_login(admin_b)
    reponse = _televerser(client, "commune-b", json.dumps(donnees).encode(), sans_evaluations_absentes="on")
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert instantane.photo() == avant


def test_resultats_falsifies_le_message_dit_quoi_et_rien_n_est_importe(client, systeme_complet, admin_b):
    donnees = portable.exporter(systeme_complet)
    _score_gonfle(donnees)
    client.force_login(admin_b)
    page = (
        _televerser(client, "commune-b", json.dumps(donnees).encode()).content.decode().replace("&#x27;", "'")
    )
    assert (
        "L'évaluation « Girouet" in page
        and "ne tient pas : section « " in page
        and "Le fichier a pu être modifié après son export ; rien n'a été importé." in page
    )
    assert not ProvenanceEvaluation.objects.exists()


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
