"""La photographie de la base (tests/instantane.py), sur laquelle reposent tous les tests de refus :
elle doit voir tout changement d'une ligne photographiée, et rien d'autre."""

import pytest
from django.utils import timezone

from balise.comptes.models import JetonAPI
from balise.registre.models import SystemeIA
from tests import fabrique, instantane

pytestmark = pytest.mark.django_db


def test_voit_une_ligne_modifiee_ajoutee_ou_retiree(org_a, referent_a):
    systeme = fabrique.systeme(org_a, referent_a, nom="Assistant courrier")
    avant = instantane.photo()
    assert instantane.photo() == avant
    SystemeIA.objects.filter(pk=systeme.pk).update(finalite="Une autre finalité")
    modifiee = instantane.photo()
    assert instantane.differences(avant, modifiee) == ["registre.SystemeIA"]
    fabrique.systeme(org_a, referent_a, nom="Second système")
    ajoutee = instantane.photo()
    assert "registre.SystemeIA" in instantane.differences(modifiee, ajoutee)
    SystemeIA.objects.filter(nom="Second système").delete()
    assert "registre.SystemeIA" in instantane.differences(ajoutee, instantane.photo())


def test_voit_une_valeur_nulle_devenir_une_date(org_a, referent_a):
    systeme = fabrique.systeme(org_a, referent_a)
    avant = instantane.photo()
    SystemeIA.objects.filter(pk=systeme.pk).update(archive_le=timezone.now())
    assert instantane.differences(avant, instantane.photo()) == ["registre.SystemeIA"]


def test_ignore_la_derniere_utilisation_d_un_jeton(admin_a):
    jeton, _ = JetonAPI.emettre(admin_a, "jeton")
    avant = instantane.photo()
    JetonAPI.objects.filter(pk=jeton.pk).update(utilise_le=timezone.now())
    assert instantane.photo() == avant
    JetonAPI.objects.filter(pk=jeton.pk).update(nom="renommé")
    assert instantane.differences(avant, instantane.photo()) == ["comptes.JetonAPI"]
