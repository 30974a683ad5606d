"""Rapprochement des intitulés de poste d'un fichier RH avec les métiers du référentiel national.

Le fichier `tests/donnees/effectifs_desordonnes.csv` imite un export RH réel (noms fictifs) ;
`ATTENDUS` donne, pour chacun de ses intitulés distincts, le métier attendu (None : absent du
référentiel) et le statut minimal exigé. Les deux servent aussi aux tests d'import.
"""

import csv
from pathlib import Path

import pytest

from balise.metiers.correspondance import (
    _ABREVIATIONS,
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
)
from balise.metiers.referentiel import charger

FICHIER = Path(__file__).parent / "donnees" / "effectifs_desordonnes.csv"
COLONNE = "Intitulé du poste"

EXACT, SUR, DOUTEUX, INCONNU = Statut.EXACT, Statut.SUR, Statut.DOUTEUX, Statut.INCONNU
RANG = {INCONNU: 0, DOUTEUX: 1, SUR: 2, EXACT: 3}

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
    "Agent polyvalent des services techniques": (None, INCONNU),
    "Chef d'équipe espaces verts": (None, INCONNU),
    "Secrétaire": (None, INCONNU),
    "Garde champêtre": (None, INCONNU),
    "Agent d'entretien": (None, INCONNU),
    "Secrétaire de mairie": (None, INCONNU),
    "Directeur": (None, INCONNU),
    "Auxiliaire de puériculture": (None, INCONNU),
    '=HYPERLINK("http://x","Agent")': (None, INCONNU),
    "": (None, INCONNU),
}
FAUTES_DE_FRAPPE = {"Chargé d'acceuil", "Jardinnier", "Assitant de gestion RH", "Bibliotécaire"}


def lignes_du_fichier() -> list[dict[str, str]]:
    with FICHIER.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


@pytest.fixture(scope="module")
def apparieur() -> Apparieur:
    return Apparieur(m.metier for m in charger().metiers)


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


@pytest.mark.parametrize("libelle", list(ATTENDUS))
def test_chaque_intitule_du_fichier(apparieur, libelle):
    attendu, minimum = ATTENDUS[libelle]
    resultat = apparieur.apparier(libelle)
    if attendu is None:
        assert resultat.statut in (INCONNU, DOUTEUX), resultat
    else:
        assert resultat.candidats and resultat.candidats[0].libelle == attendu, resultat
        assert RANG[resultat.statut] >= RANG[minimum], resultat


def test_aucune_proposition_sure_n_est_fausse(apparieur):
    """Précision sur tout le fichier : une proposition EXACT ou SUR est toujours le métier attendu."""
    automatiques = 0
    for ligne in lignes_du_fichier():
        resultat = apparieur.apparier(ligne[COLONNE])
        if resultat.statut in (EXACT, SUR):
            automatiques += 1
            assert resultat.candidats[0].libelle == ATTENDUS[ligne[COLONNE]][0], (ligne, resultat)
    # Et le rapprochement sert : l'essentiel du fichier passe sans intervention.
    assert automatiques >= 0.7 * len(lignes_du_fichier())


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
        "Agent d'entretien",
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


def test_deux_metiers_de_meme_forme_restent_a_trancher(apparieur):
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
        assert Apparieur(m.metier for m in charger().metiers).apparier(libelle) == resultat


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
