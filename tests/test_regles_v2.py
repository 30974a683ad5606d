"""Les règles de qualification v2 (`balise/conformite/regles/qualification-v2.yaml`, issue 16).

Une pratique interdite est trouvée de quelque côté qu'on y arrive : un oracle écrit ici, point par
point de l'art. 5(1), dit d'après les seules réponses si une pratique interdite est constituée ; des
parcours tirés au hasard dans le questionnaire vérifient que la qualification conclut alors « pratique
interdite », et seulement alors. Le reste : citations exactes de l'annexe III, calendrier, longueur du
questionnaire. Aucun accès à la base de données.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balise.conformite import longueur, moteur
from balise.conformite.categories import GRAVITE
from balise.conformite.regles import version

V1, V2 = version(1), version(2)

# --- L'oracle de l'art. 5(1) ---------------------------------------------------------------------

REPRESSIF = {
    "iii_6a_risque_victime",
    "iii_6b_polygraphe",
    "iii_6c_fiabilite_preuves",
    "iii_6d_risque_infraction",
    "iii_6e_profilage_enquete",
}
TRAVAIL_ENSEIGNEMENT = {
    "iii_3a_acces_affectation",
    "iii_3b_evaluation_acquis",
    "iii_3c_niveau_enseignement",
    "iii_3d_surveillance_examens",
    "iii_4a_recrutement",
    "iii_4b_gestion_travail",
}
ATTRIBUTS_SENSIBLES = {
    "origine",
    "opinions_politiques",
    "syndicat",
    "convictions",
    "vie_orientation_sexuelles",
}


def _liste(reponses, question) -> set[str]:
    valeur = reponses.get(question, [])
    return set(valeur if isinstance(valeur, list) else [valeur])


def points_interdits(r: moteur.Reponses) -> set[str]:
    """Les points de l'art. 5(1) que constituent les réponses, quelle que soit la question qui les porte."""
    points = {f"coche:{p}" for p in _liste(r, "pratique_interdite") - {"aucune"}}
    usages = _liste(r, "usage_annexe_iii")
    exposes = _liste(r, "personnes_exposees")
    if r.get("notation_fondement") == "oui" and r.get("notation_effet") in (
        "contexte_sans_rapport",
        "disproportionne",
    ):
        points.add(
            "c"
        )  # notation sociale : comportement ou personnalité, traitement sans rapport ou disproportionné
    if r.get("risque_infraction_fondement") == "profil_seul":
        points.add("d")  # prédire une infraction sur le seul profil
    if r.get("base_visages_origine") == "moissonnage_non_cible":
        points.add("e")  # base de visages moissonnée sans cible
    emotions = "iii_1c_reconnaissance_emotions" in usages or bool(exposes)
    au_travail_ou_en_classe = bool(
        exposes & {"agents_candidats", "eleves_etudiants"} or usages & TRAVAIL_ENSEIGNEMENT
    )
    if emotions and au_travail_ou_en_classe and r.get("raison_medicale_securite") == "non":
        points.add("f")  # émotions au travail ou à l'école, sans raison médicale ou de sécurité
    if _liste(r, "attributs_deduits") & ATTRIBUTS_SENSIBLES:
        points.add("g")  # catégorisation biométrique qui déduit un attribut sensible
    repressif = r.get("finalite_repressive") == "oui" or bool(usages & REPRESSIF)
    if r.get("biometrie_moment") == "temps_reel" and r.get("espace_accessible_public") == "oui" and repressif:
        points.add("h")  # identification à distance en temps réel, espace public, fins répressives
    return points


# --- Des parcours du questionnaire tirés au hasard ------------------------------------------------

DATES = ["2019-05-01", "2026-08-01", "2027-12-01", "2027-12-02", "2028-08-01", "2028-08-02", "2031-01-01"]


# Les usages de l'annexe III qui ouvrent les recoupements (biométrie, répressif, travail, école) :
# tirés parmi eux seuls, les combinaisons rares (temps réel + usage répressif sans finalité déclarée…)
# sont atteintes en quelques centaines de parcours.
USAGES_DES_RECOUPEMENTS = [
    "iii_1a_identification_distance",
    "iii_1b_categorisation_biometrique",
    "iii_1c_reconnaissance_emotions",
    *sorted(REPRESSIF),
    "iii_3d_surveillance_examens",
    "iii_4b_gestion_travail",
]


