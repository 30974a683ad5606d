"""L'API des indicateurs : parcours complet, droits de chaque rôle, verrou optimiste, saisies hostiles
refusées en français sans rien écrire, nombre de requêtes constant."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise.comptes.models import JetonAPI
from balise.indicateurs import echeances, services
from balise.indicateurs.models import Indicateur, Mesure
from balise.registre import services as registre
from tests import fabrique, instantane


def _mois(n):
    """Le premier jour du mois, n mois avant celui-ci."""
    return echeances.decaler(echeances.periode_de(timezone.localdate(), "mensuelle"), "mensuelle", -n)


def _corps(responsable, **autres):
    return {
        "objectif": "Réduction des délais de traitement",
        "intitule": "Temps moyen par dossier",
        "unite": "jours",
        "cible": 10,
        "sens": "au_plus",
        "frequence": "mensuelle",
        "responsable": responsable.pk,
        **autres,
    }


@pytest.fixture
def indicateur(org_a, referent_a, lecteur_a):
    """Un indicateur créé il y a plus d'un an, dont le lecteur est responsable."""
    donnees = {**_corps(lecteur_a), "cible": "10"}
    i = services.creer_indicateur(org_a, donnees, referent_a)
    Indicateur.objects.filter(pk=i.pk).update(cree_le=timezone.now() - timedelta(days=400))
    i.refresh_from_db()
    return i


def _photo():
    """La base photographiée, sans les jetons : chaque appel en émet un neuf (fabrique.appel_api)."""
    return {t: lignes for t, lignes in instantane.photo().items() if "JetonAPI" not in t}


def _api(personne, methode, chemin, corps=None):
    return fabrique.appel_api(personne, methode, f"commune-a/indicateurs{chemin}", corps)


# --- Parcours complet ------------------------------------------------------------------------------


def test_creer_lire_modifier_saisir_corriger_archiver(org_a, referent_a, lecteur_a, systeme_a):
    cree = _api(referent_a, "POST", "", _corps(lecteur_a, systeme=systeme_a.pk, source="Graine 001"))
    assert cree.status_code == 201, cree.content
    i = cree.json()
    assert i["intitule"] == "Temps moyen par dossier" and i["cible"] == "10.000" and i["version"] == 1
    assert i["systeme"] == systeme_a.pk and i["systeme_nom"] == systeme_a.nom
    assert i["responsable"] == lecteur_a.pk and i["mesures"] == []
    assert i["suivi"]["derniere_valeur"] is None and i["suivi"]["atteinte"] is None
    assert i["suivi"]["prochaine_periode"] == _mois(0).isoformat()
    assert Indicateur.objects.get().history.last().history_user == referent_a

    # Modification partielle : les champs omis gardent leur valeur.
    modifie = _api(referent_a, "PATCH", f"/{i['id']}", {"version": 1, "cible": 8.5, "systeme": None})
    assert modifie.status_code == 200, modifie.content
    assert modifie.json()["cible"] == "8.500" and modifie.json()["version"] == 2
    assert modifie.json()["systeme"] is None and modifie.json()["unite"] == "jours"

    # Le responsable saisit la mesure du mois dernier (une date du mois, ramenée à son premier jour).
    saisie = _api(
        lecteur_a,
        "POST",
        f"/{i['id']}/mesures",
        {"periode": (_mois(1) + timedelta(days=9)).isoformat(), "valeur": 12.25},
    )
    assert saisie.status_code == 201, saisie.content
    m = saisie.json()
    assert m["periode"] == _mois(1).isoformat() and m["valeur"] == "12.250" and m["atteinte"] is False
    corrige = _api(lecteur_a, "PATCH", f"/{i['id']}/mesures/{m['id']}", {"version": 1, "valeur": 8})
    assert corrige.status_code == 200, corrige.content
    assert corrige.json()["valeur"] == "8.000" and corrige.json()["atteinte"] is True
    assert corrige.json()["version"] == 2
    commente = _api(
        lecteur_a, "PATCH", f"/{i['id']}/mesures/{m['id']}", {"version": 2, "commentaire": "Relu."}
    )
    assert commente.json()["commentaire"] == "Relu." and commente.json()["valeur"] == "8.000"
    # Une correction de la seule valeur garde le commentaire.
    corrige = _api(lecteur_a, "PATCH", f"/{i['id']}/mesures/{m['id']}", {"version": 3, "valeur": 8})
    assert corrige.json()["commentaire"] == "Relu." and corrige.json()["version"] == 4

    lu = _api(lecteur_a, "GET", f"/{i['id']}").json()
    assert [x["valeur"] for x in lu["mesures"]] == ["8.000"]
    assert lu["suivi"]["derniere_periode"] == _mois(1).isoformat() and lu["suivi"]["atteinte"] is True
    liste = _api(lecteur_a, "GET", "").json()
    assert [x["id"] for x in liste] == [i["id"]] and liste[0]["suivi"]["derniere_valeur"] == "8.000"

    archive = _api(referent_a, "POST", f"/{i['id']}/archivage", {"version": 2})
    assert archive.status_code == 200 and archive.json()["archive_le"] is not None
    assert _api(lecteur_a, "GET", "").json() == []
    assert _api(lecteur_a, "GET", f"/{i['id']}").json()["mesures"][0]["valeur"] == "8.000"


