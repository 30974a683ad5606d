"""La date de mise en service d'un système : saisie (formulaire, API) bornée et refusée en français sans
rien changer, remplie au passage en production sans jamais écraser une saisie, proposée par le
formulaire d'après le cycle de vie, reprise par la qualification (JSON, réponse datée pré-remplie)."""

import json
from datetime import date, timedelta

import jsonschema_rs
import pytest
from django.urls import reverse
from django.utils import timezone

from balise.conformite import services as conformite
from balise.conformite.regles import lire
from balise.registre import portable, services
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA
from tests import fabrique, instantane
from tests.test_regles_versions import MINIMAL_V2

BORNES = "La date de mise en service doit être comprise entre le 01/01/1950 et le 31/12/2100."


def _saisie(systeme: SystemeIA, **changes) -> dict:
    champs = {c: getattr(systeme, c) for c in services.CHAMPS_SAISIS}
    return {**{c: ("" if v is None else v) for c, v in champs.items()}, "version": systeme.version, **changes}


def _en_production(systeme: SystemeIA, par) -> SystemeIA:
    """Décision → production, porte passée par un administrateur qui la justifie (tests/test_portes.py)."""
    SystemeIA.objects.filter(pk=systeme.pk).update(stade=Stade.DECISION)
    systeme.refresh_from_db()
    return services.changer_stade(
        systeme.pk, Stade.PRODUCTION, "", par, systeme.version, justification="Reprise de l'existant"
    )


# --- Formulaire de la fiche ----------------------------------------------------------------------------


def test_formulaire_enregistre_la_date_et_la_fiche_la_montre(client, systeme_a, referent_a):
    client.force_login(referent_a)
    adresse = reverse("registre:modifier", args=["commune-a", systeme_a.pk])
    page = client.get(adresse).content.decode()
    assert 'type="date"' in page and 'name="mis_en_service_le"' in page and "Mise en service" in page
    reponse = client.post(adresse, _saisie(systeme_a, mis_en_service_le="2024-03-12"))
    assert reponse.status_code == 302
    systeme_a.refresh_from_db()
    assert systeme_a.mis_en_service_le == date(2024, 3, 12)
    assert systeme_a.history.latest().mis_en_service_le == date(2024, 3, 12)
    assert systeme_a.history.latest().history_user == referent_a
    fiche = client.get(reverse("registre:detail", args=["commune-a", systeme_a.pk])).content.decode()
    assert "Date de mise en service" in fiche and "12/03/2024" in fiche
    historique = client.get(reverse("registre:historique", args=["commune-a", systeme_a.pk])).content.decode()
    assert "date de mise en service" in historique and "2024-03-12" in historique


def test_fiche_sans_date_le_dit(client, systeme_a, referent_a):
    client.force_login(referent_a)
    fiche = client.get(reverse("registre:detail", args=["commune-a", systeme_a.pk])).content.decode()
    assert "Date de mise en service</dt><dd>Non renseignée" in fiche


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("1949-12-31", BORNES),
        ("2101-01-01", BORNES),
        ("2024-02-30", "Saisissez une date valide."),
        ("mars 2024", "Saisissez une date valide."),
    ],
)
def test_formulaire_refuse_une_date_hors_bornes_ou_illisible(client, systeme_a, referent_a, saisie, message):
    services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": date(2020, 1, 6)}, 1, referent_a)
    systeme_a.refresh_from_db()
    client.force_login(referent_a)
    adresse = reverse("registre:modifier", args=["commune-a", systeme_a.pk])
    avant = instantane.photo()
    reponse = client.post(adresse, _saisie(systeme_a, mis_en_service_le=saisie, nom="Autre nom"))
    assert reponse.status_code == 200
    assert message in reponse.content.decode()
    assert instantane.photo() == avant
    systeme_a.refresh_from_db()
    assert systeme_a.mis_en_service_le == date(2020, 1, 6) and systeme_a.nom == "Détection des fuites"


def test_les_bornes_sont_acceptees(systeme_a, referent_a):
    s = services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": date(1950, 1, 1)}, 1, referent_a)
    s = services.modifier_systeme(s.pk, {"mis_en_service_le": date(2100, 12, 31)}, s.version, referent_a)
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le == date(2100, 12, 31)


# --- API --------------------------------------------------------------------------------------------------


