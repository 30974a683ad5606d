"""Réponses agrégées d'une évaluation (balise/instruments/agregats.py) : ce qui voyage dans un fichier
portable suffit à refaire exactement les résultats de `calcul.calculer` ; des comptes incohérents sont
refusés en français."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balise.instruments import agregats
from balise.instruments.calcul import Cotation, calculer
from balise.instruments.definition import Definition, definitions_livrees
from balise.instruments.models import Profil

LIVREES = {d.id: d for d in definitions_livrees()}
LIBELLES = dict(Profil.choices)


@st.composite
def _cotations(draw, definition: Definition) -> list[agregats.Ligne]:
    """Des évaluateurs de profils tirés au hasard, chacun répondant à une partie des items : notes,
    « sans objet » là où l'échelle le permet, choix, ou cotation laissée vide."""
    lignes = []
    for evaluateur in range(1, draw(st.integers(1, 9)) + 1):
        profil = draw(st.sampled_from(Profil.values))
        items = draw(st.lists(st.sampled_from(definition.items), min_size=1, unique_by=lambda i: i.id))
        for item in items:
            if item.type == "choix":
                choix = tuple(draw(st.lists(st.sampled_from(item.choix), unique=True, max_size=3)))
                lignes.append(agregats.Ligne(evaluateur, profil, item.id, None, False, choix))
                continue
            echelle = definition.echelle_de(item)
            possibles = [("note", n.valeur) for n in echelle.niveaux] + [("vide", None)]
            if echelle.sans_objet:
                possibles.append(("sans_objet", None))
            nature, valeur = draw(st.sampled_from(possibles))
            lignes.append(agregats.Ligne(evaluateur, profil, item.id, valeur, nature == "sans_objet", ()))
    return lignes


def _calcul(definition: Definition, lignes: list[agregats.Ligne]):
    return calculer(
        definition,
        [
            Cotation(li.evaluateur, li.item, li.valeur, li.sans_objet, li.choix, "", LIBELLES[li.profil])
            for li in lignes
        ],
    )


def _aller_retour(definition: Definition, lignes: list[agregats.Ligne]) -> None:
    agregat = agregats.agreger(definition, lignes)
    relu = agregats.Agregat.model_validate_json(agregat.model_dump_json())  # tel qu'il voyage
    depliees = agregats.deplier(definition, relu, LIBELLES)
    assert calculer(definition, depliees) == _calcul(definition, lignes)
    originales = [Cotation(li.evaluateur, li.item, li.valeur) for li in lignes]
    assert sorted(agregats.couples(definition, depliees)) == sorted(agregats.couples(definition, originales))
    assert all(c.evaluateur < 0 and not c.commentaire for c in depliees)


@pytest.mark.parametrize("code", sorted(LIVREES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_agreger_puis_deplier_donne_les_memes_resultats(code, data):
    definition = LIVREES[code]
    _aller_retour(definition, data.draw(_cotations(definition)))


def test_matrice_sans_couple_de_plus():
    """Trois agents : un a noté les deux axes, un seulement « peut », un seulement « veut ». Déplier ne
    doit pas réunir les deux notes isolées en un second point de la matrice."""
    matrice = LIVREES["matrice-inet"]
    lignes = [
        agregats.Ligne(1, "agent", "peut", 1, False, ()),
        agregats.Ligne(1, "agent", "veut", 0, False, ()),
        agregats.Ligne(2, "agent", "peut", 1, False, ()),
        agregats.Ligne(3, "agent", "veut", 1, False, ()),
    ]
    agregat = agregats.agreger(matrice, lignes)
    assert [p.model_dump(mode="json") for p in agregat.points] == [
        {"profil": "agent", "x": 1, "y": 0, "nombre": 1}
    ]
    assert agregats.couples(matrice, agregats.deplier(matrice, agregat, LIBELLES)) == [(1, 0)]


def _agregat(**champs) -> agregats.Agregat:
    base = {
        "profils": [{"profil": "agent", "evaluateurs": 2}],
        "reponses": [{"item": "autonomie", "profil": "agent", "valeur": 3, "sans_objet": False, "choix": [], "nombre": 2}],
        "points": [],
    }  # fmt: skip
    return agregats.Agregat.model_validate({**base, **champs})


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"profils": [{"profil": "agent", "evaluateurs": 1}]}, "a plus de réponses du profil « Agent utilisateur » que ce profil"),
        ({"profils": [{"profil": "agent", "evaluateurs": 3}]}, "3 évaluateurs « Agent utilisateur » annoncés, mais 1 sans"),
        ({"profils": [{"profil": "elu", "evaluateurs": 2}]}, "profil « Agent utilisateur », qui n'a aucun évaluateur"),
        (
            {"reponses": [{"item": "inconnu", "profil": "agent", "valeur": 3, "sans_objet": False, "choix": [], "nombre": 1}]},
            "l'item « inconnu » n'existe pas",
        ),
        ({"points": [{"profil": "agent", "x": 1, "y": 1, "nombre": 1}]}, "pour un instrument qui n'en dessine pas"),
    ],
)  # fmt: skip
def test_comptes_incoherents_refuses(champs, message):
    with pytest.raises(agregats.AgregatIncoherent, match=message):
        agregats.deplier(LIVREES["girouet"], _agregat(**champs), LIBELLES)


def test_point_sans_les_notes_qui_le_font_refuse():
    matrice = LIVREES["matrice-inet"]
    agregat = agregats.Agregat.model_validate(
        {
            "profils": [{"profil": "agent", "evaluateurs": 1}],
            "reponses": [
                {
                    "item": "peut",
                    "profil": "agent",
                    "valeur": 1,
                    "sans_objet": False,
                    "choix": [],
                    "nombre": 1,
                }
            ],
            "points": [{"profil": "agent", "x": 1, "y": 1, "nombre": 1}],
        }  # fmt: skip
    )
    with pytest.raises(agregats.AgregatIncoherent, match="points de la matrice"):
        agregats.deplier(matrice, agregat, LIBELLES)


def test_profil_compte_deux_fois_refuse_a_la_lecture():
    with pytest.raises(ValueError, match="compté deux fois"):
        _agregat(profils=[{"profil": "agent", "evaluateurs": 1}, {"profil": "agent", "evaluateurs": 1}])
