"""Les écritures des conventions de mutualisation par l'API (balise/api/mutualisation.py) : proposer,
demander, signer, refuser, y mettre fin, partager son portefeuille. Exactement les droits des pages
(GERER_MEMBRES, de chaque côté) ; chaque refus laisse la base inchangée, conventions et leur historique
compris (ils ne sont pas dans `instantane.photo()`)."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from balise.api.api import api as api_ninja
from balise.comptes.models import JetonAPI
from balise.mutualisation import services
from balise.mutualisation.models import Convention
from balise.organisations.models import EvenementJournal
from tests import fabrique, instantane

AUJOURD_HUI = timezone.localdate
BASE = "/api/organisations/"
MESSAGE_ROLE = "Votre rôle dans cette organisation ne permet pas cette action."


@pytest.fixture
def agglo(db):
    return fabrique.organisation("Agglomération du Val", slug="agglo", type="epci", siren="200000172")


@pytest.fixture
def admin_agglo(agglo):
    return fabrique.membre(agglo, "administrateur", "admin@agglo.fr")


@pytest.fixture
def referent_agglo(agglo):
    return fabrique.membre(agglo, "referent", "referent@agglo.fr")


class Appelant:
    """Les appels d'une personne, au jeton émis d'avance : un instantané de la base ne voit que l'appel."""

    def __init__(self, personne) -> None:
        self.secret = JetonAPI.emettre(personne, "intégration")[1]
        self.client = Client(enforce_csrf_checks=True)

    def __call__(self, methode: str, adresse: str, corps=None, brut: str | None = None):
        contenu = brut if brut is not None else ("" if corps is None else json.dumps(corps))
        return self.client.generic(
            methode,
            BASE + adresse,
            contenu,
            content_type="application/json",
            headers={"authorization": f"Bearer {self.secret}"},
        )


def _termes(**autres) -> dict:
    return {
        "objet": "Accompagnement du registre et de la qualification",
        "role": "referent",
        "debut": AUJOURD_HUI().isoformat(),
        "fin": None,
        "deliberations": "Délibération 2026-14 du conseil communautaire",
        **autres,
    }


def _termes_service(**autres) -> dict:
    return {
        "objet": "Accompagnement",
        "role": "referent",
        "debut": AUJOURD_HUI(),
        "fin": None,
        **autres,
    }


def _etat():
    """La base photographiée, plus les conventions et leurs versions historisées."""
    return (
        instantane.photo(),
        list(Convention.objects.order_by("pk").values()),
        list(Convention.history.order_by("history_id").values()),
    )


def _refus_sans_ecriture(appel, methode, adresse, corps, statut) -> dict:
    avant = _etat()
    reponse = appel(methode, adresse, corps)
    assert reponse.status_code == statut, (adresse, corps, reponse.status_code, reponse.content)
    assert _etat() == avant, f"{adresse} {corps} a écrit : {instantane.differences(avant[0], _etat()[0])}"
    return reponse.json()


def _action(slug: str, c: Convention, action: str) -> str:
    return f"{slug}/mutualisation/conventions/{c.pk}/{action}"


# --- Proposer, demander ----------------------------------------------------------------------------


def test_la_mutualisante_propose_a_un_membre_designe_par_son_identifiant(agglo, admin_agglo, org_a):
    reponse = Appelant(admin_agglo)(
        "POST", "agglo/mutualisation/conventions", {"membre": "commune-a", **_termes()}
    )
    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    assert (corps["mutualisante"], corps["membre"], corps["etat"]) == ("agglo", "commune-a", "proposee")
    assert corps["role"] == "referent" and corps["version"] == 1 and corps["ouvre_l_acces"] is False
    assert corps["deliberations"] == "Délibération 2026-14 du conseil communautaire"
    c = Convention.objects.get(pk=corps["id"])
    assert (c.mutualisante, c.membre, c.creee_par) == (agglo, org_a, admin_agglo)
    assert c.history.get().history_user == admin_agglo
    # Notée au journal des deux organisations.
    assert set(EvenementJournal.objects.values_list("organisation_id", flat=True)) == {agglo.pk, org_a.pk}
    # Ce que rend l'écriture est ce que rend la lecture.
    liste = Appelant(admin_agglo)("GET", "agglo/mutualisation/conventions").json()
    assert liste == [corps]


