"""Rapprochement des intitulés de poste d'un fichier RH avec les métiers du référentiel national.

Le fichier `tests/donnees/effectifs_desordonnes.csv` imite un export RH réel (noms fictifs) ;
`ATTENDUS` donne, pour chacun de ses intitulés distincts, le métier attendu (None : absent du
référentiel) et le statut minimal exigé. Les deux servent aussi aux tests d'import.
"""

import csv
from pathlib import Path

import pytest
import yaml

from balise.metiers import intitules_locaux
from balise.metiers.correspondance import (
    _ABREVIATIONS,
    CONFIANCE_INTITULE_LOCAL,
    ECART_MINIMAL,
    NOMBRE_DE_CANDIDATS,
    PLANCHER,
    SEUIL_DOUTEUX,
    SEUIL_SUR,
    Appariement,
    Apparieur,
    Candidat,
    Statut,
    _score,
    normaliser,
    regrouper_variantes,
)
from balise.metiers.referentiel import ReferentielLocal, charger
from balise.metiers.services import apparieur_de

FICHIER = Path(__file__).parent / "donnees" / "effectifs_desordonnes.csv"
COLONNE = "Intitulé du poste"

EXACT, SUR, DOUTEUX, INCONNU = Statut.EXACT, Statut.SUR, Statut.DOUTEUX, Statut.INCONNU
RANG = {INCONNU: 0, DOUTEUX: 1, SUR: 2, EXACT: 3}
SECRETAIRE_DE_MAIRIE = "Directeur-trice général-e de collectivité ou d'établissement public"

