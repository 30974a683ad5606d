"""Les rappels (issue 13, point 6) : préférences, récapitulatif par courriel (relu par `email`), tournée
planifiée par le processus de fond et son idempotence, désabonnement en un clic (RFC 8058), flux
iCalendar personnel (relu par `icalendar`), cloisonnement, et un envoi par un vrai serveur SMTP local."""

import email
import re
import socket
import time
from datetime import timedelta
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from balise.organisations.models import Adhesion
from balise.rappels import selectors, services, taches
from balise.rappels.models import (
    EnvoiRecapitulatif,
    FluxCalendrier,
    Frequence,
    Planification,
    PreferenceRappel,
)
from tests import fabrique
from tests import gouvernance_fabrique as g
from tests.travailleur import executer_travaux

JOUR = timedelta(days=1)
URL = "https://balise.exemple.fr"


@pytest.fixture(autouse=True)
def _reglages(settings):
    settings.URL_PUBLIQUE = URL
    settings.RAPPELS_HEURE = 0  # la tournée rattrapée part tout de suite
    settings.RAPPELS_JOUR = 0  # le récapitulatif hebdomadaire est dû dès lundi
    settings.COURRIELS_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _aujourd_hui():
    return timezone.localdate()


def _tournee():
    """La tournée telle que le travailleur la lance : planifiée au démarrage, puis exécutée avec ses lots."""
    taches.planifier()
    return executer_travaux()


def _relancer():
    """La même période une seconde fois (tournée rejouée à la main) : lots, puis travailleur."""
    taches.lancer_lots(_aujourd_hui())
    return executer_travaux()


