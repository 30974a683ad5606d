"""`balise/binaire.py` : les octets écrits à part (liaison côté serveur sur PostgreSQL) arrivent tels
quels, dans la transaction en cours, sur les deux bases."""

import pytest
from django.db import transaction

from balise import binaire
from balise.metiers.models import ImportEffectifs

TOUS_LES_OCTETS = bytes(range(256)) * 4 + b"\x00'\\x\\\\%s%%"  # nuls, apostrophes, barres, marqueurs


@pytest.fixture
def depot(org_a, admin_a):
    return ImportEffectifs.objects.create(
        organisation=org_a,
        nom_fichier="e.csv",
        format="csv",
        referentiel="r",
        version_referentiel="1",
        cree_par=admin_a,
    )


def _lu(depot):
    contenu = ImportEffectifs.objects.values_list("contenu", flat=True).get(pk=depot.pk)
    return None if contenu is None else bytes(contenu)


@pytest.mark.django_db(transaction=True)
def test_les_octets_arrivent_tels_quels(depot):
    assert binaire.ecrire(ImportEffectifs, depot.pk, "contenu", TOUS_LES_OCTETS) == 1
    assert _lu(depot) == TOUS_LES_OCTETS
    assert binaire.ecrire(ImportEffectifs, depot.pk, "contenu", None) == 1
    assert _lu(depot) is None
    assert binaire.ecrire(ImportEffectifs, depot.pk + 1000, "contenu", b"x") == 0


@pytest.mark.django_db(transaction=True)
def test_l_ecriture_suit_la_transaction(depot):
    with pytest.raises(RuntimeError), transaction.atomic():
        binaire.ecrire(ImportEffectifs, depot.pk, "contenu", b"annule")
        assert _lu(depot) == b"annule"  # visible dans la transaction
        raise RuntimeError
    assert _lu(depot) is None
