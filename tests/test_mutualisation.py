"""Conventions de mutualisation : qui entre chez un membre, avec quel rôle, quand, et ce qui en reste
au journal du membre. Pages et API ; la base est inchangée par chaque refus."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from balise.mutualisation import services
from balise.mutualisation.models import Convention
from balise.organisations.models import EvenementJournal
from balise.registre.models import SystemeIA
from tests import fabrique, instantane

AUJOURD_HUI = timezone.localdate


@pytest.fixture
def agglo(db):
    return fabrique.organisation("Agglomération du Val", slug="agglo", type="epci", siren="200000172")


@pytest.fixture
def admin_agglo(agglo):
    return fabrique.membre(agglo, "administrateur", "admin@agglo.fr")


@pytest.fixture
def referent_agglo(agglo):
    return fabrique.membre(agglo, "referent", "referent@agglo.fr")


def _termes(**autres):
    return {
        "objet": "Accompagnement du registre et de la qualification",
        "role": "referent",
        "debut": AUJOURD_HUI(),
        "fin": None,
        **autres,
    }


def _signee(agglo, membre, admin_agglo, admin_membre, **termes) -> Convention:
    c = services.proposer(agglo, membre, admin_agglo, **_termes(**termes))
    return services.signer(membre, c.pk, c.version, admin_membre)


def _client(personne) -> Client:
    client = Client()
    client.force_login(personne)
    return client


# --- Qui entre, avec quel rôle ---------------------------------------------------------------


def test_sans_convention_signee_le_personnel_de_la_mutualisante_n_entre_pas(
    agglo, admin_agglo, referent_agglo, org_a, admin_a
):
    client = _client(referent_agglo)
    assert client.get("/o/commune-a/registre/").status_code == 404
    c = services.proposer(agglo, org_a, admin_agglo, **_termes())
    assert client.get("/o/commune-a/registre/").status_code == 404  # proposée, pas signée
    services.signer(org_a, c.pk, c.version, admin_a)
    assert client.get("/o/commune-a/registre/").status_code == 200


def test_le_role_accorde_borne_ce_que_fait_le_personnel(agglo, admin_agglo, referent_agglo, org_a, admin_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes(role="referent"))
    services.signer(org_a, c.pk, c.version, admin_a, role="lecteur")  # le membre choisit
    client = _client(referent_agglo)
    assert client.get("/o/commune-a/registre/").status_code == 200
    avant = instantane.photo()
    reponse = client.post("/o/commune-a/registre/nouveau/", fabrique.FICHE_MINIMALE | {"nom": "Interdit"})
    assert reponse.status_code == 403
    assert client.get("/o/commune-a/membres/").status_code == 403  # jamais la gestion des membres
    assert instantane.photo() == avant


def test_seuls_les_administrateurs_et_referents_de_la_mutualisante_agissent(
    agglo, admin_agglo, org_a, admin_a
):
    _signee(agglo, org_a, admin_agglo, admin_a)
    lecteur = fabrique.membre(agglo, "lecteur", "elu@agglo.fr")
    rh = fabrique.membre(agglo, "rh", "drh@agglo.fr")
    for personne in (lecteur, rh):
        assert _client(personne).get("/o/commune-a/registre/").status_code == 404
    assert _client(admin_agglo).get("/o/commune-a/registre/").status_code == 200


def test_hors_des_dates_la_convention_n_ouvre_rien(agglo, admin_agglo, org_a, admin_a, org_b, admin_b):
    client = _client(admin_agglo)
    _signee(agglo, org_a, admin_agglo, admin_a, debut=AUJOURD_HUI() + timedelta(days=1))
    hier = AUJOURD_HUI() - timedelta(days=1)
    _signee(agglo, org_b, admin_agglo, admin_b, debut=hier - timedelta(days=30), fin=hier)
    assert client.get("/o/commune-a/registre/").status_code == 404
    assert client.get("/o/commune-b/registre/").status_code == 404


def test_le_terme_passe_ferme_l_acces_sans_aucune_ecriture(agglo, admin_agglo, org_a, admin_a, monkeypatch):
    """La date est jugée à chaque requête : le cache des conventions ne garde pas un accès expiré."""
    _signee(agglo, org_a, admin_agglo, admin_a, fin=AUJOURD_HUI())
    client = _client(admin_agglo)
    assert client.get("/o/commune-a/registre/").status_code == 200
    demain = AUJOURD_HUI() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: demain)
    assert client.get("/o/commune-a/registre/").status_code == 404


def test_mettre_fin_ferme_l_acces_a_la_requete_suivante_pages_et_api(
    agglo, admin_agglo, referent_agglo, org_a, admin_a, systeme_a
):
    c = _signee(agglo, org_a, admin_agglo, admin_a)
    client = _client(referent_agglo)
    assert client.get(f"/o/commune-a/registre/{systeme_a.pk}/").status_code == 200
    assert fabrique.appel_api(referent_agglo, "GET", "commune-a/systemes").status_code == 200
    services.terminer(org_a, c.pk, c.version, admin_a, "Fin du mandat")
    assert client.get(f"/o/commune-a/registre/{systeme_a.pk}/").status_code == 404
    assert fabrique.appel_api(referent_agglo, "GET", "commune-a/systemes").status_code == 404
    assert SystemeIA.objects.filter(pk=systeme_a.pk, organisation=org_a).exists()  # ses données restent


def test_quitter_la_mutualisante_ferme_l_acces(agglo, admin_agglo, referent_agglo, org_a, admin_a):
    from balise.organisations.models import Adhesion

    _signee(agglo, org_a, admin_agglo, admin_a)
    client = _client(referent_agglo)
    assert client.get("/o/commune-a/registre/").status_code == 200
    Adhesion.objects.get(utilisateur=referent_agglo, organisation=agglo).delete()
    assert client.get("/o/commune-a/registre/").status_code == 404


def test_un_membre_ne_voit_jamais_un_autre_membre(
    agglo, admin_agglo, org_a, admin_a, org_b, admin_b, systeme_b
):
    _signee(agglo, org_a, admin_agglo, admin_a)
    _signee(agglo, org_b, admin_agglo, admin_b)
    client = _client(admin_a)
    assert client.get("/o/commune-b/registre/").status_code == 404
    assert client.get(f"/o/commune-b/registre/{systeme_b.pk}/").status_code == 404
    assert client.get("/o/agglo/registre/").status_code == 404  # ni la mutualisante


# L'écriture compte une fois validée (on_commit) : ces tests valident vraiment leurs transactions.
@pytest.mark.django_db(transaction=True)
def test_sa_propre_adhesion_passe_avant_la_convention(agglo, admin_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a, role="lecteur")
    from balise.organisations.models import Adhesion

    Adhesion.objects.create(utilisateur=admin_agglo, organisation=org_a, role="referent")
    reponse = _client(admin_agglo).post(
        "/o/commune-a/registre/nouveau/", fabrique.FICHE_MINIMALE | {"nom": "Mien"}
    )
    assert reponse.status_code == 302
    assert not EvenementJournal.objects.filter(nature="pour_le_compte_de").exists()


# --- Pour le compte de ------------------------------------------------------------------------


# L'écriture compte une fois validée (on_commit) : ces tests valident vraiment leurs transactions.
@pytest.mark.django_db(transaction=True)
def test_chaque_ecriture_est_notee_au_journal_du_membre(agglo, admin_agglo, referent_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    referent_agglo.first_name, referent_agglo.last_name = "Inès", "Moreau"
    referent_agglo.save()
    reponse = _client(referent_agglo).post(
        "/o/commune-a/registre/nouveau/", fabrique.FICHE_MINIMALE | {"nom": "Tri des courriers"}
    )
    assert reponse.status_code == 302
    systeme = SystemeIA.objects.get(nom="Tri des courriers")
    assert systeme.history.get().history_user == referent_agglo  # l'historique nomme la personne
    (e,) = EvenementJournal.objects.filter(organisation=org_a, nature="pour_le_compte_de")
    assert e.par == referent_agglo
    assert e.details["mutualisante"] == "Agglomération du Val"
    assert e.details["intervenant"] == "Inès Moreau"
    assert "système" in e.details["action"].lower()
    assert not EvenementJournal.objects.filter(organisation=agglo, nature="pour_le_compte_de").exists()
    page = _client(admin_a).get("/o/commune-a/journal/?categorie=mutualisation")
    assert "Inès Moreau" in page.content.decode()


# L'écriture compte une fois validée (on_commit) : ces tests valident vraiment leurs transactions.
@pytest.mark.django_db(transaction=True)
def test_un_refus_ou_une_lecture_ne_laisse_rien_au_journal(
    agglo, admin_agglo, referent_agglo, org_a, admin_a
):
    _signee(agglo, org_a, admin_agglo, admin_a)
    client = _client(referent_agglo)
    avant = EvenementJournal.objects.count()
    client.get("/o/commune-a/registre/")
    reponse = client.post("/o/commune-a/registre/nouveau/", {"nom": ""})  # formulaire refusé
    assert reponse.status_code in (200, 400)
    assert EvenementJournal.objects.count() == avant


# L'écriture compte une fois validée (on_commit) : ces tests valident vraiment leurs transactions.
@pytest.mark.django_db(transaction=True)
def test_une_ecriture_par_l_api_est_notee_aussi(agglo, admin_agglo, referent_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    reponse = fabrique.appel_api(
        referent_agglo, "POST", "commune-a/systemes", fabrique.FICHE_MINIMALE | {"nom": "Par l'API"}
    )
    assert reponse.status_code == 201, reponse.content
    e = EvenementJournal.objects.get(organisation=org_a, nature="pour_le_compte_de")
    assert e.par == referent_agglo
    assert e.objet.startswith("POST /api/organisations/commune-a/systemes")


# --- Les règles des conventions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("termes", "attendu"),
    [
        ({"objet": "  "}, "obligatoire"),
        ({"role": "administrateur"}, "Choisissez le rôle"),
        ({"role": "externe"}, "Choisissez le rôle"),
        ({"debut": None}, "date de début"),
        ({"fin": date(2020, 1, 1), "debut": date(2021, 1, 1)}, "ne peut précéder"),
        ({"objet": "x" * 2001}, "2000 caractères"),
    ],
)
def test_termes_refuses_sans_rien_ecrire(agglo, admin_agglo, org_a, termes, attendu):
    avant = instantane.photo()
    with pytest.raises(ValidationError, match=attendu):
        services.proposer(agglo, org_a, admin_agglo, **_termes(**termes))
    assert instantane.photo() == avant


def test_seule_une_organisation_mutualisante_porte_une_convention(org_a, admin_a, org_b):
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="mutualise pour d'autres"):
        services.proposer(org_b, org_a, admin_a, **_termes())
    with pytest.raises(ValidationError, match="elle-même"):
        services.demander(org_a, org_a, admin_a, **_termes())
    assert instantane.photo() == avant


def test_une_seule_convention_en_cours_par_paire(agglo, admin_agglo, org_a, admin_a):
    services.proposer(agglo, org_a, admin_agglo, **_termes())
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="déjà proposée"):
        services.demander(org_a, agglo, admin_a, **_termes())
    assert instantane.photo() == avant


def test_chaque_cote_signe_ce_que_l_autre_a_ouvert(agglo, admin_agglo, org_a, admin_a):
    c = services.demander(org_a, agglo, admin_a, **_termes(role="dpo"))
    with pytest.raises(ValidationError, match="autre organisation"):
        services.signer(org_a, c.pk, c.version, admin_a)
    c = services.signer(
        agglo, c.pk, c.version, admin_agglo, role="referent"
    )  # la mutualisante ne change pas le rôle
    assert c.etat == Convention.Etat.EN_VIGUEUR and c.role == "dpo"
    with pytest.raises(ValidationError, match="ne se signe plus"):
        services.signer(agglo, c.pk, c.version, admin_agglo)


def test_version_perimee_refusee(agglo, admin_agglo, org_a, admin_a):
    from balise.versions import ConflitEdition

    c = services.proposer(agglo, org_a, admin_agglo, **_termes())
    with pytest.raises(ConflitEdition):
        services.signer(org_a, c.pk, c.version + 1, admin_a)
    with pytest.raises(ConflitEdition):
        services.terminer(org_a, c.pk, None, admin_a)


def test_une_organisation_tierce_ne_touche_pas_la_convention(agglo, admin_agglo, org_a, admin_a, org_b):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes())
    with pytest.raises(ValidationError, match="ne concerne pas"):
        services.signer(org_b, c.pk, c.version, admin_a)


def test_le_journal_des_deux_cotes_et_l_historique(agglo, admin_agglo, org_a, admin_a):
    c = _signee(agglo, org_a, admin_agglo, admin_a)
    services.terminer(agglo, c.pk, c.version, admin_agglo, "Fin de la compétence")
    for org in (agglo, org_a):
        natures = list(EvenementJournal.objects.filter(organisation=org).values_list("nature", flat=True))
        assert sorted(natures) == ["convention_proposee", "convention_signee", "convention_terminee"]
    auteurs = [h.history_user for h in Convention.objects.get().history.order_by("history_date")]
    assert auteurs == [admin_agglo, admin_a, admin_agglo]


# --- Pages ---------------------------------------------------------------------------------


def test_parcours_par_les_pages(agglo, admin_agglo, org_a, admin_a):
    org_a.siren = "213502388"
    org_a.save()
    reponse = _client(admin_agglo).post(
        "/o/agglo/mutualisation/proposer/",
        {"membre": "213502388", "objet": "Registre", "role": "referent", "debut": "2026-01-01"},
    )
    assert reponse.status_code == 302, reponse.content.decode()
    c = Convention.objects.get()
    page = _client(admin_a).get("/o/commune-a/mutualisation/")
    assert "À signer ou refuser" in page.content.decode()
    reponse = _client(admin_a).post(
        f"/o/commune-a/mutualisation/conventions/{c.pk}/signer/", {"version": c.version, "role": "lecteur"}
    )
    assert reponse.status_code == 302
    c.refresh_from_db()
    assert (c.etat, c.role) == ("en_vigueur", "lecteur")
    page = _client(admin_agglo).get("/o/agglo/mutualisation/").content.decode()
    assert "Espaces des membres ouverts aujourd'hui" in page and "/o/commune-a/" in page


def test_pages_refus(agglo, admin_agglo, org_a, admin_a, lecteur_a):
    c = services.proposer(agglo, org_a, admin_agglo, **_termes())
    avant = instantane.photo()
    assert (
        _client(lecteur_a)
        .post(f"/o/commune-a/mutualisation/conventions/{c.pk}/signer/", {"version": 1})
        .status_code
        == 403
    )
    assert _client(admin_a).post("/o/agglo/mutualisation/proposer/", {}).status_code == 404
    reponse = _client(admin_agglo).post(
        "/o/agglo/mutualisation/proposer/",
        {"membre": "inconnue", "objet": "Registre", "role": "referent", "debut": "2026-01-01"},
    )
    assert reponse.status_code == 400 and "Aucune organisation" in reponse.content.decode()
    reponse = _client(admin_a).post(
        f"/o/commune-a/mutualisation/conventions/{c.pk}/terminer/", {"version": "x"}
    )
    assert reponse.status_code == 302
    assert instantane.photo() == avant
    assert _client(admin_a).get(f"/o/commune-b/mutualisation/conventions/{c.pk}/").status_code == 404


# --- Portefeuille agrégé ------------------------------------------------------------------------


def _membres(agglo, admin_agglo, nombre):
    communes = []
    for i in range(nombre):
        commune = fabrique.organisation(f"Commune {i}", slug=f"membre-{i}", nombre_agents=40)
        admin = fabrique.membre(commune, "administrateur")
        _signee(agglo, commune, admin_agglo, admin)
        fabrique.systeme(commune, admin, nom=f"Système {i}")
        communes.append((commune, admin))
    return communes


def test_portefeuille_en_requetes_constantes(agglo, admin_agglo, django_assert_max_num_queries):
    from balise.mutualisation.portefeuille import portefeuille

    _membres(agglo, admin_agglo, 2)
    with django_assert_max_num_queries(4):
        petit = portefeuille(agglo, AUJOURD_HUI())
    _membres_suivants = [fabrique.organisation(f"Autre {i}", slug=f"autre-{i}") for i in range(6)]
    for commune in _membres_suivants:
        admin = fabrique.membre(commune, "administrateur")
        _signee(agglo, commune, admin_agglo, admin)
    with django_assert_max_num_queries(4):
        grand = portefeuille(agglo, AUJOURD_HUI())
    assert len(petit.lignes) == 2 and len(grand.lignes) == 8
    assert grand.totaux.systemes == 2


def test_portefeuille_seulement_ce_que_chaque_membre_partage(
    agglo, admin_agglo, org_a, admin_a, org_b, admin_b, systeme_a, systeme_b
):
    from balise.mutualisation.portefeuille import portefeuille

    c = _signee(agglo, org_a, admin_agglo, admin_a)
    _signee(agglo, org_b, admin_agglo, admin_b, fin=AUJOURD_HUI() + timedelta(days=3))
    services.partager_portefeuille(org_a, c.pk, c.version, admin_a, False)
    p = portefeuille(agglo, AUJOURD_HUI())
    assert [ligne.convention.membre for ligne in p.lignes] == [org_b] and p.non_partages == 1
    with pytest.raises(ValidationError, match="Seul le membre"):
        services.partager_portefeuille(agglo, c.pk, c.version + 1, admin_agglo, True)
    page = _client(admin_agglo).get("/o/agglo/mutualisation/portefeuille/").content.decode()
    assert "Commune B" in page and "Commune A" not in page
    reponse = fabrique.appel_api(admin_agglo, "GET", "agglo/mutualisation/portefeuille")
    assert reponse.status_code == 200
    (ligne,) = reponse.json()["membres"]
    assert ligne["membre"] == "commune-b" and ligne["systemes"] == 1
    # Un membre ne lit pas le portefeuille de sa mutualisante ; une commune a un portefeuille vide.
    assert _client(admin_a).get("/o/agglo/mutualisation/portefeuille/").status_code == 404
    page = _client(admin_a).get("/o/commune-a/mutualisation/portefeuille/").content.decode()
    assert "ne mutualise pour aucune autre organisation" in page
    assert fabrique.appel_api(admin_a, "GET", "commune-a/mutualisation/portefeuille").json()["membres"] == []


def test_api_des_conventions(agglo, admin_agglo, org_a, admin_a, org_b, admin_b):
    _signee(agglo, org_a, admin_agglo, admin_a)
    reponse = fabrique.appel_api(admin_a, "GET", "commune-a/mutualisation/conventions")
    assert reponse.status_code == 200
    (c,) = reponse.json()
    assert (c["mutualisante"], c["etat"], c["ouvre_l_acces"]) == ("agglo", "en_vigueur", True)
    assert fabrique.appel_api(admin_b, "GET", "commune-a/mutualisation/conventions").status_code == 404


# --- Instruments partagés -----------------------------------------------------------------------


def _adapter(org, par, titre):
    from balise.instruments import services as instruments
    from balise.instruments.definition import en_yaml
    from balise.instruments.models import DefinitionInstrument

    nationale = DefinitionInstrument.objects.get(organisation=None, code="radar-decision")
    base = (
        DefinitionInstrument.objects.filter(organisation=org, code="radar-decision")
        .order_by("-version")
        .first()
    )
    base = base or nationale
    texte = en_yaml(base.definition.model_copy(update={"titre": titre}))
    return instruments.adapter(
        org,
        base if base.organisation_id else nationale,
        texte,
        par,
        instruments.version_visible(org, "radar-decision"),
    )


def test_un_instrument_partage_repris_puis_suivi(agglo, admin_agglo, org_a, admin_a, org_b, admin_b):
    from balise.mutualisation import partages

    _signee(agglo, org_a, admin_agglo, admin_a)
    v_agglo = _adapter(agglo, admin_agglo, "Radar intercommunal")
    partage = partages.partager(agglo, "radar-decision", "Questions du COPIL ajoutées", admin_agglo)
    (vu,) = partages.partages_pour(org_a, AUJOURD_HUI())
    assert (vu.statut, vu.amont) == ("Pas encore repris", v_agglo)
    assert partages.partages_pour(org_b, AUJOURD_HUI()) == []  # sans convention, rien

    reprise = partages.reprendre(org_a, partage.pk, admin_a, vu.version_visible, AUJOURD_HUI())
    assert (reprise.organisation, reprise.base, reprise.titre) == (org_a, v_agglo, "Radar intercommunal")
    (vu,) = partages.partages_pour(org_a, AUJOURD_HUI())
    assert vu.a_jour and vu.statut == "Repris, à jour"
    assert partages.partages_de(agglo)[0].membres_qui_l_ont_repris == 1
    catalogue = _client(admin_a).get("/o/commune-a/instruments/").content.decode()
    assert "de Agglomération du Val" in catalogue

    v2 = _adapter(agglo, admin_agglo, "Radar intercommunal, seconde édition")
    (vu,) = partages.partages_pour(org_a, AUJOURD_HUI())
    assert (
        not vu.a_jour
        and vu.statut == f"Nouvelle version : v{v2.version}, vous avez repris la v{v_agglo.version}"
    )
    with pytest.raises(ValidationError, match="plus récente"):
        partages.reprendre(org_a, partage.pk, admin_a, vu.version_visible - 1, AUJOURD_HUI())
    reponse = _client(admin_a).post(
        f"/o/commune-a/mutualisation/partages/{partage.pk}/reprendre/", {"version": vu.version_visible}
    )
    assert reponse.status_code == 302
    (vu,) = partages.partages_pour(org_a, AUJOURD_HUI())
    assert vu.a_jour and vu.reprise.titre == "Radar intercommunal, seconde édition"

    partages.retirer(agglo, partage.pk, partage.version, admin_agglo)
    assert partages.partages_pour(org_a, AUJOURD_HUI()) == []
    assert vu.reprise.__class__.objects.filter(pk=vu.reprise.pk).exists()  # ce qui est repris reste


def test_partages_refuses_sans_rien_ecrire(agglo, admin_agglo, org_a, admin_a, org_b, admin_b, lecteur_a):
    from balise.mutualisation import partages

    _adapter(agglo, admin_agglo, "Radar intercommunal")
    _adapter(org_a, admin_a, "Radar de la commune")
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="Adaptez d'abord"):
        partages.partager(agglo, "girouet", "", admin_agglo)
    with pytest.raises(ValidationError, match="Seule une organisation mutualisante"):
        partages.partager(org_a, "radar-decision", "", admin_a)
    with pytest.raises(ValidationError, match="2000 caractères"):
        partages.partager(agglo, "radar-decision", "x" * 2001, admin_agglo)
    assert instantane.photo() == avant
    partage = partages.partager(agglo, "radar-decision", "", admin_agglo)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="déjà partagé"):
        partages.partager(agglo, "radar-decision", "", admin_agglo)
    with pytest.raises(ValidationError, match="pas ouvert"):  # convention non signée
        partages.reprendre(org_b, partage.pk, admin_b, 1, AUJOURD_HUI())
    assert (
        _client(admin_b)
        .post(f"/o/commune-b/mutualisation/partages/{partage.pk}/reprendre/", {"version": 1})
        .status_code
        == 404
    )
    _signee(agglo, org_a, admin_agglo, admin_a)
    avant = instantane.photo()
    assert (
        _client(lecteur_a)
        .post(f"/o/commune-a/mutualisation/partages/{partage.pk}/reprendre/", {"version": 2})
        .status_code
        == 403
    )
    with pytest.raises(ValidationError, match="Seule la mutualisante"):
        partages.retirer(org_a, partage.pk, partage.version, admin_a)
    assert instantane.photo() == avant


# --- Sessions de formation ouvertes aux membres -------------------------------------------------


def _session_de(org, admin):
    from balise.formations import services as formations
    from balise.formations.models import Population
    from balise.formations.services import Ligne

    formations.initialiser_populations(org, admin)
    population = Population.objects.filter(organisation=org).order_by("pk").first()
    population.effectif_saisi = 30
    population.save()
    donnees = {
        "date": AUJOURD_HUI() - timedelta(days=2),
        "palier": population.palier,
        "offre_catalogue": "cafe_ia",
        "offre": None,
    }
    return formations.enregistrer_session(org, donnees, [Ligne(population.pk, 3)], admin)


def test_une_session_ouverte_compte_les_agents_de_chaque_membre(
    agglo, admin_agglo, org_a, admin_a, org_b, admin_b
):
    from balise.formations import selectors as formations
    from balise.formations import services as services_formations
    from balise.formations.models import Population
    from balise.mutualisation import sessions

    _signee(agglo, org_a, admin_agglo, admin_a)
    _signee(agglo, org_b, admin_agglo, admin_b)
    session = _session_de(agglo, admin_agglo)
    ouverte = sessions.ouvrir(agglo, session.pk, admin_agglo)
    services_formations.initialiser_populations(org_a, admin_a)
    cible = Population.objects.filter(organisation=org_a, palier=session.palier).order_by("pk").first()
    cible.effectif_saisi = 10
    cible.save()
    (vue,) = sessions.pour_le_membre(org_a, AUJOURD_HUI())
    assert vue.total == 0
    avant = {li.population.pk: li.formes for li in formations.couverture(org_a, AUJOURD_HUI())}
    sessions.compter(org_a, ouverte.pk, {cible.pk: 4}, admin_a, AUJOURD_HUI())
    apres = {li.population.pk: li.formes for li in formations.couverture(org_a, AUJOURD_HUI())}
    assert apres[cible.pk] == avant[cible.pk] + 4  # sa couverture compte la session de l'agglomération
    sessions.compter(org_a, ouverte.pk, {cible.pk: 6}, admin_a, AUJOURD_HUI())  # remplace, n'ajoute pas
    ((ouvertes, _),) = [sessions.de_la_mutualisante(agglo)]
    assert ouvertes[0].par_membre == [("Commune A", 6)]
    # La mutualisante modifie sa session : les participants des membres restent ; elle ne la supprime pas.
    from balise.formations.services import Ligne

    services_formations.enregistrer_session(
        agglo,
        {"date": session.date, "palier": session.palier, "offre_catalogue": "cafe_ia", "offre": None},
        [Ligne(session.participations.filter(population__organisation=agglo).first().population_id, 5)],
        admin_agglo,
        session.pk,
        session.version,
    )
    assert sessions.de_la_mutualisante(agglo)[0][0].par_membre == [("Commune A", 6)]
    with pytest.raises(ValidationError, match="membres y comptent"):
        services_formations.supprimer_session(agglo, session.pk, session.version + 1, admin_agglo)


def test_sessions_refus_sans_rien_ecrire(agglo, admin_agglo, org_a, admin_a, org_b, admin_b, lecteur_a):
    from balise.formations import services as services_formations
    from balise.formations.models import Population
    from balise.mutualisation import sessions

    _signee(agglo, org_a, admin_agglo, admin_a)
    session = _session_de(agglo, admin_agglo)
    services_formations.initialiser_populations(org_a, admin_a)
    services_formations.initialiser_populations(org_b, admin_b)
    pop_a = Population.objects.filter(organisation=org_a).order_by("pk").first()
    pop_a.effectif_saisi = 10
    pop_a.save()
    pop_b = Population.objects.filter(organisation=org_b).first()
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="Choisissez une session"):
        sessions.ouvrir(agglo, 999_999, admin_agglo)
    with pytest.raises(ValidationError, match="Seule une organisation mutualisante"):
        sessions.ouvrir(org_a, session.pk, admin_a)
    assert instantane.photo() == avant
    ouverte = sessions.ouvrir(agglo, session.pk, admin_agglo)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="déjà ouverte"):
        sessions.ouvrir(agglo, session.pk, admin_agglo)
    with pytest.raises(ValidationError, match="pas ouverte à votre organisation"):  # sans convention
        sessions.compter(org_b, ouverte.pk, {pop_b.pk: 1}, admin_b, AUJOURD_HUI())
    with pytest.raises(ValidationError, match="Population inconnue"):
        sessions.compter(org_a, ouverte.pk, {pop_b.pk: 1}, admin_a, AUJOURD_HUI())
    with pytest.raises(ValidationError, match="pour un effectif de 10"):
        sessions.compter(org_a, ouverte.pk, {pop_a.pk: 11}, admin_a, AUJOURD_HUI())
    url = f"/o/commune-a/mutualisation/sessions-ouvertes/{ouverte.pk}/participants/"
    assert _client(lecteur_a).post(url, {f"population_{pop_a.pk}": "2"}).status_code == 403
    assert (
        _client(admin_b)
        .post(f"/o/commune-b/mutualisation/sessions-ouvertes/{ouverte.pk}/participants/", {})
        .status_code
        == 404
    )
    reponse = _client(admin_a).post(url, {f"population_{pop_a.pk}": "deux"})
    assert reponse.status_code == 302
    assert instantane.photo() == avant
    reponse = _client(admin_a).post(url, {f"population_{pop_a.pk}": "2"})
    assert reponse.status_code == 302 and session.participations.filter(population=pop_a).get().nombre == 2
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="Seule la mutualisante"):
        sessions.fermer(org_a, ouverte.pk, ouverte.version, admin_a)
    fermer = f"/o/commune-a/mutualisation/sessions-ouvertes/{ouverte.pk}/fermer/"
    assert _client(admin_a).post(fermer, {"version": ouverte.version}).status_code == 302
    assert instantane.photo() == avant
    sessions.fermer(agglo, ouverte.pk, ouverte.version, admin_agglo)
    assert sessions.pour_le_membre(org_a, AUJOURD_HUI()) == []
    assert session.participations.filter(population=pop_a).exists()  # rien d'effacé


def test_le_personnel_voit_a_quel_titre_il_agit(agglo, admin_agglo, referent_agglo, org_a, admin_a):
    _signee(agglo, org_a, admin_agglo, admin_a)
    attendu = "de Agglomération du Val, avec le rôle « Référent IA (contributeur) »"
    assert attendu in _client(referent_agglo).get("/o/commune-a/registre/").content.decode()
    assert "au titre de la convention" not in _client(admin_a).get("/o/commune-a/registre/").content.decode()


# --- Rapport annuel mutualisé -------------------------------------------------------------------


def test_le_rapport_annuel_de_la_mutualisante_et_celui_du_membre(
    agglo, admin_agglo, org_a, admin_a, org_b, systeme_a, django_assert_max_num_queries
):
    from balise.rapports import sections
    from balise.rapports import services as rapports

    _signee(agglo, org_a, admin_agglo, admin_a, debut=date(AUJOURD_HUI().year, 1, 1))
    debut, fin = rapports.periode(AUJOURD_HUI().year)
    rapport = rapports.construire(agglo, sections.ANNUEL, debut, fin)
    section = next(s for s in rapport.sections if s.titre == "Mutualisation")
    tableau = next(
        b for b in section.blocs if getattr(b, "legende", "").startswith("Portefeuille des membres")
    )
    assert [c.texte for c in tableau.lignes[0][:2]] == ["Commune A", "1"]
    du_membre = next(
        s
        for s in rapports.construire(org_a, sections.ANNUEL, debut, fin).sections
        if s.titre == "Mutualisation"
    )
    assert "Agglomération du Val" in str(du_membre) and "Détection des fuites" not in str(du_membre)
    sans = next(
        s
        for s in rapports.construire(org_b, sections.ANNUEL, debut, fin).sections
        if s.titre == "Mutualisation"
    )
    assert "Aucune convention" in str(sans)
    from balise.mutualisation import rapport as section_mutualisation

    with django_assert_max_num_queries(12):
        section_mutualisation.section(agglo, debut, fin)
    for i in range(5):
        commune = fabrique.organisation(f"Commune {i}", slug=f"rapport-{i}")
        _signee(agglo, commune, admin_agglo, fabrique.membre(commune, "administrateur"))
        fabrique.systeme(commune, admin_agglo, nom=f"S{i}")
    with django_assert_max_num_queries(12):
        section_mutualisation.section(agglo, debut, fin)


# --- Inviter une collectivité qui n'a pas encore son espace ----------------------------------------


def test_l_intercommunalite_invite_une_de_ses_communes(db):
    from balise.mutualisation import invitations
    from balise.organisations import services_adhesion
    from balise.organisations.models import Organisation

    cc = fabrique.organisation("CC de la Dombes", slug="cc-dombes", type="epci", siren="200069193")
    admin_cc = fabrique.membre(cc, "administrateur", "dgs@cc-dombes.fr")
    proposees = invitations.communes_a_inviter(cc)
    assert "01001" in [c.code for c in proposees] and all(c.epci == "200069193" for c in proposees)
    reponse = _client(admin_cc).post(
        "/o/cc-dombes/mutualisation/inviter/",
        {
            "code": "01001",
            "prenom": "Lou",
            "nom": "Bernard",
            "email": "mairie@abergement.example",
            "fonction": "Secrétaire de mairie",
            "objet": "Registre et formation",
            "role": "referent",
            "debut": "2026-01-01",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:3000]
    invitation = invitations.en_attente(cc)[0]
    assert invitation.demande.nom == "L'Abergement-Clémenciat"
    instance = fabrique.utilisateur("instance@balise.example", is_superuser=True, is_staff=True)
    commune = services_adhesion.approuver(invitation.demande.pk, instance)
    convention = Convention.objects.get(membre=commune)
    assert (convention.mutualisante, convention.etat, convention.role) == (cc, "proposee", "referent")
    assert invitations.en_attente(cc) == [] and "01001" not in [
        c.code for c in invitations.communes_a_inviter(cc)
    ]
    nouvel_admin = commune.adhesions.get().utilisateur
    page = _client(nouvel_admin).get(f"/o/{commune.slug}/mutualisation/").content.decode()
    assert "À signer ou refuser" in page
    assert Organisation.objects.filter(siren=commune.siren).count() == 1


def test_invitation_refusee_sans_rien_ecrire(org_a, admin_a, agglo, admin_agglo):
    from balise.mutualisation import invitations

    avant = instantane.photo()
    termes = {
        "prenom": "Lou",
        "nom": "B",
        "email": "x@y.fr",
        "fonction": "DGS",
        "objet": "R",
        "role": "referent",
        "debut": AUJOURD_HUI(),
        "fin": None,
    }
    with pytest.raises(ValidationError, match="Seule une organisation mutualisante"):
        invitations.inviter(org_a, admin_a, code="01001", **termes)
    with pytest.raises(ValidationError, match="référentiel"):
        invitations.inviter(agglo, admin_agglo, code="99999", **termes)
    with pytest.raises(ValidationError, match="Choisissez le rôle"):
        invitations.inviter(agglo, admin_agglo, code="01001", **{**termes, "role": "administrateur"})
    assert instantane.photo() == avant
    assert _client(admin_a).post("/o/agglo/mutualisation/inviter/", {"code": "01001"}).status_code == 404
    reponse = _client(admin_agglo).post("/o/agglo/mutualisation/inviter/", {"code": "01001"})
    assert reponse.status_code == 400
    assert instantane.photo() == avant
