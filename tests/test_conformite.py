"""Qualification enregistrée, obligations suivies, signalement à requalifier, pages et API."""

import json

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from balise import versions
from balise.comptes.models import JetonAPI
from balise.conformite import moteur, regles, selectors, services
from balise.conformite.categories import Categorie
from balise.conformite.models import ObligationSuivie, Qualification
from balise.conformite.regles import en_vigueur
from balise.registre import services as registre
from tests import fabrique, instantane

REGLES = en_vigueur()


def _cas_avec_obligations(minimum: int = 2):
    """Un cas d'école des règles qui produit plusieurs obligations (le plus riche)."""
    return max(REGLES.cas, key=lambda c: len(moteur.qualifier(REGLES, c.reponses).obligations))


def _autre_cas(cas):
    """Un cas dont les obligations diffèrent : pour vérifier qu'une requalification les met à jour."""
    produites = {o.obligation.id for o in moteur.qualifier(REGLES, cas.reponses).obligations}
    return next(
        c
        for c in REGLES.cas
        if {o.obligation.id for o in moteur.qualifier(REGLES, c.reponses).obligations} < produites
    )


@pytest.fixture
def dpo_a(org_a):
    return fabrique.membre(org_a, "dpo", "dpo-a@exemple.fr")


def test_qualifier_cree_les_obligations_avec_echeance_et_responsable(systeme_a, referent_a, dpo_a):
    cas = _cas_avec_obligations()
    qualification = services.qualifier(systeme_a, REGLES, cas.reponses, referent_a)
    attendu = moteur.qualifier(REGLES, cas.reponses)
    assert qualification.conclusions == [c.conclusion.id for c in attendu.conclusions]
    assert qualification.version_regles == REGLES.version
    suivies = {o.code: o for o in ObligationSuivie.objects.filter(systeme=systeme_a)}
    assert set(suivies) == {o.obligation.id for o in attendu.obligations}
    for retenue in attendu.obligations:
        suivie = suivies[retenue.obligation.id]
        assert suivie.echeance == retenue.echeance and suivie.statut == "a_faire"
        attendu_responsable = {"dpo": dpo_a, "referent": referent_a}.get(retenue.obligation.responsable)
        if attendu_responsable:
            assert suivie.responsable == attendu_responsable


def test_requalifier_garde_l_etat_et_retire_ce_qui_ne_s_applique_plus(systeme_a, referent_a):
    cas = _cas_avec_obligations()
    services.qualifier(systeme_a, REGLES, cas.reponses, referent_a)
    gardee = ObligationSuivie.objects.filter(systeme=systeme_a).first()
    services.modifier_obligation(
        gardee.pk, {"statut": "faite", "preuve_lien": "https://exemple.fr/preuve"}, 1, referent_a
    )
    autre = _autre_cas(cas)
    services.qualifier(systeme_a, REGLES, autre.reponses, referent_a)
    restantes = {o.obligation.id for o in moteur.qualifier(REGLES, autre.reponses).obligations}
    for o in ObligationSuivie.objects.filter(systeme=systeme_a):
        assert o.applicable == (o.code in restantes)
    gardee.refresh_from_db()
    assert gardee.statut == "faite" and gardee.preuve_lien == "https://exemple.fr/preuve"
    assert Qualification.objects.filter(systeme=systeme_a).count() == 2


def test_qualification_incomplete_ou_falsifiee_refusee(systeme_a, referent_a):
    with pytest.raises(ValidationError, match="sans réponse"):
        services.qualifier(systeme_a, REGLES, {}, referent_a)
    with pytest.raises(ValidationError, match="n'existe pas"):
        services.qualifier(systeme_a, REGLES, {"question_inventee": "oui"}, referent_a)
    assert not Qualification.objects.exists() and not ObligationSuivie.objects.exists()


def test_le_registre_change_le_systeme_est_a_requalifier(systeme_a, referent_a):
    cas = _cas_avec_obligations()
    qualification = services.qualifier(systeme_a, REGLES, cas.reponses, referent_a)
    registre.modifier_systeme(systeme_a.pk, {"service": "Autre service"}, systeme_a.version, referent_a)
    qualification.refresh_from_db()
    assert not qualification.a_requalifier  # une donnée que la qualification n'utilise pas
    systeme_a.refresh_from_db()
    registre.changer_stade(systeme_a.pk, "etude", "", referent_a, systeme_a.version)
    qualification.refresh_from_db()
    assert qualification.a_requalifier and "stade" in qualification.motif_requalification
    # Hors requête (service appelé par une commande), le signalement est attribué à qui a changé la fiche.
    assert qualification.history.latest().history_user == referent_a
    assert list(selectors.a_requalifier(systeme_a.organisation)) == [qualification]
    # Requalifier efface le signalement.
    services.qualifier(systeme_a, REGLES, cas.reponses, referent_a)
    assert not selectors.a_requalifier(systeme_a.organisation).exists()