# Intitulé tel qu'il figure dans le fichier (espaces compris) -> (métier attendu, statut minimal).
# DOUTEUX : fautes de frappe, abréviations, mots manquants ou voisins ; une égalité entre deux métiers.
# None : métier absent du référentiel, jamais SUR (INCONNU ou, au plus, DOUTEUX).
ATTENDUS: dict[str, tuple[str | None, Statut]] = {
    "CHARGE D'ACCUEIL": ("Chargé-e d'accueil", EXACT),
    "chargée d’accueil": ("Chargé-e d'accueil", EXACT),
    "Chargé(e) d'accueil": ("Chargé-e d'accueil", EXACT),
    "Chargé·e d'accueil": ("Chargé-e d'accueil", EXACT),
    "CNFPT - Chargé-e d'accueil": ("Chargé-e d'accueil", EXACT),
    "Chargée  d'accueil ": ("Chargé-e d'accueil", EXACT),
    "Chargé d'acceuil": ("Chargé-e d'accueil", DOUTEUX),
    "Jardinier": ("Jardinier-ère", EXACT),
    "JARDINIERE": ("Jardinier-ère", EXACT),
    "Jardinnier": ("Jardinier-ère", DOUTEUX),
    "CNFPT- Jardinier-ère": ("Jardinier-ère", EXACT),
    "Jardinier(ère)": ("Jardinier-ère", EXACT),
    "Directrice financière": ("Directeur-trice financier-ère", EXACT),
    "Directeur/trice financier/ère": ("Directeur-trice financier-ère", EXACT),
    "Directrice des ressources humaines": ("Directeur-trice des ressources humaines", EXACT),
    "DRH": ("Directeur-trice des ressources humaines", EXACT),
    "Assistante de gestion RH": ("Assistant-e de gestion des ressources humaines", EXACT),
    "Assitant de gestion RH": ("Assistant-e de gestion des ressources humaines", DOUTEUX),
    "07/D/25 - Assistant-e de gestion des ressources humaines": (
        "Assistant-e de gestion des ressources humaines",
        EXACT,
    ),
    "Technicienne poste de travail": ("Technicien-ne poste de travail", EXACT),
    "Technicien(ne) poste de travail": ("Technicien-ne poste de travail", EXACT),
    "Animalière": ("Animalier-ère", EXACT),
    "Animalier": ("Animalier-ère", EXACT),
    "Conseillère en prévention des risques professionnels": (
        "Conseiller-ère en prévention des risques professionnels",
        EXACT,
    ),
    "Conseiller prévention risques pro": ("Conseiller-ère en prévention des risques professionnels", DOUTEUX),
    "Agente de restauration": ("Agent-e de restauration", EXACT),
    "[A3C] Agent de restauration": ("Agent-e de restauration", EXACT),
    "Agent restauration": ("Agent-e de restauration", EXACT),
    "Régisseuse d'œuvres": ("Régisseur-se d'oeuvres", EXACT),
    "Regisseur d'oeuvres": ("Régisseur-se d'oeuvres", EXACT),
    "Directrice de santé publique": ("Directeur ou directrice de santé publique", EXACT),
    "Directeur de la santé publique": ("Directeur ou directrice de santé publique", EXACT),
    "Policier municipal": ("Policier ou policière municipale", EXACT),
    "Policière municipale": ("Policier ou policière municipale", EXACT),
    "Infirmière": ("Infirmier ou infirmière", EXACT),
    "INFIRMIER(E)": ("Infirmier ou infirmière", EXACT),
    "Educatrice de jeunes enfants": ("Educateur ou éducatrice de jeunes enfants", EXACT),
    "Éducateur jeunes enfants": ("Educateur ou éducatrice de jeunes enfants", EXACT),
    "Assistante éducative petite enfance": ("Assistant ou assistante éducatif petite enfance", EXACT),
    "Aide soignante": ("Aide-soignant ou aide-soignante", EXACT),
    "Aide-soignant": ("Aide-soignant ou aide-soignante", EXACT),
    "Cuisinier": ("Cuisinier-ère", EXACT),
    "CUISINIÈRE": ("Cuisinier-ère", EXACT),
    "Chauffeur": ("Chauffeur-euse", EXACT),
    "Chauffeur·euse": ("Chauffeur-euse", EXACT),
    "Bibliothecaire": ("Bibliothécaire", EXACT),
    "CNFPT - Bibliothécaire": ("Bibliothécaire", EXACT),
    "Bibliotécaire": ("Bibliothécaire", DOUTEUX),
    "Archiviste": ("Archiviste", EXACT),
    "Chargée de communication": ("Chargé-e de communication", EXACT),
    "Chargé.e de communication": ("Chargé-e de communication", EXACT),
    "Instructrice gestionnaire des autorisations d'urbanisme": (
        "Instructeur-trice gestionnaire des autorisations d'urbanisme",
        EXACT,
    ),
    "Instructeur des autorisations d'urbanisme": (
        "Instructeur-trice gestionnaire des autorisations d'urbanisme",
        DOUTEUX,
    ),
    "Agent de surveillance de la voie publique": ("Agent de surveillance des voies publiques", EXACT),
    "ASVP": ("Agent de surveillance des voies publiques", EXACT),
    "Contrôleuse de gestion": ("Contrôleur-euse de gestion", EXACT),
    "Acheteuse publique": ("Acheteur-euse public-que", EXACT),
    "Acheteur public": ("Acheteur-euse public-que", EXACT),
    "Ouvrier de maintenance des batiments": ("Ouvrier-ère de maintenance des bâtiments", EXACT),
    "Ouvrière maintenance bâtiment": ("Ouvrier-ère de maintenance des bâtiments", EXACT),
    "Grimpeur élagueur": ("Grimpeur-euse-élagueur-euse", EXACT),
    "Officière d'état-civil": ("Officier-ère d'état civil", EXACT),
    "Coordinatrice enfance jeunesse éducation": ("Coordonnateur-trice enfance-jeunesse-éducation", DOUTEUX),
    "Animatrice enfance jeunesse": ("animateur-trice enfance-jeunesse", EXACT),
    "Animateur enfance-jeunesse": ("animateur-trice enfance-jeunesse", EXACT),
    "Realisateur de dispositifs d'oeuvre d'art": ("Réalisateur de dispositifs d'œuvre d'art", EXACT),
    "Chargée de propreté des locaux": ("Chargé-e de propreté des locaux", EXACT),
    "Déléguée à la protection des données (DPO)": ("Délégué-e à la protection des données", EXACT),
    "Régisseuse de recettes": ("Régisseur-euse de recettes", EXACT),
    # Égalité : « Assistant de direction » et « Assistant-e de direction » sont deux lignes du référentiel.
    "Assistante de direction": ("Assistant de direction", DOUTEUX),
    "Médecin de prévention": ("Médecin de médecine préventive", DOUTEUX),
    "Directrice générale adjointe des services": (
        "Directeur-trice général-e adjoint-e de collectivité ou d'établissement",
        DOUTEUX,
    ),
    "Resp. des affaires juridiques": ("Responsable des affaires juridiques", EXACT),
    "Gestionnaire assurances": ("Gestionnaire des assurances", EXACT),
    "Agent de maintenance des bâtiments": ("Ouvrier-ère de maintenance des bâtiments", DOUTEUX),
    "Educateur sportif": ("animateur-trice-éducateur-trice sportif", DOUTEUX),
    "Assistante administrative": ("Assistant-e de gestion administrative", DOUTEUX),
    "Maître-nageur sauveteur": (None, INCONNU),
    "Électricien": (None, INCONNU),
    # Intitulés locaux courants, absents du référentiel national : rattachés par la table
    # referentiels/intitules-locaux (rapprochement SUR, avec sa raison).
    "Agent polyvalent des services techniques": ("Ouvrier-ère de maintenance des bâtiments", SUR),
    "Chef d'équipe espaces verts": (None, INCONNU),
    "Secrétaire": (None, INCONNU),
    "Garde champêtre": ("Policier ou policière municipale", SUR),
    "Agent d'entretien": ("Chargé-e de propreté des locaux", SUR),
    "Secrétaire de mairie": (SECRETAIRE_DE_MAIRIE, SUR),
    "Directeur": (None, INCONNU),
    "Auxiliaire de puériculture": (None, INCONNU),
    '=HYPERLINK("http://x","Agent")': (None, INCONNU),
    "": (None, INCONNU),
}
# Le tableau inventé d'une commune de 4 000 habitants (40 agents) : intitulés locaux, sigles, fautes de
# frappe (lettres interverties, espace dans un mot), écriture inclusive, et des variantes d'un même
# intitulé inconnu (« Adjoint administratif », « Apprenti espaces verts »).
COMMUNE = Path(__file__).parent / "donnees" / "effectifs_petite_commune.csv"
ATTENDUS_COMMUNE: dict[str, tuple[str | None, Statut]] = {
    "Secrétaire de mairie": (SECRETAIRE_DE_MAIRIE, SUR),
    "Secrétaire générale de mairie": (SECRETAIRE_DE_MAIRIE, SUR),
    "ATSEM": ("Agent-e spécialisé-e des écoles primaires", SUR),
    "A.T.S.E.M.": ("Agent-e spécialisé-e des écoles primaires", SUR),
    "Atsem principale": ("Agent-e spécialisé-e des écoles primaires", SUR),
    "Agent d'accueil polyvalent": ("Chargé-e d'accueil", SUR),
    "Agente d'accueil polyvalente": ("Chargé-e d'accueil", SUR),
    "Agent technique polyvalent": ("Ouvrier-ère de maintenance des bâtiments", SUR),
    "Agent tehcnique polyvalent": ("Ouvrier-ère de maintenance des bâtiments", SUR),
    "Agent polyvalent des services techniques": ("Ouvrier-ère de maintenance des bâtiments", SUR),
    "Agent d'entretien": ("Chargé-e de propreté des locaux", SUR),
    "Agente d'entretein": ("Chargé-e de propreté des locaux", SUR),
    "Cantinière": ("Agent-e de restauration", SUR),
    "Agent de restauration scolaire": ("Agent-e de restauration", SUR),
    "Animateur périscolaire": ("animateur-trice éducatif accompagnement périscolaire", SUR),
    "Animatrice périscolaire": ("animateur-trice éducatif accompagnement périscolaire", SUR),
    "Animateur·rice périscolaire": ("animateur-trice éducatif accompagnement périscolaire", SUR),
    "Garde champêtre": ("Policier ou policière municipale", SUR),
    "Brigadier-chef principal de police municipale": ("Policier ou policière municipale", SUR),
    "Policière municipale": ("Policier ou policière municipale", EXACT),
    "Agent de l'état civil": ("Officier-ère d'état civil", SUR),
    "Jardinier·e": ("Jardinier-ère", EXACT),
    "Jradinier": ("Jardinier-ère", SUR),
    "Agent des espaces verts": ("Jardinier-ère", SUR),
    "Agent de voirie": ("Agent-e d'exploitation et d'entretien de la voirie et des réseaux divers", SUR),
    "Comptable": ("Assistant-e de gestion financière, budgétaire ou comptable", SUR),
    "Chargé·e d'accueil": ("Chargé-e d'accueil", EXACT),
    "Biblio thécaire": ("Bibliothécaire", SUR),
    "Agent d'urbanisme": ("Instructeur-trice gestionnaire des autorisations d'urbanisme", SUR),
    "Chauffeur de car scolaire": ("Conducteur-trice de véhicule lourd", SUR),
    "Auxiliaire de puériculture": (None, INCONNU),
    "Adjoint administratif": (None, INCONNU),
    "Adjoint adminsitratif": (None, INCONNU),
    "Apprenti espaces verts": (None, INCONNU),
    "Aprenti espaces verts": (None, INCONNU),
    "Apprenti espace vert": (None, INCONNU),
    "Agent social": (None, INCONNU),
}
FAUTES_DE_FRAPPE = {"Chargé d'acceuil", "Jardinnier", "Assitant de gestion RH", "Bibliotécaire"}


