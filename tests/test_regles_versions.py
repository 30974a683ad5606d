"""Ce que toutes les versions des règles de qualification tiennent (`regles/qualification-v<N>.yaml`).

Chaque cas d'école donne exactement ses conclusions, ses obligations et (à partir de la v2) leurs
échéances ; chaque question, conclusion et obligation est atteinte par un cas ; un identifiant garde
son sens d'une version à l'autre ou disparaît pour toujours (liste `retires`) ; une version en projet
ne qualifie pas. Le schéma v2 (calendrier nommé, questions-dates, échéances conditionnelles) refuse un
fichier incohérent avec un message en français. Aucun accès à la base de données.
"""

from datetime import date

import pytest

from balise.conformite import moteur
from balise.conformite.regles import ReglesInvalides, en_vigueur, fichiers, lire, version

VERSIONS = sorted(fichiers())
CAS = [(n, cas.nom) for n in VERSIONS for cas in version(n).cas]


def _cas(numero: int, nom: str):
    return next(c for c in version(numero).cas if c.nom == nom)


@pytest.mark.parametrize(("numero", "nom"), CAS)
def test_chaque_cas_donne_exactement_ses_conclusions_obligations_et_echeances(numero, nom):
    regles, cas = version(numero), _cas(numero, nom)
    moteur.verifier(regles, cas.reponses)
    q = moteur.qualifier(regles, cas.reponses, cas.qualifiee_le or regles.mise_a_jour)
    assert q.complete, f"questions sans réponse : {[x.id for x in q.manquantes]}"
    assert set(cas.reponses) == set(q.reponses), "le cas répond à des questions qui ne se posent pas"
    assert sorted(c.conclusion.id for c in q.conclusions) == sorted(cas.conclusions)
    assert sorted(o.obligation.id for o in q.obligations) == sorted(cas.obligations)
    if numero >= 2:
        # À partir de la v2, chaque cas dit la date de chacune de ses obligations.
        assert sorted(cas.echeances) == sorted(cas.obligations), "échéances attendues incomplètes"
    donnees = {o.obligation.id: o.echeance for o in q.obligations}
    assert {o: donnees[o] for o in cas.echeances} == cas.echeances


@pytest.mark.parametrize("numero", VERSIONS)
def test_chaque_question_conclusion_et_obligation_est_atteinte_par_un_cas(numero):
    regles = version(numero)
    posees, conclusions, obligations = set(), set(), set()
    for cas in regles.cas:
        q = moteur.qualifier(regles, cas.reponses, cas.qualifiee_le or regles.mise_a_jour)
        posees |= {x.id for x in q.questions}
        conclusions |= {c.conclusion.id for c in q.conclusions}
        obligations |= {o.obligation.id for o in q.obligations}
    assert [x.id for x in regles.questions if x.id not in posees] == []
    assert [c.id for c in regles.conclusions if c.id not in conclusions] == []
    assert [o.id for o in regles.obligations if o.id not in obligations] == []


@pytest.mark.parametrize("numero", VERSIONS[1:])
def test_un_identifiant_disparu_est_declare_retire_et_ne_revient_jamais(numero):
    precedente, regles = version(numero - 1), version(numero)
    retires = {r.id for r in regles.retires}
    assert sorted(precedente.identifiants - regles.identifiants - retires) == [], (
        "identifiants de la version précédente absents sans être déclarés retirés"
    )
    for ancienne in VERSIONS:
        if ancienne <= numero:
            jamais = {r.id for r in version(ancienne).retires}
            assert sorted(jamais & regles.identifiants) == [], f"identifiant retiré en v{ancienne} réemployé"
    remplacants = {i for r in regles.retires for i in r.remplace_par}
    assert sorted(remplacants - regles.identifiants) == [], "un retrait renvoie à un identifiant inexistant"


def test_les_nouvelles_qualifications_utilisent_la_derniere_version_publiee():
    publiees = [n for n in VERSIONS if version(n).etat == "publiee"]
    assert en_vigueur().version == max(publiees)


# --- Le schéma des versions 2 et suivantes ----------------------------------------------------

MINIMAL_V2 = """
version: 2
etat: projet
titre: Essai
avertissement: Qualification indicative.
mise_a_jour: 2026-12-04
calendrier:
  pivot: {date: 2027-12-02, libelle: Haut risque, references: [{source: ria, article: "art. 113, point c)"}]}
  transition: {date: 2030-08-02, libelle: Transition, references: [{source: ria, article: "art. 111, paragraphe 2"}]}
retires:
  - {id: ancienne, nature: conclusion, remplace_par: [haut_risque], motif: Sens précisé.}
sources:
  ria: {titre: Règlement sur l'IA}
questions:
  - {id: systeme_ia, regime: ai_act, texte: "Système d'IA ?", type: oui_non}
  - {id: mise_en_service, regime: ai_act, texte: "Mis en service le ?", type: date, si: {systeme_ia: oui}}
conclusions:
  - id: haut_risque
    regime: ai_act
    categorie: haut_risque
    libelle: Haut risque
    explication: Obligations du déployeur.
    si: {systeme_ia: oui}
    references: [{source: ria, article: "art. 6, paragraphe 2"}]
  - id: deja_en_service
    regime: ai_act
    libelle: Déjà en service
    explication: Transition.
    si: {mise_en_service: {avant: pivot}}
    references: [{source: ria, article: "art. 111, paragraphe 2"}]
obligations:
  - id: controle_humain
    regime: ai_act
    titre: Contrôle humain
    description: Confier le contrôle à des personnes formées.
    si: {conclusion: haut_risque}
    echeance: {calendrier: pivot, selon: [{si: {conclusion: deja_en_service}, calendrier: transition}]}
    responsable: referent
    references: [{source: ria, article: "art. 26, paragraphe 2"}]
cas:
  - nom: Avant le pivot
    source: essai
    reponses: {systeme_ia: oui, mise_en_service: "2026-03-01"}
    conclusions: [haut_risque, deja_en_service]
    obligations: [controle_humain]
    echeances: {controle_humain: 2030-08-02}
"""