def test_api_ecrit_lit_et_efface_la_date(api, systeme_a):
    cree = api("POST", "/systemes", {**fabrique.FICHE_MINIMALE, "mis_en_service_le": "2025-09-01"})
    assert cree.status_code == 201, cree.content
    assert cree.json()["mis_en_service_le"] == "2025-09-01"
    assert SystemeIA.objects.get(pk=cree.json()["id"]).mis_en_service_le == date(2025, 9, 1)
    sans = api("POST", "/systemes", fabrique.FICHE_MINIMALE)
    assert sans.status_code == 201 and sans.json()["mis_en_service_le"] is None
    chemin = f"/systemes/{systeme_a.pk}"
    change = api("PATCH", chemin, {"version": 1, "mis_en_service_le": "2024-03-12"})
    assert change.status_code == 200 and change.json()["mis_en_service_le"] == "2024-03-12"
    assert api("GET", chemin, None).json()["mis_en_service_le"] == "2024-03-12"
    autre = api("PATCH", chemin, {"version": 2, "nom": "Renommée"})
    assert autre.json()["mis_en_service_le"] == "2024-03-12"  # un champ omis ne change pas
    efface = api("PATCH", chemin, {"version": 3, "mis_en_service_le": None})
    assert efface.status_code == 200 and efface.json()["mis_en_service_le"] is None


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("1949-12-31", BORNES),
        ("2101-01-01", BORNES),
        ("0024-03-12", BORNES),
        ("2024-02-30", "La date de mise en service « 2024-02-30 » n'existe pas au calendrier."),
        ("12/03/2024", "Date de mise en service illisible : une date s'écrit AAAA-MM-JJ (2026-03-01)."),
        ("2024-03-12T10:00:00", "Date de mise en service illisible"),
        (20240312, "Date de mise en service illisible"),
        (True, "Date de mise en service illisible"),
    ],
)
def test_api_refuse_en_422_en_francais_sans_rien_changer(api, systeme_a, valeur, message):
    SystemeIA.objects.filter(pk=systeme_a.pk).update(mis_en_service_le=date(2020, 1, 6))
    avant = instantane.photo()
    for methode, chemin, corps in (
        ("PATCH", f"/systemes/{systeme_a.pk}", {"version": 1, "nom": "Autre", "mis_en_service_le": valeur}),
        ("POST", "/systemes", {**fabrique.FICHE_MINIMALE, "mis_en_service_le": valeur}),
    ):
        reponse = api(methode, chemin, corps)
        assert reponse.status_code == 422, reponse.content
        corps_reponse = reponse.json()
        assert corps_reponse["message"] == "Données invalides."
        [erreur] = corps_reponse["erreurs"]
        assert erreur["loc"][-1] == "mis_en_service_le" and erreur["msg"].startswith(message)
    assert instantane.photo() == avant


