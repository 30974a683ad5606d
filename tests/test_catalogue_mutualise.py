"""Le catalogue de la passerelle partagé par une mutualisante (issue 18, point 1) : elle approuve un
modèle chez son fournisseur, le partage ; une commune membre le reprend et ses agents l'emploient par la
passerelle de Balise, avec la clé de la mutualisante (jamais recopiée), leurs propres règles, leur journal
et une fiche au registre de la commune. Le partage retiré, la convention terminée : le modèle ne sert plus."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from balise.mutualisation import modeles_partages
from balise.mutualisation import services as mutualisation
from balise.mutualisation.models import ModelePartage
from balise.passerelle import disponibles, envoi, services
from balise.passerelle import services_catalogue as catalogue
from balise.passerelle.models import Fournisseur, ModeleCatalogue, Requete
from balise.registre.models import SystemeIA
from balise.regles_usage import services as regles
from tests import fabrique, instantane
from tests.modele_local import fixture_modele_local  # noqa: F401  (la fixture « modele_local »)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = timezone.localdate
MODELE_IA = ModelePartage.Nature.MODELE_IA


@pytest.fixture
def agglo(db):
    return fabrique.organisation("Agglomération du Val", slug="agglo", type="epci", siren="200000172")


@pytest.fixture
def admin_agglo(agglo):
    return fabrique.membre(agglo, "administrateur", "admin@agglo.fr")


@pytest.fixture
def modele_agglo(agglo, admin_agglo, modele_local):
    """Le modèle que l'agglomération approuve chez son fournisseur (le serveur local, sa clé)."""
    fournisseur = catalogue.ajouter_fournisseur(
        agglo,
        {"nom": "Albert de l'agglo", "url_base": modele_local.url, "hebergement": "france", "delai_s": 5},
        modele_local.cle,
        admin_agglo,
    )
    return catalogue.ajouter_modele(
        agglo, fournisseur.pk, {"identifiant": "albert-large", "libelle": "Albert", "prix_entree_million": Decimal("2")}, ["interne"], admin_agglo
    )  # fmt: skip


def _convention(agglo, membre, admin_agglo, admin_membre):
    c = mutualisation.proposer(
        agglo, membre, admin_agglo, objet="Passerelle", role="referent", debut=AUJOURD_HUI(), fin=None
    )
    return mutualisation.signer(membre, c.pk, c.version, admin_membre)


def _reprendre(membre, admin, partage):
    (vu,) = [v for v in modeles_partages.partages_pour(membre, AUJOURD_HUI()) if v.partage.pk == partage.pk]
    modeles_partages.reprendre(membre, partage.pk, admin, vu.amont.revision, vu.version_locale, AUJOURD_HUI())
    return ModeleCatalogue.objects.get(organisation=membre, amont__isnull=False)


def _prete(org, admin):
    brouillon = regles.creer_brouillon(org, admin)
    regles.publier(org, brouillon.pk, admin, brouillon.version)
    services.premiere_utilisation(org, admin, None, "État civil de la commune")


def test_la_commune_emploie_le_modele_de_l_agglomeration_par_sa_passerelle(
    agglo, admin_agglo, modele_agglo, org_a, admin_a, modele_local
):
    _convention(agglo, org_a, admin_agglo, admin_a)
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "Contrat Albert", admin_agglo)
    copie = _reprendre(org_a, admin_a, partage)

    # Chez la commune : son catalogue, sa fiche au registre ; pas de fournisseur à elle, pas de clé.
    assert copie.fournisseur_id == modele_agglo.fournisseur_id and copie.amont == modele_agglo
    assert (copie.libelle, copie.identifiant, copie.classes_permises) == (
        "Albert",
        "albert-large",
        ["interne"],
    )
    assert copie.prix_entree_million == Decimal("2")
    fiche = SystemeIA.objects.get(pk=copie.systeme_id)
    assert fiche.organisation == org_a and fiche.fournisseur == "Albert de l'agglo, par Agglomération du Val"
    assert not Fournisseur.objects.filter(organisation=org_a).exists()
    assert disponibles.modeles_disponibles(org_a) == [copie]

    # Un agent de la commune l'emploie : la requête part avec la clé de l'agglomération, ses données
    # personnelles masquées, et va au journal de la commune.
    _prete(org_a, admin_a)
    modele_local.scenario.texte = "Bien reçu."
    echange = services.converser(org_a, admin_a, copie, "Écris à Mme Claire Dubois.", None)
    assert echange.resultat is not None and echange.resultat.texte == "Bien reçu."
    recue = modele_local.recues[-1]
    assert recue.entetes["authorization"] == f"Bearer {modele_local.cle}"
    assert "Claire Dubois" not in recue.corps["messages"][0]["content"]
    requete = Requete.objects.get()
    assert requete.organisation_id == org_a.pk and requete.modele == copie

    # La page de la commune le propose et dit d'où il vient, sans la clé.
    client = Client()
    client.force_login(admin_a)
    page = html.unescape(client.get("/o/commune-a/passerelle/catalogue/").content.decode())
    assert "repris de Agglomération du Val, qui en tient la clé" in page and "Proposé" in page
    assert "Albert de l'agglo" in page and modele_local.cle[-4:] not in page

    # L'agglomération voit ce que la commune a consommé sur son contrat : un total par membre.
    gestion = Client()
    gestion.force_login(admin_agglo)
    usage = html.unescape(gestion.get("/o/agglo/passerelle/usage/").content.decode())
    assert "Par membre, sur les modèles que vous leur partagez" in usage
    ligne = re.search(r"<th[^>]*>Commune A</th>(.*?)</tr>", usage, re.S)
    assert ligne is not None and re.search(r"<td[^>]*>1</td>", ligne.group(1))
    assert "État civil de la commune" not in usage and admin_a.email not in usage  # ni service ni personne
    assert "Par membre" not in html.unescape(client.get("/o/commune-a/passerelle/usage/").content.decode())


