"""Le nombre de requêtes SQL des pages du registre ne croît pas avec le nombre de systèmes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balise.registre import services
from tests import fabrique, travailleur


def _requetes(client, url: str) -> int:
    """Requêtes d'une première lecture : ni page, ni personne, ni adhésion gardées en cache."""
    cache.clear()
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(capture.captured_queries)


def _peupler(org, auteur, n: int) -> None:
    for i in range(n):
        s = fabrique.systeme(
            org, auteur, nom=f"Système {i}", contribution_decision="Aide.", cible=("agents", "usagers")[i % 2]
        )
        s = services.publier(s.pk, True, auteur, s.version)
        services.changer_stade(s.pk, "etude", "", auteur, s.version)


@pytest.mark.parametrize(
    "gabarit",
    [
        "/o/{slug}/registre/",
        "/o/{slug}/registre/?stade=etude&q=Syst&tri=-nom",
        "/o/{slug}/registre/{pk}/",
        "/o/{slug}/registre/{pk}/historique/",
        "/o/{slug}/portefeuille/",
        "/public/{slug}/",
        "/public/{slug}/registre.json",
        "/public/{slug}/registre.csv",
        "/api/organisations/{slug}/systemes",
    ],
)
def test_requetes_constantes(client, org_a, admin_a, gabarit):
    client.force_login(admin_a)
    _peupler(org_a, admin_a, 3)
    premier = org_a.systemes.order_by("pk").first()
    url = gabarit.format(slug=org_a.slug, pk=premier.pk)
    peu = _requetes(client, url)
    _peupler(org_a, admin_a, 30)
    assert _requetes(client, url) == peu


def test_historique_constant_quel_que_soit_le_nombre_de_versions(client, org_a, admin_a):
    client.force_login(admin_a)
    s = fabrique.systeme(org_a, admin_a)
    url = f"/o/{org_a.slug}/registre/{s.pk}/historique/"
    services.modifier_systeme(s.pk, {"nom": "v2"}, 1, admin_a)
    peu = _requetes(client, url)
    for version in range(2, 22):
        services.modifier_systeme(s.pk, {"nom": f"v{version + 1}"}, version, admin_a)
    assert _requetes(client, url) == peu


def test_requetes_constantes_des_evaluations(client, org_a, admin_a, systeme_a):
    """Vue consolidée, évaluations d'un système, questionnaire et dossier PDF : autant de requêtes
    avec 5 qu'avec 20 évaluateurs (et 2 ou 6 évaluations finalisées) ; le questionnaire, autant avec
    un groupe de codes qu'avec quatre."""
    from balise.instruments import services as instruments
    from balise.instruments.models import DefinitionInstrument
    from balise.instruments.services import Saisie

    girouet = DefinitionInstrument.objects.get(organisation=None, code="girouet")
    questionnaire = DefinitionInstrument.objects.get(organisation=None, code="questionnaire-experimentation")
    consultation = instruments.ouvrir_consultation(systeme_a, questionnaire, "bilan", admin_a)
    codes = instruments.creer_groupe_de_codes(consultation, "Groupe 0", 20, admin_a).codes
    evaluations = [instruments.demarrer_evaluation(systeme_a, girouet, "amont", admin_a) for _ in range(2)]

    def ajouter(n: int, depart: int) -> None:
        for i in range(depart, depart + n):
            personne = fabrique.membre(org_a, "lecteur", f"evaluateur{i}@exemple.fr")
            for e in evaluations:
                instruments.inviter_evaluateur(e, personne, ("agent", "direction")[i % 2], admin_a)
                instruments.coter(
                    e,
                    personne,
                    {"autonomie": Saisie(1 + i % 4, commentaire="Vu."), "savoir_faire": Saisie(2)},
                )
            instruments.repondre_anonymement(consultation, {"gain_temps": Saisie(1 + i % 4)}, code=codes[i])

    ajouter(5, 0)
    pages = [
        f"/o/{org_a.slug}/evaluations/{evaluations[0].pk}/",
        f"/o/{org_a.slug}/evaluations/{evaluations[0].pk}/cotation/",
        f"/o/{org_a.slug}/consultations/{consultation.pk}/",
    ]
    instruments.inviter_evaluateur(evaluations[0], admin_a, "direction", admin_a)
    client.force_login(admin_a)
    avant = [_requetes(client, url) for url in pages]
    ajouter(15, 5)
    for n in range(1, 4):
        instruments.creer_groupe_de_codes(consultation, f"Groupe {n}", 5, admin_a)
    assert [_requetes(client, url) for url in pages] == avant

    # Évaluations d'un système et dossier : même nombre de requêtes quel que soit le nombre
    # d'évaluations finalisées d'un même instrument.
    suivi = [
        f"/o/{org_a.slug}/registre/{systeme_a.pk}/evaluations/",
        f"/o/{org_a.slug}/registre/{systeme_a.pk}/dossier.pdf",
    ]
    for e in evaluations:
        instruments.finaliser(e, admin_a)
    avant = [_requetes(client, url) for url in suivi]
    for _ in range(4):
        e = instruments.demarrer_evaluation(systeme_a, girouet, "bilan", admin_a)
        instruments.inviter_evaluateur(e, admin_a, "direction", admin_a)
        instruments.coter(e, admin_a, {"autonomie": Saisie(3)})
        instruments.finaliser(e, admin_a)
    assert [_requetes(client, url) for url in suivi] == avant