def test_obligation_modifiee_a_deux_sans_ecrasement(systeme_a, referent_a, admin_a):
    services.qualifier(systeme_a, REGLES, _cas_avec_obligations().reponses, referent_a)
    o = ObligationSuivie.objects.filter(systeme=systeme_a).first()
    services.modifier_obligation(o.pk, {"statut": "en_cours"}, 1, referent_a)
    with pytest.raises(versions.ConflitEdition):
        services.modifier_obligation(o.pk, {"statut": "faite"}, 1, admin_a)
    o.refresh_from_db()
    assert o.statut == "en_cours"


def test_preuve_et_responsable_d_une_autre_organisation_refuses(systeme_a, referent_a, org_b, admin_b):
    services.qualifier(systeme_a, REGLES, _cas_avec_obligations().reponses, referent_a)
    o = ObligationSuivie.objects.filter(systeme=systeme_a).first()
    document_b = instantane.document(fabrique.systeme(org_b, admin_b), admin_b)
    with pytest.raises(ValidationError, match="document de ce système"):
        services.modifier_obligation(o.pk, {"preuve_document": document_b}, 1, referent_a)
    with pytest.raises(ValidationError, match="membre de l'organisation"):
        services.modifier_obligation(o.pk, {"responsable": admin_b}, 1, referent_a)


# --- Pages -----------------------------------------------------------------------------------------


def test_questionnaire_pose_les_questions_au_fil_des_reponses(client, org_a, referent_a, systeme_a):
    client.force_login(referent_a)
    url = f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/questionnaire/"
    page = client.get(url)
    assert page.status_code == 200
    premiere = REGLES.questions[0]
    assert premiere.texte.replace("'", "&#x27;") in page.content.decode()
    # Une réponse falsifiée est refusée, rien n'est enregistré.
    assert (
        client.post(url, {"affichees": premiere.id, f"q-{premiere.id}": "valeur-inventee"}).status_code == 400
    )
    # Le cas d'école complet : la page ajoute les questions qui se posent, jusqu'à l'enregistrement.
    cas = _cas_avec_obligations()
    donnees = {f"q-{qid}": valeur for qid, valeur in cas.reponses.items()}
    affichees = [q.id for q in moteur.questions_a_poser(REGLES, services.preremplir(REGLES, systeme_a))]
    for _ in range(len(REGLES.questions)):
        reponse = client.post(url, {**donnees, "affichees": ",".join(affichees)})
        if reponse.status_code != 200:
            break
        affichees = [q.id for q in reponse.context["form"].questions]
    assert reponse.status_code == 302
    assert Qualification.objects.get(systeme=systeme_a).conclusions == sorted(
        cas.conclusions, key=[c.id for c in REGLES.conclusions].index
    )
    page = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/").content.decode()
    assert "Parce que" in page and REGLES.avertissement[:40].replace("'", "&#x27;") in page
    # Le résultat s'ouvre sur la position de la collectivité : son rôle, sa catégorie, ses obligations.
    position = moteur.qualifier(REGLES, cas.reponses).position
    # (Les règles v1, rejouées à l'identique, ne marquent pas le rôle : il vient des règles v2.)
    role = {"deployeur": ", déployeur du système", "fournisseur": ", fournisseur du système", None: ""}
    titre = f"Pour la collectivité{role[position.role]} : {Categorie(position.categorie).label.lower()}"
    assert titre.replace("'", "&#x27;") in page
    assert page.index(titre.replace("'", "&#x27;")) < page.index("Parce que")
    assert all(o.obligation.titre.replace("'", "&#x27;") in page for o in position.obligations)
    obligations = client.get(f"/o/{org_a.slug}/obligations/?filtre=toutes").content.decode()
    assert systeme_a.nom in obligations


def test_lecteur_voit_mais_ne_qualifie_pas(client, org_a, lecteur_a, systeme_a):
    client.force_login(lecteur_a)
    assert client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/").status_code == 200
    assert (
        client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/questionnaire/").status_code == 403
    )


