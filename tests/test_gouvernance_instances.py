"""Les instances de gouvernance : services, pages, API, membres externes et leurs droits."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from balise.comptes.models import JetonAPI
from balise.gouvernance import selectors_instances as selecteurs
from balise.gouvernance import services_instances as services
from balise.gouvernance.models import College, Instance, InvitationSiege, Membre
from balise.organisations import services as organisations
from balise.organisations.forms import InvitationForm
from balise.organisations.models import Adhesion, EvenementJournal, Invitation
from balise.organisations.roles import Role
from balise.versions import ConflitEdition, VersionAbsente
from tests import fabrique, instantane

ETHIQUE = "comite_ethique_colleges"


def _lien(invitation: Invitation) -> str:
    return f"http://testserver/invitation/{invitation.jeton}/"


def _comite(org, par, **champs) -> Instance:
    valeurs = services.valeurs_du_modele(ETHIQUE)
    colleges = valeurs.pop("colleges")
    return services.creer_instance(org, {**valeurs, **champs}, par, modele=ETHIQUE, colleges=colleges)


@pytest.fixture
def comite(org_a, admin_a):
    return _comite(org_a, admin_a)


def _college(instance, nom_commence_par: str) -> College:
    return instance.colleges.get(nom__startswith=nom_commence_par)


# --- Services ------------------------------------------------------------------------------------


def test_creer_depuis_un_modele(comite, admin_a):
    assert comite.modele == ETHIQUE and comite.nature == "consultative"
    assert comite.avis_publics is True and comite.regle_vote == "consensus"
    assert [c.nom for c in comite.colleges.all()] == [
        "Collège académique",
        "Collège des experts",
        "Collège des élus et cadres",
        "Collège de la société civile",
    ]
    assert comite.history.get().history_user == admin_a
    assert all(c.history.get().history_user == admin_a for c in comite.colleges.all())


def test_creer_librement_et_adapter_le_modele(org_a, admin_a):
    instance = services.creer_instance(
        org_a,
        {"nom": "  Comité citoyen  ", "mission": "Écouter.", "nature": "consultative", "quorum_pourcent": 0},
        admin_a,
        colleges=["Habitants", " ", "Associations"],
    )
    assert instance.nom == "Comité citoyen" and instance.modele == ""
    assert list(instance.colleges.values_list("nom", flat=True)) == ["Habitants", "Associations"]


@pytest.mark.parametrize(
    ("donnees", "options", "message"),
    [
        ({"nom": ""}, {}, "Donnez un nom à l'instance."),
        ({"mission": "  "}, {}, "Décrivez la mission de l'instance."),
        ({"mission": "x" * 4001}, {}, "La mission ne dépasse pas 4000 caractères."),
        ({"quorum_pourcent": 120}, {}, "Le quorum est un pourcentage entre 0 et 100."),
        ({"nature": "souveraine"}, {}, "n’est pas un choix valide"),
        ({"regle_vote": "tirage_au_sort"}, {}, "n’est pas un choix valide"),
        ({}, {"colleges": ["Élus", "élus"]}, "Le collège « élus » est cité deux fois."),
        ({}, {"colleges": [f"C{i}" for i in range(13)]}, "Une instance compte au plus 12 collèges."),
        ({}, {"modele": "inconnu"}, "Ce modèle d'instance n'existe pas."),
        (
            {"nom": "comité d'éthique et scientifique"},
            {},
            "Une autre instance de l'organisation porte déjà ce nom.",
        ),
    ],
)
def test_saisies_invalides_refusees_en_francais_sans_rien_changer(
    comite, org_a, admin_a, donnees, options, message
):
    base = {"nom": "Nouveau comité", "mission": "Rendre des avis.", "nature": "consultative"}
    avant = instantane.photo()
    with pytest.raises(ValidationError) as refus:
        services.creer_instance(org_a, {**base, **donnees}, admin_a, **options)
    assert any(message in m for m in refus.value.messages), refus.value.messages
    assert instantane.photo() == avant


def test_verrou_optimiste(comite, org_a, admin_a, referent_a):
    services.modifier_instance(org_a, comite.pk, {"periodicite": "Mensuelle"}, 1, referent_a)
    avant = instantane.photo()
    with pytest.raises(ConflitEdition) as conflit:
        services.modifier_instance(org_a, comite.pk, {"nom": "Autre"}, 1, admin_a)
    assert [c.champ for c in conflit.value.changements] == ["periodicite"]
    assert conflit.value.auteurs == [referent_a.nom_affiche]
    with pytest.raises(VersionAbsente):
        services.modifier_instance(org_a, comite.pk, {"nom": "Autre"}, None, admin_a)
    assert instantane.photo() == avant
    comite.refresh_from_db()
    assert comite.version == 2 and comite.history.first().history_user == referent_a


def test_une_instance_d_une_autre_organisation_est_introuvable(comite, org_b, admin_b):
    with pytest.raises(Instance.DoesNotExist):
        services.modifier_instance(org_b, comite.pk, {"nom": "Piratée"}, 1, admin_b)


def test_archiver_et_restaurer_au_journal(comite, org_a, admin_a):
    services.archiver_instance(org_a, comite.pk, 1, admin_a)
    with pytest.raises(ValidationError, match="archivée"):
        services.modifier_instance(org_a, comite.pk, {"nom": "x"}, 2, admin_a)
    with pytest.raises(ValidationError, match="archivée"):
        services.ajouter_college(comite, "Nouveau", admin_a)
    services.restaurer_instance(org_a, comite.pk, 2, admin_a)
    natures = list(EvenementJournal.objects.filter(organisation=org_a).values_list("nature", "objet"))
    assert natures == [("instance_restauree", comite.nom), ("instance_archivee", comite.nom)]


def test_nommer_et_retirer_un_membre_garde_l_historique(comite, admin_a, lecteur_a):
    academique = _college(comite, "Collège académique")
    membre = services.nommer_membre(
        comite, lecteur_a.pk, admin_a, college_id=academique.pk, fonction="president", qualite="Élue"
    )
    with pytest.raises(ValidationError, match="siège déjà"):
        services.nommer_membre(comite, lecteur_a.pk, admin_a)
    avant = instantane.photo()
    with pytest.raises(ConflitEdition):
        services.retirer_membre(comite, membre.pk, 7, admin_a)
    assert instantane.photo() == avant
    services.retirer_membre(comite, membre.pk, 1, admin_a)
    membre.refresh_from_db()
    assert membre.retire_le is not None and membre.history.count() == 2
    with pytest.raises(ValidationError, match="déjà été retiré"):
        services.retirer_membre(comite, membre.pk, 2, admin_a)
    # Retiré, la personne peut être nommée de nouveau ; l'ancien siège reste.
    services.nommer_membre(comite, lecteur_a.pk, admin_a)
    composition = selecteurs.composition(comite)
    assert [m.pk for m in composition.anciens] == [membre.pk]
    assert [m.utilisateur for m in composition.en_fonction] == [lecteur_a]


def test_nommer_refuse_ce_qui_ne_va_pas(comite, org_a, org_b, admin_a, admin_b, lecteur_a, referent_a):
    autre = _comite(org_a, admin_a, nom="Autre comité")
    services.nommer_membre(comite, referent_a.pk, admin_a, fonction="president")
    avant = instantane.photo()
    refus = [
        (lambda: services.nommer_membre(comite, admin_b.pk, admin_a), "n'est pas membre de l'organisation"),
        (
            lambda: services.nommer_membre(
                comite, lecteur_a.pk, admin_a, college_id=autre.colleges.first().pk
            ),
            "n'appartient pas à cette instance",
        ),
        (lambda: services.nommer_membre(comite, lecteur_a.pk, admin_a, fonction="roi"), "Fonction inconnue."),
        (
            lambda: services.nommer_membre(comite, lecteur_a.pk, admin_a, fonction="president"),
            "déjà une présidence",
        ),
        (lambda: services.nommer_membre(comite, lecteur_a.pk, admin_a, qualite="x" * 201), "200 caractères"),
    ]
    for appel, message in refus:
        with pytest.raises(ValidationError) as erreur:
            appel()
        assert any(message in m for m in erreur.value.messages), erreur.value.messages
    assert instantane.photo() == avant


def test_colleges_ajouter_renommer_retirer(comite, admin_a, lecteur_a):
    ajoute = services.ajouter_college(comite, "Collège des agents", admin_a)
    assert ajoute.ordre == 4
    with pytest.raises(ValidationError, match="cité deux fois"):
        services.ajouter_college(comite, "collège des agents", admin_a)
    services.renommer_college(comite, ajoute.pk, "Collège du personnel", admin_a)
    services.nommer_membre(comite, lecteur_a.pk, admin_a, college_id=ajoute.pk)
    with pytest.raises(ValidationError, match="a ou a eu des membres"):
        services.retirer_college(comite, ajoute.pk, admin_a)
    vide = _college(comite, "Collège des experts")
    services.retirer_college(comite, vide.pk, admin_a)
    assert not College.objects.filter(pk=vide.pk).exists()
    assert College.history.filter(id=vide.pk, history_type="-").get().history_user == admin_a


# --- Membres externes ----------------------------------------------------------------------------


def test_invitation_externe_acceptee_donne_l_adhesion_externe_et_le_siege(comite, org_a, admin_a):
    societe = _college(comite, "Collège de la société civile")
    resultat = services.inviter_externe(
        comite,
        " Citoyenne@Exemple.fr ",
        admin_a,
        _lien,
        college_id=societe.pk,
        qualite="Citoyenne tirée au sort",
    )
    siege = resultat.invitation
    assert siege is not None and resultat.membre is None
    assert siege.invitation.role == Role.EXTERNE and siege.invitation.email == "citoyenne@exemple.fr"
    assert siege.invitation.jeton in mail.outbox[0].body and comite.nom in mail.outbox[0].subject
    with pytest.raises(ValidationError, match="attend déjà"):
        services.inviter_externe(comite, "citoyenne@exemple.fr", admin_a, _lien)

    personne = organisations.accepter_invitation_en_creant_son_compte(
        siege.invitation, "mot-de-passe-solide-42", "Claire", "Martin"
    )
    adhesion = Adhesion.objects.get(utilisateur=personne, organisation=org_a)
    assert adhesion.role == Role.EXTERNE
    membre = Membre.objects.get(instance=comite, utilisateur=personne)
    assert (membre.college, membre.fonction, membre.qualite) == (societe, "membre", "Citoyenne tirée au sort")
    assert membre.history.get().history_user == personne
    siege.refresh_from_db()
    assert siege.membre == membre


def test_inviter_une_personne_deja_membre_cree_le_siege(comite, org_a, admin_a, lecteur_a):
    avant = Invitation.objects.count()
    resultat = services.inviter_externe(comite, lecteur_a.email, admin_a, _lien, fonction="invite")
    assert resultat.membre is not None and resultat.membre.utilisateur == lecteur_a
    assert Invitation.objects.count() == avant and not mail.outbox
    assert Adhesion.objects.get(utilisateur=lecteur_a, organisation=org_a).role == "lecteur"


def test_acceptation_par_un_compte_existant_d_une_autre_organisation(comite, org_a, admin_a, admin_b):
    siege = services.inviter_externe(comite, admin_b.email, admin_a, _lien, fonction="invite").invitation
    organisations.accepter_invitation(siege.invitation, admin_b)
    assert Adhesion.objects.get(utilisateur=admin_b, organisation=org_a).role == Role.EXTERNE
    assert Membre.objects.get(instance=comite, utilisateur=admin_b).fonction == "invite"


def test_acceptation_refusee_si_l_instance_est_archivee(comite, org_a, admin_a):
    siege = services.inviter_externe(comite, "expert@exemple.fr", admin_a, _lien).invitation
    services.archiver_instance(org_a, comite.pk, 1, admin_a)
    with pytest.raises(ValidationError, match="archivée"):
        organisations.accepter_invitation_en_creant_son_compte(
            siege.invitation, "mot-de-passe-solide-42", "E", "X"
        )
    assert not Adhesion.objects.filter(utilisateur__email="expert@exemple.fr").exists()


def test_le_role_externe_n_est_pas_propose_dans_l_invitation_generale(org_a, admin_a):
    assert Role.EXTERNE not in dict(InvitationForm.base_fields["role"].choices)
    assert not InvitationForm({"email": "x@exemple.fr", "role": Role.EXTERNE}).is_valid()
    with pytest.raises(ValidationError, match="depuis l'instance"):
        organisations.inviter(org_a, "x@exemple.fr", Role.EXTERNE, admin_a, _lien)


# --- Pages ---------------------------------------------------------------------------------------


def test_creer_depuis_un_modele_par_les_pages(client, org_a, admin_a):
    client.force_login(admin_a)
    base = f"/o/{org_a.slug}/instances/nouvelle/"
    page = client.get(base, {"modele": "f3sct"}).content.decode()
    assert "Formation spécialisée en santé" in page and "Code général de la fonction publique" in page
    assert "Représentants du personnel" in page
    reponse = client.post(
        base,
        {
            "modele": "f3sct",
            "nom": "F3SCT de la commune",
            "mission": "Examiner les effets de l'IA sur le travail.",
            "nature": "consultative",
            "quorum_pourcent": "50",
            "regle_vote": "majorite_simple",
            "periodicite": "Trois fois par an",
            "colleges": "Représentants de la collectivité\nReprésentants du personnel\nMédecine de prévention",
        },
    )
    instance = Instance.objects.get(nom="F3SCT de la commune")
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"/instances/{instance.pk}/")
    assert instance.modele == "f3sct" and instance.colleges.count() == 3
    fiche = client.get(reponse["Location"]).content.decode()
    assert "Médecine de prévention" in fiche and "seed 002:941" in fiche


def test_page_de_creation_refuse_une_saisie_invalide(client, org_a, admin_a):
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/instances/nouvelle/",
        {
            "nom": "Comité",
            "mission": "m",
            "nature": "consultative",
            "quorum_pourcent": "150",
            "regle_vote": "x",
        },
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "rien n&#x27;a été créé" in contenu or "rien n'a été créé" in contenu
    assert instantane.photo() == avant


def test_modifier_par_la_page_en_conflit(client, comite, org_a, admin_a, referent_a):
    services.modifier_instance(org_a, comite.pk, {"quorum_pourcent": 60}, 1, referent_a)
    client.force_login(admin_a)
    donnees = {
        "nom": "Comité renommé",
        "mission": comite.mission,
        "nature": "consultative",
        "quorum_pourcent": "50",
        "regle_vote": "consensus",
        "version": "1",
    }
    reponse = client.post(f"/o/{org_a.slug}/instances/{comite.pk}/modifier/", donnees)
    assert reponse.status_code == 409 and "Modification concurrente" in reponse.content.decode()
    comite.refresh_from_db()
    assert comite.nom != "Comité renommé"
    reponse = client.post(f"/o/{org_a.slug}/instances/{comite.pk}/modifier/", {**donnees, "version": "2"})
    assert reponse.status_code == 302
    comite.refresh_from_db()
    assert comite.nom == "Comité renommé" and comite.version == 3
    assert (
        "Comité renommé" in client.get(f"/o/{org_a.slug}/instances/{comite.pk}/historique/").content.decode()
    )


def test_composition_par_les_pages(client, comite, org_a, admin_a, lecteur_a):
    client.force_login(admin_a)
    base = f"/o/{org_a.slug}/instances/{comite.pk}/"
    experts = _college(comite, "Collège des experts")
    reponse = client.post(
        base + "composition/",
        {"utilisateur": lecteur_a.pk, "college": experts.pk, "fonction": "secretaire", "qualite": "Juriste"},
    )
    assert reponse.status_code == 302
    membre = Membre.objects.get(instance=comite, utilisateur=lecteur_a)
    reponse = client.post(
        base + "invitations/",
        {
            "externe-email": "syndicat@exemple.fr",
            "externe-fonction": "membre",
            "externe-qualite": "Représentant CGT",
        },
    )
    assert reponse.status_code == 302
    assert InvitationSiege.objects.get(instance=comite).qualite == "Représentant CGT"
    page = client.get(base + "composition/").content.decode()
    assert "syndicat@exemple.fr" in page and "Juriste" in page
    reponse = client.post(base + f"membres/{membre.pk}/retrait/", {"version": "1"})
    membre.refresh_from_db()
    assert reponse.status_code == 302 and membre.retire_le is not None
    # Une mauvaise saisie : message en français, rien ne change.
    avant = instantane.photo()
    reponse = client.post(base + "colleges/", {"college-nom": "Collège des experts"})
    assert reponse.status_code == 400 and "cité deux fois" in reponse.content.decode()
    reponse = client.post(base + f"colleges/{experts.pk}/retrait/")
    assert any("a ou a eu des membres" in str(m) for m in get_messages(reponse.wsgi_request))
    assert instantane.photo() == avant


def test_archiver_par_la_page(client, comite, org_a, admin_a):
    client.force_login(admin_a)
    client.post(f"/o/{org_a.slug}/instances/{comite.pk}/archivage/", {"version": "1"})
    lien = f'href="/o/{org_a.slug}/instances/{comite.pk}/"'
    assert lien not in client.get(f"/o/{org_a.slug}/instances/").content.decode()
    assert lien in client.get(f"/o/{org_a.slug}/instances/?archives=1").content.decode()
    client.post(f"/o/{org_a.slug}/instances/{comite.pk}/restauration/", {"version": "2"})
    comite.refresh_from_db()
    assert comite.archive_le is None


# --- Droits --------------------------------------------------------------------------------------


@pytest.fixture
def externe(comite, org_a, admin_a):
    """Une citoyenne qui siège dans le comité d'éthique, et une autre instance où elle ne siège pas."""
    siege = services.inviter_externe(comite, "citoyenne@exemple.fr", admin_a, _lien).invitation
    personne = organisations.accepter_invitation_en_creant_son_compte(
        siege.invitation, "mot-de-passe-solide-42", "Claire", "Martin"
    )
    autre = services.creer_instance(
        org_a,
        {"nom": "Comité de direction secret", "mission": "Décider.", "nature": "decisionnelle"},
        admin_a,
    )
    return personne, autre