def lignes_du_fichier() -> list[dict[str, str]]:
    with FICHIER.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def apparieur_national() -> Apparieur:
    """Comme au traitement d'un import : référentiel national, niveaux et intitulés locaux."""
    return apparieur_de(ReferentielLocal(charger(), []))


@pytest.fixture(scope="module")
def apparieur() -> Apparieur:
    return apparieur_national()


@pytest.fixture(autouse=True)
def _normalisation_recalculee():
    # `normaliser` garde ses résultats (lru_cache) : sans cela, un test rejoué dans un processus qui
    # les a déjà calculés (mutmut) ne verrait pas une règle de normalisation changée.
    normaliser.cache_clear()


# --- normaliser --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("libelle", "forme"),
    [
        ("CNFPT - Chargé-e d'accueil", "charge accueil"),
        ("Directeur ou directrice de santé publique", "directeur sante public"),
        (
            "Directeur-trice général-e adjoint-e de collectivité ou d'établissement",
            "directeur general adjoint collectivite etablissement",
        ),
        ("Régisseur-se d'oeuvres", "regisseur oeuvre"),
        ("Réalisateur de dispositifs d'œuvre d'art", "realisateur dispositif oeuvre art"),
        ("Aide-soignant ou aide-soignante", "aide soignant"),
        (
            "animateur ou animatrice de relais assistantes ou assistants maternels",
            "animateur relais assistant maternel",
        ),
        ("Grimpeur-euse-élagueur-euse", "grimpeur elagueur"),
        ("Acheteur-euse public-que", "acheteur public"),
        ("Concepteur-trice - Développeur-euse", "concepteur developpeur"),
        ("Assistante de gestion RH", "assistant gestion ressource humaine"),
        ("Déléguée à la protection des données (DPO)", "delegue protection donnee"),
        ("  Jardinier  ", "jardinier"),
        ("", ""),
        ("CNFPT - ", ""),
    ],
)
def test_normaliser(libelle, forme):
    assert normaliser(libelle) == forme


