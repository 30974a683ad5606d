"""Le COPIL d'une mutualisante (issue 17, point 2 ; seed 001:959) : une instance de l'intercommunalité
dont l'ordre du jour reçoit les systèmes des membres qui lui partagent leur portefeuille sous une
convention ouverte ce jour-là, et rien d'autre ; l'avis rendu suit le système chez son membre, la
décision reste au membre."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from balise.gouvernance import services_avis, services_seances
from balise.gouvernance import services_instances as gouvernance
from balise.gouvernance.selectors_seances import organisations_inscriptibles, propositions
from balise.gouvernance.services_avis import NouvelleCondition
from balise.mutualisation import services as mutualisation
from tests import fabrique, instantane

AUJOURD_HUI = timezone.localdate


@pytest.fixture
def agglo(db):
    return fabrique.organisation("Agglomération du Val", slug="agglo", type="epci")


@pytest.fixture
def dgs_agglo(agglo):
    return fabrique.membre(agglo, "administrateur", "dgs@agglo.fr")


@pytest.fixture
def copil(agglo, dgs_agglo):
    instance = gouvernance.creer_instance(
        agglo,
        {"nom": "COPIL des DGS", "mission": "Piloter la démarche commune.", "nature": "decisionnelle"},
        dgs_agglo,
        modele="copil_dgs",
    )
    return services_seances.programmer(
        instance, timezone.now() + timedelta(days=10), 90, "Siège", dgs_agglo
    ).instance


@pytest.fixture
def seance(copil):
    return copil.seances.get()


def _convention(agglo, dgs_agglo, membre, admin_membre, **termes):
    c = mutualisation.proposer(
        agglo,
        membre,
        dgs_agglo,
        objet="Démarche commune d'IA",
        role="lecteur",
        debut=termes.pop("debut", AUJOURD_HUI()),
        fin=termes.pop("fin", None),
    )
    return mutualisation.signer(membre, c.pk, c.version, admin_membre, **termes)


@pytest.fixture
def sous_convention(agglo, dgs_agglo, org_a, admin_a, systeme_a):
    return _convention(agglo, dgs_agglo, org_a, admin_a)


def test_l_ordre_du_jour_recoit_les_systemes_des_membres_qui_partagent(
    copil, seance, sous_convention, systeme_a, systeme_b, dgs_agglo, org_a
):
    assert [o.slug for o in organisations_inscriptibles(copil, AUJOURD_HUI())] == ["agglo", "commune-a"]
    assert [s.pk for s in propositions(copil, AUJOURD_HUI()).systemes] == [systeme_a.pk]
    point = services_seances.ajouter_point(
        seance.pk, "porte", dgs_agglo, systeme=systeme_a.pk, stade_vise="etude"
    )
    assert point.organisation == org_a and point.systeme == systeme_a


@pytest.mark.parametrize(
    "termes",
    [
        {"partage_portefeuille": False},
        {"debut": date(2099, 1, 1)},
        {"fin": date(2020, 1, 2), "debut": date(2020, 1, 1)},
    ],
    ids=["sans partage du portefeuille", "convention pas encore ouverte", "convention échue"],
)
def test_rien_d_un_membre_qui_ne_partage_pas_ce_jour_la(
    agglo, dgs_agglo, copil, seance, org_a, admin_a, systeme_a, termes
):
    partage = termes.pop("partage_portefeuille", True)
    c = _convention(agglo, dgs_agglo, org_a, admin_a, **termes)
    if not partage:
        mutualisation.partager_portefeuille(org_a, c.pk, c.version, admin_a, False)
    assert propositions(copil, AUJOURD_HUI()).systemes == []
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="ni d'un membre qui le lui partage"):
        services_seances.ajouter_point(
            seance.pk, "porte", dgs_agglo, systeme=systeme_a.pk, stade_vise="etude"
        )
    assert instantane.photo() == avant


def test_une_convention_terminee_ferme_l_ordre_du_jour(
    seance, sous_convention, systeme_a, dgs_agglo, org_a, admin_a
):
    mutualisation.terminer(org_a, sous_convention.pk, sous_convention.version, admin_a, "Fin de la démarche")
    with pytest.raises(ValidationError):
        services_seances.ajouter_point(
            seance.pk, "porte", dgs_agglo, systeme=systeme_a.pk, stade_vise="etude"
        )


def test_jamais_le_systeme_d_une_organisation_sans_convention(seance, systeme_b, dgs_agglo, sous_convention):
    with pytest.raises(ValidationError):
        services_seances.ajouter_point(
            seance.pk, "porte", dgs_agglo, systeme=systeme_b.pk, stade_vise="etude"
        )


def test_l_avis_suit_le_systeme_chez_son_membre_et_la_decision_lui_reste(
    seance, sous_convention, systeme_a, dgs_agglo, org_a, admin_a, referent_a
):
    point = services_seances.ajouter_point(
        seance.pk, "porte", dgs_agglo, systeme=systeme_a.pk, stade_vise="etude"
    )
    reserve = NouvelleCondition(
        "Informer les agents du service", referent_a, AUJOURD_HUI() + timedelta(days=30)
    )
    services_avis.rendre_avis(
        point,
        {"sens": "favorable_reserves", "motifs": "Utile, sous réserve d'informer les agents."},
        [reserve],
        dgs_agglo,
    )
    # La réserve est une condition du membre, suivie par une personne du membre.
    (condition,) = systeme_a.conditions.all()
    assert condition.organisation == org_a and condition.responsable == referent_a
    # Une personne de l'agglomération ne répond pas d'une condition de la commune.
    etrangere = NouvelleCondition("Autre", dgs_agglo, AUJOURD_HUI() + timedelta(days=30))
    point_2 = services_seances.ajouter_point(
        seance.pk, "porte", dgs_agglo, systeme=systeme_a.pk, stade_vise="etude"
    )
    with pytest.raises(ValidationError, match="organisation du système"):
        services_avis.rendre_avis(
            point_2, {"sens": "favorable_reserves", "motifs": "M."}, [etrangere], dgs_agglo
        )
    # La décision revient aux instances de la commune.
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="la décision revient aux instances"):
        services_avis.prendre_decision(
            systeme_a,
            {"sens": "experimenter", "motifs": "Essai.", "decidee_le": AUJOURD_HUI()},
            [],
            dgs_agglo,
            point=point,
        )
    assert instantane.photo() == avant
    # La fiche du système, chez la commune, montre l'avis du COPIL de l'agglomération, sans lien vers
    # une séance qu'elle ne voit pas.
    client = Client()
    client.force_login(admin_a)
    fiche = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert (
        "avis <strong>favorable avec réserves</strong> de COPIL des DGS, instance de Agglomération du Val"
        in fiche
    )
    assert f"/o/commune-a/points/{point.pk}/" not in fiche
    assert "Utile, sous réserve d&#x27;informer les agents." in fiche


def test_la_page_d_inscription_nomme_le_membre_et_la_page_du_point_mene_a_sa_fiche(
    client, copil, seance, sous_convention, systeme_a, dgs_agglo
):
    client.force_login(dgs_agglo)
    page = client.get(f"/o/agglo/seances/{seance.pk}/points/nouveau/").content.decode()
    assert f"Commune A — {systeme_a.nom}" in page
    reponse = client.post(
        f"/o/agglo/seances/{seance.pk}/points/nouveau/",
        {"nature": "porte", "systeme": str(systeme_a.pk), "stade_vise": "etude"},
    )
    assert reponse.status_code == 302
    point = seance.points.get()
    # Le DGS de l'agglomération n'entre chez la commune qu'au titre de la convention (rôle accordé :
    # lecteur, qui lit le registre) : le lien vers la fiche du système lui est montré.
    page_point = client.get(f"/o/agglo/points/{point.pk}/").content.decode()
    assert f'href="/o/commune-a/registre/{systeme_a.pk}/"' in page_point
    assert "système de Commune A" in page_point
    assert "Enregistrer la décision" not in page_point