def test_le_document_openapi_borne_la_date(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    for nom in ("SystemeEntree", "SystemeModification"):
        date_, nul = schema[nom]["properties"]["mis_en_service_le"]["anyOf"]
        assert date_["format"] == "date" and nul == {"type": "null"}
        assert date_["pattern"] == r"^(19[5-9][0-9]|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


# --- Cycle de vie ---------------------------------------------------------------------------------------


def test_le_passage_en_production_remplit_la_date_une_seule_fois(systeme_a, admin_a):
    s = _en_production(systeme_a, admin_a)
    jour = timezone.localdate()
    assert s.mis_en_service_le == jour
    passage = ChangementStade.objects.get(systeme=s, vers=Stade.PRODUCTION)
    assert timezone.localdate(passage.le) == jour
    # Dans le même enregistrement que le stade, attribué à la même personne.
    version = s.history.latest()
    assert (version.stade, version.mis_en_service_le, version.history_user) == ("production", jour, admin_a)
    assert s.history.filter(mis_en_service_le__isnull=False).count() == 1
    # Arrêt, décision de relancer, nouvelle production : la première date reste.
    SystemeIA.objects.filter(pk=s.pk).update(mis_en_service_le=date(2023, 5, 2))
    s = services.changer_stade(s.pk, Stade.ARRET, "Pause", admin_a, s.version)
    s = services.changer_stade(s.pk, Stade.DECISION, "", admin_a, s.version)
    s = services.changer_stade(s.pk, Stade.PRODUCTION, "", admin_a, s.version, justification="Relance")
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le == date(2023, 5, 2)


def test_le_passage_en_production_n_ecrase_pas_une_date_saisie(systeme_a, referent_a, admin_a):
    prevue = date(2031, 1, 15)  # une date prévue, saisie avant la production
    services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": prevue}, 1, referent_a)
    s = _en_production(SystemeIA.objects.get(pk=systeme_a.pk), admin_a)
    assert s.stade == Stade.PRODUCTION
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le == prevue


def test_les_autres_stades_ne_touchent_pas_la_date(systeme_a, referent_a):
    s = services.changer_stade(systeme_a.pk, Stade.ETUDE, "", referent_a, 1)
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le is None


def test_le_formulaire_propose_le_jour_du_passage_en_production(client, systeme_a, admin_a):
    s = _en_production(systeme_a, admin_a)
    il_y_a_un_an = timezone.now() - timedelta(days=365)
    ChangementStade.objects.filter(systeme=s).update(le=il_y_a_un_an)
    s = services.modifier_systeme(s.pk, {"mis_en_service_le": None}, s.version, admin_a)
    jour = timezone.localdate(il_y_a_un_an)
    client.force_login(admin_a)
    adresse = reverse("registre:modifier", args=["commune-a", s.pk])
    page = client.get(adresse).content.decode()
    assert f'value="{jour:%Y-%m-%d}"' in page
    assert f"Proposée d'après le passage en production du {jour:%d/%m/%Y}" in page
    # Proposée seulement : rien n'est écrit tant que la personne n'enregistre pas.
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le is None
    reponse = client.post(adresse, _saisie(s, mis_en_service_le=f"{jour:%Y-%m-%d}"))
    assert reponse.status_code == 302
    assert SystemeIA.objects.get(pk=s.pk).mis_en_service_le == jour
    # Une date enregistrée n'est plus « proposée ».
    assert "Proposée d'après" not in client.get(adresse).content.decode()


def test_sans_passage_en_production_rien_n_est_propose(client, systeme_a, referent_a):
    client.force_login(referent_a)
    page = client.get(reverse("registre:modifier", args=["commune-a", systeme_a.pk])).content.decode()
    assert "Proposée d'après" not in page
    assert 'name="mis_en_service_le"' in page and 'name="mis_en_service_le" value=' not in page


# --- Exports -----------------------------------------------------------------------------------------------


def test_l_export_du_registre_interne_donne_la_date(org_a, referent_a):
    from balise.rapports import exports

    fabrique.systeme(org_a, referent_a, nom="A", mis_en_service_le=date(2024, 3, 12))
    fabrique.systeme(org_a, referent_a, nom="B")
    lignes = exports.produire(org_a, "registre", "csv").decode("utf-8-sig").splitlines()
    colonne = lignes[0].split(";").index("Mis en service le")
    assert [ligne.split(";")[colonne] for ligne in lignes[1:]] == ["12/03/2024", ""]


def test_le_registre_public_ne_publie_pas_la_date(client, org_a, admin_a):
    s = fabrique.systeme(org_a, admin_a, contribution_decision="Aide.", mis_en_service_le=date(2024, 3, 12))
    services.publier(s.pk, True, admin_a, s.version)
    publie = client.get("/public/commune-a/registre.json").json()["systemes"]
    assert len(publie) == 1 and "2024-03-12" not in json.dumps(publie)


# --- Fichier portable ------------------------------------------------------------------------------------


def _relire(donnees: dict):
    return portable.lire(json.dumps(donnees).encode())


def test_le_fichier_portable_transporte_la_date(org_a, org_b, referent_a, admin_b):
    s = fabrique.systeme(org_a, referent_a, mis_en_service_le=date(2024, 3, 12))
    donnees = portable.exporter(s)
    assert (donnees["version"], donnees["fiche"]["mis_en_service_le"]) == (3, "2024-03-12")
    jsonschema_rs.Draft202012Validator(json.loads(portable.schema_publie())).validate(donnees)
    importe = portable.importer(org_b, _relire(donnees), "Mme Roux, DGS", admin_b).systeme
    assert SystemeIA.objects.get(pk=importe.pk).mis_en_service_le == date(2024, 3, 12)


def test_un_fichier_de_la_version_2_se_lit_encore_sans_date(org_a, org_b, referent_a, admin_b):
    donnees = portable.exporter(fabrique.systeme(org_a, referent_a))
    donnees["version"] = 2
    del donnees["fiche"]["mis_en_service_le"]
    jsonschema_rs.Draft202012Validator(json.loads(portable.schema_publie())).validate(donnees)
    importe = portable.importer(org_b, _relire(donnees), "Mme Roux, DGS", admin_b).systeme
    assert SystemeIA.objects.get(pk=importe.pk).mis_en_service_le is None
    # La version 2 ne connaît pas le champ : le porter, c'est se tromper de version.
    donnees["fiche"]["mis_en_service_le"] = "2024-03-12"
    with pytest.raises(portable.FichierRefuse) as refus:
        _relire(donnees)
    assert "fiche.mis_en_service_le : champ inconnu" in " ".join(refus.value.erreurs)


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("1949-12-31", f"fiche.mis_en_service_le : {BORNES}"),
        ("12/03/2024", "fiche.mis_en_service_le : doit être une date (AAAA-MM-JJ)"),
    ],
)
def test_le_fichier_portable_refuse_une_date_hors_bornes(org_a, referent_a, valeur, message):
    donnees = portable.exporter(fabrique.systeme(org_a, referent_a))
    donnees["fiche"]["mis_en_service_le"] = valeur
    with pytest.raises(portable.FichierRefuse) as refus:
        _relire(donnees)
    assert message in refus.value.erreurs


