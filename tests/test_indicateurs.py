"""Indicateurs : services, saisies hostiles, droits, À traiter, revue en séance, sélecteur du tableau."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balise import versions
from balise.gouvernance import a_traiter, services_seances
from balise.gouvernance.models import Instance, Point
from balise.indicateurs import echeances, modeles, selectors, services
from balise.indicateurs.models import Ecart, Indicateur, Mesure
from tests import fabrique, instantane

_donnees = fabrique.donnees_indicateur


@pytest.fixture
def indicateur(org_a, referent_a, lecteur_a):
    i = services.creer_indicateur(org_a, _donnees(lecteur_a), referent_a)
    Indicateur.objects.filter(pk=i.pk).update(cree_le=timezone.now() - timedelta(days=400))
    i.refresh_from_db()
    return i


def _mois(n):
    """Le premier jour du mois, n mois avant celui-ci."""
    return echeances.decaler(echeances.periode_de(timezone.localdate(), "mensuelle"), "mensuelle", -n)


def test_le_modele_de_depart_cite_la_graine_001():
    m = modeles.en_vigueur()
    tableau = [x for x in m.indicateurs if x.portee == "organisation"]
    assert [x.intitule for x in tableau] == [
        "Temps moyen par dossier",
        "Score de satisfaction",
        "Taux de conformité RGPD",
        "Nombre de décisions explicables",
    ]
    assert [x.frequence.value for x in tableau] == ["mensuelle", "trimestrielle", "semestrielle", "mensuelle"]
    assert all(m.citer(x).startswith("graine 001:10") for x in tableau)
    with pytest.raises(modeles.ModelesInvalides):
        modeles.lire("version: 1\nmise_a_jour: 2026-01-01\nsources: {}\nindicateurs: []\n")


def test_creer_depuis_le_modele_et_historique(org_a, referent_a, lecteur_a, systeme_a):
    i = services.depuis_modele(org_a, "satisfaction_usagers", referent_a, lecteur_a.pk)
    assert i.frequence == "trimestrielle" and i.source == "graine 001:1024" and i.systeme is None
    with pytest.raises(ValidationError):
        services.depuis_modele(org_a, "temps_gagne", referent_a, lecteur_a.pk)  # type de système sans système
    s = services.depuis_modele(org_a, "temps_gagne", referent_a, lecteur_a.pk, systeme_a.pk)
    assert s.systeme_id == systeme_a.pk
    modifie = services.modifier_indicateur(org_a, i.pk, _donnees(lecteur_a, cible="8"), referent_a, 1)
    assert modifie.version == 2 and modifie.history.count() == 2
    with pytest.raises(versions.ConflitEdition):
        services.modifier_indicateur(org_a, i.pk, _donnees(lecteur_a, cible="9"), referent_a, 1)


@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("valeur", "douze"),
        ("valeur", "=cmd|' /C calc'!A0"),
        ("valeur", "1e400"),
        ("valeur", "NaN"),
        ("valeur", "Infinity"),
        ("valeur", "999999999999999"),
        ("valeur", "1" * 5000),
        ("valeur", True),
        ("periode", "2025-13"),
        ("periode", "hier"),
        ("periode", "1850-01"),
        ("periode", "2999-01"),
        ("commentaire", "x" * 2001),
    ],
)
def test_saisies_hostiles_refusees_sans_rien_changer(indicateur, lecteur_a, champ, valeur):
    donnees = {"periode": _mois(1).isoformat(), "valeur": "12", "commentaire": "", champ: valeur}
    avant = instantane.photo()
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_mesure(indicateur, donnees, lecteur_a)
    assert exc.value.messages and all(isinstance(m, str) for m in exc.value.messages)
    assert not Mesure.objects.exists()
    assert instantane.photo() == avant


def test_formule_dans_un_nom_gardee_comme_texte(org_a, referent_a, lecteur_a):
    i = services.creer_indicateur(org_a, _donnees(lecteur_a, intitule='=HYPERLINK("x")'), referent_a)
    assert i.intitule == '=HYPERLINK("x")'
    with pytest.raises(ValidationError):
        services.creer_indicateur(org_a, _donnees(lecteur_a, intitule="x" * 301), referent_a)
    with pytest.raises(ValidationError):
        services.creer_indicateur(org_a, _donnees(lecteur_a, frequence="hebdomadaire"), referent_a)


def test_mesure_normalisee_et_unique(indicateur, lecteur_a):
    m = services.enregistrer_mesure(
        indicateur, {"periode": _mois(1) + timedelta(days=9), "valeur": "12,5"}, lecteur_a
    )
    assert m.periode == _mois(1) and m.valeur == Decimal("12.5")
    with pytest.raises(ValidationError):
        services.enregistrer_mesure(indicateur, {"periode": _mois(1).isoformat(), "valeur": "3"}, lecteur_a)
    m = services.modifier_mesure(m.pk, indicateur, {"valeur": "9"}, lecteur_a, 1)
    assert m.version == 2
    with pytest.raises(versions.ConflitEdition):
        services.modifier_mesure(m.pk, indicateur, {"valeur": "8"}, lecteur_a, 1)


def test_a_traiter_mesure_due_puis_hors_cible_puis_analysee(org_a, indicateur, referent_a, lecteur_a):
    aujourd_hui = timezone.localdate()
    # Aucune mesure depuis plus d'un an : la mesure est due (en retard) pour le responsable seul.
    r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", aujourd_hui)
    assert r.nb_mesures == 1 and r.mesures[0].etat.en_retard and not r.vide
    assert a_traiter.pour_personne(referent_a, org_a, "referent", aujourd_hui).nb_mesures == 0
    # Les mesures à jour, dans la cible : plus rien.
    for n in range(13, 0, -1):
        services.enregistrer_mesure(indicateur, {"periode": _mois(n), "valeur": "8"}, lecteur_a)
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", aujourd_hui).nb_mesures == 0
    # Une mesure qui manque la cible (au plus 10) : elle apparaît, hors cible.
    Mesure.objects.filter(periode=_mois(1)).delete()
    mesure = services.enregistrer_mesure(indicateur, {"periode": _mois(1), "valeur": "14"}, lecteur_a)
    r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", aujourd_hui)
    assert r.nb_mesures == 1 and r.mesures[0].hors_cible and not r.mesures[0].etat.due
    # Analysée en revue : elle quitte « À traiter ».
    instance = Instance.objects.create(
        organisation=org_a, nom="Comité", mission="Revue.", nature="consultative"
    )
    seance = services_seances.programmer(
        instance, timezone.now() + timedelta(days=3), 60, "Salle", referent_a
    )
    point = services_seances.ajouter_point(seance.pk, Point.Nature.INDICATEURS, referent_a)
    assert point.titre == "Revue des indicateurs"
    ecart = services.enregistrer_ecart(
        point,
        mesure,
        {"analyse": "Pic saisonnier.", "action": "Renfort.", "responsable": lecteur_a.pk},
        referent_a,
    )
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", aujourd_hui).nb_mesures == 0
    services.enregistrer_ecart(point, mesure, {"analyse": "Pic saisonnier confirmé."}, referent_a, 1)
    with pytest.raises(versions.ConflitEdition):
        services.enregistrer_ecart(point, mesure, {"analyse": "Autre."}, referent_a, 1)
    assert Ecart.objects.get(pk=ecart.pk).history.count() == 2


def test_a_traiter_requetes_plates(org_a, referent_a, lecteur_a, django_assert_max_num_queries):
    def peupler(n):
        for _ in range(n):
            i = services.creer_indicateur(org_a, _donnees(lecteur_a), referent_a)
            services.enregistrer_mesure(i, {"periode": _mois(2), "valeur": "20"}, lecteur_a)

    peupler(1)
    with django_assert_max_num_queries(a_traiter.MAX_REQUETES):
        a_traiter.pour_personne(lecteur_a, org_a, "lecteur", timezone.localdate())
    peupler(25)
    with django_assert_max_num_queries(a_traiter.MAX_REQUETES):
        r = a_traiter.pour_personne(lecteur_a, org_a, "lecteur", timezone.localdate())
    assert r.nb_mesures == 26 and len(r.mesures) == a_traiter.LIMITE


def test_tableau_en_requetes_constantes(org_a, indicateur, referent_a, lecteur_a, django_assert_num_queries):
    for n in range(1, 4):
        services.enregistrer_mesure(indicateur, {"periode": _mois(n), "valeur": str(5 * n)}, lecteur_a)
    autre = services.creer_indicateur(org_a, _donnees(lecteur_a, sens="au_moins"), referent_a)
    services.enregistrer_mesure(autre, {"periode": _mois(1), "valeur": "3"}, lecteur_a)
    with django_assert_num_queries(2):
        lignes = selectors.tableau(org_a, _mois(2), _mois(1))
    par_pk = {lig.indicateur.pk: lig for lig in lignes}
    assert [m.valeur for m in par_pk[indicateur.pk].mesures] == [Decimal(10), Decimal(5)]
    assert par_pk[indicateur.pk].cible_atteinte is True
    assert par_pk[autre.pk].cible_atteinte is False and par_pk[autre.pk].derniere_valeur == 3


def test_droits_des_pages(org_a, indicateur, referent_a, lecteur_a):
    rh = fabrique.membre(org_a, "rh", "rh@exemple.fr")
    dpo = fabrique.membre(org_a, "dpo", "dpo@exemple.fr")
    slug = org_a.slug
    saisir = reverse("indicateurs:saisir", args=[slug, indicateur.pk])
    corps = {"periode": _mois(1).isoformat(), "valeur": "11"}
    for personne, attendu in [(rh, 403), (dpo, 403)]:
        c = Client()
        c.force_login(personne)
        assert c.get(reverse("indicateurs:liste", args=[slug])).status_code == 200
        assert c.post(saisir, corps).status_code == attendu
        assert c.post(reverse("indicateurs:creer", args=[slug]), _donnees(personne)).status_code == 403
    assert not Mesure.objects.exists()
    c = Client()
    c.force_login(lecteur_a)  # le responsable saisit, même lecteur
    assert c.post(saisir, corps).status_code == 302
    assert c.post(saisir, {"periode": "2025-13", "valeur": "x"}).status_code == 400
    page = c.get(reverse("indicateurs:fiche", args=[slug, indicateur.pk])).content.decode()
    assert 'role="img"' in page and "<title" in page and "cible" in page and "<caption>" in page
    accueil = c.get(reverse("gouvernance:a_traiter", args=[slug])).content.decode()
    assert "Temps moyen par dossier" in accueil and "hors cible" in accueil


def test_cloisonnement_d_une_autre_organisation(org_a, org_b, indicateur, admin_b):
    c = Client()
    c.force_login(admin_b)
    assert c.get(reverse("indicateurs:fiche", args=[org_b.slug, indicateur.pk])).status_code == 404
    assert c.get(reverse("indicateurs:fiche", args=[org_a.slug, indicateur.pk])).status_code == 404
    assert (
        c.post(reverse("indicateurs:saisir", args=[org_b.slug, indicateur.pk]), {"valeur": "1"}).status_code
        == 404
    )
    assert not Mesure.objects.exists()


def test_revue_en_seance(org_a, indicateur, referent_a, lecteur_a):
    mesure = services.enregistrer_mesure(indicateur, {"periode": _mois(1), "valeur": "30"}, lecteur_a)
    instance = Instance.objects.create(
        organisation=org_a, nom="Comité", mission="Revue.", nature="consultative"
    )
    seance = services_seances.programmer(
        instance, timezone.now() + timedelta(days=3), 60, "Salle", referent_a
    )
    point = services_seances.ajouter_point(seance.pk, "indicateurs", referent_a)
    c = Client()
    c.force_login(referent_a)
    page = c.get(reverse("gouvernance:seance", args=[org_a.slug, seance.pk])).content.decode()
    assert reverse("indicateurs:revue", args=[org_a.slug, point.pk]) in page
    url = reverse("indicateurs:revue", args=[org_a.slug, point.pk])
    assert "Écart" in c.get(url).content.decode()
    echeance = (date.today() + timedelta(days=30)).isoformat()
    r = c.post(url, {"mesure": mesure.pk, "analyse": "Absences.", "action": "Renfort.", "echeance": echeance})
    assert r.status_code == 302 and Ecart.objects.get().action == "Renfort."
    assert c.post(url, {"mesure": mesure.pk, "analyse": "", "version": "1"}).status_code == 400
    lecteur = Client()
    lecteur.force_login(lecteur_a)
    assert lecteur.post(url, {"mesure": mesure.pk, "analyse": "Non."}).status_code == 403
    assert Ecart.objects.get().analyse == "Absences."


# --- Modifier, archiver, corriger depuis les pages ------------------------------------------------


def _client(personne):
    c = Client()
    c.force_login(personne)
    return c


def test_modifier_par_la_page_prerempli_puis_enregistre_et_historise(
    org_a, indicateur, referent_a, lecteur_a
):
    c = _client(referent_a)
    url = reverse("indicateurs:modifier", args=[org_a.slug, indicateur.pk])
    fiche = c.get(reverse("indicateurs:fiche", args=[org_a.slug, indicateur.pk])).content.decode()
    assert url in fiche and reverse("indicateurs:archiver", args=[org_a.slug, indicateur.pk]) in fiche
    page = c.get(url).content.decode()
    assert 'name="version" value="1"' in page and 'value="Temps moyen par dossier"' in page
    assert 'value="au_plus" selected' in page and f'value="{lecteur_a.pk}" selected' in page
    r = c.post(url, _donnees(lecteur_a, cible="8,5", intitule="Délai moyen", version="1"))
    assert r.status_code == 302 and r["Location"] == reverse(
        "indicateurs:fiche", args=[org_a.slug, indicateur.pk]
    )
    indicateur.refresh_from_db()
    assert (
        indicateur.intitule == "Délai moyen"
        and indicateur.cible == Decimal("8.5")
        and indicateur.version == 2
    )
    derniere = indicateur.history.first()
    assert derniere.history_user == referent_a and derniere.intitule == "Délai moyen"
    assert indicateur.history.count() == 2


def test_modifier_sur_une_version_perimee_montre_le_conflit_sans_rien_changer(
    org_a, indicateur, referent_a, admin_a, lecteur_a
):
    services.modifier_indicateur(org_a, indicateur.pk, _donnees(lecteur_a, cible="7"), admin_a, 1)
    url = reverse("indicateurs:modifier", args=[org_a.slug, indicateur.pk])
    c = _client(referent_a)
    avant = instantane.photo()
    for version in ("1", "", "abc"):  # périmée, absente, illisible
        r = c.post(url, _donnees(lecteur_a, intitule="Écrasé ?", version=version))
        page = r.content.decode()
        assert r.status_code == 409 and "Modification concurrente" in page
        assert 'value="Écrasé ?"' in page and 'name="version" value="2"' in page  # la saisie gardée
        assert ("a été modifiée par" if version == "1" else "pas été transmise") in page
    assert instantane.photo() == avant
    indicateur.refresh_from_db()
    assert indicateur.intitule == "Temps moyen par dossier" and indicateur.cible == 7


@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("intitule", "x" * 100_000),
        ("objectif", ""),
        ("unite", "u" * 41),
        ("source", "s" * 301),
        ("cible", "douze"),
        ("cible", "1e400"),
        ("cible", "NaN"),
        ("cible", "9" * 50),
        ("sens", "au_milieu"),
        ("frequence", "hebdomadaire"),
        ("responsable", "999999999999999999999"),
        ("responsable", "-1"),
        ("systeme", "999999"),
        ("systeme", "9" * 30),
    ],
)
def test_modifier_saisie_hostile_message_en_francais_sans_rien_changer(
    org_a, indicateur, referent_a, lecteur_a, champ, valeur
):
    url = reverse("indicateurs:modifier", args=[org_a.slug, indicateur.pk])
    avant = instantane.photo()
    r = _client(referent_a).post(url, {**_donnees(lecteur_a, version="1"), champ: valeur})
    page = r.content.decode()
    assert r.status_code == 400 and "Rien n'a été enregistré" in page
    assert any(m in page for m in ("Ce champ", "Saisissez", "Choisissez", "trop grand", "introuvable"))
    assert instantane.photo() == avant


def test_archiver_par_la_page(org_a, indicateur, referent_a, lecteur_a):
    c = _client(referent_a)
    url = reverse("indicateurs:archiver", args=[org_a.slug, indicateur.pk])
    liste = reverse("indicateurs:liste", args=[org_a.slug])
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", timezone.localdate()).nb_mesures == 1
    avant = instantane.photo()
    assert c.get(url).status_code == 405
    sans_confirmation = c.post(url, {"version": "1"}, follow=True)
    assert "Cochez la case de confirmation" in sans_confirmation.content.decode()
    perimee = c.post(url, {"version": "0", "confirmer": "oui"}, follow=True)
    assert "modifiée par" in perimee.content.decode()
    assert instantane.photo() == avant
    r = c.post(url, {"version": "1", "confirmer": "oui"})
    assert r.status_code == 302 and r["Location"] == liste
    indicateur.refresh_from_db()
    assert indicateur.archive_le is not None and indicateur.version == 2
    assert indicateur.history.first().history_user == referent_a
    assert reverse("indicateurs:fiche", args=[org_a.slug, indicateur.pk]) not in c.get(liste).content.decode()
    assert a_traiter.pour_personne(lecteur_a, org_a, "lecteur", timezone.localdate()).nb_mesures == 0
    # La fiche reste consultable, sans modification, archivage ni saisie.
    fiche = c.get(reverse("indicateurs:fiche", args=[org_a.slug, indicateur.pk])).content.decode()
    assert (
        "archivé le" in fiche
        and "Archiver l'indicateur" not in fiche
        and "Modifier l'indicateur" not in fiche
    )
    avant = instantane.photo()
    modifier = reverse("indicateurs:modifier", args=[org_a.slug, indicateur.pk])
    assert c.post(modifier, _donnees(lecteur_a, intitule="Après", version="2")).status_code == 302
    assert c.post(url, {"version": "2", "confirmer": "oui"}).status_code == 302
    assert instantane.photo() == avant


def test_corriger_une_mesure(org_a, indicateur, referent_a, lecteur_a):
    mesure = services.enregistrer_mesure(indicateur, {"periode": _mois(1), "valeur": "14"}, lecteur_a)
    url = reverse("indicateurs:corriger", args=[org_a.slug, indicateur.pk, mesure.pk])
    c = _client(lecteur_a)  # le responsable corrige, même lecteur
    fiche = c.get(reverse("indicateurs:fiche", args=[org_a.slug, indicateur.pk])).content.decode()
    assert url in fiche and "Modifier l'indicateur" not in fiche  # corriger oui, piloter non
    page = c.get(url).content.decode()
    assert 'name="version" value="1"' in page and 'value="14"' in page
    avant = instantane.photo()
    for valeur in ("douze", "1" * 5000, "1e400", "-Infinity"):
        r = c.post(url, {"valeur": valeur, "version": "1"})
        assert r.status_code == 400
        assert "Saisissez un nombre" in r.content.decode() or "trop grand" in r.content.decode()
    r = c.post(url, {"valeur": "9", "commentaire": "x" * 2001, "version": "1"})
    assert r.status_code == 400 and "2 000 caractères" in r.content.decode()
    assert instantane.photo() == avant
    r = c.post(url, {"valeur": "9,5", "commentaire": "Erreur de saisie.", "version": "1"})
    assert r.status_code == 302
    mesure.refresh_from_db()
    assert (
        mesure.valeur == Decimal("9.5") and mesure.commentaire == "Erreur de saisie." and mesure.version == 2
    )
    assert mesure.periode == _mois(1) and mesure.history.first().history_user == lecteur_a
    avant = instantane.photo()
    r = c.post(url, {"valeur": "1", "version": "1"})
    assert r.status_code == 409 and "Modification concurrente" in r.content.decode()
    assert instantane.photo() == avant


def test_droits_de_modifier_archiver_corriger(org_a, org_b, indicateur, referent_a, lecteur_a, admin_b):
    mesure = services.enregistrer_mesure(indicateur, {"periode": _mois(1), "valeur": "14"}, lecteur_a)
    slug = org_a.slug
    modifier = reverse("indicateurs:modifier", args=[slug, indicateur.pk])
    archiver = reverse("indicateurs:archiver", args=[slug, indicateur.pk])
    corriger = reverse("indicateurs:corriger", args=[slug, indicateur.pk, mesure.pk])
    personnes = [
        fabrique.membre(org_a, r, f"{r}-droits@exemple.fr") for r in ("dpo", "rh", "comite", "lecteur")
    ]
    avant = instantane.photo()
    for personne in personnes:
        c = _client(personne)
        fiche = c.get(reverse("indicateurs:fiche", args=[slug, indicateur.pk])).content.decode()
        assert modifier not in fiche and archiver not in fiche and corriger not in fiche
        assert c.get(modifier).status_code == 403
        assert c.post(modifier, _donnees(lecteur_a, intitule="Pirate", version="1")).status_code == 403
        assert c.post(archiver, {"version": "1", "confirmer": "oui"}).status_code == 403
        assert c.get(corriger).status_code == 403
        assert c.post(corriger, {"valeur": "1", "version": "1"}).status_code == 403
    # Le responsable (lecteur) corrige ses mesures, mais ne modifie ni n'archive l'indicateur.
    c = _client(lecteur_a)
    assert c.post(modifier, _donnees(lecteur_a, intitule="Pirate", version="1")).status_code == 403
    assert c.post(archiver, {"version": "1", "confirmer": "oui"}).status_code == 403
    # Une autre organisation : introuvable, sous son adresse comme sous la nôtre.
    c = _client(admin_b)
    for s in (slug, org_b.slug):
        args = [s, indicateur.pk]
        r = c.post(reverse("indicateurs:modifier", args=args), _donnees(lecteur_a, version="1"))
        assert r.status_code == 404
        r = c.post(reverse("indicateurs:archiver", args=args), {"version": "1", "confirmer": "oui"})
        assert r.status_code == 404
        r = c.post(reverse("indicateurs:corriger", args=[*args, mesure.pk]), {"valeur": "1", "version": "1"})
        assert r.status_code == 404
    assert instantane.photo() == avant
    # Une mesure d'un autre indicateur, sous l'adresse de celui-ci : introuvable.
    autre = services.creer_indicateur(org_a, _donnees(lecteur_a), referent_a)
    mauvaise = reverse("indicateurs:corriger", args=[slug, autre.pk, mesure.pk])
    assert _client(referent_a).post(mauvaise, {"valeur": "1", "version": "1"}).status_code == 404
    assert Mesure.objects.get(pk=mesure.pk).valeur == 14 and Mesure.objects.get(pk=mesure.pk).version == 1
