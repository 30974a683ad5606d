"""Votes, avis, décisions et conditions (issue 13, point 3) : décompte, services, pages, chronologie de
la fiche du registre, registre public."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise import versions
from balise.gouvernance import services_avis as services
from balise.gouvernance.decompte import Compte, Issue, decompter, issue
from balise.gouvernance.models import (
    Avis,
    College,
    Condition,
    Decision,
    Instance,
    Membre,
    Point,
    Seance,
    Vote,
)
from balise.gouvernance.services_avis import NouvelleCondition
from balise.organisations.models import Adhesion
from balise.registre import services as registre
from tests import fabrique, instantane

MS, MA, DT, CO = (
    Instance.RegleVote.MAJORITE_SIMPLE,
    Instance.RegleVote.MAJORITE_ABSOLUE,
    Instance.RegleVote.DEUX_TIERS,
    Instance.RegleVote.CONSENSUS,
)


# --- Décompte (fonctions pures) ----------------------------------------------------------------------


def _votes(pour=0, contre=0, abstention=0, college=None):
    return (
        [(college, "pour")] * pour + [(college, "contre")] * contre + [(college, "abstention")] * abstention
    )


@pytest.mark.parametrize(
    ("regle", "pour", "contre", "abst", "presents", "attendu"),
    [
        (MS, 3, 2, 5, 0, Issue.ADOPTEE),  # les abstentions ne comptent pas
        (MS, 2, 2, 1, 0, Issue.PARTAGE),  # égalité : non adoptée
        (MS, 1, 2, 0, 0, Issue.REJETEE),
        (MS, 0, 0, 4, 0, Issue.SANS_SUFFRAGE),
        (MS, 0, 0, 0, 0, Issue.SANS_SUFFRAGE),
        (MA, 3, 0, 3, 0, Issue.REJETEE),  # 3 sur 6 votants : pas plus de la moitié
        (MA, 4, 0, 3, 0, Issue.ADOPTEE),
        (MA, 4, 0, 0, 9, Issue.REJETEE),  # 4 sur 9 présents
        (MA, 5, 0, 0, 9, Issue.ADOPTEE),
        (MA, 0, 0, 0, 0, Issue.SANS_SUFFRAGE),
        (DT, 2, 1, 7, 0, Issue.ADOPTEE),  # exactement deux tiers des exprimés
        (DT, 5, 3, 0, 0, Issue.REJETEE),  # 62,5 %
        (DT, 0, 0, 2, 0, Issue.SANS_SUFFRAGE),
        (CO, 9, 0, 0, 0, Issue.INDICATIF),  # consensus : le décompte ne décide jamais
        (CO, 0, 0, 0, 0, Issue.INDICATIF),
    ],
)
def test_issue_selon_la_regle(regle, pour, contre, abst, presents, attendu):
    d = decompter(_votes(pour, contre, abst), regle, presents)
    assert d.issue is attendu
    assert d.total == Compte(pour, contre, abst)
    assert d.decisif is (regle != CO)


def test_decompte_par_college_et_au_total():
    votes = _votes(2, 1, 0, "Académique") + _votes(0, 1, 1, "Société civile") + _votes(1, 0, 0, None)
    d = decompter(votes, MS)
    assert d.par_college == [
        ("Académique", Compte(2, 1, 0)),
        ("Société civile", Compte(0, 1, 1)),
        ("Sans collège", Compte(1, 0, 0)),
    ]
    assert d.total == Compte(3, 2, 1) and d.total.exprimes == 5 and d.total.votants == 6
    assert d.issue is Issue.ADOPTEE


def test_regle_ou_vote_inconnus():
    with pytest.raises(ValueError):
        issue("tirage_au_sort", Compte(1, 0, 0), 0)
    with pytest.raises(ValueError):
        decompter([(None, "peut-etre")], MS)


# --- Données -----------------------------------------------------------------------------------------


@pytest.fixture
def comite(org_a, admin_a, systeme_a):
    """Un comité d'éthique consultatif à deux collèges : une présidente (interne), un votant interne, un
    universitaire externe, un invité sans voix ; une séance et un point sur le système."""
    instance = Instance.objects.create(
        organisation=org_a, nom="Comité d'éthique", mission="Rendre des avis.", nature="consultative"
    )
    academique = College.objects.create(instance=instance, nom="Académique", ordre=1)
    civile = College.objects.create(instance=instance, nom="Société civile", ordre=2)
    presidente = fabrique.membre(org_a, "comite", "presidente@exemple.fr")
    votant = fabrique.membre(org_a, "lecteur", "votant@exemple.fr")
    externe = fabrique.membre(org_a, "externe", "universitaire@exemple.fr")
    invite = fabrique.membre(org_a, "lecteur", "invite@exemple.fr")
    Membre.objects.create(instance=instance, utilisateur=presidente, fonction="president", college=academique)
    Membre.objects.create(instance=instance, utilisateur=votant, college=civile)
    Membre.objects.create(instance=instance, utilisateur=externe, college=academique)
    Membre.objects.create(instance=instance, utilisateur=invite, fonction="invite")
    seance = Seance.objects.create(instance=instance, debut=timezone.now(), cree_par=admin_a)
    point = Point.objects.create(
        seance=seance,
        nature="porte",
        titre="Passage en expérimentation",
        organisation=org_a,
        systeme=systeme_a,
    )
    return type(
        "Comite",
        (),
        {
            "instance": instance,
            "seance": seance,
            "point": point,
            "presidente": presidente,
            "votant": votant,
            "externe": externe,
            "invite": invite,
            "systeme": systeme_a,
            "org": org_a,
        },
    )


def _adhesion(personne, org):
    return Adhesion.objects.select_related("organisation").get(utilisateur=personne, organisation=org)


def _avis(**champs):
    return {"sens": "favorable", "motifs": "Utile et encadré.", "opinions_divergentes": "", **champs}


def _reserve(intitule="Former les agents", responsable=None, jours=30):
    return NouvelleCondition(intitule, responsable, date.today() + timedelta(days=jours))


# --- Votes -------------------------------------------------------------------------------------------


def test_un_membre_externe_vote_et_change_son_vote(comite):
    externe = _adhesion(comite.externe, comite.org)
    vote = services.voter(comite.point, externe, "contre", "Biais possibles.", None, comite.externe)
    assert (vote.sens, vote.opinion, vote.membre.utilisateur) == (
        "contre",
        "Biais possibles.",
        comite.externe,
    )
    vote = services.voter(comite.point, externe, "pour", "Rassuré.", vote.version, comite.externe)
    assert Vote.objects.get().sens == "pour" and vote.version == 2
    assert vote.history.count() == 2 and vote.history.first().history_user == comite.externe


def test_changer_son_vote_exige_la_version_lue(comite):
    adhesion = _adhesion(comite.votant, comite.org)
    services.voter(comite.point, adhesion, "pour", "", None, comite.votant)
    with pytest.raises(versions.ConflitEdition):
        services.voter(comite.point, adhesion, "contre", "", None, comite.votant)
    with pytest.raises(versions.ConflitEdition):
        services.voter(comite.point, adhesion, "contre", "", 7, comite.votant)
    assert Vote.objects.get().sens == "pour"


def test_non_votant_refuse(comite, admin_a):
    avant = instantane.photo()
    for personne in (comite.invite, admin_a):  # invité sans voix ; administrateur sans siège
        with pytest.raises(PermissionDenied):
            services.voter(comite.point, _adhesion(personne, comite.org), "pour", "", None, personne)
    assert instantane.photo() == avant


def test_vote_invalide_ou_clos(comite, admin_a):
    adhesion = _adhesion(comite.votant, comite.org)
    with pytest.raises(ValidationError, match="pour, contre ou abstention"):
        services.voter(comite.point, adhesion, "oui", "", None, comite.votant)
    services.rendre_avis(comite.point, _avis(), [], admin_a)
    with pytest.raises(ValidationError, match="votes sont clos"):
        services.voter(comite.point, adhesion, "pour", "", None, comite.votant)
    assert not Vote.objects.exists()


# --- Avis --------------------------------------------------------------------------------------------


def test_avis_avec_reserves_cree_les_conditions(comite, referent_a):
    avis = services.rendre_avis(
        comite.point,
        _avis(sens="favorable_reserves"),
        [_reserve(responsable=referent_a), _reserve("Publier les critères", jours=60)],
        comite.presidente,
    )
    conditions = list(Condition.objects.order_by("echeance"))
    assert [c.intitule for c in conditions] == ["Former les agents", "Publier les critères"]
    assert all(c.avis == avis and c.systeme == comite.systeme and c.statut == "a_lever" for c in conditions)
    assert conditions[0].responsable == referent_a
    assert conditions[0].history.first().history_user == comite.presidente
    assert avis.public is False  # l'instance ne publie pas ses avis par défaut


def test_avis_public_par_defaut_selon_l_instance(comite, admin_a):
    comite.instance.avis_publics = True
    comite.instance.save()
    assert services.rendre_avis(comite.point, _avis(public=None), [], admin_a).public is True


@pytest.mark.parametrize(
    ("donnees", "reserves", "message"),
    [
        (_avis(sens="favorable_reserves"), [], "au moins une"),
        (_avis(sens="favorable"), "une", "Seul un avis « favorable avec réserves »"),
        (_avis(sens="peut-etre"), [], "Choisissez l'avis"),
        (_avis(motifs="   "), [], "motifs"),
    ],
)
def test_avis_invalide_refuse_sans_rien_changer(comite, admin_a, donnees, reserves, message):
    reserves = [_reserve()] if reserves == "une" else reserves
    avant = instantane.photo()
    with pytest.raises(ValidationError, match=message):
        services.rendre_avis(comite.point, donnees, reserves, admin_a)
    assert instantane.photo() == avant


def test_reserve_invalide_annule_tout(comite, admin_a, org_b):
    etranger = fabrique.membre(org_b, "administrateur", "etranger@exemple.fr")
    externe = comite.externe
    for reserve, message in [
        (_reserve(responsable=etranger), "personne de l'organisation"),
        (_reserve(responsable=externe), "personne de l'organisation"),
        (NouvelleCondition("Sans date", None, None), "échéance"),
        (NouvelleCondition("  ", None, date.today()), "intitulé"),
    ]:
        avant = instantane.photo()
        with pytest.raises(ValidationError, match=message):
            services.rendre_avis(comite.point, _avis(sens="favorable_reserves"), [reserve], admin_a)
        assert instantane.photo() == avant


def test_un_avis_se_corrige_et_ne_se_rend_pas_deux_fois(comite, admin_a, referent_a):
    avis = services.rendre_avis(comite.point, _avis(), [], comite.presidente)
    with pytest.raises(ValidationError, match="déjà rendu"):
        services.rendre_avis(comite.point, _avis(sens="defavorable"), [], admin_a)
    with pytest.raises(ValidationError, match="au moins une"):
        services.corriger_avis(avis.pk, _avis(sens="favorable_reserves"), [], avis.version, admin_a)
    avis = services.corriger_avis(
        avis.pk, _avis(sens="favorable_reserves"), [_reserve(responsable=referent_a)], avis.version, admin_a
    )
    assert avis.sens == "favorable_reserves" and avis.version == 2 and avis.conditions.count() == 1
    entrees = versions.historique(avis)
    assert entrees[0].auteur == admin_a.nom_affiche
    assert ("avis", "Favorable", "Favorable avec réserves") in entrees[0].changements
    with pytest.raises(versions.ConflitEdition):
        services.corriger_avis(avis.pk, _avis(), [], 1, admin_a)


# --- Décisions ---------------------------------------------------------------------------------------


def _decision(**champs):
    return {"sens": "experimenter", "motifs": "Critères fixés avant le test.", "public": False, **champs}


def test_une_instance_consultative_ne_decide_pas(comite, admin_a):
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="consultative"):
        services.prendre_decision(comite.systeme, _decision(), [], admin_a, point=comite.point)
    assert instantane.photo() == avant


def test_decision_d_une_instance_decisionnelle_avec_conditions(comite, admin_a, referent_a):
    comite.instance.nature = Instance.Nature.DECISIONNELLE
    comite.instance.save()
    stade = comite.systeme.stade
    decision = services.prendre_decision(
        comite.systeme, _decision(), [_reserve("Bilan à six mois", referent_a)], admin_a, point=comite.point
    )
    assert decision.instance == comite.instance and decision.point == comite.point
    assert decision.conditions.get().responsable == referent_a
    comite.systeme.refresh_from_db()
    assert comite.systeme.stade == stade  # une décision ne change pas le stade à elle seule


def test_decision_directe_par_deliberation(comite, admin_a):
    decision = services.prendre_decision(
        comite.systeme,
        _decision(sens="abandonner", deliberation_numero="2026-042", deliberation_date=date(2026, 3, 1)),
        [],
        admin_a,
    )
    assert decision.instance is None and decision.deliberation_numero == "2026-042"
    with pytest.raises(ValidationError, match="numéro"):
        services.prendre_decision(comite.systeme, _decision(deliberation_date=date(2026, 3, 1)), [], admin_a)
    with pytest.raises(ValidationError, match="Choisissez la décision"):
        services.prendre_decision(comite.systeme, _decision(sens="reporter"), [], admin_a)
    assert Decision.objects.count() == 1


# --- Conditions --------------------------------------------------------------------------------------


@pytest.fixture
def condition(comite, referent_a):
    services.rendre_avis(
        comite.point, _avis(sens="favorable_reserves"), [_reserve(responsable=referent_a)], comite.presidente
    )
    return Condition.objects.get()


def test_lever_une_condition_exige_une_preuve(condition, referent_a, admin_a):
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="preuve"):
        services.modifier_condition(condition.pk, {"statut": "levee"}, 1, referent_a)
    with pytest.raises(ValidationError, match="sans objet"):
        services.modifier_condition(condition.pk, {"statut": "sans_objet", "commentaire": " "}, 1, referent_a)
    assert instantane.photo() == avant
    document = instantane.document(condition.systeme, admin_a)
    levee = services.modifier_condition(
        condition.pk, {"statut": "levee", "preuve_document": document}, 1, referent_a
    )
    assert levee.statut == "levee" and levee.version == 2
    with pytest.raises(versions.ConflitEdition):
        services.modifier_condition(condition.pk, {"statut": "en_cours"}, 1, admin_a)


def test_preuve_d_un_autre_systeme_refusee(condition, org_a, admin_a):
    autre = fabrique.systeme(org_a, admin_a, nom="Autre")
    document = instantane.document(autre, admin_a)
    with pytest.raises(ValidationError, match="document"):
        services.modifier_condition(
            condition.pk, {"statut": "levee", "preuve_document": document}, 1, admin_a
        )


def test_qui_peut_suivre_une_condition(condition, org_a, referent_a):
    assert services.peut_suivre(_adhesion(referent_a, org_a), condition)  # responsable (et GOUVERNER)
    dpo = fabrique.membre(org_a, "dpo", "dpo@exemple.fr")
    assert services.peut_suivre(_adhesion(dpo, org_a), condition)  # QUALIFIER
    lecteur = fabrique.membre(org_a, "lecteur", "lecteur@exemple.fr")
    assert not services.peut_suivre(_adhesion(lecteur, org_a), condition)
    condition.responsable = lecteur
    assert services.peut_suivre(_adhesion(lecteur, org_a), condition)


# --- Pages -------------------------------------------------------------------------------------------


def test_page_du_point_vote_et_avis(client, comite, referent_a):
    client.force_login(comite.externe)
    url = f"/o/{comite.org.slug}/points/{comite.point.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Voter" in page.content.decode()
    reponse = client.post(url + "vote/", {"sens": "contre", "opinion": "Mon opinion argumentée"})
    assert reponse.status_code == 302 and Vote.objects.get().sens == "contre"
    assert "Mon opinion argumentée" in client.get(url).content.decode()
    # L'externe ne voit ni le registre ni les conditions, ni n'instruit l'avis.
    assert client.get(f"/o/{comite.org.slug}/registre/{comite.systeme.pk}/").status_code == 403
    assert client.get(f"/o/{comite.org.slug}/conditions/").status_code == 403
    assert client.get(url + "avis/").status_code == 403

    client.force_login(comite.presidente)
    assert client.get(url + "avis/").status_code == 200
    invalide = client.post(url + "avis/", {"sens": "favorable_reserves", "motifs": "Ok", **_formset_vide()})
    assert invalide.status_code == 400 and "au moins une" in invalide.content.decode()
    assert not Avis.objects.exists()
    reponse = client.post(
        url + "avis/",
        {
            "sens": "favorable_reserves",
            "motifs": "Utile",
            **_formset_vide(),
            "conditions-0-intitule": "Former les agents",
            "conditions-0-responsable": referent_a.pk,
            "conditions-0-echeance": "2030-01-31",
        },
    )
    assert reponse.status_code == 302
    assert Condition.objects.get().responsable == referent_a
    page = client.get(url).content.decode()
    assert "Favorable avec réserves" in page and "Former les agents" in page and "Voter" not in page


def _formset_vide():
    return {"conditions-TOTAL_FORMS": "3", "conditions-INITIAL_FORMS": "0"}


def test_un_membre_d_une_autre_instance_ne_voit_pas_le_point(client, comite, org_a):
    autre = Instance.objects.create(organisation=org_a, nom="COPIL", mission="m", nature="decisionnelle")
    externe = fabrique.membre(org_a, "externe", "autre-externe@exemple.fr")
    Membre.objects.create(instance=autre, utilisateur=externe)
    client.force_login(externe)
    url = f"/o/{org_a.slug}/points/{comite.point.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url + "vote/", {"sens": "pour"}).status_code == 403
    assert not Vote.objects.exists()


def test_decision_depuis_la_fiche_et_lien_vers_le_stade(client, comite, admin_a, lecteur_a):
    client.force_login(lecteur_a)
    url = f"/o/{comite.org.slug}/registre/{comite.systeme.pk}/decisions/nouvelle/"
    assert client.get(url).status_code == 403
    client.force_login(admin_a)
    reponse = client.post(
        url,
        {
            "sens": "mettre_en_production",
            "motifs": "Délibération du conseil",
            "decidee_le": "2026-03-01",
            "deliberation_numero": "D-12",
            "deliberation_date": "2026-02-27",
            "public": "on",
            **_formset_vide(),
        },
    )
    decision = Decision.objects.get()
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"/decisions/{decision.pk}/")
    page = client.get(reponse["Location"]).content.decode()
    assert "Changer le stade du système" in page and "D-12" in page


def test_page_de_suivi_d_une_condition(client, condition, referent_a, lecteur_a):
    url = f"/o/{condition.organisation.slug}/conditions/{condition.pk}/"
    client.force_login(lecteur_a)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"statut": "en_cours", "echeance": "2030-01-01", "version": "1"}).status_code == 403
    )
    client.force_login(referent_a)
    invalide = client.post(url, {"statut": "levee", "echeance": "2030-01-01", "version": "1"})
    assert invalide.status_code == 400 and "preuve" in invalide.content.decode()
    reponse = client.post(
        url,
        {
            "statut": "levee",
            "echeance": "2030-01-01",
            "preuve_lien": "https://exemple.fr/preuve",
            "responsable": referent_a.pk,
            "version": "1",
        },
    )
    assert reponse.status_code == 302
    condition.refresh_from_db()
    assert condition.statut == "levee" and condition.version == 2
    conflit = client.post(url, {"statut": "en_cours", "echeance": "2030-01-01", "version": "1"})
    assert conflit.status_code == 409


def test_liste_des_conditions_filtre_retard_et_responsable(client, comite, admin_a, referent_a, lecteur_a):
    services.rendre_avis(
        comite.point,
        _avis(sens="favorable_reserves"),
        [
            _reserve("Condition échue", referent_a, jours=-3),
            _reserve("Condition à venir", lecteur_a, jours=10),
        ],
        admin_a,
    )
    client.force_login(lecteur_a)
    base = f"/o/{comite.org.slug}/conditions/"
    page = client.get(base + "?filtre=en_retard").content.decode()
    assert "Condition échue" in page and "Condition à venir" not in page and "En retard" in page
    page = client.get(base + f"?filtre=toutes&responsable={lecteur_a.pk}").content.decode()
    assert "Condition à venir" in page and "Condition échue" not in page


def test_liste_des_conditions_en_requetes_constantes(client, comite, admin_a, django_assert_max_num_queries):
    client.force_login(admin_a)
    url = f"/o/{comite.org.slug}/conditions/?filtre=toutes"

    def ajouter(n):
        for i in range(n):
            p = Point.objects.create(
                seance=comite.seance,
                nature="libre",
                titre=f"p{i}",
                organisation=comite.org,
                systeme=comite.systeme,
            )
            services.rendre_avis(p, _avis(sens="favorable_reserves"), [_reserve(f"c{i}", admin_a)], admin_a)

    ajouter(1)
    client.get(url)
    with CaptureQueriesContext(connection) as premier:
        client.get(url)
    nombre = len(premier.captured_queries)
    assert 0 < nombre <= 6
    ajouter(8)
    client.get(url)  # les écritures ont renouvelé la génération : l'adhésion est relue une fois
    with django_assert_max_num_queries(nombre):
        assert client.get(url).status_code == 200


# --- Fiche du registre : chronologie, fraîcheur, retard à minuit -------------------------------------


def test_chronologie_sur_la_fiche_en_requetes_constantes(
    client, comite, admin_a, django_assert_max_num_queries
):
    from balise.gouvernance import selectors_avis

    def ajouter(n):
        for i in range(n):
            p = Point.objects.create(
                seance=comite.seance,
                nature="libre",
                titre=f"p{i}",
                organisation=comite.org,
                systeme=comite.systeme,
            )
            services.rendre_avis(p, _avis(sens="favorable_reserves"), [_reserve(f"c{i}", admin_a)], admin_a)
            services.prendre_decision(comite.systeme, _decision(), [_reserve(f"d{i}", admin_a)], admin_a)

    ajouter(1)
    with django_assert_max_num_queries(3):
        assert len(selectors_avis.chronologie(comite.systeme, date.today())) == 4
    ajouter(6)
    with django_assert_max_num_queries(3):
        assert len(selectors_avis.chronologie(comite.systeme, date.today())) == 28
    client.force_login(admin_a)
    url = f"/o/{comite.org.slug}/registre/{comite.systeme.pk}/"
    page = client.get(url).content.decode()
    assert "Gouvernance" in page and "d5" in page and "Enregistrer une décision" in page


def test_la_fiche_en_cache_suit_avis_et_conditions(client, comite, admin_a, referent_a):
    client.force_login(admin_a)
    url = f"/o/{comite.org.slug}/registre/{comite.systeme.pk}/"
    assert "Aucun avis, décision ni condition" in client.get(url).content.decode()
    services.rendre_avis(
        comite.point, _avis(sens="favorable_reserves"), [_reserve("Former", referent_a, jours=1)], admin_a
    )
    page = client.get(url).content.decode()
    assert "favorable avec réserves" in page and "Former" in page and "En retard" not in page
    condition = Condition.objects.get()
    services.modifier_condition(condition.pk, {"statut": "en_cours"}, 1, referent_a)
    assert "en cours" in client.get(url).content.decode()


def test_le_retard_apparait_le_lendemain_sans_ecriture(client, comite, admin_a, referent_a, monkeypatch):
    services.rendre_avis(
        comite.point, _avis(sens="favorable_reserves"), [_reserve("Former", referent_a, jours=0)], admin_a
    )
    client.force_login(admin_a)
    url = f"/o/{comite.org.slug}/registre/{comite.systeme.pk}/"
    assert "En retard" not in client.get(url).content.decode()
    demain = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: demain)
    assert "En retard" in client.get(url).content.decode()


# --- Registre public : seulement ce qui est public ---------------------------------------------------


def test_registre_public_ne_montre_que_le_public(client, comite, admin_a):
    systeme = registre.publier(comite.systeme.pk, True, admin_a, comite.systeme.version)
    services.rendre_avis(comite.point, _avis(motifs="Motifs publics du comité", public=True), [], admin_a)
    autre = Point.objects.create(
        seance=comite.seance, nature="libre", titre="x", organisation=comite.org, systeme=systeme
    )
    services.rendre_avis(autre, _avis(motifs="Motifs confidentiels", public=False), [], admin_a)
    services.prendre_decision(systeme, _decision(motifs="Décision publique", public=True), [], admin_a)
    services.prendre_decision(systeme, _decision(motifs="Décision interne", public=False), [], admin_a)
    page = client.get(f"/public/{comite.org.slug}/systemes/{systeme.uid}/").content.decode()
    assert "Motifs publics du comité" in page and "Décision publique" in page
    assert "Motifs confidentiels" not in page and "Décision interne" not in page


# --- API : mêmes droits que les pages ----------------------------------------------------------------


def _api(personne, methode, url, corps=None):
    return fabrique.appel_api(personne, methode, url, corps)


def test_api_vote_avis_et_conditions(comite, referent_a, lecteur_a, admin_a):
    slug, pk = comite.org.slug, comite.point.pk
    # Un membre externe vote, change son vote avec la version lue ; un non-votant est refusé.
    vote = _api(comite.externe, "POST", f"{slug}/points/{pk}/vote", {"vote": "contre", "opinion": "Prudence"})
    assert vote.status_code == 200 and vote.json()["college"] == "Académique"
    assert _api(comite.externe, "POST", f"{slug}/points/{pk}/vote", {"vote": "pour"}).status_code == 409
    change = _api(comite.externe, "POST", f"{slug}/points/{pk}/vote", {"vote": "pour", "version": 1})
    assert change.status_code == 200 and change.json()["version"] == 2
    assert _api(comite.invite, "POST", f"{slug}/points/{pk}/vote", {"vote": "pour"}).status_code == 403
    assert _api(lecteur_a, "POST", f"{slug}/points/{pk}/vote", {"vote": "pour"}).status_code == 403
    lu = _api(comite.externe, "GET", f"{slug}/points/{pk}").json()
    assert lu["decompte"]["total"]["pour"] == 1 and lu["avis"] is None
    # L'externe lit le point mais ne voit ni conditions ni décisions (VOIR_REGISTRE).
    assert _api(comite.externe, "GET", f"{slug}/conditions").status_code == 403
    # Avis : instructeur seulement ; réserves exigées ; elles deviennent des conditions.
    corps = {"avis": "favorable_reserves", "motifs": "Utile"}
    assert _api(comite.votant, "POST", f"{slug}/points/{pk}/avis", corps).status_code == 403
    refus = _api(comite.presidente, "POST", f"{slug}/points/{pk}/avis", corps)
    assert refus.status_code == 400 and "au moins une" in refus.json()["message"]
    reserve = {"intitule": "Former", "echeance": "2030-01-01", "responsable_id": referent_a.pk}
    avis = _api(comite.presidente, "POST", f"{slug}/points/{pk}/avis", {**corps, "reserves": [reserve]})
    assert avis.status_code == 201, avis.content
    condition = avis.json()["conditions"][0]
    assert condition["responsable_id"] == referent_a.pk and condition["en_retard"] is False
    # Condition : son responsable la lève avec une preuve ; un lecteur ne peut pas.
    url = f"{slug}/conditions/{condition['id']}"
    assert _api(lecteur_a, "PATCH", url, {"version": 1, "statut": "en_cours"}).status_code == 403
    assert _api(referent_a, "PATCH", url, {"version": 1, "statut": "levee"}).status_code == 400
    levee = _api(referent_a, "PATCH", url, {"version": 1, "statut": "levee", "preuve_lien": "https://x.fr/p"})
    assert levee.status_code == 200 and levee.json()["statut"] == "levee"
    # Correction de l'avis, historisée.
    corrige = _api(admin_a, "PATCH", f"{slug}/avis/{avis.json()['id']}", {"version": 1, "public": True})
    assert corrige.status_code == 200 and corrige.json()["public"] is True


def test_api_decisions(comite, admin_a, lecteur_a):
    slug = comite.org.slug
    corps = {"decision": "experimenter", "motifs": "Critères fixés"}
    refus = _api(admin_a, "POST", f"{slug}/points/{comite.point.pk}/decision", corps)
    assert refus.status_code == 400 and "consultative" in refus.json()["message"]
    assert _api(lecteur_a, "POST", f"{slug}/systemes/{comite.systeme.pk}/decisions", corps).status_code == 403
    d = _api(admin_a, "POST", f"{slug}/systemes/{comite.systeme.pk}/decisions", {**corps, "public": True})
    assert d.status_code == 201 and d.json()["instance_id"] is None
    liste = _api(lecteur_a, "GET", f"{slug}/systemes/{comite.systeme.pk}/decisions").json()
    assert [x["decision"] for x in liste] == ["experimenter"]
    url = f"{slug}/decisions/{d.json()['id']}"
    assert _api(lecteur_a, "PATCH", url, {"version": 1, "decision": "abandonner"}).status_code == 403
    assert (
        _api(admin_a, "PATCH", url, {"version": 1, "decision": "abandonner"}).json()["decision"]
        == "abandonner"
    )