# --- API -------------------------------------------------------------------------------------------


def _api(corps, jeton=None):
    entetes = {"authorization": f"Bearer {jeton}"} if jeton else {}
    return Client().post(
        "/api/conformite/qualification", json.dumps(corps), content_type="application/json", headers=entetes
    )


@pytest.mark.parametrize("cas", REGLES.cas, ids=[c.nom for c in REGLES.cas])
def test_api_rejoue_chaque_cas_d_ecole(admin_a, cas):
    _, jeton = JetonAPI.emettre(admin_a, "juriste")
    reponse = _api({"reponses": cas.reponses, "qualifiee_le": "2026-11-22"}, jeton)
    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert corps["complete"] and corps["version_regles"] == REGLES.version
    assert {c["id"] for c in corps["conclusions"]} == set(cas.conclusions)
    assert set(cas.obligations) <= {o["id"] for o in corps["obligations"]}
    assert all(c["references"] and c["references"][0]["article"] for c in corps["conclusions"])


def test_api_refuse_les_reponses_falsifiees_et_les_anonymes(admin_a):
    _, jeton = JetonAPI.emettre(admin_a, "juriste")
    reponse = _api({"reponses": {"question_inventee": "oui"}}, jeton)
    assert reponse.status_code == 400 and "n'existe pas" in reponse.json()["message"]
    assert _api({"reponses": {}}).status_code == 401


@pytest.mark.parametrize(("agents", "attendu"), [(49, "non"), (50, "oui"), (1150, "oui")])
def test_preremplissage_depuis_la_fiche_et_l_organisation(org_a, referent_a, agents, attendu):
    org_a.nombre_agents = agents
    org_a.save()
    systeme = fabrique.systeme(org_a, referent_a, donnees_personnelles=True, type_ia="generative")
    reponses = services.preremplir(REGLES, systeme)
    assert reponses["donnees_personnelles"] == "oui"
    assert reponses["type_ia"] == "generative"
    assert reponses["au_moins_50_agents"] == attendu


def test_api_publie_les_regles_en_vigueur_sans_compte():
    """Les règles sont du droit mis en données : une autre autorité les lit sans compte."""
    reponse = Client().get("/api/conformite/regles")
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["version"] == REGLES.version
    assert [q["id"] for q in corps["questions"]] == [q.id for q in REGLES.questions]


def test_api_sert_chaque_version_des_regles_en_lecture_seule(db):
    versions = Client().get("/api/conformite/regles/versions").json()
    assert [v["version"] for v in versions] == sorted(regles.fichiers())
    assert [v["version"] for v in versions if v["en_vigueur"]] == [REGLES.version]
    for numero in regles.fichiers():
        corps = Client().get(f"/api/conformite/regles/{numero}").json()
        assert corps == json.loads(json.dumps(regles.version(numero).model_dump(mode="json")))
    absente = Client().get("/api/conformite/regles/999")
    assert (
        absente.status_code == 404
        and absente.json()["message"] == "Il n'y a pas de règles de qualification v999."
    )
    assert Client().get("/api/conformite/regles/0").status_code == 422
    for methode in ("post", "put", "patch", "delete"):
        assert getattr(Client(), methode)("/api/conformite/regles/1").status_code == 405


def test_le_schema_des_regles_est_publie_et_chaque_version_le_suit():
    publie = json.loads(regles.schema_publie())
    assert publie == json.loads(json.dumps(regles.schema())), (
        "schéma publié périmé : réécrivez balise/conformite/regles/schema-regles.json avec "
        "json.dumps(regles.schema(), ensure_ascii=False, indent=2)"
    )
    validateur = jsonschema_rs.Draft202012Validator(publie)
    for numero in regles.fichiers():
        validateur.validate(json.loads(json.dumps(regles.version(numero).model_dump(mode="json"))))
    reponse = Client().get("/public/schema/regles-qualification.json")
    assert reponse.status_code == 200 and reponse["Access-Control-Allow-Origin"] == "*"
    assert json.loads(reponse.content) == publie


