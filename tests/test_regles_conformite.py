"""Les règles de qualification v1 (`balise/conformite/regles/qualification-v1.yaml`), qui doivent se
rejouer telles quelles après l'arrivée des versions suivantes (tests/test_regles_versions.py vérifie
ce que toutes les versions ont en commun ; tests/test_rejeu_regles.py, le rejeu à l'octet près).

Chaque cas d'école du fichier donne exactement ses conclusions et ses obligations ; chaque question,
conclusion et obligation est atteinte par au moins un cas (un test par chemin) ; les questions ne
sont posées que quand elles comptent ; le schéma refuse un fichier incohérent avec un message en
français. Aucun accès à la base de données.
"""

import itertools
from datetime import date

import pytest

from balise.conformite import moteur
from balise.conformite.regles import ReglesInvalides, fichiers, lire, version
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Realisation, TypeIA

REGLES = version(1)
CAS = {cas.nom: cas for cas in REGLES.cas}
INTERDITES = [
    "manipulation",
    "exploitation_vulnerabilites",
    "notation_sociale",
    "police_predictive",
    "moissonnage_visages",
    "emotions_travail_education",
    "categorisation_biometrique",
    "identification_temps_reel",
]


def _conclusions(reponses) -> list[str]:
    return [c.conclusion.id for c in moteur.qualifier(REGLES, reponses).conclusions]


def _obligations(reponses) -> list[str]:
    return [o.obligation.id for o in moteur.qualifier(REGLES, reponses).obligations]


def _posees(reponses) -> list[str]:
    return [q.id for q in moteur.questions_a_poser(REGLES, reponses)]


# --- Le fichier ---------------------------------------------------------------------------------


def test_le_fichier_v1_se_lit_et_se_presente_comme_indicatif():
    assert REGLES.version == 1 and REGLES.etat == "publiee"
    assert REGLES.avertissement.startswith("Qualification indicative, qui ne constitue pas un avis juridique")
    assert REGLES.mise_a_jour == date(2026, 11, 22)
    assert len(REGLES.cas) >= 12
    assert REGLES.sources["ai_act"].url == "http://data.europa.eu/eli/reg/2024/1689/oj"


def test_les_champs_preremplis_existent_dans_le_registre_avec_les_memes_valeurs():
    for question in REGLES.questions:
        if not question.prerempli:
            continue
        if question.prerempli.startswith("organisation."):
            Organisation._meta.get_field(question.prerempli.split(".", 1)[1])
        else:
            SystemeIA._meta.get_field(question.prerempli)
    par_id = REGLES.par_question
    assert par_id["type_ia"].valeurs == list(TypeIA.values)
    assert sorted(par_id["realisation"].valeurs) == sorted(Realisation.values)


def test_dates_d_application_de_l_article_113():
    par_id = {o.id: o for o in REGLES.obligations}
    assert par_id["former_agents_ia"].echeance.applicable_le == date(2025, 2, 2)
    assert par_id["cesser_pratique_interdite"].echeance.applicable_le == date(2025, 2, 2)
    for obligation in REGLES.obligations:
        if obligation.regime == "ai_act" and obligation.id not in (
            "former_agents_ia",
            "cesser_pratique_interdite",
        ):
            # Haut risque de l'annexe III (art. 6(2), 26, 27, 49), art. 50 et art. 86 : 2 août 2026.
            assert obligation.echeance.applicable_le == date(2026, 8, 2), obligation.id
        if obligation.regime in ("rgpd", "crpa"):
            # Textes déjà en vigueur : un délai compté depuis la qualification, jamais une date.
            assert obligation.echeance.applicable_le is None, obligation.id
            assert obligation.echeance.delai_jours is not None, obligation.id


# --- Les cas d'école -------------------------------------------------------------------------