def test_requetes_constantes_de_la_conformite(client, org_a, admin_a):
    """Qualification d'un système et obligations de l'organisation : autant de requêtes avec 2 qu'avec
    8 systèmes qualifiés."""
    from balise.conformite import services as conformite
    from balise.conformite.regles import en_vigueur

    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))

    def qualifier(n: int) -> None:
        for i in range(n):
            s = fabrique.systeme(org_a, admin_a, nom=f"Qualifié {i}")
            conformite.qualifier(s, regles, cas.reponses, admin_a)
            services.changer_stade(s.pk, "etude", "", admin_a, s.version)  # signalé à requalifier

    client.force_login(admin_a)
    qualifier(2)
    premier = org_a.systemes.order_by("pk").first()
    pages = [f"/o/{org_a.slug}/obligations/", f"/o/{org_a.slug}/registre/{premier.pk}/qualification/"]
    avant = [_requetes(client, url) for url in pages]
    qualifier(6)
    assert [_requetes(client, url) for url in pages] == avant


def _effectifs(org, par, n: int):
    """Un import de n agents répartis sur n/2 libellés et autant de directions."""
    from balise.metiers import services as metiers
    from balise.metiers.referentiel import charger

    libelles = [m.metier for m in charger().metiers]
    lignes = "".join(
        f"{libelles[i % (n // 2)]};Direction {i % (n // 2)};{'ABC'[i % 3]};F\n" for i in range(n)
    )
    contenu = ("Métier;Direction;Catégorie;Sexe\n" + lignes).encode()
    colonnes = {"metier": "Métier", "direction": "Direction", "categorie": "Catégorie", "sexe": "Sexe"}
    imp = travailleur.importer(org, par, "e.csv", contenu, colonnes)
    groupe = metiers.suivre_groupe(org, "Concernés", "direction", "Direction 1", par)
    for i in range(n // 10):
        metiers.enregistrer_action(
            groupe, {"nature": "formation", "titre": f"Action {i}", "statut": "prevue"}, par
        )
    return imp, groupe


@pytest.mark.parametrize(
    "gabarit",
    [
        "/o/{slug}/metiers/",
        "/o/{slug}/metiers/imports/{imp}/",
        "/o/{slug}/metiers/imports/{imp}/?par=direction&metiers=tous",
        "/o/{slug}/metiers/imports/{imp}/revue/?tous=1",
        "/o/{slug}/metiers/imports/{imp}/export.xlsx",
        "/o/{slug}/metiers/imports/{imp}/export.csv",
        "/o/{slug}/metiers/groupes/{groupe}/",
    ],
)
def test_requetes_constantes_des_metiers(client, org_a, admin_a, gabarit):
    client.force_login(admin_a)
    imp, groupe = _effectifs(org_a, admin_a, 20)
    peu = _requetes(client, gabarit.format(slug=org_a.slug, imp=imp.pk, groupe=groupe.pk))
    for autre in org_a.imports_effectifs.all():
        autre.delete()
    imp, groupe = _effectifs(org_a, admin_a, 200)
    assert _requetes(client, gabarit.format(slug=org_a.slug, imp=imp.pk, groupe=groupe.pk)) == peu