@pytest.mark.parametrize(
    "variantes",
    [
        [
            "Chargé-e d'accueil",
            "CHARGE D'ACCUEIL",
            "chargée d’accueil",
            "Chargé(e) d'accueil",
            "Chargé (e) d'accueil",
            "Chargé.e d'accueil",
            "Chargé·e d'accueil",
            "Chargée d'accueil",
            "Chargé d'accueil",
            "Chargé d‘accueil",
            "CNFPT- Chargé-e d'accueil",
            "RIME - Chargé-e d'accueil",
            "07/D/25 - Chargé-e d'accueil",
            "[A3C] Chargé-e d'accueil",
            "Chargé-e  d'accueil.",
            "Chargé-e de l'accueil",
        ],
        [
            "Directeur-trice financier-ère",
            "Directrice financière",
            "Directeur/trice financier/ère",
            "Directeur / Directrice financier",
            "Directeur(trice) financier(ère)",
            "DIRECTEUR FINANCIER",
        ],
        [
            "Technicien-ne poste de travail",
            "Technicienne poste de travail",
            "Technicien(ne) poste de travail",
            "Technicien·ne poste de travail",
        ],
        ["Animalier-ère", "Animalière", "Animalier", "Animalier(ère)"],
        ["Conseiller-ère en organisation", "Conseillère en organisation", "Conseiller en organisation"],
        ["Régisseur-se d'oeuvres", "Régisseuse d'œuvres", "Regisseur d'Œuvres", "Régisseur·euse d'oeuvres"],
        [
            "Agent-e de restauration",
            "Agente de restauration",
            "Agent(e) de restauration",
            "AGENT RESTAURATION",
        ],
        ["Policier ou policière municipale", "Policier municipal", "Policière municipale"],
        [
            "Infirmier ou infirmière",
            "Infirmière",
            "INFIRMIER(E)",
            "Infirmier/Infirmière",
            "Infirmier(e)s",
            "Infirmier·e·s",
            "Infirmier.e.s",
        ],
        ["Agent de surveillance des voies publiques", "Agent de surveillance de la voie publique", "ASVP"],
    ],
)
def test_les_variantes_ont_la_meme_forme(variantes):
    assert {normaliser(v) for v in variantes} == {normaliser(variantes[0])}


def test_les_mots_voisins_restent_distincts():
    assert normaliser("Directeur") != normaliser("Directeur-trice financier-ère")
    assert normaliser("Chargé-e d'accueil") != normaliser("Chargé-e d'accueil social")
    assert normaliser("Médecin") != normaliser("Médecin de médecine préventive")
    # « Directeur/trice » n'est pas un code de répertoire, « enfance-jeunesse » pas une marque de féminin.
    assert normaliser("Directeur/trice technique") == "directeur technique"
    assert normaliser("Directeur-trice enfance-jeunesse-éducation") == "directeur enfance jeunesse education"


def test_le_referentiel_garde_ses_metiers_distincts():
    metiers = charger().metiers
    formes: dict[str, set[str]] = {}
    for m in metiers:
        assert normaliser(m.metier), m.metier
        assert normaliser(m.libelle_source) == normaliser(m.metier), m.libelle_source
        formes.setdefault(normaliser(m.metier), set()).add(m.metier)
    # Seule collision : deux lignes distinctes de la source (codes CITP 3343 et 4110).
    assert [libelles for libelles in formes.values() if len(libelles) > 1] == [
        {"Assistant de direction", "Assistant-e de direction"}
    ]


def test_les_abreviations_sont_deja_normalisees():
    for developpement in _ABREVIATIONS.values():
        assert normaliser(developpement) == developpement


# --- Le fichier d'essai et ses attendus ----------------------------------------------------------


def test_le_fichier_d_essai():
    lignes = lignes_du_fichier()
    assert 60 <= len(lignes) <= 120
    assert list(lignes[0]) == [
        "Matricule",
        "Nom",
        "Prénom",
        "Intitulé du poste",
        "Catégorie",
        "Filière",
        "Direction",
        "Cadre d'emplois",
        "Sexe",
        "Quotité",
    ]
    assert len({ligne["Matricule"] for ligne in lignes}) == len(lignes)
    # Les attendus couvrent exactement les intitulés du fichier, et ne citent que des métiers du référentiel.
    assert set(ATTENDUS) == {ligne[COLONNE] for ligne in lignes}
    references = {m.metier for m in charger().metiers}
    assert {attendu for attendu, _ in ATTENDUS.values() if attendu} <= references
    assert '=HYPERLINK("http://x","Agent")' in ATTENDUS and "" in ATTENDUS


def verifier_attendu(apparieur: Apparieur, libelle: str, attendus: dict) -> None:
    attendu, minimum = attendus[libelle]
    resultat = apparieur.apparier(libelle)
    if attendu is None:
        assert resultat.statut in (INCONNU, DOUTEUX), resultat
    else:
        assert resultat.candidats and resultat.candidats[0].libelle == attendu, resultat
        assert RANG[resultat.statut] >= RANG[minimum], resultat


