"""La gouvernance de la démonstration (issue 13, point 9) : après `charger_demo`, l'agglomération a un
comité d'éthique à collèges avec des membres externes, une séance passée au procès-verbal approuvé,
des réserves devenues conditions (une levée, une en retard), une décision de mise en production, un
système bloqué à la porte de production et une séance à venir convoquée.

Un seul chargement (long : dossiers PDF de la convocation) pour toutes les vérifications."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.gouvernance import faits
from balise.gouvernance.models import Avis, Condition, Decision, Instance, Seance, Vote
from balise.organisations.models import Adhesion
from balise.organisations.roles import Role
from balise.registre.models import ChangementStade, SystemeIA

AGGLO = "val-de-balise"
COMPTES_RENDUS = "Comptes rendus automatiques des conseils communautaires"
ECLAIRAGE = "Optimisation de l'éclairage public"
CANDIDATURES = "Présélection automatique des candidatures"


def test_la_demonstration_montre_la_gouvernance(client, db, capsys):
    call_command("charger_demo")
    sortie = capsys.readouterr().out
    aujourd_hui = timezone.localdate()
    # Les comptes imprimés disent le nom de la personne et le libellé de son rôle, jamais son code.
    assert "Karim Benali — Référent IA (contributeur) — Communauté d'agglomération du Val de Balise" in sortie
    assert not any(f"  {code} (" in sortie or f" {code} (val-de-balise)" in sortie for code in Role.values)

    # Un comité d'éthique tiré de son modèle, à collèges, avec trois membres externes ; un comité de
    # direction qui arbitre.
    ethique = Instance.objects.get(organisation__slug=AGGLO, modele="comite_ethique_colleges")
    assert ethique.nature == Instance.Nature.CONSULTATIVE and ethique.colleges.count() >= 4
    externes = ethique.membres.filter(college__isnull=False, utilisateur__adhesions__role=Role.EXTERNE)
    assert externes.count() == 3
    for m in externes.select_related("utilisateur"):
        # Chaque externe a accepté son invitation et figure dans la liste des comptes, avec son siège.
        assert Adhesion.objects.get(utilisateur=m.utilisateur).role == Role.EXTERNE
        assert f"{m.utilisateur.email}" in sortie and m.qualite in sortie
    assert {m.fonction for m in ethique.membres.all()} >= {"president", "secretaire", "membre", "invite"}
    direction = Instance.objects.get(organisation__slug=AGGLO, modele="comite_direction")
    assert direction.nature == Instance.Nature.DECISIONNELLE

    # Une séance passée (il y a environ six semaines), tenue, présences notées, procès-verbal approuvé.
    # La première séance passée (la charte de la démonstration est examinée dans une séance suivante).
    passee = ethique.seances.filter(debut__lt=timezone.now()).order_by("debut").first()
    assert passee.statut == Seance.Statut.TENUE and passee.pv_approuve_le is not None
    assert timedelta(days=35) < timezone.now() - passee.debut < timedelta(days=50)
    assert passee.presences.filter(present=True).count() == 6
    assert passee.points.filter(systeme__nom=COMPTES_RENDUS, stade_vise="production").exists()
    assert Vote.objects.filter(point__seance=passee, membre__in=externes).count() == 9

    # L'avis favorable avec réserves sur l'éclairage : une réserve levée avec sa preuve, une en retard.
    avis = Avis.objects.get(point__seance=passee, point__systeme__nom=ECLAIRAGE)
    assert avis.sens == Avis.Sens.RESERVES and avis.rendu_le < timezone.now() - timedelta(days=30)
    conditions = list(Condition.objects.avec_retard(aujourd_hui).filter(avis=avis).order_by("echeance"))
    assert [(c.statut, c.en_retard) for c in conditions] == [("levee", False), ("en_cours", True)]
    assert conditions[0].preuve_lien
    assert aujourd_hui - conditions[1].echeance == timedelta(days=7)

    # Le système bloqué à la porte de production : critères manquants sur sa fiche.
    eclairage = SystemeIA.objects.get(organisation__slug=AGGLO, nom=ECLAIRAGE)
    controle = faits.portes_de(eclairage).prochaine
    assert controle is not None and controle.porte == "production" and not controle.franchie
    assert {ligne.id for ligne in controle.manquants} >= {"decision_production", "conditions_levees"}
    client.force_login(Utilisateur.objects.get(email="referent@val-de-balise.example"))
    fiche = client.get(f"/o/{AGGLO}/registre/{eclairage.pk}/").content.decode()
    assert "Prochaine porte : Mettre en production" in fiche and "1 condition à lever" in fiche

    # La décision de mise en production du comité de direction, puis le passage sans porte forcée.
    decision = Decision.objects.get(systeme__nom=COMPTES_RENDUS)
    assert decision.sens == Decision.Sens.PRODUCTION and decision.instance == direction
    assert decision.deliberation_numero and decision.decidee_le < aujourd_hui
    comptes_rendus = decision.systeme
    assert comptes_rendus.stade == "production" and not comptes_rendus.conditions.en_attente().exists()
    passages = ChangementStade.objects.filter(systeme=comptes_rendus)
    production = passages.get(vers="production")
    assert not production.porte_forcee
    # Les dates racontent l'histoire dans l'ordre : avis, décision, puis passage en production.
    assert avis.rendu_le.date() < decision.decidee_le < timezone.localdate(production.le) < aujourd_hui
    assert not passages.filter(porte_forcee=True).exists()

    # L'avis défavorable est un vrai avis, suivi de la décision d'abandon.
    candidatures = SystemeIA.objects.get(organisation__slug=AGGLO, nom=CANDIDATURES)
    assert Avis.objects.get(point__systeme=candidatures).sens == Avis.Sens.DEFAVORABLE
    assert candidatures.stade == "abandon" and candidatures.decisions.get().sens == "abandonner"

    # Une séance à venir, convoquée, avec son ordre du jour aux dossiers figés.
    a_venir = ethique.seances.get(debut__gt=timezone.now())
    assert a_venir.statut == Seance.Statut.CONVOQUEE and a_venir.points.count() == 3
    assert all(p.dossier for p in a_venir.points.all())

    # Une personne extérieure voit la séance à venir de son comité, rien du registre.
    externe = externes.first().utilisateur
    client.force_login(externe)
    assert client.get(f"/o/{AGGLO}/seances/{a_venir.pk}/").status_code == 200
    assert client.get(f"/o/{AGGLO}/registre/").status_code == 403