def test_suivre_la_nouvelle_version_garde_le_nom_et_le_choix_de_la_commune(
    agglo, admin_agglo, modele_agglo, org_a, admin_a
):
    _convention(agglo, org_a, admin_agglo, admin_a)
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "", admin_agglo)
    copie = _reprendre(org_a, admin_a, partage)
    copie = catalogue.modifier_modele(
        org_a, copie.pk, {"libelle": "Albert intercommunal"}, [], copie.version, admin_a
    )
    fiche = copie.systeme_id

    catalogue.modifier_modele(
        agglo, modele_agglo.pk, {"prix_entree_million": Decimal("3"), "identifiant": "albert-xl"},
        ["interne", "personnelle"], modele_agglo.version, admin_agglo,
    )  # fmt: skip
    (vu,) = modeles_partages.partages_pour(org_a, AUJOURD_HUI())
    assert vu.statut == "Nouvelle version amont : n° 2, vous avez repris le n° 1"
    suivie = _reprendre(org_a, admin_a, partage)
    assert suivie.pk == copie.pk and suivie.systeme_id == fiche
    assert (suivie.libelle, suivie.identifiant, suivie.prix_entree_million) == (
        "Albert intercommunal",
        "albert-xl",
        Decimal("3"),
    )
    assert suivie.classes_permises == ["interne", "personnelle"]
    assert ModeleCatalogue.objects.filter(organisation=org_a).count() == 1


def test_la_commune_restreint_sans_elargir_ni_regler_ce_que_tient_l_agglomeration(
    agglo, admin_agglo, modele_agglo, org_a, admin_a
):
    _convention(agglo, org_a, admin_agglo, admin_a)
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "", admin_agglo)
    copie = _reprendre(org_a, admin_a, partage)
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="n'autorise pas ce modèle à recevoir"):
        catalogue.modifier_modele(org_a, copie.pk, {}, ["interne", "sensible"], copie.version, admin_a)
    with pytest.raises(ValidationError, match="qui en règle elle-même : prix d'un million de jetons envoyés"):
        catalogue.modifier_modele(
            org_a, copie.pk, {"prix_entree_million": Decimal("0")}, ["interne"], copie.version, admin_a
        )
    assert instantane.photo() == avant
    restreinte = catalogue.modifier_modele(org_a, copie.pk, {}, [], copie.version, admin_a)
    assert restreinte.classes_permises == []

    # Par la page : les champs de l'agglomération sont désactivés ; ce que le navigateur en envoie est
    # ignoré, la valeur en place gardée.
    client = Client()
    client.force_login(admin_a)
    chemin = f"/o/commune-a/passerelle/catalogue/modeles-approuves/{copie.pk}/"
    page = client.get(chemin).content.decode()
    assert 'name="modele-identifiant"' in page and "disabled" in page
    reponse = client.post(
        chemin,
        {"modele-identifiant": "autre", "modele-libelle": "Albert", "modele-jetons_max": 99,
         "modele-classes": ["interne"], "modele-actif": "on", "modele-version": restreinte.version},
    )  # fmt: skip
    assert reponse.status_code == 302
    copie.refresh_from_db()
    assert (copie.identifiant, copie.jetons_max, copie.classes_permises) == (
        "albert-large",
        2000,
        ["interne"],
    )


