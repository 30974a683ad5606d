"""Les séances des instances : programmation, ordre du jour, convocation (dossiers figés, courriels et
invitations iCalendar relues par la bibliothèque `icalendar`), présences et quorum, procès-verbal,
droits et nombre de requêtes de la page de séance."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from balise import versions
from balise.gouvernance import selectors_seances as selectors
from balise.gouvernance import services_seances as services
from balise.gouvernance.models import Instance, Membre, Point, Presence, Seance
from balise.gouvernance.quorum import quorum
from balise.registre import services as registre
from balise.travaux.models import Travail
from tests import fabrique
from tests.travailleur import executer_travaux

ADRESSE = "https://balise.exemple.fr/o/commune-a/seances/1/"


def _instance(org, nom="Comité d'éthique", quorum_pourcent=50) -> Instance:
    return Instance.objects.create(
        organisation=org,
        nom=nom,
        mission="Rendre des avis.",
        nature="consultative",
        quorum_pourcent=quorum_pourcent,
    )


def _sieger(instance, utilisateur, fonction=Membre.Fonction.MEMBRE) -> Membre:
    return Membre.objects.create(instance=instance, utilisateur=utilisateur, fonction=fonction)


def _seance(instance, par, jours=7, **champs) -> Seance:
    debut = timezone.now().replace(microsecond=0) + timedelta(days=jours)
    return services.programmer(
        instance, debut, champs.get("duree", 90), champs.get("lieu", "Salle du conseil"), par
    )


@pytest.fixture
def comite(org_a, admin_a):
    instance = _instance(org_a)
    externe = fabrique.membre(org_a, "externe", "citoyenne@exemple.fr")
    _sieger(instance, admin_a, Membre.Fonction.PRESIDENT)
    _sieger(instance, externe)
    return instance


# --- Quorum : fonction pure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("presents", "votants", "requis", "atteint"),
    [
        (4, 8, 50, True),  # exactement la moitié
        (3, 8, 50, False),
        (5, 8, 50, True),
        (1, 3, 33, True),  # 33,3 % ≥ 33 %
        (1, 3, 34, False),  # 33,3 % < 34 %
        (8, 8, 100, True),
        (7, 8, 100, False),
        (0, 8, 0, True),  # aucun quorum requis
        (0, 0, 0, True),
        (0, 0, 50, False),  # aucun votant : un quorum requis ne peut être atteint
        (0, 5, 1, False),
    ],
)
def test_quorum_aux_bords(presents, votants, requis, atteint):
    assert quorum(presents, votants, requis).atteint is atteint


def test_quorum_se_dit_en_francais():
    assert quorum(5, 8, 50).texte == "quorum atteint : 5 présents sur 8 votants, 50 % requis"
    assert quorum(1, 8, 50).texte == "quorum non atteint : 1 présent sur 8 votants, 50 % requis"
    assert quorum(0, 3, 0).texte == "quorum atteint : 0 présent sur 3 votants, aucun quorum requis"


@pytest.mark.parametrize(
    ("presents", "votants", "requis"), [(-1, 3, 50), (4, 3, 50), (1, 3, 101), (1, 3, -1)]
)
def test_quorum_refuse_des_nombres_impossibles(presents, votants, requis):
    with pytest.raises(ValueError):
        quorum(presents, votants, requis)


# --- Programmer, modifier, annuler ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("debut", "duree", "lieu", "champ"),
    [
        (None, 60, "", "debut"),
        ("2030-01-01 10:00", 60, "", "debut"),
        (timezone.now().replace(tzinfo=None), 60, "", "debut"),  # sans fuseau
        (timezone.now(), 0, "", "duree_minutes"),
        (timezone.now(), 24 * 60 + 1, "", "duree_minutes"),
        (timezone.now(), True, "", "duree_minutes"),
        (timezone.now(), 60, "x" * 301, "lieu"),
    ],
)
def test_programmer_refuse_une_saisie_invalide_sans_rien_creer(comite, admin_a, debut, duree, lieu, champ):
    with pytest.raises(ValidationError) as erreur:
        services.programmer(comite, debut, duree, lieu, admin_a)
    assert champ in erreur.value.message_dict
    assert not Seance.objects.exists()


def test_programmer_dans_une_instance_archivee_est_refuse(comite, admin_a):
    comite.archive_le = timezone.now()
    comite.save()
    with pytest.raises(services.RefusSeance):
        _seance(comite, admin_a)
    assert not Seance.objects.exists()


def test_modifier_avec_une_version_perimee_est_refuse(comite, admin_a):
    seance = _seance(comite, admin_a)
    services.modifier(seance.pk, seance.debut, 60, "Salle B", 1, admin_a, ADRESSE)
    with pytest.raises(versions.ConflitEdition):
        services.modifier(seance.pk, seance.debut, 30, "Salle C", 1, admin_a, ADRESSE)
    seance.refresh_from_db()
    assert (seance.duree_minutes, seance.lieu, seance.version) == (60, "Salle B", 2)


def test_annuler_exige_un_motif(comite, admin_a):
    seance = _seance(comite, admin_a)
    with pytest.raises(ValidationError):
        services.annuler(seance.pk, "   ", 1, admin_a, ADRESSE)
    seance.refresh_from_db()
    assert seance.statut == Seance.Statut.PREVUE
    services.annuler(seance.pk, "Quorum impossible à réunir.", 1, admin_a, ADRESSE)
    seance.refresh_from_db()
    assert seance.statut == Seance.Statut.ANNULEE and mail.outbox == []  # pas convoquée : personne à prévenir
    with pytest.raises(services.RefusSeance):
        services.modifier(seance.pk, seance.debut, 60, "", seance.version, admin_a, ADRESSE)


# --- Ordre du jour -----------------------------------------------------------------------------------


def test_ordre_du_jour_ne_prend_que_des_objets_de_l_organisation(comite, admin_a, systeme_a, systeme_b):
    seance = _seance(comite, admin_a)
    refus = [
        {"nature": "porte", "systeme": systeme_b.pk, "stade_vise": "etude"},  # autre organisation
        {"nature": "porte", "systeme": systeme_a.pk, "stade_vise": "production"},  # stade impossible
        {"nature": "porte", "systeme": "1", "stade_vise": "etude"},
        {"nature": "libre", "titre": "   "},
        {"nature": "libre", "titre": "x" * 301},
        {"nature": "evaluation", "evaluation": 999_999},
        {"nature": "qualification", "qualification": None},
        {"nature": "inconnue", "titre": "Point"},
    ]
    for donnees in refus:
        with pytest.raises(ValidationError):
            services.ajouter_point(seance.pk, donnees.pop("nature"), admin_a, **donnees)
    assert not Point.objects.exists()
    p1 = services.ajouter_point(seance.pk, "porte", admin_a, systeme=systeme_a.pk, stade_vise="etude")
    p2 = services.ajouter_point(seance.pk, "libre", admin_a, titre="Charte de l'IA", description="Projet v2.")
    assert (p1.ordre, p2.ordre) == (0, 1)
    assert p1.titre == "Détection des fuites : passage au stade « Étude d'opportunité »"
    assert p1.organisation_id == comite.organisation_id
    services.deplacer_point(p2.pk, "monter", admin_a)
    assert [p.pk for p in selectors.points(seance)] == [p2.pk, p1.pk]
    services.retirer_point(p1.pk, admin_a)
    assert list(Point.objects.values_list("pk", flat=True)) == [p2.pk]
    assert Point.history.filter(id=p1.pk, history_type="-").get().history_user == admin_a


def test_une_evaluation_en_cours_et_une_qualification_s_inscrivent(comite, admin_a, systeme_a):
    from tests.test_cloisonnement import _evaluations, _qualifier

    _, evaluation, _, _ = _evaluations(systeme_a, admin_a, "a")
    _qualifier(systeme_a, admin_a)
    seance = _seance(comite, admin_a)
    offertes = selectors.propositions(comite, timezone.localdate())
    assert evaluation in offertes.evaluations and offertes.qualifications
    p = services.ajouter_point(seance.pk, "evaluation", admin_a, evaluation=evaluation.pk)
    q = services.ajouter_point(
        seance.pk, "qualification", admin_a, qualification=offertes.qualifications[0].pk
    )
    assert p.systeme == systeme_a and "(en cours)" in p.titre
    assert q.systeme == systeme_a and q.titre.startswith(
        "Détection des fuites : qualification réglementaire du "
    )


def test_un_point_ne_se_retire_plus_une_fois_la_seance_tenue(comite, admin_a):
    seance = _seance(comite, admin_a, jours=-1)
    point = services.ajouter_point(seance.pk, "libre", admin_a, titre="Bilan")
    services.declarer_tenue(seance.pk, seance.version, admin_a)
    with pytest.raises(services.RefusSeance):
        services.retirer_point(point.pk, admin_a)
    with pytest.raises(services.RefusSeance):
        services.ajouter_point(seance.pk, "libre", admin_a, titre="Ajout tardif")
    assert Point.objects.count() == 1


# --- Convocation de bout en bout ------------------------------------------------------------------


def _invitation(message) -> Calendar:
    (piece,) = [p for p in message.attachments if p[0].endswith(".ics")]
    assert piece[2] == "text/calendar"
    return Calendar.from_ical(piece[1])


def _evenement(cal: Calendar):
    (evenement,) = cal.walk("VEVENT")
    return evenement


def test_convocation_fige_les_dossiers_et_envoie_les_invitations(client, comite, admin_a, systeme_a):
    seance = _seance(comite, admin_a)
    services.ajouter_point(seance.pk, "porte", admin_a, systeme=systeme_a.pk, stade_vise="etude")
    services.ajouter_point(
        seance.pk, "libre", admin_a, titre="Charte de l'IA", description="Projet de charte."
    )
    with pytest.raises(versions.ConflitEdition):  # version périmée : refus sans rien lancer
        services.convoquer(seance.pk, seance.version + 5, admin_a, ADRESSE)
    travail = services.convoquer(seance.pk, seance.version, admin_a, ADRESSE)
    assert mail.outbox == [] and travail.nature == Travail.Nature.CONVOCATION_SEANCE
    executer_travaux()
    travail.refresh_from_db()
    assert travail.etat == Travail.Etat.TERMINE, travail.message
    seance.refresh_from_db()
    assert seance.statut == Seance.Statut.CONVOQUEE and seance.convoquee_le is not None

    assert sorted(m.to[0] for m in mail.outbox) == ["admin-a@exemple.fr", "citoyenne@exemple.fr"]
    for message in mail.outbox:
        assert ADRESSE in message.body and "Charte de l'IA" in message.body
        cal = _invitation(message)
        evenement = _evenement(cal)
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(evenement["UID"]) == str(seance.uid)
        assert evenement.decoded("DTSTART") == seance.debut
        assert evenement.decoded("DTEND") == seance.debut + timedelta(minutes=90)
        assert str(evenement["LOCATION"]) == "Salle du conseil"
        assert str(evenement["ATTENDEE"]) == f"mailto:{message.to[0]}"  # lui seul, pas les autres
        assert str(evenement["ORGANIZER"]).startswith("mailto:")
    sequence = int(_evenement(_invitation(mail.outbox[0]))["SEQUENCE"])

    # Les dossiers sont figés : ce qui a été envoyé, même si la fiche change ensuite.
    points = selectors.points(seance)
    assert all(p.dossier and p.dossier_fige_le for p in points)
    client.force_login(comite.membres.get(fonction=Membre.Fonction.MEMBRE).utilisateur)  # le membre externe
    url = f"/o/{comite.organisation.slug}/seances/{seance.pk}/points/{points[0].pk}/dossier/"
    avant = client.get(url)
    assert avant.status_code == 200 and avant["Content-Disposition"].startswith("attachment")
    contenu = b"".join(avant.streaming_content)
    assert contenu.startswith(b"%PDF")
    systeme_a.refresh_from_db()
    registre.modifier_systeme(systeme_a.pk, {"nom": "Nouveau nom"}, systeme_a.version, admin_a)
    apres = client.get(url)
    assert b"".join(apres.streaming_content) == contenu

    # Une séance convoquée puis modifiée : même UID, SEQUENCE plus grande.
    mail.outbox.clear()
    nouveau_debut = seance.debut + timedelta(days=1)
    services.modifier(seance.pk, nouveau_debut, 90, "Salle B", seance.version, admin_a, ADRESSE)
    assert len(mail.outbox) == 2
    evenement = _evenement(_invitation(mail.outbox[0]))
    assert str(evenement["UID"]) == str(seance.uid) and int(evenement["SEQUENCE"]) > sequence
    assert evenement.decoded("DTSTART") == nouveau_debut and str(evenement["LOCATION"]) == "Salle B"

    # Puis annulée : METHOD:CANCEL, même UID.
    mail.outbox.clear()
    seance.refresh_from_db()
    services.annuler(seance.pk, "Report sine die.", seance.version, admin_a, ADRESSE)
    assert len(mail.outbox) == 2
    cal = _invitation(mail.outbox[0])
    assert str(cal["METHOD"]) == "CANCEL" and str(_evenement(cal)["UID"]) == str(seance.uid)
    assert str(_evenement(cal)["STATUS"]) == "CANCELLED" and "Report sine die." in mail.outbox[0].body


def test_l_invitation_passe_par_la_file_des_courriels(comite, admin_a, settings):
    settings.EMAIL_BACKEND = "balise.travaux.courriels.ParLeTravailleur"
    settings.COURRIELS_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seance = _seance(comite, admin_a)
    services.ajouter_point(seance.pk, "libre", admin_a, titre="Point unique")
    services.convoquer(seance.pk, seance.version, admin_a, ADRESSE)
    executer_travaux()  # la convocation, qui met les courriels dans la file
    executer_travaux()  # les courriels
    assert len(mail.outbox) == 2
    assert str(_evenement(_invitation(mail.outbox[0]))["UID"]) == str(seance.uid)


def test_convoquer_sans_point_ou_sans_membre_est_refuse(org_a, admin_a, comite):
    seance = _seance(comite, admin_a)
    with pytest.raises(services.RefusSeance, match="au moins un point"):
        services.convoquer(seance.pk, seance.version, admin_a, ADRESSE)
    vide = _instance(org_a, "COPIL")
    autre = _seance(vide, admin_a)
    services.ajouter_point(autre.pk, "libre", admin_a, titre="Lancement")
    with pytest.raises(services.RefusSeance, match="aucun membre"):
        services.convoquer(autre.pk, autre.version, admin_a, ADRESSE)
    assert not Travail.objects.exists()


def test_une_seance_annulee_pendant_la_convocation_n_envoie_rien(comite, admin_a):
    seance = _seance(comite, admin_a)
    services.ajouter_point(seance.pk, "libre", admin_a, titre="Point")
    travail = services.convoquer(seance.pk, seance.version, admin_a, ADRESSE)
    seance.refresh_from_db()
    services.annuler(seance.pk, "Empêchement.", seance.version, admin_a, ADRESSE)
    executer_travaux()
    travail.refresh_from_db()
    assert travail.etat == Travail.Etat.ECHOUE and "annulée" in travail.message
    assert mail.outbox == [] and not Point.objects.exclude(dossier="").exists()


# --- Présences, procès-verbal ----------------------------------------------------------------------


def test_presences_quorum_et_proces_verbal(client, comite, admin_a, org_a):
    seance = _seance(comite, admin_a, jours=-1)
    services.ajouter_point(seance.pk, "libre", admin_a, titre="Bilan annuel")
    invite = _sieger(comite, fabrique.membre(org_a, "lecteur", "invite@exemple.fr"), Membre.Fonction.INVITE)
    president, externe = comite.membres.exclude(pk=invite.pk).order_by("pk")
    with pytest.raises(ValidationError):
        services.noter_presences(seance.pk, {president.pk: "peut-etre"}, seance.version, admin_a)
    with pytest.raises(ValidationError):
        services.noter_presences(seance.pk, {999_999: "present"}, seance.version, admin_a)
    assert not Presence.objects.exists()
    etats = {president.pk: "present", externe.pk: "excuse", invite.pk: "present"}
    seance = services.noter_presences(seance.pk, etats, seance.version, admin_a)
    q = selectors.quorum_de(seance, selectors.feuille(seance))
    assert q.texte == "quorum atteint : 1 présent sur 2 votants, 50 % requis"  # l'invité ne compte pas

    with pytest.raises(services.RefusSeance):  # pas encore tenue
        services.rediger_pv(seance.pk, "Débats.", seance.version, admin_a)
    seance = services.declarer_tenue(seance.pk, seance.version, admin_a)
    with pytest.raises(services.RefusSeance):  # vide
        services.approuver_pv(seance.pk, seance.version, admin_a)
    seance = services.rediger_pv(seance.pk, "Le comité a examiné le bilan.", seance.version, admin_a)
    seance = services.approuver_pv(seance.pk, seance.version, admin_a)
    assert seance.pv_approuve_par == admin_a
    with pytest.raises(services.RefusSeance, match="figé"):
        services.rediger_pv(seance.pk, "Réécriture.", seance.version, admin_a)
    with pytest.raises(services.RefusSeance):
        services.noter_presences(seance.pk, {externe.pk: "present"}, seance.version, admin_a)
    seance.refresh_from_db()
    assert seance.proces_verbal == "Le comité a examiné le bilan."
    approuvee = seance.history.filter(pv_approuve_le__isnull=False).get()
    assert approuvee.history_user == admin_a and approuvee.version == seance.version

    client.force_login(admin_a)
    base = f"/o/{org_a.slug}/seances/{seance.pk}/"
    r = client.post(
        base + "proces-verbal/", {"proces_verbal": "Autre", "version": seance.version}, follow=True
    )
    assert "figé" in r.content.decode()
    pdf = client.get(base + "proces-verbal.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment") and "approuve" in pdf["Content-Disposition"]
    page = client.get(base).content.decode()
    assert "Quorum atteint : 1 présent sur 2 votants, 50 % requis" in page


# --- Droits --------------------------------------------------------------------------------------


def test_droits_sur_les_pages_de_seance(client, org_a, admin_a, comite):
    seance = _seance(comite, admin_a)
    point = services.ajouter_point(seance.pk, "libre", admin_a, titre="Point")
    autre = _instance(org_a, "COPIL")
    seance_autre = _seance(autre, admin_a)
    base = f"/o/{org_a.slug}/seances/{seance.pk}/"

    externe = comite.membres.get(fonction=Membre.Fonction.MEMBRE).utilisateur
    client.force_login(externe)
    assert client.get(base).status_code == 200
    assert client.get(f"/o/{org_a.slug}/instances/{comite.pk}/seances/").status_code == 200
    assert client.get(base + "modifier/").status_code == 403
    assert client.post(base + f"points/{point.pk}/retrait/").status_code == 403
    # Une autre instance, où il ne siège pas : introuvable.
    assert client.get(f"/o/{org_a.slug}/seances/{seance_autre.pk}/").status_code == 404
    assert client.get(f"/o/{org_a.slug}/instances/{autre.pk}/seances/").status_code == 404
    assert client.get(f"/o/{org_a.slug}/instances/{autre.pk}/seances/nouvelle/").status_code == 404

    lecteur = fabrique.membre(org_a, "lecteur", "lecteur@exemple.fr")
    client.force_login(lecteur)
    assert client.get(f"/o/{org_a.slug}/seances/{seance_autre.pk}/").status_code == 200
    assert client.get(f"/o/{org_a.slug}/instances/{autre.pk}/seances/nouvelle/").status_code == 403

    # Un secrétaire de l'instance l'instruit sans avoir GOUVERNER.
    secretaire = fabrique.membre(org_a, "comite", "secretaire@exemple.fr")
    _sieger(comite, secretaire, Membre.Fonction.SECRETAIRE)
    client.force_login(secretaire)
    assert 'value="Salle du conseil"' in client.get(base + "modifier/").content.decode()
    r = client.post(
        base + "modifier/", {"debut": "2031-03-10T14:00", "duree_minutes": 60, "lieu": "", "version": 1}
    )
    assert r.status_code == 302
    seance.refresh_from_db()
    assert timezone.localtime(seance.debut).strftime("%Y-%m-%d %H:%M") == "2031-03-10 14:00"
    assert client.get(f"/o/{org_a.slug}/seances/{seance_autre.pk}/modifier/").status_code == 403


def test_la_page_de_seance_mene_a_chaque_point(client, org_a, admin_a, comite):
    """Un membre (externe compris) rejoint un point depuis sa séance pour y voter : le titre du point
    est un lien vers sa page (votes, avis, décision)."""
    seance = _seance(comite, admin_a)
    point = services.ajouter_point(seance.pk, "libre", admin_a, titre="Charte de l'IA")
    externe = comite.membres.get(fonction=Membre.Fonction.MEMBRE).utilisateur
    client.force_login(externe)
    page = client.get(f"/o/{org_a.slug}/seances/{seance.pk}/").content.decode()
    assert f'href="/o/{org_a.slug}/points/{point.pk}/">Charte de l&#x27;IA</a>' in page
    assert client.get(f"/o/{org_a.slug}/points/{point.pk}/").status_code == 200


def test_le_menu_d_un_membre_externe_ne_propose_que_ses_instances(client, org_a, admin_a, comite):
    """Sur « À traiter », la séance et le point, le menu d'un membre externe ne montre ni le registre ni
    le reste de l'organisation (il n'y a pas accès) : seulement « À traiter » et « Instances »."""
    seance = _seance(comite, admin_a)
    point = services.ajouter_point(seance.pk, "libre", admin_a, titre="Charte")
    externe = comite.membres.get(fonction=Membre.Fonction.MEMBRE).utilisateur
    client.force_login(externe)
    for adresse in ("a-traiter/", f"seances/{seance.pk}/", f"points/{point.pk}/"):
        page = client.get(f"/o/{org_a.slug}/{adresse}").content.decode()
        menu = page.split('aria-label="Menu principal"')[1].split("</nav>")[0]
        assert f'href="/o/{org_a.slug}/instances/"' in menu, adresse
        assert "/registre/" not in menu and "/portefeuille/" not in menu, adresse
    client.force_login(admin_a)
    menu = client.get(f"/o/{org_a.slug}/seances/{seance.pk}/").content.decode().split("Menu principal")[1]
    assert f'href="/o/{org_a.slug}/registre/"' in menu


def test_creer_une_seance_par_la_page(client, org_a, admin_a, comite):
    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/instances/{comite.pk}/seances/nouvelle/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"debut": "", "duree_minutes": 0, "lieu": ""})
    assert r.status_code == 200 and "rien n'a été enregistré" in r.content.decode()
    assert not Seance.objects.exists()
    r = client.post(
        url, {"debut": "2031-03-10T14:00", "duree_minutes": 60, "lieu": "Mairie", "envoi": "j" * 20}
    )
    client.post(url, {"debut": "2031-03-10T14:00", "duree_minutes": 60, "lieu": "Mairie", "envoi": "j" * 20})
    seance = Seance.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/o/{org_a.slug}/seances/{seance.pk}/"
    assert "2031" in client.get(f"/o/{org_a.slug}/instances/{comite.pk}/seances/").content.decode()


# --- Requêtes en nombre constant ---------------------------------------------------------------------


def _garnir(seance, instance, org, admin, n):
    for i in range(n):
        services.ajouter_point(seance.pk, "libre", admin, titre=f"Point {seance.pk}-{i}")
        _sieger(instance, fabrique.membre(org, "lecteur", f"m{seance.pk}-{i}@exemple.fr"))


def test_la_page_de_seance_a_un_nombre_de_requetes_constant(
    client, org_a, admin_a, django_assert_max_num_queries
):
    petite_instance, grande_instance = _instance(org_a, "Petit"), _instance(org_a, "Grand")
    petite, grande = _seance(petite_instance, admin_a), _seance(grande_instance, admin_a)
    _garnir(petite, petite_instance, org_a, admin_a, 2)
    _garnir(grande, grande_instance, org_a, admin_a, 12)
    services.noter_presences(
        grande.pk, {m.pk: "present" for m in grande_instance.membres.all()}, grande.version, admin_a
    )
    client.force_login(admin_a)
    client.get(f"/o/{org_a.slug}/seances/{petite.pk}/")  # caches de session et d'adhésion chauds
    with CaptureQueriesContext(connection) as petites:
        assert client.get(f"/o/{org_a.slug}/seances/{petite.pk}/").status_code == 200
    with django_assert_max_num_queries(len(petites.captured_queries)):
        assert client.get(f"/o/{org_a.slug}/seances/{grande.pk}/").status_code == 200


# --- API -------------------------------------------------------------------------------------------


def _api(utilisateur):
    from django.test import Client

    from balise.comptes.models import JetonAPI

    _, secret = JetonAPI.emettre(utilisateur, "séances")
    return Client(headers={"authorization": f"Bearer {secret}"})


def test_api_des_seances(org_a, admin_a, comite, systeme_a):
    api = _api(admin_a)
    base = f"/api/organisations/{org_a.slug}"
    r = api.post(
        f"{base}/instances/{comite.pk}/seances",
        {"debut": "2031-03-10T14:00:00+01:00", "duree_minutes": 60, "lieu": "Mairie"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    seance = r.json()
    assert seance["statut"] == "prevue" and seance["debut"].startswith("2031-03-10T14:00:00+01:00")
    assert (
        api.post(
            f"{base}/instances/{comite.pk}/seances",
            {"debut": "2031-03-10T14:00:00"},  # sans fuseau
            content_type="application/json",
        ).status_code
        == 400
    )
    url = f"{base}/seances/{seance['id']}"
    r = api.post(f"{url}/points", {"nature": "libre", "titre": ""}, content_type="application/json")
    assert r.status_code == 400 and "intitulé" in r.json()["message"]
    r = api.post(
        f"{url}/points",
        {"nature": "porte", "systeme": systeme_a.pk, "stade_vise": "etude"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["systeme"] == systeme_a.pk
    assert api.post(f"{url}/convocation", {"version": 99}, content_type="application/json").status_code == 409
    r = api.post(f"{url}/convocation", {"version": seance["version"]}, content_type="application/json")
    assert r.status_code == 202 and r.json()["nature"] == "gouvernance.convocation"
    executer_travaux()
    lue = api.get(url).json()
    assert lue["statut"] == "convoquee" and lue["points"][0]["dossier"].endswith("/dossier/")
    assert lue["quorum"]["votants"] == 2 and len(lue["presences"]) == 2
    assert [s["id"] for s in api.get(f"{base}/instances/{comite.pk}/seances").json()] == [seance["id"]]

    # Un membre externe d'une autre instance : introuvable ; un lecteur : lecture seule.
    autre = _instance(org_a, "COPIL")
    externe_copil = fabrique.membre(org_a, "externe", "expert@exemple.fr")
    _sieger(autre, externe_copil)
    assert _api(externe_copil).get(url).status_code == 404
    assert _api(externe_copil).get(f"{base}/instances/{comite.pk}/seances").status_code == 404
    lecteur = _api(fabrique.membre(org_a, "lecteur", "lecteur@exemple.fr"))
    assert lecteur.get(url).status_code == 200
    r = lecteur.post(f"{url}/points", {"nature": "libre", "titre": "X"}, content_type="application/json")
    assert r.status_code == 403 and Point.objects.count() == 1


# --- Pages : ordre du jour, convocation, présences, fragment de la fiche d'instance ---------------


def test_parcours_par_les_pages(client, org_a, admin_a, comite, systeme_a, systeme_b):
    seance = _seance(comite, admin_a)
    base = f"/o/{org_a.slug}/seances/{seance.pk}/"
    client.force_login(admin_a)
    formulaire = client.get(base + "points/nouveau/").content.decode()
    assert "Détection des fuites" in formulaire and systeme_b.nom not in formulaire
    r = client.post(
        base + "points/nouveau/", {"nature": "porte", "systeme": systeme_b.pk, "stade_vise": "etude"}
    )
    assert r.status_code == 200 and not Point.objects.exists()  # hors de la liste : refusé
    r = client.post(
        base + "points/nouveau/", {"nature": "porte", "systeme": systeme_a.pk, "stade_vise": "production"}
    )
    assert "les stades possibles sont" in r.content.decode() and not Point.objects.exists()
    r = client.post(
        base + "points/nouveau/", {"nature": "porte", "systeme": systeme_a.pk, "stade_vise": "etude"}
    )
    assert r.status_code == 302 and Point.objects.count() == 1

    r = client.post(base + "convocation/", {"version": seance.version}, follow=True)
    assert "Convocation lancée" in r.content.decode()
    executer_travaux()
    page = client.get(base).content.decode()
    assert "Dossier figé le" in page and "Convocation : terminé" in page and len(mail.outbox) == 2

    president, externe = comite.membres.order_by("pk")
    seance.refresh_from_db()
    r = client.post(
        base + "presences/",
        {
            "version": seance.version,
            f"presence-{president.pk}": "present",
            f"presence-{externe.pk}": "excuse",
        },
        follow=True,
    )
    assert "Quorum atteint : 1 présent sur 2 votants, 50 % requis" in r.content.decode()
    assert (
        Presence.objects.filter(present=True).count() == 1
        and Presence.objects.filter(excuse=True).count() == 1
    )


def test_le_fragment_de_la_fiche_d_instance(rf, org_a, admin_a, comite):
    from django.template.loader import render_to_string

    _seance(comite, admin_a, jours=3, lieu="Salle à venir")
    _seance(comite, admin_a, jours=-3, lieu="Salle passée")
    html = render_to_string(
        "gouvernance/seances/_liste_instance.html",
        {"organisation": org_a, "instance": comite, "peut_instruire": True},
    )
    assert "Salle à venir" in html and "Salle passée" in html
    assert f"/o/{org_a.slug}/instances/{comite.pk}/seances/nouvelle/" in html
    sans_droit = render_to_string(
        "gouvernance/seances/_liste_instance.html", {"organisation": org_a, "instance": comite}
    )
    assert "/seances/nouvelle/" not in sans_droit
