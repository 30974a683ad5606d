"""Estimer l'empreinte (énergie, gaz à effet de serre, eau) et le coût d'une requête à un modèle.

Point 6 de l'issue 18 (docs/passerelle.md, « Empreinte et coût d'une requête ») : module pur, sans
base ni réseau, appelé par la passerelle après chaque réponse. Les collectivités veulent connaître ce
que consomme une requête et ce qu'elle coûte avant d'en généraliser l'usage : le besoin d'une IA
frugale et la tension sur l'énergie (seed 002, /work/shared/seeds/002_97176ee3a60ad1d8.txt:1264 et
:1288), la promesse d'une calculatrice du coût énergétique et financier des requêtes
(seed 003, /work/shared/seeds/003_968ea394f4c50c5d.txt:250), le lieu des serveurs qui fixe la nature
de l'énergie consommée (seed 004, /work/shared/seeds/004_bdc9e5a14722e214.txt:511).

L'empreinte vient d'EcoLogits (paquet `ecologits`, données models.json et electricity_mixes.json
livrées dans le paquet : rien n'est téléchargé). Le mix électrique suit l'hébergement déclaré au
catalogue, pas le centre de données par défaut du fournisseur : un modèle de Mistral servi en France
est compté avec le mix français. Un modèle inconnu d'EcoLogits et sans nombre de paramètres au
catalogue n'est pas estimé (`None`) : l'interface dit « non estimée » plutôt qu'un chiffre inventé.

Le coût vient des prix du catalogue (euros par million de jetons), en `Decimal` exact.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

import ecologits
from ecologits.impacts.llm import compute_llm_impacts
from ecologits.utils.range_value import RangeValue, ValueOrRange

if TYPE_CHECKING:
    from ecologits.electricity_mix_repository import ElectricityMix
    from ecologits.model_repository import ModelRepository

VERSION_ECOLOGITS: str = ecologits.__version__

# Lieu d'hébergement du catalogue (balise.registre.referentiels) → zone de mix électrique d'EcoLogits
# (code ISO 3166-1 alpha-3, ou agrégat).
# - « ue » → « EEE » : le seul agrégat européen de electricity_mixes.json (le paquet ne documente pas
#   le code ; en français, EEE est l'Espace économique européen : l'UE plus l'Islande, le Liechtenstein
#   et la Norvège). Son intensité carbone (0,28 kgCO2e/kWh) est une moyenne européenne, bien plus juste
#   pour un hébergeur de l'UE que le mix mondial ; un pays nommé (Allemagne, Irlande) serait arbitraire.
#   Son facteur d'eau est celui du monde (avertissement « electricity-mix-wue-world », repris tel quel).
# - « hors_ue » et « inconnu » → « WOR », le mix mondial, celui qu'EcoLogits prend lui-même quand le
#   lieu n'est pas connu : l'énergie reste juste, seuls les gaz et l'eau dépendent du mix.
ZONES: dict[str, str] = {
    "france": "FRA",
    "ue": "EEE",
    "hors_ue": "WOR",
    "inconnu": "WOR",
}

# Efficacité du centre de données d'un modèle local (Ollama, vLLM) ou d'un fournisseur inconnu
# d'EcoLogits. EcoLogits 0.11.3 n'a pas de valeur par défaut pour les textes (llm_impacts échoue sur
# un fournisseur inconnu) ; on prend la configuration qu'il applique aux modèles ouverts servis par
# Hugging Face, lue dans son code (PUE 1,09 à 1,14, WUE 0,13 à 0,99 L/kWh) plutôt que recopiée.
FOURNISSEUR_PAR_DEFAUT = "huggingface_hub"

_WH_PAR_KWH = 1000.0
_G_PAR_KG = 1000.0
_MICRO_EURO = Decimal("0.000001")


@dataclass(frozen=True)
class Empreinte:
    """Empreinte d'une requête, selon la modélisation d'EcoLogits (jamais une mesure au compteur).

    EcoLogits donne une fourchette quand une entrée est incertaine (paramètres d'un modèle non publiés,
    PUE d'un fournisseur) : on garde les bornes (`*_min`, `*_max`) pour l'afficher, et la valeur
    centrale est le milieu de la fourchette, comme EcoLogits l'affiche lui-même. Sans incertitude, les
    trois valeurs sont égales.

    Les gaz à effet de serre comptent l'usage (électricité) et la fabrication des serveurs amortie
    (total d'EcoLogits) ; l'eau ne compte que l'usage (refroidissement et production d'électricité),
    seule part qu'EcoLogits estime.
    """

    energie_wh: float
    ges_gco2e: float
    eau_l: float
    energie_wh_min: float
    energie_wh_max: float
    ges_gco2e_min: float
    ges_gco2e_max: float
    eau_l_min: float
    eau_l_max: float
    zone: str
    source: str
    # Vrai pour tout ce que calcule ce module : distingue une estimation d'une mesure future.
    estimee: bool = True
    # Codes d'avertissement d'EcoLogits (« model-arch-not-released »…) : précision moindre à signaler.
    avertissements: tuple[str, ...] = ()

    @property
    def fourchette(self) -> bool:
        """Vrai si EcoLogits donne un intervalle plutôt qu'une valeur."""
        return (
            self.energie_wh_min != self.energie_wh_max
            or self.ges_gco2e_min != self.ges_gco2e_max
            or self.eau_l_min != self.eau_l_max
        )


@dataclass(frozen=True)
class _Depots:
    modeles: ModelRepository
    mixes: dict[str, ElectricityMix]
    efficacites: dict[str, tuple[ValueOrRange, ValueOrRange]]


@functools.cache
def _depots() -> _Depots:
    """Modèles, mix et efficacités d'EcoLogits, lus une fois par processus (fichiers du paquet).

    Importés ici plutôt qu'en tête : importer ce module ne coûte pas la lecture des JSON.
    """
    from ecologits.electricity_mix_repository import electricity_mixes
    from ecologits.model_repository import models
    from ecologits.tracers.utils import PROVIDER_CONFIG_MAP

    return _Depots(
        modeles=models,
        mixes={mix.zone: mix for mix in electricity_mixes.list_electricity_mixes()},
        efficacites={
            nom: (config.datacenter_pue, config.datacenter_wue) for nom, config in PROVIDER_CONFIG_MAP.items()
        },
    )


def _parametres(
    depots: _Depots,
    modele: str,
    fournisseur: str | None,
    actifs: float | None,
    totaux: float | None,
) -> tuple[ValueOrRange, ValueOrRange, float | None, float | None, tuple[str, ...], bool] | None:
    """(actifs, totaux, tps, ttft, avertissements, du catalogue ?) en milliards, ou None si inconnus.

    Le dépôt d'EcoLogits passe avant le catalogue : ses chiffres sont sourcés et portent le débit
    mesuré chez le fournisseur. Un seul nombre au catalogue décrit un modèle dense (actifs = totaux).
    """
    if fournisseur:
        trouve = depots.modeles.find_model(provider=fournisseur, model_name=modele)
        if trouve is not None:
            params = trouve.architecture.parameters
            if isinstance(params, (int, float, RangeValue)):
                p_actifs: ValueOrRange = params
                p_totaux: ValueOrRange = params
            else:
                p_actifs, p_totaux = params.active, params.total
            deploiement = trouve.deployment
            return (
                p_actifs,
                p_totaux,
                deploiement.tps if deploiement else None,
                deploiement.ttft if deploiement else None,
                tuple(w.code for w in trouve.warnings),
                False,
            )
    actifs = actifs if actifs is not None else totaux
    totaux = totaux if totaux is not None else actifs
    if actifs is None or totaux is None:
        return None
    if actifs <= 0 or totaux < actifs:
        raise ValueError(f"paramètres incohérents au catalogue : {actifs} actifs, {totaux} au total")
    return actifs, totaux, None, None, (), True


def _bornes(valeur: ValueOrRange, facteur: float) -> tuple[float, float, float]:
    """(centre, min, max) d'une valeur ou d'une fourchette d'EcoLogits, convertie d'unité."""
    if isinstance(valeur, RangeValue):
        return valeur.mean * facteur, valeur.min * facteur, valeur.max * facteur
    v = float(valeur) * facteur
    return v, v, v


def estimer(
    *,
    modele: str,
    fournisseur_ecologits: str | None,
    parametres_actifs_milliards: float | None,
    parametres_totaux_milliards: float | None,
    jetons_sortie: int,
    latence_s: float,
    hebergement: str,
) -> Empreinte | None:
    """Empreinte d'une requête, ou None si le modèle n'est ni connu d'EcoLogits ni décrit au catalogue.

    `fournisseur_ecologits` et `modele` désignent une entrée du dépôt d'EcoLogits (« mistralai »,
    « mistral-small-latest ») ; à défaut, les nombres de paramètres du catalogue (en milliards) servent
    à un modèle local. `latence_s` est la durée mesurée de la requête : EcoLogits la prend comme
    plafond du temps de génération. `hebergement` est une clé de `ZONES`.
    """
    if jetons_sortie < 0 or latence_s < 0:
        raise ValueError("jetons de sortie et latence ne peuvent pas être négatifs")
    zone = ZONES.get(hebergement)
    if zone is None:
        raise ValueError(f"hébergement inconnu : {hebergement!r} (attendu : {', '.join(ZONES)})")
    depots = _depots()
    parametres = _parametres(
        depots, modele, fournisseur_ecologits, parametres_actifs_milliards, parametres_totaux_milliards
    )
    if parametres is None:
        return None
    actifs, totaux, tps, ttft, avertissements, du_catalogue = parametres
    mix = depots.mixes[zone]
    # L'efficacité est celle du fournisseur s'il est connu (ses centres de données), sinon la valeur
    # par défaut ; seul le mix suit l'hébergement.
    pue, wue = depots.efficacites.get(fournisseur_ecologits or "", depots.efficacites[FOURNISSEUR_PAR_DEFAUT])
    impacts = compute_llm_impacts(
        model_active_parameter_count=actifs,
        model_total_parameter_count=totaux,
        output_token_count=jetons_sortie,
        request_latency=latence_s,
        if_electricity_mix_adpe=mix.adpe,
        if_electricity_mix_pe=mix.pe,
        if_electricity_mix_gwp=mix.gwp,
        if_electricity_mix_wue=mix.wue,
        datacenter_pue=pue,
        datacenter_wue=wue,
        tps=tps,
        ttft=ttft,
    )
    energie, energie_min, energie_max = _bornes(impacts.energy.value, _WH_PAR_KWH)
    ges, ges_min, ges_max = _bornes(impacts.gwp.value, _G_PAR_KG)
    eau, eau_min, eau_max = _bornes(impacts.wcf.value, 1.0)
    source = f"EcoLogits {VERSION_ECOLOGITS}, mix {zone}"
    if du_catalogue:
        source += ", paramètres du catalogue"
    return Empreinte(
        energie_wh=energie,
        ges_gco2e=ges,
        eau_l=eau,
        energie_wh_min=energie_min,
        energie_wh_max=energie_max,
        ges_gco2e_min=ges_min,
        ges_gco2e_max=ges_max,
        eau_l_min=eau_min,
        eau_l_max=eau_max,
        zone=zone,
        source=source,
        estimee=True,
        avertissements=avertissements + tuple(w.code for w in mix.warnings),
    )


def cout_euros(
    *,
    jetons_entree: int,
    jetons_sortie: int,
    prix_entree_million: Decimal | None,
    prix_sortie_million: Decimal | None,
) -> Decimal | None:
    """Coût d'une requête en euros selon les prix du catalogue (par million de jetons), ou None.

    Un prix manquant donne None (« non chiffré ») plutôt qu'un coût partiel trompeur. Le calcul est
    exact en `Decimal` ; seul le total est arrondi, au millionième d'euro, à l'arrondi bancaire, pour
    que la somme de nombreuses petites requêtes ne dérive pas.
    """
    if jetons_entree < 0 or jetons_sortie < 0:
        raise ValueError("les nombres de jetons ne peuvent pas être négatifs")
    if prix_entree_million is None or prix_sortie_million is None:
        return None
    if prix_entree_million < 0 or prix_sortie_million < 0:
        raise ValueError("les prix du catalogue ne peuvent pas être négatifs")
    # Diviser par un million, c'est décaler l'exposant (scaleb) : aucun arrondi avant le quantize final.
    total = (jetons_entree * prix_entree_million + jetons_sortie * prix_sortie_million).scaleb(-6)
    return total.quantize(_MICRO_EURO, rounding=ROUND_HALF_EVEN)