def test_la_liste_dit_le_retard_et_la_cible(org_a, indicateur, referent_a, lecteur_a):
    liste = _api(lecteur_a, "GET", "").json()
    assert liste[0]["suivi"]["en_retard"] is True and liste[0]["suivi"]["due"] is True
    services.enregistrer_mesure(indicateur, {"periode": _mois(1).isoformat(), "valeur": "40"}, lecteur_a)
    suivi = _api(lecteur_a, "GET", "").json()[0]["suivi"]
    assert suivi["atteinte"] is False and suivi["derniere_valeur"] == "40.000"
    assert suivi["prochaine_periode"] == _mois(0).isoformat() and suivi["en_retard"] is False


# --- Verrou optimiste ------------------------------------------------------------------------------


def test_version_perimee_409_et_rien_de_change(indicateur, referent_a, lecteur_a):
    assert _api(referent_a, "PATCH", f"/{indicateur.pk}", {"version": 1, "cible": 8}).status_code == 200
    avant = _photo()
    refus = _api(referent_a, "PATCH", f"/{indicateur.pk}", {"version": 1, "intitule": "Autre"})
    assert refus.status_code == 409
    corps = refus.json()
    assert corps["version_actuelle"] == 2 and "modifiée" in corps["message"]
    assert [c["champ"] for c in corps["changements"]] == ["cible"]
    assert _api(referent_a, "POST", f"/{indicateur.pk}/archivage", {"version": 1}).status_code == 409
    assert _photo() == avant

    m = services.enregistrer_mesure(indicateur, {"periode": _mois(1).isoformat(), "valeur": "4"}, lecteur_a)
    chemin = f"/{indicateur.pk}/mesures/{m.pk}"
    assert _api(lecteur_a, "PATCH", chemin, {"version": 1, "commentaire": "Relu."}).status_code == 200
    avant = _photo()
    refus = _api(lecteur_a, "PATCH", chemin, {"version": 1, "valeur": 5})
    assert refus.status_code == 409 and refus.json()["version_actuelle"] == 2
    assert _photo() == avant
    m.refresh_from_db()
    assert m.commentaire == "Relu." and m.valeur == 4  # le commentaire omis ensuite ne s'efface pas


def test_sans_version_422(indicateur, referent_a):
    reponse = _api(referent_a, "PATCH", f"/{indicateur.pk}", {"cible": 8})
    assert reponse.status_code == 422 and reponse.json()["message"] == "Données invalides."
    assert Indicateur.objects.get().version == 1


# --- Droits de chaque rôle --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "piloter"),
    [
        ("administrateur", True),
        ("referent", True),
        ("dpo", False),
        ("lecteur", False),
        ("comite", False),
        ("rh", False),
    ],
)
def test_droits_par_role(org_a, indicateur, lecteur_a, role, piloter):
    acteur = fabrique.membre(org_a, role, f"{role}-acteur@exemple.fr")
    assert _api(acteur, "GET", "").status_code == 200
    assert _api(acteur, "GET", f"/{indicateur.pk}").status_code == 200
    avant = _photo()
    ecritures = [
        ("POST", "", _corps(lecteur_a)),
        ("PATCH", f"/{indicateur.pk}", {"version": 1, "cible": 3}),
        ("POST", f"/{indicateur.pk}/mesures", {"periode": _mois(1).isoformat(), "valeur": 3}),
    ]
    for methode, chemin, corps in ecritures:
        reponse = _api(acteur, methode, chemin, corps)
        if piloter:
            assert reponse.status_code in (200, 201), (methode, chemin, reponse.content)
        else:
            assert reponse.status_code == 403, (methode, chemin, reponse.status_code)
            assert (
                reponse.json()["message"] == "Votre rôle dans cette organisation ne permet pas cette action."
            )
    if not piloter:
        assert _api(acteur, "POST", f"/{indicateur.pk}/archivage", {"version": 1}).status_code == 403
        assert _photo() == avant
    else:
        assert _api(acteur, "POST", f"/{indicateur.pk}/archivage", {"version": 2}).status_code == 200


