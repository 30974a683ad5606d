"""Échéances des mesures (module pur balise/indicateurs/echeances.py) : propriétés et cas d'école."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from balise.indicateurs import echeances as e

FREQUENCES = st.sampled_from(list(e.Frequence))
JOURS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(JOURS, FREQUENCES)
def test_la_periode_contient_le_jour(jour, f):
    debut = e.periode_de(jour, f)
    assert debut.day == 1 and debut <= jour < e.decaler(debut, f)
    assert e.periode_de(debut, f) == debut
    assert e.fin_de_periode(debut, f) >= jour


@given(JOURS, FREQUENCES, JOURS)
def test_prochaine_et_retard(derniere, f, aujourd_hui):
    p = e.periode_de(derniere, f)
    etat = e.etat(f, p, date(2000, 1, 1), aujourd_hui)
    assert etat.periode > p
    assert etat.periode == e.decaler(p, f)
    assert not etat.en_retard or etat.due  # en retard implique due
    assert etat.echeance == e.fin_de_periode(etat.periode, f) + timedelta(days=e.DELAI_SAISIE)
    # Le lendemain ne rend jamais une mesure « moins » due.
    demain = e.etat(f, p, date(2000, 1, 1), aujourd_hui + timedelta(days=1))
    assert demain.due >= etat.due and demain.en_retard >= etat.en_retard


def test_cas_d_ecole():
    assert e.periode_de(date(2025, 5, 17), "trimestrielle") == date(2025, 4, 1)
    assert e.periode_de(date(2025, 8, 1), "semestrielle") == date(2025, 7, 1)
    assert e.decaler(date(2025, 12, 1), "mensuelle") == date(2026, 1, 1)
    etat = e.etat("mensuelle", date(2025, 1, 1), date(2024, 6, 1), date(2025, 2, 28))
    assert etat.periode == date(2025, 2, 1) and not etat.due
    etat = e.etat("mensuelle", date(2025, 1, 1), date(2024, 6, 1), date(2025, 3, 1))
    assert etat.due and not etat.en_retard
    etat = e.etat("mensuelle", date(2025, 1, 1), date(2024, 6, 1), date(2025, 3, 16))
    assert etat.en_retard
    # Sans mesure : la période de la création.
    assert e.etat("annuelle", None, date(2025, 6, 3), date(2025, 7, 1)).periode == date(2025, 1, 1)


@given(st.decimals(allow_nan=False, allow_infinity=False), st.decimals(allow_nan=False, allow_infinity=False))
def test_atteinte_selon_le_sens(v, c):
    assert e.atteinte(v, c, "au_moins") == (v >= c)
    assert e.atteinte(v, c, "au_plus") == (v <= c)
    assert e.atteinte(v, c, "au_moins") or e.atteinte(v, c, "au_plus")
    assert (e.ecart(v, c, "au_moins") == 0) == (v >= c)
    assert e.ecart(Decimal(3), Decimal(5), "au_moins") == 2
