"""L'identifiant d'une fiche dans le registre tenu avant Balise (`SystemeIA.identifiant_externe`, que la
reprise d'un tableur lit) : modifiable par le formulaire et l'API, unique dans l'organisation, historisé,
sous le même verrou optimiste que le reste de la fiche."""

from unittest import mock

import pytest
from django.urls import reverse

from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique, instantane


@pytest.fixture
def deux_fiches(org_a, referent_a, systeme_a):
    systeme_a = services.modifier_systeme(systeme_a.pk, {"identifiant_externe": "IA-001"}, 1, referent_a)
    autre = fabrique.systeme(org_a, referent_a, nom="Assistant courrier")
    return systeme_a, autre


def test_modifier_l_identifiant_est_historise_et_attribue(deux_fiches, referent_a):
    systeme, _ = deux_fiches
    assert systeme.identifiant_externe == "IA-001" and systeme.version == 2
    derniere = systeme.history.order_by("-history_id").first()
    assert derniere.identifiant_externe == "IA-001" and derniere.history_user == referent_a
    services.modifier_systeme(systeme.pk, {"identifiant_externe": None}, 2, referent_a)  # null l'efface
    assert SystemeIA.objects.get(pk=systeme.pk).identifiant_externe == ""


def test_deja_pris_dans_l_organisation_refuse_en_francais(deux_fiches, referent_a, org_b, admin_b):
    systeme, autre = deux_fiches
    avant = instantane.photo()
    with pytest.raises(services.IdentifiantExterneDejaPris) as refus:
        services.modifier_systeme(autre.pk, {"identifiant_externe": "IA-001"}, autre.version, referent_a)
    assert refus.value.message_dict["identifiant_externe"] == [
        "L'identifiant « IA-001 » est déjà celui de la fiche « Détection des fuites » : chaque fiche de "
        "l'organisation a le sien. Choisissez-en un autre ou laissez le champ vide."
    ]
    with pytest.raises(services.IdentifiantExterneDejaPris):
        services.creer_systeme(
            systeme.organisation, {**_donnees(), "identifiant_externe": "IA-001"}, referent_a
        )
    assert instantane.photo() == avant
    # Ailleurs, le même identifiant est libre ; vide, il ne compte pas.
    services.creer_systeme(org_b, {**_donnees(), "identifiant_externe": "IA-001"}, admin_b)
    services.modifier_systeme(autre.pk, {"identifiant_externe": ""}, autre.version, referent_a)


def test_deux_enregistrements_simultanes_le_second_refuse(deux_fiches, referent_a):
    """La vérification passe pour les deux ; la contrainte de la table arrête le second, même message."""
    _, autre = deux_fiches
    appels = iter([lambda systeme: None, services._verifier_identifiant_externe])
    course = mock.patch.object(
        services, "_verifier_identifiant_externe", side_effect=lambda s: next(appels)(s)
    )
    with course, pytest.raises(services.IdentifiantExterneDejaPris):
        services.modifier_systeme(autre.pk, {"identifiant_externe": "IA-001"}, autre.version, referent_a)
    assert SystemeIA.objects.get(pk=autre.pk).identifiant_externe == ""


def test_verrou_optimiste_inchange(deux_fiches, referent_a):
    systeme, _ = deux_fiches
    with pytest.raises(services.ConflitEdition) as conflit:
        services.modifier_systeme(systeme.pk, {"identifiant_externe": "IA-009"}, 1, referent_a)
    assert [c.champ for c in conflit.value.changements] == ["identifiant_externe"]
    assert SystemeIA.objects.get(pk=systeme.pk).identifiant_externe == "IA-001"


def _donnees() -> dict:
    return {**fabrique.FICHE_MINIMALE, "nom": "Tri du courrier"}


def test_formulaire_modifie_et_refuse_un_identifiant_pris(client, deux_fiches, referent_a):
    systeme, autre = deux_fiches
    client.force_login(referent_a)
    adresse = reverse("registre:modifier", args=["commune-a", autre.pk])
    page = client.get(adresse).content.decode()
    assert "Identifiant dans votre registre d&#x27;origine (facultatif)" in page
    champs = {c: getattr(autre, c) for c in services.CHAMPS_SAISIS}
    champs = {c: ("" if v is None else v) for c, v in champs.items()}
    avant = instantane.photo()
    refus = client.post(adresse, {**champs, "identifiant_externe": "IA-001", "version": autre.version})
    assert refus.status_code == 200
    assert "est déjà celui de la fiche « Détection des fuites »" in refus.content.decode()
    assert instantane.photo() == avant
    reponse = client.post(adresse, {**champs, "identifiant_externe": " IA-002 ", "version": autre.version})
    assert reponse.status_code == 302
    assert SystemeIA.objects.get(pk=autre.pk).identifiant_externe == "IA-002"
    fiche = client.get(reverse("registre:detail", args=["commune-a", autre.pk])).content.decode()
    assert "Identifiant dans le registre d'origine" in fiche and "IA-002" in fiche


def test_api_lit_ecrit_et_refuse_en_409(api, deux_fiches):
    systeme, autre = deux_fiches
    lu = api("GET", f"/systemes/{systeme.pk}", {})
    assert lu.json()["identifiant_externe"] == "IA-001"
    avant = instantane.photo()
    refus = api("PATCH", f"/systemes/{autre.pk}", {"version": autre.version, "identifiant_externe": "IA-001"})
    assert refus.status_code == 409
    assert "« IA-001 » est déjà celui de la fiche « Détection des fuites »" in refus.json()["message"]
    creation = api("POST", "/systemes", {**_donnees(), "identifiant_externe": "IA-001"})
    assert creation.status_code == 409
    assert instantane.photo() == avant
    change = api(
        "PATCH", f"/systemes/{autre.pk}", {"version": autre.version, "identifiant_externe": "IA-003"}
    )
    assert change.status_code == 200 and change.json()["identifiant_externe"] == "IA-003"
    cree = api("POST", "/systemes", {**_donnees(), "identifiant_externe": "IA-004"})
    assert cree.status_code == 201 and cree.json()["identifiant_externe"] == "IA-004"
