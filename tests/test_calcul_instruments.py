"""Calcul des résultats : valeurs de référence (« golden ») pour chaque instrument livré, versions adaptées,
réponses manquantes ou « sans objet », désaccords entre évaluateurs et entre profils."""

import pytest

from balise.instruments.calcul import Cotation, calculer, penchant
from balise.instruments.definition import definitions_livrees, en_yaml, lire_yaml

LIVREES = {d.id: d for d in definitions_livrees()}


def _notes(evaluateur: int, notes: dict[str, int | None], profil: str = "Agent") -> list[Cotation]:
    return [
        Cotation(evaluateur, item, valeur=v, sans_objet=v is None, profil=profil) for item, v in notes.items()
    ]


def test_girouet_deux_evaluateurs_qui_divergent():
    girouet = LIVREES["girouet"]
    # Un agent voit l'engagement au travail menacé, un encadrant le voit renforcé.
    agent = _notes(1, {"autonomie": 1, "savoir_faire": 2, "sens_du_travail": 1, "reconnaissance": 3}, "Agent")
    encadrant = _notes(
        2, {"autonomie": 4, "savoir_faire": 3, "sens_du_travail": 4, "reconnaissance": 3}, "Encadrement"
    )
    r = calculer(girouet, agent + encadrant)
    engagement, qvct, organisation, managers = r.sections
    assert r.evaluateurs == 2
    assert engagement.score == pytest.approx((2.5 + 2.5 + 2.5) / 3)
    # 2,5 : le milieu exact de l'échelle 1–4, qui n'a pas de niveau médian : ni positif ni négatif.
    assert engagement.penche == "equilibre"
    assert engagement.par_profil == {"Agent": pytest.approx(4 / 3), "Encadrement": pytest.approx(11 / 3)}
    assert engagement.profils_divergents
    assert [i.item.id for i in r.items_en_desaccord] == ["autonomie", "sens_du_travail"]
    assert qvct.score == 3 and not qvct.profils_divergents
    assert organisation.score is None and organisation.penche is None  # personne n'a coté
    assert managers.part is None
    assert r.completude == pytest.approx(8 / 24)


def test_penchant_au_milieu_exact_et_de_part_et_d_autre():
    assert penchant(2.5, 2.5) == "equilibre"
    assert penchant((2.4 + 2.6 + 2.5) / 3, 2.5) == "equilibre"  # arrondi des flottants
    assert penchant(2.5001, 2.5) == "positif" and penchant(2.4999, 2.5) == "negatif"
    assert penchant(0.5, 0.5) == "equilibre"  # une échelle 0–1


def test_girouet_penche_negatif_sous_le_milieu():
    r = calculer(
        LIVREES["girouet"], _notes(1, {"legitimite": 2, "responsabilite": 2, "prise_de_decision": 3})
    )
    managers = r.sections[3]
    assert managers.score == pytest.approx(7 / 3)
    assert managers.penche == "negatif"
    assert managers.part == pytest.approx((7 / 3 - 1) / 3)


def test_sans_objet_et_reponses_absentes_ne_comptent_pas_dans_la_moyenne():
    checklist = LIVREES["checklist-agents"]
    premiers = [i.id for i in checklist.sections[0].items][:3]
    r = calculer(checklist, _notes(1, {premiers[0]: 1, premiers[1]: 0, premiers[2]: None}))
    a_faire = r.sections[0]
    assert a_faire.score == 0.5  # 1 respecté sur 2 notés ; le « sans objet » ne compte pas
    assert a_faire.items[2].sans_objet == 1 and a_faire.items[2].moyenne is None
    assert r.completude == pytest.approx(3 / len(checklist.items))


def test_ponderation_d_une_version_adaptee():
    # Poids 3 pour l'autonomie, écrit en YAML comme le ferait une organisation.
    texte = en_yaml(LIVREES["girouet"]).replace("version: 1", "version: 2", 1)
    debut = texte.index("- id: autonomie")
    texte = texte[:debut] + texte[debut:].replace("poids: 1.0", "poids: 3", 1)
    adaptee = lire_yaml(texte)
    assert adaptee.items[0].poids == 3
    notes = _notes(1, {"autonomie": 4, "savoir_faire": 1, "sens_du_travail": 1})
    assert calculer(LIVREES["girouet"], notes).sections[0].score == pytest.approx(2)
    assert calculer(adaptee, notes).sections[0].score == pytest.approx((4 * 3 + 1 + 1) / 5)


def test_item_retire_par_une_adaptation_est_ignore():
    contenu = LIVREES["girouet"].model_dump()
    del contenu["sections"][0]["items"][0]  # l'autonomie retirée
    contenu["version"] = 2
    adaptee = type(LIVREES["girouet"]).model_validate(contenu)
    r = calculer(adaptee, _notes(1, {"autonomie": 1, "savoir_faire": 4, "sens_du_travail": 4}))
    assert r.sections[0].score == 4
    assert len(r.sections[0].items) == 2


def test_radar_score_par_quadrant():
    radar = LIVREES["radar-decision"]
    notes = {item.id: 4 for item in radar.sections[0].items}  # utilité pleinement favorable
    notes |= {item.id: 1 for item in radar.sections[1].items}  # confiance défavorable
    r = calculer(radar, _notes(1, notes))
    assert [s.section.id for s in r.sections] == ["utilite", "confiance", "frugalite", "capacitante"]
    assert (r.sections[0].score, r.sections[0].part, r.sections[0].penche) == (4, 1, "positif")
    assert (r.sections[1].score, r.sections[1].part, r.sections[1].penche) == (1, 0, "negatif")
    assert r.sections[2].score is None


