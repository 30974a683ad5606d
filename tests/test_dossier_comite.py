"""Le dossier du comité (issue 13, point 7) : liste de contrôle de la prochaine porte et de la
publication, avis, décisions et conditions dans l'ordre du temps, portes passées sans être franchies,
alerte d'une pratique interdite ; requêtes en nombre constant."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from balise.conformite import services as conformite
from balise.conformite.regles import en_vigueur as regles_en_vigueur
from balise.gouvernance import services_avis
from balise.gouvernance.models import College, Instance, Membre, Point, Seance
from balise.gouvernance.services_avis import NouvelleCondition
from balise.instruments import dossier
from balise.organisations.models import Adhesion
from balise.registre import services as registre
from balise.registre.models import SystemeIA
from tests import fabrique

REGLES = regles_en_vigueur()
CAS = {c.nom: c for c in REGLES.cas}
INTERDIT = "Relances d'impayés conçues pour exploiter la détresse financière des familles"


def _texte(contenu: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages).split())


def _au_stade(systeme: SystemeIA, stade: str) -> SystemeIA:
    SystemeIA.objects.filter(pk=systeme.pk).update(stade=stade)
    systeme.refresh_from_db()
    return systeme


@pytest.fixture
def comite(org_a, admin_a):
    """Un comité d'éthique consultatif à deux collèges, une présidente et un universitaire externe."""
    instance = Instance.objects.create(
        organisation=org_a, nom="Comité d'éthique", mission="Rendre des avis.", nature="consultative"
    )
    academique = College.objects.create(instance=instance, nom="Académique", ordre=1)
    civile = College.objects.create(instance=instance, nom="Société civile", ordre=2)
    presidente = fabrique.membre(org_a, "comite", "presidente@exemple.fr")
    externe = fabrique.membre(org_a, "externe", "universitaire@exemple.fr")
    Membre.objects.create(instance=instance, utilisateur=presidente, fonction="president", college=academique)
    Membre.objects.create(instance=instance, utilisateur=externe, college=civile)
    return type("Comite", (), {"instance": instance, "presidente": presidente, "externe": externe})


def _point(comite, systeme, admin, jours: int = -30) -> Point:
    seance = Seance.objects.create(
        instance=comite.instance, debut=timezone.now() + timedelta(days=jours), cree_par=admin
    )
    return Point.objects.create(
        seance=seance,
        nature="porte",
        titre="Passage en expérimentation",
        organisation=systeme.organisation,
        systeme=systeme,
    )


def _voter(comite, point, org):
    for personne, sens, opinion in (
        (comite.presidente, "pour", ""),
        (comite.externe, "contre", "Biais possibles."),
    ):
        adhesion = Adhesion.objects.select_related("organisation").get(utilisateur=personne, organisation=org)
        services_avis.voter(point, adhesion, sens, opinion, None, personne)


def _gouverner(comite, systeme, admin, referent, n: int = 1) -> None:
    """`n` avis avec réserves (votes compris), `n` décisions avec une condition en retard."""
    for i in range(n):
        point = _point(comite, systeme, admin, jours=-30 - i)
        _voter(comite, point, systeme.organisation)
        services_avis.rendre_avis(
            point,
            {
                "sens": "favorable_reserves",
                "motifs": f"Utile mais à encadrer ({i}).",
                "opinions_divergentes": "Un membre craint un biais envers les quartiers prioritaires.",
            },
            [NouvelleCondition(f"Former les agents ({i})", referent, date.today() + timedelta(days=30))],
            admin,
        )
        services_avis.prendre_decision(
            systeme,
            {
                "sens": "experimenter",
                "motifs": f"Test sur six mois ({i}).",
                "deliberation_numero": f"2026-4{i}",
                "deliberation_date": date.today() - timedelta(days=20),
                "decidee_le": date.today() - timedelta(days=20),
            },
            [NouvelleCondition(f"Bilan intermédiaire ({i})", referent, date.today() - timedelta(days=3))],
            admin,
        )