def automatiques_justes(apparieur: Apparieur, libelles: list[str], attendus: dict) -> int:
    """Le nombre de lignes rattachées sans revue ; chacune l'est au métier attendu (précision)."""
    automatiques = 0
    for libelle in libelles:
        resultat = apparieur.apparier(libelle)
        if resultat.statut in (EXACT, SUR):
            automatiques += 1
            assert resultat.candidats[0].libelle == attendus[libelle][0], (libelle, resultat)
    return automatiques


@pytest.mark.parametrize("libelle", list(ATTENDUS))
def test_chaque_intitule_du_fichier(apparieur, libelle):
    verifier_attendu(apparieur, libelle, ATTENDUS)


def test_aucune_proposition_sure_n_est_fausse(apparieur):
    """Précision sur tout le fichier : une proposition EXACT ou SUR est toujours le métier attendu."""
    libelles = [ligne[COLONNE] for ligne in lignes_du_fichier()]
    # Et le rapprochement sert : l'essentiel du fichier passe sans intervention (77 % avant l'issue 15).
    assert automatiques_justes(apparieur, libelles, ATTENDUS) >= 0.84 * len(libelles)


def test_les_fautes_de_frappe_sont_retrouvees(apparieur):
    for libelle in FAUTES_DE_FRAPPE:
        resultat = apparieur.apparier(libelle)
        assert resultat.statut in (SUR, DOUTEUX) and resultat.candidats[0].libelle == ATTENDUS[libelle][0]


# --- Garde-fous ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "libelle",
    [
        "Directeur",
        "Directrice",
        "Responsable",
        "Agent",
        "Chargé de mission",
        "Maître-nageur sauveteur",
        "Secrétaire",
        "Gardien d'immeuble",
        "Sapeur-pompier",
    ],
)
def test_un_intitule_vague_ou_absent_n_est_jamais_sur(apparieur, libelle):
    assert apparieur.apparier(libelle).statut in (INCONNU, DOUTEUX)


def test_directeur_seul_ne_devient_pas_directeur_financier(apparieur):
    resultat = apparieur.apparier("Directeur")
    assert resultat.statut == INCONNU and resultat.confiance < SEUIL_DOUTEUX


def test_policier_municipal_est_au_referentiel(apparieur):
    # « Policier ou policière municipale » (CITP 5413) est l'un des 210 métiers : le rapprochement est exact.
    resultat = apparieur.apparier("Policier municipal")
    assert resultat == Appariement(EXACT, 100, (Candidat("Policier ou policière municipale", 100),))


@pytest.mark.parametrize("libelle", ["", "   ", "CNFPT - ", "[A3C]", "-", "(e)"])
def test_un_intitule_vide_est_inconnu(apparieur, libelle):
    assert apparieur.apparier(libelle) == Appariement(INCONNU, 0, ())


# --- Égalités ------------------------------------------------------------------------------------


def test_deux_metiers_de_meme_forme_restent_a_trancher():
    # Sans les niveaux, deux libellés de même forme sont deux choix.
    apparieur = Apparieur(m.metier for m in charger().metiers)
    resultat = apparieur.apparier("Assistante de direction")
    assert resultat.statut == DOUTEUX and resultat.confiance < SEUIL_SUR
    assert resultat.candidats == (
        Candidat("Assistant de direction", 100),
        Candidat("Assistant-e de direction", 100),
    )
    # Même forme exacte que les deux : le libellé tel quel n'en choisit pas un.
    assert apparieur.apparier("Assistant-e de direction").statut == DOUTEUX
    # Une faute de frappe les laisse à égalité aussi.
    faute = apparieur.apparier("Assistante de directoin")
    assert faute.statut == DOUTEUX and faute.candidats[0].score == faute.candidats[1].score


def test_meme_forme_et_meme_niveau_font_un_seul_choix(apparieur):
    # « Assistant de direction » (3343) et « Assistant-e de direction » (4110) : même forme, même
    # niveau « Concernés » ; le résultat de l'analyse est le même, un seul choix suffit.
    niveaux = {m.metier: m.niveau for m in charger().metiers}
    assert niveaux["Assistant de direction"] == niveaux["Assistant-e de direction"]
    assert apparieur.apparier("Assistante de direction") == Appariement(
        EXACT, 100, (Candidat("Assistant de direction", 100),)
    )
    assert apparieur.apparier("Assistante de directoin").candidats[0].libelle == "Assistant de direction"
    # Même forme, niveaux différents : toujours à trancher.
    deux = Apparieur(
        ["Agent-e de voirie", "Agent de voirie"], {"Agent-e de voirie": "A", "Agent de voirie": "B"}
    )
    assert deux.apparier("agent de voirie").statut == DOUTEUX
    un = Apparieur(
        ["Agent-e de voirie", "Agent de voirie"], {"Agent-e de voirie": "A", "Agent de voirie": "A"}
    )
    assert un.apparier("agent de voirie") == Appariement(EXACT, 100, (Candidat("Agent-e de voirie", 100),))


def test_une_egalite_approchee_n_est_pas_sure():
    apparieur = Apparieur(["Agent d'entretien de la voirie sud", "Agent d'entretien de la voirie est"])
    resultat = apparieur.apparier("Agent d'entretien de la voirie")
    assert resultat.candidats[0].score == resultat.candidats[1].score >= SEUIL_SUR
    assert resultat.statut == DOUTEUX and resultat.confiance < SEUIL_SUR
    # Sans rival, le même score suffit au statut SUR.
    seul = Apparieur(["Agent d'entretien de la voirie sud", "Jardinier"]).apparier(
        "Agent d'entretien de la voirie"
    )
    assert seul.statut == SUR and seul.candidats == (
        Candidat("Agent d'entretien de la voirie sud", resultat.candidats[0].score),
    )


