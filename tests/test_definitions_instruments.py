"""Les définitions d'instruments livrées avec Balise : elles se valident et restent fidèles à leurs sources.

Pour chaque définition, on relit le passage source (copié dans tests/sources) et on vérifie le nombre de sections et
d'items, les libellés d'échelle quand la source les donne, et que chaque texte présenté comme repris
mot pour mot figure bien dans la source (espaces, apostrophes et guillemets typographiques, marques
de gras et appels de note normalisés). Puis les refus du schéma, avec leurs messages en français.
Quand le dossier complet des textes sources est là (BALISE_SEEDS, ou ../shared/seeds), on vérifie aussi
que les extraits de tests/sources en sont des copies exactes.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from balise.instruments.definition import (
    DOSSIER_DEFINITIONS,
    Definition,
    DefinitionInvalide,
    definitions_livrees,
    lire_yaml,
    valider,
)

# Les passages cités, copiés dans le dépôt (tests/sources) : la comparaison tourne sur tout clone.
EXTRAITS = Path(__file__).resolve().parent / "sources"
# Le dossier complet des textes sources, quand il est là : il sert à vérifier les extraits eux-mêmes.
SEEDS_COMPLETS = Path(
    os.environ.get("BALISE_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)

LIVREES = {
    "boussole-nantes",
    "checklist-agents",
    "girouet",
    "grille-cotation-nord",
    "matrice-inet",
    "questionnaire-experimentation",
    "radar-decision",
}
ECHELLE_FAVORABLE = ["Défavorable", "Plutôt défavorable", "Plutôt favorable", "Favorable"]
COUPURE = "[…]"  # marque une coupure dans un extrait de la source


# --- Outils -------------------------------------------------------------------------------------------


@cache
def _definitions() -> dict[str, Definition]:
    return {d.id: d for d in definitions_livrees()}


def definition(identifiant: str) -> Definition:
    return _definitions()[identifiant]


def normaliser(texte: str) -> str:
    """Le texte comparable : apostrophes et guillemets droits, sans gras ni appels de note, espaces
    simples, casse ignorée."""
    texte = texte.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("…", "...")
    texte = re.sub(r"«\s*", '"', texte)
    texte = re.sub(r"\s*»", '"', texte)
    texte = re.sub(r"[*⁰¹²³⁴⁵⁶⁷⁸⁹]", "", texte)  # gras markdown, appels de note
    return re.sub(r"\s+", " ", texte).strip().casefold()


@cache
def _texte_source(document: str) -> str | None:
    """L'extrait du dépôt, sinon le texte complet quand il est là ; None si ni l'un ni l'autre (un texte
    sous droits réservés n'est pas recopié dans le dépôt : seules ses empreintes y sont)."""
    for chemin in (EXTRAITS / Path(document).name, SEEDS_COMPLETS / Path(document).name):
        if chemin.is_file():
            return chemin.read_text(encoding="utf-8")
    return None


def _seed_brut(document: str) -> str:
    texte = _texte_source(document)
    if texte is None:
        pytest.skip(f"{document} : texte sous droits réservés, hors du dépôt, et dossier complet absent")
    return texte


@pytest.mark.parametrize("extrait", sorted(EXTRAITS.glob("*.txt")), ids=lambda p: p.name)
def test_les_extraits_sont_copies_a_l_identique(extrait):
    complet = SEEDS_COMPLETS / extrait.name
    if not complet.is_file():
        pytest.skip(f"texte source complet absent : {complet}")
    lignes = set(complet.read_text(encoding="utf-8").splitlines())
    assert [ligne for ligne in extrait.read_text(encoding="utf-8").splitlines() if ligne not in lignes] == []


def seed_brut(identifiant: str) -> str:
    return _seed_brut(definition(identifiant).source.document)


# Une note de bas de page (« 19. … », « ⁴⁹. … », « i8. … ») : elle coupe parfois une phrase à un saut de page.
NOTE_DE_BAS_DE_PAGE = re.compile(r"^[ \t]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|i?\d{1,3})\.[ \t].*$", re.M)


def seed(identifiant: str) -> str:
    """Le texte source normalisé, suivi de sa version sans notes de bas de page, pour retrouver
    aussi une phrase coupée par un saut de page."""
    brut = seed_brut(identifiant)
    return normaliser(brut) + "\n" + normaliser(NOTE_DE_BAS_DE_PAGE.sub("", brut))


