"""Fil d'Ariane (balise/ariane.py) : toute page sous l'accueil en a un, en un seul endroit de base.html.

Parcourt les pages de la vérification d'accessibilité (tests/navigateur/test_accessibilite.py), rendues
par le client de test : chacune, sauf l'accueil et les questionnaires aux agents (pages autonomes), a un
fil dont la dernière étape nomme la page.
"""

import re

from django.test import Client

from balise import ariane
from tests.navigateur.test_accessibilite import (  # noqa: F401 — la fixture `donnees` est utilisée par nom
    PAGES_CONNECTEES,
    PAGES_PUBLIQUES,
    donnees,
)

_FIL = re.compile(
    r'<nav role="navigation" class="fr-breadcrumb[^"]*" aria-label="vous êtes ici :">(.*?)</nav>', re.S
)
_MENU_COURANT = re.compile(r'<a class="fr-nav__link" href="([^"]*)" aria-current="page">([^<]*)</a>')
_ETAPE = re.compile(r'<a class="fr-breadcrumb__link"(?: href="([^"]*)")?( aria-current="page")?>([^<]*)</a>')
SANS_FIL = ("/", "/questionnaire/", "/participer/")


def _etapes(html: str) -> list[tuple[str, bool, str]]:
    fils = _FIL.findall(html)
    assert len(fils) <= 1, "un seul fil d'Ariane par page"
    return (
        [
            (adresse, bool(courante), " ".join(texte.split()))
            for adresse, courante, texte in _ETAPE.findall(fils[0])
        ]
        if fils
        else []
    )


def _verifier(client: Client, adresse: str, organisation: str) -> None:
    reponse = client.get(adresse)
    assert reponse.status_code == 200, adresse
    etapes = _etapes(reponse.content.decode())
    if adresse == "/" or adresse.startswith(SANS_FIL[1:]):
        assert not etapes, adresse
        return
    assert etapes, f"{adresse} : pas de fil d'Ariane"
    assert etapes[0] == ("/", False, "Accueil"), adresse
    *avant, derniere = etapes
    assert derniere[1] and derniere[2] and derniere[2] not in ("Balise", organisation), (adresse, derniere)
    assert all(adresse_etape and not courante for adresse_etape, courante, _ in avant), (adresse, etapes)
    if adresse.startswith("/o/") or (adresse.startswith("/public/") and adresse != "/public/schema/"):
        assert avant[1][2] == organisation, (adresse, etapes)
    # Le menu surligne la rubrique que le fil cite (ou la page elle-même quand elle en est l'entrée).
    menu = _MENU_COURANT.findall(reponse.content.decode())
    assert len(menu) <= 1, (adresse, menu)
    if menu and adresse.startswith("/o/"):
        cite = avant[2] if len(avant) > 2 else derniere
        assert menu[0][1] == cite[2] or menu[0][0] == adresse.split("?")[0], (adresse, menu, etapes)


def test_toute_page_sous_l_accueil_a_un_fil_d_ariane(client, donnees, admin_a, org_a):  # noqa: F811
    for adresse in PAGES_PUBLIQUES.values():
        _verifier(client, adresse.format(d=donnees), org_a.nom)
    client.force_login(admin_a)
    for adresse in PAGES_CONNECTEES.values():
        _verifier(client, adresse.format(d=donnees), org_a.nom)
    # La rubrique d'une page est celle du menu.
    etapes = _etapes(client.get(f"/o/{donnees.slug}/registre/{donnees.pk}/historique/").content.decode())
    assert [texte for _, _, texte in etapes][:3] == ["Accueil", "Commune A", "Registre"]
    # L'entrée d'une rubrique ne se cite pas deux fois.
    etapes = _etapes(client.get(f"/o/{donnees.slug}/registre/").content.decode())
    assert [texte for _, courante, texte in etapes if not courante] == ["Accueil", "Commune A"]
    # La qualification d'un système est une page de sa fiche : « Registre », au menu comme dans le fil.
    reponse = client.get(f"/o/{donnees.slug}/registre/{donnees.pk}/qualification/")
    etapes = _etapes(reponse.content.decode())
    assert [texte for _, _, texte in etapes][:3] == ["Accueil", "Commune A", "Registre"]
    assert [texte for _, texte in _MENU_COURANT.findall(reponse.content.decode())] == ["Registre"]
    assert set(ariane.RUBRIQUES) >= {"registre", "instruments", "obligations", "metiers", "instances"}