def test_partage_retire_ou_convention_terminee_le_modele_ne_sert_plus(
    agglo, admin_agglo, modele_agglo, org_a, admin_a, org_b, admin_b
):
    convention = _convention(agglo, org_a, admin_agglo, admin_a)
    _convention(agglo, org_b, admin_agglo, admin_b)
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "", admin_agglo)
    copie_a = _reprendre(org_a, admin_a, partage)
    copie_b = _reprendre(org_b, admin_b, partage)
    assert disponibles.modeles_disponibles(org_a) == [copie_a]

    # La convention de la commune A prend fin : A perd le modèle, B le garde.
    mutualisation.terminer(org_a, convention.pk, convention.version, admin_a)
    assert disponibles.modeles_disponibles(org_a) == []
    assert disponibles.modeles_disponibles(org_b) == [copie_b]
    # Hors des dates d'une convention, rien non plus.
    assert disponibles.modeles_disponibles(org_b, AUJOURD_HUI() - timedelta(days=1)) == []

    # L'agglomération le retire de son catalogue : plus personne ne l'emploie, même partagé.
    catalogue.modifier_modele(
        agglo, modele_agglo.pk, {"actif": False}, ["interne"], modele_agglo.version, admin_agglo
    )
    assert disponibles.modeles_disponibles(org_b) == []
    modele_agglo.refresh_from_db()
    catalogue.modifier_modele(
        agglo, modele_agglo.pk, {"actif": True}, ["interne"], modele_agglo.version, admin_agglo
    )
    assert disponibles.modeles_disponibles(org_b) == [copie_b]

    # Le partage retiré : B le voit encore dans son catalogue (« plus partagé »), ses agents ne l'ont plus,
    # ni par la page ni par l'API.
    modeles_partages.retirer(agglo, partage.pk, partage.version, admin_agglo)
    assert disponibles.modeles_disponibles(org_b) == []
    client = Client()
    client.force_login(admin_b)
    page = html.unescape(client.get("/o/commune-b/passerelle/catalogue/").content.decode())
    assert "Plus partagé par Agglomération du Val" in page


def test_partager_et_reprendre_refus_sans_rien_ecrire(agglo, admin_agglo, modele_agglo, org_a, admin_a):
    _convention(agglo, org_a, admin_agglo, admin_a)
    lecteur = fabrique.membre(agglo, "lecteur", "lecteur@agglo.fr")
    modele_a = catalogue.ajouter_modele(
        org_a,
        catalogue.ajouter_fournisseur(
            org_a, {"nom": "F", "url_base": "http://127.0.0.1:9/v1", "hebergement": "ue"}, "k", admin_a
        ).pk,
        {"identifiant": "x", "libelle": "Albert"},
        [],
        admin_a,
    )
    avant = instantane.photo()
    # Le modèle d'une autre organisation ne se partage pas ; un modèle retiré non plus.
    with pytest.raises(ValidationError, match="Choisissez un modèle que votre passerelle propose"):
        modeles_partages.partager(agglo, MODELE_IA, str(modele_a.pk), "", admin_agglo)
    with pytest.raises(ValidationError, match="Choisissez un modèle"):
        modeles_partages.partager(agglo, MODELE_IA, "abc", "", admin_agglo)
    assert instantane.photo() == avant
    # Un lecteur de l'agglomération ne partage pas (droit gerer_catalogue, par la page).
    client = Client()
    client.force_login(lecteur)
    reponse = client.post("/o/agglo/mutualisation/modeles/", {"modele": f"modele_ia:{modele_agglo.pk}"})
    assert reponse.status_code == 403
    assert instantane.photo() == avant

    # La commune a déjà un « Albert » : la copie prend le nom de l'agglomération en plus.
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "", admin_agglo)
    copie = _reprendre(org_a, admin_a, partage)
    assert copie.libelle == "Albert (Agglomération du Val)"


def test_un_refus_ne_propose_que_les_modeles_que_l_agent_peut_choisir(
    agglo, admin_agglo, modele_agglo, org_a, admin_a
):
    """Le modèle repris qui peut recevoir une donnée sensible est proposé par le refus d'un autre modèle
    tant qu'il est partagé ; le partage retiré, le refus ne le propose plus."""
    _convention(agglo, org_a, admin_agglo, admin_a)
    catalogue.modifier_modele(
        agglo, modele_agglo.pk, {}, ["interne", "personnelle", "sensible"], modele_agglo.version, admin_agglo
    )
    partage = modeles_partages.partager(agglo, MODELE_IA, str(modele_agglo.pk), "", admin_agglo)
    _reprendre(org_a, admin_a, partage)
    local = catalogue.ajouter_modele(
        org_a,
        catalogue.ajouter_fournisseur(
            org_a, {"nom": "F", "url_base": "http://127.0.0.1:9/v1", "hebergement": "ue"}, "k", admin_a
        ).pk,
        {"identifiant": "x", "libelle": "Modèle de la commune"},
        [],
        admin_a,
    )
    question = [{"role": "user", "content": "Le NIR de M. Paul Durand est le 2 84 05 59 350 042 25."}]
    refus = envoi.preparer(local, question, catalogue.reglages(org_a)).decision
    assert refus.action == "refuser" and refus.alternatives == ("Albert",)
    modeles_partages.retirer(agglo, partage.pk, partage.version, admin_agglo)
    refus = envoi.preparer(local, question, catalogue.reglages(org_a)).decision
    assert refus.action == "refuser" and refus.alternatives == ()
    assert "Aucun modèle du catalogue n'est autorisé à les recevoir" in refus.message
