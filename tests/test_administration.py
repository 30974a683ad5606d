"""L'administration de l'instance (/admin/) écrit par les services : mêmes règles, même historique."""

import pytest
from django.contrib.messages import get_messages

from balise.comptes.models import Utilisateur
from balise.organisations.models import Adhesion, Organisation
from balise.registre.models import SystemeIA
from tests import fabrique


@pytest.fixture
def instance(client, db):
    personne = fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(personne)
    return personne


def _donnees(reponse) -> dict:
    """Ce que renverrait le navigateur sans rien changer au formulaire affiché (et à ses lignes en ligne)."""
    formulaires = [reponse.context["adminform"].form]
    for en_ligne in reponse.context["inline_admin_formsets"]:
        formulaires += [en_ligne.formset.management_form, *en_ligne.formset.forms]
    donnees = {}
    for f in formulaires:
        for nom in f.fields:
            valeur = f[nom].value()
            if valeur is not None and valeur is not False:
                donnees[f.add_prefix(nom)] = valeur
    return donnees


def _ligne(donnees: dict, personne: Utilisateur) -> str:
    """Le préfixe de la ligne en ligne de l'adhésion de cette personne."""
    adhesion = Adhesion.objects.get(utilisateur=personne)
    return next(k.removesuffix("-id") for k, v in donnees.items() if k.endswith("-id") and v == adhesion.pk)


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


@pytest.mark.parametrize("geste", ["retirer", "retrograder"])
def test_l_administration_ne_retire_pas_le_dernier_administrateur(
    client, instance, org_a, admin_a, referent_a, geste
):
    adresse = f"/admin/organisations/organisation/{org_a.pk}/change/"
    donnees = _donnees(client.get(adresse))
    ligne = _ligne(donnees, admin_a)
    if geste == "retirer":
        donnees[f"{ligne}-DELETE"] = "on"
    else:
        donnees[f"{ligne}-role"] = "lecteur"
    donnees["nom"] = "Commune A renommée"  # refusée avec le reste : tout ou rien
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 302 and reponse["Location"] == adresse
    assert _messages(reponse) == ["L'organisation doit garder au moins un administrateur."]
    assert Adhesion.objects.get(utilisateur=admin_a).role == "administrateur"
    assert Organisation.objects.get(pk=org_a.pk).nom == "Commune A"
    assert Adhesion.objects.filter(organisation=org_a).count() == 2


def test_l_administration_nomme_puis_retire_dans_la_meme_soumission(
    client, instance, org_a, admin_a, referent_a
):
    adresse = f"/admin/organisations/organisation/{org_a.pk}/change/"
    donnees = _donnees(client.get(adresse))
    donnees[f"{_ligne(donnees, admin_a)}-DELETE"] = "on"
    donnees[f"{_ligne(donnees, referent_a)}-role"] = "administrateur"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 302 and reponse["Location"] == "/admin/organisations/organisation/"
    assert list(Adhesion.objects.filter(organisation=org_a).values_list("utilisateur", "role")) == [
        (referent_a.pk, "administrateur")
    ]
    # Attribué comme depuis la page Membres : l'historique des adhésions dit qui.
    assert {h.history_user for h in Adhesion.history.filter(history_type__in="~-")} == {instance}


def test_l_administration_cree_une_organisation_par_le_service(client, instance):
    adresse = "/admin/organisations/organisation/add/"
    donnees = _donnees(client.get(adresse))
    donnees.update(nom="Commune Neuve", slug="commune-neuve", type="commune", administrateur="dgs@neuve.fr")
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 302
    organisation = Organisation.objects.get(slug="commune-neuve")
    adhesion = Adhesion.objects.get(organisation=organisation)
    assert (adhesion.utilisateur.email, adhesion.role) == ("dgs@neuve.fr", "administrateur")
    assert organisation.history.get().history_user == instance
    assert any("lien pour choisir son mot de passe" in m for m in _messages(reponse))


def test_l_administration_modifie_une_fiche_par_le_service(client, instance, systeme_a):
    adresse = f"/admin/registre/systemeia/{systeme_a.pk}/change/"
    donnees = _donnees(client.get(adresse))
    assert donnees["version_lue"] == 1
    donnees["nom"] = "Fuites, par l'instance"
    assert client.post(adresse, donnees).status_code == 302
    systeme = SystemeIA.objects.get(pk=systeme_a.pk)
    assert (systeme.nom, systeme.version) == ("Fuites, par l'instance", 2)
    assert systeme.history.first().history_user == instance
    # Le même formulaire renvoyé : il repose sur la version 1, périmée. Rien n'est écrit.
    donnees["nom"] = "Écrasement"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 302 and reponse["Location"] == adresse
    assert "modifiée par" in _messages(reponse)[-1]
    assert SystemeIA.objects.get(pk=systeme_a.pk).nom == "Fuites, par l'instance"
    # Le stade et la publication ont leurs propres opérations : l'administration ne les montre pas à la saisie.
    assert "stade" not in donnees and "publie" not in donnees


def test_l_administration_ne_supprime_pas_le_compte_du_dernier_administrateur(
    client, instance, org_a, admin_a
):
    adresse = f"/admin/comptes/utilisateur/{admin_a.pk}/delete/"
    reponse = client.post(adresse, {"post": "yes"})
    assert reponse.status_code == 302 and reponse["Location"] == adresse
    assert "seul administrateur de « Commune A »" in _messages(reponse)[0]
    assert Utilisateur.objects.filter(pk=admin_a.pk).exists()