def test_le_membre_demande_a_une_mutualisante_designee_par_son_siren(agglo, org_a, admin_a):
    corps = {"mutualisante": " 200000172 ", **_termes(role="dpo", fin="2028-12-31")}
    reponse = Appelant(admin_a)("POST", "commune-a/mutualisation/conventions", corps)
    assert reponse.status_code == 201, reponse.content
    cree = reponse.json()
    assert (cree["mutualisante"], cree["membre"], cree["etat"]) == ("agglo", "commune-a", "demandee")
    assert cree["role"] == "dpo" and cree["fin"] == "2028-12-31"
    assert Convention.objects.get().creee_par == admin_a


def test_creer_refusee_sans_rien_ecrire(agglo, admin_agglo, org_a, admin_a, org_b):
    appel = Appelant(admin_agglo)
    adresse = "agglo/mutualisation/conventions"
    # Organisation désignée introuvable : 404, en français.
    corps = _refus_sans_ecriture(appel, "POST", adresse, {"membre": "nulle-part", **_termes()}, 404)
    assert corps["message"] == "Aucune organisation de Balise n'a cet identifiant ou ce SIREN."
    # Avec elle-même ; une commune qui « mutualiserait » : 422, message du service.
    corps = _refus_sans_ecriture(appel, "POST", adresse, {"membre": "agglo", **_termes()}, 422)
    assert corps["message"] == "Une organisation ne peut pas conventionner avec elle-même."
    corps = _refus_sans_ecriture(
        Appelant(admin_a),
        "POST",
        "commune-a/mutualisation/conventions",
        {"membre": "commune-b", **_termes()},
        422,
    )
    assert "n'est pas d'une nature qui mutualise" in corps["message"]
    # Déjà une convention en cours pour la paire : 409.
    services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    corps = _refus_sans_ecriture(appel, "POST", adresse, {"membre": "commune-a", **_termes()}, 409)
    assert "est déjà proposée, demandée ou signée" in corps["message"]


@pytest.mark.parametrize(
    ("corps", "champ"),
    [
        ({"membre": "commune-a", **_termes(objet="x" * 2001)}, "objet"),
        ({"membre": "commune-a", **_termes(objet="   ")}, "objet"),
        ({"membre": "commune-a", **_termes(objet="a\x00b")}, "objet"),
        ({"membre": "commune-a", **_termes(deliberations="d" * 2001)}, "deliberations"),
        ({"membre": "c" * 100_000, **_termes()}, "membre"),
        ({"membre": "commune-a", **_termes(role="administrateur")}, "role"),
        ({"membre": "commune-a", **_termes(role=3)}, "role"),
        ({"membre": "commune-a", **_termes(debut=20260101)}, "debut"),
        ({"membre": "commune-a", **_termes(debut="01/03/2026")}, "debut"),
        ({"membre": "commune-a", **_termes(debut="2026-02-30")}, "debut"),
        ({"membre": "commune-a", **_termes(debut=None)}, "debut"),
        ({"membre": 42, **_termes()}, "membre"),
        ({"membre": ["commune-a"], **_termes()}, "membre"),
        ({"membre": "commune-a", **_termes(objet=["liste"])}, "objet"),
    ],
)
def test_creer_entree_hostile_422(agglo, admin_agglo, org_a, corps, champ):
    reponse = _refus_sans_ecriture(
        Appelant(admin_agglo), "POST", "agglo/mutualisation/conventions", corps, 422
    )
    assert reponse["message"] == "Données invalides."
    assert champ in {str(e["loc"][-1]) for e in reponse["erreurs"]} | {
        str(e["loc"][-2]) for e in reponse["erreurs"] if len(e["loc"]) > 1
    }


