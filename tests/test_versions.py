"""Verrou optimiste : une écriture qui ne dit pas sur quelle version elle repose est refusée comme une
écriture sur une version périmée, pour chaque objet modifiable à plusieurs, par les pages et par l'API.

Sans ce refus, un formulaire envoyé sans son champ `version` (page gardée ouverte d'une ancienne mise en
ligne, outil qui rejoue un envoi, requête forgée) écrasait sans le dire le changement d'une autre personne.
"""

import json
import threading
from html import unescape

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import Client

from balise import versions
from balise.comptes.models import JetonAPI
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.metiers import services as metiers
from balise.metiers.models import ActionAccompagnement, GroupeSuivi, MetierOrganisation
from balise.organisations.models import Organisation
from balise.registre import services as registre
from balise.registre.models import SystemeIA
from tests import fabrique
from tests.test_conformite import _cas_avec_obligations
from tests.test_envois import _attendre_un_verrou


def test_verrouiller_refuse_une_version_absente(systeme_a):
    with pytest.raises(versions.ConflitEdition, match="version"):
        versions.verrouiller(SystemeIA.objects.all(), systeme_a.pk, None)


def test_changements_depuis_ne_cite_que_les_auteurs_des_versions_suivantes(org_a, referent_a, admin_a):
    # Version 1 par la référente, 2 par Bruno, 3 par l'administrateur : qui a lu la version 2 (celle de
    # Bruno) n'a manqué que le changement de l'administrateur, et Bruno n'en est pas l'auteur.
    bruno = fabrique.membre(org_a, "referent", "bruno@exemple.fr")
    bruno.first_name, bruno.last_name = "Bruno", "Lecteur"
    bruno.save()
    systeme = registre.modifier_systeme(
        fabrique.systeme(org_a, referent_a).pk, {"finalite": "Version de Bruno"}, 1, bruno
    )
    registre.modifier_systeme(systeme.pk, {"nom": "Nom de l'administrateur"}, 2, admin_a)
    systeme.refresh_from_db()
    changements, auteurs = versions.changements_depuis(systeme, 2)
    assert auteurs == [admin_a.nom_affiche] and bruno.nom_affiche not in auteurs
    assert [c.champ for c in changements] == ["nom"]
    changements, auteurs = versions.changements_depuis(systeme, 1)
    assert auteurs == sorted([admin_a.nom_affiche, bruno.nom_affiche])
    assert sorted(c.champ for c in changements) == ["finalite", "nom"]
    with pytest.raises(versions.ConflitEdition) as conflit:
        registre.modifier_systeme(systeme.pk, {"nom": "Autre"}, 2, bruno)
    assert bruno.nom_affiche not in conflit.value.message and admin_a.nom_affiche in conflit.value.message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deux connexions simultanées : PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_deux_enregistrements_simultanes_de_la_meme_version_un_seul_passe(org_a, referent_a, admin_a):
    """Deux personnes enregistrent en même temps la version 1. Le premier enregistrement tient le verrou
    de la ligne (`select_for_update`) jusqu'à sa validation ; le second l'attend, relit la version 2 et
    est refusé. Sans ce verrou, le second lisait encore la version 1 et écrasait le premier."""
    systeme = fabrique.systeme(org_a, referent_a)
    ecrit, valider = threading.Event(), threading.Event()
    resultats: dict[str, object] = {}

    def enregistrer(qui: str, par, attendre: bool) -> None:
        try:
            with transaction.atomic():
                registre.modifier_systeme(systeme.pk, {"nom": f"Nom de {qui}"}, 1, par)
                if attendre:  # la transaction reste ouverte, la ligne verrouillée
                    ecrit.set()
                    assert valider.wait(60)
            resultats[qui] = "enregistré"
        except versions.ConflitEdition as exc:
            resultats[qui] = exc
        finally:
            connection.close()

    premier = threading.Thread(target=enregistrer, args=("premier", referent_a, True))
    premier.start()
    assert ecrit.wait(60)
    second = threading.Thread(target=enregistrer, args=("second", admin_a, False))
    second.start()
    _attendre_un_verrou()  # le second attend le premier (sur sa lecture, ou sur son écriture sans verrou)
    valider.set()
    premier.join(60)
    second.join(60)
    assert resultats["premier"] == "enregistré"
    assert isinstance(resultats["second"], versions.ConflitEdition), resultats["second"]
    assert [c.champ for c in resultats["second"].changements] == ["nom"]
    systeme.refresh_from_db()
    assert (systeme.nom, systeme.version) == ("Nom de premier", 2)
    assert systeme.history.filter(version=2).count() == 1


