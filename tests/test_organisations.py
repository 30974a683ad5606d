"""Organisations, membres et invitations."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from balise.organisations import services
from balise.organisations.models import Adhesion, Invitation, Organisation, valider_siren
from tests import fabrique


@pytest.mark.parametrize("siren", ["200000164", "200000172", "732829320"])
def test_siren_valide(siren):
    valider_siren(siren)


@pytest.mark.parametrize("siren", ["123", "20000016A", "200000165"])
def test_siren_invalide(siren):
    with pytest.raises(ValidationError):
        valider_siren(siren)


def test_commande_creer_organisation(db, capsys):
    call_command(
        "creer_organisation",
        "Commune de Xe",
        "--type",
        "commune",
        "--admin",
        "dgs@xe.fr",
        "--siren",
        "200000164",
    )
    org = Organisation.objects.get(slug="commune-de-xe")
    assert Adhesion.objects.get(organisation=org).role == "administrateur"
    sortie = capsys.readouterr().out
    # Aucun mot de passe dans le terminal : un lien d'activation part par courriel.
    assert "lien pour choisir son mot de passe" in sortie and "mot de passe provisoire" not in sortie
    (courriel,) = mail.outbox
    assert courriel.to == ["dgs@xe.fr"] and "/comptes/activation/" in courriel.body
    with pytest.raises(CommandError, match="SIREN"):
        call_command(
            "creer_organisation", "Autre", "--type", "commune", "--admin", "a@b.fr", "--siren", "123456789"
        )


def test_slug_reserve_refuse(db):
    with pytest.raises(ValidationError):
        services.creer_organisation(
            nom="Schéma", type="commune", administrateur_email="a@b.fr", slug="schema"
        )
    assert services.slug_disponible("Schema") == "schema-2"


def test_invitation_nouvelle_personne(client, org_a, admin_a):
    client.force_login(admin_a)
    r = client.post(f"/o/{org_a.slug}/membres/", {"email": "Nouvel.Agent@exemple.fr", "role": "referent"})
    assert r.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nouvel.agent@exemple.fr" and invitation.jeton in mail.outbox[0].body
    client.logout()
    r = client.post(
        f"/invitation/{invitation.jeton}/",
        {
            "first_name": "Nina",
            "last_name": "Agent",
            "password1": "un-mot-de-passe-solide",
            "password2": "un-mot-de-passe-solide",
        },
    )
    assert r.status_code == 302
    assert Adhesion.objects.get(utilisateur__email="nouvel.agent@exemple.fr").role == "referent"
    # La session ouverte à l'acceptation tient : la page suivante s'ouvre sans renvoi à la connexion.
    assert client.get(r.url).status_code == 200
    assert client.get(f"/o/{org_a.slug}/registre/").status_code == 200
    # Le lien ne sert qu'une fois.
    assert client.get(f"/invitation/{invitation.jeton}/").status_code == 404


def test_invitation_personne_existante_doit_se_connecter(client, org_a, admin_a, admin_b):
    invitation = services.inviter(org_a, admin_b.email, "lecteur", admin_a, lambda i: "lien")
    assert client.get(f"/invitation/{invitation.jeton}/").status_code == 302
    client.force_login(admin_b)
    assert client.post(f"/invitation/{invitation.jeton}/").status_code == 302
    assert Adhesion.objects.filter(organisation=org_a, utilisateur=admin_b, role="lecteur").exists()


def test_invitation_pour_une_autre_adresse_refusee(org_a, admin_a, admin_b):
    invitation = services.inviter(org_a, "quelqu-un@exemple.fr", "lecteur", admin_a, lambda i: "lien")
    with pytest.raises(ValidationError, match="autre adresse"):
        services.accepter_invitation(invitation, admin_b)


def test_garder_un_administrateur(org_a, admin_a, referent_a):
    seule = Adhesion.objects.get(utilisateur=admin_a)
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.changer_role(seule, "lecteur", admin_a)
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.retirer_membre(seule, admin_a)
    services.changer_role(Adhesion.objects.get(utilisateur=referent_a), "administrateur", admin_a)
    services.retirer_membre(seule, referent_a)
    assert not Adhesion.objects.filter(utilisateur=admin_a).exists()


def test_une_personne_dans_plusieurs_organisations(client, org_a, org_b, admin_a):
    Adhesion.objects.create(utilisateur=admin_a, organisation=org_b, role="lecteur")
    fabrique.systeme(org_b, admin_a, nom="Système de B")
    client.force_login(admin_a)
    assert "Système de B" in client.get(f"/o/{org_b.slug}/registre/").content.decode()
    assert client.get(f"/o/{org_b.slug}/registre/nouveau/").status_code == 403


def test_parametres_modification_concurrente(client, org_a, admin_a):
    client.force_login(admin_a)
    champs = {
        "nom": org_a.nom,
        "type": "commune",
        "siren": "",
        "contact_public": "",
        "seuil_secret": 5,
        "version": 1,
    }
    assert client.post(f"/o/{org_a.slug}/parametres/", {**champs, "nom": "Commune A-bis"}).status_code == 302
    r = client.post(f"/o/{org_a.slug}/parametres/", {**champs, "contact_public": "x@exemple.fr"})
    assert r.status_code == 409 and "Commune A-bis" in r.content.decode()
    org_a.refresh_from_db()
    assert org_a.nom == "Commune A-bis" and org_a.contact_public != "x@exemple.fr" and org_a.version == 2


def test_journal_des_membres_et_des_informations(client, org_a, admin_a, referent_a):
    client.force_login(admin_a)
    adhesion = Adhesion.objects.get(utilisateur=referent_a)
    services.changer_role(adhesion, "dpo", admin_a)
    services.retirer_membre(adhesion, admin_a)
    services.modifier_organisation(org_a.pk, {"nom": "Commune A renommée"}, org_a.version, admin_a)
    page = client.get(f"/o/{org_a.slug}/journal/").content.decode()
    for attendu in (
        "Rôle changé",
        "Membre retiré",
        "Délégué à la protection des données",
        "Commune A renommée",
    ):
        assert attendu in page
    assert page.count(admin_a.nom_affiche) >= 3
    client.force_login(referent_a)
    assert client.get(f"/o/{org_a.slug}/journal/").status_code == 404


def test_seuil_du_secret_statistique_jamais_sous_3(client, org_a, admin_a):
    client.force_login(admin_a)
    champs = {"nom": org_a.nom, "type": "commune", "version": 1}
    r = client.post(f"/o/{org_a.slug}/parametres/", {**champs, "seuil_secret": 2})
    assert r.status_code == 200 and "supérieure ou égale à 3" in r.content.decode()
    org_a.refresh_from_db()
    assert org_a.seuil_secret == 5
    assert client.post(f"/o/{org_a.slug}/parametres/", {**champs, "seuil_secret": 10}).status_code == 302
    org_a.refresh_from_db()
    assert org_a.seuil_secret == 10


def test_le_backend_des_sessions_ouvertes_par_balise_est_reconnu(settings):
    # Une session nommant un backend absent de cette liste est ignorée : la personne est déconnectée.
    from balise.comptes.backends import BACKEND_SESSION

    assert BACKEND_SESSION in settings.AUTHENTICATION_BACKENDS


def test_chaque_page_publique_hors_organisation_reserve_son_identifiant():
    """/public/<slug>/ est le registre public d'une organisation : une page publique de l'instance à la même
    place (/public/observatoire/, /public/schema/…) masquerait celui d'une organisation de ce nom."""
    from balise.urls import urlpatterns

    premiers = set()
    for motif in urlpatterns:
        if str(motif.pattern) == "public/" and hasattr(motif, "url_patterns"):
            for sous in motif.url_patterns:
                segment = str(sous.pattern).split("/", 1)[0]
                if segment and "<" not in segment:
                    premiers.add(segment)
    assert premiers and premiers <= services.SLUGS_RESERVES, premiers - services.SLUGS_RESERVES