def test_creer_422_en_francais_pour_ce_que_le_schema_ne_dit_pas(agglo, admin_agglo, org_a):
    appel = Appelant(admin_agglo)
    adresse = "agglo/mutualisation/conventions"
    # Fin avant le début : le message du service, rien d'écrit.
    corps = _termes(debut="2026-06-01", fin="2026-05-31")
    reponse = _refus_sans_ecriture(appel, "POST", adresse, {"membre": "commune-a", **corps}, 422)
    assert reponse["message"] == "La fin de la convention ne peut précéder son début."
    assert reponse["erreurs"][0]["loc"][-1] == "fin"
    # Ni membre ni mutualisante, ou les deux : l'un des deux seulement.
    for designation in ({}, {"membre": "commune-a", "mutualisante": "agglo"}):
        reponse = _refus_sans_ecriture(appel, "POST", adresse, {**designation, **_termes()}, 422)
        assert "l'un des deux, pas les deux" in reponse["erreurs"][0]["msg"]


def test_corps_illisible_ou_trop_gros(agglo, admin_agglo, org_a):
    appel = Appelant(admin_agglo)
    avant = _etat()
    assert appel("POST", "agglo/mutualisation/conventions", brut="{pas du json").status_code == 400
    enorme = json.dumps({"membre": "commune-a", **_termes(objet="x" * 3_000_000)})
    assert appel("POST", "agglo/mutualisation/conventions", brut=enorme).status_code == 413
    assert _etat() == avant


# --- Signer, refuser, mettre fin, partager ---------------------------------------------------------


def test_le_membre_signe_une_proposition_et_choisit_le_role(agglo, admin_agglo, org_a, admin_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service(role="referent"))
    reponse = Appelant(admin_a)(
        "POST", _action("commune-a", c, "signature"), {"version": 1, "role": "lecteur"}
    )
    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert corps["etat"] == "en_vigueur" and corps["role"] == "lecteur" and corps["version"] == 2
    assert corps["ouvre_l_acces"] is True and corps["signee_le"]
    c.refresh_from_db()
    assert c.history.latest().history_user == admin_a


def test_la_mutualisante_signe_une_demande_telle_quelle(agglo, admin_agglo, org_a, admin_a):
    c = services.demander(org_a, agglo, admin_a, **_termes_service(role="dpo"))
    appel = Appelant(admin_agglo)
    corps = _refus_sans_ecriture(
        appel, "POST", _action("agglo", c, "signature"), {"version": 1, "role": "referent"}, 422
    )
    assert corps["message"].startswith("Le rôle accordé est fixé par le membre")
    reponse = appel("POST", _action("agglo", c, "signature"), {"version": 1, "role": "dpo"})
    assert reponse.status_code == 200 and reponse.json()["etat"] == "en_vigueur"
    assert reponse.json()["role"] == "dpo"


def test_signer_ce_que_son_organisation_a_propose_403(agglo, admin_agglo, org_a, admin_a):
    proposee = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    corps = _refus_sans_ecriture(
        Appelant(admin_agglo), "POST", _action("agglo", proposee, "signature"), {"version": 1}, 403
    )
    assert corps["message"] == "C'est à l'autre organisation de signer cette convention."


def test_refuser_puis_plus_rien(agglo, admin_agglo, org_a, admin_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    appel = Appelant(admin_a)
    reponse = appel("POST", _action("commune-a", c, "refus"), {"version": 1, "motif": "  Pas cette année  "})
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["etat"] == "refusee" and reponse.json()["terminee_le"]
    c.refresh_from_db()
    assert c.motif == "Pas cette année"
    # Une convention refusée ne se refuse, ne se signe ni ne se termine plus : 409, rien d'écrit.
    for action, corps in (("refus", {"version": 2}), ("signature", {"version": 2}), ("fin", {"version": 2})):
        reponse = _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), corps, 409)
        assert "refusée" in reponse["message"]