@st.composite
def parcours(draw, usages: list[str] | None = None) -> moteur.Reponses:
    """Répond à chaque question qui se pose, dans l'ordre, comme une personne pourrait le faire ;
    `usages` : les usages de l'annexe III parmi lesquels tirer, sans cocher de pratique interdite
    (par défaut, tous les usages et toutes les réponses)."""
    reponses: moteur.Reponses = {}
    while True:
        suivante = next((q for q in moteur.questions_a_poser(V2, reponses) if q.id not in reponses), None)
        if suivante is None:
            return reponses
        if suivante.id == "usage_annexe_iii" and usages:
            reponses[suivante.id] = draw(
                st.lists(st.sampled_from(usages), min_size=1, max_size=3, unique=True)
            )
        elif suivante.id == "pratique_interdite" and usages:
            reponses[suivante.id] = ["aucune"]  # rien de coché : seuls les recoupements peuvent conclure
        elif suivante.type == "choix_multiples":
            reponses[suivante.id] = draw(
                st.lists(st.sampled_from(suivante.valeurs), min_size=1, max_size=3, unique=True)
            )
        elif suivante.type == "date":
            reponses[suivante.id] = draw(st.sampled_from(DATES))
        else:
            reponses[suivante.id] = draw(st.sampled_from(suivante.valeurs))


def _categorie(q: moteur.Qualification) -> str | None:
    return q.position.categorie


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parcours())
def test_une_pratique_interdite_de_quelque_cote_qu_on_y_arrive_donne_le_titre_interdit(reponses):
    verifier_contre_l_oracle(reponses)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parcours(USAGES_DES_RECOUPEMENTS))
def test_sans_case_cochee_les_recoupements_seuls_donnent_le_titre_interdit(reponses):
    verifier_contre_l_oracle(reponses)


def verifier_contre_l_oracle(reponses: moteur.Reponses) -> None:
    q = moteur.qualifier(V2, reponses, date(2026, 12, 4))
    assert q.complete
    points = points_interdits(q.reponses)
    retenues = {c.conclusion.id for c in q.conclusions}
    if points:
        assert _categorie(q) == "interdite", (points, sorted(retenues))
        assert "pratique_interdite_retenue" in retenues
        # Seules l'obligation d'arrêter et la maîtrise de l'IA restent au titre de l'AI Act.
        ai_act = {o.obligation.id for o in q.obligations if o.obligation.regime == "ai_act"}
        assert ai_act <= {"cesser_pratique_interdite", "former_agents_ia"}, ai_act
    else:
        assert _categorie(q) != "interdite", sorted(retenues)


# Le sous-espace des recoupements, parcouru en entier : chaque valeur des questions qui distinguent le
# permis de l'interdit, pour chaque usage (ou couple d'usages) qui les ouvre ; les autres questions
# reçoivent une réponse neutre. Déterministe : ce que les tirages au hasard peuvent manquer est vu ici.
ENUMEREES = {
    "biometrie_moment": None,
    "espace_accessible_public": None,
    "finalite_repressive": None,
    "base_visages_origine": None,
    "attributs_deduits": [["autres_attributs"], ["syndicat"]],
    "personnes_exposees": [["usagers_public"], ["agents_candidats"], ["eleves_etudiants"]],
    "raison_medicale_securite": None,
    "risque_infraction_fondement": None,
    "notation_fondement": None,
    "notation_effet": None,
    "profilage": None,
    "emotions_categorisation": None,
}
ENSEMBLES_D_USAGES = [
    *([u] for u in [*USAGES_DES_RECOUPEMENTS, "aucun"]),
    *(["iii_1a_identification_distance", r] for r in sorted(REPRESSIF)),
    *(["iii_1b_categorisation_biometrique", r] for r in sorted(REPRESSIF)),
    ["iii_1c_reconnaissance_emotions", "iii_4b_gestion_travail"],
    ["iii_1c_reconnaissance_emotions", "iii_3d_surveillance_examens"],
]


def _neutre(question):
    if question.type == "date":
        return "2026-01-01"
    if question.type == "choix_multiples":
        return [next((v for v in ("aucun", "aucune") if v in question.valeurs), question.valeurs[0])]
    return "non" if question.type == "oui_non" else question.valeurs[0]


