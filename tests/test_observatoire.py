"""L'observatoire : calcul protégé (secret sur le nombre d'organisations, entre tableaux, avec les
registres publics, d'un relevé à l'autre), relevés par le processus de fond, pages, données ouvertes,
API, choix d'une organisation (droits, verrou optimiste)."""

import csv
import io
import json
import re

import jsonschema_rs
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given, settings
from hypothesis import strategies as st

from balise.chartes.models import VersionCharte
from balise.gouvernance.models import Instance
from balise.metiers.secret import SECONDAIRE
from balise.observatoire import calcul, referentiel, schema, selectors, services, taches
from balise.observatoire.calcul import EVOLUTION, PERSISTANCE, PRIMAIRE, TOTAL, Definition, Entree, Etat
from balise.observatoire.models import Participation, Planification, Releve
from balise.organisations.models import Organisation
from tests import fabrique
from tests.travailleur import executer_travaux

# --- Calcul pur --------------------------------------------------------------------------------------


def definition(ident="t", lignes=("a", "b", "c"), colonnes=("x",), **partage):
    return Definition(
        ident, ident, "systemes", "systèmes", "Ligne", tuple(lignes), tuple(colonnes), **partage
    )


def entree(d, apports):
    """`apports` : {(ligne, colonne): {organisation: (valeur publique, valeur privée)}}."""
    valeurs, organisations, privees = {}, {}, {}
    par_membre = {}
    for (ligne, colonne), par_org in apports.items():
        for org, (public, prive) in par_org.items():
            if public + prive == 0:
                continue
            valeurs[(ligne, colonne)] = valeurs.get((ligne, colonne), 0) + public + prive
            if prive:
                privees.setdefault((ligne, colonne), {})[org] = prive
            for membre in ((ligne, colonne), (ligne, TOTAL), (TOTAL, colonne), (TOTAL, TOTAL)):
                par_membre.setdefault(membre, set()).add(org)
    organisations = {m: len(o) for m, o in par_membre.items()}
    return Entree(d, valeurs, organisations, privees)


def grille(table):
    return {cle: (m.valeur, m.motif) for cle, m in table.cases.items()}


def test_un_chiffre_tire_de_moins_de_cinq_organisations_est_secret_et_protege():
    d = definition()
    apports = {("a", "x"): {i: (2, 0) for i in range(6)}, ("b", "x"): {i: (1, 0) for i in range(6, 8)}}
    apports[("c", "x")] = {i: (3, 0) for i in range(8, 15)}
    (t,) = calcul.calculer([entree(d, apports)], 5).tables
    cases = grille(t)
    assert cases[("a", "x")] == (12, None) and cases[("b", "x")] == (None, PRIMAIRE)
    # Tout vient des registres publics : rien à protéger par soustraction, le reste demeure visible.
    assert cases[("c", "x")] == (21, None) and cases[(TOTAL, TOTAL)] == (35, None)


def test_la_part_privee_de_peu_d_organisations_est_secrete_meme_si_la_case_en_a_beaucoup():
    d = definition()
    # 8 organisations publient en (a, x) ; une seule y ajoute un système non publié : le chiffre moins
    # les registres publics le révélerait.
    apports = {("a", "x"): {i: (1, 1 if i == 0 else 0) for i in range(8)}}
    apports[("b", "x")] = {i: (1, 1) for i in range(8, 16)}
    apports[("c", "x")] = {i: (1, 1) for i in range(16, 24)}
    (t,) = calcul.calculer([entree(d, apports)], 5).tables
    cases = grille(t)
    assert cases[("a", "x")] == (None, PRIMAIRE)
    # Complément : une autre case à part privée (une case toute publique ne protégerait rien).
    assert cases[("b", "x")][1] == SECONDAIRE or cases[("c", "x")][1] == SECONDAIRE


def test_seuil_trop_bas_et_entrees_incoherentes_refusees():
    d = definition()
    with pytest.raises(ValueError, match="inférieur à 3"):
        calcul.calculer([entree(d, {})], 2)
    with pytest.raises(ValueError, match="hors du tableau"):
        calcul.calculer([Entree(d, {("z", "x"): 1}, {}, {})], 5)
    with pytest.raises(ValueError, match="même identifiant"):
        calcul.calculer([entree(d, {}), entree(d, {})], 5)
    with pytest.raises(ValueError, match="parts privées"):
        calcul.calculer([Entree(d, {("a", "x"): 2}, {("a", "x"): 1}, {("a", "x"): {1: 1, 2: 1}})], 5)


def test_un_total_partage_masque_dans_un_tableau_l_est_dans_l_autre():
    d1 = definition(
        "t1", lignes=("a", "b"), colonnes=("oui", "non"), partage_lignes="contrib", partage_total="n"
    )
    d2 = definition(
        "t2", lignes=("a", "b"), colonnes=("oui", "non"), partage_lignes="contrib", partage_total="n"
    )
    orgs_a, orgs_b = range(0, 4), range(4, 20)  # la ligne a : 4 organisations (total de ligne secret)
    t1 = {("a", "oui"): {o: (0, 1) for o in orgs_a}, ("b", "oui"): {o: (0, 1) for o in orgs_b}}
    t2 = {("a", "non"): {o: (0, 1) for o in orgs_a}, ("b", "oui"): {o: (0, 1) for o in orgs_b[:8]}}
    t2[("b", "non")] = {o: (0, 1) for o in orgs_b[8:]}
    r = calcul.calculer([entree(d1, t1), entree(d2, t2)], 5)
    for table in r.tables:
        assert table.cases[("a", TOTAL)].cache
    assert r.etats["contrib|a|Total"].visible is False


