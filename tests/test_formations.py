"""Formation et acculturation (balise/formations) : données livrées, couverture pure (propriétés),
services, obligation de formation (AI Act, art. 4) qui suit la couverture, secret statistique,
saisies hostiles, droits, API et nombre de requêtes."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from balise import versions
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.formations import referentiel, selectors, services
from balise.formations.couverture import Couverture, cumul_a_la_date, serie, toutes_atteintes
from balise.formations.models import Participation, Population, SessionFormation
from balise.formations.services import Ligne
from balise.metiers import services as metiers
from tests import fabrique, travailleur

GRAINES = Path("/work/shared/seeds")
HIER = timezone.localdate() - timedelta(days=1)


# --- Données livrées ------------------------------------------------------------------------------


def test_les_donnees_livrees_se_chargent_et_sont_sourcees():
    pops = referentiel.populations()
    assert [p.code for p in pops.paliers] == ["acculturation", "socle_commun", "culture_partagee"]
    assert {p.code for p in pops.populations} >= {
        "tous_agents",
        "socle_commun",
        "metiers_cibles",
        "encadrants",
        "elus",
        "referents_ia",
        "drh_dpo_dsi",
    }
    cat = referentiel.catalogue()
    assert cat.offre("cnfpt_mooc_fondamentaux").titre == "Les fondamentaux de l'IA (MOOC)"
    assert all(o.source for o in cat.offres)


@pytest.mark.skipif(not GRAINES.is_dir(), reason="graines absentes")
def test_chaque_source_designe_une_ligne_qui_existe():
    sources = [p.source for p in referentiel.populations().paliers]
    sources += [p.source for p in referentiel.populations().populations]
    sources += [o.source for o in referentiel.catalogue().offres]
    for source in sources:
        for morceau in source.split(" ; "):
            fichier, lignes = morceau.split(" (")[0].split(":")
            nombre = len((GRAINES / fichier).read_text(encoding="utf-8").splitlines())
            for n in lignes.split(", "):
                assert 1 <= int(n) <= nombre, morceau
    # Le MOOC est bien cité à la ligne indiquée.
    texte = (GRAINES / "004_bdc9e5a14722e214.txt").read_text(encoding="utf-8").splitlines()
    assert "Les fondamentaux de l'IA" in texte[701]


def test_un_catalogue_invalide_est_refuse_en_francais():
    donnees = yaml.safe_load(referentiel.FICHIER_CATALOGUE.read_text(encoding="utf-8"))
    paliers = {p.code for p in referentiel.populations().paliers}
    double = {**donnees, "offres": donnees["offres"] + donnees["offres"][:1]}
    with pytest.raises(referentiel.ReferentielInvalide, match="en double"):
        referentiel.valider_catalogue(double, paliers)
    sans_source = {**donnees, "offres": [{**donnees["offres"][0], "source": "une brochure"}]}
    with pytest.raises(referentiel.ReferentielInvalide, match="illisible"):
        referentiel.valider_catalogue(sans_source, paliers)
    palier = {**donnees, "offres": [{**donnees["offres"][0], "palier": "expert"}]}
    with pytest.raises(referentiel.ReferentielInvalide, match="palier"):
        referentiel.valider_catalogue(palier, paliers)


# --- Couverture : fonctions pures et propriétés ----------------------------------------------------

effectifs = st.one_of(st.none(), st.integers(0, 10_000))
parts = st.lists(st.tuples(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 5_000)), max_size=30)


@given(effectifs, parts, st.integers(0, 100))
def test_la_couverture_ne_depasse_jamais_100_pour_cent(effectif, participations, cible):
    c = Couverture(effectif, sum(n for _, n in participations), cible)
    assert c.formes >= 0
    if effectif is not None:
        assert c.formes <= effectif
    if c.taux is not None:
        assert 0 <= c.taux <= 100
    assert c.atteinte == (bool(effectif) and c.formes * 100 >= cible * effectif)
    if c.manquants is not None and effectif:
        assert (c.manquants == 0) == c.atteinte


@given(effectifs, parts, st.integers(0, 100))
def test_la_couverture_est_monotone_dans_le_temps(effectif, participations, cible):
    points = serie(effectif, participations, cible)
    assert [p.jour for p in points] == sorted({j for j, _ in participations})
    for avant, apres in zip(points, points[1:], strict=False):
        assert avant.formes <= apres.formes
        if avant.taux is not None:
            assert avant.taux <= apres.taux  # type: ignore[operator]
    jours = sorted({j for j, _ in participations})
    for a, b in zip(jours, jours[1:], strict=False):
        assert cumul_a_la_date(participations, a) <= cumul_a_la_date(participations, b)


def test_couverture_cas_limites():
    assert Couverture(0, 0, 50).taux is None and not Couverture(0, 0, 50).atteinte
    assert Couverture(None, 3, 50).taux is None
    assert Couverture(3, 1, 33).atteinte and not Couverture(3, 1, 34).atteinte
    assert Couverture(10, 25, 100).taux == 100
    assert toutes_atteintes([]) is None
    for mauvais in ((-1, 0, 50), (10, -1, 50), (10, 1, 101)):
        with pytest.raises(ValueError):
            Couverture(*mauvais)
    with pytest.raises(ValueError):
        serie(10, [(HIER, -2)], 50)


# --- Services ------------------------------------------------------------------------------------


def _populations(org, admin):
    services.initialiser_populations(org, admin)
    return {p.code: p for p in Population.objects.filter(organisation=org)}


def _session(org, admin, lignes, jour=HIER, palier="acculturation", code="cafe_ia", **autres):
    donnees = {"date": jour, "palier": palier, "offre_catalogue": code, "offre": None, **autres}
    return services.enregistrer_session(org, donnees, lignes, admin)


def test_initialiser_les_populations_est_idempotent(org_a, admin_a):
    assert len(services.initialiser_populations(org_a, admin_a)) == 7
    assert services.initialiser_populations(org_a, admin_a) == []
    assert Population.objects.filter(organisation=org_a).count() == 7


def test_une_session_fait_monter_la_couverture_de_son_palier_seulement(org_a, admin_a):
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 50, "effectif_saisi": 40},
        admin_a,
        elus.pk,
        1,
    )
    _session(org_a, admin_a, [Ligne(elus.pk, 10, "Assemblée"), Ligne(elus.pk, 4, "Commissions")])
    _session(org_a, admin_a, [Ligne(elus.pk, 30)], palier="socle_commun", code="atelier_pratique")
    ligne = next(
        li for li in selectors.couverture(org_a, timezone.localdate()) if li.population.pk == elus.pk
    )
    assert (ligne.effectif.valeur, ligne.effectif.origine, ligne.formes, ligne.taux) == (
        40,
        "saisi",
        14,
        35.0,
    )
    assert not ligne.atteinte
    # Avant la session : rien.
    avant = selectors.couverture(org_a, HIER - timedelta(days=1))
    assert next(li for li in avant if li.population.pk == elus.pk).formes == 0


def test_modifier_une_session_est_historise_et_verrouille(org_a, admin_a):
    pops = _populations(org_a, admin_a)
    session = _session(org_a, admin_a, [Ligne(pops["elus"].pk, 3)])
    donnees = {"date": HIER, "palier": "acculturation", "offre_catalogue": "seminaire_elus", "offre": None}
    services.enregistrer_session(org_a, donnees, [Ligne(pops["elus"].pk, 5)], admin_a, session.pk, 1)
    session.refresh_from_db()
    assert session.version == 2 and session.offre_catalogue == "seminaire_elus"
    assert session.history.count() == 2
    assert Participation.history.filter(history_type="-").count() == 1
    with pytest.raises(versions.ConflitEdition):
        services.enregistrer_session(org_a, donnees, [Ligne(pops["elus"].pk, 1)], admin_a, session.pk, 1)
    assert Participation.objects.get(session=session).nombre == 5


@pytest.mark.parametrize(
    ("modif", "message"),
    [
        ({"date": timezone.localdate() + timedelta(days=3)}, "futur"),
        ({"date": date(1999, 12, 31)}, "improbable"),
        ({"date": None}, "obligatoire"),
        ({"palier": "expert"}, "Palier"),
        ({"offre_catalogue": "inconnue"}, "absente du catalogue"),
        ({"offre_catalogue": ""}, "Choisissez une offre"),
    ],
)
def test_saisies_hostiles_de_session_refusees_sans_rien_changer(org_a, admin_a, modif, message):
    pops = _populations(org_a, admin_a)
    donnees = {"date": HIER, "palier": "acculturation", "offre_catalogue": "cafe_ia", "offre": None, **modif}
    with pytest.raises(ValidationError, match=message):
        services.enregistrer_session(org_a, donnees, [Ligne(pops["elus"].pk, 2)], admin_a)
    assert not SessionFormation.objects.exists() and not Participation.objects.exists()


def test_participants_au_dela_de_l_effectif_ou_negatifs_refuses(org_a, admin_a, org_b, admin_b):
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 50, "effectif_saisi": 5},
        admin_a,
        elus.pk,
        1,
    )
    with pytest.raises(ValidationError, match="effectif de 5"):
        _session(org_a, admin_a, [Ligne(elus.pk, 3, "A"), Ligne(elus.pk, 3, "B")])
    for nombre in (0, -4, True):
        with pytest.raises(ValidationError, match="supérieur à zéro"):
            _session(org_a, admin_a, [Ligne(elus.pk, nombre)])
    with pytest.raises(ValidationError, match="au moins un participant"):
        _session(org_a, admin_a, [])
    with pytest.raises(ValidationError, match="qu'une fois"):
        _session(org_a, admin_a, [Ligne(elus.pk, 1, "RH"), Ligne(elus.pk, 1, " rh")])
    # Une population d'une autre organisation n'existe pas ici.
    autre = _populations(org_b, admin_b)["elus"]
    with pytest.raises(ValidationError, match="inconnue"):
        _session(org_a, admin_a, [Ligne(autre.pk, 1)])
    assert not SessionFormation.objects.exists()


def test_effectif_negatif_ou_enorme_refuse(org_a, admin_a):
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    for effectif in (-1, 10**9):
        with pytest.raises(ValidationError):
            services.enregistrer_population(
                org_a,
                {"titre": elus.titre, "palier": "acculturation", "cible": 50, "effectif_saisi": effectif},
                admin_a,
                elus.pk,
                1,
            )
    with pytest.raises(ValidationError):
        services.enregistrer_population(
            org_a, {"titre": "Autre", "palier": "acculturation", "cible": 150}, admin_a
        )
    elus.refresh_from_db()
    assert elus.effectif_saisi is None and elus.version == 1


def test_un_nom_de_service_en_formule_est_garde_comme_texte(org_a, admin_a, client):
    pops = _populations(org_a, admin_a)
    session = _session(org_a, admin_a, [Ligne(pops["elus"].pk, 2, "=cmd|' /C calc'!A0")])
    assert session.participations.get().service == "=cmd|' /C calc'!A0"
    client.force_login(admin_a)
    page = client.get(reverse("formations:session", args=[org_a.slug, session.pk]))
    assert page.status_code == 200 and "=cmd|&#x27; /C calc&#x27;!A0" in page.content.decode()


# --- Obligation de formation (AI Act, art. 4) ------------------------------------------------------


def _qualifier(systeme, admin):
    regles = en_vigueur()
    cas = next(c for c in regles.cas if selectors.CODE_OBLIGATION in c.obligations)
    conformite.qualifier(systeme, regles, cas.reponses, admin)
    return ObligationSuivie.objects.get(systeme=systeme, code=selectors.CODE_OBLIGATION)


def test_l_obligation_art4_suit_la_couverture_des_populations_du_systeme(org_a, admin_a, systeme_a):
    obligation = _qualifier(systeme_a, admin_a)
    assert obligation.statut == "a_faire"
    pops = _populations(org_a, admin_a)
    referents = pops["referents_ia"]  # palier culture partagée, cible 100 %
    services.enregistrer_population(
        org_a,
        {"titre": referents.titre, "palier": "culture_partagee", "cible": 100, "effectif_saisi": 4},
        admin_a,
        referents.pk,
        1,
        systemes=[systeme_a],
    )
    obligation.refresh_from_db()
    assert obligation.statut == "a_faire"  # population liée, personne de formé
    session = _session(
        org_a, admin_a, [Ligne(referents.pk, 4)], palier="culture_partagee", code="jeu_serieux"
    )
    obligation.refresh_from_db()
    assert obligation.statut == "faite"
    dernier = obligation.history.order_by("-history_id").first()
    assert dernier.history_change_reason == services.MOTIF_FAITE and dernier.history_user == admin_a
    # La session corrigée (moins de participants) rouvre l'obligation.
    donnees = {"date": HIER, "palier": "culture_partagee", "offre_catalogue": "jeu_serieux", "offre": None}
    services.enregistrer_session(org_a, donnees, [Ligne(referents.pk, 2)], admin_a, session.pk, 1)
    obligation.refresh_from_db()
    assert obligation.statut == "en_cours"
    assert (
        obligation.history.order_by("-history_id").first().history_change_reason == services.MOTIF_REOUVERTE
    )
    # Les preuves de l'obligation : la population et la session.
    preuves = selectors.preuves(org_a, systeme_a.pk, timezone.localdate())
    assert [li.population.pk for li in preuves.lignes] == [referents.pk]
    assert [s.pk for s in preuves.sessions] == [session.pk] and preuves.atteinte is False


def test_sans_population_liee_ou_sans_objet_l_etat_ne_bouge_pas(org_a, admin_a, systeme_a):
    obligation = _qualifier(systeme_a, admin_a)
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 10, "effectif_saisi": 10},
        admin_a,
        elus.pk,
        1,
    )
    _session(org_a, admin_a, [Ligne(elus.pk, 10)])
    obligation.refresh_from_db()
    assert obligation.statut == "a_faire"
    conformite.modifier_obligation(obligation.pk, {"statut": "sans_objet"}, obligation.version, admin_a)
    elus.refresh_from_db()
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 10, "effectif_saisi": 10},
        admin_a,
        elus.pk,
        elus.version,
        systemes=[systeme_a],
    )
    obligation.refresh_from_db()
    assert obligation.statut == "sans_objet"


def test_une_obligation_nee_apres_la_formation_nait_faite(org_a, admin_a, systeme_a):
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 50, "effectif_saisi": 2},
        admin_a,
        elus.pk,
        1,
        systemes=[systeme_a],
    )
    _session(org_a, admin_a, [Ligne(elus.pk, 1)])
    assert _qualifier(systeme_a, admin_a).statut == "faite"


def test_la_page_d_obligation_montre_les_preuves(client, org_a, admin_a, systeme_a, lecteur_a):
    obligation = _qualifier(systeme_a, admin_a)
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    services.enregistrer_population(
        org_a,
        {"titre": elus.titre, "palier": "acculturation", "cible": 50, "effectif_saisi": 8},
        admin_a,
        elus.pk,
        1,
        systemes=[systeme_a],
    )
    _session(org_a, admin_a, [Ligne(elus.pk, 2)], code="seminaire_elus")
    client.force_login(lecteur_a)
    page = client.get(reverse("conformite:obligation", args=[org_a.slug, obligation.pk])).content.decode()
    assert "Preuves de formation" in page and "Séminaire d&#x27;acculturation des élus" in page
    assert "2 / 8" in page


# --- Effectifs du tableau importé, secret statistique ---------------------------------------------


def test_effectifs_tires_du_tableau_et_groupe_secret_jamais_revele(client, org_a, admin_a):
    contenu = "Nom;Métier;Catégorie\n" + "X;Cueilleur;B\n" * 9 + "Y;Jardinier;C\n" * 2
    travailleur.importer(
        org_a, admin_a, "effectifs.csv", contenu.encode(), {"metier": "Métier", "categorie": "Catégorie"}
    )
    groupe = metiers.suivre_groupe(org_a, "Pas concernés", "categorie", "C", admin_a)
    pops = _populations(org_a, admin_a)
    tous = next(
        li for li in selectors.couverture(org_a, timezone.localdate()) if li.population.tous_les_agents
    )
    assert (tous.effectif.valeur, tous.effectif.origine) == (11, "tableau")
    cibles = pops["metiers_cibles"]
    services.enregistrer_population(
        org_a,
        {"titre": cibles.titre, "palier": "culture_partagee", "cible": 60, "groupe": groupe},
        admin_a,
        cibles.pk,
        1,
    )
    _session(
        org_a, admin_a, [Ligne(cibles.pk, 1, "Espaces verts")], palier="culture_partagee", code="jeu_serieux"
    )
    ligne = next(
        li for li in selectors.couverture(org_a, timezone.localdate()) if li.population.pk == cibles.pk
    )
    assert ligne.effectif.origine == "secret" and ligne.effectif.valeur is None and ligne.taux is None
    (couvert,) = selectors.groupes_exposes(org_a, selectors.couverture(org_a, timezone.localdate()))
    assert couvert.secret and couvert.formes is None and couvert.taux is None
    client.force_login(admin_a)
    page = client.get(reverse("formations:accueil", args=[org_a.slug])).content.decode()
    assert "secret statistique" in page
    debut = page.index("Groupes de métiers les plus exposés")
    tableau = page[debut : page.index("</table>", debut)]
    assert ">2<" not in tableau and ">1<" not in tableau and "secret" in tableau


# --- Pages, droits ---------------------------------------------------------------------------------


def test_pages_et_droits(client, org_a, admin_a, lecteur_a):
    pops = _populations(org_a, admin_a)
    client.force_login(lecteur_a)
    for nom in ("accueil", "offres", "sessions"):
        assert client.get(reverse(f"formations:{nom}", args=[org_a.slug])).status_code == 200
    assert client.get(reverse("formations:session_nouvelle", args=[org_a.slug])).status_code == 403
    donnees = {
        "offre": "c:cafe_ia",
        "date": HIER.isoformat(),
        "palier": "acculturation",
        "ligne_0_population": pops["elus"].pk,
        "ligne_0_nombre": "3",
    }
    assert client.post(reverse("formations:session_nouvelle", args=[org_a.slug]), donnees).status_code == 403
    assert not SessionFormation.objects.exists()
    rh = fabrique.membre(org_a, "rh", "rh-a@exemple.fr")
    client.force_login(rh)
    reponse = client.post(reverse("formations:session_nouvelle", args=[org_a.slug]), donnees)
    assert reponse.status_code == 302
    assert SessionFormation.objects.get().participations.get().nombre == 3
    page = client.get(reverse("formations:accueil", args=[org_a.slug])).content.decode()
    assert "<svg" in page and "Couverture de formation par population au" in page
    # Une ligne à moitié remplie : refusée en français, rien d'écrit.
    mauvaise = {**donnees, "ligne_1_service": "Voirie"}
    reponse = client.post(reverse("formations:session_nouvelle", args=[org_a.slug]), mauvaise)
    assert reponse.status_code == 400 and "Ligne 2" in reponse.content.decode()
    assert SessionFormation.objects.count() == 1


def test_supprimer_une_session_rouvre_l_obligation_et_garde_l_historique(org_a, admin_a, systeme_a):
    obligation = _qualifier(systeme_a, admin_a)
    referents = _populations(org_a, admin_a)["referents_ia"]
    services.enregistrer_population(
        org_a,
        {"titre": referents.titre, "palier": "culture_partagee", "cible": 100, "effectif_saisi": 4},
        admin_a,
        referents.pk,
        1,
        systemes=[systeme_a],
    )
    session = _session(
        org_a, admin_a, [Ligne(referents.pk, 4)], palier="culture_partagee", code="jeu_serieux"
    )
    obligation.refresh_from_db()
    assert obligation.statut == "faite"
    with pytest.raises(versions.ConflitEdition):
        services.supprimer_session(org_a, session.pk, 2, admin_a)
    assert SessionFormation.objects.filter(pk=session.pk).exists()
    services.supprimer_session(org_a, session.pk, 1, admin_a)
    assert not SessionFormation.objects.exists() and not Participation.objects.exists()
    effacee = SessionFormation.history.get(id=session.pk, history_type="-")
    assert effacee.history_user == admin_a
    assert Participation.history.get(history_type="-").history_user == admin_a
    obligation.refresh_from_db()
    assert obligation.statut == "en_cours"


def test_une_population_comptee_par_une_session_ne_se_supprime_pas(org_a, admin_a):
    pops = _populations(org_a, admin_a)
    elus, encadrants = pops["elus"], pops["encadrants"]
    _session(org_a, admin_a, [Ligne(elus.pk, 3)])
    with pytest.raises(ValidationError, match="Des sessions comptent des participants"):
        services.supprimer_population(org_a, elus.pk, elus.version, admin_a)
    assert Population.objects.filter(pk=elus.pk).exists()
    services.supprimer_population(org_a, encadrants.pk, encadrants.version, admin_a)
    assert not Population.objects.filter(pk=encadrants.pk).exists()
    assert Population.history.get(id=encadrants.pk, history_type="-").history_user == admin_a


def test_supprimer_par_les_pages(client, org_a, admin_a, lecteur_a, org_b, admin_b):
    pops = _populations(org_a, admin_a)
    session = _session(org_a, admin_a, [Ligne(pops["elus"].pk, 3)])
    adresse = reverse("formations:session_suppression", args=[org_a.slug, session.pk])
    client.force_login(lecteur_a)
    assert client.post(adresse, {"version": "1"}).status_code == 403
    client.force_login(admin_b)
    autre = reverse("formations:session_suppression", args=[org_b.slug, session.pk])
    assert client.post(autre, {"version": "1"}).status_code == 404
    client.force_login(admin_a)
    page = client.get(reverse("formations:session", args=[org_a.slug, session.pk])).content.decode()
    assert adresse in page and "Supprimer la session" in page
    for version in ("", "2", "9" * 5000, "²"):  # absente, périmée, énorme, chiffre non ASCII
        reponse = client.post(adresse, {"version": version}, follow=True)
        assert reponse.status_code == 200 and "modifiée entre-temps" in reponse.content.decode()
    assert SessionFormation.objects.filter(pk=session.pk).exists()
    reponse = client.post(adresse, {"version": "1"}, follow=True)
    assert "supprimée" in reponse.content.decode() and not SessionFormation.objects.exists()
    elus = reverse("formations:population_suppression", args=[org_a.slug, pops["encadrants"].pk])
    assert client.post(elus, {"version": "1"}).status_code == 302
    assert not Population.objects.filter(pk=pops["encadrants"].pk).exists()


# --- API -------------------------------------------------------------------------------------------


def test_api_sessions_offres_couverture(org_a, admin_a, lecteur_a):
    pops = _populations(org_a, admin_a)
    elus = pops["elus"]
    corps = {
        "offre_catalogue": "cafe_ia",
        "date": HIER.isoformat(),
        "palier": "acculturation",
        "participants": [{"population": elus.pk, "service": "Cabinet", "nombre": 2}],
    }
    assert (
        fabrique.appel_api(lecteur_a, "POST", f"{org_a.slug}/formations/sessions", corps).status_code == 403
    )
    cree = fabrique.appel_api(admin_a, "POST", f"{org_a.slug}/formations/sessions", corps)
    assert cree.status_code == 201, cree.content
    session = cree.json()
    futur = {**corps, "date": (timezone.localdate() + timedelta(days=2)).isoformat(), "version": 1}
    refus = fabrique.appel_api(admin_a, "PATCH", f"{org_a.slug}/formations/sessions/{session['id']}", futur)
    assert refus.status_code == 400 and "futur" in refus.json()["message"]
    modif = {**corps, "participants": [{"population": elus.pk, "nombre": 5}], "version": 1}
    assert (
        fabrique.appel_api(
            admin_a, "PATCH", f"{org_a.slug}/formations/sessions/{session['id']}", modif
        ).status_code
        == 200
    )
    assert (
        fabrique.appel_api(
            admin_a, "PATCH", f"{org_a.slug}/formations/sessions/{session['id']}", modif
        ).status_code
        == 409
    )
    couverture = fabrique.appel_api(lecteur_a, "GET", f"{org_a.slug}/formations/couverture").json()
    assert next(c for c in couverture if c["population"] == elus.pk)["formes"] == 5
    offre = {
        "titre": "Atelier maison",
        "organisme": "DSI",
        "format": "atelier",
        "public_cible": "Agents",
        "palier": "socle_commun",
    }
    creee = fabrique.appel_api(admin_a, "POST", f"{org_a.slug}/formations/offres", offre)
    assert creee.status_code == 201
    pk = creee.json()["id"]
    maj = fabrique.appel_api(
        admin_a, "PATCH", f"{org_a.slug}/formations/offres/{pk}", {**offre, "titre": "Atelier", "version": 1}
    )
    assert maj.status_code == 200 and maj.json()["version"] == 2
    liste = fabrique.appel_api(lecteur_a, "GET", f"{org_a.slug}/formations/offres").json()
    assert (
        len(liste["catalogue"]) == len(referentiel.catalogue().offres)
        and liste["organisation"][0]["titre"] == "Atelier"
    )


# --- Requêtes en nombre constant -------------------------------------------------------------------


def _requetes(fonction):
    with CaptureQueriesContext(connection) as ctx:
        fonction()
    return len(ctx.captured_queries)


def test_le_selecteur_de_couverture_fait_un_nombre_constant_de_requetes(org_a, admin_a, systeme_a):
    pops = _populations(org_a, admin_a)
    _session(org_a, admin_a, [Ligne(pops["elus"].pk, 1)])
    jour = timezone.localdate()
    une = _requetes(lambda: selectors.couverture(org_a, jour))
    for i in range(12):
        p = services.enregistrer_population(
            org_a,
            {"titre": f"Population {i}", "palier": "acculturation", "cible": 50, "effectif_saisi": 100},
            admin_a,
            systemes=[systeme_a],
        )
        _session(org_a, admin_a, [Ligne(p.pk, 3, f"Service {i}")], jour=HIER - timedelta(days=i))
    assert _requetes(lambda: selectors.couverture(org_a, jour)) == une