def _tous_les_parcours(reponses: moteur.Reponses):
    suivante = next((q for q in moteur.questions_a_poser(V2, reponses) if q.id not in reponses), None)
    if suivante is None:
        yield reponses
    elif suivante.id in ENUMEREES:
        for valeur in ENUMEREES[suivante.id] or suivante.valeurs:
            yield from _tous_les_parcours({**reponses, suivante.id: valeur})
    else:
        yield from _tous_les_parcours({**reponses, suivante.id: _neutre(suivante)})


@pytest.mark.parametrize("usages", ENSEMBLES_D_USAGES, ids="+".join)
def test_sur_tout_le_sous_espace_des_recoupements_regles_et_oracle_s_accordent(usages):
    depart = {"systeme_ia": "oui", "pratique_interdite": ["aucune"], "usage_annexe_iii": usages}
    for reponses in _tous_les_parcours(depart):
        verifier_contre_l_oracle(reponses)


@pytest.mark.parametrize(
    ("reponses", "point"),
    [
        # Chaque recoupement, sans rien cocher dans la question des pratiques interdites.
        (
            {
                "biometrie_moment": "temps_reel",
                "espace_accessible_public": "oui",
                "finalite_repressive": "oui",
            },
            "h",
        ),
        ({"base_visages_origine": "moissonnage_non_cible"}, "e"),
        ({"attributs_deduits": ["syndicat"]}, "g"),
        ({"risque_infraction_fondement": "profil_seul"}, "d"),
        ({"notation_fondement": "oui", "notation_effet": "disproportionne"}, "c"),
        ({"personnes_exposees": ["agents_candidats"], "raison_medicale_securite": "non"}, "f"),
    ],
)
def test_l_oracle_reconnait_chaque_point_sans_case_cochee(reponses, point):
    """L'oracle lui-même : sans lui, le test de propriété ne prouverait rien."""
    assert points_interdits({"pratique_interdite": ["aucune"], **reponses}) == {point}


@pytest.mark.parametrize("point", ["c", "d", "e", "f", "g", "h"])
def test_chaque_recoupement_est_atteint_par_un_cas_d_ecole(point):
    """Les parcours au hasard rencontrent rarement certains recoupements : un cas d'école fixe chacun."""
    atteints = [
        cas.nom
        for cas in V2.cas
        if point in points_interdits(cas.reponses)
        and not _liste(cas.reponses, "pratique_interdite") - {"aucune"}
    ]
    assert atteints, f"aucun cas d'école n'atteint le point {point}) par recoupement"
    for nom in atteints:
        cas = next(c for c in V2.cas if c.nom == nom)
        assert _categorie(moteur.qualifier(V2, cas.reponses, date(2026, 12, 4))) == "interdite", nom


def test_la_question_des_emotions_ne_se_cache_pas_derriere_le_type_d_ia():
    """Art. 50(3) : posée quel que soit le « type d'IA » de la fiche."""
    for type_ia in V2.par_question["type_ia"].valeurs:
        reponses = {
            "systeme_ia": "oui",
            "type_ia": type_ia,
            "pratique_interdite": ["aucune"],
            "usage_annexe_iii": ["aucun"],
        }
        assert "emotions_categorisation" in {q.id for q in moteur.questions_a_poser(V2, reponses)}, type_ia


def test_le_profilage_est_demande_des_qu_un_usage_de_l_annexe_iii_est_choisi():
    usages = [v for v in V2.par_question["usage_annexe_iii"].valeurs if v != "aucun"]
    for usage in usages:
        reponses = {"systeme_ia": "oui", "pratique_interdite": ["aucune"], "usage_annexe_iii": [usage]}
        assert "profilage" in {q.id for q in moteur.questions_a_poser(V2, reponses)}, usage


# --- Citations exactes ----------------------------------------------------------------------------

SOUS_POINT = re.compile(r"^annexe_iii_(\d)([a-e]?)_")


@pytest.mark.parametrize(
    "conclusion", [c for c in V2.conclusions if SOUS_POINT.match(c.id)], ids=lambda c: c.id
)
def test_chaque_conclusion_de_l_annexe_iii_cite_son_seul_sous_point(conclusion):
    numero, lettre = SOUS_POINT.match(conclusion.id).groups()
    sous_point = f"annexe III, point {numero}, {lettre})" if lettre else f"annexe III, point {numero}"
    citations = [r.article for r in conclusion.references if "annexe III" in r.article]
    # Une seule citation de l'annexe III, au sous-point près (un considérant peut la suivre).
    assert len(citations) == 1 and re.fullmatch(
        rf"art\. 6, paragraphe 2, (et )?{re.escape(sous_point)}(, et considérant \d+)?", citations[0]
    ), citations