def test_evolution_et_persistance_d_un_releve_au_suivant():
    d = definition(lignes=("a", "b", "c"))
    base = {
        ("a", "x"): {i: (0, 1) for i in range(10)},
        ("b", "x"): {i: (0, 1) for i in range(10, 20)},
        ("c", "x"): {i: (0, 1) for i in range(20, 30)},
    }
    premier = calcul.calculer([entree(d, base)], 5)
    assert premier.tables[0].nombre_caches == 0
    # Une seule organisation ajoute un système en a : la différence la désignerait.
    change = {**base, ("a", "x"): {**base[("a", "x")], 0: (0, 2)}}
    second = calcul.calculer([entree(d, change)], 5, premier.suivant)
    assert grille(second.tables[0])[("a", "x")] == (None, EVOLUTION)
    # Rien ne change ensuite : le chiffre caché hier le reste (sinon il se lirait aujourd'hui).
    troisieme = calcul.calculer([entree(d, change)], 5, second.suivant)
    assert grille(troisieme.tables[0])[("a", "x")][1] in (EVOLUTION, PERSISTANCE)
    # Cinq organisations de plus ont changé depuis la dernière publication : il reparaît.
    encore = {**change, ("a", "x"): {**change[("a", "x")], **{i: (0, 3) for i in range(1, 6)}}}
    quatrieme = calcul.calculer([entree(d, encore)], 5, troisieme.suivant)
    assert grille(quatrieme.tables[0])[("a", "x")] == (21, None)


def test_etat_relu_du_json():
    etat = Etat(False, {1: 2}, {1: 1})
    assert Etat.de_json(json.loads(json.dumps(etat.en_json()))) == etat
    visible = Etat(True, {3: 1}, {3: 1})
    assert "r" not in visible.en_json() and Etat.de_json(visible.en_json()) == visible


# --- Propriétés : aucun chiffre secret ne se retrouve ------------------------------------------------


# L'élimination exacte de calcul.py (éprouvée à part : test_determinees_par_composantes).
determinees = calcul.determinees


def contraintes(resultat, suffixe=""):
    """Les contraintes d'addition de tous les tableaux, sur les clés de membres (partagées comprises)."""
    equations = []
    for t in resultat.tables:
        d = t.definition
        noms_l, noms_c = [*t.lignes, TOTAL], [*d.colonnes, TOTAL]
        for ligne in noms_l:
            eq = {calcul.cle(d, ligne, c) + suffixe: 1 for c in d.colonnes}
            eq[calcul.cle(d, ligne, TOTAL) + suffixe] = eq.get(calcul.cle(d, ligne, TOTAL) + suffixe, 0) - 1
            equations.append(eq)
        for colonne in noms_c:
            eq = {}
            for ligne in t.lignes:
                k = calcul.cle(d, ligne, colonne) + suffixe
                eq[k] = eq.get(k, 0) + 1
            k = calcul.cle(d, TOTAL, colonne) + suffixe
            eq[k] = eq.get(k, 0) - 1
            equations.append(eq)
    return equations


def caches_inconnus(resultat, precedent, suffixe=""):
    """Les membres cachés que l'attaquant ne connaît pas par ailleurs (part privée changée depuis leur
    dernière publication) : ceux qui doivent rester introuvables."""
    inconnus = set()
    for t in resultat.tables:
        for (ligne, colonne), m in t.cases.items():
            k = calcul.cle(t.definition, ligne, colonne)
            avant = precedent.get(k)
            reference = avant.reference if avant else {}
            if m.cache and calcul.differences(resultat.etats[k].privee, reference) > 0:
                inconnus.add(k + suffixe)
    return inconnus


LIGNES, COLONNES = ("l0", "l1", "l2", "l3"), ("oui", "non")


@st.composite
def instances(draw):
    """Une instance tirée au hasard : des organisations, chacune dans une strate et une région, qui
    contribuent ou non, publient ou non ; deux tableaux liés (par strate, par région) qui partagent
    leurs totaux, et un tableau de systèmes à une colonne."""
    n = draw(st.integers(0, 30))
    orgs = []
    for i in range(n):
        orgs.append(
            {
                "id": i,
                "strate": draw(st.sampled_from(LIGNES)),
                "region": draw(st.sampled_from(LIGNES[:3])),
                "contribue": draw(st.booleans()),
                "oui": draw(st.booleans()),
                "publics": draw(st.integers(0, 3)),
                "prives": draw(st.integers(0, 2)),
                "domaine": draw(st.sampled_from(LIGNES)),
            }
        )
    return orgs, draw(st.integers(3, 6))