def _obligation(systeme, par) -> ObligationSuivie:
    conformite.qualifier(systeme, en_vigueur(), _cas_avec_obligations().reponses, par)
    return ObligationSuivie.objects.filter(systeme=systeme).first()


def _groupe(org, par) -> GroupeSuivi:
    return metiers.suivre_groupe(org, "Très concernés", "", "", par)


def _action(org, par) -> ActionAccompagnement:
    donnees = {"nature": "formation", "titre": "Former l'accueil", "description": "", "statut": "prevue"}
    return metiers.enregistrer_action(_groupe(org, par), donnees, par)


def _metier(org, par) -> MetierOrganisation:
    donnees = {"libelle": "Agent de médiathèque", "isco08": "4411", "niveau": "Très concernés"}
    return metiers.enregistrer_metier(org, {**donnees, "justification": "Étude locale."}, par)


def _sans_version(objet, champs, **changes) -> dict:
    donnees = {k: ("" if v is None else v) for k, v in model_to_dict(objet, fields=champs).items()}
    return {**donnees, **changes}


# (objet, adresse de sa page de modification, données envoyées sans `version`, champ changé)
FORMULAIRES = {
    "fiche du registre": lambda org, adm, sys: (
        sys,
        f"/o/{org.slug}/registre/{sys.pk}/modifier/",
        _sans_version(sys, registre.CHAMPS_SAISIS, nom="Écrasé"),
        "nom",
    ),
    "organisation": lambda org, adm, sys: (
        org,
        f"/o/{org.slug}/parametres/",
        _sans_version(org, ["nom", "type", "siren", "population", "nombre_agents", "contact_public"])
        | {"seuil_secret": org.seuil_secret, "nom": "Écrasé"},
        "nom",
    ),
    "obligation": lambda org, adm, sys: (
        o := _obligation(sys, adm),
        f"/o/{org.slug}/obligations/{o.pk}/",
        {"statut": "faite", "commentaire": "Écrasé"},
        "commentaire",
    ),
    "métier propre": lambda org, adm, sys: (
        m := _metier(org, adm),
        f"/o/{org.slug}/metiers/referentiel/metiers/{m.pk}/",
        _sans_version(m, ["libelle", "isco08", "niveau"], justification="Écrasé"),
        "justification",
    ),
    "groupe suivi": lambda org, adm, sys: (
        g := _groupe(org, adm),
        f"/o/{org.slug}/metiers/groupes/{g.pk}/",
        {"note": "Écrasé"},
        "note",
    ),
    "action d'accompagnement": lambda org, adm, sys: (
        a := _action(org, adm),
        f"/o/{org.slug}/metiers/actions/{a.pk}/",
        _sans_version(a, ["nature", "description", "echeance", "statut"], titre="Écrasé"),
        "titre",
    ),
}


@pytest.mark.parametrize("nature", FORMULAIRES)
def test_formulaire_sans_version_refuse_comme_une_version_perimee(client, org_a, admin_a, systeme_a, nature):
    objet, adresse, donnees, champ = FORMULAIRES[nature](org_a, admin_a, systeme_a)
    avant = type(objet).objects.get(pk=objet.pk)
    client.force_login(admin_a)
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 409, nature
    page = unescape(reponse.content.decode())
    assert 'id="conflit"' in page and "Rien n'a été enregistré" in page
    apres = type(objet).objects.get(pk=objet.pk)
    assert (apres.version, getattr(apres, champ)) == (avant.version, getattr(avant, champ))
    # Le formulaire repart de la version actuelle : l'enregistrer de nouveau aboutit.
    assert f'name="version" value="{avant.version}"' in page


# Les changements d'état d'une fiche : stade, publication, archivage, restauration.
OPERATIONS = {
    "stade": ("stade/", {"vers": "etude"}, "stade"),
    "publication": ("publication/", {"publie": "1"}, "publie"),
    "archivage": ("archivage/", {}, "archive_le"),
    "restauration": ("archivage/", {"restaurer": "1"}, "archive_le"),
}


