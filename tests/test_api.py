"""L'API JSON avec jetons personnels : authentification, lecture, écriture, conflits, saisies malformées."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from balise.api.api import api as api_ninja
from balise.api.schemas import SystemeModification
from balise.comptes.models import JetonAPI
from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique, instantane

MESSAGE_401 = "Authentification requise (jeton ou session)."


@pytest.fixture
def secret(admin_a):
    return JetonAPI.emettre(admin_a, "intégration SIG")[1]


@pytest.fixture
def api(secret):
    """Appelle l'API comme un client externe (pas de session, contrôle CSRF actif comme en vrai)."""
    client = Client(enforce_csrf_checks=True)

    def appel(methode, chemin, corps=None, jeton=secret, brut=None):
        entetes = {"authorization": f"Bearer {jeton}"} if jeton else {}
        donnees = brut if brut is not None else ("" if corps is None else json.dumps(corps))
        return client.generic(
            methode, f"/api{chemin}", donnees, content_type="application/json", headers=entetes
        )

    return appel


def _fiche(systeme_a):
    return f"/organisations/commune-a/systemes/{systeme_a.pk}"


# --- Authentification ---------------------------------------------------------------------------


def test_jeton_donne_les_droits_de_son_titulaire(api, org_a, admin_a):
    reponse = api("GET", "/organisations")
    assert reponse.status_code == 200
    assert reponse.json() == [
        {"slug": "commune-a", "nom": "Commune A", "type": "commune", "siren": "", "role": "administrateur"}
    ]
    assert JetonAPI.objects.get(utilisateur=admin_a).utilise_le is not None


@pytest.mark.parametrize("methode", ["GET", "POST", "PATCH", "DELETE"])
def test_jeton_revoque_refuse_en_401(api, secret, systeme_a, methode):
    JetonAPI.objects.update(revoque_le=timezone.now())
    avant = instantane.photo()
    chemin = _fiche(systeme_a) + ("/publication" if methode == "POST" else "")
    reponse = api(methode, chemin, {"version": 1, "nom": "X", "publie": True})
    # Même pour une écriture : le client n'est pas authentifié (401), ce n'est pas une affaire de CSRF.
    assert reponse.status_code == 401, reponse.content
    assert reponse.json() == {"message": MESSAGE_401}
    assert instantane.photo() == avant


@pytest.mark.parametrize(
    "jeton",
    ["", "bal_inconnu", "sans-prefixe", "bal_" + "x" * 500, "bal_\u00e9\u00e9"],
    ids=["vide", "inconnu", "sans-prefixe", "trop-long", "non-ascii"],
)
def test_jetons_invalides(api, systeme_a, jeton):
    assert api("GET", _fiche(systeme_a), jeton=jeton or None).status_code == 401
    assert api("PATCH", _fiche(systeme_a), {"version": 1, "nom": "X"}, jeton=jeton or None).status_code == 401
    assert SystemeIA.objects.get().nom == systeme_a.nom


def test_jeton_d_un_compte_desactive(api, admin_a, systeme_a):
    admin_a.is_active = False
    admin_a.save()
    assert api("GET", _fiche(systeme_a)).status_code == 401


# --- Session du navigateur : CSRF exigé pour écrire --------------------------------------------


