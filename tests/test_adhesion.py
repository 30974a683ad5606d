"""Demander l'adhésion (sans compte), la décision de l'instance, l'activation du premier administrateur,
et le référentiel des collectivités qui la fonde."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from balise.comptes.models import Utilisateur
from balise.organisations import collectivites, services_adhesion
from balise.organisations.models import Adhesion, DemandeAdhesion, Organisation
from balise.programme import demarrage
from balise.registre.models import SystemeIA
from tests import fabrique
from tests import gouvernance_fabrique as gf

# Cognat-Lyonne (Allier) : une commune du référentiel livré (version 6.0.0 du paquet d'Etalab).
CODE = "03080"
DEMANDE = {
    "collectivite": CODE,
    "prenom": "Claire",
    "nom": "Martin",
    "email": "DGS@Cognat.fr",
    "fonction": "DGS",
}


# --- Le référentiel ---------------------------------------------------------------------------------


def test_le_referentiel_livre_est_complet_et_bien_forme():
    tout = collectivites.toutes()  # le schéma de chaque ligne est vérifié au chargement
    par_type = {t: sum(1 for c in tout if c.type == t) for t in ("commune", "epci", "departement", "region")}
    assert par_type["commune"] > 34000 and par_type["epci"] > 1200
    assert par_type["departement"] >= 101 and par_type["region"] >= 18
    assert len({c.code for c in tout}) == len(tout)
    lyon = collectivites.par_code("69123")
    assert (lyon.nom, lyon.siren, lyon.type, lyon.departement) == ("Lyon", "216901231", "commune", "69")
    assert collectivites.par_code(lyon.epci).nom == "Métropole de Lyon"
    assert lyon.population > 500_000


@pytest.mark.parametrize(
    "ligne, message",
    [
        ({"code": "xx"}, "Code illisible"),
        ({"type": "cdg"}, "Type inconnu"),
        ({"siren": "123456789"}, "clé de contrôle"),
        ({"population": "beaucoup"}, "Population illisible"),
    ],
)
def test_une_ligne_mal_formee_est_refusee(ligne, message):
    bonne = {
        "code": "03080",
        "type": "commune",
        "nature": "commune",
        "nom": "Cognat-Lyonne",
        "siren": "210300802",
        "population": "706",
        "departement": "03",
        "epci": "",
    }
    with pytest.raises(ValidationError, match=message):
        collectivites.verifier_ligne({**bonne, **ligne})


def test_la_recherche_tolere_accents_tirets_et_casse_et_range_par_pertinence():
    noms = [c.nom for c in collectivites.rechercher("saint etienne")]
    assert (
        noms[0] in {"Saint-Étienne", "Saint-Étienne Métropole"} and len(noms) == collectivites.RESULTATS_MAX
    )
    assert collectivites.rechercher("LYON")[0].nom == "Lyon"
    assert collectivites.rechercher("l") == []


# --- La page publique -------------------------------------------------------------------------------


def test_la_recherche_propose_les_collectivites_a_choisir(client, db):
    page = client.get("/adhesion/?q=cognat").content.decode()
    assert f'value="{CODE}"' in page and "Cognat-Lyonne (Commune, 03)" in page
    assert "Aucune collectivité" in client.get("/adhesion/?q=zzzzzz").content.decode()
    reponse = client.get("/adhesion/collectivites/?q=cognat").json()
    assert reponse["resultats"][0] == {
        "code": CODE,
        "libelle": "Cognat-Lyonne (Commune, 03)",
        "population": 706,
    }


def test_une_demande_valide_est_enregistree_et_l_instance_prevenue(client, db):
    fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)
    reponse = client.post("/adhesion/", DEMANDE)
    assert reponse.status_code == 302 and reponse["Location"] == "/adhesion/envoyee/"
    demande = DemandeAdhesion.objects.get()
    assert (demande.nom, demande.siren, demande.type, demande.population) == (
        "Cognat-Lyonne",
        "210300802",
        "commune",
        706,
    )
    assert demande.email == "dgs@cognat.fr" and demande.history.get().history_change_reason
    (courriel,) = mail.outbox
    assert courriel.to == ["instance@exemple.fr"] and f"/adhesion/demandes/{demande.pk}/" in courriel.body


@pytest.mark.parametrize(
    "changement, message",
    [
        ({"collectivite": "99999"}, "Choisissez votre collectivité dans la liste proposée."),
        ({"collectivite": ""}, "Choisissez votre collectivité dans la liste proposée."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"prenom": ""}, "Ce champ est obligatoire."),
    ],
)
def test_une_saisie_fautive_est_refusee_en_francais_sans_rien_ecrire(client, db, changement, message):
    reponse = client.post("/adhesion/", {**DEMANDE, **changement})
    assert reponse.status_code == 400 and message in reponse.content.decode()
    assert not DemandeAdhesion.objects.exists() and not mail.outbox


def test_une_demande_en_double_ou_une_collectivite_deja_inscrite_est_refusee(client, db):
    assert client.post("/adhesion/", DEMANDE).status_code == 302
    reponse = client.post("/adhesion/", {**DEMANDE, "email": "autre@cognat.fr"})
    assert reponse.status_code == 400 and "déjà en attente" in reponse.content.decode()
    assert DemandeAdhesion.objects.count() == 1
    fabrique.organisation("Lyon", siren="216901231")
    reponse = client.post("/adhesion/", {**DEMANDE, "collectivite": "69123"})
    assert reponse.status_code == 400 and "Lyon a déjà son espace sur Balise" in reponse.content.decode()
    assert DemandeAdhesion.objects.count() == 1


def test_les_envois_sont_limites(client, db, settings):
    settings.LIMITES = {**settings.LIMITES, "adhesions_par_adresse": (2, 3600)}
    for _ in range(2):
        client.post("/adhesion/", {**DEMANDE, "email": "x"})
    reponse = client.post("/adhesion/", DEMANDE)
    assert reponse.status_code == 429 and "Trop de demandes" in reponse.content.decode()
    assert not DemandeAdhesion.objects.exists()


# --- Hors de la liste : centres de gestion, syndicats mixtes… ---------------------------------------

# Un SIREN bien formé (clé de Luhn) qui n'est celui d'aucune collectivité du référentiel.
SIREN_HORS_LISTE = "123456782"
HORS_LISTE = {
    "nom_organisation": "Centre de gestion  de l'Allier",
    "type": "cdg",
    "siren": "123 456 782",
    "prenom": "Paul",
    "nom": "Durand",
    "email": "paul.durand@cdg03.fr",
    "fonction": "Directeur",
}


def test_une_organisation_hors_de_la_liste_demande_avec_son_siren_et_l_instance_le_verifie(client, instance):
    reponse = client.post("/adhesion/hors-liste/", HORS_LISTE)
    assert reponse.status_code == 302 and reponse["Location"] == "/adhesion/envoyee/"
    demande = DemandeAdhesion.objects.get()
    assert (demande.nom, demande.type, demande.siren, demande.code_collectivite) == (
        "Centre de gestion de l'Allier",
        "cdg",
        SIREN_HORS_LISTE,
        SIREN_HORS_LISTE,
    )
    page = client.get(f"/adhesion/demandes/{demande.pk}/").content.decode()
    assert "absente de la liste officielle" in page and f"entreprise/{SIREN_HORS_LISTE}" in page
    client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "approuver"})
    organisation = Organisation.objects.get(siren=SIREN_HORS_LISTE)
    assert (organisation.nom, organisation.type) == ("Centre de gestion de l'Allier", "cdg")
    # Le même SIREN ne demande pas deux fois.
    reponse = client.post("/adhesion/hors-liste/", {**HORS_LISTE, "email": "autre@cdg03.fr"})
    assert reponse.status_code == 400 and "a déjà son espace sur Balise" in reponse.content.decode()


@pytest.mark.parametrize(
    "changement, message",
    [
        ({"siren": "123456789"}, "SIREN"),  # clé de Luhn fausse
        ({"siren": "12345"}, "SIREN"),
        ({"type": "commune"}, "Choisissez la nature de l&#x27;organisation dans la liste."),
        ({"siren": "210300802"}, "Ce SIREN est celui de Cognat-Lyonne (Commune, 03)"),
        ({"nom_organisation": ""}, "Ce champ est obligatoire."),
        ({"nom_organisation": "x" * 201}, "200 caractères"),
    ],
)
def test_une_demande_hors_liste_fautive_est_refusee_sans_rien_ecrire(client, db, changement, message):
    reponse = client.post("/adhesion/hors-liste/", {**HORS_LISTE, **changement})
    assert reponse.status_code == 400 and message in reponse.content.decode()
    assert not DemandeAdhesion.objects.exists() and not mail.outbox


def test_une_demande_hors_liste_en_double_est_refusee(client, db):
    assert client.post("/adhesion/hors-liste/", HORS_LISTE).status_code == 302
    reponse = client.post("/adhesion/hors-liste/", {**HORS_LISTE, "email": "autre@cdg03.fr"})
    assert reponse.status_code == 400 and "déjà en attente" in reponse.content.decode()
    assert DemandeAdhesion.objects.count() == 1


# --- La décision de l'instance et l'activation ------------------------------------------------------


@pytest.fixture
def instance(client, db):
    personne = fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(personne)
    return personne


def _demande() -> DemandeAdhesion:
    return services_adhesion.demander(
        code=CODE, prenom="Claire", nom="Martin", email="dgs@cognat.fr", fonction="DGS"
    )


def test_approuver_cree_l_organisation_et_envoie_un_lien_d_activation_a_usage_unique(client, instance):
    demande = _demande()
    mail.outbox.clear()
    page = client.get("/adhesion/demandes/").content.decode()
    assert "Cognat-Lyonne" in page and "Claire Martin, DGS" in page
    reponse = client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "approuver"})
    assert reponse.status_code == 302
    organisation = Organisation.objects.get(siren="210300802")
    assert (organisation.nom, organisation.type, organisation.population) == ("Cognat-Lyonne", "commune", 706)
    adhesion = Adhesion.objects.get(organisation=organisation)
    assert adhesion.role == "administrateur" and adhesion.utilisateur.nom_affiche == "Claire Martin"
    demande.refresh_from_db()
    assert (
        demande.statut == "approuvee"
        and demande.decidee_par == instance
        and demande.organisation == organisation
    )
    assert demande.history.first().history_user == instance
    (courriel,) = mail.outbox
    assert courriel.to == ["dgs@cognat.fr"] and "mot de passe" not in courriel.subject
    lien = re.search(r"https?://[^/]+(/comptes/activation/\S+)", courriel.body).group(1)

    client.logout()
    formulaire = client.get(lien, follow=True)
    assert "Choisir votre mot de passe" in formulaire.content.decode()
    adresse = formulaire.redirect_chain[-1][0]
    donnees = {"first_name": "Claire", "last_name": "Martin-Roux"}
    courts = client.post(adresse, {**donnees, "new_password1": "court", "new_password2": "court"})
    assert courts.status_code == 200 and "trop court" in courts.content.decode()
    mot_de_passe = "un mot de passe solide 2026"
    fin = client.post(adresse, {**donnees, "new_password1": mot_de_passe, "new_password2": mot_de_passe})
    assert fin.status_code == 302 and fin["Location"] == f"/o/{organisation.slug}/a-traiter/"
    personne = Utilisateur.objects.get(email="dgs@cognat.fr")
    assert personne.nom_affiche == "Claire Martin-Roux" and personne.check_password(mot_de_passe)
    # Une seule fois : le lien ne vaut plus.
    client.logout()
    assert "plus valable" in client.get(lien, follow=True).content.decode()


def test_refuser_exige_un_motif_et_l_envoie(client, instance):
    demande = _demande()
    mail.outbox.clear()
    reponse = client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "refuser", "motif": "  "})
    assert reponse.status_code == 400 and "Écrivez le motif du refus" in reponse.content.decode()
    assert DemandeAdhesion.objects.get().statut == "en_attente" and not mail.outbox
    motif = "Cette instance est réservée aux communes du Val de Balise."
    client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "refuser", "motif": motif})
    demande.refresh_from_db()
    assert demande.statut == "refusee" and demande.motif_refus == motif
    assert mail.outbox[0].to == ["dgs@cognat.fr"] and motif in mail.outbox[0].body
    assert not Organisation.objects.exists()
    # Une demande traitée ne se décide pas deux fois.
    reponse = client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "approuver"})
    assert reponse.status_code == 400 and "déjà été traitée" in reponse.content.decode()
    assert not Organisation.objects.exists()


def test_seule_l_instance_decide(client, admin_a):
    demande = _demande()
    for adresse in ("/adhesion/demandes/", f"/adhesion/demandes/{demande.pk}/"):
        assert client.get(adresse).status_code == 302  # anonyme : vers la connexion
    client.force_login(admin_a)  # administrateur d'une organisation, pas de l'instance
    assert client.get("/adhesion/demandes/").status_code == 403
    assert client.post(f"/adhesion/demandes/{demande.pk}/", {"decision": "approuver"}).status_code == 403
    assert DemandeAdhesion.objects.get().statut == "en_attente" and Organisation.objects.count() == 1


# --- Le démarrage guidé -----------------------------------------------------------------------------


def test_le_guide_livre_est_valide_et_cite_seed_001():
    guide = demarrage.en_vigueur()
    assert [p.id for p in guide.etapes] == list(demarrage.PAS)
    assert all(r.source == "seed_001" for p in guide.etapes for r in p.references)


def test_un_guide_qui_saute_ou_deplace_un_pas_est_refuse():
    texte = (demarrage.DOSSIER / "demarrage-v1.yaml").read_text(encoding="utf-8")
    with pytest.raises(demarrage.GuideInvalide, match="les pas doivent être, dans l'ordre"):
        demarrage.lire(texte.replace("id: qualifier", "id: publier"))


def test_le_guide_suit_les_donnees_reelles_puis_disparait(client, org_a, admin_a, django_assert_num_queries):
    slug = org_a.slug
    with django_assert_num_queries(1):  # une requête, quel que soit le nombre de systèmes
        demarrage.etat(org_a)
    (declarer, qualifier, evaluer, decider, publier) = demarrage.etat(org_a)
    assert not any(e.franchi for e in (declarer, qualifier, evaluer, decider, publier))
    assert declarer.detail == "aucun système déclaré" and decider.detail == "aucun système décidé"
    assert declarer.sources == [
        "SNDGCT — L'intelligence artificielle dans les collectivités territoriales (note, encadrés et annexes)"
    ]
    assert declarer.lien == qualifier.lien == f"/o/{slug}/registre/nouveau/"
    page = client.get(f"/o/{slug}/a-traiter/")
    assert page.status_code == 302  # anonyme
    client.force_login(admin_a)
    page = client.get(f"/o/{slug}/a-traiter/").content.decode()
    assert "Pour bien commencer" in page and "Déclarer les usages que vous connaissez" in page

    systeme = fabrique.systeme(org_a, admin_a, usage_non_declare=True)
    etat = demarrage.etat(org_a)
    assert etat[0].franchi and etat[0].detail == "1 système déclaré, dont 1 usage non encadré"
    assert not etat[1].franchi and etat[1].lien == f"/o/{slug}/registre/{systeme.pk}/qualification/"
    assert etat[2].lien == f"/o/{slug}/registre/{systeme.pk}/evaluations/"

    gf.qualification(systeme, admin_a)
    evaluation = gf.evaluation(systeme, admin_a, [])
    evaluation.statut = evaluation.Statut.FINALISEE
    evaluation.save()
    gf.decision(systeme, admin_a)
    assert [e.franchi for e in demarrage.etat(org_a)] == [True, True, True, True, False]
    assert "Pour bien commencer" in client.get(f"/o/{slug}/a-traiter/").content.decode()
    SystemeIA.objects.filter(pk=systeme.pk).update(publie=True)
    assert demarrage.etat(org_a) is None
    assert "Pour bien commencer" not in client.get(f"/o/{slug}/a-traiter/").content.decode()