def entrees_de(orgs):
    par_strate = definition(
        "par_strate", LIGNES, COLONNES, partage_lignes=None, partage_colonnes="ind", partage_total="contrib"
    )
    par_region = definition(
        "par_region", LIGNES[:3], COLONNES, partage_colonnes="ind", partage_total="contrib"
    )
    systemes = definition("systemes", LIGNES, ("n",))
    a_strate, a_region, a_sys = {}, {}, {}
    for o in orgs:
        if o["contribue"]:
            colonne = "oui" if o["oui"] else "non"
            a_strate.setdefault((o["strate"], colonne), {})[o["id"]] = (0, 1)
            a_region.setdefault((o["region"], colonne), {})[o["id"]] = (0, 1)
        prives = o["prives"] if o["contribue"] else 0
        a_sys.setdefault((o["domaine"], "n"), {})[o["id"]] = (o["publics"], prives)
    return [entree(par_strate, a_strate), entree(par_region, a_region), entree(systemes, a_sys)]


def verifier_releve(resultat, precedent, seuil):
    for t in resultat.tables:
        for (ligne, colonne), m in t.cases.items():
            k = calcul.cle(t.definition, ligne, colonne)
            etat = resultat.etats[k]
            if m.cache:
                continue
            avant = precedent.get(k)
            reference = avant.reference if avant else {}
            # Publié : sa part privée ne diffère de sa dernière publication que par 0 ou ≥ seuil organisations.
            assert not 0 < calcul.differences(etat.privee, reference) < seuil
    # Aucun membre caché et inconnu ne se déduit des contraintes (tous tableaux ensemble).
    inconnus = caches_inconnus(resultat, precedent)
    assert determinees(contraintes(resultat), inconnus) & inconnus == set()


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(instances())
def test_proprietes_aucun_tableau_seul_ou_avec_les_autres_ne_revele_un_secret(cas):
    orgs, seuil = cas
    resultat = calcul.calculer(entrees_de(orgs), seuil)
    for t in resultat.tables:
        for (ligne, colonne), m in t.cases.items():
            if not m.cache:
                n = sum(1 for o in orgs if _membre_de(o, t.definition.id, ligne, colonne))
                assert not 0 < n < seuil
    verifier_releve(resultat, {}, seuil)


def _membre_de(o, table, ligne, colonne):
    """L'organisation apporte-t-elle quelque chose à ce membre ?"""
    if table == "systemes":
        apporte = o["publics"] + (o["prives"] if o["contribue"] else 0) > 0
        return apporte and ligne in (o["domaine"], TOTAL)
    if not o["contribue"]:
        return False
    rang = o["strate"] if table == "par_strate" else o["region"]
    return ligne in (rang, TOTAL) and colonne in ("oui" if o["oui"] else "non", TOTAL)


@st.composite
def deux_releves(draw):
    orgs, seuil = draw(instances())
    suivants = []
    for o in orgs:
        o2 = dict(o)
        if draw(st.integers(0, 3)) == 0:  # une organisation sur quatre change quelque chose
            o2["contribue"] = draw(st.booleans())
            o2["oui"] = draw(st.booleans())
            o2["prives"] = draw(st.integers(0, 2))
            o2["publics"] = draw(st.integers(0, 3))
        suivants.append(o2)
    return orgs, suivants, seuil


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(deux_releves())
def test_proprietes_deux_releves_consecutifs_ne_revelent_aucun_secret(cas):
    orgs, suivants, seuil = cas
    premier = calcul.calculer(entrees_de(orgs), seuil)
    second = calcul.calculer(entrees_de(suivants), seuil, premier.suivant)
    verifier_releve(second, premier.etats, seuil)
    # Les deux relevés ensemble : un membre dont la part privée n'a pas changé garde sa valeur privée
    # (x d'hier = x d'aujourd'hui, à la part publique près, connue de tous).
    equations = contraintes(premier, "@1") + contraintes(second, "@2")
    for k, etat in second.etats.items():
        if k in premier.etats and calcul.differences(etat.privee, premier.etats[k].privee) == 0:
            equations.append({k + "@1": 1, k + "@2": -1})
    inconnus = caches_inconnus(premier, {}, "@1") | caches_inconnus(second, premier.etats, "@2")
    # Les chiffres publiés sont connus : ils ne figurent pas parmi les inconnues.
    toutes = {
        k + s for r, s in ((premier, "@1"), (second, "@2")) for k, e in r.etats.items() if not e.visible
    }
    connus_caches = toutes - inconnus
    assert determinees(equations, inconnus | connus_caches) & inconnus == set()


def test_un_chiffre_cache_hier_ne_se_retrouve_pas_par_ses_voisins_inchanges():
    """Hier, trois strates cachées (1, 2 et 1 organisations) et leur total (4) publié ; aujourd'hui,
    seule la deuxième change (3 organisations). La publier révélerait celle d'hier : total d'hier moins
    les deux autres, inchangées, que le total d'aujourd'hui donnerait."""
    d = definition("t", lignes=("l0", "l1", "l2"), colonnes=("oui", "non"))
    hier = {("l0", "non"): {9: (0, 1)}, ("l1", "non"): {11: (0, 1), 16: (0, 1)}, ("l2", "non"): {8: (0, 1)}}
    premier = calcul.calculer([entree(d, hier)], 3)
    assert grille(premier.tables[0])[(TOTAL, "non")] == (4, None)
    aujourd_hui = {**hier, ("l1", "non"): {11: (0, 1), 1: (0, 1), 14: (0, 1)}}
    second = calcul.calculer([entree(d, aujourd_hui)], 3, premier.suivant)
    cases = grille(second.tables[0])
    assert cases[("l1", "non")][0] is None
    assert calcul.RECOUPEMENT in {m for _, m in cases.values()}