def test_le_doublon_du_referentiel_ne_fait_pas_d_egalite(apparieur):
    resultat = apparieur.apparier("Directrice de santé publique")
    assert resultat == Appariement(EXACT, 100, (Candidat("Directeur ou directrice de santé publique", 100),))


def test_les_ajouts_de_l_organisation_sont_appariés():
    libelles = [m.metier for m in charger().metiers] + ["Maître-nageur sauveteur"]
    resultat = Apparieur(libelles).apparier("MAITRE NAGEUR-SAUVETEUR")
    assert resultat.statut == EXACT and resultat.candidats[0].libelle == "Maître-nageur sauveteur"


# --- Forme des résultats -------------------------------------------------------------------------


def test_forme_des_resultats(apparieur):
    libelles = list(ATTENDUS) + ["Chargé de mission", "Technicien", "Responsable de service"]
    for libelle in libelles:
        resultat = apparieur.apparier(libelle)
        scores = [c.score for c in resultat.candidats]
        assert len(scores) <= NOMBRE_DE_CANDIDATS and scores == sorted(scores, reverse=True)
        assert all(PLANCHER <= s <= 100 for s in scores) and 0 <= resultat.confiance <= 100
        if resultat.statut == EXACT:
            assert resultat.confiance == 100
        elif resultat.statut == SUR:
            assert resultat.confiance >= SEUIL_SUR and scores[0] - (scores[1:] or [0])[0] >= ECART_MINIMAL
        elif resultat.statut == DOUTEUX:
            assert SEUIL_DOUTEUX <= resultat.confiance < SEUIL_SUR
        else:
            assert resultat.confiance < SEUIL_DOUTEUX
        # Même réponse d'un apparieur à l'autre.
        assert apparieur_national().apparier(libelle) == resultat


# --- Frontières des seuils ------------------------------------------------------------------------
# Chaînes sans mots du métier, pour que `_score` tombe exactement sur une valeur voulue
# (fuzz.ratio = 2 × lettres communes / longueur totale ; la normalisation les laisse telles quelles).
REQUETE = "abcdefghijklmnopqrst"
A_90, A_85, A_70 = "abcdefphijklmnbpqrst", "lbcfefgfijklmnopqrst", "abcdefghigkltbppnkst"


def test_les_seuils_sont_atteints_a_egalite():
    assert [_score(REQUETE, x) for x in (A_90, A_85, A_70)] == [SEUIL_SUR, SEUIL_SUR - 5, SEUIL_DOUTEUX]
    assert Apparieur([A_90]).apparier(REQUETE) == Appariement(SUR, SEUIL_SUR, (Candidat(A_90, 90),))
    assert Apparieur([A_70]).apparier(REQUETE) == Appariement(DOUTEUX, SEUIL_DOUTEUX, (Candidat(A_70, 70),))
    # Un écart d'exactement ECART_MINIMAL avec le second suffit au statut SUR.
    assert ECART_MINIMAL == 5
    assert Apparieur([A_85, A_90]).apparier(REQUETE) == Appariement(
        SUR, SEUIL_SUR, (Candidat(A_90, 90), Candidat(A_85, 85))
    )


def test_tous_les_libelles_sont_classes_pas_seulement_les_cinq_meilleurs():
    # Sept libellés au même score arrondi (86) : les trois premiers du référentiel sont proposés, même
    # si rapidfuzz classe cinq des autres un peu plus haut avant arrondi (86,49 contre 85,71).
    bas = ["abbcdecgphijklmnmpqrst", "abbcdedghijklmndpqrdst"]
    hauts = [
        "abbdeghijlmopqrst",
        "abccegijklmnopqrt",
        "abcdbfghjklmnopst",
        "abcdbfgijmnopqrst",
        "abcdbijklmnopqrst",
    ]
    assert {_score(REQUETE, x) < _score(REQUETE, hauts[0]) for x in bas} == {True}
    resultat = Apparieur(bas + hauts).apparier(REQUETE)
    assert resultat == Appariement(
        DOUTEUX, 86, (Candidat(bas[0], 86), Candidat(bas[1], 86), Candidat(hauts[0], 86))
    )


def test_l_ordre_des_mots_n_empeche_pas_l_appariement():
    # `fuzz.ratio` seul donne 64 : c'est `token_sort_ratio` qui reconnaît les mêmes mots dans un autre ordre.
    resultat = Apparieur(["Chef jardinier", "Jardinier"]).apparier("Jardinier chef")
    assert resultat.statut == SUR and resultat.candidats[0] == Candidat("Chef jardinier", 100)