@pytest.mark.parametrize("nom", list(CAS))
def test_cas_d_ecole_donne_exactement_ses_conclusions_et_ses_obligations(nom):
    cas = CAS[nom]
    moteur.verifier(REGLES, cas.reponses)
    qualification = moteur.qualifier(REGLES, cas.reponses, qualifiee_le=date(2026, 11, 22))
    assert qualification.complete, f"questions sans réponse : {[q.id for q in qualification.manquantes]}"
    assert set(cas.reponses) == set(qualification.reponses), (
        "le cas répond à des questions qui ne se posent pas"
    )
    assert sorted(c.conclusion.id for c in qualification.conclusions) == sorted(cas.conclusions)
    produites = [o.obligation.id for o in qualification.obligations]
    assert set(cas.obligations) <= set(produites), (
        f"obligations attendues absentes : {set(cas.obligations) - set(produites)}"
    )
    assert sorted(produites) == sorted(cas.obligations), "le cas doit lister toutes les obligations produites"


def test_motifs_de_l_aipd_obligatoire_la_seule_raison_qui_l_impose():
    # Le logement social est sur la liste de la CNIL : c'est la raison, et la seule. « Données
    # sensibles : non » et un seul critère européen n'ont rien décidé et ne sont pas des motifs.
    cas = CAS["Tri des dossiers de demande de logement social dans une commune de 40 agents"]
    assert cas.reponses["donnees_sensibles"] == "non" and cas.reponses["criteres_aipd"] == ["usage_innovant"]
    qualification = moteur.qualifier(REGLES, cas.reponses)
    aipd = next(c for c in qualification.conclusions if c.conclusion.id == "aipd_obligatoire")
    assert [(m.question.id, m.reponse) for m in aipd.motifs] == [("liste_cnil", ["logement_social"])]


def test_chaque_cas_qualifie_chaque_regime():
    """Classe AI Act (ou hors champ), rôle, RGPD et droit des algorithmes publics : toujours."""
    classes = {
        "pas_systeme_ia",
        "haut_risque",
        "risque_minimal",
        "transparence_50_1",
        "transparence_50_2",
        "transparence_50_3",
        "transparence_50_4",
    } | {c.id for c in REGLES.conclusions if c.id.startswith("interdit_")}
    roles = {"role_deployeur", "role_fournisseur", "deployeur_devenu_fournisseur"}
    for cas in REGLES.cas:
        retenues = set(cas.conclusions)
        assert retenues & classes, cas.nom
        assert "pas_systeme_ia" in retenues or retenues & roles, cas.nom
        assert retenues & {"donnees_personnelles", "pas_de_donnees_personnelles"}, cas.nom
        assert retenues & {"crpa_mention_explicite", "pas_de_decision_individuelle"}, cas.nom


# --- Un test par chemin ------------------------------------------------------------------------


def test_chaque_conclusion_est_atteinte_par_un_cas():
    atteintes = {c for cas in REGLES.cas for c in _conclusions(cas.reponses)}
    assert [c.id for c in REGLES.conclusions if c.id not in atteintes] == []


def test_chaque_question_est_posee_dans_un_cas():
    posees = {q for cas in REGLES.cas for q in _posees(cas.reponses)}
    assert [q.id for q in REGLES.questions if q.id not in posees] == []


def test_chaque_obligation_est_produite_par_un_cas():
    produites = {o for cas in REGLES.cas for o in _obligations(cas.reponses)}
    assert [o.id for o in REGLES.obligations if o.id not in produites] == []


def test_chaque_valeur_de_choix_est_donnee_dans_un_cas():
    donnees: dict[str, set[str]] = {}
    for cas in REGLES.cas:
        for qid, valeur in cas.reponses.items():
            donnees.setdefault(qid, set()).update(valeur if isinstance(valeur, list) else [valeur])
    manquantes = [
        f"{q.id}={v}"
        for q in REGLES.questions
        for v in q.valeurs
        if v not in donnees.get(q.id, set())
        # Les critères et types de la liste CNIL jouent tous le même rôle : leur combinaison est
        # vérifiée exhaustivement plus bas.
        and q.id not in ("criteres_aipd", "liste_cnil")
    ]
    assert manquantes == []


# --- Seules les questions qui comptent sont posées --------------------------------------------