def test_determinees_par_composantes():
    equations = [{"a": 1, "b": 1}, {"a": 1, "b": -1}, {"c": 1, "d": 1}]
    assert calcul.determinees(equations, {"a", "b", "c", "d"}) == {"a", "b"}
    assert calcul.determinees([], set()) == set()


# --- Relevés en base, pages, données ouvertes, API -------------------------------------------------

SEUIL = 3


@pytest.fixture
def observatoire(db, settings):
    """Sept communes, dont cinq contribuent ; des systèmes publiés et non publiés."""
    settings.OBSERVATOIRE_SEUIL = SEUIL
    orgs = [fabrique.organisation(f"Commune fictive {i}", population=800 + i) for i in range(7)]
    par = fabrique.utilisateur()
    for i, org in enumerate(orgs):
        publie = fabrique.systeme(org, par, domaine="rh")
        services_registre_publier(publie, par)
        fabrique.systeme(org, par, domaine="finances")  # non publié
        if i < 5:
            Participation.objects.create(organisation=org, contribue=True)
    VersionCharte.objects.create(
        organisation=orgs[0], numero=1, titre="Charte", statut=VersionCharte.Statut.ADOPTEE, cree_par=par
    )
    return orgs


def services_registre_publier(systeme, par):
    from balise.registre.models import SystemeIA

    SystemeIA.objects.filter(pk=systeme.pk).update(publie=True)


def _table(releve, ident):
    return next(t for t in releve.tables if t["id"] == ident)


def test_un_releve_compte_les_registres_publics_et_les_seules_contributions_choisies(observatoire):
    releve = services.calculer_releve()
    domaines = _table(releve, "systemes_domaine")
    par_ligne = {r["libelle"]: r["cases"][0] for r in domaines["lignes"]}
    # 7 systèmes publiés (tous) ; 5 non publiés (des seules contributrices).
    assert par_ligne["Ressources humaines"] == {"valeur": 7, "secret": None}
    assert par_ligne["Finances, commande publique"] == {"valeur": 5, "secret": None}
    assert domaines["totaux"]["total"]["valeur"] == 12
    charte = _table(releve, "organisations_charte_strate")
    (rang,) = charte["lignes"]
    # Une seule contributrice a une charte : secret ; et son complément aussi (sinon 5 − 4 = 1).
    assert rang["cases"][0] == {"valeur": None, "secret": "primaire"}
    assert rang["cases"][1]["valeur"] is None
    assert releve.contributrices == 5 and releve.organisations == 7
    assert "membres" in releve.etats and releve.synthese["systemes_domaine"]["valeur"] == 12


def test_le_releve_suivant_ne_garde_les_etats_que_sur_le_dernier(observatoire):
    premier = services.calculer_releve()
    second = services.calculer_releve()
    premier.refresh_from_db()
    assert premier.etats == {} and second.etats["membres"]

    # Rien n'a changé : mêmes chiffres, mêmes cases cachées (le motif d'un secret reconduit devient
    # « persistance »).
    def valeurs(releve):
        return [
            [m["valeur"] for rang in [*t["lignes"], t["totaux"]] for m in [*rang["cases"], rang["total"]]]
            for t in releve.tables
        ]

    assert valeurs(second) == valeurs(premier)


def test_la_page_publique_montre_les_secrets_sans_connexion(client, observatoire):
    r = client.get("/public/observatoire/")
    assert r.status_code == 200 and "pas encore été calculé" in r.content.decode()
    call_command("calculer_observatoire", verbosity=0)
    r = client.get("/public/observatoire/")
    page = r.content.decode()
    assert r.status_code == 200
    assert "secret</span>" in page and 'id="motif-1"' in page and "Évolution dans le temps" in page
    assert "Commune fictive" not in page  # aucune organisation nommée


def test_donnees_ouvertes_json_csv_schema_et_api(client, observatoire):
    assert client.get("/public/observatoire/observatoire.json").status_code == 404
    assert client.get("/api/observatoire").status_code == 404
    services.calculer_releve()
    services.calculer_releve()
    r = client.get("/public/observatoire/observatoire.json")
    assert r.status_code == 200 and r["Access-Control-Allow-Origin"] == "*"
    document = r.json()
    s = client.get("/public/schema/observatoire.json")
    assert s.status_code == 200 and s["Content-Type"].startswith("application/schema+json")
    jsonschema_rs.Draft202012Validator(s.json()).validate(document)
    assert json.loads(schema.schema_publie()) == schema.schema()
    assert len(document["evolution"]) == 2 and document["seuil"] == SEUIL
    api = client.get("/api/observatoire")
    assert api.status_code == 200 and api.json()["tableaux"] == document["tableaux"]
    c = client.get("/public/observatoire/observatoire.csv")
    lignes = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert c["Content-Disposition"].startswith("attachment")
    secrets = [ligne for ligne in lignes if ligne["secret"]]
    assert secrets and all(ligne["valeur"] == "" for ligne in secrets)
    nombre = sum(
        1
        for t in document["tableaux"]
        for rang in [*t["lignes"], t["totaux"]]
        for m in [*rang["cases"], rang["total"]]
    )
    assert len(lignes) == nombre


