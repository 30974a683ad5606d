"""Les membres d'une instance : changer leur fonction, leur collège et leur qualité (service, page,
API), sous verrou optimiste, et la présidence revérifiée à l'acceptation d'une invitation à siéger."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client

from balise.comptes.models import JetonAPI
from balise.gouvernance import services_instances as services
from balise.gouvernance.models import InvitationSiege, Membre
from balise.organisations import services as organisations
from balise.versions import ConflitEdition, VersionAbsente
from tests import instantane
from tests.test_gouvernance_instances import _college, _comite, _lien

PRESIDENCE_PRISE = "déjà une présidence"


@pytest.fixture
def comite(org_a, admin_a):
    return _comite(org_a, admin_a)


@pytest.fixture
def siege(comite, admin_a, lecteur_a):
    """Le lecteur siège au collège académique, comme membre, sans qualité (version 1)."""
    return services.nommer_membre(
        comite, lecteur_a.pk, admin_a, college_id=_college(comite, "Collège académique").pk
    )


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# --- Service -------------------------------------------------------------------------------------


def test_modifier_fonction_college_qualite_garde_l_historique(comite, siege, admin_a, referent_a):
    experts = _college(comite, "Collège des experts")
    membre = services.modifier_membre(
        comite,
        siege.pk,
        {"fonction": "secretaire", "college": experts.pk, "qualite": " Juriste "},
        1,
        admin_a,
    )
    membre.refresh_from_db()
    assert (membre.fonction, membre.college, membre.qualite, membre.version) == (
        "secretaire",
        experts,
        "Juriste",
        2,
    )
    # Seuls les champs donnés changent ; `college` à None : sans collège.
    services.modifier_membre(comite, siege.pk, {"college": None}, 2, referent_a)
    membre.refresh_from_db()
    assert (membre.fonction, membre.college, membre.qualite) == ("secretaire", None, "Juriste")
    auteurs = list(membre.history.order_by("history_id").values_list("history_user", flat=True))
    assert auteurs == [admin_a.pk, admin_a.pk, referent_a.pk]
    # Rien ne change : rien n'est écrit, la version reste.
    avant = instantane.photo()
    services.modifier_membre(comite, siege.pk, {"fonction": "secretaire", "qualite": "Juriste"}, 3, admin_a)
    assert instantane.photo() == avant


def test_confier_la_presidence(comite, siege, admin_a, referent_a):
    president = services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    avant = instantane.photo()
    with pytest.raises(ValidationError, match=PRESIDENCE_PRISE):
        services.modifier_membre(comite, siege.pk, {"fonction": "president"}, 1, admin_a)
    assert instantane.photo() == avant
    # Le président reste président en changeant de qualité : il ne se compte pas lui-même.
    services.modifier_membre(comite, president.pk, {"fonction": "president", "qualite": "Maire"}, 1, admin_a)
    # La présidence passe : l'ancienne présidence devient membre, puis l'autre est nommé.
    services.modifier_membre(comite, president.pk, {"fonction": "membre"}, 2, admin_a)
    services.modifier_membre(comite, siege.pk, {"fonction": "president"}, 1, admin_a)
    presidents = comite.membres.filter(fonction="president", retire_le__isnull=True)
    assert list(presidents) == [siege]


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"fonction": "roi"}, "Fonction inconnue."),
        ({"fonction": None}, "Fonction inconnue."),
        ({"fonction": ["president"]}, "Fonction inconnue."),
        ({"fonction": "PRESIDENT"}, "Fonction inconnue."),
        ({"qualite": "x" * 201}, "200 caractères"),
        ({"qualite": None}, "La qualité est un texte"),
        ({"qualite": "Juriste\x00"}, "sans caractère nul"),
        ({"college": "1"}, "n'appartient pas à cette instance"),
        ({"college": True}, "n'appartient pas à cette instance"),
        ({"college": 1.0}, "n'appartient pas à cette instance"),
        ({"college": 2_000_000_000}, "n'appartient pas à cette instance"),
    ],
)
def test_saisies_hostiles_refusees_sans_rien_changer(comite, siege, admin_a, donnees, message):
    avant = instantane.photo()
    with pytest.raises(ValidationError) as erreur:
        services.modifier_membre(comite, siege.pk, {"fonction": "secretaire", **donnees}, 1, admin_a)
    assert any(message in m for m in erreur.value.messages), erreur.value.messages
    assert instantane.photo() == avant


def test_refus_collège_d_une_autre_instance_membre_retire_instance_archivee(
    comite, siege, org_a, admin_a, referent_a
):
    autre = _comite(org_a, admin_a, nom="Autre comité")
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="n'appartient pas à cette instance"):
        services.modifier_membre(comite, siege.pk, {"college": autre.colleges.first().pk}, 1, admin_a)
    assert instantane.photo() == avant
    # Un membre d'une autre instance n'est pas trouvé par celle-ci.
    ailleurs = services.nommer_membre(autre, referent_a.pk, admin_a)
    with pytest.raises(Membre.DoesNotExist):
        services.modifier_membre(comite, ailleurs.pk, {"fonction": "secretaire"}, 1, admin_a)
    services.retirer_membre(comite, siege.pk, 1, admin_a)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="a été retiré"):
        services.modifier_membre(comite, siege.pk, {"fonction": "secretaire"}, 2, admin_a)
    membre = services.nommer_membre(comite, referent_a.pk, admin_a)
    services.archiver_instance(org_a, comite.pk, 1, admin_a)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="archivée"):
        services.modifier_membre(comite, membre.pk, {"fonction": "secretaire"}, 1, admin_a)
    assert instantane.photo() == avant


def test_verrou_optimiste_la_seconde_modification_depuis_la_meme_version_est_refusee(
    comite, siege, admin_a, referent_a
):
    services.modifier_membre(comite, siege.pk, {"fonction": "secretaire"}, 1, referent_a)
    avant = instantane.photo()
    with pytest.raises(ConflitEdition) as conflit:
        services.modifier_membre(comite, siege.pk, {"fonction": "invite", "qualite": "Autre"}, 1, admin_a)
    assert [c.champ for c in conflit.value.changements] == ["fonction"]
    assert conflit.value.auteurs == [referent_a.nom_affiche]
    with pytest.raises(VersionAbsente):
        services.modifier_membre(comite, siege.pk, {"fonction": "invite"}, None, admin_a)
    assert instantane.photo() == avant
    siege.refresh_from_db()
    assert (siege.fonction, siege.qualite, siege.version) == ("secretaire", "", 2)


# --- Présidence revérifiée à l'acceptation d'une invitation ---------------------------------------


def test_invitee_a_la_presidence_prise_entre_temps_siege_comme_membre(comite, admin_a, referent_a):
    societe = _college(comite, "Collège de la société civile")
    invitation = services.inviter_externe(
        comite,
        "experte@exemple.fr",
        admin_a,
        _lien,
        fonction="president",
        college_id=societe.pk,
        qualite="Élue",
    ).invitation
    # Avant l'acceptation, une autre personne est nommée à la présidence.
    services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    personne = organisations.accepter_invitation_en_creant_son_compte(
        invitation.invitation, "mot-de-passe-solide-42", "Eve", "Durand"
    )
    membre = Membre.objects.get(instance=comite, utilisateur=personne)
    assert (membre.fonction, membre.college, membre.qualite) == ("membre", societe, "Élue")
    assert comite.membres.filter(fonction="president", retire_le__isnull=True).count() == 1
    creation = membre.history.get()
    assert creation.history_change_reason == services.MOTIF_PRESIDENCE_OCCUPEE
    assert creation.history_user == personne
    # L'invitation garde la fonction proposée ; l'écart est dit.
    assert InvitationSiege.objects.get(pk=invitation.pk).fonction == "president"
    assert "vous y siégez comme membre" in services.ecart_a_l_acceptation(invitation.invitation)


def test_invitee_a_la_presidence_libre_la_recoit(comite, admin_a):
    invitation = services.inviter_externe(
        comite, "experte@exemple.fr", admin_a, _lien, fonction="president"
    ).invitation
    personne = organisations.accepter_invitation_en_creant_son_compte(
        invitation.invitation, "mot-de-passe-solide-42", "Eve", "Durand"
    )
    membre = Membre.objects.get(instance=comite, utilisateur=personne)
    assert membre.fonction == "president" and not membre.history.get().history_change_reason
    assert services.ecart_a_l_acceptation(invitation.invitation) == ""


def test_l_ecart_est_dit_a_l_acceptation_et_dans_l_historique_du_siege(
    client, comite, org_a, admin_a, referent_a
):
    invitation = services.inviter_externe(
        comite, "experte@exemple.fr", admin_a, _lien, fonction="president"
    ).invitation
    services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    reponse = client.post(
        f"/invitation/{invitation.invitation.jeton}/",
        {
            "first_name": "Eve",
            "last_name": "Durand",
            "password1": "mot-de-passe-solide-42",
            "password2": "mot-de-passe-solide-42",
        },
    )
    assert reponse.status_code == 302
    assert any("vous y siégez comme membre" in m for m in _messages(reponse))
    membre = Membre.objects.get(instance=comite, utilisateur__email="experte@exemple.fr")
    client.force_login(admin_a)
    page = client.get(f"/o/{org_a.slug}/instances/{comite.pk}/membres/{membre.pk}/").content.decode()
    assert "Invitation à la présidence : déjà exercée à l&#x27;acceptation, siège comme membre" in page


# --- Page ----------------------------------------------------------------------------------------


def test_modifier_un_membre_par_la_page(client, comite, siege, org_a, admin_a, lecteur_a):
    client.force_login(admin_a)
    base = f"/o/{org_a.slug}/instances/{comite.pk}/"
    url = base + f"membres/{siege.pk}/"
    assert url in client.get(base + "composition/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    contenu = page.content.decode()
    assert 'name="version" value="1"' in contenu and lecteur_a.nom_affiche in contenu
    experts = _college(comite, "Collège des experts")
    reponse = client.post(
        url, {"version": "1", "fonction": "secretaire", "college": experts.pk, "qualite": "Juriste"}
    )
    assert reponse.status_code == 302 and reponse["Location"] == base + "composition/"
    assert any("modifié : secrétaire, Collège des experts" in m for m in _messages(reponse))
    siege.refresh_from_db()
    assert (siege.fonction, siege.college, siege.qualite, siege.version) == (
        "secretaire",
        experts,
        "Juriste",
        2,
    )
    # L'historique du siège nomme le collège, pas son identifiant.
    historique = client.get(url).content.decode()
    assert "Collège des experts" in historique and "Secrétaire" in historique
    # Renvoyer la même chose n'écrit rien.
    avant = instantane.photo()
    reponse = client.post(
        url, {"version": "2", "fonction": "secretaire", "college": experts.pk, "qualite": "Juriste"}
    )
    assert reponse.status_code == 302 and any("Aucun changement" in m for m in _messages(reponse))
    assert instantane.photo() == avant


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"fonction": "president"}, PRESIDENCE_PRISE),
        ({"fonction": "roi"}, "Sélectionnez un choix valide"),
        ({"fonction": ""}, "Ce champ est obligatoire"),
        ({"college": "abc"}, "Sélectionnez un choix valide"),
        ({"college": "999999"}, "Sélectionnez un choix valide"),
        ({"qualite": "x" * 201}, "200 caractères"),
        ({"qualite": "Juriste\x00"}, "Le caractère nul n’est pas autorisé."),
    ],
)
def test_la_page_refuse_en_francais_sans_rien_changer(
    client, comite, siege, org_a, admin_a, referent_a, donnees, message
):
    services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/",
        {"version": "1", "fonction": "secretaire", "college": "", "qualite": "", **donnees},
    )
    assert reponse.status_code == 400
    contenu = reponse.content.decode().replace("&#x27;", "'")
    assert "rien n'a été enregistré" in contenu and message in contenu, contenu
    assert instantane.photo() == avant


def test_la_page_refuse_le_collège_d_une_autre_instance(client, comite, siege, org_a, admin_a):
    autre = _comite(org_a, admin_a, nom="Autre comité")
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/",
        {"version": "1", "fonction": "membre", "college": autre.colleges.first().pk},
    )
    assert reponse.status_code == 400 and "Sélectionnez un choix valide" in reponse.content.decode()
    assert instantane.photo() == avant


def test_la_page_en_conflit_garde_la_premiere_modification(client, comite, siege, org_a, admin_a):
    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/"
    premiere = {"version": "1", "fonction": "secretaire", "college": "", "qualite": "Première"}
    assert client.post(url, premiere).status_code == 302
    avant = instantane.photo()
    reponse = client.post(url, {**premiere, "fonction": "invite", "qualite": "Seconde"})
    assert reponse.status_code == 409
    contenu = reponse.content.decode()
    assert "Modification concurrente" in contenu and 'name="version" value="2"' in contenu
    assert instantane.photo() == avant
    siege.refresh_from_db()
    assert (siege.fonction, siege.qualite) == ("secretaire", "Première")
    # Sans version : refusé aussi.
    reponse = client.post(url, {"fonction": "invite", "college": "", "qualite": ""})
    assert reponse.status_code == 409 and instantane.photo() == avant


def test_la_page_d_un_membre_retire(client, comite, siege, org_a, admin_a):
    services.retirer_membre(comite, siege.pk, 1, admin_a)
    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/"
    page = client.get(url).content.decode()
    assert "ne siège plus" in page and 'name="fonction"' not in page
    avant = instantane.photo()
    reponse = client.post(url, {"version": "2", "fonction": "secretaire", "college": "", "qualite": ""})
    assert reponse.status_code == 400 and "a été retiré" in reponse.content.decode()
    assert instantane.photo() == avant


def test_la_page_est_fermee_a_qui_ne_gouverne_pas_et_aux_autres_instances(
    client, comite, siege, org_a, admin_a, lecteur_a, referent_a
):
    url = f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/"
    client.force_login(lecteur_a)
    avant = instantane.photo()
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": "1", "fonction": "president"}).status_code == 403
    assert instantane.photo() == avant
    autre = _comite(org_a, admin_a, nom="Autre comité")
    client.force_login(admin_a)
    # Le membre d'une instance, demandé sous une autre : introuvable.
    assert client.get(f"/o/{org_a.slug}/instances/{autre.pk}/membres/{siege.pk}/").status_code == 404


# --- API -----------------------------------------------------------------------------------------


def _api(personne):
    _, secret = JetonAPI.emettre(personne, "jeton")
    return Client(headers={"authorization": f"Bearer {secret}"})


def _patch(client, url, corps):
    return client.patch(url, json.dumps(corps), content_type="application/json")


def test_api_modifier_un_membre(comite, siege, org_a, admin_a, referent_a):
    client = _api(admin_a)
    url = f"/api/organisations/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}"
    experts = _college(comite, "Collège des experts")
    reponse = _patch(client, url, {"version": 1, "fonction": "secretaire", "college": experts.pk})
    assert reponse.status_code == 200, reponse.content
    lu = reponse.json()
    assert (lu["fonction"], lu["college"], lu["qualite"], lu["version"]) == ("secretaire", experts.pk, "", 2)
    reponse = _patch(client, url, {"version": 2, "college": None, "qualite": "Juriste"})
    assert reponse.status_code == 200
    assert (reponse.json()["college"], reponse.json()["fonction"], reponse.json()["qualite"]) == (
        None,
        "secretaire",
        "Juriste",
    )
    # Depuis une version périmée : 409, rien de changé, la première modification gardée.
    avant = instantane.photo()
    reponse = _patch(client, url, {"version": 2, "fonction": "invite"})
    assert reponse.status_code == 409 and reponse.json()["version_actuelle"] == 3
    assert instantane.photo() == avant
    siege.refresh_from_db()
    assert siege.fonction == "secretaire"
    # La présidence est unique.
    services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    avant = instantane.photo()
    reponse = _patch(client, url, {"version": 3, "fonction": "president"})
    assert reponse.status_code == 400 and PRESIDENCE_PRISE in reponse.json()["message"]
    assert instantane.photo() == avant


@pytest.mark.parametrize(
    ("corps", "statut"),
    [
        ({"fonction": "roi"}, 422),
        ({"fonction": None}, 422),
        ({"qualite": "x" * 201}, 422),
        ({"qualite": None}, 422),
        ({"qualite": "a\u0000b"}, 422),
        ({"college": "1"}, 422),
        ({"college": True}, 422),
        ({"college": 0}, 422),
        ({"college": 2_000_000_000}, 400),
        ({"version": None}, 422),
        ({"version": "1"}, 422),
        ({"version": 1.5}, 422),
    ],
)
def test_api_refuse_les_saisies_hostiles(comite, siege, org_a, admin_a, corps, statut):
    url = f"/api/organisations/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}"
    client = _api(admin_a)
    avant = instantane.photo()
    reponse = _patch(client, url, {"version": 1, "fonction": "secretaire", **corps})
    assert reponse.status_code == statut, reponse.content
    assert reponse.json()["message"]
    assert instantane.photo() == avant


def test_api_refus_college_d_une_autre_instance_membre_retire_droits(
    comite, siege, org_a, org_b, admin_a, admin_b, lecteur_a
):
    autre = _comite(org_a, admin_a, nom="Autre comité")
    base = f"/api/organisations/{org_a.slug}/instances"
    url = f"{base}/{comite.pk}/membres/{siege.pk}"
    client, lecteur, etranger = _api(admin_a), _api(lecteur_a), _api(admin_b)
    avant = instantane.photo()
    reponse = _patch(client, url, {"version": 1, "college": autre.colleges.first().pk})
    assert reponse.status_code == 400 and "n'appartient pas à cette instance" in reponse.json()["message"]
    assert _patch(client, f"{base}/{autre.pk}/membres/{siege.pk}", {"version": 1}).status_code == 404
    assert _patch(lecteur, url, {"version": 1, "fonction": "invite"}).status_code == 403
    assert _patch(etranger, url, {"version": 1, "fonction": "invite"}).status_code in (403, 404)
    assert instantane.photo() == avant
    services.retirer_membre(comite, siege.pk, 1, admin_a)
    reponse = _patch(client, url, {"version": 2, "fonction": "invite"})
    assert reponse.status_code == 400 and "a été retiré" in reponse.json()["message"]


def test_la_page_d_une_instance_archivee_ne_propose_pas_le_formulaire(client, comite, siege, org_a, admin_a):
    services.archiver_instance(org_a, comite.pk, 1, admin_a)
    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/instances/{comite.pk}/membres/{siege.pk}/"
    page = client.get(url).content.decode()
    assert "restaurez-la" in page and 'name="fonction"' not in page
    avant = instantane.photo()
    reponse = client.post(url, {"version": "1", "fonction": "secretaire", "college": "", "qualite": ""})
    assert reponse.status_code == 400 and "archivée" in reponse.content.decode()
    assert instantane.photo() == avant