@pytest.mark.parametrize(
    ("reponses", "posees", "pas_posees"),
    [
        # Pas une IA : ni interdictions, ni annexe III, ni transparence ; RGPD et CRPA restent posés.
        (
            {"systeme_ia": "non"},
            ["realisation", "donnees_personnelles", "decision_individuelle"],
            ["type_ia", "pratique_interdite", "annexe_iii", "interaction_directe"],
        ),
        # Pratique interdite : l'annexe III et la transparence ne se posent plus.
        (
            {
                "systeme_ia": "oui",
                "type_ia": "discriminante",
                "pratique_interdite": ["identification_temps_reel"],
            },
            [],
            ["annexe_iii", "derogation_6_3", "interaction_directe", "emotions_categorisation"],
        ),
        # Hors annexe III : ni exception de l'art. 6(3), ni profilage, ni article 25.
        (
            {
                "systeme_ia": "oui",
                "type_ia": "predictive",
                "pratique_interdite": ["aucune"],
                "annexe_iii": ["aucun"],
            },
            ["interaction_directe"],
            [
                "derogation_6_3",
                "profilage",
                "agents_soumis",
                "art25",
                "genere_contenus",
                "emotions_categorisation",
            ],
        ),
        # Annexe III sans exception invoquée : pas de question de profilage.
        (
            {
                "systeme_ia": "oui",
                "type_ia": "predictive",
                "realisation": "prestataire",
                "pratique_interdite": ["aucune"],
                "annexe_iii": ["emploi"],
                "derogation_6_3": "aucune",
            },
            ["agents_soumis", "art25"],
            ["profilage"],
        ),
        # Exception invoquée : la question du profilage se pose.
        (
            {
                "systeme_ia": "oui",
                "pratique_interdite": ["aucune"],
                "annexe_iii": ["emploi"],
                "derogation_6_3": "tache_preparatoire",
            },
            ["profilage"],
            ["agents_soumis", "art25"],
        ),
        # Développé en interne : l'article 25 (déployeur devenu fournisseur) ne se pose pas.
        (
            {
                "systeme_ia": "oui",
                "realisation": "interne",
                "pratique_interdite": ["aucune"],
                "annexe_iii": ["emploi"],
                "derogation_6_3": "aucune",
            },
            ["agents_soumis"],
            ["art25"],
        ),
        # IA générative : contenus, puis publication, puis relecture.
        (
            {
                "systeme_ia": "oui",
                "type_ia": "generative",
                "pratique_interdite": ["aucune"],
                "genere_contenus": "oui",
                "publication_contenus": ["texte_interet_public"],
            },
            ["genere_contenus", "publication_contenus", "relecture_editoriale"],
            ["emotions_categorisation"],
        ),
        # Pas de données personnelles : ni données sensibles ni critères d'AIPD.
        ({"donnees_personnelles": "non"}, [], ["donnees_sensibles", "criteres_aipd", "liste_cnil"]),
        # Pas de décision individuelle : aucune question du CRPA au-delà.
        (
            {"decision_individuelle": "non"},
            [],
            ["decision_sans_agent", "auto_apprenant", "au_moins_50_agents"],
        ),
        # Un agent décide : la question de l'algorithme auto-apprenant ne se pose pas.
        (
            {"decision_individuelle": "oui", "decision_sans_agent": "non"},
            ["au_moins_50_agents"],
            ["auto_apprenant"],
        ),
    ],
)
def test_seules_les_questions_qui_comptent_sont_posees(reponses, posees, pas_posees):
    ids = _posees(reponses)
    assert [q for q in posees if q not in ids] == []
    assert [q for q in pas_posees if q in ids] == []


def test_une_reponse_a_une_question_qui_ne_se_pose_pas_est_ignoree():
    reponses = {
        "systeme_ia": "oui",
        "type_ia": "predictive",
        "realisation": "prestataire",
        "pratique_interdite": ["notation_sociale"],
        "annexe_iii": ["emploi"],  # ne se pose pas : la pratique est interdite
        "derogation_6_3": "aucune",
    }
    retenues = _conclusions(reponses)
    assert "interdit_notation_sociale" in retenues
    assert "haut_risque" not in retenues and "annexe_iii_4_emploi" not in retenues


# --- Quelques règles de droit vérifiées directement -------------------------------------------


def _haut_risque(point: str, **autres) -> dict:
    return {
        "systeme_ia": "oui",
        "type_ia": "predictive",
        "realisation": "prestataire",
        "pratique_interdite": ["aucune"],
        "annexe_iii": [point],
        "derogation_6_3": "aucune",
        "agents_soumis": "non",
        "art25": ["aucune"],
        "interaction_directe": "non",
        "donnees_personnelles": "non",
        "decision_individuelle": "non",
    } | autres