def test_l_externe_ne_voit_que_ses_instances(client, comite, org_a, externe, systeme_a):
    personne, autre = externe
    client.force_login(personne)
    base = f"/o/{org_a.slug}/"
    liste = client.get(base + "instances/").content.decode()
    assert escape(comite.nom) in liste and escape(autre.nom) not in liste
    fiche = client.get(base + f"instances/{comite.pk}/").content.decode()
    assert "Claire Martin" in fiche
    # Le menu ne lui propose que les instances.
    assert f"{base}registre/" not in fiche and f"{base}instances/" in fiche
    assert client.get(base + f"instances/{autre.pk}/").status_code == 404
    assert client.get(base + f"instances/{autre.pk}/historique/").status_code == 404
    for page in ("registre/", f"registre/{systeme_a.pk}/", "obligations/", "metiers/", "instruments/"):
        assert client.get(base + page).status_code == 403, page
    for page in (
        f"instances/{comite.pk}/modifier/",
        f"instances/{comite.pk}/composition/",
        "instances/nouvelle/",
    ):
        assert client.get(base + page).status_code == 403, page


def test_l_externe_par_l_api(comite, org_a, externe):
    personne, autre = externe
    _, secret = JetonAPI.emettre(personne, "jeton")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    base = f"/api/organisations/{org_a.slug}/"
    assert [i["nom"] for i in client.get(base + "instances").json()] == [comite.nom]
    assert client.get(base + f"instances/{comite.pk}").status_code == 200
    assert client.get(base + f"instances/{autre.pk}").status_code == 404
    assert client.get(base + "systemes").status_code == 403


