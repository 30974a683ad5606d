"""La gouvernance de bout en bout, par les pages et les vrais formulaires (issue 13, « How it is checked ») :
un comité d'éthique créé depuis son modèle, un membre externe invité par courriel qui vote, un avis avec
réserve devenue condition, la condition levée, la décision et la porte de production franchie ; puis une
pratique interdite que personne ne fait avancer ni ne publie, ni par les pages ni par l'API."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from balise.comptes.models import JetonAPI
from balise.conformite import services as conformite
from balise.conformite.regles import en_vigueur
from balise.gouvernance import services_instances, services_seances
from balise.gouvernance.models import Avis, Condition, Decision, Instance, Membre, Vote
from balise.registre.models import SystemeIA
from tests import fabrique, travailleur
from tests.navigateur.conftest import connecter

pytestmark = pytest.mark.navigateur

REGLES = en_vigueur()
CAS = {c.nom: c for c in REGLES.cas}
INTERDIT = "Relances d'impayés conçues pour exploiter la détresse financière des familles"
MINIMAL = "Détection des fuites sur les canalisations d'eau potable"
EXTERNE = "claire.citoyenne@exemple.fr"


@pytest.fixture
def courriels(settings):
    # Les courriels partent par la file du processus de fond (travaux.courriels.ParLeTravailleur) ;
    # exécutée dans le test, elle les remet à la boîte en mémoire, commune au serveur de test.
    settings.COURRIELS_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def _au_stade(systeme: SystemeIA, stade: str) -> SystemeIA:
    # Mise en place : le système arrive au stade « décision » (son passé n'est pas l'objet du test).
    SystemeIA.objects.filter(pk=systeme.pk).update(stade=stade)
    systeme.refresh_from_db()
    return systeme


def _qualifier(systeme: SystemeIA, cas: str, par) -> None:
    systeme.refresh_from_db()
    conformite.qualifier(systeme, REGLES, CAS[cas].reponses, par)


def _message(page: Page, texte: str) -> None:
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(texte)


def test_comite_d_ethique_du_modele_a_la_production(
    nouveau_contexte, courriels, org_a, admin_a, referent_a, lecteur_a
):
    systeme = fabrique.systeme(org_a, referent_a, nom="Tri du courrier entrant")
    _au_stade(systeme, "decision")
    _qualifier(systeme, MINIMAL, referent_a)
    slug = org_a.slug

    # 1. L'administrateur crée le comité d'éthique depuis son modèle, avec ses collèges.
    admin = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    admin.goto(f"/o/{slug}/instances/")
    admin.get_by_role("link", name="Créer une instance").first.click()
    admin.get_by_label("Modèle").select_option(label="Comité d'éthique et scientifique")
    admin.get_by_role("button", name="Pré-remplir le formulaire").click()
    expect(admin.get_by_role("heading", level=2, name=re.compile("Adapter le modèle"))).to_be_visible()
    expect(admin.get_by_label("Collèges (un par ligne, facultatif)")).to_have_value(
        re.compile("Collège de la société civile")
    )
    # Le comité adapte sa règle de vote : un vote formel plutôt que le consensus du modèle.
    admin.get_by_label("Règle de vote").select_option("majorite_simple")
    admin.get_by_role("button", name="Créer l'instance").click()
    _message(admin, "L'instance « Comité d'éthique et scientifique » est créée.")
    instance = Instance.objects.get(organisation=org_a)
    assert instance.modele == "comite_ethique_colleges" and instance.colleges.count() == 4

    # Un membre de l'organisation est nommé président.
    admin.goto(f"/o/{slug}/instances/{instance.pk}/composition/")
    admin.locator("#id_utilisateur").select_option(str(lecteur_a.pk))
    admin.locator("#id_college").select_option(label="Collège des élus et cadres")
    admin.locator("#id_fonction").select_option("president")
    admin.get_by_role("button", name="Nommer", exact=True).click()
    _message(admin, "siège désormais dans l'instance")

    # Une personne extérieure est invitée par courriel, au collège de la société civile.
    admin.locator("#id_externe-email").fill(EXTERNE)
    admin.locator("#id_externe-college").select_option(label="Collège de la société civile")
    admin.locator("#id_externe-qualite").fill("Citoyenne tirée au sort")
    admin.get_by_role("button", name="Inviter à siéger").click()
    _message(admin, f"Invitation à siéger envoyée à {EXTERNE}")
    travailleur.executer_travaux()
    invitation = next(m for m in courriels if m.to == [EXTERNE])
    lien = re.search(r"https?://\S+/invitation/\S+/", invitation.body).group(0)

    externe = nouveau_contexte().new_page()
    externe.goto(lien)
    externe.get_by_label("Prénom").fill("Claire")
    externe.get_by_role("textbox", name="Nom", exact=True).fill("Citoyenne")
    externe.locator("#id_password1").fill("un-mot-de-passe-solide")
    externe.get_by_label("Confirmation du mot de passe").fill("un-mot-de-passe-solide")
    externe.get_by_role("button", name=re.compile("Créer mon compte")).click()
    externe.wait_for_url(lambda url: "/invitation/" not in url)
    siege = Membre.objects.get(instance=instance, utilisateur__email=EXTERNE)
    assert siege.college.nom == "Collège de la société civile" and siege.votant

    # 2. Une séance est programmée ; le système y est inscrit à la porte de production ; convocation.
    admin.goto(f"/o/{slug}/instances/{instance.pk}/seances/")
    admin.get_by_role("link", name="Programmer une séance").click()
    debut = timezone.localtime() + timedelta(days=10)
    admin.get_by_label("Date et heure").fill(debut.strftime("%Y-%m-%dT10:00"))
    admin.get_by_label("Lieu ou lien de visioconférence").fill("Salle du conseil")
    admin.get_by_role("button", name="Enregistrer").click()
    _message(admin, "Séance programmée.")
    seance_url = admin.url
    admin.get_by_role("link", name="Inscrire un point").click()
    admin.get_by_label("Nature du point").select_option("porte")
    admin.get_by_label("Système (passage de stade)").select_option(str(systeme.pk))
    admin.get_by_label("Stade visé").select_option("production")
    admin.get_by_role("button", name="Inscrire le point").click()
    _message(admin, "Point inscrit à l'ordre du jour.")
    admin.get_by_role("button", name="Convoquer les membres").click()
    _message(admin, "Convocation lancée")
    travailleur.executer_travaux()
    admin.reload()
    expect(admin.get_by_role("link", name=re.compile("Dossier figé le"))).to_be_visible()

    # Une autre instance, où le membre externe ne siège pas, a aussi sa séance.
    copil = services_instances.creer_instance(
        org_a, {"nom": "COPIL IA", "mission": "Piloter.", "nature": "decisionnelle"}, admin_a
    )
    seance_copil = services_seances.programmer(copil, debut, 60, "Salle B", admin_a)

    # 3. Le membre externe, dans son navigateur : sa séance, le dossier du point, rien du registre.
    externe.goto(f"/o/{slug}/a-traiter/")
    expect(externe.get_by_role("link", name=re.compile("^Comité d'éthique et scientifique —"))).to_have_count(
        1
    )
    expect(externe.get_by_role("link", name=re.compile("^COPIL IA"))).to_have_count(0)
    assert externe.request.get(f"/o/{slug}/seances/{seance_copil.pk}/").status == 404
    nav = externe.get_by_role("navigation", name=re.compile("Menu principal", re.I))
    expect(nav.get_by_role("link", name="Registre")).to_have_count(0)
    assert externe.request.get(f"/o/{slug}/registre/").status == 403
    assert externe.request.get(f"/o/{slug}/registre/{systeme.pk}/").status == 403
    externe.goto(seance_url)
    expect(externe.get_by_role("heading", level=1)).to_contain_text("Séance du")
    telechargement = externe.get_by_role("link", name=re.compile("Dossier figé le"))
    reponse = externe.request.get(telechargement.get_attribute("href"))
    assert reponse.status == 200 and reponse.body().startswith(b"%PDF")
    externe.get_by_role("link", name=re.compile("passage au stade")).click()
    expect(externe.get_by_role("heading", level=1)).to_contain_text("Tri du courrier entrant")
    expect(externe.get_by_role("link", name="Tri du courrier entrant")).to_have_count(0)
    externe.get_by_label("Pour").check()
    externe.get_by_label("Votre opinion (facultatif)").fill(
        "Favorable si les agents du courrier sont formés avant la mise en service."
    )
    externe.get_by_role("button", name="Voter").click()
    _message(externe, "Votre vote est enregistré.")
    expect(externe.locator("main")).to_contain_text("Favorable si les agents du courrier sont formés")
    vote = Vote.objects.get(membre=siege)
    assert vote.sens == "pour" and "formés" in vote.opinion
    point_url = externe.url

    # 4. Le président (instructeur) consigne un avis favorable avec une réserve.
    president = nouveau_contexte().new_page()
    connecter(president, lecteur_a.email)
    president.goto(point_url)
    president.get_by_role("link", name="Consigner l'avis").click()
    president.get_by_label("Favorable avec réserves").check()
    president.get_by_label("Motifs").fill("Le tri allège l'accueil ; les agents gardent la main.")
    president.locator("#id_conditions-0-intitule").fill("Former les agents du courrier")
    president.locator("#id_conditions-0-responsable").select_option(str(referent_a.pk))
    echeance = timezone.localdate() + timedelta(days=14)
    president.locator("#id_conditions-0-echeance").fill(echeance.isoformat())
    president.get_by_role("button", name="Enregistrer").click()
    _message(president, "L'avis est consigné.")
    avis = Avis.objects.get(point__seance__instance=instance)
    condition = Condition.objects.get(avis=avis)
    assert (avis.sens, condition.responsable, condition.echeance) == (
        "favorable_reserves",
        referent_a,
        echeance,
    )

    # La condition apparaît sur « À traiter » de son responsable.
    responsable = nouveau_contexte().new_page()
    connecter(responsable, referent_a.email)
    responsable.goto(f"/o/{slug}/a-traiter/")
    conditions = responsable.get_by_role("table", name="Mes conditions en retard ou à échéance proche")
    expect(conditions).to_contain_text("Former les agents du courrier")
    expect(conditions).to_contain_text(echeance.strftime("%d/%m/%Y"))

    # 5. Le responsable lève la condition, preuve à l'appui.
    responsable.goto(f"/o/{slug}/conditions/{condition.pk}/")
    responsable.get_by_label("Statut").select_option("levee")
    responsable.get_by_label("Lien de preuve").fill("https://intranet.exemple.fr/formations/courrier")
    responsable.get_by_role("button", name="Enregistrer").click()
    _message(responsable, "Condition mise à jour.")
    condition.refresh_from_db()
    assert condition.statut == "levee" and condition.preuve_lien.endswith("/courrier")
    responsable.goto(f"/o/{slug}/a-traiter/")
    expect(responsable.locator("main")).not_to_contain_text("Former les agents du courrier")

    # La porte de production attend encore la décision ; l'administrateur l'enregistre.
    admin.goto(f"/o/{slug}/registre/{systeme.pk}/")
    expect(admin.locator("main")).to_contain_text("Prochaine porte : Mettre en production")
    expect(admin.get_by_text("Porte non franchie", exact=True)).to_be_visible()
    admin.get_by_role("link", name="Enregistrer une décision").click()
    admin.get_by_label("Mettre en production").check()
    admin.get_by_label("Motifs").fill("Avis favorable du comité d'éthique ; sa réserve est levée.")
    admin.get_by_role("button", name="Enregistrer la décision").click()
    _message(admin, "La décision est enregistrée.")
    assert Decision.objects.get(systeme=systeme).sens == "mettre_en_production"

    # La liste de contrôle est franchie : le système passe en production par la page.
    admin.goto(f"/o/{slug}/registre/{systeme.pk}/")
    expect(admin.get_by_text("Porte franchie", exact=True)).to_be_visible()
    admin.get_by_label("Nouveau stade").select_option(label="Production")
    admin.get_by_role("button", name="Changer de stade").click()
    expect(admin.locator("main")).to_contain_text("Décision → Production")
    systeme.refresh_from_db()
    assert systeme.stade == "production"


def _tenter(page: Page, stade: str) -> None:
    page.get_by_label("Nouveau stade").select_option(label=stade)
    # Une porte bloquée ne se justifie pas : le champ de justification n'est pas proposé.
    expect(page.get_by_label("Justification (administrateur : passer une porte non franchie)")).to_have_count(
        0
    )
    page.get_by_role("button", name="Changer de stade").click()
    _message(page, "ne se force pas")
    expect(
        page.get_by_role("heading", name="Pratique interdite par le règlement européen sur l'IA")
    ).to_be_visible()


def test_pratique_interdite_ni_production_ni_publication(nouveau_contexte, org_a, admin_a, referent_a):
    """Ni l'administrateur par les pages (passage et publication refusés avec un message), ni un
    jeton d'administrateur par l'API (409) ne font avancer ou publier une pratique interdite."""
    # Une fiche publiable par ailleurs : seule la pratique interdite empêche la publication.
    systeme = fabrique.systeme(
        org_a,
        referent_a,
        nom="Relances des impayés",
        contribution_decision="Choisit le ton et le moment des relances ; un agent les envoie.",
        decision_individuelle=True,
        regles_traitement="Classe les familles selon les retards de paiement et les aides perçues.",
    )
    _au_stade(systeme, "decision")
    _qualifier(systeme, INTERDIT, referent_a)
    slug = org_a.slug

    admin = nouveau_contexte().new_page()
    connecter(admin, admin_a.email)
    admin.goto(f"/o/{slug}/registre/{systeme.pk}/")
    alerte = admin.get_by_role("alert").filter(has_text="Pratique interdite")
    expect(alerte).to_be_visible()
    expect(admin.get_by_text("Porte bloquée", exact=True).first).to_be_visible()
    # Passer en production : refusé avec un message, rien ne change.
    _tenter(admin, "Production")
    # La publication est refusée de même.
    admin.get_by_role("button", name="Publier au registre public").click()
    _message(admin, "ne se force pas")
    systeme.refresh_from_db()
    assert not systeme.publie and systeme.stade == "decision"

    # Au stade « étude », l'expérimentation est refusée de même.
    _au_stade(systeme, "etude")
    admin.goto(f"/o/{slug}/registre/{systeme.pk}/")
    _tenter(admin, "Expérimentation / POC")
    systeme.refresh_from_db()
    assert systeme.stade == "etude"

    # L'API, avec le jeton personnel d'un administrateur puis d'un référent : 409, message en français.
    api = nouveau_contexte().request
    chemin = f"/api/organisations/{slug}/systemes/{systeme.pk}"

    def refuser(personne, action: str, corps: dict) -> None:
        _, secret = JetonAPI.emettre(personne, "script de test")
        systeme.refresh_from_db()
        reponse = api.post(
            f"{chemin}/{action}",
            headers={"Authorization": f"Bearer {secret}"},
            data={**corps, "version": systeme.version, "justification": "J'insiste."},
        )
        assert reponse.status == 409, reponse.text()
        assert "ne se force pas" in reponse.json()["message"], reponse.text()

    refuser(admin_a, "stade", {"vers": "experimentation", "motif": ""})
    _au_stade(systeme, "decision")
    for personne in (admin_a, referent_a):
        refuser(personne, "stade", {"vers": "production", "motif": ""})
        refuser(personne, "publication", {"publie": True})
    systeme.refresh_from_db()
    assert systeme.stade == "decision" and not systeme.publie


def test_une_organisation_adapte_sa_politique_des_portes(page, org_a, referent_a):
    """La porte de l'expérimentation refuse faute de radar ; la référente adapte la politique de son
    organisation (sans radar en amont, motif écrit, différences vues avant d'enregistrer), et la même
    porte s'ouvre. La chronologie dit quelle politique s'appliquait."""
    systeme = fabrique.systeme(
        org_a,
        referent_a,
        nom="Aide à la rédaction des arrêtés",
        benefices_attendus="Deux heures gagnées par semaine au service juridique.",
        cout_investissement=4000,
        cout_annuel=1200,
    )
    _au_stade(systeme, "etude")
    connecter(page, referent_a.email)
    page.goto(f"/o/commune-a/registre/{systeme.pk}/")
    page.get_by_label("Nouveau stade").select_option(label="Expérimentation / POC")
    page.get_by_role("button", name="Changer de stade").click()
    expect(page.get_by_role("alert")).to_contain_text("Radar")

    page.get_by_role("link", name="voir la politique des portes").click()
    expect(page.get_by_role("heading", name="Politique nationale, version 1")).to_be_visible()
    page.get_by_role("link", name="Adapter la politique").click()
    radar = page.locator("#critere-experimentation-radar_amont")
    radar.get_by_text("Garder ce critère").click()  # la case DSFR se coche par son libellé
    expect(radar.get_by_label("Garder ce critère")).not_to_be_checked()
    interdit = page.locator("#critere-experimentation-aucune_pratique_interdite")
    expect(interdit.get_by_label("Garder ce critère")).to_be_disabled()
    page.get_by_label("Motif de l'adaptation").fill("Le radar se passe en comité, après le premier essai.")
    page.get_by_role("button", name="Voir les différences").click()
    expect(page.locator("#apercu")).to_contain_text("Radar")
    page.get_by_role("button", name="Enregistrer la nouvelle version").click()
    _message(page, "La politique des portes adaptée n° 1 est en vigueur.")
    expect(page.get_by_role("heading", name="Politique adaptée n° 1")).to_be_visible()

    page.goto(f"/o/commune-a/registre/{systeme.pk}/")
    page.get_by_label("Nouveau stade").select_option(label="Expérimentation / POC")
    page.get_by_role("button", name="Changer de stade").click()
    _message(page, "Stade mis à jour.")
    expect(page.locator("main .fr-badge").first).to_have_text("Expérimentation / POC")
    expect(page.locator("main")).to_contain_text("adaptée n° 1")
    systeme.refresh_from_db()
    assert systeme.stade == "experimentation"
    assert systeme.changements_stade.first().politique == "adaptée n° 1"