def test_un_document_invalide_est_refuse_par_le_schema():
    validateur = jsonschema_rs.Draft202012Validator(schema.schema())
    membre_incoherent = {"valeur": 3, "secret": "primaire"}
    document = {
        "schema": "x",
        "nom": selectors.SCHEMA_NOM,
        "version_schema": selectors.SCHEMA_VERSION,
        "calcule_le": "2026-01-01T00:00:00+00:00",
        "seuil": 5,
        "organisations": 1,
        "motifs": {},
        "tableaux": [],
        "evolution": [{"calcule_le": "2026-01-01T00:00:00+00:00", "totaux": {"t": membre_incoherent}}],
    }
    assert not validateur.is_valid(document)
    document["evolution"][0]["totaux"]["t"] = {"valeur": None, "secret": "primaire"}
    assert validateur.is_valid(document)


# --- Choix d'une organisation : droits, verrou optimiste -------------------------------------------


def test_la_page_d_une_organisation_cloisonnee(client, org_a, admin_a, lecteur_a, admin_b):
    adresse = f"/o/{org_a.slug}/observatoire/"
    client.force_login(admin_b)
    assert client.get(adresse).status_code == 404
    assert client.post(adresse, {"version": 1, "contribue": "on"}).status_code == 404
    client.force_login(lecteur_a)
    r = client.get(adresse)
    assert r.status_code == 200 and "Seuls les administrateurs" in r.content.decode()
    assert client.post(adresse, {"version": 1, "contribue": "on"}).status_code == 403
    assert not Participation.objects.exists()
    client.logout()
    assert client.get(adresse).status_code == 302


def test_l_administrateur_choisit_de_contribuer_avec_historique_et_conflit(client, org_a, admin_a):
    adresse = f"/o/{org_a.slug}/observatoire/"
    client.force_login(admin_a)
    r = client.post(adresse, {"version": 1, "contribue": "on"})
    assert r.status_code == 302
    participation = Participation.objects.get(organisation=org_a)
    assert participation.contribue and not participation.partage_metiers and participation.version == 2
    assert participation.history.first().history_user == admin_a
    # Version périmée : rien ne change, la page le dit.
    r = client.post(adresse, {"version": 1, "partage_metiers": "on"})
    assert r.status_code == 409
    participation.refresh_from_db()
    assert not participation.partage_metiers
    # Sans version : refusé de même.
    assert client.post(adresse, {"contribue": "on"}).status_code == 409
    r = client.get(adresse)
    assert r.status_code == 200 and "Historique" in r.content.decode()


def test_position_face_a_sa_strate(observatoire, client):
    services.calculer_releve()
    org = observatoire[0]
    admin = fabrique.membre(org, "administrateur")
    client.force_login(admin)
    page = client.get(f"/o/{org.slug}/observatoire/").content.decode()
    assert "Commune — moins de 1 000 habitants" in page
    comparaisons = selectors.position(org, selectors.dernier_releve())
    charte = next(c for c in comparaisons if c.indicateur == "charte" and c.decoupage == "Strate")
    assert charte.vous and charte.secret and charte.part is None
    comite = next(c for c in comparaisons if c.indicateur == "comite" and c.decoupage == "Strate")
    assert not comite.vous and comite.part == 0 and comite.ensemble == 5


# --- Référentiel, processus de fond ----------------------------------------------------------------


def test_referentiel_valide_et_refus_en_francais():
    ref = referentiel.en_vigueur()
    assert len(ref.regions) == 18 and sum(len(r.departements) for r in ref.regions) == 101
    assert ref.tranche(None) == referentiel.POPULATION_NON_RENSEIGNEE
    assert (
        ref.tranche(999) == "moins de 1 000 habitants" and ref.tranche(100000) == "100 000 habitants et plus"
    )
    assert referentiel.region("210100012") == "Auvergne-Rhône-Alpes"  # L'Abergement-Clémenciat (01)
    assert referentiel.region("") == referentiel.REGION_NON_RENSEIGNEE
    texte = (referentiel.DOSSIER / "observatoire-v1.yaml").read_text(encoding="utf-8")
    with pytest.raises(referentiel.ReferentielInvalide, match="plusieurs régions"):
        referentiel.lire(texte.replace('departements: ["22",', 'departements: ["01",'))
    with pytest.raises(referentiel.ReferentielInvalide, match="tranches"):
        referentiel.lire(texte.replace("min: 1000}", "min: 0}"))


def _en_attente():
    return DBTaskResult.objects.filter(task_path__endswith="observatoire.taches.recalculer", status="READY")


