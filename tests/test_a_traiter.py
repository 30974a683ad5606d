"""« À traiter » : le sélecteur unique (chaque catégorie, droits, membre externe, passage de minuit,
requêtes en nombre constant)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from balise.conformite.models import ObligationSuivie
from balise.gouvernance import a_traiter
from balise.gouvernance.models import Condition, Seance
from balise.registre.models import SystemeIA
from tests import fabrique
from tests import gouvernance_fabrique as g

JOUR = timedelta(days=1)


def _aujourd_hui():
    return timezone.localdate()


@pytest.fixture
def externe_a(org_a):
    return fabrique.membre(org_a, "externe", "externe-a@exemple.fr")


def test_obligations_en_retard_et_proches_seulement_les_siennes(org_a, systeme_a, referent_a, lecteur_a):
    aujourd_hui = _aujourd_hui()
    retard = g.obligation(systeme_a, referent_a, aujourd_hui - JOUR, titre="Documentation en retard")
    proche = g.obligation(systeme_a, referent_a, aujourd_hui + timedelta(days=a_traiter.JOURS_PROCHES))
    g.obligation(
        systeme_a, referent_a, aujourd_hui + timedelta(days=a_traiter.JOURS_PROCHES + 1)
    )  # trop loin
    g.obligation(systeme_a, referent_a, aujourd_hui - JOUR, statut=ObligationSuivie.Statut.FAITE)
    g.obligation(systeme_a, referent_a, aujourd_hui - JOUR, applicable=False)
    g.obligation(systeme_a, lecteur_a, aujourd_hui - JOUR)  # celle d'un autre

    r = a_traiter.pour_personne(referent_a, org_a, "referent", aujourd_hui)

    assert [o.pk for o in r.obligations] == [retard.pk, proche.pk]
    assert [o.en_retard for o in r.obligations] == [True, False]
    assert (r.nb_obligations, r.nb_obligations_en_retard) == (2, 1)
    assert r.en_retard == 1


def test_obligations_d_un_systeme_archive_ignorees(org_a, systeme_a, referent_a):
    g.obligation(systeme_a, referent_a, _aujourd_hui() - JOUR)
    SystemeIA.objects.filter(pk=systeme_a.pk).update(archive_le=timezone.now())
    r = a_traiter.pour_personne(referent_a, org_a, "referent", _aujourd_hui())
    assert r.nb_obligations == 0 and r.vide


def test_conditions_en_retard_et_proches(org_a, systeme_a, referent_a, lecteur_a):
    aujourd_hui = _aujourd_hui()
    retard = g.condition(systeme_a, lecteur_a, aujourd_hui - timedelta(days=3))
    proche = g.condition(systeme_a, lecteur_a, aujourd_hui + timedelta(days=10))
    g.condition(systeme_a, lecteur_a, aujourd_hui - JOUR, statut=Condition.Statut.LEVEE)
    g.condition(systeme_a, lecteur_a, aujourd_hui + timedelta(days=90))
    g.condition(systeme_a, referent_a, aujourd_hui - JOUR)

    r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", aujourd_hui)

    assert [c.pk for c in r.conditions] == [retard.pk, proche.pk]
    assert [c.en_retard for c in r.conditions] == [True, False]
    assert (r.nb_conditions, r.nb_conditions_en_retard) == (2, 1)


def test_evaluations_qui_attendent_sa_cotation(org_a, systeme_a, referent_a, lecteur_a):
    a_coter = g.evaluation(systeme_a, referent_a, [lecteur_a])
    cotee = g.evaluation(systeme_a, referent_a, [lecteur_a])
    g.tout_coter(cotee, lecteur_a)
    finalisee = g.evaluation(systeme_a, referent_a, [lecteur_a])
    finalisee.statut = finalisee.Statut.FINALISEE
    finalisee.save()
    g.evaluation(systeme_a, referent_a, [referent_a])  # où elle n'est pas invitée

    r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", _aujourd_hui())

    assert [e.evaluation.pk for e in r.evaluations] == [a_coter.pk]
    assert r.evaluations[0].cotes == 0 and r.evaluations[0].items > 0


def test_seances_a_venir_des_instances_ou_elle_siege(org_a, systeme_a, referent_a, lecteur_a):
    comite = g.instance(org_a)
    autre = g.instance(org_a, "COPIL")
    g.sieger(comite, lecteur_a)
    prochaine = g.seance(comite, g.dans(7), referent_a, statut=Seance.Statut.CONVOQUEE)
    avec_dossier = g.point(prochaine, "Passage en production", systeme_a, dossier="dossiers_seances/x.pdf")
    g.point(prochaine, "Questions diverses")
    aujourd_hui = g.seance(comite, g.dans(0, heure=0), referent_a)  # plus tôt ce jour : encore affichée
    g.seance(comite, g.dans(-1), referent_a)  # passée
    g.seance(comite, g.dans(3), referent_a, statut=Seance.Statut.ANNULEE)
    g.seance(autre, g.dans(2), referent_a)  # instance où elle ne siège pas

    r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", _aujourd_hui())

    assert [s.seance.pk for s in r.seances] == [aujourd_hui.pk, prochaine.pk]
    assert [p.pk for p in r.seances[1].dossiers] == [avec_dossier.pk]
    assert r.seances[1].points == 2


def test_siege_retire_plus_de_seances(org_a, referent_a, lecteur_a):
    comite = g.instance(org_a)
    g.sieger(comite, lecteur_a, retire_le=timezone.now())
    g.seance(comite, g.dans(7), referent_a)
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", _aujourd_hui()).seances == []


def test_systemes_en_attente_de_decision_pour_qui_gouverne(org_a, referent_a, lecteur_a):
    attend = fabrique.systeme(org_a, referent_a, nom="Attend")
    g.passer_en_decision(attend, referent_a)
    decide = fabrique.systeme(org_a, referent_a, nom="Décidé")
    g.passer_en_decision(decide, referent_a, le=timezone.now() - timedelta(days=2))
    g.decision(decide, referent_a)
    # Une décision antérieure à son dernier retour au stade « décision » ne compte pas.
    revenu = fabrique.systeme(org_a, referent_a, nom="Revenu")
    g.decision(revenu, referent_a)
    g.passer_en_decision(revenu, referent_a, le=timezone.now() + timedelta(seconds=1))
    fabrique.systeme(org_a, referent_a, nom="Idée")

    r = a_traiter.pour_personne(referent_a, org_a, "referent", _aujourd_hui())
    assert [s.nom for s in r.decisions_attendues] == ["Attend", "Revenu"]
    assert r.nb_decisions_attendues == 2
    # Le lecteur ne gouverne pas : la section ne lui est pas ouverte.
    lecteur = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", _aujourd_hui())
    assert not lecteur.gouverne and lecteur.decisions_attendues == []


def test_systemes_a_requalifier_pour_qui_qualifie(org_a, systeme_a, referent_a, lecteur_a):
    g.qualification(systeme_a, referent_a, a_requalifier=True)
    a_jour = fabrique.systeme(org_a, referent_a, nom="À jour")
    g.qualification(a_jour, referent_a)

    assert [
        s.pk for s in a_traiter.pour_personne(referent_a, org_a, "dpo", _aujourd_hui()).a_requalifier
    ] == [systeme_a.pk]
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", _aujourd_hui()).a_requalifier == []


def test_membre_externe_ne_voit_que_ses_seances(org_a, systeme_a, referent_a, externe_a):
    comite = g.instance(org_a)
    g.sieger(comite, externe_a, qualite="Représentant syndical")
    s = g.seance(comite, g.dans(5), referent_a)
    # Même désigné responsable ou évaluateur, il ne voit rien d'autre de l'organisation.
    g.obligation(systeme_a, externe_a, _aujourd_hui() - JOUR)
    g.condition(systeme_a, externe_a, _aujourd_hui() - JOUR)
    g.evaluation(systeme_a, referent_a, [externe_a])
    g.qualification(systeme_a, referent_a, a_requalifier=True)
    g.passer_en_decision(systeme_a, referent_a)

    r = a_traiter.pour_personne(externe_a, org_a, "externe", _aujourd_hui())

    assert [x.seance.pk for x in r.seances] == [s.pk]
    assert not (r.voit_registre or r.gouverne or r.qualifie)
    assert (r.obligations, r.conditions, r.evaluations, r.decisions_attendues, r.a_requalifier) == (
        [],
        [],
        [],
        [],
        [],
    )
    assert r.nb_obligations == r.nb_conditions == 0


def test_rien_d_une_autre_organisation(org_a, org_b, systeme_b, admin_b, referent_a):
    # La même personne, membre de deux organisations : chaque liste reste dans la sienne.
    from balise.organisations.models import Adhesion

    Adhesion.objects.create(utilisateur=referent_a, organisation=org_b, role="referent")
    g.obligation(systeme_b, referent_a, _aujourd_hui() - JOUR)
    g.condition(systeme_b, referent_a, _aujourd_hui() - JOUR)
    g.evaluation(systeme_b, admin_b, [referent_a])
    comite_b = g.instance(org_b)
    g.sieger(comite_b, referent_a)
    g.seance(comite_b, g.dans(3), admin_b)
    g.passer_en_decision(systeme_b, admin_b)
    g.qualification(systeme_b, admin_b, a_requalifier=True)

    assert a_traiter.pour_personne(referent_a, org_a, "referent", _aujourd_hui()).vide
    assert not a_traiter.pour_personne(referent_a, org_b, "referent", _aujourd_hui()).vide


def test_l_echeance_passe_a_minuit_sans_ecriture(org_a, systeme_a, referent_a):
    """Une échéance « aujourd'hui » n'est pas en retard ; à minuit passé, sans aucune écriture, elle l'est."""
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 10, 23, 59)), tick=False):
        jour = timezone.localdate()
        g.obligation(systeme_a, referent_a, jour)
        g.condition(systeme_a, referent_a, jour)
        r = a_traiter.pour_personne(referent_a, org_a, "referent", timezone.localdate())
        assert r.en_retard == 0 and r.nb_obligations == 1 and r.nb_conditions == 1
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 11, 0, 0, 1)), tick=False):
        r = a_traiter.pour_personne(referent_a, org_a, "referent", timezone.localdate())
        assert (r.nb_obligations_en_retard, r.nb_conditions_en_retard) == (1, 1)
        assert r.obligations[0].en_retard and r.conditions[0].en_retard


