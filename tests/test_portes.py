"""Les portes du cycle de vie (issue 13, point 4) : politique en données, moteur pur, catégorie AI Act,
application dans les services, les pages et l'API."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balise.conformite import categories
from balise.conformite import selectors as conformite_selectors
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur as regles_en_vigueur
from balise.gouvernance import faits, politique, portes
from balise.gouvernance.models import Condition, Decision
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument
from balise.registre import services
from balise.registre.models import ChangementStade, SystemeIA
from tests import fabrique

REGLES = regles_en_vigueur()
CAS = {c.nom: c for c in REGLES.cas}
INTERDIT = "Relances d'impayés conçues pour exploiter la détresse financière des familles"
HAUT_RISQUE = "Tri initial des candidatures par un logiciel de recrutement"
MINIMAL = "Détection des fuites sur les canalisations d'eau potable"
POLITIQUE = politique.en_vigueur()
TEXTE_POLITIQUE = (politique.DOSSIER / "portes-v1.yaml").read_text(encoding="utf-8")
NOTE = {"benefices_attendus": "Moins de fuites.", "cout_investissement": 1000, "cout_annuel": 100}


def _qualifier(systeme, cas: str, par):
    systeme.refresh_from_db()
    return conformite.qualifier(systeme, REGLES, CAS[cas].reponses, par)


def _radar_amont(systeme, par):
    instrument = DefinitionInstrument.objects.get(organisation=None, code="radar-decision")
    return instruments.demarrer_evaluation(systeme, instrument, "amont", par)


def _decision(systeme, sens, par):
    # bulk_create : l'historique de Decision ne s'enregistre pas encore (son champ `instance` heurte
    # la propriété `instance` des modèles historiques de simple-history, signalé au rapport du lot).
    return Decision.objects.bulk_create(
        [
            Decision(
                organisation=systeme.organisation, systeme=systeme, sens=sens, motifs="Avis.", cree_par=par
            )
        ]
    )[0]


def _au_stade(systeme, stade):
    SystemeIA.objects.filter(pk=systeme.pk).update(stade=stade)
    systeme.refresh_from_db()
    return systeme


# --- La politique en données ---------------------------------------------------------------------


def test_la_politique_livree_se_lit_et_protege_les_trois_portes():
    for nom in ("experimentation", "production", "publication"):
        criteres = POLITIQUE.portes[nom].criteres
        assert any(c.type == "aucune_pratique_interdite" and c.bloquant for c in criteres), nom
    # Chaque critère cite ses sources, toutes déclarées.
    for porte in POLITIQUE.portes.values():
        for critere in porte.criteres:
            assert critere.references and all(r.source in POLITIQUE.sources for r in critere.references)


def _modifiee(changer) -> str:
    donnees = yaml.safe_load(TEXTE_POLITIQUE)
    changer(donnees)
    return yaml.safe_dump(donnees, allow_unicode=True)


@pytest.mark.parametrize(
    ("changer", "attendu"),
    [
        (
            lambda d: d["portes"]["production"]["criteres"].pop(),
            "la porte « production » doit garder le critère bloquant « aucune_pratique_interdite »",
        ),
        (lambda d: d["portes"].pop("publication"), "la porte « publication » est obligatoire"),
        (
            lambda d: d["portes"]["experimentation"]["criteres"][2].update(bloquant=False),
            "(pratique interdite) est toujours bloquant",
        ),
        (
            lambda d: d["portes"]["experimentation"]["criteres"][0].update(type="inconnu"),
            "portes.experimentation.criteres.0.type : valeur non prévue",
        ),
        (
            lambda d: d["portes"]["experimentation"]["criteres"][0].update(sens=["experimenter"]),
            "ne prend pas de paramètre « sens »",
        ),
        (
            lambda d: d["portes"]["experimentation"]["criteres"][0].update(champs=["mot_de_passe"]),
            "« mot_de_passe » n'est pas une valeur possible de « champs »",
        ),
        (
            lambda d: d["portes"]["production"]["criteres"][1].update(obligations=["aipd_imaginaire"]),
            "cite l'obligation inconnue « aipd_imaginaire »",
        ),
        (
            lambda d: d["portes"]["production"]["criteres"][3].pop("sens"),
            "exige le paramètre « sens »",
        ),
        (lambda d: d["portes"].update(arret=d["portes"]["production"]), "portes.arret"),
        (
            lambda d: d["portes"]["production"]["criteres"][0]["references"][0].update(source="inconnue"),
            "cite la source inconnue « inconnue »",
        ),
    ],
)
def test_une_politique_invalide_est_refusee_en_francais(changer, attendu):
    with pytest.raises(politique.PolitiqueInvalide) as erreur:
        politique.lire(_modifiee(changer))
    assert any(attendu in e for e in erreur.value.erreurs), erreur.value.erreurs


def test_un_fichier_qui_n_est_pas_du_yaml_est_refuse():
    with pytest.raises(politique.PolitiqueInvalide, match="YAML"):
        politique.lire("portes: [")


def test_les_instruments_cites_par_la_politique_existent():
    livres = {p.stem.rsplit("-v", 1)[0] for p in Path("balise/instruments/definitions").glob("*.yaml")}
    cites = {c.instrument for porte in POLITIQUE.portes.values() for c in porte.criteres if c.instrument}
    assert cites and cites <= livres


# --- La catégorie AI Act -------------------------------------------------------------------------


def test_categorie_tiree_des_conclusions():
    assert categories.categorie(None, []) == categories.Categorie.NON_QUALIFIE
    assert categories.categorie(1, CAS[INTERDIT].conclusions) == categories.Categorie.INTERDITE
    assert categories.categorie(1, CAS[HAUT_RISQUE].conclusions) == categories.Categorie.HAUT_RISQUE
    assert categories.categorie(1, CAS[MINIMAL].conclusions) == categories.Categorie.RISQUE_MINIMAL
    # Le haut risque l'emporte sur la transparence.
    assert categories.categorie(1, ["transparence_50_1", "haut_risque"]) == categories.Categorie.HAUT_RISQUE
    assert categories.categorie(1, ["pas_systeme_ia"]) == categories.Categorie.HORS_CHAMP


def test_chaque_cas_d_ecole_a_une_categorie():
    for cas in REGLES.cas:
        assert categories.categorie(REGLES.version, cas.conclusions) != categories.Categorie.NON_QUALIFIE, (
            cas.nom
        )


def test_une_categorie_hors_ai_act_est_refusee():
    from balise.conformite.regles import Conclusion

    with pytest.raises(ValueError, match="ne donne pas de catégorie"):
        Conclusion(
            id="x",
            regime="rgpd",
            libelle="x",
            explication="x",
            si={"a": "oui"},
            references=[{"source": "rgpd", "article": "1"}],
            categorie="interdite",
        )


# --- Le moteur, pur ------------------------------------------------------------------------------


def test_porte_d_experimentation_sans_rien():
    controle = portes.controler(POLITIQUE, "experimentation", portes.Faits())
    assert controle and not controle.franchie and not controle.bloquee
    assert [ligne.id for ligne in controle.manquants] == ["note_opportunite", "radar_amont"]
    assert "bénéfices attendus" in controle.manquants[0].motif


def test_porte_de_production_franchie():
    faits_ok = portes.Faits(
        qualifie=True,
        obligations={"realiser_aipd": ("faite", 3), "analyse_impact_droits_fondamentaux": ("sans_objet", 4)},
        derniere_decision="mettre_en_production",
    )
    controle = portes.controler(POLITIQUE, "production", faits_ok)
    assert controle and controle.franchie, controle.resume_manquants()
    # Une obligation encore ouverte ferme la porte et mène à sa page.
    ouverte = portes.Faits(**{**faits_ok.__dict__, "obligations": {"realiser_aipd": ("en_cours", 7)}})
    ligne = next(
        ligne for ligne in portes.controler(POLITIQUE, "production", ouverte).lignes if ligne.id == "aipd"
    )
    assert not ligne.remplie and ligne.cible == "obligation" and ligne.cible_pk == 7


def test_prochaine_porte():
    assert portes.prochaine_porte(POLITIQUE, "idee") == "experimentation"
    assert portes.prochaine_porte(POLITIQUE, "etude") == "experimentation"
    assert portes.prochaine_porte(POLITIQUE, "experimentation") == "production"
    assert portes.prochaine_porte(POLITIQUE, "decision") == "production"
    assert portes.prochaine_porte(POLITIQUE, "production") is None
    assert portes.prochaine_porte(POLITIQUE, "abandon") is None
    assert portes.controler(POLITIQUE, "etude", portes.Faits()) is None


_faits = st.builds(
    portes.Faits,
    champs_renseignes=st.frozensets(st.sampled_from(sorted(politique.CHAMPS_FICHE))),
    evaluations=st.lists(
        st.tuples(
            st.sampled_from(["radar-decision", "girouet"]),
            st.sampled_from(sorted(politique.MOMENTS)),
            st.sampled_from(["en_cours", "finalisee"]),
        ),
        max_size=3,
    ).map(tuple),
    qualifie=st.booleans(),
    a_requalifier=st.booleans(),
    pratiques_interdites=st.lists(st.text(min_size=1, max_size=10), max_size=2).map(tuple),
    obligations=st.dictionaries(
        st.sampled_from(["realiser_aipd", "analyse_impact_droits_fondamentaux"]),
        st.tuples(st.sampled_from(["a_faire", "en_cours", "faite", "sans_objet"]), st.integers(1, 99)),
    ),
    derniere_decision=st.none() | st.sampled_from(sorted(politique.SENS_DECISION)),
    conditions_en_attente=st.integers(0, 3),
)


# Sur la machine partagée, la génération peut être lente sous charge : ce test porte sur la règle,
# pas sur la vitesse de génération des exemples.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(faits_=_faits, porte=st.sampled_from(["experimentation", "production", "publication"]))
def test_une_pratique_interdite_bloque_toujours_et_seulement_elle(faits_, porte):
    controle = portes.controler(POLITIQUE, porte, faits_)
    assert controle is not None
    assert len(controle.lignes) == len(POLITIQUE.portes[porte].criteres)
    assert controle.bloquee == bool(faits_.pratiques_interdites)
    assert not (controle.franchie and controle.bloquee)
    assert controle.franchie == (not controle.manquants)


# --- Les faits, rassemblés en lot ----------------------------------------------------------------


def test_faits_en_nombre_constant_de_requetes(org_a, referent_a):
    systemes = [fabrique.systeme(org_a, referent_a, nom=f"S{i}") for i in range(3)]
    with CaptureQueriesContext(connection) as peu:
        faits.portes_en_lot(systemes)
    for s in systemes:
        _qualifier(s, HAUT_RISQUE, referent_a)
        _radar_amont(s, referent_a)
    systemes += [fabrique.systeme(org_a, referent_a, nom=f"T{i}") for i in range(5)]
    with CaptureQueriesContext(connection) as beaucoup:
        lus = faits.portes_en_lot(systemes)
    assert len(beaucoup) == len(peu) <= 6
    assert lus[systemes[0].pk].categorie == categories.Categorie.HAUT_RISQUE
    assert lus[systemes[-1].pk].categorie == categories.Categorie.NON_QUALIFIE


# --- Les services --------------------------------------------------------------------------------


def test_porte_non_franchie_refusee_avec_les_criteres_manquants(systeme_a, referent_a):
    _au_stade(systeme_a, "etude")
    with pytest.raises(services.PorteNonFranchie) as refus:
        services.changer_stade(systeme_a.pk, "experimentation", "", referent_a, systeme_a.version)
    message = " ".join(refus.value.messages)
    assert "Note d'opportunité" in message and "Radar de décision" in message and "administrateur" in message
    assert [c["id"] for c in refus.value.criteres] == ["note_opportunite", "radar_amont"]
    systeme_a.refresh_from_db()
    assert systeme_a.stade == "etude" and not ChangementStade.objects.filter(systeme=systeme_a).exists()


def test_porte_franchie_sans_justification(systeme_a, referent_a):
    _au_stade(systeme_a, "etude")
    services.modifier_systeme(systeme_a.pk, NOTE, systeme_a.version, referent_a)
    _radar_amont(systeme_a, referent_a)
    systeme_a.refresh_from_db()
    s = services.changer_stade(systeme_a.pk, "experimentation", "", referent_a, systeme_a.version)
    changement = ChangementStade.objects.get(systeme=s)
    assert s.stade == "experimentation" and not changement.porte_forcee and changement.justification == ""


def test_porte_de_production_franchie_par_un_referent(systeme_a, referent_a):
    _au_stade(systeme_a, "decision")
    qualification = _qualifier(systeme_a, HAUT_RISQUE, referent_a)
    ObligationSuivie.objects.filter(systeme=systeme_a).update(statut="faite")
    decision = _decision(systeme_a, "mettre_en_production", referent_a)
    Condition.objects.create(
        organisation=systeme_a.organisation,
        systeme=systeme_a,
        decision=decision,
        intitule="Former les agents",
        echeance=date.today(),
        statut="levee",
    )
    assert not qualification.a_requalifier
    systeme_a.refresh_from_db()
    s = services.changer_stade(systeme_a.pk, "production", "", referent_a, systeme_a.version)
    assert s.stade == "production"


def test_porte_forcee_par_un_administrateur_avec_justification(systeme_a, referent_a, admin_a):
    _au_stade(systeme_a, "etude")
    with pytest.raises(services.PorteNonFranchie, match="Seul un administrateur"):
        services.changer_stade(systeme_a.pk, "experimentation", "", referent_a, 1, justification="Urgent")
    with pytest.raises(services.PorteNonFranchie, match="écrivez une justification"):
        services.changer_stade(systeme_a.pk, "experimentation", "", admin_a, 1, justification="   ")
    s = services.changer_stade(
        systeme_a.pk, "experimentation", "", admin_a, 1, justification="Test décidé en comité de direction."
    )
    changement = ChangementStade.objects.get(systeme=s)
    assert changement.porte_forcee and changement.par == admin_a
    assert changement.justification == "Test décidé en comité de direction."
    assert [c["id"] for c in changement.criteres_manquants] == ["note_opportunite", "radar_amont"]
    derniere = s.history.first()
    assert derniere.history_user == admin_a and "passée sans être franchie" in derniere.history_change_reason


@pytest.mark.parametrize(("depuis", "vers"), [("etude", "experimentation"), ("decision", "production")])
def test_pratique_interdite_jamais_forcee_meme_par_un_administrateur(
    systeme_a, referent_a, admin_a, depuis, vers
):
    _au_stade(systeme_a, depuis)
    _qualifier(systeme_a, INTERDIT, referent_a)
    systeme_a.refresh_from_db()
    with pytest.raises(services.PorteNonFranchie, match="ne se force pas"):
        services.changer_stade(systeme_a.pk, vers, "", admin_a, systeme_a.version, justification="J'insiste.")
    systeme_a.refresh_from_db()
    assert systeme_a.stade == depuis


def test_pratique_interdite_jamais_publiee(systeme_a, referent_a, admin_a):
    _qualifier(systeme_a, INTERDIT, referent_a)
    systeme_a.refresh_from_db()
    with pytest.raises(services.PorteNonFranchie, match="ne se force pas"):
        services.publier(systeme_a.pk, True, admin_a, systeme_a.version, justification="J'insiste.")
    systeme_a.refresh_from_db()
    assert not systeme_a.publie
    # Retirer du registre public reste possible ; l'abandon aussi.
    services.changer_stade(systeme_a.pk, "abandon", "Pratique interdite", admin_a, systeme_a.version)


def test_arret_clot_obligations_et_conditions(systeme_a, referent_a, admin_a):
    _au_stade(systeme_a, "production")
    _qualifier(systeme_a, HAUT_RISQUE, referent_a)
    ObligationSuivie.objects.filter(systeme=systeme_a, code="realiser_aipd").update(statut="faite")
    ObligationSuivie.objects.filter(systeme=systeme_a).update(echeance=date.today() - timedelta(days=3))
    decision = _decision(systeme_a, "poursuivre", admin_a)
    condition = Condition.objects.create(
        organisation=systeme_a.organisation,
        systeme=systeme_a,
        decision=decision,
        intitule="Auditer les biais",
        echeance=date.today() - timedelta(days=1),
    )
    _, tableau = conformite_selectors.obligations(systeme_a.organisation, "en_retard", date.today())
    assert tableau.en_retard > 0
    systeme_a.refresh_from_db()
    services.changer_stade(systeme_a.pk, "arret", "Fin du marché", admin_a, systeme_a.version)
    _, tableau = conformite_selectors.obligations(systeme_a.organisation, "en_retard", date.today())
    assert tableau.en_retard == 0
    faite = ObligationSuivie.objects.get(systeme=systeme_a, code="realiser_aipd")
    assert faite.statut == "faite" and "Sans objet" not in faite.commentaire
    closes = ObligationSuivie.objects.filter(systeme=systeme_a).exclude(code="realiser_aipd")
    for o in closes:
        assert o.statut == "sans_objet" and "Fin du marché" in o.commentaire and "arrêt" in o.commentaire
        assert o.history.first().history_user == admin_a
    condition.refresh_from_db()
    assert condition.statut == "sans_objet" and "Fin du marché" in condition.commentaire
    assert condition.history.first().history_user == admin_a
    assert not Condition.objects.filter(systeme=systeme_a).avec_retard(date.today()).filter(en_retard=True)


# --- Les pages -----------------------------------------------------------------------------------


def test_fiche_montre_la_liste_de_controle_avec_ses_liens(client, systeme_a, referent_a):
    client.force_login(referent_a)
    page = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert "Prochaine porte : Entrer en expérimentation" in page
    assert f'href="/o/commune-a/registre/{systeme_a.pk}/modifier/"' in page
    assert "Radar de décision passé en amont" in page
    assert "fr-alert--error" not in page
    # Le référent ne peut pas forcer : pas de champ de justification.
    assert 'name="justification"' not in page


def test_fiche_alerte_rouge_pour_une_pratique_interdite(client, systeme_a, referent_a, admin_a):
    _qualifier(systeme_a, INTERDIT, referent_a)
    client.force_login(admin_a)
    page = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert "fr-alert--error" in page and "Pratique interdite" in page
    assert "exploitation des vulnérabilités" in page


def test_justification_visible_pour_l_administrateur_et_porte_forcee_par_la_page(client, systeme_a, admin_a):
    _au_stade(systeme_a, "etude")
    client.force_login(admin_a)
    page = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert 'name="justification"' in page
    url = f"/o/commune-a/registre/{systeme_a.pk}/stade/"
    refus = client.post(url, {"vers": "experimentation", "version": "1"}, follow=True).content.decode()
    assert "écrivez une justification" in refus
    client.post(url, {"vers": "experimentation", "version": "1", "justification": "Pilote décidé en CODIR."})
    systeme_a.refresh_from_db()
    assert systeme_a.stade == "experimentation"
    page = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert "Porte passée sans être franchie" in page and "Pilote décidé en CODIR." in page


def test_pratique_interdite_refusee_par_la_page_meme_a_l_administrateur(
    client, systeme_a, referent_a, admin_a
):
    _au_stade(systeme_a, "etude")
    _qualifier(systeme_a, INTERDIT, referent_a)
    client.force_login(admin_a)
    systeme_a.refresh_from_db()
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/stade/",
        {"vers": "experimentation", "version": systeme_a.version, "justification": "J'insiste."},
        follow=True,
    )
    assert "ne se force pas" in reponse.content.decode()
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/publication/",
        {"publie": "1", "version": systeme_a.version, "justification": "J'insiste."},
        follow=True,
    )
    systeme_a.refresh_from_db()
    assert systeme_a.stade == "etude" and not systeme_a.publie


def test_liste_colonnes_filtre_et_badge(client, org_a, systeme_a, referent_a):
    autre = fabrique.systeme(org_a, referent_a, nom="Relances")
    _qualifier(autre, INTERDIT, referent_a)
    _qualifier(systeme_a, MINIMAL, referent_a)
    client.force_login(referent_a)
    page = client.get("/o/commune-a/registre/").content.decode()
    assert "Catégorie AI Act" in page and "Porte" in page and "Risque minimal" in page
    assert 'fr-badge--error">Pratique interdite' in page
    filtree = client.get("/o/commune-a/registre/?categorie=interdite").content.decode()
    assert "Relances" in filtree and "Détection des fuites" not in filtree
    filtree = client.get("/o/commune-a/registre/?categorie=non_qualifie").content.decode()
    assert "Relances" not in filtree and "Aucun système." in filtree


def test_portefeuille_signale_les_pratiques_interdites(client, systeme_a, referent_a):
    client.force_login(referent_a)
    assert "pratique interdite" not in client.get("/o/commune-a/portefeuille/").content.decode()
    _qualifier(systeme_a, INTERDIT, referent_a)
    page = client.get("/o/commune-a/portefeuille/").content.decode()
    assert "fr-alert--error" in page and "Détection des fuites" in page


def test_liste_en_nombre_constant_de_requetes(client, org_a, referent_a):
    client.force_login(referent_a)

    def compter() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as requetes:
            assert client.get("/o/commune-a/registre/").status_code == 200
        return len(requetes)

    for i in range(2):
        s = fabrique.systeme(org_a, referent_a, nom=f"A{i}")
        _qualifier(s, HAUT_RISQUE, referent_a)
    peu = compter()
    for i in range(6):
        s = fabrique.systeme(org_a, referent_a, nom=f"B{i}")
        _qualifier(s, MINIMAL if i % 2 else INTERDIT, referent_a)
        _radar_amont(s, referent_a)
    assert compter() == peu


# --- L'API ---------------------------------------------------------------------------------------


def _api(personne, methode, chemin, corps=None):
    return fabrique.appel_api(personne, methode, f"commune-a/systemes{chemin}", corps)


def test_api_liste_de_controle(systeme_a, referent_a, lecteur_a):
    reponse = _api(lecteur_a, "GET", f"/{systeme_a.pk}/porte")
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["categorie"] == "non_qualifie" and corps["pratiques_interdites"] == []
    assert corps["prochaine"]["porte"] == "experimentation" and not corps["prochaine"]["franchie"]
    assert [c["id"] for c in corps["prochaine"]["criteres"]] == [
        "note_opportunite",
        "radar_amont",
        "aucune_pratique_interdite",
    ]
    assert corps["publication"]["franchie"]
    _qualifier(systeme_a, INTERDIT, referent_a)
    corps = _api(lecteur_a, "GET", f"/{systeme_a.pk}/porte").json()
    assert corps["categorie"] == "interdite" and corps["publication"]["bloquee"]
    assert corps["pratiques_interdites"] and all("art. 5" in p for p in corps["pratiques_interdites"])


def test_api_porte_refusee_puis_forcee(systeme_a, referent_a, admin_a):
    _au_stade(systeme_a, "etude")
    reponse = _api(referent_a, "POST", f"/{systeme_a.pk}/stade", {"vers": "experimentation", "version": 1})
    assert reponse.status_code == 409
    corps = reponse.json()
    assert [c["id"] for c in corps["criteres_manquants"]] == ["note_opportunite", "radar_amont"]
    assert "administrateur" in corps["message"]
    reponse = _api(
        admin_a,
        "POST",
        f"/{systeme_a.pk}/stade",
        {"vers": "experimentation", "version": 1, "justification": "Pilote décidé en CODIR."},
    )
    assert reponse.status_code == 200 and reponse.json()["stade"] == "experimentation"
    assert ChangementStade.objects.get(systeme=systeme_a).porte_forcee


def test_api_pratique_interdite_jamais_forcee(systeme_a, referent_a, admin_a):
    _au_stade(systeme_a, "etude")
    _qualifier(systeme_a, INTERDIT, referent_a)
    systeme_a.refresh_from_db()
    corps = {"vers": "experimentation", "version": systeme_a.version, "justification": "J'insiste."}
    reponse = _api(admin_a, "POST", f"/{systeme_a.pk}/stade", corps)
    assert reponse.status_code == 409 and "ne se force pas" in reponse.json()["message"]
    assert any(c["bloquant"] for c in reponse.json()["criteres_manquants"])
    publication = {"publie": True, "version": systeme_a.version, "justification": "J'insiste."}
    reponse = _api(admin_a, "POST", f"/{systeme_a.pk}/publication", publication)
    assert reponse.status_code == 409 and reponse.json()["criteres_manquants"][0]["bloquant"]
    systeme_a.refresh_from_db()
    assert systeme_a.stade == "etude" and not systeme_a.publie


def test_pages_en_cache_fraiches_apres_qualification_et_evaluation(client, systeme_a, referent_a):
    client.force_login(referent_a)
    fiche = f"/o/commune-a/registre/{systeme_a.pk}/"
    assert "aucune évaluation" in client.get(fiche).content.decode()
    assert "Non qualifié" in client.get("/o/commune-a/registre/").content.decode()
    _radar_amont(systeme_a, referent_a)
    assert "évaluation en cours" in client.get(fiche).content.decode()
    _qualifier(systeme_a, INTERDIT, referent_a)
    assert "fr-alert--error" in client.get(fiche).content.decode()
    assert 'fr-badge--error">Pratique interdite' in client.get("/o/commune-a/registre/").content.decode()
    assert "fr-alert--error" in client.get("/o/commune-a/portefeuille/").content.decode()