@pytest.mark.parametrize("nature", OPERATIONS)
def test_operation_sans_version_refusee(client, org_a, admin_a, systeme_a, nature):
    suffixe, donnees, champ = OPERATIONS[nature]
    if nature == "restauration":
        registre.archiver(systeme_a.pk, admin_a, systeme_a.version)
    avant = SystemeIA.objects.get(pk=systeme_a.pk)
    client.force_login(admin_a)
    reponse = client.post(f"/o/{org_a.slug}/registre/{systeme_a.pk}/{suffixe}", donnees, follow=True)
    assert "Rien n'a été enregistré" in unescape(reponse.content.decode())
    apres = SystemeIA.objects.get(pk=systeme_a.pk)
    assert (apres.version, getattr(apres, champ)) == (avant.version, getattr(avant, champ))


@pytest.mark.parametrize(
    "methode, suffixe, corps",
    [
        ("patch", "", {"nom": "Écrasé"}),
        ("post", "/stade", {"vers": "etude"}),
        ("post", "/publication", {"publie": True}),
        ("delete", "", None),
    ],
)
def test_api_sans_version_refusee(org_a, admin_a, systeme_a, methode, suffixe, corps):
    _, secret = JetonAPI.emettre(admin_a, "test")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    adresse = f"/api/organisations/{org_a.slug}/systemes/{systeme_a.pk}{suffixe}"
    options = {"data": json.dumps(corps), "content_type": "application/json"} if corps is not None else {}
    reponse = getattr(api, methode)(adresse, **options)
    assert reponse.status_code == 422, reponse.content
    assert "version" in reponse.content.decode()
    apres = SystemeIA.objects.get(pk=systeme_a.pk)
    assert (apres.version, apres.nom, apres.stade, apres.publie, apres.archive_le) == (
        1,
        systeme_a.nom,
        "idee",
        False,
        None,
    )
    # Avec la version lue, la même écriture aboutit.
    reponse = getattr(api, methode)(
        adresse + ("?version=1" if methode == "delete" else ""),
        **(
            {"data": json.dumps({**corps, "version": 1}), "content_type": "application/json"} if corps else {}
        ),
    )
    assert reponse.status_code == 200, reponse.content


def test_organisation_et_systeme_restent_modifiables_avec_leur_version(client, org_a, admin_a):
    # Le formulaire d'une page porte la version lue : l'envoi normal aboutit (témoin des refus ci-dessus).
    client.force_login(admin_a)
    page = client.get(f"/o/{org_a.slug}/parametres/").content.decode()
    assert f'name="version" value="{org_a.version}"' in page
    donnees = _sans_version(org_a, ["nom", "type", "siren", "population", "nombre_agents", "contact_public"])
    reponse = client.post(
        f"/o/{org_a.slug}/parametres/",
        {**donnees, "seuil_secret": org_a.seuil_secret, "nom": "Nouveau nom", "version": org_a.version},
    )
    assert reponse.status_code == 302
    assert Organisation.objects.get(pk=org_a.pk).nom == "Nouveau nom"


def test_ecrire_reprend_le_conflit_ou_l_erreur_dans_le_formulaire(systeme_a, referent_a):
    """balise/formulaires.ecrire, le cycle d'écriture des pages : succès, conflit de version (le
    formulaire repart de la version à jour, le conflit est rendu), refus (erreur du formulaire)."""
    from django import forms
    from django.core.exceptions import ValidationError

    from balise.formulaires import ChampVersion, ecrire

    class Nom(forms.Form):
        nom = forms.CharField()
        version = ChampVersion()

    def renommer(form):
        d = form.cleaned_data
        return registre.modifier_systeme(systeme_a.pk, {"nom": d["nom"]}, d["version"], referent_a)

    form = Nom({"nom": "Premier", "version": "1"})
    assert form.is_valid()
    reussie = ecrire(form, lambda: renommer(form))
    assert reussie.ecrit and reussie.resultat.nom == "Premier" and reussie.conflit is None
    perime = Nom({"nom": "Second", "version": "1"})
    assert perime.is_valid()
    conflit = ecrire(perime, lambda: renommer(perime))
    assert not conflit.ecrit and conflit.conflit is not None and perime.data["version"] == "2"
    assert SystemeIA.objects.get(pk=systeme_a.pk).nom == "Premier"

    def refuser():
        raise ValidationError("Nom refusé.")

    refus = ecrire(form, refuser)
    assert not refus.ecrit and refus.conflit is None and form.non_field_errors() == ["Nom refusé."]