def absents(textes: list[str], source: str) -> list[str]:
    """Les textes qui ne figurent pas, normalisés, dans la source normalisée."""
    return [t for t in textes if normaliser(t) not in source]


def extraits(description: str) -> list[str]:
    return [e.strip() for e in description.split(COUPURE) if e.strip()]


def questions(d: Definition) -> list[str]:
    return [q for item in d.items for q in item.questions]


def item(d: Definition, identifiant: str):
    return next(i for i in d.items if i.id == identifiant)


# --- Toutes les définitions ---------------------------------------------------------------------------


def test_les_definitions_livrees_se_valident():
    assert set(_definitions()) == LIVREES
    for fichier in sorted(DOSSIER_DEFINITIONS.glob("*.yaml")):
        d = lire_yaml(fichier.read_text(encoding="utf-8"))
        assert fichier.name == f"{d.id}-v{d.version}.yaml"
        assert d.source.document.startswith("seeds/")
        assert d.choix_de_transcription, f"{d.id} : les choix de transcription doivent être dits"
        for i in d.items_notes:
            assert d.echelle_de(i).niveaux  # chaque item noté a une échelle connue


def test_les_textes_sources_existent():
    """Un extrait par définition, ou, pour un texte sous droits réservés, ses empreintes seulement."""
    for d in _definitions().values():
        nom = Path(d.source.document)
        assert (EXTRAITS / nom.name).is_file() or (EXTRAITS / f"{nom.stem}.empreintes").is_file(), d.id


def test_echelles_de_1_a_4_favorables_en_haut():
    for identifiant in ("radar-decision", "grille-cotation-nord", "boussole-nantes"):
        d = definition(identifiant)
        echelle = d.echelles[d.echelle]
        assert [n.valeur for n in echelle.niveaux] == [1, 2, 3, 4]
        assert [n.libelle for n in echelle.niveaux] == ECHELLE_FAVORABLE
        assert all(d.echelle_de(i) is echelle for i in d.items_notes)


# --- Girouet (seed 004, partie 3) ---------------------------------------------------------------------


def test_girouet_quatre_grilles_de_trois_items():
    d = definition("girouet")
    assert d.visuel == "girouet"
    assert [len(s.items) for s in d.sections] == [3, 3, 3, 3]
    assert "4 grilles d'analyse et 12 items" in seed("girouet")


def test_girouet_libelles_de_l_echelle_tels_que_la_source():
    cite = re.search(r"1=(.+?), 2=(.+?), 3=(.+?), 4=(.+?)\)", seed("girouet"))
    assert cite is not None
    d = definition("girouet")
    echelle = d.echelles[d.echelle]
    assert [n.valeur for n in echelle.niveaux] == [1, 2, 3, 4]
    assert [n.libelle.casefold() for n in echelle.niveaux] == list(cite.groups())


def test_girouet_questions_mot_pour_mot():
    d = definition("girouet")
    assert len(questions(d)) >= 12
    assert absents(questions(d), seed("girouet")) == []


# --- Radar de décision (seed 004, partie 2) -----------------------------------------------------------

# Les questions que le cahier pose lui-même (reprises mot pour mot) ; les autres sont des phrases du
# cahier tournées en questions.
RADAR_MOT_POUR_MOT = [
    "A-t-on connaissance des données d'apprentissage ?",
    "S'agit-il d'un système ouvert (concernant les IA génératives notamment) ?",
    "La collectivité a-t-elle la maîtrise des données qui vont affiner et adapter l'apprentissage au "
    "contexte local ? Dans le cas contraire, quels sont les risques ?",
    "Existe-t-il notamment des risques de discrimination ?",
    "A-t-on besoin d'une IA pour réaliser le projet proposé ?",
    "Le recours à l'IA peut-il être envisagé tout en maîtrisant son impact environnemental ?",
]
# Le terme clé de chaque item, tel que le cahier l'écrit.
RADAR_TERMES = {
    "utilite_interne": ["Cette utilité peut se mesurer en interne (pour les agents)"],
    "utilite_externe": ["et/ou en externe (au bénéfice direct des usagers)"],
    "opportunite_politique": ["l'opportunité politique"],
    "coherence_territoriale": ["la cohérence territoriale"],
    "biais_erreurs": ["le contrôle des biais et des erreurs"],
    "transparence_souverainete": ["transparence et souveraineté"],
    "vie_privee": ["protection de la vie privée"],
    "besoin_reel": ["a-t-on besoin d'une IA"],
    "donnees_calcul": [
        "en minimisant les volumes des données utilisées",
        "en optimisant les systèmes de calcul",
    ],
    "serveurs_energie": ["la localisation des serveurs (dont dépend la nature de l'énergie consommée)"],
    "balance_impacts": ["la balance soit faite entre les impacts négatifs et les bénéfiques attendus"],
    "impact_metiers": ["l'impact sur les métiers", "déqualification", "suppression de leur emploi"],
}
SIX_ATTENTES = [
    "accélération",
    "fiabilisation",
    "connaissances",
    "personnalisation",
    "économies",
    "performance",
]