def test_le_responsable_saisit_et_corrige_ses_mesures_seulement(org_a, indicateur, referent_a, lecteur_a):
    """Le lecteur responsable de l'indicateur en saisit les mesures ; il ne le modifie pas, et un autre
    lecteur ne saisit rien. Un membre externe, même responsable désigné, ne voit pas les indicateurs."""
    saisie = _api(
        lecteur_a, "POST", f"/{indicateur.pk}/mesures", {"periode": _mois(1).isoformat(), "valeur": 3}
    )
    assert saisie.status_code == 201
    assert Mesure.objects.get().history.last().history_user == lecteur_a
    mesure = saisie.json()["id"]
    assert _api(lecteur_a, "PATCH", f"/{indicateur.pk}", {"version": 1, "cible": 3}).status_code == 403
    autre = fabrique.membre(org_a, "lecteur", "autre-lecteur@exemple.fr")
    externe = fabrique.membre(org_a, "externe", "externe@exemple.fr")
    avant = _photo()
    assert (
        _api(
            autre, "POST", f"/{indicateur.pk}/mesures", {"periode": _mois(2).isoformat(), "valeur": 3}
        ).status_code
        == 403
    )
    assert (
        _api(autre, "PATCH", f"/{indicateur.pk}/mesures/{mesure}", {"version": 1, "valeur": 9}).status_code
        == 403
    )
    Indicateur.objects.filter(pk=indicateur.pk).update(responsable=externe)
    assert _api(externe, "GET", "").status_code == 403
    assert (
        _api(
            externe, "POST", f"/{indicateur.pk}/mesures", {"periode": _mois(2).isoformat(), "valeur": 3}
        ).status_code
        == 403
    )
    Indicateur.objects.filter(pk=indicateur.pk).update(responsable=lecteur_a)
    assert _photo() == avant


def test_une_autre_organisation_ne_voit_rien(org_a, org_b, admin_b, indicateur, lecteur_a):
    m = services.enregistrer_mesure(indicateur, {"periode": _mois(1).isoformat(), "valeur": "4"}, lecteur_a)
    avant = _photo()
    for slug in ("commune-a", org_b.slug):
        base = f"{slug}/indicateurs/{indicateur.pk}"
        assert fabrique.appel_api(admin_b, "GET", base).status_code == 404
        assert fabrique.appel_api(admin_b, "PATCH", base, {"version": 1, "cible": 1}).status_code == 404
        assert fabrique.appel_api(admin_b, "POST", f"{base}/archivage", {"version": 1}).status_code == 404
        corps = {"periode": _mois(2).isoformat(), "valeur": 1}
        assert fabrique.appel_api(admin_b, "POST", f"{base}/mesures", corps).status_code == 404
        corps = {"version": 1, "valeur": 1}
        assert fabrique.appel_api(admin_b, "PATCH", f"{base}/mesures/{m.pk}", corps).status_code == 404
    assert fabrique.appel_api(admin_b, "GET", f"{org_b.slug}/indicateurs").json() == []
    assert _photo() == avant


# --- Saisies hostiles : refusées en français, rien n'est écrit --------------------------------------