def test_le_fichier_v2_minimal_d_essai_est_valide_et_date_selon_le_calendrier():
    regles = lire(MINIMAL_V2)
    avant = moteur.qualifier(regles, {"systeme_ia": "oui", "mise_en_service": "2026-03-01"})
    pivot = moteur.qualifier(regles, {"systeme_ia": "oui", "mise_en_service": "2027-12-02"})
    assert [o.echeance for o in avant.obligations] == [date(2030, 8, 2)]
    # Le jour même de la date nommée n'est plus « avant » : la transition ne joue pas.
    assert [c.conclusion.id for c in pivot.conclusions] == ["haut_risque"]
    assert [o.echeance for o in pivot.obligations] == [date(2027, 12, 2)]
    motifs = next(c for c in avant.conclusions if c.conclusion.id == "deja_en_service").motifs
    assert [(m.question.id, m.reponse) for m in motifs] == [("mise_en_service", "2026-03-01")]


def test_une_version_en_projet_ne_qualifie_pas():
    assert lire(MINIMAL_V2).etat == "projet"
    assert en_vigueur().etat == "publiee"


@pytest.mark.parametrize(
    ("avant", "apres", "fragment"),
    [
        ("calendrier: pivot, selon", "calendrier: report, selon", "date « report » absente du calendrier"),
        ("{avant: pivot}", "{avant: demain}", "date « demain » absente du calendrier"),
        (
            "{avant: pivot}",
            "{apres: pivot}",
            "s'écrit {avant: <date nommée>} ou {a_partir_du: <date nommée>}",
        ),
        (
            "si: {systeme_ia: oui}\n    references",
            "si: {systeme_ia: {avant: pivot}}\n    references",
            "n'est pas une date",
        ),
        ('mise_en_service: "2026-03-01"', 'mise_en_service: "01/03/2026"', "n'est pas une date AAAA-MM-JJ"),
        (
            'mise_en_service: "2026-03-01"',
            'mise_en_service: "0026-03-01"',
            "doit être comprise entre 1950 et 2100",
        ),
        ("id: deja_en_service", "id: ancienne", "« ancienne » est retiré"),
        ("echeances: {controle_humain", "echeances: {autre", "échéance donnée pour « autre »"),
        ("type: date, si", "type: date, choix: [{valeur: a, libelle: A}], si", "ne propose pas de choix"),
        (
            "echeance: {calendrier: pivot, selon",
            "echeance: {applicable_le: 2027-12-02, calendrier: pivot, selon",
            "par `applicable_le` ou par `calendrier`, pas les deux",
        ),
        (
            'references: [{source: ria, article: "art. 113',
            'references: [{source: rgpd, article: "art. 113',
            "« pivot » cite la source inconnue « rgpd »",
        ),
    ],
)
def test_le_schema_v2_refuse_un_fichier_incoherent(avant, apres, fragment):
    assert avant in MINIMAL_V2
    with pytest.raises(ReglesInvalides) as erreur:
        lire(MINIMAL_V2.replace(avant, apres, 1))
    assert fragment in str(erreur.value)


@pytest.mark.parametrize(
    ("reponse", "fragment"),
    [
        ("2026-02-30", "n'est pas une date AAAA-MM-JJ"),
        (["2026-03-01"], "attend une seule valeur"),
        ("2201-01-01", "doit être comprise entre 1950 et 2100"),
    ],
)
def test_une_reponse_date_impossible_est_refusee_en_francais(reponse, fragment):
    regles = lire(MINIMAL_V2)
    with pytest.raises(moteur.ReponsesInvalides) as erreur:
        moteur.verifier(regles, {"systeme_ia": "oui", "mise_en_service": reponse})
    assert fragment in str(erreur.value)


def test_la_position_ouvre_sur_le_role_la_categorie_et_les_obligations():
    regles = lire(MINIMAL_V2)
    position = moteur.qualifier(regles, {"systeme_ia": "oui", "mise_en_service": "2028-01-01"}).position
    assert position.categorie == "haut_risque"
    assert [c.conclusion.id for c in position.fondee_sur] == ["haut_risque"]
    assert [o.obligation.id for o in position.obligations] == ["controle_humain"]


# --- La question-date dans le questionnaire -------------------------------------------------


@pytest.mark.parametrize(
    ("saisie", "attendu", "erreur"),
    [
        ("2026-03-01", "2026-03-01", None),
        ("01/03/2026", "2026-03-01", None),
        ("31/02/2026", None, "Saisissez une date valide (JJ/MM/AAAA)."),
        ("01/03/1850", None, "doit être comprise entre 1950 et 2100"),
        ("", None, None),
    ],
)
def test_le_questionnaire_lit_une_date_et_refuse_une_date_impossible_en_francais(saisie, attendu, erreur):
    from balise.conformite.forms import QuestionnaireForm

    regles = lire(MINIMAL_V2)
    form = QuestionnaireForm(regles.questions, {"q-systeme_ia": "oui", "q-mise_en_service": saisie})
    if erreur:
        assert not form.is_valid()
        assert erreur in " ".join(form.errors["q-mise_en_service"])
    else:
        assert form.is_valid(), form.errors
        assert form.reponses().get("mise_en_service") == attendu
    assert 'type="date"' in str(form["q-mise_en_service"])