# --- Qualification -------------------------------------------------------------------------------------

# Les règles minimales des tests du schéma v2, dont la question-date se pré-remplit depuis la fiche.
REGLES_DATEES = MINIMAL_V2.replace(
    "type: date, si: {systeme_ia: oui}", "type: date, si: {systeme_ia: oui}, prerempli: mis_en_service_le"
)


@pytest.fixture
def regles():
    return lire(REGLES_DATEES)


def test_donnees_du_registre_en_json_avec_la_date_iso(regles, systeme_a, referent_a):
    services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": date(2024, 3, 12)}, 1, referent_a)
    systeme_a.refresh_from_db()
    donnees = conformite.donnees_du_registre(regles, systeme_a)
    assert donnees["mis_en_service_le"] == "2024-03-12"
    assert json.loads(json.dumps(donnees)) == donnees


def test_preremplir_une_question_datee(regles, systeme_a, referent_a):
    assert "mise_en_service" not in conformite.preremplir(regles, systeme_a)  # pas de date : rien
    services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": date(2024, 3, 12)}, 1, referent_a)
    systeme_a.refresh_from_db()
    assert conformite.preremplir(regles, systeme_a)["mise_en_service"] == "2024-03-12"
    # Une valeur déjà en texte ISO (données gardées en JSON) donne la même réponse ; un texte illisible, aucune.
    systeme_a.mis_en_service_le = "2024-03-12"
    assert conformite.preremplir(regles, systeme_a)["mise_en_service"] == "2024-03-12"
    systeme_a.mis_en_service_le = "12/03/2024"
    assert "mise_en_service" not in conformite.preremplir(regles, systeme_a)
    # Le moteur accepte la réponse pré-remplie.
    systeme_a.refresh_from_db()
    reponses = {"systeme_ia": "oui", **conformite.preremplir(regles, systeme_a)}
    assert "deja_en_service" in [
        c.conclusion.id for c in conformite.moteur.qualifier(regles, reponses).conclusions
    ]


def test_la_date_changee_fait_requalifier(regles, systeme_a, referent_a, monkeypatch):
    monkeypatch.setattr(conformite, "regles_de_version", lambda _numero: regles)
    s = services.modifier_systeme(systeme_a.pk, {"mis_en_service_le": date(2024, 3, 12)}, 1, referent_a)
    q = conformite.qualifier(s, regles, {"systeme_ia": "oui", "mise_en_service": "2024-03-12"}, referent_a)
    assert q.donnees_registre["mis_en_service_le"] == "2024-03-12"
    # Relue en JSON, la date gardée vaut celle du moment : enregistrer la fiche sans la changer ne signale rien.
    s = services.modifier_systeme(s.pk, {"nom": "Renommée"}, s.version, referent_a)
    q.refresh_from_db()
    assert not q.a_requalifier
    services.modifier_systeme(s.pk, {"mis_en_service_le": date(2028, 1, 3)}, s.version, referent_a)
    q.refresh_from_db()
    assert q.a_requalifier and "mis_en_service_le" in q.motif_requalification
