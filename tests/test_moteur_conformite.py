"""Le moteur de qualification sur un petit jeu de règles écrit ici : conditions, ordre des questions,
réponses devenues sans objet, motifs, échéances, refus des réponses falsifiées."""

from datetime import date

import pytest

from balise.conformite import moteur
from balise.conformite.regles import ReglesInvalides, lire

REGLES = """
version: 1
titre: Règles d'essai
avertissement: Qualification indicative.
mise_a_jour: 2026-11-22
sources:
  ria: {titre: Règlement (UE) 2024/1689, url: "http://data.europa.eu/eli/reg/2024/1689/oj"}
questions:
  - {id: systeme_ia, regime: ai_act, texte: "Est-ce un système d'IA ?", type: oui_non}
  - id: domaine
    regime: ai_act
    texte: Domaine
    type: choix
    choix: [{valeur: emploi, libelle: Emploi}, {valeur: autre, libelle: Autre}]
    si: {systeme_ia: oui}
  - id: usages
    regime: ai_act
    texte: Usages
    type: choix_multiples
    choix: [{valeur: tri, libelle: Tri}, {valeur: entretien, libelle: Entretien}]
    si: {domaine: emploi}
  - {id: donnees_perso, regime: rgpd, texte: "Données personnelles ?", type: oui_non}
conclusions:
  - id: pas_ia
    regime: ai_act
    libelle: Pas un système d'IA
    explication: Hors champ.
    si: {systeme_ia: non}
    references: [{source: ria, article: art. 3(1)}]
  - id: haut_risque
    regime: ai_act
    libelle: Haut risque
    explication: Annexe III.
    si: {tous: [{domaine: emploi}, {usages: [tri]}]}
    references: [{source: ria, article: "annexe III, point 4"}]
  - id: minimal
    regime: ai_act
    libelle: Risque minimal
    explication: Rien de plus.
    si: {systeme_ia: oui, non: {conclusion: haut_risque}}
    references: [{source: ria, article: art. 95}]
obligations:
  - id: maitrise
    regime: ai_act
    titre: Maîtrise de l'IA
    description: Former.
    si: {systeme_ia: oui}
    echeance: {applicable_le: 2025-02-02}
    responsable: referent
    references: [{source: ria, article: art. 4}]
  - id: aipd
    regime: rgpd
    titre: AIPD
    description: Analyse d'impact.
    si: {un_de: [{conclusion: haut_risque}, {donnees_perso: oui}]}
    echeance: {delai_jours: 30, applicable_le: 2026-08-02}
    responsable: dpo
    references: [{source: ria, article: art. 26(9)}]
  - id: information
    regime: rgpd
    titre: Informer les candidats
    description: Informer.
    si: {un_de: [{usages: [entretien]}, {donnees_perso: oui}]}
    echeance: {delai_jours: 30}
    responsable: dpo
    references: [{source: ria, article: art. 26(11)}]
"""


@pytest.fixture(scope="module")
def regles():
    return lire(REGLES)


def _ids(elements) -> list[str]:
    return [
        getattr(e, "id", None) or (e.conclusion.id if hasattr(e, "conclusion") else e.obligation.id)
        for e in elements
    ]


def test_seules_les_questions_utiles_sont_posees(regles):
    assert _ids(moteur.questions_a_poser(regles, {})) == ["systeme_ia", "donnees_perso"]
    assert _ids(moteur.questions_a_poser(regles, {"systeme_ia": "oui"})) == [
        "systeme_ia",
        "domaine",
        "donnees_perso",
    ]
    assert "usages" in _ids(moteur.questions_a_poser(regles, {"systeme_ia": "oui", "domaine": "emploi"}))


def test_une_reponse_devenue_sans_objet_ne_pese_plus(regles):
    # On avait répondu « emploi / tri », puis on corrige : ce n'est pas un système d'IA.
    q = moteur.qualifier(
        regles, {"systeme_ia": "non", "domaine": "emploi", "usages": ["tri"], "donnees_perso": "non"}
    )
    assert [c.conclusion.id for c in q.conclusions] == ["pas_ia"]
    assert q.reponses == {"systeme_ia": "non", "donnees_perso": "non"}
    assert q.obligations == [] and q.complete


def test_conclusions_motifs_et_obligations(regles):
    q = moteur.qualifier(
        regles,
        {"systeme_ia": "oui", "domaine": "emploi", "usages": ["tri", "entretien"], "donnees_perso": "non"},
        qualifiee_le=date(2026, 11, 22),
    )
    assert [c.conclusion.id for c in q.conclusions] == ["haut_risque"]  # « minimal » exclu par la négation
    motifs = q.conclusions[0].motifs
    assert [(m.question.id, m.reponse_affichee) for m in motifs] == [
        ("domaine", "Emploi"),
        ("usages", "Tri, Entretien"),
    ]
    # L'AIPD découle de la conclusion « haut risque » : ses motifs sont les réponses qui la fondent,
    # pas « données personnelles : non », l'autre branche du « un_de », qui n'a rien décidé.
    aipd = next(o for o in q.obligations if o.obligation.id == "aipd")
    assert [m.question.id for m in aipd.motifs] == ["domaine", "usages"]
    echeances = {o.obligation.id: o.echeance for o in q.obligations}
    # La date du texte, ou le délai compté depuis la qualification : la plus tardive des deux.
    assert echeances == {
        "maitrise": date(2025, 2, 2),
        "aipd": date(2026, 12, 22),
        "information": date(2026, 12, 22),
    }


