"""Le référentiel national d'exposition des métiers (INET / OIT) : fidèle à l'étude, affiché avec ses mises en garde."""

from pathlib import Path

import pytest

from balise.metiers.referentiel import DOSSIER, charger

DONNEES_PARTAGEES = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_le_referentiel_reproduit_les_comptes_de_l_etude():
    ref = charger()
    assert len(ref.metiers) == 210
    assert ref.comptes() == {"Pas concernés": 77, "Peu concernés": 88, "Concernés": 40, "Très concernés": 5}
    assert len(ref.taches) == 23 and len(ref.themes()) == 5
    assert all(t.indice == "80%" for t in ref.taches)
    # Défaut connu de la source, gardé tel quel et signalé.
    doublon = [m for m in ref.metiers if m.metier == "Directeur ou directrice de santé publique"]
    assert len(doublon) == 2
    assert any("deux fois" in d for d in ref.provenance.defauts_connus)


def test_deux_scores_cites_par_la_source():
    """La source cite deux professions : dactylographes (4131) très concernés, policiers (5413) pas concernés."""
    # Un code ISCO peut couvrir plusieurs métiers : tous ont le niveau cité (et il y en a au moins un).
    niveaux: dict[str, set[str]] = {}
    for m in charger().metiers:
        niveaux.setdefault(m.isco08, set()).add(m.niveau)
    assert niveaux["4131"] == {"Très concernés"}
    assert niveaux["5413"] == {"Pas concernés"}


@pytest.mark.parametrize("nom", ["metiers.csv", "taches.csv"])
def test_les_tables_sont_copiees_sans_modification(nom):
    partagee = (
        DONNEES_PARTAGEES
        / f"inet2024_{'metiers_exposition_ia' if nom == 'metiers.csv' else 'taches_automatisables'}.csv"
    )
    if not partagee.is_file():
        pytest.skip(f"données partagées absentes : {partagee}")
    assert (DOSSIER / "inet-2024" / nom).read_bytes() == partagee.read_bytes()


def test_page_du_referentiel_avec_mises_en_garde(client, org_a, lecteur_a):
    client.force_login(lecteur_a)
    page = client.get(f"/o/{org_a.slug}/metiers/referentiel/").content.decode()
    assert "Un majorant, pas une prévision" in page and "210 métiers" in page
    filtre = client.get(f"/o/{org_a.slug}/metiers/referentiel/?niveau=Très concernés").content.decode()
    assert "5 métiers « très concernés »" in filtre
    # Un niveau inconnu (ou hostile) est ignoré, jamais recopié dans la page.
    inconnu = client.get(
        f"/o/{org_a.slug}/metiers/referentiel/?niveau=<script>alert(1)</script>"
    ).content.decode()
    assert "210 métiers" in inconnu and "alert(1)" not in inconnu