def test_radar_quatre_quadrants():
    d = definition("radar-decision")
    assert d.visuel == "radar" and d.agregation == "moyenne_ponderee"
    assert [s.id for s in d.sections] == ["utilite", "confiance", "frugalite", "capacitante"]
    assert [[i.id for i in s.items] for s in d.sections] == [
        ["utilite_interne", "utilite_externe", "opportunite_politique", "coherence_territoriale"],
        ["biais_erreurs", "transparence_souverainete", "vie_privee"],
        ["besoin_reel", "donnees_calcul", "serveurs_energie", "balance_impacts"],
        ["impact_metiers"],
    ]
    assert [m.value for m in d.moments] == ["amont", "preparation", "avant_production"]
    texte = seed("radar-decision")
    for moment in ("en amont", "durant la préparation d'un projet", "pour la mise en production"):
        assert moment in texte
    for quadrant in ("le premier quadrant", "le second axe", "une ia frugale", "le dernier quadrant"):
        assert quadrant in texte


def test_radar_termes_cles_de_chaque_item_dans_la_source():
    d = definition("radar-decision")
    assert set(RADAR_TERMES) == {i.id for i in d.items}
    texte = seed("radar-decision")
    for termes in RADAR_TERMES.values():
        assert absents(termes, texte) == []


def test_radar_utilite_decline_les_six_attentes():
    d = definition("radar-decision")
    texte = seed("radar-decision")
    assert absents(SIX_ATTENTES, texte) == []
    for identifiant in ("utilite_interne", "utilite_externe"):
        guides = normaliser(" ".join(item(d, identifiant).questions))
        assert [a for a in SIX_ATTENTES if a not in guides] == []


def test_radar_questions_du_cahier_mot_pour_mot():
    d = definition("radar-decision")
    texte = seed("radar-decision")
    assert [q for q in RADAR_MOT_POUR_MOT if q not in questions(d)] == []
    assert absents(RADAR_MOT_POUR_MOT, texte) == []


def test_radar_descriptions_extraites_du_cahier():
    d = definition("radar-decision")
    texte = seed("radar-decision")
    for section in d.sections:
        assert section.description
        assert absents(extraits(section.description), texte) == [], section.id


def test_radar_licence_et_referentiel_frugal():
    d = definition("radar-decision")
    texte = seed("radar-decision")
    assert "le radar proposé par civiteo est téléchargeable sous licence cc-by-nc 4.0" in texte
    assert d.source.licence == "CC-BY-NC 4.0"
    assert "\"référentiel général pour l'ia frugale\" publié par l'afnor" in texte


# --- Grille de cotation du Département du Nord (seed 001) ---------------------------------------------

NORD_TERMES = {
    "gains_temps_qualite": "gains de temps et de qualité",
    "satisfaction_usagers": "satisfaction des usagers et des agents",
    "satisfaction_agents": "satisfaction des usagers et des agents",
    "service_rendu": "effets mesurés sur le service rendu",
    "modele_economique": "modèle économique",
    "tests_acquisitions": "tous les tests et acquisitions",
    "formation_accompagnement": "plan de formation et d'accompagnement du changement",
    "risque_financier": "risques financiers",
    "risque_juridique": "La protection des données (DPD, RGPD et Règlement IA européen)",
    "risque_technique": "la sécurité (RSSI)",
    "risque_ethique": "Un comité d'éthique (DRH & organisations syndicales) statue sur les usages, les limites et les impacts RH",
    "risque_environnemental": "éthiques et environnementaux",
    "roi_estime": "ROI estimé",
    "economies": "économies réalisées",
    "indicateurs": "indicateurs tangibles",
}


