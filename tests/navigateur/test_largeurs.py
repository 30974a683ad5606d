"""Les pages principales tiennent à 1280 px et sur un téléphone (375 px) : aucun défilement horizontal de la
page ; un tableau trop large défile dans son cadre `fr-table`, un graphique SVG se réduit à sa colonne.

Avec BALISE_CAPTURES=<dossier>, chaque page est aussi photographiée aux deux largeurs (pour les regarder).
"""

import os
from pathlib import Path

import pytest

from tests.navigateur.conftest import connecter
from tests.navigateur.test_accessibilite import PAGES_CONNECTEES, PAGES_PUBLIQUES, donnees  # noqa: F401

pytestmark = pytest.mark.navigateur

PAGES = {
    "registre public": PAGES_PUBLIQUES["registre public"],
    "fiche publique": PAGES_PUBLIQUES["fiche publique"],
    **{
        nom: PAGES_CONNECTEES[nom]
        for nom in (
            "liste du registre",
            "fiche",
            "portefeuille",
            "évaluation girouet en désaccord",
            "évaluation radar finalisée",
            "obligations",
            "résultats d'un import",
            "membres",
        )
    },
}
LARGEURS = (1280, 375)
# Le débordement de la page elle-même : un tableau qui défile dans son cadre n'en est pas un.
_DEBORDEMENT = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_les_pages_principales_tiennent_a_1280_px_et_sur_un_telephone(page, donnees, admin_a):  # noqa: F811
    captures = os.environ.get("BALISE_CAPTURES")
    connecter(page, admin_a.email)
    debordements = {}
    for largeur in LARGEURS:
        page.set_viewport_size({"width": largeur, "height": 900})
        for nom, adresse in PAGES.items():
            reponse = page.goto(adresse.format(d=donnees))
            assert reponse is not None and reponse.ok, adresse
            if captures:
                Path(captures).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{captures}/{largeur}-{nom.replace(' ', '-')}.png", full_page=True)
            surplus = page.evaluate(_DEBORDEMENT)
            if surplus > 0:
                debordements[f"{nom} à {largeur} px"] = surplus
    assert not debordements, f"pages plus larges que l'écran (pixels en trop) : {debordements}"