def test_mettre_fin_ferme_l_acces(agglo, admin_agglo, referent_agglo, org_a, admin_a, systeme_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    c = services.signer(org_a, c.pk, c.version, admin_a)
    assert fabrique.appel_api(referent_agglo, "GET", "commune-a/systemes").status_code == 200
    reponse = Appelant(admin_agglo)(
        "POST", _action("agglo", c, "fin"), {"version": 2, "motif": "Fin du mandat"}
    )
    assert reponse.status_code == 200, reponse.content
    corps = reponse.json()
    assert corps["etat"] == "terminee" and corps["ouvre_l_acces"] is False
    assert corps["fin"] == AUJOURD_HUI().isoformat()
    assert fabrique.appel_api(referent_agglo, "GET", "commune-a/systemes").status_code == 404
    # Déjà terminée : 409.
    _refus_sans_ecriture(Appelant(admin_a), "POST", _action("commune-a", c, "fin"), {"version": 3}, 409)


def test_le_membre_seul_partage_son_portefeuille(agglo, admin_agglo, org_a, admin_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    c = services.signer(org_a, c.pk, c.version, admin_a)
    portefeuille = Appelant(admin_agglo)("GET", "agglo/mutualisation/portefeuille").json()
    assert [m["membre"] for m in portefeuille["membres"]] == ["commune-a"]
    corps = _refus_sans_ecriture(
        Appelant(admin_agglo),
        "POST",
        _action("agglo", c, "partage-portefeuille"),
        {"version": 2, "partage": False},
        403,
    )
    assert corps["message"] == "Seul le membre décide de partager son portefeuille."
    reponse = Appelant(admin_a)(
        "POST", _action("commune-a", c, "partage-portefeuille"), {"version": 2, "partage": False}
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["partage_portefeuille"] is False and reponse.json()["version"] == 3
    portefeuille = Appelant(admin_agglo)("GET", "agglo/mutualisation/portefeuille").json()
    assert portefeuille["membres"] == [] and portefeuille["membres_sans_partage"] == 1


# --- Droits, cloisonnement, versions ---------------------------------------------------------------


def _actions(c: Convention, version: int) -> list[tuple[str, dict]]:
    return [
        ("signature", {"version": version}),
        ("refus", {"version": version, "motif": "Non"}),
        ("fin", {"version": version, "motif": "Non"}),
        ("partage-portefeuille", {"version": version, "partage": False}),
    ]


@pytest.mark.parametrize("role", ["referent", "dpo", "lecteur", "comite", "rh"])
def test_sans_gerer_les_membres_403_et_rien_d_ecrit(agglo, admin_agglo, org_a, role):
    personne = fabrique.membre(org_a, role, f"{role}@commune-a.fr")
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    appel = Appelant(personne)
    for action, corps in _actions(c, 1):
        reponse = _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), corps, 403)
        assert reponse["message"] == MESSAGE_ROLE
    reponse = _refus_sans_ecriture(
        appel, "POST", "commune-a/mutualisation/conventions", {"mutualisante": "agglo", **_termes()}, 403
    )
    assert reponse["message"] == MESSAGE_ROLE


def test_le_personnel_de_la_mutualisante_sous_convention_ne_decide_pas_pour_le_membre(
    agglo, admin_agglo, referent_agglo, org_a, admin_a
):
    """Il entre chez le membre avec le rôle accordé (jamais administrateur) : ni signer, ni terminer, ni
    partager à sa place, ni demander une convention au nom du membre."""
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    c = services.signer(org_a, c.pk, c.version, admin_a)
    appel = Appelant(referent_agglo)
    assert appel("GET", "commune-a/mutualisation/conventions").status_code == 200  # il y entre bien
    for action, corps in _actions(c, 2):
        _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), corps, 403)
    _refus_sans_ecriture(
        appel, "POST", "commune-a/mutualisation/conventions", {"mutualisante": "agglo", **_termes()}, 403
    )


def test_convention_d_une_autre_organisation_404(agglo, admin_agglo, org_a, admin_a, org_b, admin_b):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    appel = Appelant(admin_b)
    for action, corps in _actions(c, 1):
        # Sous son propre identifiant : la convention de A n'existe pas pour B.
        _refus_sans_ecriture(appel, "POST", _action("commune-b", c, action), corps, 404)
        # Sous l'identifiant de A (ou d'une organisation inexistante) : B n'y est pas.
        _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), corps, 404)
        _refus_sans_ecriture(appel, "POST", _action("n-existe-pas", c, action), corps, 404)
        _refus_sans_ecriture(
            appel, "POST", f"commune-b/mutualisation/conventions/999999999/{action}", corps, 404
        )
    _refus_sans_ecriture(
        appel, "POST", "commune-a/mutualisation/conventions", {"mutualisante": "agglo", **_termes()}, 404
    )