def test_nord_quatre_rubriques_de_la_grille():
    d = definition("grille-cotation-nord")
    assert "grille de cotation des projets (bénéfices, coûts, risques, roi)" in seed("grille-cotation-nord")
    assert [s.titre.casefold() for s in d.sections] == ["bénéfices", "coûts", "risques", "roi"]
    assert [len(s.items) for s in d.sections] == [4, 3, 5, 3]
    assert d.visuel == "barres"


def test_nord_items_tires_de_la_source():
    d = definition("grille-cotation-nord")
    assert set(NORD_TERMES) == {i.id for i in d.items}
    assert absents(list(NORD_TERMES.values()), seed("grille-cotation-nord")) == []


def test_nord_prerequis_et_indicateurs_cites_mot_pour_mot():
    d = definition("grille-cotation-nord")
    texte = seed("grille-cotation-nord")
    risques = next(s for s in d.sections if s.id == "risques")
    prerequis = "La protection des données (DPD, RGPD et Règlement IA européen) et la sécurité (RSSI) sont des prérequis non négociables."
    assert prerequis in risques.description
    indicateurs = "gains de temps et de qualité, satisfaction des usagers et des agents, économies réalisées et effets mesurés sur le service rendu"
    assert any(indicateurs in q for q in item(d, "indicateurs").questions)
    assert absents([prerequis, indicateurs, "valeur publique démontrable"], texte) == []


# --- Boussole de l'IA de Nantes Métropole (seed 002) --------------------------------------------------

BOUSSOLE_QUESTIONS = [
    "Est-ce que l'IA apporte une vraie amélioration du service public ou y-a-t-il des solutions "
    "alternatives possibles ?",
    "Quels impacts sur les conditions de travail ?",
]
# Point d'attention cité par la source → (item qui le porte, fragment de sa question guide).
BOUSSOLE_POINTS = {
    "la prise en compte des parcours usagers": ("amelioration_service_public", "parcours usagers"),
    "les enjeux de sobriété": ("ecologique", "sobriété"),
    "la question du risque par rapport aux gains": ("amelioration_service_public", "par rapport aux gains"),
    "les effets secondaires": ("amelioration_service_public", "effets secondaires"),
    "la portabilité pour d'autres et pour demain": ("technique", "pour d'autres et pour demain"),
    "la durabilité": ("technique", "durable"),
    "la balance coût/bénéfice": ("cout", "balance coût/bénéfice"),
}


def test_boussole_six_criteres_nommes_sur_sept_annonces():
    d = definition("boussole-nantes")
    texte = seed("boussole-nantes")
    cite = re.search(r"sur la base de 7 critères \((.+?)\.\.\.\)", texte)
    assert cite is not None
    nommes = cite.group(1).split(", ")
    assert nommes == ["aspects juridiques", "techniques", "écologiques", "cybersécurité", "données", "coût"]
    criteres = next(s for s in d.sections if s.id == "criteres")
    assert len(criteres.items) == len(nommes) == 6
    for critere, nom in zip(criteres.items, nommes, strict=True):
        assert critere.libelle.casefold().endswith(nom)
    assert any("septième" in c for c in d.choix_de_transcription)


def test_boussole_questions_generales_mot_pour_mot():
    d = definition("boussole-nantes")
    assert [s.id for s in d.sections] == ["criteres", "questions_generales"]
    generales = [q for i in d.sections[1].items for q in i.questions]
    assert [q for q in BOUSSOLE_QUESTIONS if q not in generales] == []
    assert absents(BOUSSOLE_QUESTIONS, seed("boussole-nantes")) == []


def test_boussole_points_d_attention_de_la_source():
    d = definition("boussole-nantes")
    texte = seed("boussole-nantes")
    assert absents(list(BOUSSOLE_POINTS), texte) == []
    for identifiant, fragment in BOUSSOLE_POINTS.values():
        assert any(fragment in q for q in item(d, identifiant).questions), (identifiant, fragment)


# --- Matrice de l'INET (seed 002) ---------------------------------------------------------------------