@pytest.mark.parametrize(
    "derogation",
    ["tache_procedurale", "amelioration_activite_humaine", "detection_ecarts", "tache_preparatoire"],
)
def test_le_profilage_maintient_le_haut_risque_malgre_l_article_6_3(derogation):
    avec = _conclusions(_haut_risque("prestations_publiques", derogation_6_3=derogation, profilage="oui"))
    sans = _conclusions(_haut_risque("prestations_publiques", derogation_6_3=derogation, profilage="non"))
    assert {"haut_risque", "annexe_iii_5a_prestations", "exception_6_3_profilage"} <= set(avec)
    assert "exception_6_3" not in avec
    assert "haut_risque" not in sans and {"exception_6_3", "risque_minimal"} <= set(sans)


def test_infrastructure_critique_sans_aidf_ni_enregistrement_ni_explication():
    """Le point 2 de l'annexe III est exclu des art. 26(11), 27, 49(3) et 86."""
    point_2 = set(_obligations(_haut_risque("infrastructures_critiques")))
    point_4 = set(_obligations(_haut_risque("emploi")))
    exclues = {
        "analyse_impact_droits_fondamentaux",
        "hr_enregistrement_ue",
        "hr_informer_personnes",
        "procedure_explication_art86",
    }
    assert exclues <= point_4
    assert not exclues & point_2
    assert {"hr_utilisation_conforme", "hr_controle_humain", "hr_journaux"} <= point_2


@pytest.mark.parametrize(
    ("art25", "role"),
    [
        (["aucune"], "role_deployeur"),
        (["nom_marque"], "deployeur_devenu_fournisseur"),
        (["modification_substantielle"], "deployeur_devenu_fournisseur"),
        (["changement_destination"], "deployeur_devenu_fournisseur"),
    ],
)
def test_article_25_le_deployeur_devient_fournisseur(art25, role):
    retenues = _conclusions(_haut_risque("emploi", art25=art25))
    roles = {"role_deployeur", "role_fournisseur", "deployeur_devenu_fournisseur"}
    assert set(retenues) & roles == {role}
    assert ("fournisseur_conformite" in _obligations(_haut_risque("emploi", art25=art25))) == (
        role != "role_deployeur"
    )


def test_une_pratique_interdite_ne_laisse_que_l_obligation_d_arreter():
    for pratique in INTERDITES:
        reponses = {
            "systeme_ia": "oui",
            "type_ia": "predictive",
            "realisation": "prestataire",
            "pratique_interdite": [pratique],
            "donnees_personnelles": "oui",
            "donnees_sensibles": "oui",
            "criteres_aipd": ["evaluation_notation", "usage_innovant"],
            "liste_cnil": ["aucun"],
            "decision_individuelle": "oui",
            "decision_sans_agent": "non",
            "au_moins_50_agents": "oui",
        }
        assert _obligations(reponses) == ["former_agents_ia", "cesser_pratique_interdite", "consulter_dpo"], (
            pratique
        )
        assert not {"risque_minimal", "haut_risque"} & set(_conclusions(reponses)), pratique


def _decision(sans_agent: str, auto_apprenant: str | None, sensibles: str) -> dict:
    reponses = {
        "systeme_ia": "non",
        "realisation": "interne",
        "donnees_personnelles": "oui",
        "donnees_sensibles": sensibles,
        "criteres_aipd": ["decision_automatique"],
        "liste_cnil": ["aucun"],
        "decision_individuelle": "oui",
        "decision_sans_agent": sans_agent,
        "au_moins_50_agents": "non",
    }
    if auto_apprenant is not None:
        reponses["auto_apprenant"] = auto_apprenant
    return reponses


@pytest.mark.parametrize(
    ("sans_agent", "auto_apprenant", "sensibles", "attendue"),
    [
        ("non", None, "non", None),
        ("non", None, "oui", None),
        ("oui", "non", "non", "decision_automatisee_encadree"),
        ("oui", "oui", "non", "fondement_exclusif_interdit"),
        ("oui", "non", "oui", "fondement_exclusif_interdit"),
        ("oui", "oui", "oui", "fondement_exclusif_interdit"),
    ],
)
def test_article_47_et_decision_2018_765_dc(sans_agent, auto_apprenant, sensibles, attendue):
    retenues = set(_conclusions(_decision(sans_agent, auto_apprenant, sensibles)))
    assert {"crpa_mention_explicite", "crpa_explication_sur_demande"} <= retenues
    assert "crpa_publication_regles" not in retenues  # moins de 50 agents
    automatiques = {"decision_automatisee_encadree", "fondement_exclusif_interdit"}
    assert retenues & automatiques == ({attendue} if attendue else set())