@pytest.mark.parametrize(
    ("modif", "statut", "message"),
    [
        ({"intitule": "x" * 301}, 422, ""),
        ({"intitule": "x" * 1_000_000}, 422, ""),
        ({"intitule": "   "}, 422, ""),
        ({"objectif": "a\x00b"}, 422, ""),
        ({"unite": "u" * 41}, 422, ""),
        ({"cible": "10"}, 422, ""),
        ({"cible": True}, 422, ""),
        ({"cible": 1e12}, 422, ""),
        ({"cible": None}, 422, ""),
        ({"sens": "environ"}, 422, ""),
        ({"frequence": "hebdomadaire"}, 422, ""),
        ({"responsable": "1"}, 422, ""),
        ({"responsable": 0}, 422, ""),
        ({"responsable": 10**30}, 422, ""),
        ({"systeme": 10**30}, 422, ""),
        ({"source": "s" * 301}, 422, ""),
        ({"responsable": "autre"}, 400, "Choisissez une personne membre de l'organisation."),
        ({"responsable": "externe"}, 400, "Choisissez une personne membre de l'organisation."),
        ({"systeme": "autre"}, 400, "Ce système est introuvable dans l'organisation."),
        ({"systeme": "archive"}, 400, "Ce système est introuvable dans l'organisation."),
    ],
)
def test_creation_hostile_refusee(
    org_a, org_b, admin_b, referent_a, lecteur_a, systeme_a, systeme_b, modif, statut, message
):
    externe = fabrique.membre(org_a, "externe", "externe@exemple.fr")
    archive = fabrique.systeme(org_a, referent_a, nom="Ancien")
    registre.archiver(archive.pk, referent_a, 1)
    remplacer = {
        ("responsable", "autre"): admin_b.pk,
        ("responsable", "externe"): externe.pk,
        ("systeme", "autre"): systeme_b.pk,
        ("systeme", "archive"): archive.pk,
    }
    modif = {k: remplacer.get((k, v), v) if isinstance(v, str) else v for k, v in modif.items()}
    avant = _photo()
    reponse = _api(referent_a, "POST", "", {**_corps(lecteur_a), **modif})
    assert reponse.status_code == statut, reponse.content
    if statut == 422:
        assert reponse.json()["message"] == "Données invalides." and reponse.json()["erreurs"]
    else:
        assert reponse.json()["message"] == message
    assert _photo() == avant
    assert not Indicateur.objects.exists()


def test_champs_reserves_ignores(org_a, org_b, referent_a, lecteur_a):
    corps = _corps(lecteur_a, organisation=org_b.pk, version=7, archive_le="2020-01-01T00:00:00Z", modele="x")
    reponse = _api(referent_a, "POST", "", corps)
    assert reponse.status_code == 201
    i = Indicateur.objects.get()
    assert i.organisation == org_a and i.version == 1 and i.archive_le is None and i.modele == ""


@pytest.mark.parametrize(
    ("corps", "statut", "message"),
    [
        ({"periode": "2025-13-01", "valeur": 1}, 422, ""),
        ({"periode": "2025-03", "valeur": 1}, 422, ""),
        ({"periode": 20250301, "valeur": 1}, 422, ""),
        ({"periode": "mois1", "valeur": "12"}, 422, ""),
        ({"periode": "mois1", "valeur": "=cmd|' /C calc'!A0"}, 422, ""),
        ({"periode": "mois1", "valeur": 1e12}, 422, ""),
        ({"periode": "mois1", "valeur": 1, "commentaire": "c" * 2001}, 422, ""),
        ({"periode": "mois1"}, 422, ""),
        (
            {"periode": "futur", "valeur": 1},
            400,
            "Cette période n'a pas commencé : on ne mesure pas l'avenir.",
        ),
        ({"periode": "1999-12-01", "valeur": 1}, 400, "La période commence en 2000 au plus tôt."),
        (
            {"periode": "mois2", "valeur": 1},
            400,
            "Cette période a déjà sa mesure : corrigez-la plutôt que d'en saisir une seconde.",
        ),
    ],
)
def test_mesure_hostile_refusee(indicateur, lecteur_a, corps, statut, message):
    services.enregistrer_mesure(indicateur, {"periode": _mois(2).isoformat(), "valeur": "4"}, lecteur_a)
    dates = {"mois1": _mois(1), "mois2": _mois(2), "futur": _mois(-2)}
    corps = {
        **corps,
        "periode": dates[corps["periode"]].isoformat() if corps["periode"] in dates else corps["periode"],
    }
    avant = _photo()
    reponse = _api(lecteur_a, "POST", f"/{indicateur.pk}/mesures", corps)
    assert reponse.status_code == statut, reponse.content
    attendu = "Données invalides." if statut == 422 else message
    assert reponse.json()["message"] == attendu
    assert _photo() == avant


def test_un_indicateur_archive_ne_se_modifie_plus(indicateur, referent_a, lecteur_a):
    m = services.enregistrer_mesure(indicateur, {"periode": _mois(2).isoformat(), "valeur": "4"}, lecteur_a)
    services.archiver_indicateur(indicateur.organisation, indicateur.pk, referent_a, 1)
    avant = _photo()
    refus = [
        _api(referent_a, "PATCH", f"/{indicateur.pk}", {"version": 2, "cible": 3}),
        _api(referent_a, "POST", f"/{indicateur.pk}/archivage", {"version": 2}),
        _api(lecteur_a, "POST", f"/{indicateur.pk}/mesures", {"periode": _mois(1).isoformat(), "valeur": 3}),
        _api(lecteur_a, "PATCH", f"/{indicateur.pk}/mesures/{m.pk}", {"version": 1, "valeur": 3}),
    ]
    assert [r.status_code for r in refus] == [400] * 4
    assert [r.json()["message"] for r in refus] == [
        "Cet indicateur est archivé : il ne se modifie plus.",
        "Cet indicateur est archivé : il ne se modifie plus.",
        "Cet indicateur est archivé : il ne reçoit plus de mesure.",
        "Cet indicateur est archivé : ses mesures ne se corrigent plus.",
    ]
    assert _photo() == avant


