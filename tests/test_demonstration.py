"""La démonstration, chargée une seule fois pour tout le module (`charger_demo` dure près d'une minute) :
chaque test la lit dans sa propre transaction, annulée à sa fin ; le chargement lui-même est annulé à la
fin du module. Une section par capacité : charte, formation, gouvernance (issue 13, point 9), indicateurs
et programme (issue 14), rapport annuel, règles d'usage, mutualisation (issue 17, point 7), bibliothèque,
journal, comptes imprimés et second chargement sans effet."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from balise.bibliotheque.models import Adoption, CasUsage
from balise.chartes import selectors as chartes
from balise.chartes.models import VersionCharte
from balise.comptes.models import Utilisateur
from balise.conformite.models import ObligationSuivie
from balise.formations import selectors as formations
from balise.formations.models import SessionFormation
from balise.gouvernance import a_traiter, faits
from balise.gouvernance.models import Avis, Condition, Decision, Instance, Seance, Vote
from balise.indicateurs import selectors as indicateurs
from balise.instruments import selectors as instruments
from balise.instruments.models import Consultation
from balise.mutualisation import modeles_partages, partages
from balise.mutualisation import sessions as sessions_mutualisees
from balise.mutualisation.models import Convention
from balise.organisations.models import Adhesion, EvenementJournal, Organisation
from balise.organisations.roles import Role
from balise.programme import selectors as programme
from balise.rapports.models import Rapport
from balise.registre.models import ChangementStade, SystemeIA
from balise.regles_usage import selectors as regles_usage
from tests import fabrique
from tests.rapports_lecture import texte_pdf, titres_docx
from tests.test_journal import _journal, _versions_sans_auteur

AGGLO = "val-de-balise"
COMPTES_RENDUS = "Comptes rendus automatiques des conseils communautaires"
ECLAIRAGE = "Optimisation de l'éclairage public"
CANDIDATURES = "Présélection automatique des candidatures"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """La démonstration chargée dans une transaction ouverte pour le module (les réglages des tests :
    hachage rapide, fichiers et cache dans des dossiers temporaires) ; rend ce que la commande imprime."""
    sortie = io.StringIO()
    reglages = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("demo-documents"),
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "partage": {
                "BACKEND": "balise.cache_fichiers.CacheDeFichiers",
                "LOCATION": str(tmp_path_factory.mktemp("demo-partage")),
            },
        },
    )
    with reglages, django_db_blocker.unblock(), transaction.atomic():
        call_command("charger_demo", stdout=sortie)
        yield sortie.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_la_demonstration_a_une_charte_adoptee_et_publiee(client, demo_db):
    org = Organisation.objects.get(slug="val-de-balise")
    v = chartes.adoptee(org)
    assert v is not None and v.mode_adoption == "deliberation" and v.deliberation_numero == "DEL-2026-112"
    assert v.adoptee_le < timezone.localdate() and len(v.lignes_rouges) == 3
    (consultation,) = chartes.consultations(v, publiques=True)
    assert consultation.point.seance.instance.modele == "comite_ethique_colleges"
    assert consultation.avis.sens == "favorable" and consultation.point.seance.statut == "tenue"
    assert EvenementJournal.objects.filter(organisation=org, nature="charte_adoptee").count() == 1
    page = client.get(reverse("charte_publique:page", args=[org.slug])).content.decode()
    assert "DEL-2026-112" in page and "éthique et scientifique du Val de Balise" in page
    registre = client.get(reverse("public:registre", args=[org.slug])).content.decode()
    assert reverse("charte_publique:page", args=[org.slug]) in registre


def test_la_demonstration_montre_la_formation(client, demo_db):
    org = Organisation.objects.get(slug="val-de-balise")
    lignes = {li.population.code: li for li in formations.couverture(org, timezone.localdate())}
    assert {s.palier for s in SessionFormation.objects.filter(organisation=org)} == {
        "acculturation",
        "culture_partagee",
    }
    tous = lignes["tous_agents"]
    assert tous.effectif.origine == "tableau" and tous.formes > 0 and tous.taux is not None
    assert lignes["referents_ia"].atteinte
    obligation = ObligationSuivie.objects.get(
        organisation=org, code=formations.CODE_OBLIGATION, systeme__populations_formation__code="referents_ia"
    )
    assert obligation.statut == "faite"
    drh = org.adhesions.filter(role=Role.RH).first().utilisateur
    client.force_login(drh)
    assert client.get(reverse("formations:accueil", args=[org.slug])).status_code == 200


def test_la_demonstration_montre_la_gouvernance(client, demo_db):
    sortie = demo_db
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


def test_la_demonstration_suit_trois_indicateurs(client, demo_db):
    org = Organisation.objects.get(slug="val-de-balise")
    aujourd_hui = timezone.localdate()
    suivis = {s.indicateur.modele: s for s in indicateurs.liste(org, aujourd_hui)}
    assert set(suivis) == {"delais_traitement", "temps_gagne", "conformite_rgpd"}
    delais, temps = suivis["delais_traitement"], suivis["temps_gagne"]
    assert len(indicateurs.mesures(delais.indicateur)) == 12
    assert delais.hors_cible and delais.etat.due and not delais.etat.en_retard
    assert temps.atteinte and not temps.etat.due and temps.indicateur.systeme is not None

    referent = Utilisateur.objects.get(email="referent@val-de-balise.example")
    t = a_traiter.pour_personne(referent, org, "referent", aujourd_hui)
    assert [s.indicateur.modele for s in t.mesures] == ["delais_traitement"]
    client.force_login(referent)
    accueil = client.get(reverse("gouvernance:a_traiter", args=[org.slug])).content.decode()
    assert "Temps moyen par dossier" in accueil and "hors cible" in accueil
    fiche = client.get(reverse("indicateurs:fiche", args=[org.slug, delais.indicateur.pk]))
    assert fiche.status_code == 200 and "11,5" in fiche.content.decode()


def test_la_demonstration_montre_le_programme(client, demo_db):
    org = Organisation.objects.get(slug="val-de-balise")
    aujourd_hui = timezone.localdate()
    etats = [e.etat for e in programme.etapes(org)]
    assert etats == ["faite", "en_cours", "faite", "en_cours", "a_venir"]
    en_retard = list(programme.actions(org, aujourd_hui, en_retard=True))
    assert len(en_retard) == 1
    cafes = [s for s in programme.sensibilisations(org) if s.format == "cafe_ia"]
    assert len(cafes) == 2 and all(s.mesure and s.apres > s.avant for s in cafes)
    assert programme.notes(org).count() >= 3
    responsable = en_retard[0].responsable
    t = a_traiter.pour_personne(responsable, org, "rh", aujourd_hui)
    assert t.nb_actions_en_retard == 1
    client.force_login(Utilisateur.objects.get(email="elu@val-de-balise.example"))
    page = client.get(reverse("programme:accueil", args=[org.slug])).content.decode()
    assert en_retard[0].intitule.replace("'", "&#x27;") in page and "Café IA" in page


def test_la_demonstration_a_le_rapport_annuel_de_l_an_dernier(demo_db):
    rapport = Rapport.objects.select_related("travail").get(organisation__slug="val-de-balise")
    assert rapport.genre == "annuel" and rapport.annee == timezone.localdate().year - 1
    assert rapport.version == 1 and rapport.travail.etat == "termine"
    assert "Rapport annuel sur l'intelligence artificielle" in texte_pdf(bytes(rapport.pdf))
    assert ("Heading 1", "Décisions et avis des instances") in titres_docx(bytes(rapport.docx))
    assert bytes(rapport.odt).startswith(b"PK")


def test_la_demonstration_montre_les_regles_d_usage(client, demo_db):
    org = Organisation.objects.get(slug=AGGLO)
    publiee = regles_usage.publiee(org)
    assert publiee is not None and {r["origine"] for r in publiee.regles} == {"depart", "propre"}
    suivi = regles_usage.suivi(org)
    lignes = {s.service: s for s in suivi.services}
    assert lignes["Direction générale"].source_effectif == "tableau des effectifs"
    assert lignes["Direction générale"].taux == 100
    assert lignes["Service informatique"].source_effectif == "saisi"
    assert 0 < lignes["Urbanisme"].taux < 100
    assert suivi.connaissances == 4
    elu = Utilisateur.objects.get(email="elu@val-de-balise.example")
    assert regles_usage.a_pris_connaissance(elu, org)
    client.force_login(Utilisateur.objects.get(email="drh@val-de-balise.example"))
    assert client.get(f"/o/{AGGLO}/regles-usage/information/").status_code == 200
    reponse = client.get(f"/o/{AGGLO}/regles-usage/{publiee.pk}/regles.pdf")
    assert len(PdfReader(io.BytesIO(reponse.content)).pages) == 1


def test_la_demonstration_montre_la_mutualisation(demo_db):
    conventions = Convention.objects.filter(mutualisante__slug="val-de-balise").order_by("membre__slug")
    assert [(c.membre.slug, c.etat) for c in conventions] == [
        ("montclair", "en_vigueur"),
        ("rivebelle", "en_vigueur"),
    ]
    karim = Utilisateur.objects.get(email="referent@val-de-balise.example")
    assert not karim.adhesions.filter(organisation__slug="rivebelle").exists()
    client = Client()
    client.force_login(karim)
    # Il écrit chez Rivebelle au titre de la convention (le journal « pour le compte de », écrit une fois
    # la requête validée, est vérifié dans tests/test_mutualisation.py, en vraies transactions).
    reponse = client.post(
        "/o/rivebelle/registre/nouveau/", fabrique.FICHE_MINIMALE | {"nom": "Tri des courriers"}
    )
    assert reponse.status_code == 302
    cree = SystemeIA.objects.get(organisation__slug="rivebelle", nom="Tri des courriers")
    assert cree.history.earliest().history_user == karim
    page = client.get("/o/val-de-balise/mutualisation/portefeuille/").content.decode()
    assert "Commune de Rivebelle" in page and "Commune de Montclair" in page
    (repris,) = partages.partages_pour(Organisation.objects.get(slug="rivebelle"), date.today())
    assert repris.a_jour and "édition intercommunale" in repris.amont.titre
    (pas_encore,) = partages.partages_pour(Organisation.objects.get(slug="montclair"), date.today())
    assert pas_encore.reprise is None
    (session,) = sessions_mutualisees.de_la_mutualisante(Organisation.objects.get(slug="val-de-balise"))[0]
    assert session.par_membre == [("Commune de Rivebelle", 6)]


def test_la_demonstration_partage_et_adopte_des_cas_d_usage(demo_db):
    assert CasUsage.objects.filter(origine="catalogue").count() >= 20
    partage = CasUsage.objects.get(origine="partage")
    assert partage.organisation.slug == "val-de-balise" and partage.stade == "production"
    assert partage.contact == "eau@val-de-balise.example" and partage.mesures
    adoption = Adoption.objects.get()
    assert (
        adoption.organisation.slug == "montclair" and adoption.cas.identifiant == "saint_pair_comptes_rendus"
    )
    assert not CasUsage.history.filter(history_user__isnull=True).exists()


def test_la_demonstration_n_a_aucune_version_sans_auteur(client, demo_db):
    assert Adhesion.history.count() >= 11
    assert _versions_sans_auteur() == {}
    instance = Organisation.objects.get(slug="val-de-balise").history.get().history_user
    assert instance.email == "instance@balise.example"
    client.force_login(Utilisateur.objects.get(email="admin@val-de-balise.example"))
    page = _journal(client, Organisation.objects.get(slug="val-de-balise"), categorie="membres")
    assert "<td>Système</td>" not in page and page.count(f"<td>{instance.nom_affiche}</td>") >= 6


def test_demo_chargee_une_seule_fois(demo_db):
    # Les comptes imprimés disent le rôle en français et l'organisation par son nom, pas leurs codes.
    assert (
        "Référent IA (contributeur) — " in demo_db
        and "referent (" not in demo_db
        and "(val-de-balise)" not in demo_db
    )
    seconde = io.StringIO()
    call_command("charger_demo", stdout=seconde)
    assert (
        "Démonstration déjà chargée." in seconde.getvalue() and "/public/val-de-balise/" in seconde.getvalue()
    )
    agglo = Organisation.objects.get(slug="val-de-balise")
    assert agglo.systemes.count() >= 8 and agglo.systemes.filter(publie=True).exists()
    # Les trois organisations de la démonstration, et la population générée de l'observatoire.
    assert Organisation.objects.exclude(slug__startswith="observatoire-generee").count() == 3
    # Le questionnaire aux agents : par codes de participation, sept codes utilisés sur vingt.
    consultation = Consultation.objects.get(organisation=agglo)
    groupes, total = instruments.codes_par_groupe(consultation)
    assert consultation.avec_codes and [(g.libelle, g.generes, g.utilises) for g in groupes] == [
        ("Direction de la communication", 8, 3),
        ("Secrétariat des assemblées", 12, 4),
    ]
    assert total.utilises == consultation.reponses.count() == 7


def test_la_demonstration_partage_la_charte_et_le_comite_d_ethique(demo_db):
    agglo, rivebelle, montclair = (
        Organisation.objects.get(slug=s) for s in (AGGLO, "rivebelle", "montclair")
    )
    assert sorted(m.partage.nature for m in modeles_partages.partages_de(agglo)) == [
        "charte",
        "instance",
        "modele_ia",
    ]
    vus = {m.partage.nature: m.statut for m in modeles_partages.partages_pour(rivebelle, date.today())}
    assert vus == {"charte": "Repris, à jour", "instance": "Pas encore repris", "modele_ia": "Repris, à jour"}
    assert VersionCharte.objects.get(organisation=rivebelle).statut == VersionCharte.Statut.BROUILLON
    assert {m.statut for m in modeles_partages.partages_pour(montclair, date.today())} == {
        "Pas encore repris"
    }
    assert EvenementJournal.objects.filter(organisation=rivebelle, nature="modele_repris").count() == 2


def test_la_demonstration_partage_le_modele_de_l_agglomeration_avec_rivebelle(client, demo_db):
    """Issue 18, point 1 : Rivebelle emploie le modèle de l'agglomération par sa propre passerelle, avec
    sa fiche au registre de la commune ; la clé reste chez l'agglomération."""
    from balise.passerelle import disponibles
    from balise.passerelle.models import Fournisseur

    rivebelle = Organisation.objects.get(slug="rivebelle")
    (modele,) = disponibles.modeles_disponibles(rivebelle)
    assert modele.amont is not None and modele.amont.organisation.slug == AGGLO
    assert modele.systeme.organisation == rivebelle
    assert not Fournisseur.objects.filter(organisation=rivebelle).exists()
    client.force_login(Utilisateur.objects.get(email="dgs@rivebelle.example"))
    page = client.get("/o/rivebelle/passerelle/catalogue/").content.decode()
    assert "qui en tient la clé" in page and "Proposé" in page