def test_le_travailleur_planifie_un_seul_recalcul_et_le_calcul_se_replanifie(settings, observatoire):
    settings.OBSERVATOIRE_HEURE = 3
    midi = timezone.make_aware(timezone.datetime(2026, 5, 4, 12, 0))
    with time_machine.travel(midi, tick=False):
        taches.planifier(midi)  # aucun relevé : tout de suite
        taches.planifier(midi)
        (attendu,) = _en_attente()
        assert attendu.run_after == midi
        doublon = taches.recalculer.enqueue()
        executer_travaux()
        assert Releve.objects.count() == 1
        assert DBTaskResult.objects.get(id=doublon.id).return_value == 0
        (suivant,) = _en_attente()
        assert timezone.localtime(suivant.run_after).hour == 3 and suivant.run_after > midi
        assert Planification.objects.get().tache == str(suivant.id)


def test_la_commande_travailleur_planifie_l_observatoire(monkeypatch, db):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker.Command, "handle", lambda self, *a, **o: None)
    monkeypatch.setattr("os.nice", lambda n: 0)
    call_command("travailleur", verbosity=0)
    call_command("travailleur", verbosity=0)
    assert _en_attente().count() == 1


def test_la_commande_calculer_observatoire(observatoire, capsys):
    call_command("calculer_observatoire")
    assert "couverts par le secret" in capsys.readouterr().out and Releve.objects.count() == 1


def test_comite_et_formation_comptes(observatoire):
    Instance.objects.create(
        organisation=observatoire[1], nom="Comité IA", mission="Avis", nature="consultative"
    )
    releve = services.calculer_releve()
    (rang,) = _table(releve, "organisations_comite_strate")["lignes"]
    assert rang["total"] == {"valeur": 5, "secret": None}
    assert Organisation.objects.count() == 7


def test_la_demonstration_montre_des_chiffres_et_des_secrets(db, settings):
    from balise.demo import observatoire as demo

    settings.OBSERVATOIRE_SEUIL = 5
    admin = fabrique.utilisateur("instance@exemple.fr", is_superuser=True, is_staff=True)
    assert demo.charger({admin.email: admin}) == 60
    assert demo.charger({admin.email: admin}) == 0  # une seule fois
    assert all("(générée)" in o.nom for o in Organisation.objects.all())
    releve = selectors.dernier_releve()
    membres = [
        m
        for t in releve.tables
        for rang in [*t["lignes"], t["totaux"]]
        for m in [*rang["cases"], rang["total"]]
    ]
    assert (
        any(m["secret"] for m in membres) and sum(m["valeur"] is not None for m in membres) > len(membres) / 2
    )
    assert not Participation.history.filter(history_user__isnull=True).exists()
    assert not VersionCharte.history.filter(history_user__isnull=True).exists()


