"""L'usage de la passerelle dans le portefeuille du registre (issue 18, point 7) : la page est gardée en
cache, l'usage jamais. Une requête notée se voit dès l'affichage suivant, sans renouveler la génération
des pages ; le changement de mois aussi ; deux requêtes de plus, quel que soit l'usage."""

import html
import re
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise import generations
from balise.passerelle import envoi
from balise.passerelle import services_catalogue as catalogue
from balise.passerelle.models import Action, ModeleCatalogue
from balise.registre import services
from tests import fabrique

pytestmark = pytest.mark.django_db


def modele(org, par, libelle="Albert") -> ModeleCatalogue:
    """Un modèle au catalogue (sa fiche du registre créée avec lui) ; aucun appel n'est fait."""
    fournisseur = catalogue.ajouter_fournisseur(
        org,
        {"nom": f"Fournisseur {libelle}", "url_base": "http://127.0.0.1:9/v1", "hebergement": "france", "delai_s": 5},
        "cle-de-test",
        par,
    )  # fmt: skip
    return catalogue.ajouter_modele(
        org, fournisseur.pk, {"identifiant": libelle.lower(), "libelle": libelle}, [], par
    )


def noter(m: ModeleCatalogue, personne, action=Action.ENVOYE, n: int = 1) -> None:
    for _ in range(n):
        envoi._noter(
            m, personne, "page", action=action, jetons_entree=100, cout_euros=Decimal("0.25"),
            energie_wh=2.0, ges_gco2e=0.5,
        )  # fmt: skip


def _client(personne) -> Client:
    client = Client()
    client.force_login(personne)
    return client


def _tableaux(page: str) -> list[str]:
    """Les deux tableaux de l'usage : mois dernier, mois en cours (balises retirées)."""
    section = page.split('id="usage-passerelle"', 1)[1].split("Usage de toute la passerelle", 1)[0]
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t))) for t in section.split("<table>")[1:]
    ]


def test_sans_catalogue_ni_section_ni_requete(org_a, admin_a, systeme_a):
    client = _client(admin_a)
    url = f"/o/{org_a.slug}/portefeuille/"
    client.get(url)
    with CaptureQueriesContext(connection) as requetes:
        page = client.get(url).content.decode()
    assert len(requetes) == 0 and "usage-passerelle" not in page and "trou-" not in page


def test_une_requete_notee_se_voit_aussitot_sans_renouveler_les_pages(org_a, admin_a, lecteur_a):
    m = modele(org_a, admin_a)
    client, url = _client(lecteur_a), f"/o/{org_a.slug}/portefeuille/"
    page = client.get(url).content.decode()
    assert "Aucune requête à la passerelle." in page and "trou-" not in page
    jeton = generations.jeton("organisation", org_a.pk)
    noter(m, lecteur_a, n=2)
    noter(m, admin_a, action=Action.REFUSE)
    # Le portefeuille gardé en cache reste celui de la même génération…
    assert generations.jeton("organisation", org_a.pk) == jeton
    # … et montre pourtant l'usage de l'instant : 3 requêtes, 2 personnes, 1 refus, 0,75 €, 6 Wh.
    _, en_cours = _tableaux(client.get(url).content.decode())
    assert "3 requêtes" in en_cours
    assert f"{m.systeme.nom} 3 2 1 0,75 6,0 1,5 " in en_cours
    assert (
        f'href="/o/{org_a.slug}/passerelle/usage/fiches/{m.systeme_id}/"' in client.get(url).content.decode()
    )


def test_le_changement_de_mois_se_voit_sans_renouveler_les_pages(org_a, admin_a):
    # Un quart d'heure avant minuit (heure de Paris) : le jeton des pages n'expire pas entre-temps.
    mai = timezone.make_aware(datetime(2026, 5, 31, 23, 50))
    with time_machine.travel(mai, tick=False):
        m = modele(org_a, admin_a)
        noter(m, admin_a, n=4)
        client, url = _client(admin_a), f"/o/{org_a.slug}/portefeuille/"
        avril, en_mai = _tableaux(client.get(url).content.decode())
        assert "Avril 2026 (dernier mois complet) : aucune requête" in avril
        assert "Mai 2026, jusqu'à aujourd'hui : 4 requêtes" in en_mai
        jeton = generations.jeton("organisation", org_a.pk)
    with time_machine.travel(timezone.make_aware(datetime(2026, 6, 1, 0, 5)), tick=False):
        assert generations.jeton("organisation", org_a.pk) == jeton
        en_mai, juin = _tableaux(client.get(url).content.decode())
        assert "Mai 2026 (dernier mois complet) : 4 requêtes" in en_mai
        assert "Juin 2026, jusqu'à aujourd'hui : aucune requête" in juin


def test_deux_requetes_de_plus_quel_que_soit_l_usage(org_a, admin_a):
    """La page en cache ne lit que les cumuls mensuels : autant de requêtes avec une fiche, une personne
    et une requête qu'avec trois fiches, six personnes et des dizaines de requêtes."""
    premier = modele(org_a, admin_a)
    noter(premier, admin_a)
    client, url = _client(admin_a), f"/o/{org_a.slug}/portefeuille/"

    def mesurer() -> list[str]:
        client.get(url)
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in requetes]

    peu = mesurer()
    assert len(peu) == 2 and all("passerelle_usagemensuel" in sql for sql in peu)
    autres = [modele(org_a, admin_a, f"Modèle {i}") for i in range(2)]
    for i in range(6):
        personne = fabrique.membre(org_a, "lecteur", f"agent{i}@exemple.fr")
        for m in (premier, *autres):
            noter(m, personne, n=3)
    assert len(mesurer()) == len(peu)


def test_fiche_archivee_sans_lien_et_usage_d_une_autre_organisation_absent(org_a, org_b, admin_a, admin_b):
    m = modele(org_a, admin_a)
    ailleurs = modele(org_b, admin_b, "Modèle de B")
    noter(m, admin_a)
    noter(ailleurs, admin_b, n=5)
    systeme = m.systeme
    systeme = services.archiver(systeme.pk, admin_a, systeme.version)
    page = _client(admin_a).get(f"/o/{org_a.slug}/portefeuille/").content.decode()
    _, en_cours = _tableaux(page)
    assert "Modèle de B" not in page and "1 requête" in en_cours and " 5 " not in en_cours
    assert f"{systeme.nom} (archivé)" in en_cours
    assert f"/passerelle/usage/fiches/{systeme.pk}/" not in page


def test_les_pages_en_cache_restent_fraiches_avec_l_usage(pages_fraiches, org_a, admin_a, lecteur_a):
    pages_fraiches.chauffer(org_a, {"administrateur": admin_a, "lecteur": lecteur_a})
    m = modele(org_a, admin_a)  # le catalogue fait paraître la section (passerelle/fraicheur.py)
    pages_fraiches.comparer("modèle ajouté au catalogue")
    noter(m, lecteur_a, n=2)  # aucun signal : l'usage n'est pas gardé
    pages_fraiches.comparer("requêtes notées")
