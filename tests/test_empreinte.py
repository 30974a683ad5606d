"""Empreinte et coût d'une requête (balise/passerelle/empreinte.py) : tests purs, sans base ni réseau.

Les valeurs attendues sont lues dans les données d'EcoLogits ou recalculées par sa fonction de haut
niveau (`llm_impacts`) : une mise à jour de ses données ne casse pas les tests, une erreur de câblage
(mauvais mix, mauvaises unités, paramètres ignorés) les casse.
"""

import math
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from ecologits.electricity_mix_repository import electricity_mixes
from ecologits.model_repository import ParametersMoE, models
from ecologits.tracers.utils import llm_impacts
from ecologits.utils.range_value import RangeValue

from balise.passerelle import empreinte
from balise.passerelle.empreinte import ZONES, Empreinte, cout_euros, estimer

RACINE = Path(__file__).resolve().parent.parent

# Un modèle ouvert que le dépôt d'EcoLogits décrit chez Hugging Face, sans débit mesuré : servi en
# local, décrit par ses paramètres au catalogue, il doit donner la même énergie.
OUVERT = "mistralai/Mixtral-8x7B-Instruct-v0.1"


def _gwp(zone: str) -> float:
    mix = electricity_mixes.find_electricity_mix(zone)
    assert mix is not None
    return mix.gwp


def _connu(hebergement: str = "france", jetons_sortie: int = 400, latence_s: float = 60.0) -> Empreinte:
    resultat = estimer(
        modele="mistral-small-latest",
        fournisseur_ecologits="mistralai",
        parametres_actifs_milliards=None,
        parametres_totaux_milliards=None,
        jetons_sortie=jetons_sortie,
        latence_s=latence_s,
        hebergement=hebergement,
    )
    assert resultat is not None
    return resultat


def _milieu(valeur: float | RangeValue) -> float:
    return valeur.mean if isinstance(valeur, RangeValue) else float(valeur)


# Zones


def test_zones_existent_dans_les_donnees_d_ecologits() -> None:
    assert ZONES["france"] == "FRA"
    assert ZONES["hors_ue"] == "WOR"
    for zone in ZONES.values():
        assert electricity_mixes.find_electricity_mix(zone) is not None
    # L'agrégat européen est plus carboné que la France, moins que le monde.
    assert _gwp("FRA") < _gwp(ZONES["ue"]) < _gwp("WOR")


def test_hebergement_inconnu_refuse() -> None:
    with pytest.raises(ValueError, match="hébergement inconnu"):
        _connu(hebergement="lune")


# Modèle connu d'EcoLogits


def test_france_meme_energie_moins_de_gaz_qu_hors_ue() -> None:
    france, hors_ue = _connu("france"), _connu("hors_ue")
    assert france.energie_wh == pytest.approx(hors_ue.energie_wh)
    assert france.ges_gco2e < hors_ue.ges_gco2e
    # Seul l'usage dépend du mix (la fabrication est la même) : l'écart vaut l'énergie (Wh) fois
    # l'écart d'intensité des deux mix (kgCO2e/kWh, soit gCO2e/Wh).
    ecart_attendu = france.energie_wh * (_gwp("WOR") - _gwp("FRA"))
    assert hors_ue.ges_gco2e - france.ges_gco2e == pytest.approx(ecart_attendu)
    assert france.zone == "FRA"
    assert france.source == "EcoLogits 0.11.3, mix FRA"
    assert france.estimee is True


def test_mix_suit_l_hebergement_pas_le_centre_du_fournisseur() -> None:
    # Mistral a par défaut un centre en Suède ; servi en France, c'est le mix français qui compte.
    attendu = llm_impacts(
        provider="mistralai",
        model_name="mistral-small-latest",
        output_token_count=400,
        request_latency=60.0,
        electricity_mix_zone="FRA",
    )
    assert attendu.energy is not None and attendu.gwp is not None and attendu.wcf is not None
    obtenu = _connu("france")
    assert obtenu.energie_wh == pytest.approx(_milieu(attendu.energy.value) * 1000)
    assert obtenu.ges_gco2e == pytest.approx(_milieu(attendu.gwp.value) * 1000)
    assert obtenu.eau_l == pytest.approx(_milieu(attendu.wcf.value))
    suede = llm_impacts(
        provider="mistralai", model_name="mistral-small-latest", output_token_count=400, request_latency=60.0
    )
    assert suede.gwp is not None
    assert obtenu.ges_gco2e != pytest.approx(_milieu(suede.gwp.value) * 1000)


def test_depot_d_ecologits_prime_sur_le_catalogue() -> None:
    avec = estimer(
        modele="mistral-small-latest",
        fournisseur_ecologits="mistralai",
        parametres_actifs_milliards=1000.0,
        parametres_totaux_milliards=1000.0,
        jetons_sortie=400,
        latence_s=60.0,
        hebergement="france",
    )
    assert avec == _connu("france")