def test_matrice_deux_axes_oui_non():
    d = definition("matrice-inet")
    assert d.visuel == "matrice" and d.seuil_desaccord == 1
    assert [i.id for i in d.items_notes] == ["peut", "veut"]
    peut, veut = d.items_notes
    assert peut.echelle and veut.echelle and peut.echelle != veut.echelle
    assert [(n.valeur, n.libelle) for n in d.echelle_de(peut).niveaux] == [
        (0, "L'IA ne peut pas le faire"),
        (1, "L'IA peut le faire"),
    ]
    assert [(n.valeur, n.libelle) for n in d.echelle_de(veut).niveaux] == [
        (0, "On ne veut pas que l'IA le fasse"),
        (1, "On veut que l'IA le fasse"),
    ]
    texte = seed("matrice-inet")
    assert "une matrice simple croise deux aspects" in texte and "[élèves de l'inet]" in texte
    assert absents([peut.libelle, "souhaite que l'IA fasse ou pas"], texte) == []


# --- Check-list des agents (seed 003, Éditions WEKA) --------------------------------------------------
# Les règles viennent de la source, leur formulation est celle de Balise : chaque point de la v2 répond
# à un point de la source, au même rang, et aucun texte livré ne reprend une suite de mots de la source.

SEED_WEKA = "seeds/003_968ea394f4c50c5d.txt"
SUITE_INTERDITE = 6  # mots consécutifs communs avec la source à partir desquels un texte la recopie
# Les noms d'une fonction ou d'une chose, libres comme les noms propres : chacun compte pour un seul mot.
NOMS_LIBRES = ("délégué à la protection des données",)

# Pour chaque point, dans l'ordre de sa colonne : un terme du point de la source, et le terme qui porte
# le même fait dans la formulation de Balise.
CHECKLIST_CORRESPONDANCES = {
    "a_faire": [
        ("s_emparer_du_sujet", "mise à jour", "mises à jour"),
        ("associer_directions", "charte informatique", "charte informatique"),
        ("assistant_gain_de_temps", "délibérations", "délibérations"),
        ("securiser_donnees", "confidentielle", "confidentielle"),
        ("integrer_processus_metiers", "urbanisme", "urbanisme"),
        ("transparence", "transparence", "transparence"),
        ("former_equipes", "les biais", "biais"),
        ("tester_environnement_controle", "environnement contrôlé", "cadre restreint"),
        ("outils_france_europe", "france", "france"),
        ("pas_de_discrimination", "candidatures", "candidatures"),
        ("accompagner_missions", "service public", "service public"),
    ],
    "a_ne_pas_faire": [
        ("croire_bloquer_usages", "plateformes", "plateformes"),
        ("usages_sans_garde_fou", "garde-fou", "règles de protection"),
        ("resultats_non_relus", "relire", "relecture"),
        ("donnees_sans_anonymisation", "anonymisation", "sans anonymisation"),
        ("deleguer_decision_finale", "décision finale", "trancher"),
        ("tromper_destinataires", "destinataires", "destinataires"),
        ("agents_sans_accompagnement", "déontologie", "déontologiques"),
        ("deploiement_sans_analyse", "souveraineté", "souveraineté"),
        ("ia_grand_public_sans_vigilance", "grand public", "grand public"),
        ("algorithmes_non_audites", "non audités", "audité"),
        ("ia_sans_accompagnement_humain", "économies", "économies"),
    ],
}


def _colonne(signe: str) -> list[str]:
    return [normaliser(t) for t in re.findall(rf"<p>{signe}\s*(.*?)</p>", _seed_brut(SEED_WEKA), re.S)]


def mots(texte: str) -> list[str]:
    """Les mots d'un texte, en minuscules, sans ponctuation (apostrophes et tirets séparent les mots)."""
    texte = " ".join(re.findall(r"\w+", texte.replace("’", "'").casefold()))
    for nom in NOMS_LIBRES:
        texte = texte.replace(nom, nom.replace(" ", "_"))
    return texte.split()


def suites(texte: str, n: int = SUITE_INTERDITE) -> set[tuple[str, ...]]:
    m = mots(texte)
    return {tuple(m[i : i + n]) for i in range(len(m) - n + 1)}


def empreinte(suite: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(suite).encode()).hexdigest()[:16]


EMPREINTES_WEKA = EXTRAITS / f"{Path(SEED_WEKA).stem}.empreintes"


