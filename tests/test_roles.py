"""Les droits de chaque rôle (balise/organisations/roles.py), seul endroit où un rôle donne un droit :
la matrice entière, écrite ici en clair, pour qu'un droit ajouté ou retiré par mégarde se voie."""

import pytest

from balise.organisations.roles import DROITS, Permission, Role, peut

P = Permission
MATRICE = {
    # Tout, sauf lire le contenu chiffré des requêtes sensibles de la passerelle : le DPO et le RSSI seuls.
    "administrateur": set(Permission) - {P.LIRE_CONTENUS_SENSIBLES},
    "referent": {
        P.VOIR_REGISTRE,
        P.DECLARER,
        P.CHANGER_STADE,
        P.PUBLIER,
        P.EVALUER,
        P.QUALIFIER,
        P.GOUVERNER,
        P.SIEGER,
        P.PILOTER_PROGRAMME,
        P.GERER_FORMATIONS,
        P.PRODUIRE_RAPPORTS,
        P.MUTUALISER,
        P.UTILISER_PASSERELLE,
        P.GERER_CATALOGUE,
    },
    "dpo": {
        P.VOIR_REGISTRE,
        P.DECLARER,
        P.QUALIFIER,
        P.SIEGER,
        P.UTILISER_PASSERELLE,
        P.LIRE_CONTENUS_SENSIBLES,
    },
    "lecteur": {P.VOIR_REGISTRE, P.SIEGER, P.UTILISER_PASSERELLE},
    "comite": {P.VOIR_REGISTRE, P.SIEGER, P.UTILISER_PASSERELLE},
    "rh": {
        P.VOIR_REGISTRE,
        P.GERER_EFFECTIFS,
        P.SIEGER,
        P.GERER_FORMATIONS,
        P.PRODUIRE_RAPPORTS,
        P.UTILISER_PASSERELLE,
    },
    # Le RSSI : le catalogue des modèles (fournisseurs, clés) et, comme le DPO, les requêtes sensibles.
    "rssi": {
        P.VOIR_REGISTRE,
        P.SIEGER,
        P.UTILISER_PASSERELLE,
        P.GERER_CATALOGUE,
        P.LIRE_CONTENUS_SENSIBLES,
    },
    # Un membre externe d'instance ne voit rien du registre : seulement ses séances.
    "externe": {P.SIEGER},
}


def test_les_valeurs_enregistrees_des_roles_et_des_permissions():
    # Ces valeurs sont en base (adhésions, invitations) : les changer exigerait une migration.
    assert [r.value for r in Role] == list(MATRICE)
    assert [p.value for p in Permission] == [
        "voir_registre",
        "declarer",
        "changer_stade",
        "publier",
        "archiver",
        "evaluer",
        "qualifier",
        "gerer_effectifs",
        "gerer_membres",
        "gouverner",
        "sieger",
        "forcer_porte",
        "piloter_programme",
        "gerer_formations",
        "produire_rapports",
        "mutualiser",
        "utiliser_passerelle",
        "gerer_catalogue",
        "lire_contenus_sensibles",
    ]


@pytest.mark.parametrize("role", list(MATRICE))
@pytest.mark.parametrize("permission", list(Permission))
def test_chaque_role_a_exactement_ses_droits(role, permission):
    assert peut(role, permission) is (permission in MATRICE[role])
    assert set(DROITS[role]) == MATRICE[role]


@pytest.mark.parametrize("role", [None, "", "inconnu", "Administrateur"])
def test_sans_role_connu_aucun_droit(role):
    assert not any(peut(role, p) for p in Permission)