def test_modification_hostile_refusee(indicateur, referent_a, lecteur_a):
    avant = _photo()
    for corps in (
        {"version": 1, "intitule": ""},
        {"version": 1, "sens": None},
        {"version": 1, "cible": float("inf")},
        {"version": True, "cible": 3},
        {"version": "1", "cible": 3},
        {"version": 10**12, "cible": 3},
    ):
        reponse = _api(referent_a, "PATCH", f"/{indicateur.pk}", corps)
        assert reponse.status_code == 422, (corps, reponse.content)
    reponse = _api(referent_a, "PATCH", f"/{indicateur.pk}", {"version": 1, "responsable": 10**6})
    assert reponse.status_code == 400
    assert reponse.json()["message"] == "Choisissez une personne membre de l'organisation."
    m = services.enregistrer_mesure(indicateur, {"periode": _mois(2).isoformat(), "valeur": "4"}, lecteur_a)
    avant = _photo()
    for corps in (
        {"version": 1, "valeur": "9"},
        {"version": 1, "valeur": None},
        {"version": 1, "commentaire": "c" * 2001},
    ):
        reponse = _api(lecteur_a, "PATCH", f"/{indicateur.pk}/mesures/{m.pk}", corps)
        assert reponse.status_code == 422, (corps, reponse.content)
    assert (
        _api(lecteur_a, "PATCH", f"/{indicateur.pk}/mesures/{10**6}", {"version": 1, "valeur": 1}).status_code
        == 404
    )
    assert _photo() == avant


def test_corps_illisible_message_en_francais(indicateur, referent_a):
    _, secret = JetonAPI.emettre(referent_a, "jeton")
    reponse = Client().generic(
        "POST",
        "/api/organisations/commune-a/indicateurs",
        "{pas du json",
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert reponse.status_code == 400
    assert reponse.json()["message"] == "Corps de la requête illisible : un document JSON est attendu."


# --- Nombre de requêtes constant --------------------------------------------------------------------


def test_requetes_en_nombre_constant(org_a, referent_a, lecteur_a, systeme_a):
    _, secret = JetonAPI.emettre(lecteur_a, "jeton")
    client = Client()

    def requetes(chemin):
        def appel():
            reponse = client.get(
                f"/api/organisations/commune-a/indicateurs{chemin}",
                headers={"authorization": f"Bearer {secret}"},
            )
            assert reponse.status_code == 200
            return reponse

        appel()  # caches chauds (organisation, adhésion)
        with CaptureQueriesContext(connection) as ctx:
            reponse = appel()
        return len(ctx.captured_queries), reponse.json()

    def ajouter(n, systeme=None):
        for k in range(n):
            i = services.creer_indicateur(
                org_a,
                {**_corps(lecteur_a), "intitule": f"I{k}", "cible": "3", "systeme": systeme},
                referent_a,
            )
            for mois in (1, 2, 3):
                services.enregistrer_mesure(
                    i, {"periode": _mois(mois).isoformat(), "valeur": str(mois)}, lecteur_a
                )
        return i

    premier = ajouter(1)
    une, liste = requetes("")
    detail, fiche = requetes(f"/{premier.pk}")
    assert len(liste) == 1 and len(fiche["mesures"]) == 3
    ajouter(10, systeme_a.pk)
    for mois in range(4, 15):
        services.enregistrer_mesure(premier, {"periode": _mois(mois).isoformat(), "valeur": "1"}, lecteur_a)
    n, liste = requetes("")
    assert len(liste) == 11 and n == une
    n, fiche = requetes(f"/{premier.pk}")
    assert len(fiche["mesures"]) == 14 and n == detail


def test_corps_trop_volumineux_413(org_a, referent_a, lecteur_a):
    avant = _photo()
    reponse = _api(referent_a, "POST", "", _corps(lecteur_a, objectif="x" * 3_000_000))
    assert reponse.status_code == 413
    assert reponse.json()["message"].startswith("Corps de la requête trop volumineux")
    assert _photo() == avant
