"""Rapports (C7) : contenu fidèle à la base, trois formats lus par de vrais analyseurs, secret statistique
(aucune case masquée recalculable à partir des totaux publiés), production par le processus de fond,
versions, droits, saisies hostiles, requêtes en nombre constant."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise.conformite.models import ObligationSuivie
from balise.formations.models import Participation, Population, SessionFormation
from balise.gouvernance.models import Decision
from balise.indicateurs.models import Indicateur, Mesure
from balise.instruments.models import DefinitionInstrument, Evaluateur, Evaluation, Reponse
from balise.metiers.models import GroupeEffectif
from balise.rapports import sections, services
from balise.rapports.contenu import Section, Tableau
from balise.rapports.models import Rapport
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA
from balise.registre.referentiels import Cible
from balise.travaux.models import Travail
from tests import fabrique, travailleur
from tests import gouvernance_fabrique as gf
from tests.rapports_lecture import (
    entier,
    jetons,
    tableaux_docx,
    tableaux_odt,
    texte_pdf,
    titres_docx,
    titres_odt,
)
from tests.test_effectifs import importer, tableau_csv
from tests.test_secret_statistique import retrouvables

ANNEE = timezone.localdate().year - 1
DANS_L_ANNEE = date(ANNEE, 6, 15)


def _le(jour: date):
    return timezone.make_aware(timezone.datetime(jour.year, jour.month, jour.day, 10))


@pytest.fixture
def drh_a(org_a):
    return fabrique.membre(org_a, "rh", "drh-a@exemple.fr")


@pytest.fixture
def portefeuille(org_a, referent_a):
    """Quatre systèmes d'avant et de l'année, des passages de stade, décisions, obligations, conditions."""
    ancien = fabrique.systeme(org_a, referent_a, nom="Ancien chatbot")
    SystemeIA.objects.filter(pk=ancien.pk).update(cree_le=_le(date(ANNEE - 2, 3, 1)), stade=Stade.PRODUCTION)
    nouveaux = [fabrique.systeme(org_a, referent_a, nom=f"Système {i}", cible=Cible.AGENTS) for i in range(3)]
    for s in nouveaux:
        SystemeIA.objects.filter(pk=s.pk).update(cree_le=_le(DANS_L_ANNEE), stade=Stade.EXPERIMENTATION)
        ChangementStade.objects.create(
            systeme=s, depuis=Stade.IDEE, vers=Stade.EXPERIMENTATION, par=referent_a, le=_le(DANS_L_ANNEE)
        )
    # Un passage de l'année suivante et une décision de l'année précédente n'y figurent pas.
    ChangementStade.objects.create(
        systeme=ancien, depuis=Stade.DECISION, vers=Stade.PRODUCTION, par=referent_a
    )
    gf.decision(ancien, referent_a, Decision.Sens.PRODUCTION, decidee_le=date(ANNEE - 1, 5, 1))
    gf.decision(nouveaux[0], referent_a, Decision.Sens.EXPERIMENTER, decidee_le=DANS_L_ANNEE)
    gf.obligation(ancien, referent_a, date(ANNEE, 3, 1), titre='=HYPERLINK("x")')  # en retard
    gf.obligation(nouveaux[0], referent_a, date(ANNEE, 3, 1), ObligationSuivie.Statut.FAITE)
    gf.obligation(nouveaux[1], referent_a, date(ANNEE + 5, 1, 1))
    gf.condition(
        nouveaux[2],
        referent_a,
        date(ANNEE, 9, 1),
        origine=gf.decision(nouveaux[2], referent_a, decidee_le=date(ANNEE - 1, 1, 1)),
    )
    return ancien, nouveaux


def _tableau(section: Section, legende: str) -> Tableau:
    return next(b for b in section.blocs if isinstance(b, Tableau) and b.legende == legende)


def _colonne(t: Tableau, ligne: str, rang: int = 1) -> str:
    return next(r[rang].texte for r in t.lignes if r[0].texte == ligne)


# --- Contenu ------------------------------------------------------------------------------------------


def test_le_contenu_du_rapport_annuel_suit_la_base(org_a, portefeuille):
    debut, fin = services.periode(ANNEE)
    assert (debut, fin) == (date(ANNEE, 1, 1), date(ANNEE, 12, 31))
    rapport = services.construire(org_a, sections.ANNUEL, debut, fin)
    assert [s.titre for s in rapport.sections][:4] == [
        "Portefeuille des systèmes d'IA et changements de la période",
        "Décisions et avis des instances",
        "Obligations réglementaires tenues et en retard",
        "Conditions et réserves à lever",
    ]
    porte, decisions, obligations, conditions = rapport.sections[:4]
    stades = _tableau(porte, "Systèmes d'IA par stade du cycle de vie")
    assert _colonne(stades, "Production") == "1" and _colonne(stades, "Expérimentation / POC") == "3"
    assert stades.pied[1].texte == str(SystemeIA.objects.filter(organisation=org_a).count())
    inscrits = _tableau(porte, "Systèmes inscrits au registre pendant la période")
    assert [r[0].texte for r in inscrits.lignes] == ["Système 0", "Système 1", "Système 2"]
    passages = _tableau(porte, "Passages de stade pendant la période")
    assert [[c.texte for c in r] for r in passages.lignes] == [["Idée", "Expérimentation / POC", "3"]]
    faites = _tableau(decisions, "Décisions de la période")
    assert [(r[1].texte, r[2].texte) for r in faites.lignes] == [("Système 0", "Expérimenter")]
    par_etat = _tableau(obligations, "Obligations applicables par état")
    assert _colonne(par_etat, "Faite") == "1" and _colonne(par_etat, "À faire") == "2"
    retard = _tableau(obligations, "Obligations en retard")
    assert [r[0].texte for r in retard.lignes] == ["Ancien chatbot"]
    assert _colonne(_tableau(conditions, "Conditions par état"), "À lever") == "1"
    assert [r[0].texte for r in _tableau(conditions, "Conditions en retard").lignes] == ["Système 2"]


def test_une_organisation_ne_voit_rien_d_une_autre(org_a, org_b, portefeuille, admin_b):
    fabrique.systeme(org_b, admin_b, nom="Système secret de B")
    debut, fin = services.periode(ANNEE)
    for genre in sections.GENRES:
        rapport = services.construire(org_a, genre, debut, fin)
        assert "Système secret de B" not in str(rapport)


def test_periode_hostile_refusee_en_francais():
    from django.core.exceptions import ValidationError

    for annee in (timezone.localdate().year + 1, 1900, 99999):
        with pytest.raises(ValidationError, match="année à venir"):
            services.periode(annee)
    assert services.periode(timezone.localdate().year)[1] == timezone.localdate()


def test_requetes_en_nombre_constant(org_a, referent_a):
    debut, fin = services.periode(ANNEE)

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            for genre in sections.GENRES:
                services.construire(org_a, genre, debut, fin)
        return len(requetes)

    def ajouter(n: int) -> None:
        for i in range(n):
            s = fabrique.systeme(
                org_a, referent_a, nom=f"S{i}-{SystemeIA.objects.count()}", cible=Cible.AGENTS
            )
            ChangementStade.objects.create(
                systeme=s, depuis=Stade.IDEE, vers=Stade.ETUDE, par=referent_a, le=_le(DANS_L_ANNEE)
            )
            gf.decision(s, referent_a, decidee_le=DANS_L_ANNEE)
            gf.obligation(s, referent_a, date(ANNEE, 2, 1))
            gf.condition(s, referent_a, date(ANNEE, 2, 1))
            n = Population.objects.count()
            pop = Population.objects.create(
                organisation=org_a, titre=f"P{n}", palier="acculturation", cible=50, effectif_saisi=10
            )
            session = SessionFormation.objects.create(
                organisation=org_a, offre_catalogue="cafe_ia", date=DANS_L_ANNEE, palier="acculturation",
                cree_par=referent_a,
            )  # fmt: skip
            Participation.objects.create(session=session, population=pop, nombre=3)
            ind = Indicateur.objects.create(
                organisation=org_a, objectif="o", intitule=f"I{n}", unite="%", cible=1, sens="au_moins",
                frequence="mensuelle", responsable=referent_a,
            )  # fmt: skip
            Mesure.objects.create(
                indicateur=ind, organisation=org_a, periode=DANS_L_ANNEE, valeur=2, saisie_par=referent_a
            )

    ajouter(1)
    une = compter()
    ajouter(6)
    assert compter() == une


def test_ajouter_une_section_a_un_genre(org_a, monkeypatch):
    genres = {
        g: sections.Genre(m.titre, m.destinataires, list(m.sections)) for g, m in sections.GENRES.items()
    }
    monkeypatch.setattr(sections, "GENRES", genres)
    sections.ajouter(sections.ANNUEL, "annexe", lambda o, d, f: Section("Annexe", []), apres="portefeuille")
    sections.ajouter(
        sections.ANNUEL, "annexe", lambda o, d, f: Section("Annexe v2", []), apres="portefeuille"
    )
    assert [c for c, _ in genres[sections.ANNUEL].sections][:2] == ["portefeuille", "annexe"]
    debut, fin = services.periode(ANNEE)
    assert services.construire(org_a, sections.ANNUEL, debut, fin).sections[1].titre == "Annexe v2"
    with pytest.raises(KeyError):
        sections.ajouter(sections.ANNUEL, "x", lambda o, d, f: Section("x"), apres="inconnue")


# --- Production par le processus de fond, trois formats -----------------------------------------------


def _produire(org, par, genre=sections.ANNUEL, annee=ANNEE) -> Rapport:
    rapport = services.lancer(org, par, genre, annee)
    assert travailleur.executer_travaux() == 1
    rapport = Rapport.objects.select_related("travail").get(pk=rapport.pk)
    assert rapport.travail.etat == Travail.Etat.TERMINE, rapport.travail.message
    return rapport


def test_production_versionnee_et_trois_formats_lus(org_a, referent_a, portefeuille):
    premier = _produire(org_a, referent_a)
    second = _produire(org_a, referent_a)
    assert (premier.version, second.version) == (1, 2)
    assert second.produit_le >= premier.produit_le
    assert second.nom_fichier("pdf") == f"rapport-annuel-commune-a-{ANNEE}-v2.pdf"
    titre = f"Rapport annuel sur l'intelligence artificielle — {ANNEE}"
    # DOCX : titre, titres de sections en styles de titre, vrais tableaux.
    d = bytes(second.docx)
    assert ("Title", titre) in titres_docx(d)
    assert ("Heading 1", "Obligations réglementaires tenues et en retard") in titres_docx(d)
    grilles = tableaux_docx(d)
    stades = next(g for g in grilles if g[0] == ["Stade", "Systèmes"])
    assert dict(stades[1:])["Expérimentation / POC"] == "3" and stades[-1] == ["Total", "4"]
    retard = next(g for g in grilles if g[0][:2] == ["Système", "Obligation"])
    assert retard[1][:2] == ["Ancien chatbot", '=HYPERLINK("x")']
    # ODT : mêmes tableaux, titres en vrais niveaux de plan.
    o = bytes(second.odt)
    assert (2, "Décisions et avis des instances") in titres_odt(o)
    assert tableaux_odt(o) == grilles
    # PDF : le texte de chaque tableau, dans l'ordre.
    p = texte_pdf(bytes(second.pdf))
    assert titre.split(" — ")[0] in p and "Version 2, produite le" in p
    assert "Ancien chatbot" in p and "Système 2" in p
    # La version 1 reste téléchargeable, inchangée.
    assert "Version 1, produite le" in texte_pdf(bytes(Rapport.objects.get(pk=premier.pk).pdf))


def test_echec_en_francais_sans_version(org_a, referent_a, monkeypatch):
    def casse(o, d, f):
        raise RuntimeError("panne")

    genres = {
        g: sections.Genre(m.titre, m.destinataires, [("casse", casse)]) for g, m in sections.GENRES.items()
    }
    monkeypatch.setattr(sections, "GENRES", genres)
    rapport = services.lancer(org_a, referent_a, sections.ANNUEL, ANNEE)
    travailleur.executer_travaux()
    rapport = Rapport.objects.select_related("travail").get(pk=rapport.pk)
    assert (
        rapport.travail.etat == Travail.Etat.ECHOUE and "rien n'a été enregistré" in rapport.travail.message
    )
    assert rapport.version is None and rapport.pdf is None


def test_une_production_a_la_fois(org_a, referent_a):
    from django.core.exceptions import ValidationError

    services.lancer(org_a, referent_a, sections.ANNUEL, ANNEE)
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.lancer(org_a, referent_a, sections.ANNUEL, ANNEE)
    services.lancer(org_a, referent_a, sections.DIALOGUE_SOCIAL, ANNEE)  # un autre genre : permis


# --- Secret statistique dans les fichiers produits ----------------------------------------------------


def _effectifs_a_petits_nombres() -> bytes:
    lignes = []
    for metier, categorie, n in [
        ("Jardinier", "C", 9), ("Jardinier", "A", 2), ("Jardinier", "B", 6),
        ("Archiviste", "B", 2), ("Archiviste", "A", 7), ("Archiviste", "C", 1),
        ("Chargé-e d'accueil", "C", 12), ("Chargé-e d'accueil", "B", 3), ("Chargé-e d'accueil", "A", 5),
    ]:  # fmt: skip
        lignes += [[f"{metier[:3]}{categorie}{i}", metier, categorie, "F", "1"] for i in range(n)]
    return tableau_csv(lignes)


def _grille(grilles: list, premiere: str) -> list[list[int | None]]:
    g = next(g for g in grilles if g[0][0] == premiere)
    return [[entier(c) for c in rang[1:]] for rang in g[1:]]


@pytest.mark.parametrize("genre", list(sections.GENRES))
def test_secret_statistique_dans_les_trois_formats(org_a, drh_a, genre):
    imp = importer(
        org_a, drh_a, _effectifs_a_petits_nombres(),
        colonnes={"metier": "Métier", "categorie": "Catégorie", "sexe": "Sexe", "quotite": "Quotité"},
    )  # fmt: skip
    rapport = _produire(org_a, drh_a, genre)
    docx_, odt_ = tableaux_docx(bytes(rapport.docx)), tableaux_odt(bytes(rapport.odt))
    pdf_ = jetons(texte_pdf(bytes(rapport.pdf)))
    brut: dict[tuple[str, str], int] = {}
    for g in GroupeEffectif.objects.filter(import_effectifs=imp).values(
        "categorie", "libelle__niveau", "effectif"
    ):
        cle = (g["categorie"], g["libelle__niveau"])
        brut[cle] = brut.get(cle, 0) + g["effectif"]
    for premiere in ("Niveau", "Catégorie"):
        grille = _grille(docx_, premiere)
        assert grille == _grille(odt_, premiere)
        # (1) aucun chiffre visible sous le seuil ; (2) il y a des cases masquées ;
        # (3) aucune case masquée ne se retrouve à partir des lignes, colonnes et totaux publiés.
        assert all(v is None or v == 0 or v >= org_a.seuil_secret for rang in grille for v in rang)
        assert premiere == "Niveau" or any(v is None for rang in grille for v in rang), grille
        assert retrouvables(grille) == set()
        # Le PDF donne les mêmes rangées, dans le même ordre.
        g = next(g for g in docx_ if g[0][0] == premiere)
        for rang in g[1:]:
            mots = jetons(" ".join(rang))
            assert any(pdf_[i : i + len(mots)] == mots for i in range(len(pdf_))), rang
    # (4) les chiffres visibles sont ceux de la base.
    g = next(g for g in docx_ if g[0][0] == "Catégorie")
    niveaux = g[0][1:-1]
    for rang in g[1:-1]:
        for niveau, texte in zip(niveaux, rang[1:-1], strict=True):
            if texte != "secret":
                assert entier(texte) == brut.get((rang[0], niveau if niveau != "Non rattachés" else ""), 0)
    assert sum(brut.values()) == entier(g[-1][-1]) or g[-1][-1] == "secret"


def test_sans_import_l_exposition_le_dit(org_a, referent_a):
    debut, fin = services.periode(ANNEE)
    section = sections.exposition_metiers(org_a, debut, fin)
    assert "Aucun tableau des effectifs" in section.blocs[0].texte


# --- Dossier du dialogue social : le girouet ----------------------------------------------------------


def test_girouet_et_organisation_du_travail(org_a, referent_a, portefeuille):
    _, nouveaux = portefeuille
    instrument = DefinitionInstrument.objects.filter(organisation__isnull=True, code="girouet").latest(
        "version"
    )
    ev = Evaluation.objects.create(
        organisation=org_a, systeme=nouveaux[1], instrument=instrument, moment="amont", cree_par=referent_a,
        statut=Evaluation.Statut.FINALISEE, finalisee_le=_le(DANS_L_ANNEE),
    )  # fmt: skip
    items = instrument.definition.items
    for n, note in enumerate((1, 2)):
        personne = fabrique.membre(org_a, "lecteur", f"eval{n}@exemple.fr")
        e = Evaluateur.objects.create(
            evaluation=ev, utilisateur=personne, profil="agent", invite_par=referent_a
        )
        for item in items:
            Reponse.objects.create(evaluateur=e, item=item.id, valeur=note)
    debut, fin = services.periode(ANNEE)
    contenu = services.construire(org_a, sections.DIALOGUE_SOCIAL, debut, fin)
    girouet = _tableau(contenu.sections[0], "Scores du girouet par système et par feuillet")
    assert [c.texte for c in girouet.lignes[0][:3]] == ["Système 1", f"15/06/{ANNEE}", "2"]
    assert {c.texte for c in girouet.lignes[0][3:]} == {"1,5"} and len(girouet.entetes) == 3 + 4
    travail = _tableau(contenu.sections[2], "Décisions touchant l'organisation du travail")
    assert [r[1].texte for r in travail.lignes] == ["Système 0"]  # tourné vers les agents, dans l'année


# --- Pages et API -------------------------------------------------------------------------------------


def test_page_produire_suivre_telecharger(client, org_a, referent_a, lecteur_a, portefeuille):
    client.force_login(referent_a)
    page = client.get("/o/commune-a/rapports/")
    assert page.status_code == 200 and "Produire un rapport" in page.content.decode()
    reponse = client.post("/o/commune-a/rapports/production/", {"genre": "annuel", "annee": str(ANNEE)})
    assert reponse.status_code == 302
    assert "En attente de traitement" in client.get("/o/commune-a/rapports/").content.decode()
    travailleur.executer_travaux()
    rapport = Rapport.objects.get()
    page = client.get("/o/commune-a/rapports/").content.decode()
    assert "Fait le" in page and f"/o/commune-a/rapports/{rapport.pk}/odt/" in page
    client.force_login(lecteur_a)
    assert "Produire un rapport" not in client.get("/o/commune-a/rapports/").content.decode()
    for format_, debut in (("pdf", b"%PDF"), ("odt", b"PK"), ("docx", b"PK")):
        fichier = client.get(f"/o/commune-a/rapports/{rapport.pk}/{format_}/")
        assert fichier.status_code == 200 and fichier.content.startswith(debut)
        assert f'filename="rapport-annuel-commune-a-{ANNEE}-v1.{format_}"' in fichier["Content-Disposition"]
    assert client.get(f"/o/commune-a/rapports/{rapport.pk}/exe/").status_code == 404


def test_annuler_une_production_par_la_page(client, org_a, referent_a, lecteur_a, org_b, admin_b):
    client.force_login(referent_a)
    client.post("/o/commune-a/rapports/production/", {"genre": "annuel", "annee": str(ANNEE)})
    rapport = Rapport.objects.get()
    adresse = f"/o/commune-a/rapports/{rapport.pk}/annulation/"
    assert adresse in client.get("/o/commune-a/rapports/").content.decode()
    autres = Client()
    autres.force_login(lecteur_a)
    assert autres.post(adresse).status_code == 403
    autres.force_login(admin_b)
    assert autres.post(f"/o/{org_b.slug}/rapports/{rapport.pk}/annulation/").status_code == 404
    assert Rapport.objects.get().travail.etat == Travail.Etat.EN_ATTENTE
    page = client.post(adresse, follow=True).content.decode()
    assert "Production annulée" in page and adresse not in page
    travailleur.executer_travaux()  # la tâche, tirée de la file, trouve son travail annulé
    rapport = Rapport.objects.select_related("travail").get()
    assert rapport.travail.etat == Travail.Etat.ANNULE and rapport.travail.annule_par == referent_a
    assert rapport.version is None and rapport.pdf is None
    assert "déjà terminé" in client.post(adresse, follow=True).content.decode()
    _produire(org_a, referent_a)  # une nouvelle production reste possible


def test_page_saisie_hostile_rien_de_lance(client, org_a, referent_a):
    client.force_login(referent_a)
    for donnees in (
        {"genre": "annuel", "annee": str(timezone.localdate().year + 3)},
        {"genre": "=cmd", "annee": "2024"},
        {"genre": "annuel", "annee": "deux mille"},
        {},
    ):
        reponse = client.post("/o/commune-a/rapports/production/", donnees)
        assert reponse.status_code == 400
    assert (
        "année à venir"
        in client.post(
            "/o/commune-a/rapports/production/", {"genre": "annuel", "annee": "3000"}
        ).content.decode()
    )
    assert not Rapport.objects.exists() and not Travail.objects.exists()


def test_api_lancer_lister_telecharger(org_a, referent_a, lecteur_a):
    reponse = fabrique.appel_api(
        referent_a, "POST", "commune-a/rapports", {"genre": "dialogue_social", "annee": ANNEE}
    )
    assert reponse.status_code == 201 and reponse.json()["etat"] == "en_attente"
    travailleur.executer_travaux()
    liste = fabrique.appel_api(lecteur_a, "GET", "commune-a/rapports").json()
    assert [(r["version"], r["etat"], r["formats"]) for r in liste] == [
        (1, "termine", ["pdf", "odt", "docx"])
    ]
    fichier = fabrique.appel_api(lecteur_a, "GET", f"commune-a/rapports/{liste[0]['id']}/docx")
    assert (
        fichier.status_code == 200 and "dossier-dialogue-social-commune-a" in fichier["Content-Disposition"]
    )
    refus = fabrique.appel_api(referent_a, "POST", "commune-a/rapports", {"genre": "annuel", "annee": 3000})
    assert refus.status_code == 400 and "année à venir" in refus.json()["message"]


def test_liste_en_nombre_constant_de_requetes(client, org_a, referent_a):
    from balise.rapports import selectors
    from tests import instantane

    instantane.rapport(org_a, referent_a)

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            list(selectors.rapports(org_a))
            client.get("/o/commune-a/rapports/")
        return len(requetes)

    client.force_login(referent_a)
    compter()  # la première page ouvre la session
    une = compter()
    for annee in range(2019, 2024):
        instantane.rapport(org_a, fabrique.membre(org_a, "lecteur"), annee=annee)
    assert compter() == une


# --- Charte, formation, indicateurs, feuille de route (issue 14) --------------------------------------


@pytest.fixture
def programme_ia(org_a, referent_a):
    """Une charte adoptée et consultée, deux populations formées, un indicateur mesuré dans l'année."""
    from decimal import Decimal

    from balise.chartes.models import VersionCharte
    from balise.formations.models import Participation, Population, SessionFormation
    from balise.gouvernance.models import Avis, Point
    from balise.indicateurs.models import Indicateur, Mesure

    charte = VersionCharte.objects.create(
        organisation=org_a,
        numero=1,
        titre="Charte de l'IA de la commune",
        principes=[{"titre": "Transparence", "explication": "."}, {"titre": "Contrôle humain"}],
        lignes_rouges=["Notation automatique des agents"],
        statut=VersionCharte.Statut.ADOPTEE,
        mode_adoption=VersionCharte.Mode.DELIBERATION,
        adoptee_le=date(ANNEE, 3, 10),
        deliberation_numero="DEL-2025-042",
        cree_par=referent_a,
    )
    seance = gf.seance(gf.instance(org_a, "Comité social territorial"), _le(date(ANNEE, 2, 1)), referent_a)
    point = Point.objects.create(
        seance=seance,
        titre="Projet de charte",
        nature=Point.Nature.CHARTE,
        organisation=org_a,
        version_charte=charte,
    )
    Avis.objects.create(point=point, sens=Avis.Sens.RESERVES, motifs="Préciser.", cree_par=referent_a)
    elus = Population.objects.create(
        organisation=org_a, titre="Élus", palier="acculturation", cible=50, effectif_saisi=40
    )
    encadrants = Population.objects.create(
        organisation=org_a, titre="Encadrants", palier="acculturation", cible=80, effectif_saisi=20
    )
    session = SessionFormation.objects.create(
        organisation=org_a,
        offre_catalogue="cafe_ia",
        date=DANS_L_ANNEE,
        palier="acculturation",
        cree_par=referent_a,
    )
    Participation.objects.create(session=session, population=elus, nombre=30)
    Participation.objects.create(session=session, population=encadrants, nombre=4)
    apres = SessionFormation.objects.create(
        organisation=org_a,
        offre_catalogue="cafe_ia",
        date=date(ANNEE + 1, 1, 5),
        palier="acculturation",
        cree_par=referent_a,
    )
    Participation.objects.create(session=apres, population=encadrants, nombre=10)  # hors période
    indicateur = Indicateur.objects.create(
        organisation=org_a,
        objectif="Qualité des réponses",
        intitule="Réponses corrigées par un agent",
        unite="%",
        cible=Decimal("90"),
        sens=Indicateur.Sens.AU_MOINS,
        frequence=Indicateur.Frequence.MENSUELLE,
        responsable=referent_a,
    )
    for mois, valeur in ((5, "85"), (11, "92.5")):
        Mesure.objects.create(
            indicateur=indicateur, organisation=org_a, periode=date(ANNEE, mois, 1),
            valeur=Decimal(valeur), saisie_par=referent_a,
        )  # fmt: skip
    return charte, indicateur