def test_version_perimee_ou_absente_409_ou_422(agglo, admin_agglo, org_a, admin_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    services.partager_portefeuille(org_a, c.pk, 1, admin_a, False)  # version 2, par le membre
    appel = Appelant(admin_a)
    for action, corps in _actions(c, 1):
        reponse = _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), corps, 409)
        assert reponse["version_actuelle"] == 2
        assert "Vos modifications n'ont pas été enregistrées" in reponse["message"]
        sans_version = {k: v for k, v in corps.items() if k != "version"}
        _refus_sans_ecriture(appel, "POST", _action("commune-a", c, action), sans_version, 422)


@pytest.mark.parametrize(
    ("action", "corps"),
    [
        ("signature", {"version": "1"}),
        ("signature", {"version": 1.5}),
        ("signature", {"version": True}),
        ("signature", {"version": 0}),
        ("signature", {"version": 10**30}),
        ("signature", {"version": 1, "role": "administrateur"}),
        ("refus", {"version": 1, "motif": "m" * 1001}),
        ("refus", {"version": 1, "motif": 12}),
        ("fin", {"version": 1, "motif": "\x00"}),
        ("partage-portefeuille", {"version": 1, "partage": "oui"}),
        ("partage-portefeuille", {"version": 1, "partage": 0}),
        ("partage-portefeuille", {"version": 1}),
    ],
)
def test_actions_entree_hostile_422(agglo, admin_agglo, org_a, admin_a, action, corps):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    reponse = _refus_sans_ecriture(Appelant(admin_a), "POST", _action("commune-a", c, action), corps, 422)
    assert reponse["message"] == "Données invalides."


def test_identifiant_hors_bornes_404(agglo, admin_agglo, org_a, admin_a):
    appel = Appelant(admin_a)
    _refus_sans_ecriture(
        appel, "POST", f"commune-a/mutualisation/conventions/{10**30}/signature", {"version": 1}, 404
    )
    _refus_sans_ecriture(
        appel, "POST", "commune-a/mutualisation/conventions/abc/signature", {"version": 1}, 422
    )


def test_sans_authentification_401(agglo, admin_agglo, org_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes_service())
    avant = _etat()
    client = Client()
    for action, corps in _actions(c, 1):
        adresse = BASE + _action("commune-a", c, action)
        assert client.post(adresse, corps, content_type="application/json").status_code == 401
    adresse = BASE + "agglo/mutualisation/conventions"
    corps = {"membre": "commune-a", **_termes()}
    assert client.post(adresse, corps, content_type="application/json").status_code == 401
    assert _etat() == avant


def test_le_document_openapi_decrit_les_ecritures():
    chemins = api_ninja.get_openapi_schema()["paths"]
    base = "/api/organisations/{slug}/mutualisation/conventions"
    for chemin, succes in (
        (base, 201),
        (base + "/{pk}/signature", 200),
        (base + "/{pk}/refus", 200),
        (base + "/{pk}/fin", 200),
        (base + "/{pk}/partage-portefeuille", 200),
    ):
        reponses = chemins[chemin]["post"]["responses"]
        assert {succes, 400, 401, 403, 404, 409, 413, 422} <= set(reponses), chemin
    schemas = api_ninja.get_openapi_schema()["components"]["schemas"]
    nouvelle = schemas["ConventionNouvelle"]
    assert nouvelle["oneOf"] == [{"required": ["membre"]}, {"required": ["mutualisante"]}]
    assert "default" not in nouvelle["properties"]["membre"]  # omissible, jamais null
    assert set(nouvelle["properties"]["role"]["enum"]) == {"referent", "dpo", "lecteur", "rh"}


def test_dates_anciennes_et_lointaines_acceptees(agglo, admin_agglo, org_a):
    """Le schéma n'invente pas de borne que le service n'a pas."""
    corps = {
        "membre": "commune-a",
        **_termes(debut="2020-01-01", fin=(date.today() + timedelta(days=3650)).isoformat()),
    }
    reponse = Appelant(admin_agglo)("POST", "agglo/mutualisation/conventions", corps)
    assert reponse.status_code == 201, reponse.content