def test_fourchette_d_un_modele_aux_parametres_non_publies() -> None:
    resultat = estimer(
        modele="gpt-4o",
        fournisseur_ecologits="openai",
        parametres_actifs_milliards=None,
        parametres_totaux_milliards=None,
        jetons_sortie=400,
        latence_s=60.0,
        hebergement="hors_ue",
    )
    assert resultat is not None
    assert resultat.fourchette
    assert resultat.energie_wh_min < resultat.energie_wh < resultat.energie_wh_max
    assert resultat.energie_wh == pytest.approx((resultat.energie_wh_min + resultat.energie_wh_max) / 2)
    assert resultat.ges_gco2e_min <= resultat.ges_gco2e <= resultat.ges_gco2e_max
    assert "model-arch-not-released" in resultat.avertissements


def test_avertissement_du_mix_europeen_repris() -> None:
    mix = electricity_mixes.find_electricity_mix(ZONES["ue"])
    assert mix is not None
    assert _connu("ue").avertissements == tuple(w.code for w in mix.warnings)


# Modèle local décrit au catalogue, modèle inconnu


def test_modele_local_decrit_par_ses_parametres() -> None:
    reference = models.find_model("huggingface_hub", OUVERT)
    assert reference is not None and isinstance(reference.architecture.parameters, ParametersMoE)
    actifs, totaux = reference.architecture.parameters.active, reference.architecture.parameters.total
    assert isinstance(actifs, float) and isinstance(totaux, float)
    local = estimer(
        modele="mixtral:8x7b",
        fournisseur_ecologits=None,
        parametres_actifs_milliards=actifs,
        parametres_totaux_milliards=totaux,
        jetons_sortie=400,
        latence_s=60.0,
        hebergement="hors_ue",
    )
    assert local is not None
    assert local.source == "EcoLogits 0.11.3, mix WOR, paramètres du catalogue"
    # PUE et WUE par défaut : ceux qu'EcoLogits applique aux modèles ouverts de Hugging Face.
    attendu = llm_impacts("huggingface_hub", OUVERT, 400, 60.0, electricity_mix_zone="WOR")
    assert attendu.energy is not None and isinstance(attendu.energy.value, RangeValue)
    assert local.energie_wh_min == pytest.approx(attendu.energy.value.min * 1000)
    assert local.energie_wh_max == pytest.approx(attendu.energy.value.max * 1000)
    assert local.fourchette


def test_modele_local_dense_un_seul_nombre_suffit() -> None:
    def local(actifs: float | None, totaux: float | None) -> Empreinte | None:
        return estimer(
            modele="llama3.1:8b",
            fournisseur_ecologits=None,
            parametres_actifs_milliards=actifs,
            parametres_totaux_milliards=totaux,
            jetons_sortie=300,
            latence_s=30.0,
            hebergement="france",
        )

    seuls_actifs = local(8.0, None)
    assert seuls_actifs is not None and seuls_actifs == local(None, 8.0) == local(8.0, 8.0)
    assert seuls_actifs.energie_wh > 0


def test_fournisseur_connu_mais_modele_absent_utilise_le_catalogue() -> None:
    resultat = estimer(
        modele="mistral-modele-futur",
        fournisseur_ecologits="mistralai",
        parametres_actifs_milliards=24.0,
        parametres_totaux_milliards=24.0,
        jetons_sortie=300,
        latence_s=30.0,
        hebergement="france",
    )
    assert resultat is not None
    assert resultat.source.endswith("paramètres du catalogue")
    # PUE du fournisseur connu (une valeur, pas une fourchette) : pas d'intervalle.
    assert not resultat.fourchette


@pytest.mark.parametrize("fournisseur", [None, "mistralai", "ollama"])
def test_modele_inconnu_sans_parametres_non_estime(fournisseur: str | None) -> None:
    resultat = estimer(
        modele="modele-maison",
        fournisseur_ecologits=fournisseur,
        parametres_actifs_milliards=None,
        parametres_totaux_milliards=None,
        jetons_sortie=300,
        latence_s=30.0,
        hebergement="france",
    )
    assert resultat is None


@pytest.mark.parametrize(("actifs", "totaux"), [(0.0, 0.0), (-1.0, None), (40.0, 8.0)])
def test_parametres_incoherents_refuses(actifs: float | None, totaux: float | None) -> None:
    with pytest.raises(ValueError, match="paramètres incohérents"):
        estimer(
            modele="x",
            fournisseur_ecologits=None,
            parametres_actifs_milliards=actifs,
            parametres_totaux_milliards=totaux,
            jetons_sortie=10,
            latence_s=1.0,
            hebergement="france",
        )


# Jetons et latence


def test_energie_croit_avec_les_jetons_de_sortie() -> None:
    energies = [_connu(jetons_sortie=n, latence_s=3600.0).energie_wh for n in (100, 200, 400, 800)]
    assert energies == sorted(energies)
    assert len(set(energies)) == len(energies)


def test_zero_jeton_de_sortie() -> None:
    resultat = _connu(jetons_sortie=0, latence_s=2.0)
    for valeur in (resultat.energie_wh, resultat.ges_gco2e, resultat.eau_l):
        assert math.isfinite(valeur) and valeur >= 0
    # Moins qu'une vraie réponse : au plus le temps du premier jeton du serveur.
    assert resultat.energie_wh < _connu(jetons_sortie=100, latence_s=2.0).energie_wh
    rien = _connu(jetons_sortie=0, latence_s=0.0)
    assert rien.energie_wh == 0 and rien.ges_gco2e == 0 and rien.eau_l == 0