@cache
def _empreintes_weka() -> frozenset[str]:
    """Les empreintes des suites de 6 mots de la source (lignes 405–460), gardées dans le dépôt à la
    place du texte, qui est sous droits réservés ; plus celles du texte complet quand il est là."""
    lignes = EMPREINTES_WEKA.read_text(encoding="utf-8").splitlines()
    gardees = {ligne for ligne in lignes if ligne and not ligne.startswith("#")}
    complet = _texte_source(SEED_WEKA)
    return frozenset(gardees | ({empreinte(s) for s in suites(complet)} if complet else set()))


def test_les_empreintes_weka_viennent_du_texte_source():
    complet = SEEDS_COMPLETS / Path(SEED_WEKA).name
    if not complet.is_file():
        pytest.skip(f"texte source complet absent : {complet}")
    lignes = complet.read_text(encoding="utf-8").splitlines()[404:460]
    gardees = {
        ligne for ligne in EMPREINTES_WEKA.read_text(encoding="utf-8").splitlines() if ligne[:1] != "#"
    }
    assert gardees == {empreinte(s) for s in suites("\n".join(lignes))}


def textes_livres(donnees, chemin: str = "") -> list[tuple[str, str]]:
    """Tous les textes d'une définition (titres, résumé, descriptions, libellés, questions, choix de
    transcription…), sauf la référence de la source, qui cite le titre de l'œuvre."""
    if isinstance(donnees, str):
        return [(chemin, donnees)]
    if isinstance(donnees, dict):
        return [
            t for cle, v in donnees.items() if cle != "source" for t in textes_livres(v, f"{chemin}.{cle}")
        ]
    if isinstance(donnees, list):
        return [t for i, v in enumerate(donnees) for t in textes_livres(v, f"{chemin}[{i}]")]
    return []


def reprises_de_la_source(donnees) -> list[str]:
    weka = _empreintes_weka()
    return [
        f"{chemin} : « {' '.join(suite)} »"
        for chemin, texte in textes_livres(donnees)
        for suite in sorted(suites(texte))
        if empreinte(suite) in weka
    ]


def test_checklist_chaque_point_repond_a_un_point_de_la_source_dans_l_ordre():
    d = definition("checklist-agents")
    assert d.version == 2
    colonnes = {"a_faire": _colonne("✔"), "a_ne_pas_faire": _colonne("✘")}
    assert [s.id for s in d.sections] == list(CHECKLIST_CORRESPONDANCES)
    for section in d.sections:
        source = colonnes[section.id]
        attendus = CHECKLIST_CORRESPONDANCES[section.id]
        assert len(section.items) == len(source) == len(attendus) == 11
        for rang, (item_v2, point_source, (identifiant, terme_source, terme_v2)) in enumerate(
            zip(section.items, source, attendus, strict=True)
        ):
            assert item_v2.id == identifiant, rang
            # Le terme désigne ce point-là de la source et aucun autre de sa colonne : l'appariement est un à un.
            assert [terme_source in p for p in source].count(True) == 1, terme_source
            assert terme_source in point_source, (rang, terme_source)
            assert terme_v2 in item_v2.libelle.casefold(), (identifiant, terme_v2)


def test_aucun_texte_livre_ne_reprend_six_mots_de_la_check_list_weka():
    reprises = [
        f"{fichier.name} {r}"
        for fichier in sorted(DOSSIER_DEFINITIONS.glob("*.yaml"))
        for r in reprises_de_la_source(yaml.safe_load(fichier.read_text(encoding="utf-8")))
    ]
    assert reprises == []


def test_la_recherche_de_reprises_reconnait_un_libelle_de_la_source():
    # Le garde-fou du test précédent : un libellé de la version 1 (le texte de l'éditeur) serait refusé.
    d = yaml.safe_load((DOSSIER_DEFINITIONS / "checklist-agents-v2.yaml").read_text(encoding="utf-8"))
    # Une reprise de six mots suffit, même noyée dans une phrase de Balise.
    d["sections"][1]["items"][0]["libelle"] = "À éviter : déléguer à l'IA la prise de décision finale."
    assert set(reprises_de_la_source(d)) == {
        ".sections[1].items[0].libelle : « déléguer à l ia la prise »",
        ".sections[1].items[0].libelle : « à l ia la prise de »",
        ".sections[1].items[0].libelle : « l ia la prise de décision »",
        ".sections[1].items[0].libelle : « ia la prise de décision finale »",
    }
    # Le nom d'une fonction n'est pas une reprise.
    d["sections"][1]["items"][0]["libelle"] = "Consulter le délégué à la protection des données."
    assert reprises_de_la_source(d) == []