def test_charte_formation_et_indicateurs_dans_le_rapport_lus_en_docx(org_a, referent_a, programme_ia):
    from balise.formations import selectors as formations

    rapport = _produire(org_a, referent_a)
    d = bytes(rapport.docx)
    titres = [t for _, t in titres_docx(d)]
    for titre in (
        "Charte de l'intelligence artificielle",
        "Formation des agents et des élus à l'intelligence artificielle",
        "Indicateurs de suivi des systèmes d'IA",
        "Feuille de route du programme IA",
    ):
        assert titre in titres
    grilles = tableaux_docx(d)
    etat = dict(next(g for g in grilles if g[0] == ["Élément", "Valeur"])[1:])
    charte, _ = programme_ia
    assert etat["Titre"] == charte.titre and etat["Adoptée le"] == f"10/03/{ANNEE}"
    assert (
        etat["Délibération"] == "DEL-2025-042" and etat["Principes"] == "2" and etat["Lignes rouges"] == "1"
    )
    avis = next(g for g in grilles if g[0] == ["Séance", "Instance", "Point", "Avis"])
    assert avis[1][1:] == ["Comité social territorial", "Projet de charte", "Favorable avec réserves"]
    # La formation : les chiffres du sélecteur à la fin de l'année (la session de l'année suivante n'y est pas).
    couverture = {li.population.titre: li for li in formations.couverture(org_a, date(ANNEE, 12, 31))}
    formation = {g[0]: g for g in next(g for g in grilles if g[0][0] == "Population")[1:]}
    assert couverture["Élus"].formes == 30 and couverture["Encadrants"].formes == 4
    assert formation["Élus"] == ["Élus", "40", "saisi", "30", "50\u202f%", "75,0\u202f%", "oui"]
    assert formation["Encadrants"][3:] == ["4", "80\u202f%", "20,0\u202f%", "non"]
    # Un indicateur : la dernière mesure de l'année, la cible, et la mesure hors cible.
    ind = next(g for g in grilles if g[0][0] == "Indicateur")
    assert ind[1] == ["Réponses corrigées par un agent", "—", "%", "au moins 90", "2", "92,5", "oui", "1"]
    # Le dossier du dialogue social : la consultation sur la charte et la formation.
    dossier = tableaux_docx(bytes(_produire(org_a, referent_a, sections.DIALOGUE_SOCIAL).docx))
    assert any(g[0] == ["Séance", "Instance", "Point", "Avis"] for g in dossier)
    assert any(g[0][0] == "Population" for g in dossier)