def test_dossier_montre_portes_gouvernance_et_porte_forcee(
    client, comite, systeme_a, admin_a, referent_a, org_a
):
    admin_a.first_name, admin_a.last_name = "Alice", "Martin"
    admin_a.save()
    _au_stade(systeme_a, "etude")
    registre.changer_stade(
        systeme_a.pk,
        "experimentation",
        "",
        admin_a,
        systeme_a.version,
        justification="Test décidé en comité de direction avant l'été.",
    )
    _gouverner(comite, systeme_a, admin_a, referent_a)
    client.force_login(referent_a)
    reponse = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/dossier.pdf")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    texte = _texte(reponse.content)
    for attendu in (
        # Liste de contrôle de la prochaine porte (production) et de la publication, critère par critère.
        "Portes du cycle de vie",
        "Prochaine porte :",
        "Critère État Bloquant Constat",
        "Manquant",
        "La qualification ne conclut à aucune pratique interdite Rempli Oui",
        "Publication au registre public",
        # La porte passée sans être franchie, sa justification, ses critères manquants, qui.
        "Portes passées sans être franchies",
        "Étude d'opportunité → Expérimentation / POC",
        "Test décidé en comité de direction avant l'été.",
        "Critères manquants à cette date :",
        "par Alice Martin.",
        # La politique des portes selon laquelle la porte a été passée, et celle des listes de contrôle.
        "Politique des portes appliquée : nationale v1.",
        "selon la politique des portes de l'organisation en vigueur (nationale v1)",
        # Avis, décision, conditions.
        "Avis, décisions et conditions",
        "Avis favorable avec réserves — Comité d'éthique",
        "Utile mais à encadrer (0).",
        "Opinions divergentes : Un membre craint un biais",
        "Votes : 1 pour, 1 contre, 0 abstention",
        "Académique : 1 pour",
        "Décision : expérimenter",
        "délibération n° 2026-40",
        "Test sur six mois (0).",
        "Former les agents (0)",
        "Bilan intermédiaire (0)",
        "en retard",
    ):
        assert attendu in texte, (attendu, texte)
    # Dans l'ordre du temps : la décision (il y a 20 jours) avant l'avis (rendu aujourd'hui).
    assert texte.index("Décision : expérimenter") < texte.index("Avis favorable avec réserves")
    assert "Pratique interdite par le règlement" not in texte


def test_dossier_sans_gouvernance(systeme_a):
    texte = dossier.html(systeme_a)
    assert "Aucun avis, décision ni condition pour ce système." in texte
    assert "Aucune porte n'a été passée sans être franchie." in texte
    assert "Prochaine porte : " in texte


def test_dossier_alerte_pratique_interdite(client, systeme_a, referent_a, org_a):
    conformite.qualifier(systeme_a, REGLES, CAS[INTERDIT].reponses, referent_a)
    client.force_login(referent_a)
    texte = _texte(client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/dossier.pdf").content)
    assert "Pratique interdite par le règlement européen sur l'IA (art. 5)." in texte
    assert "Porte bloquée par une pratique interdite" in texte
    assert "Porte bloquée : un critère bloquant n'est pas rempli" in texte
    assert "bloque la porte" in texte
    # Le dossier ouvre la qualification sur la position de la collectivité, comme la page.
    assert "Pour la collectivité, déployeur du système : pratique interdite." in " ".join(texte.split())


def test_dossier_en_requetes_constantes(
    comite, systeme_a, admin_a, referent_a, django_assert_max_num_queries
):
    _au_stade(systeme_a, "etude")
    registre.changer_stade(
        systeme_a.pk, "experimentation", "", admin_a, systeme_a.version, justification="Urgence."
    )
    _gouverner(comite, systeme_a, admin_a, referent_a, n=1)
    with django_assert_max_num_queries(100) as une:
        dossier.html(systeme_a)
    _gouverner(comite, systeme_a, admin_a, referent_a, n=4)
    with django_assert_max_num_queries(len(une.captured_queries)):
        html = dossier.html(systeme_a)
    assert html.count("Avis favorable avec réserves") == 5 and html.count("Bilan intermédiaire") == 5


def test_decomptes_en_lot_comme_point_par_point(comite, systeme_a, admin_a):
    from balise.gouvernance import selectors_avis
    from balise.gouvernance.models import Presence

    Instance.objects.filter(pk=comite.instance.pk).update(regle_vote=Instance.RegleVote.MAJORITE_ABSOLUE)
    avec_votes, sans_votes = _point(comite, systeme_a, admin_a), _point(comite, systeme_a, admin_a)
    for membre in comite.instance.membres.all():
        Presence.objects.create(seance=avec_votes.seance, membre=membre, present=True)
    _voter(comite, avec_votes, systeme_a.organisation)
    avec_votes = Point.objects.select_related("seance__instance").get(pk=avec_votes.pk)
    lot = selectors_avis.decomptes([avec_votes, sans_votes])
    assert list(lot) == [avec_votes.pk]
    assert lot[avec_votes.pk] == selectors_avis.decompte_du_point(avec_votes)
    assert lot[avec_votes.pk].presents == 2