def test_latence_plafonne_le_temps_de_generation() -> None:
    # Une réponse mesurée plus courte que le temps modélisé coûte moins d'énergie serveur.
    assert _connu(latence_s=0.1).energie_wh < _connu(latence_s=3600.0).energie_wh


@pytest.mark.parametrize(("jetons", "latence"), [(-1, 1.0), (10, -1.0)])
def test_valeurs_negatives_refusees(jetons: int, latence: float) -> None:
    with pytest.raises(ValueError, match="négatifs"):
        _connu(jetons_sortie=jetons, latence_s=latence)


def test_depots_charges_une_fois() -> None:
    premier = empreinte._depots()
    for _ in range(5):
        _connu()
    assert empreinte._depots() is premier


# Pas de réseau


def test_aucun_appel_reseau(monkeypatch: pytest.MonkeyPatch) -> None:
    def interdit(*args: object, **kwargs: object) -> None:
        raise AssertionError("appel réseau pendant l'estimation")

    monkeypatch.setattr(socket.socket, "connect", interdit)
    monkeypatch.setattr(socket.socket, "connect_ex", interdit)
    monkeypatch.setattr(socket, "getaddrinfo", interdit)
    empreinte._depots.cache_clear()  # relire les données sous l'interdiction
    assert _connu("france").energie_wh > 0


def test_import_a_froid_sans_reseau() -> None:
    # Un processus neuf : l'import d'EcoLogits et la lecture de ses données, réseau coupé.
    code = (
        "import socket\n"
        "def interdit(*a, **k):\n"
        "    raise SystemExit('appel réseau')\n"
        "socket.socket.connect = interdit\n"
        "socket.socket.connect_ex = interdit\n"
        "socket.getaddrinfo = interdit\n"
        "from balise.passerelle.empreinte import estimer\n"
        "e = estimer(modele='mistral-small-latest', fournisseur_ecologits='mistralai',\n"
        "    parametres_actifs_milliards=None, parametres_totaux_milliards=None,\n"
        "    jetons_sortie=100, latence_s=10.0, hebergement='france')\n"
        "print(e.source)\n"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE, capture_output=True, text=True, check=True
    )
    assert sortie.stdout.strip() == "EcoLogits 0.11.3, mix FRA"


# Coût


def test_cout_exact() -> None:
    cout = cout_euros(
        jetons_entree=1_000_000,
        jetons_sortie=2_000_000,
        prix_entree_million=Decimal("0.10"),
        prix_sortie_million=Decimal("0.30"),
    )
    assert cout == Decimal("0.700000")
    assert isinstance(cout, Decimal) and cout.as_tuple().exponent == -6


def test_cout_arrondi_bancaire_au_millionieme() -> None:
    # 2 925 × 0,10 / 10⁶ = 0,0002925 → 0,000292 (pair) ; 2 935 × 0,10 / 10⁶ = 0,0002935 → 0,000294.
    def cout(jetons: int) -> Decimal | None:
        return cout_euros(
            jetons_entree=jetons,
            jetons_sortie=0,
            prix_entree_million=Decimal("0.10"),
            prix_sortie_million=Decimal("0.30"),
        )

    assert cout(2925) == Decimal("0.000292")
    assert cout(2935) == Decimal("0.000294")


def test_cout_d_une_requete_ordinaire() -> None:
    # 1 234 × 0,2 + 567 × 0,6 = 246,8 + 340,2 = 587 ; ÷ 10⁶.
    cout = cout_euros(
        jetons_entree=1234,
        jetons_sortie=567,
        prix_entree_million=Decimal("0.2"),
        prix_sortie_million=Decimal("0.6"),
    )
    assert cout == Decimal("0.000587")


def test_cout_zero_jeton() -> None:
    cout = cout_euros(
        jetons_entree=0, jetons_sortie=0, prix_entree_million=Decimal("3"), prix_sortie_million=Decimal("15")
    )
    assert cout == Decimal("0.000000")


@pytest.mark.parametrize(("entree", "sortie"), [(None, Decimal("0.3")), (Decimal("0.1"), None), (None, None)])
def test_cout_sans_prix(entree: Decimal | None, sortie: Decimal | None) -> None:
    cout = cout_euros(
        jetons_entree=100, jetons_sortie=100, prix_entree_million=entree, prix_sortie_million=sortie
    )
    assert cout is None


def test_cout_negatif_refuse() -> None:
    with pytest.raises(ValueError, match="négatifs"):
        cout_euros(
            jetons_entree=-1,
            jetons_sortie=0,
            prix_entree_million=Decimal("1"),
            prix_sortie_million=Decimal("1"),
        )
    with pytest.raises(ValueError, match="négatifs"):
        cout_euros(
            jetons_entree=1,
            jetons_sortie=0,
            prix_entree_million=Decimal("-1"),
            prix_sortie_million=Decimal("1"),
        )