CRITERES = [
    "evaluation_notation",
    "decision_automatique",
    "surveillance_systematique",
    "donnees_hautement_personnelles",
    "grande_echelle",
    "croisement",
    "personnes_vulnerables",
    "usage_innovant",
    "exclusion_droit",
]


def test_aipd_obligatoire_des_deux_criteres_ou_un_type_de_la_liste_cnil():
    """Toutes les combinaisons des neuf critères, avec et sans données sensibles (qui valent le
    critère « données sensibles ou hautement personnelles »), sur un traitement sans IA."""
    for sensibles, n in itertools.product(["oui", "non"], range(len(CRITERES) + 1)):
        for coches in itertools.combinations(CRITERES, n):
            reponses = {
                "systeme_ia": "non",
                "realisation": "interne",
                "donnees_personnelles": "oui",
                "donnees_sensibles": sensibles,
                "criteres_aipd": list(coches) or ["aucun"],
                "liste_cnil": ["aucun"],
                "decision_individuelle": "non",
            }
            autres = len([c for c in coches if c != "donnees_hautement_personnelles"])
            nombre = autres + (sensibles == "oui" or "donnees_hautement_personnelles" in coches)
            retenues = set(_conclusions(reponses))
            assert ("aipd_obligatoire" in retenues) == (nombre >= 2), (sensibles, coches)
            assert ("aipd_recommandee" in retenues) == (nombre == 1), (sensibles, coches)
            assert ("realiser_aipd" in _obligations(reponses)) == (nombre >= 2), (sensibles, coches)
    for type_liste in REGLES.par_question["liste_cnil"].valeurs:
        reponses = {
            "systeme_ia": "non",
            "realisation": "interne",
            "donnees_personnelles": "oui",
            "donnees_sensibles": "non",
            "criteres_aipd": ["aucun"],
            "liste_cnil": [type_liste],
            "decision_individuelle": "non",
        }
        assert ("aipd_obligatoire" in _conclusions(reponses)) == (type_liste != "aucun"), type_liste


def test_un_systeme_d_ia_avec_des_donnees_personnelles_appelle_au_moins_une_aipd_recommandee():
    reponses = {
        "systeme_ia": "oui",
        "type_ia": "predictive",
        "realisation": "prestataire",
        "pratique_interdite": ["aucune"],
        "annexe_iii": ["aucun"],
        "interaction_directe": "non",
        "donnees_personnelles": "oui",
        "donnees_sensibles": "non",
        "criteres_aipd": ["aucun"],
        "liste_cnil": ["aucun"],
        "decision_individuelle": "non",
    }
    assert {"risque_minimal", "aipd_recommandee", "dpo_a_associer"} <= set(_conclusions(reponses))


# --- Le schéma refuse un fichier incohérent ----------------------------------------------------

MINIMAL = """
version: 1
titre: Règles d'essai
avertissement: Qualification indicative, qui ne constitue pas un avis juridique.
mise_a_jour: 2026-11-22
sources:
  ria: {titre: "Règlement (UE) 2024/1689", url: "http://data.europa.eu/eli/reg/2024/1689/oj"}
questions:
  - {id: systeme_ia, regime: ai_act, texte: "Système d'IA ?", type: oui_non}
  - id: annexe_iii
    regime: ai_act
    texte: Usage
    type: choix_multiples
    choix: [{valeur: emploi, libelle: Emploi}, {valeur: aucun, libelle: Aucun}]
    si: {systeme_ia: oui}
conclusions:
  - id: haut_risque
    regime: ai_act
    libelle: Haut risque
    explication: Annexe III.
    si: {annexe_iii: emploi}
    references: [{source: ria, article: "annexe III, point 4"}]
  - id: minimal
    regime: ai_act
    libelle: Risque minimal
    explication: Rien de plus.
    si: {tous: [{systeme_ia: oui}, {non: {conclusion: haut_risque}}]}
    references: [{source: ria, article: "art. 95"}]
obligations:
  - id: maitrise
    regime: ai_act
    titre: Former les agents
    description: Maîtrise de l'IA.
    si: {systeme_ia: oui}
    echeance: {applicable_le: 2025-02-02}
    responsable: administrateur
    references: [{source: ria, article: "art. 4"}]
cas:
  - nom: Tri des CV
    source: seed 001
    reponses: {systeme_ia: oui, annexe_iii: [emploi]}
    conclusions: [haut_risque]
    obligations: [maitrise]
"""