def test_l_acceptation_mene_l_externe_a_ses_instances(client, comite, org_a, admin_a):
    siege = services.inviter_externe(comite, "experte@exemple.fr", admin_a, _lien).invitation
    reponse = client.post(
        f"/invitation/{siege.invitation.jeton}/",
        {
            "first_name": "Eve",
            "last_name": "Durand",
            "password1": "mot-de-passe-solide-42",
            "password2": "mot-de-passe-solide-42",
        },
    )
    assert reponse.status_code == 302 and reponse["Location"] == f"/o/{org_a.slug}/instances/"
    assert escape(comite.nom) in client.get(reponse["Location"]).content.decode()


def test_un_lecteur_voit_mais_n_ecrit_pas(client, comite, org_a, lecteur_a):
    client.force_login(lecteur_a)
    page = client.get(f"/o/{org_a.slug}/instances/{comite.pk}/").content.decode()
    assert escape(comite.nom) in page and "Gérer la composition" not in page
    avant = instantane.photo()
    assert (
        client.post(f"/o/{org_a.slug}/instances/{comite.pk}/archivage/", {"version": "1"}).status_code == 403
    )
    assert instantane.photo() == avant


def test_la_fiche_fait_autant_de_requetes_quel_que_soit_le_nombre_de_membres(
    client, comite, org_a, admin_a, django_assert_max_num_queries
):
    colleges = list(comite.colleges.all())

    def ajouter(n, debut):
        for i in range(debut, debut + n):
            personne = fabrique.membre(org_a, "lecteur", f"membre-{i}@exemple.fr")
            services.nommer_membre(
                comite, personne.pk, admin_a, college_id=colleges[i % 4].pk, qualite=f"Q{i}"
            )
        services.inviter_externe(comite, f"externe-{debut}@exemple.fr", admin_a, _lien)

    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/instances/{comite.pk}/"
    ajouter(2, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as peu:
        assert client.get(url).status_code == 200
    ajouter(20, 2)
    with django_assert_max_num_queries(len(peu.captured_queries)):
        page = client.get(url)
    assert "Q21" in page.content.decode()
    with CaptureQueriesContext(connection) as composition:
        assert client.get(url + "composition/").status_code == 200
    ajouter(10, 30)
    with django_assert_max_num_queries(len(composition.captured_queries)):
        client.get(url + "composition/")


# --- API -----------------------------------------------------------------------------------------


def _api(personne):
    _, secret = JetonAPI.emettre(personne, "jeton")
    return Client(headers={"authorization": f"Bearer {secret}"})


def _envoyer(client, methode, url, corps=None):
    return client.generic(
        methode, url, json.dumps(corps) if corps is not None else "", content_type="application/json"
    )


def test_api_creer_lire_modifier_nommer_retirer(org_a, admin_a, lecteur_a):
    client = _api(admin_a)
    base = f"/api/organisations/{org_a.slug}/instances"
    reponse = _envoyer(
        client,
        "POST",
        base,
        {
            "nom": "Comité de revue",
            "mission": "Revoir les systèmes.",
            "nature": "consultative",
            "modele": "comite_revue",
            "colleges": ["Qualité", "Métiers"],
        },
    )
    assert reponse.status_code == 201, reponse.content
    instance = reponse.json()
    assert instance["modele"] == "comite_revue" and [c["nom"] for c in instance["colleges"]] == [
        "Qualité",
        "Métiers",
    ]
    url = f"{base}/{instance['id']}"
    reponse = _envoyer(client, "PATCH", url, {"version": 1, "periodicite": "Trimestrielle"})
    assert reponse.status_code == 200 and reponse.json()["version"] == 2
    reponse = _envoyer(client, "PATCH", url, {"version": 1, "nom": "Autre"})
    assert reponse.status_code == 409 and reponse.json()["version_actuelle"] == 2
    assert _envoyer(client, "PATCH", url, {"version": 2, "quorum_pourcent": 101}).status_code == 422
    college = instance["colleges"][0]["id"]
    reponse = _envoyer(
        client,
        "POST",
        f"{url}/membres",
        {"utilisateur": lecteur_a.pk, "college": college, "fonction": "president"},
    )
    assert reponse.status_code == 201, reponse.content
    membre = reponse.json()
    assert membre["nom"] == lecteur_a.nom_affiche and membre["college"] == college
    lu = client.get(url).json()
    assert [m["id"] for m in lu["membres"]] == [membre["id"]]
    reponse = _envoyer(client, "POST", f"{url}/membres", {"utilisateur": lecteur_a.pk})
    assert reponse.status_code == 400 and "siège déjà" in reponse.json()["message"]
    reponse = client.delete(f"{url}/membres/{membre['id']}?version=1")
    assert reponse.status_code == 200 and reponse.json()["retire_le"] is not None
    assert client.get(url).json()["membres"] == []


def test_api_droits_des_lecteurs(comite, org_a, lecteur_a):
    client = _api(lecteur_a)
    base = f"/api/organisations/{org_a.slug}/instances"
    assert client.get(base).status_code == 200
    avant = instantane.photo()
    reponse = _envoyer(client, "PATCH", f"{base}/{comite.pk}", {"version": 1, "nom": "Piraté"})
    assert reponse.status_code == 403
    reponse = _envoyer(client, "POST", base, {"nom": "x", "mission": "y", "nature": "consultative"})
    assert reponse.status_code == 403
    assert instantane.photo() == avant