def test_la_demonstration_reunit_le_copil_des_dgs(client, demo_db):
    """Le COPIL de l'agglomération : les DGS des deux communes y siègent avec leur compte de commune, et
    la prochaine séance examine un système de Rivebelle."""
    copil = Instance.objects.get(organisation__slug=AGGLO, modele="copil_dgs")
    dgs = {m.utilisateur.email for m in copil.membres.select_related("utilisateur")}
    assert dgs == {"admin@val-de-balise.example", "dgs@rivebelle.example", "mairie@montclair.example"}
    (seance,) = copil.seances.all()
    point = seance.points.get(nature="porte")
    assert point.organisation.slug == "rivebelle" and point.systeme.organisation.slug == "rivebelle"
    # Le DGS de Rivebelle voit la séance du COPIL, et le système de sa commune depuis le point.
    client.force_login(Utilisateur.objects.get(email="dgs@rivebelle.example"))
    assert client.get(f"/o/{AGGLO}/seances/{seance.pk}/").status_code == 200
    page = client.get(f"/o/{AGGLO}/points/{point.pk}/").content.decode()
    assert f'href="/o/rivebelle/registre/{point.systeme_id}/"' in page


def test_la_demonstration_a_une_passerelle_et_un_mois_d_usage(client, demo_db):
    """Issue 18, point 8 : un catalogue, un mois d'usage généré sur les pages d'usage ; sans serveur de
    modèle joignable, la conversation le dit (jamais de fausse réponse) ; le DPO lit une requête sensible."""
    from balise.passerelle.models import ContenuSensible, Fournisseur, ModeleCatalogue, Requete

    org = Organisation.objects.get(slug=AGGLO)
    modele = ModeleCatalogue.objects.get(organisation=org, actif=True)
    assert modele.systeme.organisation == org and Fournisseur.objects.filter(organisation=org).count() == 2
    assert Requete.objects.filter(organisation=org).count() > 500 and ContenuSensible.objects.exists()
    client.force_login(Utilisateur.objects.get(email="elu@val-de-balise.example"))
    mois = timezone.localdate() - timedelta(days=20)
    page = client.get(f"/o/{AGGLO}/passerelle/usage/?mois={mois:%Y-%m}").content.decode()
    assert "Ressources humaines" in page and "Llama 3.1 8B" in page and " Wh</p>" in page
    fiche = client.get(f"/o/{AGGLO}/registre/{modele.systeme_id}/").content.decode()
    assert f"/o/{AGGLO}/passerelle/usage/fiches/{modele.systeme_id}/" in fiche
    # Le portefeuille montre l'usage du dernier mois complet et du mois en cours (les 30 derniers
    # jours générés tombent dans l'un, l'autre ou les deux).
    portefeuille = client.get(f"/o/{AGGLO}/portefeuille/").content.decode()
    assert f"/o/{AGGLO}/passerelle/usage/fiches/{modele.systeme_id}/" in portefeuille
    montres = re.findall(r"(\d+) requêtes</caption>", portefeuille)
    assert len(montres) <= 2 and sum(int(n) for n in montres) > 500
    # Aucun serveur ne répond à cette adresse : la page le dit, et le journal garde la tentative.
    Fournisseur.objects.filter(pk=modele.fournisseur_id).update(url_base="http://127.0.0.1:9/v1")
    reponse = client.post(
        f"/o/{AGGLO}/passerelle/envoi/", {"modele": modele.pk, "texte": "Résume la délibération."}
    )
    assert (
        "Aucune réponse du modèle" in reponse.content.decode() and "injoignable" in reponse.content.decode()
    )
    dpo = Utilisateur.objects.get(email="dpo@val-de-balise.example")
    client.force_login(dpo)
    sensible = ContenuSensible.objects.filter(requete__organisation=org).first()
    lue = client.post(
        f"/o/{AGGLO}/passerelle/sensibles/{sensible.requete_id}/lecture/",
        {"raison": "Demande d'accès d'un usager."},
    )
    assert lue.status_code == 200 and "Exemple Fictif" in lue.content.decode()
