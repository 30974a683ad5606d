"""Les modèles d'instances livrés (`balise/gouvernance/modeles/instances-v<N>.yaml`) et leur schéma.

Le fichier se lit, chaque modèle cite ses sources (fichier de seed et ligne, ou texte de loi) ; le
schéma refuse un fichier incohérent avec un message en français. Aucun accès à la base de données.
"""

from pathlib import Path

import pytest
import yaml

from balise.gouvernance.modeles_instances import ModelesInvalides, en_vigueur, fichiers, lire

MODELES = en_vigueur()
# Les seeds sont à côté du projet (../shared/seeds), ou d'un niveau plus haut pour une copie de travail.
SEEDS = next(
    (
        p / "shared" / "seeds"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "seeds").exists()
    ),
    Path("/nulle-part"),
)


def _texte(**modifications) -> str:
    donnees = yaml.safe_load(fichiers()[MODELES.version].read_text(encoding="utf-8"))
    premier = {**donnees["modeles"][0], **modifications.pop("modele", {})}
    donnees["modeles"] = [premier, *donnees["modeles"][1:]]
    donnees.update(modifications)
    return yaml.safe_dump(donnees, allow_unicode=True)


def test_le_fichier_en_vigueur_se_lit():
    assert MODELES.version == max(fichiers())
    attendus = {
        "comite_pilotage_ia",
        "comite_ethique_colleges",
        "comite_ethique_social",
        "comite_ethique_pluridisciplinaire",
        "comite_ethique_citoyen",
        "copil_dgs",
        "cotech",
        "comite_direction",
        "comite_revue",
        "cst",
        "f3sct",
    }
    assert set(MODELES.par_id) == attendus


def test_les_quatre_colleges_de_paris_saclay():
    assert MODELES.par_id["comite_ethique_colleges"].colleges == [
        "Collège académique",
        "Collège des experts",
        "Collège des élus et cadres",
        "Collège de la société civile",
    ]
    assert "seed 001:928" in MODELES.citer(MODELES.par_id["comite_ethique_colleges"])


def test_chaque_modele_cite_ses_sources_et_le_dialogue_social_cite_le_code():
    for modele in MODELES.modeles:
        citees = MODELES.citer(modele)
        assert citees, modele.id
    for id_ in ("cst", "f3sct"):
        assert any("Code général de la fonction publique" in c for c in MODELES.citer(MODELES.par_id[id_]))
    assert "seed 002:941" in MODELES.citer(MODELES.par_id["f3sct"])
    assert MODELES.par_id["comite_direction"].nature == "decisionnelle"
    assert MODELES.par_id["comite_revue"].periodicite == "Trimestrielle"


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds absents de cette copie")
def test_les_lignes_citees_existent_dans_les_seeds():
    fichiers_seeds = {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("00*.txt")}
    for modele in MODELES.modeles:
        for r in modele.references:
            if r.ligne is not None:
                lignes = fichiers_seeds[r.source.removeprefix("seed_")]
                assert lignes[r.ligne - 1].strip(), f"{modele.id} cite une ligne vide : {r.source}:{r.ligne}"


@pytest.mark.parametrize(
    ("modifications", "attendu"),
    [
        ({"modele": {"nature": "souveraine"}}, "modeles.0.nature : valeur non prévue"),
        ({"modele": {"quorum_pourcent": 120}}, "modeles.0.quorum_pourcent : valeur trop grande"),
        ({"modele": {"couleur": "bleu"}}, "modeles.0.couleur : champ inconnu"),
        ({"modele": {"references": []}}, "modeles.0.references : trop court"),
        ({"modele": {"colleges": ["A", "A"]}}, "le collège « A » est proposé deux fois"),
        ({"modele": {"references": [{"source": "inconnue", "ligne": 3}]}}, "source inconnue « inconnue »"),
        (
            {"modele": {"references": [{"source": "cgfp", "ligne": 3}]}},
            "une ligne se cite dans un fichier de seed",
        ),
        ({"modele": {"fonctions": ["roi"]}}, "modeles.0.fonctions.0 : valeur non prévue"),
    ],
)
def test_le_schema_refuse_un_fichier_incoherent_en_francais(modifications, attendu):
    with pytest.raises(ModelesInvalides) as refus:
        lire(_texte(**modifications))
    assert any(attendu in e for e in refus.value.erreurs), refus.value.erreurs


def test_un_modele_en_double_et_un_yaml_illisible():
    donnees = yaml.safe_load(fichiers()[MODELES.version].read_text(encoding="utf-8"))
    donnees["modeles"].append(donnees["modeles"][0])
    with pytest.raises(ModelesInvalides, match="défini deux fois"):
        lire(yaml.safe_dump(donnees, allow_unicode=True))
    with pytest.raises(ModelesInvalides, match="pas du YAML valide"):
        lire("modeles: [\n")