def test_formation_secret_ni_effectif_ni_taux(org_a, referent_a, programme_ia, monkeypatch):
    from balise.formations import selectors as formations
    from balise.formations.couverture import Couverture

    vraies = formations.couverture

    def avec_secret(organisation, a_la_date):
        lignes = vraies(organisation, a_la_date)
        li = lignes[0]
        secret = formations.Effectif(None, "secret")
        lignes[0] = formations.LigneCouverture(li.population, secret, Couverture(None, 30, li.cible))
        return lignes

    monkeypatch.setattr(formations, "couverture", avec_secret)
    debut, fin = services.periode(ANNEE)
    section = sections.formation(org_a, debut, fin)
    elus = _tableau(section, "Couverture de formation par population").lignes[0]
    assert elus[0].texte == "Élus" and elus[1].masquee and elus[5].masquee
    assert "40" not in [c.texte for c in elus] and "75,0\u202f%" not in [c.texte for c in elus]


def test_sans_charte_ni_population_ni_indicateur_les_sections_le_disent(org_a):
    debut, fin = services.periode(ANNEE)
    rapport = services.construire(org_a, sections.ANNUEL, debut, fin)
    textes = str(rapport)
    assert "n'avait pas adopté de charte" in textes
    assert "Aucune population à former" in textes and "Aucun indicateur n'est suivi" in textes
    dossier = str(services.construire(org_a, sections.DIALOGUE_SOCIAL, debut, fin))
    assert "Aucune version de la charte n'a encore été soumise" in dossier