def test_session_sans_jeton_csrf_ne_peut_pas_ecrire(admin_a, systeme_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    url = f"/api{_fiche(systeme_a)}"
    assert client.get(url).status_code == 200  # la lecture par session est permise

    avant = instantane.photo()
    for methode, corps in [
        ("POST", fabrique.FICHE_MINIMALE),
        ("PATCH", {"version": 1, "nom": "Sans CSRF"}),
        ("DELETE", None),
    ]:
        cible = "/api/organisations/commune-a/systemes" if methode == "POST" else url
        reponse = client.generic(methode, cible, json.dumps(corps), content_type="application/json")
        assert reponse.status_code == 403, (methode, reponse.content)
        assert "CSRF" in reponse.json()["message"]
    assert instantane.photo() == avant

    jeton_csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = jeton_csrf
    reponse = client.patch(
        url,
        json.dumps({"version": 1, "nom": "Avec CSRF"}),
        content_type="application/json",
        headers={"x-csrftoken": jeton_csrf},
    )
    assert reponse.status_code == 200 and reponse.json()["nom"] == "Avec CSRF"


def test_jeton_porteur_sans_csrf(api, org_a):
    reponse = api("POST", "/organisations/commune-a/systemes", fabrique.FICHE_MINIMALE)
    assert reponse.status_code == 201


# --- Lecture : liste, filtres, pagination -------------------------------------------------------


@pytest.fixture
def registre(org_a, admin_a):
    def fiche(nom, **champs):
        return fabrique.systeme(org_a, admin_a, nom=nom, **champs)

    fiches = {
        "chatbot": fiche("Agent conversationnel", domaine="relation_usagers", service="Accueil"),
        "fuites": fiche("Détection des fuites", domaine="environnement", type_ia="predictive", service="Eau"),
        "paie": fiche("Contrôle de la paie", domaine="rh", donnees_personnelles=True, service="RH"),
        "courrier": fiche("Tri du courrier", domaine="gestion_administrative", service="Accueil"),
        "ancien": fiche("Ancien outil", domaine="rh"),
    }
    services.changer_stade(fiches["fuites"].pk, "etude", "", admin_a, fiches["fuites"].version)
    services.archiver(fiches["ancien"].pk, admin_a, fiches["ancien"].version)
    fabrique.systeme(fabrique.organisation("Autre"), nom="Agent conversationnel d'une autre commune")
    return fiches


def _noms(reponse):
    assert reponse.status_code == 200, reponse.content
    return [s["nom"] for s in reponse.json()["items"]]


def test_liste_filtres(api, registre):
    base = "/organisations/commune-a/systemes"
    assert _noms(api("GET", base)) == [
        "Agent conversationnel",
        "Contrôle de la paie",
        "Détection des fuites",
        "Tri du courrier",
    ]
    assert _noms(api("GET", base + "?domaine=rh")) == ["Contrôle de la paie"]
    assert _noms(api("GET", base + "?stade=etude")) == ["Détection des fuites"]
    assert _noms(api("GET", base + "?type_ia=predictive")) == ["Détection des fuites"]
    assert _noms(api("GET", base + "?service=accueil")) == ["Agent conversationnel", "Tri du courrier"]
    assert _noms(api("GET", base + "?donnees_personnelles=true")) == ["Contrôle de la paie"]
    assert _noms(api("GET", base + "?q=conversationnel")) == ["Agent conversationnel"]
    assert _noms(api("GET", base + "?archives=true")) == ["Ancien outil"]
    assert _noms(api("GET", base + "?tri=-nom&limit=2")) == ["Tri du courrier", "Détection des fuites"]


def test_liste_pagination(api, registre):
    base = "/organisations/commune-a/systemes?tri=nom"
    page1 = api("GET", base + "&limit=3&offset=0").json()
    page2 = api("GET", base + "&limit=3&offset=3").json()
    assert page1["count"] == page2["count"] == 4
    assert len(page1["items"]) == 3 and len(page2["items"]) == 1
    assert {s["id"] for s in page1["items"]}.isdisjoint(s["id"] for s in page2["items"])
    assert api("GET", base + "&offset=100").json()["items"] == []


@pytest.mark.parametrize(
    "requete",
    [
        "domaine=inconnu",
        "stade=fini",
        "tri=mot_de_passe",
        "limit=0",
        "offset=-1",
        "donnees_personnelles=peut-etre",
    ],
)
def test_liste_parametres_invalides(api, registre, requete):
    reponse = api("GET", f"/organisations/commune-a/systemes?{requete}")
    assert reponse.status_code in (400, 422)
    assert reponse.json()["message"]


def test_liste_filtre_invalide_message_en_francais(api, registre):
    reponse = api("GET", "/organisations/commune-a/systemes?domaine=inconnu")
    assert reponse.status_code == 422
    assert reponse.json()["message"] == "Données invalides."
    assert reponse.json()["erreurs"][0]["loc"][-1] == "domaine"


def test_lire_une_fiche(api, systeme_a):
    reponse = api("GET", _fiche(systeme_a))
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["id"] == systeme_a.pk and corps["uid"] == str(systeme_a.uid)
    assert corps["organisation"] == "commune-a" and corps["version"] == 1 and corps["stade"] == "idee"
    assert api("GET", "/organisations/commune-a/systemes/999999").status_code == 404


# --- Écriture ------------------------------------------------------------------------------------


def test_declarer_201(api, admin_a, org_a):
    corps = {**fabrique.FICHE_MINIMALE, "nom": "  Assistant RH  ", "cout_annuel": "1200.50"}
    reponse = api("POST", "/organisations/commune-a/systemes", corps)
    assert reponse.status_code == 201, reponse.content
    cree = reponse.json()
    assert cree["nom"] == "Assistant RH" and cree["version"] == 1 and cree["stade"] == "idee"
    systeme = SystemeIA.objects.get(pk=cree["id"])
    assert systeme.organisation == org_a and systeme.cout_annuel == Decimal("1200.50")
    assert systeme.history.get().history_user == admin_a


def test_declarer_ignore_les_champs_reserves(api, org_a, org_b):
    """Stade, publication, organisation, version ne se fixent pas à la création."""
    corps = {
        **fabrique.FICHE_MINIMALE,
        "stade": "production",
        "publie": True,
        "version": 99,
        "organisation": "commune-b",
        "archive_le": "2020-01-01T00:00:00Z",
    }
    cree = api("POST", "/organisations/commune-a/systemes", corps).json()
    systeme = SystemeIA.objects.get(pk=cree["id"])
    assert (systeme.stade, systeme.publie, systeme.version, systeme.organisation) == ("idee", False, 1, org_a)
    assert systeme.archive_le is None


def test_modifier_avec_la_bonne_version(api, systeme_a):
    reponse = api("PATCH", _fiche(systeme_a), {"version": 1, "service": "Eau et assainissement"})
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["version"] == 2 and reponse.json()["service"] == "Eau et assainissement"
    systeme_a.refresh_from_db()
    assert systeme_a.nom == "Détection des fuites"  # champ non fourni : inchangé


def test_modifier_avec_une_version_perimee_409(api, systeme_a, referent_a):
    services.modifier_systeme(systeme_a.pk, {"nom": "Nom changé par Anne"}, 1, referent_a)
    avant = instantane.photo()
    reponse = api("PATCH", _fiche(systeme_a), {"version": 1, "service": "Autre service"})
    assert reponse.status_code == 409
    corps = reponse.json()
    assert corps["message"].startswith(f"Cette fiche a été modifiée par {referent_a.email}")
    assert "Vos modifications n'ont pas été enregistrées" in corps["message"]
    assert corps["version_actuelle"] == 2
    assert corps["changements"] == [
        {"champ": "nom", "libelle": "nom", "avant": "Détection des fuites", "apres": "Nom changé par Anne"}
    ]
    assert instantane.photo() == avant


def test_modifier_sans_version_refuse(api, systeme_a):
    reponse = api("PATCH", _fiche(systeme_a), {"nom": "Sans version"})
    assert reponse.status_code == 422 and reponse.json()["message"] == "Données invalides."


def test_changer_de_stade(api, systeme_a, admin_a):
    reponse = api("POST", _fiche(systeme_a) + "/stade", {"vers": "etude", "version": 1})
    assert reponse.status_code == 200 and reponse.json()["stade"] == "etude"
    assert systeme_a.changements_stade.get().par == admin_a


def test_stade_interdit_409_en_francais(api, systeme_a):
    # L'état actuel de la fiche refuse le passage : conflit (409), la demande elle-même est bien formée.
    avant = instantane.photo()
    reponse = api("POST", _fiche(systeme_a) + "/stade", {"vers": "production", "version": 1})
    assert reponse.status_code == 409
    assert reponse.json() == {
        "message": "Passage impossible de « Idée » à ce stade. Stades possibles : Étude d'opportunité, Abandon."
    }
    reponse = api("POST", _fiche(systeme_a) + "/stade", {"vers": "abandon", "motif": "   ", "version": 1})
    assert reponse.status_code == 409
    assert reponse.json()["message"] == "Indiquez le motif de l'arrêt ou de l'abandon."
    reponse = api("POST", _fiche(systeme_a) + "/stade", {"vers": "termine", "version": 1})
    assert reponse.status_code == 422
    assert instantane.photo() == avant


def test_stade_version_perimee(api, systeme_a):
    reponse = api("POST", _fiche(systeme_a) + "/stade", {"vers": "etude", "version": 7})
    assert reponse.status_code == 409 and reponse.json()["version_actuelle"] == 1


def test_publier_et_retirer(api, client, systeme_a, org_a, admin_a):
    reponse = api("POST", _fiche(systeme_a) + "/publication", {"publie": True, "version": 1})
    assert reponse.status_code == 200 and reponse.json()["publie"] is True
    publics = client.get("/public/commune-a/registre.json").json()["systemes"]
    assert [s["identifiant"] for s in publics] == [str(systeme_a.uid)]
    retrait = {"publie": False, "version": 2}
    assert api("POST", _fiche(systeme_a) + "/publication", retrait).json()["publie"] is False

    incomplet = fabrique.systeme(org_a, admin_a, contribution_decision="")
    reponse = api(
        "POST",
        f"/organisations/commune-a/systemes/{incomplet.pk}/publication",
        {"publie": True, "version": 1},
    )
    assert reponse.status_code == 409
    assert reponse.json()["message"].startswith("Avant de publier, décrivez comment le système contribue")


def test_archiver_par_delete(api, systeme_a):
    reponse = api("DELETE", _fiche(systeme_a) + "?version=1")
    assert reponse.status_code == 200 and reponse.json()["archive_le"] is not None
    systeme_a.refresh_from_db()
    assert systeme_a.archive and SystemeIA.objects.filter(pk=systeme_a.pk).exists()
    assert api("GET", "/organisations/commune-a/systemes").json()["count"] == 0
    assert api("GET", "/organisations/commune-a/systemes?archives=true").json()["count"] == 1
    # Une fiche archivée se lit encore, mais ne se modifie ni ne se publie plus.
    assert api("GET", _fiche(systeme_a)).status_code == 200
    assert api("PATCH", _fiche(systeme_a), {"version": 2, "nom": "X"}).status_code == 404
    assert api("POST", _fiche(systeme_a) + "/publication", {"publie": True, "version": 2}).status_code == 404
    assert api("POST", _fiche(systeme_a) + "/stade", {"vers": "etude", "version": 2}).status_code == 409
    assert api("DELETE", _fiche(systeme_a) + "?version=2").status_code == 200  # idempotent


def test_historique(api, systeme_a, admin_a):
    api("PATCH", _fiche(systeme_a), {"version": 1, "cout_annuel": 300})
    api("POST", _fiche(systeme_a) + "/stade", {"vers": "etude", "version": 2})
    reponse = api("GET", _fiche(systeme_a) + "/historique")
    assert reponse.status_code == 200
    entrees = reponse.json()
    assert [e["nature"] for e in entrees] == ["Modification", "Modification", "Création"]
    assert entrees[0]["auteur"] == admin_a.email
    assert entrees[0]["changements"] == [["stade", "Idée", "Étude d'opportunité"]]
    assert entrees[1]["changements"] == [["coût annuel de fonctionnement (€)", "—", "300.00"]]


# --- Saisies malformées : 4xx, corps JSON, rien de changé ------------------------------------------

TROP_LONG = "x" * 201


MALFORMES = [
    ("pas du JSON", None, "ceci n'est pas du JSON"),
    ("JSON tronqué", None, '{"nom": "A"'),
    ("tableau", [], None),
    ("null", None, "null"),
    ("nombre", 42, None),
    ("version texte", {"version": "un"}, None),
    ("version négative", {"version": -1}, None),
    ("version énorme", {"version": 10**30}, None),
    ("nom entier", {"version": 1, "nom": 5}, None),
    ("nom objet", {"version": 1, "nom": {"$ne": ""}}, None),
    ("booléen texte", {"version": 1, "donnees_personnelles": "peut-être"}, None),
    ("domaine inconnu", {"version": 1, "domaine": "astrologie"}, None),
    ("type d'IA inconnu", {"version": 1, "type_ia": "magique"}, None),
    ("nom trop long", {"version": 1, "nom": TROP_LONG}, None),
    ("finalité trop longue", {"version": 1, "finalite": "x" * 20_001}, None),
    ("nom vide", {"version": 1, "nom": "   "}, None),
    ("caractère nul", {"version": 1, "nom": "Fuite\x00s"}, None),
    ("caractère nul texte long", {"version": 1, "donnees": "a\x00b"}, None),
    ("coût négatif", {"version": 1, "cout_annuel": -1}, None),
    ("coût démesuré", {"version": 1, "cout_investissement": "1e20"}, None),
    ("coût trop précis", {"version": 1, "cout_annuel": "1.001"}, None),
    ("coût NaN", {"version": 1, "cout_annuel": "NaN"}, None),
    ("contact invalide", {"version": 1, "contact": "pas-une-adresse"}, None),
]


@pytest.mark.parametrize(("cas", "corps", "brut"), MALFORMES, ids=[m[0] for m in MALFORMES])
def test_modification_malformee(api, systeme_a, cas, corps, brut):
    avant = instantane.photo()
    reponse = api("PATCH", _fiche(systeme_a), corps, brut=brut)
    assert 400 <= reponse.status_code < 500, (cas, reponse.status_code, reponse.content)
    assert reponse["Content-Type"].startswith("application/json")
    assert isinstance(reponse.json()["message"], str) and reponse.json()["message"]
    assert instantane.photo() == avant


CREATIONS_MALFORMEES = [
    ("vide", {}, None),
    ("champ obligatoire manquant", {k: v for k, v in fabrique.FICHE_MINIMALE.items() if k != "nom"}, None),
    ("enum inconnu", {**fabrique.FICHE_MINIMALE, "hebergement": "lune"}, None),
    ("nom trop long", {**fabrique.FICHE_MINIMALE, "nom": TROP_LONG}, None),
    ("service trop long", {**fabrique.FICHE_MINIMALE, "service": "s" * 5000}, None),
    ("caractère nul", {**fabrique.FICHE_MINIMALE, "responsable": "\x00"}, None),
    ("coût négatif", {**fabrique.FICHE_MINIMALE, "cout_investissement": "-0.01"}, None),
    ("types faux", {**fabrique.FICHE_MINIMALE, "nom": ["liste"], "decision_individuelle": "oui"}, None),
    ("pas du JSON", None, "nom=Piratage&service=X"),
]


@pytest.mark.parametrize(
    ("cas", "corps", "brut"), CREATIONS_MALFORMEES, ids=[m[0] for m in CREATIONS_MALFORMEES]
)
def test_creation_malformee(api, org_a, cas, corps, brut):
    avant = instantane.photo()
    reponse = api("POST", "/organisations/commune-a/systemes", corps, brut=brut)
    assert 400 <= reponse.status_code < 500, (cas, reponse.status_code, reponse.content)
    assert isinstance(reponse.json()["message"], str)
    assert instantane.photo() == avant


CHAMPS_MODIFIABLES = [c for c in SystemeModification.model_fields if c != "version"]


@pytest.mark.parametrize("champ", CHAMPS_MODIFIABLES)
def test_null_explicite_sur_chaque_champ(api, systeme_a, champ):
    """`null` efface un champ facultatif (texte : chaîne vide ; coût : non renseigné) ; ailleurs il est
    refusé (422). Le document OpenAPI déclare nullables exactement les champs qui l'acceptent."""
    SystemeIA.objects.filter(pk=systeme_a.pk).update(fournisseur="Éditeur", cout_annuel=10)
    champ_modele = SystemeIA._meta.get_field(champ)
    declare = api_ninja.get_openapi_schema()["components"]["schemas"]["SystemeModification"]
    nullable = any(s.get("type") == "null" for s in declare["properties"][champ].get("anyOf", []))
    avant = instantane.photo()
    reponse = api("PATCH", _fiche(systeme_a), {"version": 1, champ: None})
    if champ_modele.null or (
        champ_modele.blank and champ_modele.get_internal_type() in ("CharField", "TextField")
    ):
        assert nullable
        assert reponse.status_code == 200, reponse.content
        systeme_a.refresh_from_db()
        assert getattr(systeme_a, champ) in ("", None)
    else:
        assert not nullable
        assert reponse.status_code == 422, reponse.content
        assert reponse.json()["message"]
        assert instantane.photo() == avant


def test_corps_illisible_message_en_francais(api, systeme_a):
    reponse = api("PATCH", _fiche(systeme_a), brut="{pas du json")
    assert reponse.status_code == 400
    assert reponse.json() == {"message": "Corps de la requête illisible : un document JSON est attendu."}


@pytest.mark.parametrize("chemin", ["/999999999999999999999999", "/-1", "/abc", "/1.5"])
def test_identifiants_hors_bornes(api, org_a, chemin):
    reponse = api("GET", "/organisations/commune-a/systemes" + chemin)
    assert reponse.status_code in (404, 422)


def test_limite_et_decalage_hors_bornes(api, registre):
    for requete in ("offset=99999999999999999999999", "limit=99999999999999999999999"):
        reponse = api("GET", f"/organisations/commune-a/systemes?{requete}")
        assert reponse.status_code < 500, (requete, reponse.status_code)


def test_documents_par_l_api(systeme_a, admin_a, client):
    _, secret = JetonAPI.emettre(admin_a, "documents")
    entete = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    base = f"/api/organisations/commune-a/systemes/{systeme_a.pk}/documents"
    r = client.post(base, {"titre": "Délibération", "fichier": instantane.pdf()}, **entete)
    assert r.status_code == 201, r.content
    document = r.json()
    assert document["titre"] == "Délibération" and document["type_mime"] == "application/pdf"
    assert [d["id"] for d in client.get(base, **entete).json()] == [document["id"]]
    r = client.get(f"{base}/{document['id']}", **entete)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    faux_pdf = SimpleUploadedFile("faux.pdf", b"MZ\x90\x00 pas un pdf")
    faux = client.post(base, {"fichier": faux_pdf}, **entete)
    assert faux.status_code == 400 and "ne correspond pas" in faux.json()["message"]


def test_chaque_schema_de_l_api_a_un_nom_propre():
    """django-ninja nomme les schémas du document OpenAPI par leur nom de classe : deux classes de même
    nom dans deux modules, et l'une décrit à tort les réponses de l'autre (le fuzzing l'a vu pour
    « SuiviSortie » des règles d'usage et des indicateurs)."""
    from ninja import Schema

    import balise.api.api  # noqa: F401  # charge tous les routeurs

    def sous_classes(classe):
        for sous in classe.__subclasses__():
            yield sous
            yield from sous_classes(sous)

    noms: dict[str, set[str]] = {}
    for classe in sous_classes(Schema):
        if classe.__module__.startswith("balise.api"):
            noms.setdefault(classe.__qualname__.rsplit(".", 1)[-1], set()).add(classe.__module__)
    doublons = {nom: modules for nom, modules in noms.items() if len(modules) > 1}
    assert not doublons, f"Schémas de même nom dans plusieurs modules : {doublons}"