def test_confiance_plafonnee_juste_sous_le_seuil_sur():
    # Quasi-égalité au-dessus du seuil, ou deux libellés de même forme : à trancher, confiance SEUIL_SUR - 1.
    egalite = Apparieur([A_90, "abcdefghijklmnopqrxy"]).apparier(REQUETE)
    assert (egalite.statut, egalite.confiance) == (DOUTEUX, SEUIL_SUR - 1)
    meme_forme = Apparieur(["Agent-e de voirie", "Agent de voirie"]).apparier("agent de voirie")
    assert (meme_forme.statut, meme_forme.confiance) == (DOUTEUX, SEUIL_SUR - 1)
    # Rien au-dessus du plancher, ou rien à comparer : inconnu, confiance nulle (apparieur neuf, sans
    # réponse gardée d'un test précédent).
    assert Apparieur([A_90]).apparier("Jardinier") == Appariement(INCONNU, 0, ())
    assert Apparieur([A_90]).apparier(" - ") == Appariement(INCONNU, 0, ())


# --- Intitulés locaux courants (referentiels/intitules-locaux) ------------------------------------


def lignes_de(chemin: Path) -> list[dict[str, str]]:
    with chemin.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_le_tableau_de_la_petite_commune():
    lignes = lignes_de(COMMUNE)
    assert len(lignes) == 40 and set(ATTENDUS_COMMUNE) == {ligne[COLONNE] for ligne in lignes}
    references = {m.metier for m in charger().metiers}
    assert {attendu for attendu, _ in ATTENDUS_COMMUNE.values() if attendu} <= references


@pytest.mark.parametrize("libelle", list(ATTENDUS_COMMUNE))
def test_chaque_intitule_de_la_petite_commune(apparieur, libelle):
    verifier_attendu(apparieur, libelle, ATTENDUS_COMMUNE)


def test_la_petite_commune_passe_presque_sans_revue(apparieur):
    """Précision et rappel sur les 40 agents : aucune proposition sûre fausse, 80 % sans intervention
    (10 % avant la table des intitulés locaux et la passe des fautes de frappe)."""
    libelles = [ligne[COLONNE] for ligne in lignes_de(COMMUNE)]
    assert automatiques_justes(apparieur, libelles, ATTENDUS_COMMUNE) >= 0.8 * len(libelles)


def test_un_intitule_local_porte_sa_raison(apparieur):
    resultat = apparieur.apparier("Secrétaire de mairie")
    assert resultat.statut == SUR and resultat.confiance == CONFIANCE_INTITULE_LOCAL
    assert resultat.candidats[0].libelle == SECRETAIRE_DE_MAIRIE
    assert "petite commune" in resultat.candidats[0].raison
    # Une faute de frappe dans un intitulé local garde la raison ; un métier national n'en a pas.
    assert apparieur.apparier("Agent tehcnique polyvalent").candidats[0].raison
    assert apparieur.apparier("Jardinier").candidats[0].raison == ""


def test_un_metier_propre_de_meme_forme_l_emporte_sur_l_intitule_local():
    ref = ReferentielLocal(charger(), [("Secrétaire de mairie", "4110", "Concernés")])
    resultat = apparieur_de(ref).apparier("Secretaire de mairie")
    assert resultat == Appariement(EXACT, 100, (Candidat("Secrétaire de mairie", 100),))


def test_la_table_livree_est_valide_et_sourcee():
    alias = intitules_locaux.alias()
    table = intitules_locaux.TableIntitules.model_validate(
        yaml.safe_load(intitules_locaux.FICHIER.read_text("utf-8"))
    )
    assert len(table.intitules) >= 20 and any("CNFPT" in s for s in table.sources)
    for attendu in ("ATSEM", "Secrétaire de mairie", "Garde champêtre", "Agent technique polyvalent"):
        assert normaliser(attendu) in alias, attendu
    assert all(a.raison and "\n" not in a.raison for a in alias.values())


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("intitules: [", "pas du YAML valide"),
        ("id: x\n", "obligatoire"),
    ],
)
def test_une_table_mal_formee_est_refusee_en_francais(tmp_path, texte, message):
    chemin = tmp_path / "intitules.yaml"
    chemin.write_text(texte, "utf-8")
    with pytest.raises(intitules_locaux.TableInvalide) as erreur:
        intitules_locaux.lire(chemin, charger())
    assert any(message in e for e in erreur.value.erreurs), erreur.value.erreurs


def test_une_table_incoherente_est_refusee_avec_chaque_erreur(tmp_path):
    table = yaml.safe_load(intitules_locaux.FICHIER.read_text("utf-8"))
    table["intitules"] = [
        {"intitule": "Garde forestier", "metier": "Métier inventé", "raison": "Une raison assez longue."},
        {"intitule": "Jardinière", "metier": "Jardinier-ère", "raison": "Déjà au référentiel national."},
        {
            "intitule": "ATSEM",
            "variantes": ["Atsem"],
            "metier": "Cuisinier-ère",
            "raison": "Deux fois la même.",
        },
    ]
    chemin = tmp_path / "intitules.yaml"
    chemin.write_text(yaml.safe_dump(table, allow_unicode=True), "utf-8")
    with pytest.raises(intitules_locaux.TableInvalide) as erreur:
        intitules_locaux.lire(chemin, charger())
    assert erreur.value.erreurs == [
        "« Garde forestier » : le métier « Métier inventé » n'est pas au référentiel",
        "« Jardinière » : déjà un métier du référentiel national",
        "« Atsem » : même forme que « ATSEM »",
    ]


# --- Fautes de frappe : la passe dédiée ne rend jamais un rapprochement sûr faux --------------------