def test_la_charte_du_rapport_est_celle_de_la_fin_de_la_periode(org_a, referent_a, programme_ia):
    """Une version 2 adoptée après l'année du rapport n'y remplace pas la version 1, mais y est signalée ;
    une charte adoptée seulement après la période n'est pas présentée comme en vigueur."""
    from balise.chartes.models import VersionCharte

    charte, _ = programme_ia
    VersionCharte.objects.filter(pk=charte.pk).update(
        statut=VersionCharte.Statut.REMPLACEE, remplacee_le=_le(date(ANNEE + 1, 1, 20))
    )
    VersionCharte.objects.create(
        organisation=org_a,
        numero=2,
        titre="Charte révisée",
        principes=[{"titre": "Sobriété"}],
        statut=VersionCharte.Statut.ADOPTEE,
        mode_adoption=VersionCharte.Mode.DIRECTION,
        adoptee_le=date(ANNEE + 1, 1, 20),
        cree_par=referent_a,
    )
    debut, fin = services.periode(ANNEE)
    section = sections.charte(org_a, debut, fin)
    etat = dict(
        (li[0].texte, li[1].texte)
        for li in _tableau(section, "État de la charte en vigueur à la fin de la période").lignes
    )
    assert etat["Titre"] == charte.titre and etat["Version"] == "1"
    assert f"La version 2 de la charte a été adoptée le 20/01/{ANNEE + 1}" in str(section)
    avant = sections.charte(org_a, *services.periode(ANNEE - 1))
    assert "n'avait pas adopté de charte" in str(avant) and "Charte révisée" not in str(avant)