def test_le_fichier_minimal_d_essai_est_valide():
    regles = lire(MINIMAL)
    assert _ids_conclusions(regles, {"systeme_ia": "oui", "annexe_iii": ["emploi"]}) == ["haut_risque"]


def _ids_conclusions(regles, reponses):
    return [c.conclusion.id for c in moteur.qualifier(regles, reponses).conclusions]


@pytest.mark.parametrize(
    ("avant", "apres", "fragment"),
    [
        ("si: {annexe_iii: emploi}", "si: {annexe_iii_bis: emploi}", "question inconnue « annexe_iii_bis »"),
        (
            "    si: {systeme_ia: oui}\nconclusions:",
            "    si: {systeme_ia: oui, annexe_iii: emploi}\nconclusions:",
            "qui n'est posée qu'après",
        ),
        (
            '- {id: systeme_ia, regime: ai_act, texte: "Système d\'IA ?", type: oui_non}',
            '- {id: systeme_ia, regime: ai_act, texte: "Système d\'IA ?", type: oui_non, si: {annexe_iii: emploi}}',
            "dépend de « annexe_iii », qui n'est posée qu'après",
        ),
        (
            'references: [{source: ria, article: "art. 4"}]',
            'references: [{source: rgpd, article: "art. 35"}]',
            "cite la source inconnue « rgpd »",
        ),
        (
            "reponses: {systeme_ia: oui, annexe_iii: [emploi]}",
            "reponses: {systeme_ia: peut_etre, annexe_iii: [emploi]}",
            "« peut_etre » n'est pas une réponse possible à « systeme_ia »",
        ),
        (
            "reponses: {systeme_ia: oui, annexe_iii: [emploi]}",
            "reponses: {systeme_ia: oui, annexe_iii: [sante]}",
            "« sante » n'est pas une réponse possible à « annexe_iii »",
        ),
        (
            "si: {annexe_iii: emploi}",
            "si: {annexe_iii: sante}",
            "« sante » n'est pas une réponse possible de « annexe_iii »",
        ),
        (
            "si: {annexe_iii: emploi}",
            "si: {conclusion: minimal}",
            "s'appuie sur la conclusion « minimal », écrite plus bas",
        ),
        (
            "    si: {systeme_ia: oui}\nconclusions:",
            "    si: {conclusion: haut_risque}\nconclusions:",
            "une question ne peut pas dépendre d'une conclusion",
        ),
        ("conclusions: [haut_risque]", "conclusions: [interdit]", "conclusion inconnue « interdit »"),
        (
            "echeance: {applicable_le: 2025-02-02}",
            "echeance: {commentaire: bientôt}",
            "une échéance donne une date d'application, un délai, ou les deux",
        ),
        ("version: 1", "version: 1\n  - :", "n'est pas du YAML valide"),
    ],
)
def test_le_schema_refuse_un_fichier_incoherent(avant, apres, fragment):
    assert avant in MINIMAL
    with pytest.raises(ReglesInvalides) as erreur:
        lire(MINIMAL.replace(avant, apres, 1))
    assert fragment in str(erreur.value)


def test_le_schema_refuse_une_reponse_impossible_dans_le_fichier_v1():
    texte = fichiers()[REGLES.version].read_text(encoding="utf-8")
    avant = "      realisation: prestataire\n"
    assert avant in texte
    with pytest.raises(ReglesInvalides) as erreur:
        lire(texte.replace(avant, "      realisation: regie\n", 1))
    assert "« regie » n'est pas une réponse possible à « realisation »" in str(erreur.value)