def test_checklist_version_1_n_est_plus_livree():
    assert not (DOSSIER_DEFINITIONS / "checklist-agents-v1.yaml").exists()
    assert [d.version for d in _definitions().values() if d.id == "checklist-agents"] == [2]


def test_checklist_echelle_respect_et_licence():
    d = definition("checklist-agents")
    echelle = d.echelles["respect"]
    assert d.echelle == "respect" and echelle.sans_objet
    assert [(n.valeur, n.libelle) for n in echelle.niveaux] == [(0, "Non respecté"), (1, "Respecté")]
    assert d.seuil_desaccord == 1 and d.visuel == "barres"
    assert d.source.licence.startswith("Formulation de Balise, sous la licence du projet")
    assert "© Éditions WEKA" in d.source.licence and "Tous droits réservés" not in d.source.licence
    assert "Philippe Jacquemoire" in d.source.auteurs
    assert not any("mot pour mot" in choix for choix in d.choix_de_transcription)
    assert not any(i.libelle.startswith(("✔", "✘")) for i in d.items)
    assert "évite" in d.sections[1].description
    assert all(i.questions == ["L'usage examiné respecte-t-il ce point ?"] for i in d.sections[0].items)
    assert all(i.questions == ["L'usage examiné évite-t-il cet écueil ?"] for i in d.sections[1].items)


def test_checklist_source_sous_droits_reserves():
    assert "copyright © éditions weka – tous droits réservés" in seed("checklist-agents")
    assert "philippe jacquemoire" in seed("checklist-agents")


# --- Questionnaire d'expérimentation (seed 002, évaluation de Delibia à Rouen) ------------------------

QUESTIONNAIRE_TERMES = {
    "frequence": "utilisation encore très occasionnelle",
    "gain_temps": "soulignent le gain de temps",
    "fiabilite_sources": "la fiabilité des sources",
    "qualite_productions": "la qualité des productions",
    "besoin_verifier": "le besoin de vérifier et se réapproprier les productions",
    "dependance": "si la solution delibia venait à être retirée",
    "perte_competence": "par crainte de finir par ne plus faire elle-même et perdre en compétence",
    "standardisation": "standardisation des écrits",
    "satisfaction_globale": "mesurer leur satisfaction",
}


def test_questionnaire_consultation_anonyme_sans_texte_libre():
    d = definition("questionnaire-experimentation")
    assert d.consultation and d.agregation == "repartition" and d.visuel == "tableau"
    assert [m.value for m in d.moments] == ["preparation", "bilan"]
    assert {i.type for i in d.items} == {"echelle", "choix"}
    assert [i.id for i in d.items if i.type == "choix"] == ["usages"]
    assert all(i.echelle for i in d.items_notes)  # chaque question notée nomme son échelle
    assert all(re.search(r"\b(vous|votre|vos)\b", q) for q in questions(d))
    assert any("texte libre" in c for c in d.choix_de_transcription)


def test_questionnaire_usages_dans_l_ordre_de_la_source():
    usages = item(definition("questionnaire-experimentation"), "usages").choix
    assert len(usages) == 7
    texte = seed("questionnaire-experimentation")
    position = texte.index("plusieurs usages sont permis par delibia")
    for usage in usages:
        suivante = texte.find(normaliser(usage), position)
        assert 0 <= suivante - position < 300, usage  # dans la même phrase, après l'usage précédent
        position = suivante


def test_questionnaire_questions_tirees_des_constats():
    d = definition("questionnaire-experimentation")
    assert set(QUESTIONNAIRE_TERMES) == {i.id for i in d.items_notes}
    texte = seed("questionnaire-experimentation")
    assert absents(list(QUESTIONNAIRE_TERMES.values()), texte) == []
    assert "un questionnaire a été diffusé le 24 juillet 2024 aux 160 agents utilisateurs de delibia" in texte


# --- Refus du schéma ----------------------------------------------------------------------------------

MINIMALE = """
id: essai
version: 1
titre: Essai
resume: Une définition minimale.
source: {document: seeds/essai.txt, section: Essai, auteurs: Balise, licence: CC-BY-NC 4.0}
moments: [amont]
echelles:
  note:
    niveaux:
      - {valeur: 1, libelle: Bas}
      - {valeur: 2, libelle: Haut}
echelle: note
visuel: barres
sections:
  - id: section
    titre: Section
    items:
      - {id: a, libelle: A}
      - {id: b, libelle: B}
"""