def test_listes_bornees_totaux_exacts(org_a, systeme_a, referent_a):
    qualif = g.qualification(systeme_a, referent_a)
    for _ in range(a_traiter.LIMITE + 5):
        g.obligation(systeme_a, referent_a, _aujourd_hui() - JOUR, qualif=qualif)
    r = a_traiter.pour_personne(referent_a, org_a, "referent", _aujourd_hui())
    assert len(r.obligations) == a_traiter.LIMITE
    assert r.nb_obligations == r.nb_obligations_en_retard == a_traiter.LIMITE + 5


def _peupler(org, referent, autre, n):
    """n systèmes, chacun avec des obligations, une condition, une évaluation, un passage en décision,
    une qualification à revoir ; n séances d'une instance de n membres."""
    comite = g.instance(org, f"Comité {n}")
    g.sieger(comite, referent)
    for i in range(n):
        systeme = fabrique.systeme(org, referent, nom=f"Système {n}-{i}")
        qualif = g.qualification(systeme, referent, a_requalifier=True)
        for j in range(3):
            g.obligation(systeme, referent, _aujourd_hui() + timedelta(days=j - 1), qualif=qualif)
        g.condition(systeme, referent, _aujourd_hui() - JOUR)
        g.evaluation(systeme, referent, [referent])
        g.passer_en_decision(systeme, referent)
        membre = fabrique.membre(org, "comite")
        g.sieger(comite, membre)
        s = g.seance(comite, g.dans(i + 1), referent)
        g.point(s, "Point", systeme, dossier="dossiers_seances/d.pdf")


@pytest.mark.parametrize("role", ["referent", "externe"])
def test_requetes_en_nombre_constant(org_a, referent_a, lecteur_a, django_assert_max_num_queries, role):
    from balise.organisations.models import Adhesion

    Adhesion.objects.filter(utilisateur=referent_a, organisation=org_a).update(role=role)
    # Au plus deux requêtes par section (la liste, puis son total quand elle dépasse LIMITE), une
    # pour les évaluations : onze, quels que soient les volumes (ici au-delà de LIMITE pour la seconde).
    _peupler(org_a, referent_a, lecteur_a, 2)
    with django_assert_max_num_queries(a_traiter.MAX_REQUETES):
        a_traiter.pour_personne(referent_a, org_a, role, _aujourd_hui())
    _peupler(org_a, referent_a, lecteur_a, 20)
    with django_assert_max_num_queries(a_traiter.MAX_REQUETES):
        r = a_traiter.pour_personne(referent_a, org_a, role, _aujourd_hui())
    assert len(r.seances) == a_traiter.LIMITE
    if role == "referent":
        assert r.nb_obligations == 66 and len(r.evaluations) == 20 and r.nb_decisions_attendues == 22
