"""Règles du registre : cycle de vie, verrou optimiste, archivage, historique."""

import pytest
from django.core.exceptions import ValidationError

from balise.registre import services
from balise.registre.cycle_de_vie import TRANSITIONS, Stade
from balise.registre.models import ChangementStade
from tests import fabrique


def test_creation_attribuee_et_historisee(org_a, referent_a):
    s = fabrique.systeme(org_a, referent_a)
    h = s.history.get()
    assert h.history_type == "+" and h.history_user == referent_a and s.version == 1


def test_fiche_incomplete_refusee(org_a, referent_a):
    with pytest.raises(ValidationError):
        services.creer_systeme(org_a, {**fabrique.FICHE_MINIMALE, "domaine": "inconnu"}, referent_a)


@pytest.mark.parametrize(("depuis", "vers"), [(d, v) for d, vs in TRANSITIONS.items() for v in vs])
def test_chaque_transition_permise(systeme_a, referent_a, admin_a, depuis, vers):
    type(systeme_a).objects.filter(pk=systeme_a.pk).update(stade=depuis)
    # Les stades qui ont une porte (expérimentation, production) : la fiche minimale ne la franchit
    # pas, un administrateur la passe en la justifiant (tests/test_portes.py pour les portes).
    par = admin_a if vers in ("experimentation", "production") else referent_a
    s = services.changer_stade(systeme_a.pk, vers, "motif", par, 1, justification="Reprise de l'existant")
    assert s.stade == vers
    assert ChangementStade.objects.filter(systeme=s, depuis=depuis, vers=vers, par=par).exists()


def test_transition_interdite_ne_change_rien(systeme_a, referent_a):
    with pytest.raises(services.TransitionInterdite, match="Stades possibles"):
        services.changer_stade(systeme_a.pk, Stade.PRODUCTION, "", referent_a, 1)
    systeme_a.refresh_from_db()
    assert systeme_a.stade == Stade.IDEE and systeme_a.version == 1


def test_abandon_exige_un_motif(systeme_a, referent_a):
    with pytest.raises(services.TransitionInterdite, match="motif"):
        services.changer_stade(systeme_a.pk, Stade.ABANDON, "   ", referent_a, 1)
    s = services.changer_stade(systeme_a.pk, Stade.ABANDON, "Risque trop élevé", referent_a, 1)
    assert s.motif_fin == "Risque trop élevé"


def test_modification_concurrente_refusee_avec_les_changements(systeme_a, referent_a, admin_a):
    services.modifier_systeme(systeme_a.pk, {"nom": "Nom d'Anne"}, 1, admin_a)
    with pytest.raises(services.ConflitEdition) as erreur:
        services.modifier_systeme(systeme_a.pk, {"service": "Autre"}, 1, referent_a)
    conflit = erreur.value
    assert [c.champ for c in conflit.changements] == ["nom"]
    assert conflit.changements[0].apres == "Nom d'Anne"
    assert admin_a.email in conflit.message
    systeme_a.refresh_from_db()
    assert systeme_a.service == fabrique.FICHE_MINIMALE["service"] and systeme_a.version == 2


def test_archiver_retire_du_public_et_garde_l_historique(systeme_a, admin_a):
    s = services.publier(systeme_a.pk, True, admin_a, 1)
    s = services.archiver(systeme_a.pk, admin_a, s.version)
    assert s.archive and not s.publie
    assert s.history.count() == 3
    assert services.restaurer(s.pk, admin_a, s.version).archive_le is None


def test_publier_exige_la_contribution_aux_decisions(org_a, admin_a):
    s = fabrique.systeme(org_a, admin_a, contribution_decision="")
    with pytest.raises(ValidationError, match="contribue aux décisions"):
        services.publier(s.pk, True, admin_a, s.version)


def test_publier_une_decision_individuelle_exige_ses_regles(org_a, admin_a):
    s = fabrique.systeme(
        org_a, admin_a, contribution_decision="Aide à l'instruction.", decision_individuelle=True
    )
    with pytest.raises(ValidationError, match="L312-1-3"):
        services.publier(s.pk, True, admin_a, s.version)
    services.modifier_systeme(
        s.pk, {"regles_traitement": "Vérifie les pièces ; sans pondération."}, 1, admin_a
    )
    assert services.publier(s.pk, True, admin_a, 2).publie


def test_filtre_invalide_signale_et_ignore(client, systeme_a, admin_a):
    client.force_login(admin_a)
    page = client.get(f"/o/{systeme_a.organisation.slug}/registre/?stade=inexistant").content.decode()
    assert "Filtres invalides, ignorés" in page and systeme_a.nom in page


@pytest.mark.parametrize("systeme_pk, pk", [(10**30, 1), (1, 10**30)])
def test_un_identifiant_de_document_hors_des_entiers_de_la_base_est_introuvable(systeme_a, systeme_pk, pk):
    """Trouvé par le fuzzing de l'API : sur SQLite, une clé étrangère trop grande levait OverflowError (500)."""
    from django.http import Http404

    from balise.registre import selectors

    with pytest.raises(Http404):
        selectors.document(systeme_a.organisation, systeme_pk, pk)