def test_le_releve_publie_est_annonce_a_tous_les_processus_et_la_page_ne_lit_pas_la_base(
    client, observatoire, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        premier = services.calculer_releve()
    assert selectors.publie() == f"{premier.pk}:{premier.calcule_le.isoformat()}"
    client.get("/public/observatoire/")
    client.get("/public/observatoire/observatoire.json")
    with django_assert_num_queries(0):
        assert client.get("/public/observatoire/").status_code == 200
        assert client.get("/public/observatoire/observatoire.json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        second = services.calculer_releve()
    assert selectors.publie().startswith(f"{second.pk}:")
    assert len(client.get("/public/observatoire/observatoire.json").json()["evolution"]) == 2


def test_la_page_gardee_pour_les_anonymes_est_celle_d_un_rendu_frais(
    client, observatoire, admin_a, django_capture_on_commit_callbacks
):
    """La page entière gardée pour les visiteurs anonymes (sous la clé du relevé publié) est, au nonce
    CSP près, celle qu'on rendrait sans cache ; un nouveau relevé la remplace ; une personne connectée a
    la sienne (son nom dans l'en-tête)."""
    import re

    from django.core.cache import cache

    def sans_nonce(html: str) -> str:
        return re.sub(r'nonce="[^"]+"', 'nonce=""', html)

    with django_capture_on_commit_callbacks(execute=True):
        services.calculer_releve()
    gardee = client.get("/public/observatoire/").content.decode()
    assert client.get("/public/observatoire/").content.decode() != gardee  # un nonce par requête
    cache.clear()
    assert sans_nonce(client.get("/public/observatoire/").content.decode()) == sans_nonce(gardee)
    Participation.objects.update(contribue=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.calculer_releve()
    nouvelle = client.get("/public/observatoire/").content.decode()
    assert sans_nonce(nouvelle) != sans_nonce(gardee)
    client.force_login(admin_a)
    connectee = client.get("/public/observatoire/")
    assert admin_a.nom_affiche in connectee.content.decode() and "no-store" in connectee["Cache-Control"]


def test_l_exposition_des_metiers_vient_des_seules_organisations_qui_la_partagent(observatoire):
    from balise.metiers.models import GroupeEffectif, ImportEffectifs, LibelleImporte

    par = fabrique.utilisateur()
    for i, org in enumerate(observatoire[:4]):
        if i < 3:
            Participation.objects.update_or_create(organisation=org, defaults={"partage_metiers": True})
        imp = ImportEffectifs.objects.create(
            organisation=org, nom_fichier="e.csv", format="csv", referentiel="inet-2024",
            version_referentiel=1, etat=ImportEffectifs.Etat.PRET, cree_par=par,
        )  # fmt: skip
        for niveau, effectif in (("Très concernés", 4), ("", 6), ("Niveau d'un ancien référentiel", 1)):
            libelle = LibelleImporte.objects.create(
                import_effectifs=imp, libelle="Agent", normalise="agent", effectif=effectif,
                statut=LibelleImporte.Statut.EXACT, niveau=niveau,
            )  # fmt: skip
            GroupeEffectif.objects.create(
                import_effectifs=imp, libelle=libelle, effectif=effectif, etp=effectif
            )
    releve = services.calculer_releve()
    table = _table(releve, "metiers_exposition")
    par_ligne = {r["libelle"]: r["cases"][0] for r in table["lignes"]}
    # Trois organisations partagent (la quatrième a un import mais ne partage pas).
    assert par_ligne["Très concernés"] == {"valeur": 12, "secret": None}
    assert par_ligne["Non rattachés"] == {"valeur": 18, "secret": None}
    assert par_ligne["Niveau d'un ancien référentiel"] == {"valeur": 3, "secret": None}
    assert table["totaux"]["total"]["valeur"] == 33


def test_une_valeur_hors_du_vocabulaire_garde_sa_ligne(observatoire):
    from balise.registre.models import SystemeIA

    SystemeIA.objects.filter(domaine="finances").update(domaine="ancien_domaine")
    releve = services.calculer_releve()
    par_ligne = {r["libelle"]: r["cases"][0] for r in _table(releve, "systemes_domaine")["lignes"]}
    assert par_ligne["ancien_domaine"] == {"valeur": 5, "secret": None}


# --- L'usage de la passerelle d'IA générative (issue 18, point 7) ----------------------------------

AVRIL, MAI, JUIN = (
    timezone.make_aware(timezone.datetime(2026, m, j, 10)) for m, j in ((4, 15), (5, 15), (6, 4))
)


def _catalogue(org, par):
    from balise.passerelle import services_catalogue as catalogue

    fournisseur = catalogue.ajouter_fournisseur(
        org, {"nom": "Local", "url_base": "http://127.0.0.1:9/v1", "hebergement": "france", "delai_s": 5},
        "cle-de-test", par,
    )  # fmt: skip
    return catalogue.ajouter_modele(org, fournisseur.pk, {"identifiant": "m", "libelle": "Albert"}, [], par)


def _requetes(modele, personne, le, n=1, action="envoyer"):
    from decimal import Decimal

    from balise.passerelle import envoi

    with time_machine.travel(le, tick=False):
        for _ in range(n):
            parti = action != "refuser"  # une requête refusée n'a ni coût ni empreinte
            envoi._noter(
                modele, personne, "page", action=action, cout_euros=Decimal("0.1") if parti else None,
                energie_wh=2.0 if parti else None, ges_gco2e=0.4 if parti else None,
            )  # fmt: skip


def _cases(releve, ident):
    table = _table(releve, ident)
    rangs = [*table["lignes"], {**table["totaux"], "libelle": TOTAL}]
    return {
        (r["libelle"], c): m
        for r in rangs
        for c, m in [*zip(table["colonnes"], r["cases"], strict=True), (TOTAL, r["total"])]
    }


@pytest.fixture
def passerelles(observatoire):
    """Les six premières communes (cinq contributrices et une qui ne contribue pas) ont un modèle au
    catalogue et un agent chacune."""
    par = fabrique.utilisateur("catalogue@exemple.fr")
    return [
        (_catalogue(org, par), fabrique.membre(org, "lecteur", f"agent{i}@exemple.fr"))
        for i, org in enumerate(observatoire[:6])
    ]


def test_l_usage_vient_des_seules_contributrices_et_du_dernier_mois_complet(observatoire, passerelles):
    for i, (modele, agent) in enumerate(passerelles):
        _requetes(modele, agent, AVRIL, n=10 + i)  # un mois trop tôt : pas compté
        _requetes(modele, agent, MAI, n=4)
        _requetes(modele, agent, MAI, action="pseudonymiser")
        if i < 3:
            _requetes(modele, agent, MAI, action="refuser")
        _requetes(modele, agent, JUIN, n=7)  # le mois en cours : pas compté
    releve = services.calculer_releve(JUIN)
    strate = "Commune — moins de 1 000 habitants"
    cases = _cases(releve, "passerelle_requetes_strate")
    # Cinq contributrices (la sixième ne contribue pas) : 4 envoyées, 1 pseudonymisée chacune ; 3 refus.
    assert cases[(strate, "Envoyées telles quelles")] == {"valeur": 20, "secret": None}
    assert cases[(strate, "Pseudonymisées")] == {"valeur": 5, "secret": None}
    assert cases[(strate, "Refusées")] == {"valeur": 3, "secret": None}
    assert cases[(TOTAL, TOTAL)] == {"valeur": 28, "secret": None}
    assert "en mai 2026" in _table(releve, "passerelle_requetes_strate")["titre"]
    assert _cases(releve, "passerelle_personnes_region")[(TOTAL, TOTAL)]["valeur"] == 5
    # 2 Wh et 0,4 g CO₂e par requête partie (5 par contributrice), arrondis à l'unité par organisation.
    assert _cases(releve, "passerelle_energie_strate")[(TOTAL, TOTAL)]["valeur"] == 5 * 10
    assert _cases(releve, "passerelle_ges_region")[(TOTAL, TOTAL)]["valeur"] == 5 * 2
    (rang,) = _table(releve, "organisations_passerelle_strate")["lignes"]
    assert rang["cases"][0] == {"valeur": 5, "secret": None} and rang["total"]["valeur"] == 5


def test_l_usage_de_trop_peu_de_contributrices_est_secret(client, observatoire, passerelles):
    for i, (modele, agent) in enumerate(passerelles):
        if i < 2 or i == 5:  # deux contributrices, et une qui ne contribue pas (jamais comptée)
            _requetes(modele, agent, MAI, n=3)
    releve = services.calculer_releve(JUIN)
    for ident in ("passerelle_requetes_strate", "passerelle_personnes_region", "passerelle_energie_strate"):
        membres = [m for m in _cases(releve, ident).values() if m["valeur"] != 0]
        assert membres and all(m == {"valeur": None, "secret": "primaire"} for m in membres), ident
    # Le nombre d'organisations qui ont servi leurs agents : 2 « oui » sur 5, secret aussi.
    (rang,) = _table(releve, "organisations_passerelle_strate")["lignes"]
    assert rang["cases"][0]["valeur"] is None
    services.calculer_releve(JUIN)
    page = client.get("/public/observatoire/").content.decode()
    assert "Usage de la passerelle d&#x27;IA générative, en mai 2026, par strate" in page
    assert "Requêtes par personne" in page and "6 requêtes" not in page


def test_l_evolution_d_une_seule_contributrice_d_un_mois_au_suivant_reste_secrete(observatoire, passerelles):
    contributrices = passerelles[:5]
    for modele, agent in contributrices:
        _requetes(modele, agent, AVRIL, n=2)
        _requetes(modele, agent, MAI, n=2)
    modele, agent = contributrices[0]
    _requetes(modele, agent, MAI)  # une seule change d'avril à mai
    avril = services.calculer_releve(MAI)
    assert _cases(avril, "passerelle_requetes_strate")[(TOTAL, TOTAL)] == {"valeur": 10, "secret": None}
    mai = services.calculer_releve(JUIN)
    requetes = _cases(mai, "passerelle_requetes_strate")
    # 11 requêtes : la différence avec les 10 d'avril ne porterait que sur elle.
    assert requetes[(TOTAL, TOTAL)] == {"valeur": None, "secret": EVOLUTION}
    # Les mêmes personnes d'un mois à l'autre : ce chiffre n'apprend rien, il reste publié.
    assert _cases(mai, "passerelle_personnes_strate")[(TOTAL, TOTAL)] == {"valeur": 5, "secret": None}


def test_la_page_publique_tire_ses_rapports_des_seuls_chiffres_publies(client, observatoire, passerelles):
    for modele, agent in passerelles[:5]:
        _requetes(modele, agent, MAI, n=9)
        _requetes(modele, agent, MAI, action="refuser")
    services.calculer_releve(JUIN)
    page = client.get("/public/observatoire/").content.decode()
    tableau = page.split('id="tableau-passerelle_strate"')[1].split("</table>")[0]
    total = tableau.split('<th scope="row">Total</th>')[1]
    cellules = [c.strip() for c in re.findall(r"<td>([^<]*)</td>", total)]
    # 50 requêtes, 10 % refusées, 0 % pseudonymisées, 5 personnes, 10 par personne, 1 800 Wh et
    # 400 g CO₂e pour 1 000 requêtes (45 requêtes parties à 2 Wh et 0,4 g, arrondis par organisation).
    assert cellules == ["50", "10\u00a0%", "0\u00a0%", "5", "10,0", "1\u202f800", "400"]


def test_un_rapport_est_secret_des_qu_un_de_ses_termes_l_est():
    from balise.observatoire import presentation

    publie, cache = {"valeur": 40, "secret": None}, {"valeur": None, "secret": PRIMAIRE}
    assert presentation._rapport(publie, cache).texte == "secret"
    assert presentation._rapport(cache, publie).motif == PRIMAIRE
    assert presentation._rapport(publie, {"valeur": 0, "secret": None}).texte == "—"
    assert presentation._rapport({"valeur": 3, "secret": None}, publie, 100).texte == "8\u00a0%"
    assert presentation._rapport({"valeur": 1, "secret": None}, publie, 1000, 0).texte == "25"


def test_la_position_d_une_organisation_dit_sa_passerelle(client, observatoire, passerelles):
    modele, agent = passerelles[0]
    _requetes(modele, agent, MAI)
    services.calculer_releve(JUIN)
    with time_machine.travel(JUIN, tick=False):
        comparaisons = selectors.position(observatoire[0], selectors.dernier_releve())
        autre = selectors.position(observatoire[1], selectors.dernier_releve())
    vous = next(c for c in comparaisons if c.indicateur == "passerelle" and c.decoupage == "Strate")
    assert vous.vous and vous.secret  # une seule organisation : secret dans le relevé
    assert not next(c for c in autre if c.indicateur == "passerelle").vous