def _motifs(q, ident: str) -> list[str]:
    retenus = [*q.conclusions, *q.obligations]
    return [m.question.id for r in retenus if ident in _ids([r]) for m in r.motifs]


def test_motifs_sans_reponse_devenue_sans_objet(regles):
    # « Emploi, entretien » avait été répondu, puis ce n'est plus un système d'IA : ces réponses ne se
    # posent plus. L'information est due pour les données personnelles, et pour elles seules.
    q = moteur.qualifier(
        regles, {"systeme_ia": "non", "domaine": "emploi", "usages": ["entretien"], "donnees_perso": "oui"}
    )
    assert _motifs(q, "information") == ["donnees_perso"]
    assert _motifs(q, "aipd") == ["donnees_perso"]
    assert _motifs(q, "pas_ia") == ["systeme_ia"]


def test_motifs_d_un_un_de_seulement_les_branches_vraies(regles):
    reponses = {"systeme_ia": "oui", "domaine": "emploi", "usages": ["entretien"], "donnees_perso": "oui"}
    q = moteur.qualifier(regles, reponses)
    assert _motifs(q, "information") == ["usages", "donnees_perso"]  # les deux branches sont vraies
    q = moteur.qualifier(regles, reponses | {"donnees_perso": "non"})
    assert _motifs(q, "information") == ["usages"]


def test_motifs_d_une_negation_les_reponses_qui_la_rendent_vraie(regles):
    # « Risque minimal » : un système d'IA, et pas à haut risque parce que le domaine n'est pas l'emploi
    # (la question des usages ne se pose pas ; son ancienne réponse n'est pas citée).
    q = moteur.qualifier(
        regles, {"systeme_ia": "oui", "domaine": "autre", "usages": ["tri"], "donnees_perso": "non"}
    )
    assert [c.conclusion.id for c in q.conclusions] == ["minimal"]
    assert _motifs(q, "minimal") == ["systeme_ia", "domaine"]
    # Emploi, mais pas de tri : c'est la réponse « usages » qui écarte le haut risque, pas le domaine.
    q = moteur.qualifier(
        regles, {"systeme_ia": "oui", "domaine": "emploi", "usages": ["entretien"], "donnees_perso": "non"}
    )
    assert _motifs(q, "minimal") == ["systeme_ia", "usages"]


def test_conclusions_par_regime_et_message_des_reponses_refusees(regles):
    q = moteur.qualifier(regles, {"systeme_ia": "non", "donnees_perso": "non"})
    assert [c.conclusion.id for c in q.par_regime("ai_act")] == ["pas_ia"] and q.par_regime("rgpd") == []
    with pytest.raises(moteur.ReponsesInvalides) as exc:
        moteur.verifier(regles, {"inventee": "oui", "systeme_ia": "peut-être"})
    assert str(exc.value) == " ".join(exc.value.erreurs) and len(exc.value.erreurs) == 2


def test_qualification_incomplete(regles):
    q = moteur.qualifier(regles, {"systeme_ia": "oui"})
    assert not q.complete
    assert _ids(q.manquantes) == ["domaine", "donnees_perso"]


@pytest.mark.parametrize(
    ("reponses", "message"),
    [
        ({"inventee": "oui"}, "n'existe pas"),
        ({"systeme_ia": "peut-être"}, "n'est pas une réponse possible"),
        ({"usages": "tri"}, "attend une liste"),
        ({"domaine": ["emploi"]}, "attend une seule valeur"),
        ({"usages": ["tri", "<script>"]}, "n'est pas une réponse possible"),
    ],
)
def test_reponses_falsifiees_refusees(regles, reponses, message):
    with pytest.raises(moteur.ReponsesInvalides) as exc:
        moteur.verifier(regles, reponses)
    assert message in " ".join(exc.value.erreurs)


@pytest.mark.parametrize(
    ("remplacer", "par", "message"),
    [
        (
            "si: {systeme_ia: oui}\n  - id: usages",
            "si: {usages: [tri]}\n  - id: usages",
            "n'est posée qu'après",
        ),
        ("si: {systeme_ia: non}", "si: {systeme_ia: peut_etre}", "n'est pas une réponse possible"),
        ("si: {systeme_ia: non}", "si: {conclusion: minimal}", "écrite plus bas"),
        ("{source: ria, article: art. 4}", "{source: inconnue, article: art. 4}", "source inconnue"),
        ("si: {systeme_ia: non}", "si: {question_fantome: oui}", "question inconnue"),
        ("echeance: {applicable_le: 2025-02-02}", "echeance: {}", "date d'application, un délai"),
    ],
)
def test_regles_incoherentes_refusees(remplacer, par, message):
    assert remplacer in REGLES
    with pytest.raises(ReglesInvalides) as exc:
        lire(REGLES.replace(remplacer, par, 1))
    assert message in " ".join(exc.value.erreurs)