def test_chaque_sous_point_de_l_annexe_iii_a_sa_conclusion():
    options = {
        re.match(r"iii_(\d[a-e]?)_", v).group(1)
        for v in V2.par_question["usage_annexe_iii"].valeurs
        if v != "aucun"
    }
    conclusions = {"".join(SOUS_POINT.match(c.id).groups()) for c in V2.conclusions if SOUS_POINT.match(c.id)}
    assert options == conclusions


def test_chaque_citation_du_reglement_nomme_son_article():
    """Une citation du règlement sur l'IA dit l'article, l'annexe ou le considérant, jamais le seul texte."""
    for element in [*V2.questions, *V2.conclusions, *V2.obligations]:
        for reference in element.references:
            assert reference.source in V2.sources
            if reference.source == "ai_act":
                assert re.match(r"(art\. \d|annexe [IVX]+|considérants? \d)", reference.article), (
                    element.id,
                    reference,
                )


# --- Calendrier -----------------------------------------------------------------------------------


def test_le_calendrier_suit_le_reglement_modifie_et_cite_ses_articles():
    dates = V2.dates
    assert dates["haut_risque_annexe_iii"] == date(2027, 12, 2)
    assert dates["haut_risque_annexe_i"] == date(2028, 8, 2)
    assert dates["transition_autorites_publiques"] == date(2030, 8, 2)
    assert dates["transparence_art50"] == date(2026, 8, 2)
    for nom, d in V2.calendrier.items():
        assert d.references and all(r.source in V2.sources for r in d.references), nom
    # Aucune date du règlement écrite en dur : toutes passent par le calendrier nommé.
    assert [o.id for o in V2.obligations if o.echeance.applicable_le is not None] == []


def test_la_transition_de_l_article_111_depend_de_la_date_de_mise_en_service():
    dates_2030 = {cas.nom for cas in V2.cas for o, d in cas.echeances.items() if d == date(2030, 8, 2)}
    dates_pivot = {cas.nom for cas in V2.cas for o, d in cas.echeances.items() if d == date(2027, 12, 2)}
    assert dates_2030 and dates_pivot
    assert any("date_mise_en_service" in c.reponses for c in V2.cas if c.nom in dates_2030)


# --- Versions et longueur du questionnaire --------------------------------------------------------


def test_les_cas_de_la_v1_gardent_leur_nom_en_v2():
    assert {c.nom for c in V1.cas} <= {c.nom for c in V2.cas}


def test_la_mediane_des_questions_posees_ne_croit_pas_de_plus_de_trois():
    comparaison = longueur.comparer(V1, V2)
    avant, apres = comparaison.medianes
    assert apres - avant <= longueur.ECART_MAXIMAL, (avant, apres)


def test_le_tableau_de_la_documentation_est_a_jour():
    doc = (Path(__file__).parents[1] / "docs" / "conformite.md").read_text(encoding="utf-8")
    attendu = longueur.tableau(longueur.comparer(V1, V2))
    assert attendu in doc, "tableau périmé : lancez .venv/bin/python scripts/questions_par_cas.py"


def test_la_gravite_des_categories_est_celle_des_regles():
    assert [c.value for c in GRAVITE][0] == "interdite"


@pytest.mark.parametrize(
    "derogation",
    ["tache_procedurale", "amelioration_activite_humaine", "detection_ecarts", "tache_preparatoire"],
)
def test_le_profilage_defait_toujours_l_exception_de_l_article_6_3(derogation):
    """Art. 6(3), dernier alinéa : quel que soit l'usage de l'annexe III et l'exception invoquée."""
    usages = [v for v in V2.par_question["usage_annexe_iii"].valeurs if v != "aucun"]
    for usage in usages:
        base = {
            "systeme_ia": "oui",
            "type_ia": "predictive",
            "realisation": "prestataire",
            "pratique_interdite": ["aucune"],
            "usage_annexe_iii": [usage],
            "derogation_6_3": derogation,
        }
        avec = moteur.qualifier(V2, base | {"profilage": "oui"})
        sans = moteur.qualifier(V2, base | {"profilage": "non"})
        assert avec.position.categorie == "haut_risque", usage
        assert "exception_6_3_profilage" in {c.conclusion.id for c in avec.conclusions}, usage
        assert "exception_6_3" in {c.conclusion.id for c in sans.conclusions}, usage