def _relu(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def _entete(relu, nom):
    """Un en-tête long est plié dès son début par Django (« Subject:\n =?utf-8?… ») : l'espace de
    pliage reste au début de la valeur dépliée, que les clients de messagerie ignorent."""
    return str(relu[nom]).strip()


@pytest.fixture
def dus(org_a, org_b, systeme_a, systeme_b, referent_a, admin_b):
    """referent_a : une obligation en retard et une condition proche dans A. Dans B, où elle n'est pas
    membre, une obligation lui est pourtant attribuée (ancienne adhésion) : jamais montrée."""
    aujourd_hui = _aujourd_hui()
    g.obligation(systeme_a, referent_a, aujourd_hui - JOUR, titre="Documentation technique en retard")
    g.condition(systeme_a, referent_a, aujourd_hui + 3 * JOUR, intitule="Former les agents")
    g.obligation(systeme_b, referent_a, aujourd_hui - JOUR, titre="Secret de la commune B")
    return referent_a


# --- Préférences -----------------------------------------------------------------------------------


def test_hebdomadaire_par_defaut_puis_choix_dans_mon_compte_avec_historique(client, referent_a):
    assert selectors.frequence_de(referent_a) == Frequence.HEBDOMADAIRE
    client.force_login(referent_a)
    page = client.get("/comptes/compte/").content.decode()
    assert 'value="hebdomadaire" checked' in page and "Créer l'adresse de mon calendrier" in page
    r = client.post("/rappels/frequence/", {"frequence": "quotidienne"}, follow=True)
    assert "Récapitulatif par courriel : chaque jour." in r.content.decode()
    client.post("/rappels/frequence/", {"frequence": "aucune"})
    preference = PreferenceRappel.objects.get(utilisateur=referent_a)
    assert preference.frequence == Frequence.AUCUNE and preference.version == 2
    historique = list(preference.history.order_by("history_id"))
    assert [h.frequence for h in historique] == ["quotidienne", "aucune"]
    assert {h.history_user_id for h in historique} == {referent_a.pk}
    assert "Chaque jour → Jamais" in client.get("/comptes/compte/").content.decode()


@pytest.mark.parametrize("valeur", ["", "mensuelle", "x" * 5000])
def test_une_frequence_inconnue_est_refusee_sans_rien_changer(client, referent_a, valeur):
    client.force_login(referent_a)
    r = client.post("/rappels/frequence/", {"frequence": valeur}, follow=True)
    assert "Choisissez une fréquence" in r.content.decode()
    assert not PreferenceRappel.objects.exists()


def test_les_reglages_demandent_une_connexion(client, db):
    for adresse in ("/rappels/frequence/", "/rappels/calendrier/", "/rappels/calendrier/revocation/"):
        r = client.post(adresse, {"frequence": "aucune"})
        assert r.status_code == 302 and "/comptes/connexion/" in r["Location"]
    assert not PreferenceRappel.objects.exists() and not FluxCalendrier.objects.exists()


# --- Le récapitulatif ------------------------------------------------------------------------------


def _desabonne_par_le_lien(relu):
    """La personne que désigne le lien de désabonnement de l'en-tête. Le jeton est signé et horodaté à
    la seconde : on le relit au lieu de le comparer à un jeton refait, qui changerait d'une seconde à
    l'autre."""
    lien = re.fullmatch(
        rf"<{re.escape(URL)}/rappels/desabonnement/([^/]+)/>", _entete(relu, "List-Unsubscribe")
    )
    assert lien is not None
    return selectors.personne_du_desabonnement(lien.group(1))


def test_le_recapitulatif_part_par_la_tournee_relu_par_email(dus, org_a):
    assert _tournee() >= 2  # la tournée et son lot
    (message,) = [m for m in mail.outbox if m.to == [dus.email]]
    relu = _relu(message)
    assert _entete(relu, "Subject") == "Balise : 2 éléments à traiter, dont 1 en retard"
    assert _entete(relu, "To") == dus.email
    assert _desabonne_par_le_lien(relu) == dus
    assert _entete(relu, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    texte = relu.get_body(("plain",)).get_content()
    html = relu.get_body(("html",)).get_content()
    assert "EN RETARD — Documentation technique en retard" in texte and "Former les agents" in texte
    assert f"{URL}/o/{org_a.slug}/obligations/" in texte and org_a.nom in texte
    assert f'href="{URL}/o/{org_a.slug}/obligations/' in html and "<strong>En retard</strong>" in html
    # Jamais rien d'une organisation dont elle n'est pas (ou plus) membre.
    assert "Secret de la commune B" not in texte + html and "Commune B" not in texte + html
    assert EnvoiRecapitulatif.objects.get(utilisateur=dus).elements == 2


def test_rien_n_est_envoye_si_rien_n_est_du(org_a, lecteur_a, admin_a):
    _tournee()
    assert mail.outbox == []
    # Traitées quand même : la tournée suivante de la même période ne les recalcule pas.
    assert EnvoiRecapitulatif.objects.filter(elements=0).count() == 2


def test_un_membre_externe_ne_recoit_que_ses_seances(org_a, systeme_a, admin_a):
    externe = fabrique.membre(org_a, "externe", "externe@exemple.fr")
    g.obligation(systeme_a, externe, _aujourd_hui() - JOUR, titre="Obligation invisible")
    g.condition(systeme_a, externe, _aujourd_hui() - JOUR, intitule="Condition invisible")
    _tournee()
    assert [m for m in mail.outbox if m.to == [externe.email]] == []  # rien qu'elle puisse voir
    comite = g.instance(org_a)
    g.sieger(comite, externe)
    g.seance(comite, g.dans(5), admin_a)
    EnvoiRecapitulatif.objects.all().delete()
    _relancer()
    (message,) = [m for m in mail.outbox if m.to == [externe.email]]
    texte = message.body
    assert "Séances à venir" in texte and "Comité d'éthique" in texte
    assert "invisible" not in texte and "Obligations" not in texte


def test_idempotence_tournee_rejouee_lot_rejoue_et_periode_suivante(dus):
    _tournee()
    assert len(mail.outbox) == 1
    # Rejouée (un second travailleur, une relance à la main) : rien de plus.
    assert taches.lancer_lots(_aujourd_hui()) == 0
    taches.lot.call([dus.pk], [taches.periode_de_la_semaine(_aujourd_hui())])
    executer_travaux()
    assert len(mail.outbox) == 1 and EnvoiRecapitulatif.objects.filter(utilisateur=dus).count() == 1
    # Quotidienne : un courriel par jour.
    services.choisir_frequence(dus, Frequence.QUOTIDIENNE, par=dus)
    taches.lancer_lots(_aujourd_hui())
    executer_travaux()
    assert len(mail.outbox) == 2
    taches.lancer_lots(_aujourd_hui())
    executer_travaux()
    assert len(mail.outbox) == 2
    assert set(EnvoiRecapitulatif.objects.values_list("periode", flat=True)) == {
        taches.periode_de_la_semaine(_aujourd_hui()),
        taches.periode_du_jour(_aujourd_hui()),
    }


def test_le_jour_de_la_semaine_et_le_choix_jamais(dus, settings):
    aujourd_hui = _aujourd_hui()
    settings.RAPPELS_JOUR = 6
    if aujourd_hui.weekday() < 6:
        assert taches.personnes_dues(aujourd_hui) == []  # pas encore le jour de l'hebdomadaire
    dimanche = aujourd_hui + timedelta(days=6 - aujourd_hui.weekday())
    assert (dus.pk, taches.periode_de_la_semaine(dimanche)) in taches.personnes_dues(dimanche)
    services.choisir_frequence(dus, Frequence.AUCUNE, par=dus)
    assert dus.pk not in [pk for pk, _ in taches.personnes_dues(dimanche)]


def test_une_frequence_changee_apres_la_tournee_est_respectee_par_le_lot(dus):
    taches.planifier()
    executer_travaux_sans_lots = DBTaskResult.objects.filter(task_path__endswith="taches.tournee")
    assert executer_travaux_sans_lots.count() == 1
    taches.lancer_lots(_aujourd_hui())
    services.desabonner(dus)
    executer_travaux()
    assert mail.outbox == []


def test_composer_un_recapitulatif_coute_autant_de_requetes_quel_que_soit_le_volume(
    org_a, systeme_a, referent_a
):
    def requetes(n):
        for i in range(n):
            g.obligation(systeme_a, referent_a, _aujourd_hui() - JOUR * (i + 1))
            g.condition(systeme_a, referent_a, _aujourd_hui() + JOUR * (i + 1))
        EnvoiRecapitulatif.objects.all().delete()
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as c:
            taches.lot.call([referent_a.pk], [taches.periode_de_la_semaine(_aujourd_hui())])
        assert len(mail.outbox) == 1
        return len(c.captured_queries)

    assert requetes(1) == requetes(20)


def _resume(a):
    return {
        "droits": (a.voit_registre, a.gouverne, a.qualifie),
        "obligations": (
            [(o.pk, o.en_retard) for o in a.obligations],
            a.nb_obligations,
            a.nb_obligations_en_retard,
        ),
        "conditions": (
            [(c.pk, c.en_retard) for c in a.conditions],
            a.nb_conditions,
            a.nb_conditions_en_retard,
        ),
        "evaluations": [(e.evaluation.pk, e.cotes, e.items) for e in a.evaluations],
        "seances": [(s.seance.pk, [p.pk for p in s.dossiers], s.points) for s in a.seances],
        "decisions": ([s.pk for s in a.decisions_attendues], a.nb_decisions_attendues),
        "requalifier": ([s.pk for s in a.a_requalifier], a.nb_a_requalifier),
        "actions": ([(x.pk, x.en_retard) for x in a.actions], a.nb_actions, a.nb_actions_en_retard),
    }


def test_le_calcul_par_lot_rend_exactement_pour_personne(
    org_a, org_b, systeme_a, systeme_b, admin_a, admin_b
):
    """Une seule règle de ce qui est dû : le calcul groupé de la tournée (rappels/lots.py) rend, pour
    chaque personne et organisation, ce que rend `pour_personne` (la page « À traiter »)."""
    from balise.gouvernance.a_traiter import pour_personne
    from balise.rappels.lots import pour_lot

    aujourd_hui = _aujourd_hui()
    referent = fabrique.membre(org_a, "referent", "ref@exemple.fr")
    lecteur = fabrique.membre(org_a, "lecteur", "lec@exemple.fr")
    externe = fabrique.membre(org_a, "externe", "ext@exemple.fr")
    dpo = fabrique.membre(org_a, "dpo", "dpo@exemple.fr")
    Adhesion.objects.create(utilisateur=referent, organisation=org_b, role="lecteur")
    for i in range(3):
        g.obligation(systeme_a, referent, aujourd_hui + JOUR * (i * 20 - 5))
        g.condition(systeme_a, referent, aujourd_hui + JOUR * (i * 20 - 5))
        g.obligation(systeme_b, referent, aujourd_hui - JOUR * i)
        g.condition(systeme_a, externe, aujourd_hui - JOUR)  # invisible à un membre externe
        g.obligation(systeme_a, lecteur, aujourd_hui + JOUR * i)
    g.obligation(systeme_a, dpo, aujourd_hui, statut="faite")
    comite = g.instance(org_a)
    for personne in (externe, lecteur, referent):
        g.sieger(comite, personne)
    seance = g.seance(comite, g.dans(3), admin_a)
    g.point(seance, "Dossier prêt", systeme_a, dossier="dossiers/x.pdf")
    g.point(seance, "Point libre")
    g.seance(comite, g.dans(-3), admin_a)
    g.seance(g.instance(org_b, "COPIL"), g.dans(2), admin_b)
    g.evaluation(systeme_a, admin_a, [referent, lecteur, externe])
    autre = fabrique.systeme(org_a, admin_a, nom="En attente", contribution_decision="Aide.")
    g.passer_en_decision(autre, admin_a)
    g.qualification(autre, admin_a, a_requalifier=True)
    # Actions du programme : en retard, proches, lointaines, faites ; d'un responsable externe.
    from balise.programme import services as programme

    for i, (personne, org, par) in enumerate(
        [(referent, org_a, admin_a)] * 3 + [(lecteur, org_a, admin_a), (referent, org_b, admin_b)]
    ):
        action = programme.creer_action(
            org,
            {
                "intitule": f"Action {i}",
                "etape": "diagnostic",
                "responsable": personne,
                "echeance": aujourd_hui + JOUR * (i * 25 - 10),
            },
            par,
        )
    programme.modifier_action(org_b, action.pk, {"etat": "faite"}, 1, admin_b)

    adhesions = list(Adhesion.objects.select_related("organisation", "utilisateur"))
    groupe = pour_lot(adhesions, aujourd_hui)
    assert len(groupe) == len(adhesions) >= 8
    non_vides = 0
    for a in adhesions:
        attendu = _resume(pour_personne(a.utilisateur, a.organisation, a.role, aujourd_hui))
        assert _resume(groupe[(a.utilisateur_id, a.organisation_id)]) == attendu, (
            a.utilisateur,
            a.organisation,
        )
        non_vides += any(v for k, v in attendu.items() if k != "droits")
    assert non_vides >= 5


# --- Planification ---------------------------------------------------------------------------------


def _tournees_en_attente():
    return DBTaskResult.objects.filter(task_path__endswith="taches.tournee", status="READY")


def test_le_demarrage_du_travailleur_laisse_une_seule_tournee_en_attente(settings, db):
    settings.RAPPELS_HEURE = 23
    # À 8 h : la tournée de 23 h est à venir (sans horloge fixée, le test échouait entre 23 h et minuit).
    huit_heures = timezone.make_aware(timezone.datetime(2026, 5, 4, 8, 0))
    with time_machine.travel(huit_heures, tick=False):
        taches.planifier(huit_heures)
        taches.planifier(huit_heures)
        (attendue,) = _tournees_en_attente()
        assert attendue.run_after == taches.heure_de_tournee(huit_heures.date())
        assert Planification.objects.get().tache == str(attendue.id)
        assert executer_travaux() == 0  # pas avant son heure


def test_la_tournee_se_replanifie_et_un_doublon_s_arrete(dus):
    taches.planifier()
    doublon = taches.tournee.enqueue()  # par exemple une relance à la main
    executer_travaux()
    (suivante,) = _tournees_en_attente()
    assert suivante.run_after == taches.heure_de_tournee(_aujourd_hui() + JOUR)
    assert DBTaskResult.objects.get(id=doublon.id).return_value == 0
    assert len(mail.outbox) == 1


def test_la_commande_travailleur_planifie_au_demarrage(monkeypatch, db):
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker.Command, "handle", lambda self, *a, **o: None)
    monkeypatch.setattr("os.nice", lambda n: 0)
    call_command("travailleur", verbosity=0)
    call_command("travailleur", verbosity=0)
    assert _tournees_en_attente().count() == 1


# --- Désabonnement ---------------------------------------------------------------------------------


def test_desabonnement_en_un_clic_get_confirme_post_desabonne(client, dus):
    _tournee()
    lien = _entete(_relu(mail.outbox[0]), "List-Unsubscribe").strip("<>").removeprefix(URL)
    r = client.get(lien)
    assert r.status_code == 200 and "Ne plus recevoir le récapitulatif" in r.content.decode()
    assert selectors.frequence_de(dus) == Frequence.HEBDOMADAIRE  # un GET ne change rien
    # RFC 8058 : le client de messagerie poste sans session ni jeton CSRF.
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post(lien, {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "Désabonnement enregistré" in r.content.decode()
    preference = PreferenceRappel.objects.get(utilisateur=dus)
    assert preference.frequence == Frequence.AUCUNE
    (version,) = preference.history.all()
    assert version.history_user_id == dus.pk
    assert version.history_change_reason == "Désabonnement par le lien d'un courriel"
    client.force_login(dus)
    page = client.get("/comptes/compte/").content.decode()
    assert 'value="aucune" checked' in page and "Désabonnement par le lien d&#x27;un courriel" in page
    client.logout()
    assert "ne recevez plus" in client.get(lien).content.decode()
    EnvoiRecapitulatif.objects.all().delete()
    mail.outbox.clear()
    _relancer()
    assert mail.outbox == []


@pytest.mark.parametrize("jeton", ["inconnu", "x" * 5000, "1:abc", "%00", "MQ:1tXyZ:faux"])
def test_un_lien_de_desabonnement_altere_repond_404(client, referent_a, jeton):
    assert client.get(f"/rappels/desabonnement/{jeton}/").status_code == 404
    assert client.post(f"/rappels/desabonnement/{jeton}/").status_code == 404
    assert not PreferenceRappel.objects.exists()


def test_un_lien_de_desabonnement_ne_vaut_que_pour_sa_personne(client, referent_a, admin_a):
    jeton = selectors.jeton_desabonnement(referent_a.pk)
    autre = selectors.jeton_desabonnement(admin_a.pk)
    falsifie = autre.split(":")[0] + ":" + jeton.split(":", 1)[1]
    assert client.post(f"/rappels/desabonnement/{falsifie}/").status_code == 404
    client.post(f"/rappels/desabonnement/{jeton}/")
    assert selectors.frequence_de(referent_a) == Frequence.AUCUNE
    assert selectors.frequence_de(admin_a) == Frequence.HEBDOMADAIRE


# --- Le calendrier ---------------------------------------------------------------------------------


def _adresse_creee(client):
    r = client.post("/rappels/calendrier/")
    assert r.status_code == 200
    page = r.content.decode()
    debut = page.index(f"{URL}/calendrier/")
    return page[debut : page.index(".ics", debut) + 4].removeprefix(URL)


def test_le_flux_icalendar_relu_par_icalendar(
    client, org_a, org_b, systeme_a, systeme_b, referent_a, admin_a, admin_b
):
    aujourd_hui = _aujourd_hui()
    comite = g.instance(org_a)
    g.sieger(comite, referent_a)
    seance = g.seance(comite, g.dans(7), admin_a, lieu="Salle du conseil")
    autre = g.instance(org_a, "COPIL")
    g.seance(autre, g.dans(8), admin_a)  # elle n'y siège pas
    obligation = g.obligation(
        systeme_a, referent_a, aujourd_hui + 10 * JOUR, titre="Registre des traitements"
    )
    condition = g.condition(systeme_a, referent_a, aujourd_hui - 2 * JOUR, intitule="Former les agents")
    g.obligation(systeme_a, admin_a, aujourd_hui, titre="Celle d'une autre personne")
    g.obligation(systeme_b, referent_a, aujourd_hui, titre="Secret de B")  # pas membre de B
    # Membre externe dans B : ses séances oui, ses obligations non.
    Adhesion.objects.create(utilisateur=referent_a, organisation=org_b, role="externe")
    g.obligation(systeme_b, referent_a, aujourd_hui, titre="Invisible à un membre externe")
    comite_b = g.instance(org_b, "Comité de B")
    g.sieger(comite_b, referent_a)
    g.seance(comite_b, g.dans(9), admin_b, statut="annulee")

    client.force_login(referent_a)
    adresse = _adresse_creee(client)
    client.logout()
    r = client.get(adresse)
    assert r.status_code == 200 and r["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(r.content)
    evenements = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(evenements) == {
        f"{seance.uid}@balise",
        f"obligation-{obligation.pk}@balise",
        f"condition-{condition.pk}@balise",
        next(f"{s.uid}@balise" for s in comite_b.seances.all()),
    }
    s = evenements[f"{seance.uid}@balise"]
    assert s.decoded("dtstart") == seance.debut and str(s["location"]) == "Salle du conseil"
    assert str(s["summary"]) == "Séance — Comité d'éthique"
    assert s["dtstart"].to_ical().endswith(b"Z") and s["dtend"].to_ical().endswith(b"Z")  # en UTC
    assert str(s["url"]) == f"{URL}/o/{org_a.slug}/a-traiter/"
    o = evenements[f"obligation-{obligation.pk}@balise"]
    assert o.decoded("dtstart") == obligation.echeance  # une journée entière (VALUE=DATE)
    assert o.decoded("dtend") == obligation.echeance + JOUR
    assert str(o["url"]) == f"{URL}/o/{org_a.slug}/obligations/{obligation.pk}/"
    annulee = evenements[next(f"{s.uid}@balise" for s in comite_b.seances.all())]
    assert str(annulee["status"]) == "CANCELLED"
    assert (
        b"Secret de B" not in r.content
        and b"Invisible" not in r.content
        and b"autre personne" not in r.content
    )


def test_calendrier_revoque_renouvele_et_jetons_hostiles(client, referent_a):
    client.force_login(referent_a)
    premiere = _adresse_creee(client)
    assert "Révoquer l'adresse" in client.get("/comptes/compte/").content.decode()
    seconde = _adresse_creee(client)  # renouveler : l'ancienne ne répond plus
    anonyme = type(client)()
    assert anonyme.get(premiere).status_code == 404
    assert anonyme.get(seconde).status_code == 200
    r = client.post("/rappels/calendrier/revocation/", follow=True)
    assert "Adresse de calendrier révoquée" in r.content.decode()
    assert anonyme.get(seconde).status_code == 404
    r = client.post("/rappels/calendrier/revocation/", follow=True)
    assert "rien à révoquer" in r.content.decode()
    assert FluxCalendrier.objects.filter(revoque_le__isnull=True).count() == 0
    assert FluxCalendrier.objects.get(debut=seconde.split("/")[-1][:6]).history.count() == 2
    for jeton in ("inconnu", "x" * 5000, "%2e%2e", ""):
        assert anonyme.get(f"/calendrier/{jeton}.ics").status_code == 404
    assert anonyme.post(seconde).status_code in (404, 405)


def test_un_compte_desactive_n_a_plus_de_calendrier(client, referent_a):
    _, secret = services.renouveler_flux(referent_a)
    assert client.get(f"/calendrier/{secret}.ics").status_code == 200
    referent_a.is_active = False
    referent_a.save()
    assert client.get(f"/calendrier/{secret}.ics").status_code == 404


def test_le_calendrier_coute_autant_de_requetes_quel_que_soit_le_volume(
    client, org_a, systeme_a, referent_a, admin_a
):
    _, secret = services.renouveler_flux(referent_a)
    comite = g.instance(org_a)
    g.sieger(comite, referent_a)

    def requetes(n):
        for i in range(n):
            g.obligation(systeme_a, referent_a, _aujourd_hui() + JOUR * i)
            g.condition(systeme_a, referent_a, _aujourd_hui() + JOUR * i)
            g.seance(comite, g.dans(i + 1), admin_a)
        with CaptureQueriesContext(connection) as c:
            assert client.get(f"/calendrier/{secret}.ics").status_code == 200
        return len(c.captured_queries)

    assert requetes(1) == requetes(15)


# --- Un vrai serveur SMTP --------------------------------------------------------------------------


class _Boite:
    def __init__(self):
        self.recus = []

    async def handle_DATA(self, server, session, envelope):
        self.recus.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


def _port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_le_recapitulatif_traverse_un_vrai_serveur_smtp(dus, settings):
    boite = _Boite()
    serveur = Controller(boite, hostname="127.0.0.1", port=_port_libre())
    serveur.start()
    try:
        settings.COURRIELS_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", serveur.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        _tournee()
        limite = time.monotonic() + 5
        while not boite.recus and time.monotonic() < limite:
            time.sleep(0.01)
    finally:
        serveur.stop()
    ((destinataires, contenu),) = boite.recus
    assert destinataires == [dus.email]
    relu = email.message_from_bytes(contenu, policy=policy.default)
    assert _entete(relu, "Subject") == "Balise : 2 éléments à traiter, dont 1 en retard"
    assert _entete(relu, "To") == dus.email
    assert _desabonne_par_le_lien(relu) == dus
    assert _entete(relu, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert "Documentation technique en retard" in relu.get_body(("plain",)).get_content()
    assert DBTaskResult.objects.filter(task_path__endswith="taches.lot", status="SUCCESSFUL").count() == 1


def test_un_serveur_injoignable_laisse_le_lot_en_echec_et_la_personne_a_reprendre(dus, settings):
    settings.COURRIELS_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _port_libre()
    _tournee()
    echec = DBTaskResult.objects.get(task_path__endswith="taches.lot")
    assert echec.status == "FAILED"
    assert not EnvoiRecapitulatif.objects.filter(utilisateur=dus).exists()  # réservation levée
    settings.COURRIELS_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    taches.lancer_lots(_aujourd_hui())
    executer_travaux()
    assert len(mail.outbox) == 1