def test_api_rejoue_une_qualification_avec_la_version_demandee(admin_a):
    _, jeton = JetonAPI.emettre(admin_a, "juriste")
    entetes = {"authorization": f"Bearer {jeton}"}
    cas = regles.version(1).cas[0]
    corps = {"reponses": cas.reponses, "qualifiee_le": "2026-11-22", "version_regles": 1}
    reponse = Client().post(
        "/api/conformite/qualification", corps, content_type="application/json", headers=entetes
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["version_regles"] == 1
    assert sorted(c["id"] for c in reponse.json()["conclusions"]) == sorted(cas.conclusions)
    corps["version_regles"] = 999
    reponse = Client().post(
        "/api/conformite/qualification", corps, content_type="application/json", headers=entetes
    )
    assert reponse.status_code == 422
    assert "Versions des règles livrées : " in json.dumps(reponse.json(), ensure_ascii=False)


def test_une_seule_regle_du_retard_affichee_et_comptee(client, org_a, referent_a, systeme_a):
    """Le badge « en retard » (fiche du système, liste des obligations) et le compte du filtre suivent
    la même règle : échéance passée, ni faite ni sans objet ; l'échéance du jour n'est pas en retard."""
    from datetime import timedelta

    from django.utils import timezone

    services.qualifier(systeme_a, REGLES, _cas_avec_obligations().reponses, referent_a)
    aujourd_hui = timezone.localdate()
    toutes = ObligationSuivie.objects.filter(systeme=systeme_a)
    toutes.update(echeance=aujourd_hui + timedelta(days=200))
    o1, o2, o3, *_ = toutes.order_by("pk")
    ObligationSuivie.objects.filter(pk=o1.pk).update(echeance=aujourd_hui - timedelta(days=1))
    ObligationSuivie.objects.filter(pk=o2.pk).update(echeance=aujourd_hui - timedelta(days=1), statut="faite")
    ObligationSuivie.objects.filter(pk=o3.pk).update(echeance=aujourd_hui)
    en_retard = [o.pk for o in selectors.obligations_du_systeme(systeme_a, aujourd_hui) if o.en_retard]
    assert en_retard == [o1.pk]
    liste, tableau = selectors.obligations(org_a, "en_retard", aujourd_hui)
    assert [o.pk for o in liste] == [o1.pk] and tableau.en_retard == 1
    client.force_login(referent_a)
    for page in (f"/o/commune-a/registre/{systeme_a.pk}/qualification/", "/o/commune-a/obligations/"):
        html = client.get(page).content.decode()
        assert html.count(">en retard</span>") == 1, page


def test_un_systeme_qualifie_en_v1_se_voit_proposer_la_requalification_sans_rien_perdre(
    client, org_a, referent_a, systeme_a
):
    """Issue 16 : la qualification v1 reste telle qu'elle a été donnée ; la page propose les nouvelles
    règles et dit ce qui change ; le questionnaire ne reprend que les réponses qu'elles comprennent."""
    v1 = regles.version(1)
    cas = next(c for c in v1.cas if "annexe_iii" in c.reponses and c.obligations)
    ancienne = services.qualifier(systeme_a, v1, cas.reponses, referent_a)
    obligations_v1 = sorted(ObligationSuivie.objects.filter(systeme=systeme_a).values_list("code", flat=True))
    assert REGLES.version > 1
    client.force_login(referent_a)
    page = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/").content.decode()
    assert f"Nouvelles règles de qualification (v{REGLES.version}" in page
    assert f"Requalifier avec les règles v{REGLES.version}" in page
    assert all(n.replace("'", "&#x27;") in page for n in REGLES.nouveautes)
    # Rien n'a changé sans requalification : conclusions et obligations v1, relues avec la v1.
    relue = selectors.relire(ancienne)
    assert relue.regles.version == 1 and [c.conclusion.id for c in relue.conclusions] == ancienne.conclusions
    assert (
        sorted(ObligationSuivie.objects.filter(systeme=systeme_a).values_list("code", flat=True))
        == obligations_v1
    )
    assert systeme_a.nom in client.get(f"/o/{org_a.slug}/obligations/").content.decode()
    # Le questionnaire v2 ne reprend pas la question retirée de l'annexe III.
    questionnaire = selectors.questionnaire(systeme_a)
    assert questionnaire.regles.version == REGLES.version
    assert "annexe_iii" not in questionnaire.connues and "systeme_ia" in questionnaire.connues
    # Requalifié avec la v2 : la proposition disparaît.
    v2 = next(c for c in REGLES.cas if c.nom == cas.nom)
    services.qualifier(systeme_a, REGLES, v2.reponses, referent_a)
    page = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/").content.decode()
    assert "Nouvelles règles de qualification" not in page