def _donnees() -> dict:
    return yaml.safe_load(MINIMALE)


def _refus(donnees_ou_texte) -> list[str]:
    with pytest.raises(DefinitionInvalide) as exc:
        if isinstance(donnees_ou_texte, str):
            lire_yaml(donnees_ou_texte)
        else:
            valider(donnees_ou_texte)
    assert exc.value.erreurs and str(exc.value) == "; ".join(exc.value.erreurs)
    return exc.value.erreurs


def _contient(erreurs: list[str], *fragments: str) -> bool:
    return any(all(f in e for f in fragments) for e in erreurs)


def test_la_definition_minimale_est_acceptee():
    d = lire_yaml(MINIMALE)
    assert d.code_version == "essai v1" and [i.id for i in d.items] == ["a", "b"]


def test_refus_champ_inconnu():
    donnees = _donnees()
    donnees["couleur"] = "rouge"
    donnees["sections"][0]["items"][0]["libele"] = "faute de frappe"
    erreurs = _refus(yaml.safe_dump(donnees, allow_unicode=True))
    assert _contient(erreurs, "couleur", "champ inconnu")
    assert _contient(erreurs, "sections.0.items.0.libele", "champ inconnu (vérifiez son orthographe)")


def test_refus_champ_obligatoire_absent():
    donnees = _donnees()
    del donnees["titre"]
    assert _contient(_refus(donnees), "titre", "champ obligatoire absent")


def test_refus_identifiant_d_item_en_double():
    donnees = _donnees()
    donnees["sections"].append(
        {"id": "autre", "titre": "Autre", "items": [{"id": "a", "libelle": "Encore A"}]}
    )
    assert _contient(_refus(donnees), "l'identifiant d'item « a » est utilisé deux fois")


def test_refus_identifiant_invalide():
    donnees = _donnees()
    donnees["id"] = "Mon Instrument"
    assert _contient(_refus(donnees), "id", "identifiant invalide")


@pytest.mark.parametrize("valeurs", [[2, 1], [1, 1], [3, 1, 2]])
def test_refus_echelle_non_croissante(valeurs):
    donnees = _donnees()
    donnees["echelles"]["note"]["niveaux"] = [{"valeur": v, "libelle": f"Niveau {v}"} for v in valeurs]
    assert _contient(_refus(donnees), "echelles.note", "distinctes et croissantes")


def test_refus_echelle_inconnue():
    donnees = _donnees()
    donnees["sections"][0]["items"][0]["echelle"] = "absente"
    assert _contient(_refus(donnees), "l'item « a » utilise l'échelle inconnue « absente »")
    donnees = _donnees()
    donnees["echelle"] = "absente"
    assert _contient(_refus(donnees), "l'échelle par défaut « absente » n'est pas définie")


def test_refus_matrice_a_trois_items():
    donnees = _donnees()
    donnees["visuel"] = "matrice"
    assert valider(donnees).visuel == "matrice"  # deux items notés : accepté
    donnees["sections"][0]["items"].append({"id": "c", "libelle": "C"})
    assert _contient(_refus(donnees), "matrice", "exactement deux items notés")


def test_refus_visuel_non_prevu():
    donnees = _donnees()
    donnees["visuel"] = "camembert"
    assert _contient(_refus(donnees), "visuel", "valeur non prévue")


def test_refus_alias_yaml():
    texte = MINIMALE.replace("titre: Essai", "titre: &t Essai").replace(
        "resume: Une définition minimale.", "resume: *t"
    )
    assert _contient(_refus(texte), "les alias YAML (*nom) ne sont pas acceptés")


@pytest.mark.parametrize("texte", ["- id: essai\n- version: 1\n", "simple texte", "42", ""])
def test_refus_yaml_qui_n_est_pas_un_dictionnaire(texte):
    assert _contient(_refus(texte), "la définition doit être un dictionnaire de champs")


def test_refus_yaml_invalide():
    erreurs = _refus("id: essai\nsections: [non fermé\n  titre: x\n")
    assert _contient(erreurs, "le texte n'est pas du YAML valide", "(ligne ")


def test_refus_definition_trop_longue():
    assert _contient(_refus("# " + "x" * 200_001), "définition trop longue")
