"""Pages « À traiter » et « Vue d'ensemble » (pilotage), atterrissage après connexion, menu et accueil."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from balise.conformite.models import Qualification
from balise.organisations.models import Adhesion
from tests import fabrique
from tests import gouvernance_fabrique as g

JOUR = timedelta(days=1)
MOT_DE_PASSE = "mot-de-passe-tres-long-42"


@pytest.fixture
def externe_a(org_a):
    return fabrique.membre(org_a, "externe", "externe-a@exemple.fr")


@pytest.fixture
def monde(org_a, systeme_a, referent_a, lecteur_a, externe_a):
    aujourd_hui = timezone.localdate()
    g.obligation(systeme_a, referent_a, aujourd_hui - JOUR, titre="Tenir le journal des événements")
    g.obligation(systeme_a, referent_a, aujourd_hui + 5 * JOUR, titre="Informer les agents")
    g.condition(systeme_a, referent_a, aujourd_hui - 2 * JOUR, intitule="Former les agents du guichet")
    g.evaluation(systeme_a, referent_a, [referent_a])
    attend = fabrique.systeme(org_a, referent_a, nom="Tri du courrier")
    g.passer_en_decision(attend, referent_a)
    g.qualification(systeme_a, referent_a, a_requalifier=True)
    comite = g.instance(org_a, "Comité éthique du numérique")
    g.sieger(comite, externe_a)
    g.sieger(comite, referent_a)
    s = g.seance(comite, g.dans(4), referent_a)
    g.point(s, "Passage en production du tri", attend, dossier="dossiers_seances/tri.pdf")
    g.decision(systeme_a, referent_a, deliberation_numero="2026-042")
    return {"attend": attend, "comite": comite}


def test_a_traiter_toutes_les_sections_avec_liens_et_retard(client, org_a, systeme_a, referent_a, monde):
    client.force_login(referent_a)
    r = client.get("/o/commune-a/a-traiter/")
    assert r.status_code == 200
    html = r.content.decode()
    for attendu in (
        "Tenir le journal des événements",
        "Informer les agents",
        "Former les agents du guichet",
        "En retard",
        "À échéance",
        "Tri du courrier",
        "Comité éthique du numérique",
        "Passage en production du tri",
        "Systèmes à requalifier",
        "Systèmes qui attendent une décision",
        "2 éléments en retard",
    ):
        assert attendu in html, attendu
    assert "/o/commune-a/obligations/" in html
    assert f"/o/commune-a/registre/{systeme_a.pk}/qualification/" in html
    assert "/cotation/" in html
    assert "/o/commune-a/pilotage/" in html
    assert 'aria-current="page">À traiter' in html


def test_a_traiter_du_lecteur_sans_sections_de_pilotage(client, lecteur_a, monde):
    client.force_login(lecteur_a)
    html = client.get("/o/commune-a/a-traiter/").content.decode()
    assert "Systèmes qui attendent une décision" not in html
    assert "Systèmes à requalifier" not in html
    assert "Rien ne vous attend" in html


def test_membre_externe_ne_voit_que_ses_seances(client, externe_a, monde):
    client.force_login(externe_a)
    r = client.get("/o/commune-a/a-traiter/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Comité éthique du numérique" in html and "Passage en production du tri" in html
    for absent in ("Tenir le journal", "Former les agents", "Mes obligations", "requalifier", "/pilotage/"):
        assert absent not in html, absent
    assert client.get("/o/commune-a/pilotage/").status_code == 403


def test_non_membre_introuvable(client, admin_b, monde):
    client.force_login(admin_b)
    assert client.get("/o/commune-a/a-traiter/").status_code == 404
    assert client.get("/o/commune-a/pilotage/").status_code == 404


def test_pilotage(client, org_a, lecteur_a, referent_a, monde):
    g.obligation(
        fabrique.systeme(org_a, referent_a, nom="Sans responsable"), None, timezone.localdate() - JOUR
    )
    ancienne = g.decision(monde["attend"], referent_a, deliberation_numero="2020-001")
    type(ancienne).objects.filter(pk=ancienne.pk).update(
        decidee_le=timezone.localdate() - timedelta(days=200)
    )
    client.force_login(lecteur_a)
    r = client.get("/o/commune-a/pilotage/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "par stade et par catégorie AI Act" in html and "Décision" in html
    assert "2026-042" in html and "2020-001" not in html  # décisions des 6 derniers mois seulement
    assert referent_a.nom_affiche in html and "Sans responsable désigné" in html
    assert "2 en retard" in html  # une obligation et une condition du référent


def test_pilotage_mois_avant():
    from datetime import date

    from balise.gouvernance.pilotage import mois_avant

    assert mois_avant(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert mois_avant(date(2026, 3, 10), 6) == date(2025, 9, 10)


def test_echeance_passee_a_minuit_visible_a_la_requete_suivante(client, org_a, systeme_a, referent_a):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 5, 4, 23, 59)), tick=False):
        g.obligation(systeme_a, referent_a, timezone.localdate(), titre="Publier la notice")
        client.force_login(referent_a)
        assert "En retard" not in client.get("/o/commune-a/a-traiter/").content.decode()
        assert "Rien n'est en retard" in client.get("/o/commune-a/pilotage/").content.decode()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 5, 5, 0, 0, 1)), tick=False):
        html = client.get("/o/commune-a/a-traiter/").content.decode()
        assert "Publier la notice" in html and "En retard" in html
        assert "1 en retard" in client.get("/o/commune-a/pilotage/").content.decode()


def _volumes(org, referent, n):
    comite = g.instance(org, f"Instance {n}")
    g.sieger(comite, referent)
    for i in range(n):
        s = fabrique.systeme(org, referent, nom=f"S{n}-{i}")
        q = g.qualification(s, referent, a_requalifier=True)
        g.obligation(s, referent, timezone.localdate() - JOUR, qualif=q)
        g.obligation(s, fabrique.membre(org, "dpo"), timezone.localdate() - JOUR, qualif=q)
        g.condition(s, referent, timezone.localdate() - JOUR)
        g.evaluation(s, referent, [referent])
        g.passer_en_decision(s, referent)
        g.sieger(comite, fabrique.membre(org, "comite"))
        g.point(g.seance(comite, g.dans(i + 1), referent), "Point", s, dossier="dossiers_seances/d.pdf")


def _requetes(client, adresse):
    """Nombre de requêtes SQL d'une page (compté par `execute_wrapper` : le journal des requêtes de
    Django est remis à zéro au début de chaque requête HTTP)."""
    n = 0

    def compter(execute, sql, params, many, context):
        nonlocal n
        n += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(compter):
        assert client.get(adresse).status_code == 200
    return n


@pytest.mark.parametrize("adresse", ["/o/commune-a/a-traiter/", "/o/commune-a/pilotage/"])
def test_pages_en_requetes_constantes(client, org_a, referent_a, adresse):
    client.force_login(referent_a)
    _volumes(org_a, referent_a, 2)
    client.get(adresse)  # session et adhésion lues une fois (cache des générations)
    petit = _requetes(client, adresse)
    assert petit <= 15
    _volumes(org_a, referent_a, 10)
    client.get(adresse)
    assert _requetes(client, adresse) == petit


def test_connexion_une_organisation_arrive_sur_a_traiter(client, referent_a):
    r = client.post("/comptes/connexion/", {"username": referent_a.email, "password": MOT_DE_PASSE})
    assert r.status_code == 302 and r["Location"] == "/o/commune-a/a-traiter/"


def test_connexion_respecte_next(client, referent_a):
    r = client.post(
        "/comptes/connexion/?next=/o/commune-a/registre/",
        {"username": referent_a.email, "password": MOT_DE_PASSE, "next": "/o/commune-a/registre/"},
    )
    assert r.status_code == 302 and r["Location"] == "/o/commune-a/registre/"


def test_connexion_plusieurs_organisations_arrive_a_l_accueil(client, org_b, referent_a):
    Adhesion.objects.create(utilisateur=referent_a, organisation=org_b, role="lecteur")
    r = client.post("/comptes/connexion/", {"username": referent_a.email, "password": MOT_DE_PASSE})
    assert r.status_code == 302 and r["Location"] == "/"
    html = client.get("/").content.decode()
    assert "/o/commune-a/a-traiter/" in html and "/o/commune-b/a-traiter/" in html


def test_menu_a_traiter(client, referent_a):
    client.force_login(referent_a)
    html = client.get("/o/commune-a/registre/").content.decode()
    assert 'href="/o/commune-a/a-traiter/"' in html


def test_pilotage_montre_la_categorie_et_alerte_sur_une_pratique_interdite(
    client, org_a, lecteur_a, referent_a, monde
):
    from balise.conformite import services as conformite
    from balise.conformite.regles import en_vigueur

    regles = en_vigueur()
    interdit = next(c for c in regles.cas if any(x.startswith("interdit_") for x in c.conclusions))
    systeme = fabrique.systeme(org_a, referent_a, nom="Notation des usagers")
    conformite.qualifier(systeme, regles, interdit.reponses, referent_a)
    client.force_login(lecteur_a)
    html = client.get("/o/commune-a/pilotage/").content.decode()
    assert "par stade et par catégorie AI Act" in html and "Non qualifié" in html
    alerte = html.split("fr-alert--error", 1)[1].split("</div>", 1)[0]
    assert "Notation des usagers" in alerte and "Tri du courrier" not in alerte


def test_pilotage_tableau_croise_stade_et_categorie(client, org_a, lecteur_a, referent_a):
    """Des comptes par stade et par catégorie, chacun menant à la liste du registre ainsi filtrée, et
    qui tombent juste avec elle ; les pratiques interdites nommées à part."""
    interdit = fabrique.systeme(org_a, referent_a, nom="Notation des usagers")
    g.qualification(interdit, referent_a)
    Qualification.objects.filter(systeme=interdit).update(conclusions=["interdit_notation_sociale"])
    for nom in ("Tri du courrier", "Résumé des comptes rendus"):
        fabrique.systeme(org_a, referent_a, nom=nom)
    client.force_login(lecteur_a)
    html = client.get("/o/commune-a/pilotage/").content.decode()
    assert "3 systèmes d&#x27;IA au registre" in html or "3 systèmes d'IA au registre" in html
    interdits = "/o/commune-a/registre/?stade=idee&amp;categorie=interdite"
    non_qualifies = "/o/commune-a/registre/?stade=idee&amp;categorie=non_qualifie"
    assert f'href="{interdits}" class="fr-badge fr-badge--sm fr-badge--error">1<' in html
    assert f'href="{non_qualifies}">2<' in html
    assert "Notation des usagers</a></li>" in html  # l'alerte des pratiques interdites
    liste = client.get(non_qualifies.replace("&amp;", "&")).content.decode()
    assert "Tri du courrier" in liste and "Résumé des comptes rendus" in liste
    assert "Notation des usagers" not in liste