@pytest.mark.parametrize("code", ["grille-cotation-nord", "boussole-nantes"])
def test_grilles_moyenne_par_section(code):
    definition = LIVREES[code]
    notes = {}
    for n, item in enumerate(definition.items_notes):
        notes[item.id] = 1 + n % 4
    r = calculer(definition, _notes(1, notes) + _notes(2, {i: 4 for i in notes}, "Direction"))
    for section in r.sections:
        attendues = [(notes[i.id] + 4) / 2 for i in section.section.items if i.type == "echelle"]
        poids = [i.poids for i in section.section.items if i.type == "echelle"]
        assert section.score == pytest.approx(
            sum(a * p for a, p in zip(attendues, poids, strict=True)) / sum(poids)
        )


def test_matrice_inet_repartit_les_evaluateurs():
    matrice = LIVREES["matrice-inet"]
    x, y = (i.id for i in matrice.items_notes)
    r = calculer(matrice, _notes(1, {x: 1, y: 0}) + _notes(2, {x: 1, y: 1}) + _notes(3, {x: 0, y: 1}))
    resultats = {i.item.id: i for s in r.sections for i in s.items}
    assert resultats[x].repartition == {0: 1, 1: 2}
    assert resultats[y].desaccord  # seuil 1 sur une échelle 0/1


def test_questionnaire_repartition_et_choix():
    questionnaire = LIVREES["questionnaire-experimentation"]
    usages = next(i for i in questionnaire.items if i.type == "choix")
    note = questionnaire.items_notes[0]
    cotations = [
        Cotation(1, usages.id, choix=(usages.choix[0], usages.choix[2])),
        Cotation(2, usages.id, choix=(usages.choix[0],)),
        Cotation(1, note.id, valeur=questionnaire.echelle_de(note).maximum),
    ]
    r = calculer(questionnaire, cotations)
    resultats = {i.item.id: i for s in r.sections for i in s.items}
    assert resultats[usages.id].choix[usages.choix[0]] == 2
    assert resultats[usages.id].choix[usages.choix[1]] == 0
    assert all(s.score is None for s in r.sections)  # « repartition » : pas de score
    assert resultats[note.id].n == 1


def test_resultat_complet_d_un_item_a_choix_et_d_un_item_note():
    questionnaire = LIVREES["questionnaire-experimentation"]
    usages = next(i for i in questionnaire.items if i.type == "choix")
    note = questionnaire.items_notes[0]
    echelle = questionnaire.echelle_de(note)
    cotations = [
        Cotation(1, usages.id, choix=(usages.choix[0],), profil="Agent", commentaire="Surtout le tri."),
        Cotation(2, usages.id, profil="Encadrement"),
        Cotation(1, note.id, valeur=echelle.minimum, profil="Agent"),
        Cotation(2, note.id, valeur=echelle.minimum + 1, profil="Encadrement"),
    ]
    r = calculer(questionnaire, cotations)
    assert r.definition is questionnaire and r.profils == ["Agent", "Encadrement"]
    # Le choix compte comme une réponse donnée ; 2 évaluateurs × tous les items sont attendus.
    assert r.completude == pytest.approx(3 / (2 * len(questionnaire.items)))
    resultats = {i.item.id: i for s in r.sections for i in s.items}
    choix = resultats[usages.id]
    assert (choix.n, choix.sans_objet, choix.desaccord, choix.par_profil, choix.repartition) == (
        0,
        0,
        False,
        {},
        {},
    )
    assert choix.commentaires == [("Agent", "Surtout le tri.")]
    notee = resultats[note.id]
    assert (notee.minimum, notee.maximum, notee.commentaires, notee.choix) == (
        echelle.minimum,
        echelle.minimum + 1,
        [],
        {},
    )
    attendue = {n.valeur: 0 for n in echelle.niveaux} | {echelle.minimum: 1, echelle.minimum + 1: 1}
    assert notee.repartition == attendue


def test_aucune_cotation():
    r = calculer(LIVREES["girouet"], [])
    assert r.evaluateurs == 0 and r.completude == 0
    assert all(s.score is None for s in r.sections)
    assert not r.items_en_desaccord


# --- Frontières des seuils : l'écart qui atteint le seuil compte, celui juste en dessous non ---------


@pytest.mark.parametrize(("basse", "haute", "desaccord"), [(1, 3, True), (1, 2, False), (2, 3, False)])
def test_desaccord_d_un_item_des_que_l_ecart_atteint_le_seuil(basse, haute, desaccord):
    girouet = LIVREES["girouet"]
    assert girouet.seuil_desaccord == 2
    r = calculer(girouet, _notes(1, {"autonomie": basse}) + _notes(2, {"autonomie": haute}))
    assert r.sections[0].items[0].item.id == "autonomie"
    assert r.sections[0].items[0].desaccord is desaccord


@pytest.mark.parametrize(
    ("agents", "encadrant", "divergents"),
    [
        ([1], 2, True),  # écart 1 : exactement la moitié du seuil (2)
        ([1, 2], 2, False),  # écart 0,5 : en dessous
        ([1, 1, 1, 2], 2, False),  # écart 0,75 : en dessous aussi (un tiers du seuil ne suffit pas)
        ([2], 2, False),
    ],
)
def test_profils_divergents_des_la_moitie_du_seuil(agents, encadrant, divergents):
    girouet = LIVREES["girouet"]
    cotations = [c for i, note in enumerate(agents) for c in _notes(i + 1, {"autonomie": note}, "Agent")]
    cotations += _notes(9, {"autonomie": encadrant}, "Encadrement")
    engagement = calculer(girouet, cotations).sections[0]
    assert engagement.profils_divergents is divergents
    # Le désaccord d'item (seuil entier) n'est pas atteint : seule la règle des profils décide ici.
    assert not engagement.items[0].desaccord
