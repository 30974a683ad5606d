"""Historique et changements lus par `balise/versions.py`, au niveau des services (rapides : le test de
mutation les relance pour chaque mutant de versions.py, sans passer par les pages)."""

import pytest

from balise import versions
from balise.registre import services as registre
from balise.registre.models import SystemeIA
from tests import fabrique

META = SystemeIA._meta


def test_affichage_des_valeurs():
    assert versions._affichage(META, "nom", None) == "—"
    assert versions._affichage(META, "nom", "") == "—"
    assert versions._affichage(META, "publie", True) == "Oui"
    assert versions._affichage(META, "publie", False) == "Non"
    assert versions._affichage(META, "domaine", "securite") == "Sécurité et gestion de crise"
    # Valeur sortie de la liste des choix (référentiel modifié depuis) : montrée telle quelle.
    assert versions._affichage(META, "domaine", "ancien_domaine") == "ancien_domaine"
    assert versions._affichage(META, "nom", 12) == "12"
    assert versions._libelle(META, "cible") == "utilisateurs et bénéficiaires"


def test_changements_depuis_donne_libelles_et_valeurs_affichees(org_a, referent_a, admin_a):
    systeme = fabrique.systeme(org_a, referent_a)
    donnees = {"domaine": "securite", "donnees_personnelles": True, "fournisseur": "Éditeur"}
    systeme = registre.modifier_systeme(systeme.pk, donnees, 1, admin_a)
    changements, auteurs = versions.changements_depuis(systeme, 1)
    assert auteurs == [admin_a.nom_affiche]
    assert sorted(changements, key=lambda c: c.champ) == [
        versions.Changement(
            "domaine",
            "domaine",
            "relation_usagers",
            "securite",
            "Relation aux usagers",
            "Sécurité et gestion de crise",
        ),
        versions.Changement(
            "donnees_personnelles", "utilise des données personnelles", False, True, "Non", "Oui"
        ),
        versions.Changement("fournisseur", "fournisseur ou éditeur", "", "Éditeur", "—", "Éditeur"),
    ]
    # Rien de changé depuis la version actuelle ; une version inconnue ne se compare à rien.
    assert versions.changements_depuis(systeme, 2) == ([], [])
    assert versions.changements_depuis(systeme, 7) == ([], [])


def test_conflit_sans_auteur_connu():
    systeme = SystemeIA(version=4)
    conflit = versions.ConflitEdition(systeme, [], [])
    assert conflit.message.startswith("Cette fiche a été modifiée par une autre personne depuis")
    assert "(version 4)" in conflit.message and str(conflit) == conflit.message
    assert conflit.objet is systeme and conflit.changements == [] and conflit.auteurs == []
    absente = versions.VersionAbsente(systeme)
    assert "(version 4)" in absente.message and str(absente) == absente.message
    assert absente.changements == [] and absente.auteurs == []


def test_historique_du_plus_recent_au_plus_ancien(org_a, referent_a, admin_a):
    systeme = fabrique.systeme(org_a, referent_a)
    registre.modifier_systeme(systeme.pk, {"nom": "Deuxième nom"}, 1, admin_a)
    systeme = registre.modifier_systeme(systeme.pk, {"publie": True, "nom": "Troisième"}, 2, None)
    entrees = versions.historique(systeme)
    assert [(e.auteur, e.nature) for e in entrees] == [
        ("Système", "Modification"),
        (admin_a.nom_affiche, "Modification"),
        (referent_a.nom_affiche, "Création"),
    ]
    assert entrees[1].changements == [("nom", "Assistant de test", "Deuxième nom")]
    assert entrees[2].changements == [] and entrees[2].motif == ""
    # Les deux plus récentes seulement, la seconde encore comparée à la version qui la précède.
    assert versions.historique(systeme, limite=2) == entrees[:2]
    assert versions.historique(systeme, limite=0) == []


def test_historique_garde_le_motif_de_la_version(org_a, referent_a):
    systeme = fabrique.systeme(org_a, referent_a)
    systeme.nom = "Renommé"
    systeme._change_reason = "Erreur de saisie"
    versions.enregistrer(systeme, referent_a)
    assert systeme.version == 2
    recente = versions.historique(systeme)[0]
    assert (recente.motif, recente.changements) == (
        "Erreur de saisie",
        [("nom", "Assistant de test", "Renommé")],
    )


def test_verrouiller_refuse_une_version_booleenne_ou_texte(systeme_a):
    # `True == 1` : sans ce refus, un booléen passerait pour la version 1.
    for version in (True, "1"):
        with pytest.raises(versions.VersionAbsente):
            versions.verrouiller(SystemeIA.objects.all(), systeme_a.pk, version)
    assert versions.verrouiller(SystemeIA.objects.all(), systeme_a.pk, 1) == systeme_a