def fautes(libelle: str) -> list[str]:
    """Variantes d'un libellé telles que les écrit un fichier RH : deux lettres voisines interverties
    (à chaque place), un espace, un point ou un trait d'union glissés dans un mot, une marque
    d'écriture inclusive détachée."""
    variantes = []
    for i in range(len(libelle) - 1):
        if libelle[i].isalpha() and libelle[i + 1].isalpha() and libelle[i] != libelle[i + 1]:
            variantes.append(libelle[:i] + libelle[i + 1] + libelle[i] + libelle[i + 2 :])
    for i in range(2, len(libelle) - 2, 3):
        if libelle[i - 1].isalpha() and libelle[i].isalpha():
            variantes += [libelle[:i] + sep + libelle[i:] for sep in (" ", ".", "-")]
    mots = libelle.split(" ")
    variantes += [" ".join([mots[0] + suffixe, *mots[1:]]) for suffixe in ("·e", "(e)", ".e", " ·e", "⋅e")]
    return variantes


def test_une_faute_de_frappe_ne_rend_jamais_un_rapprochement_sur_faux(apparieur):
    """L'oracle : pour chaque métier du référentiel et chaque intitulé local, toutes ses variantes
    fautives ; une réponse EXACT ou SUR désigne toujours ce métier (ou son jumeau de même forme et de
    même niveau). Et la passe sert : la plupart des variantes sont rattachées sans revue."""
    niveaux = {m.metier: m.niveau for m in charger().metiers}
    jumeaux = {m: {n for n in niveaux if normaliser(n) == normaliser(m)} for m in niveaux}
    sources = [(m, m) for m in niveaux]
    sources += [(entree.intitule, entree.metier) for entree in _table().intitules]
    surs = total = 0
    for libelle, metier in sources:
        for variante in fautes(libelle):
            resultat = apparieur.apparier(variante)
            total += 1
            if resultat.statut in (EXACT, SUR):
                surs += 1
                assert resultat.candidats[0].libelle in jumeaux.get(metier, {metier}), (variante, resultat)
    assert surs >= 0.85 * total, (surs, total)


def _table() -> intitules_locaux.TableIntitules:
    return intitules_locaux.TableIntitules.model_validate(
        yaml.safe_load(intitules_locaux.FICHIER.read_text("utf-8"))
    )


@pytest.mark.parametrize(
    ("faute", "metier"),
    [
        ("Jradinier", "Jardinier-ère"),  # deux lettres interverties : ratio 89, DOUTEUX avant
        ("Cuisiiner", "Cuisinier-ère"),
        ("Archi viste", "Archiviste"),
        ("Biblio-thécaire", "Bibliothécaire"),
        ("Agent tehcnique polyvalent", "Ouvrier-ère de maintenance des bâtiments"),
    ],
)
def test_passe_des_fautes_de_frappe(apparieur, faute, metier):
    resultat = apparieur.apparier(faute)
    assert resultat.statut == SUR and resultat.candidats[0].libelle == metier, resultat


def test_une_interversion_ambigue_n_est_pas_tranchee():
    # « abcdef » est à une interversion de deux libellés : la passe ne choisit pas, l'approché non plus.
    resultat = Apparieur(["bacdef", "abcdfe"]).apparier("abcdef")
    assert resultat.statut == DOUTEUX and resultat.candidats[0].score == resultat.candidats[1].score
    # Trop court : pas de passe (deux lettres interverties y font souvent un autre mot).
    assert Apparieur(["Agnet"]).apparier("Agent").statut != SUR


@pytest.mark.parametrize(
    "variante",
    [
        "Chargé⋅e d'accueil",
        "Chargé ·e d'accueil",
        "Chargé. e d'accueil",
        "Chargé:e d'accueil",
        "Chargé_e d'accueil",
    ],
)
def test_les_autres_marques_inclusives(variante):
    assert normaliser(variante) == "charge accueil"


# --- Variantes d'un même intitulé inconnu ----------------------------------------------------------


def test_regrouper_les_variantes():
    formes = [
        "adjoint administratif",
        "apprenti espace vert",
        "adjoint adminsitratif",
        "aprenti espace vert",
        "apprenti espacevert",
        "adjoint technique",
        "agent",
        "agnet",
    ]
    assert regrouper_variantes(formes) == {
        "adjoint administratif": "adjoint administratif",
        "adjoint adminsitratif": "adjoint administratif",
        "apprenti espace vert": "apprenti espace vert",
        "aprenti espace vert": "apprenti espace vert",
        "apprenti espacevert": "apprenti espace vert",
        "adjoint technique": "adjoint technique",
        # Trop court pour y voir une faute de frappe.
        "agent": "agent",
        "agnet": "agnet",
    }
    # La tête est la première dans l'ordre donné ; une chaîne de fautes reste un seul groupe.
    assert set(regrouper_variantes(["abcdefgh", "abcdefgi", "abcdefii"]).values()) == {"abcdefgh"}
    assert regrouper_variantes([]) == {}
    # Deux numéros ne sont pas une faute de frappe.
    numeros = ["poste imaginaire numero 01", "poste imaginaire numero 02", "poste imaginaire numero 10"]
    assert regrouper_variantes(numeros) == {f: f for f in numeros}
