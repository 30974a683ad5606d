"""Import d'un tableau des effectifs : colonnes, rattachement des libellés, revue, résultats protégés
par le secret statistique, exports, corrections du référentiel, groupes suivis, suppression."""

import csv
import io
import random
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db.models import F
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from balise.metiers import colonnes as col
from balise.metiers import exports, selectors, services
from balise.metiers.lecture import FichierIllisible
from balise.metiers.models import (
    ActionAccompagnement,
    CorrespondanceRetenue,
    GroupeEffectif,
    GroupeSuivi,
    ImportEffectifs,
    LibelleImporte,
    LigneRejetee,
    MetierOrganisation,
)
from balise.travaux.models import Travail
from tests import fabrique, travailleur
from tests.test_correspondance_metiers import ATTENDUS

DESORDONNE = Path(__file__).parent / "donnees" / "effectifs_desordonnes.csv"
COLONNES = {
    "metier": "Intitulé du poste",
    "categorie": "Catégorie",
    "filiere": "Filière",
    "direction": "Direction",
    "cadre": "Cadre d'emplois",
    "sexe": "Sexe",
    "quotite": "Quotité",
}


@pytest.fixture
def drh_a(org_a):
    return fabrique.membre(org_a, "rh", "drh-a@exemple.fr")


def importer(org, par, contenu: bytes, nom="effectifs.csv", colonnes=None) -> ImportEffectifs:
    imp = travailleur.importer(org, par, nom, contenu, colonnes or COLONNES)
    assert imp.travail.etat == "termine", imp.travail.message
    return imp


def tableau_csv(lignes: list[list[str]], entetes=("Nom", "Métier", "Catégorie", "Sexe", "Quotité")) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(entetes)
    ecrivain.writerows(lignes)
    return sortie.getvalue().encode()


# --- Colonnes ----------------------------------------------------------------------------------


def test_proposition_des_colonnes_sans_les_identifiantes():
    entetes = DESORDONNE.read_text("utf-8").splitlines()[0].split(";")
    proposees = col.proposer(entetes)
    assert proposees == COLONNES
    assert all(
        col.est_identifiante(e) for e in ("Matricule", "Nom", "Prénom", "N° agent", "Date de naissance")
    )
    assert not any(col.est_identifiante(e) for e in COLONNES.values())
    # Le dernier import l'emporte quand ses en-têtes sont là.
    assert col.proposer(["Emploi", "Poste occupé"], {"metier": "Poste occupé"}) == {"metier": "Poste occupé"}


@pytest.mark.parametrize(
    ("colonnes", "champ", "message"),
    [
        ({"categorie": "Catégorie"}, "metier", "requise"),
        ({"metier": "Nom"}, "metier", "identifie des personnes"),
        ({"metier": "Intitulé du poste", "filiere": "Inventée"}, "filiere", "n'existe pas"),
        ({"metier": "Intitulé du poste", "direction": "Intitulé du poste"}, "direction", "déjà utilisée"),
    ],
)
def test_erreurs_de_correspondance_des_colonnes(org_a, drh_a, colonnes, champ, message):
    imp = travailleur.deposer_et_lire(org_a, drh_a, "e.csv", DESORDONNE.read_bytes())
    with pytest.raises(col.ColonnesInvalides) as erreur:
        services.choisir_colonnes(imp, colonnes, drh_a)
    assert message in erreur.value.erreurs[champ]
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.COLONNES and imp.contenu is not None
    assert imp.travail.nature == "effectifs.lecture"  # aucun traitement lancé
    assert not LibelleImporte.objects.exists() and not GroupeEffectif.objects.exists()


# --- Le tableau désordonné -----------------------------------------------------------------------


def test_import_du_tableau_desordonne(org_a, drh_a):
    imp = importer(org_a, drh_a, DESORDONNE.read_bytes())
    assert imp.contenu is None, "le fichier déposé est effacé après traitement"
    assert imp.lignes_lues == 113
    motifs = dict(LigneRejetee.objects.filter(import_effectifs=imp).values_list("numero", "motif"))
    assert imp.lignes_rejetees == len(motifs) and imp.lignes_retenues == 113 - len(motifs)
    assert any("formule refusée" in m for m in motifs.values())
    assert any(m == "métier vide" for m in motifs.values())
    assert any("quotité « beaucoup » illisible" in m for m in motifs.values())
    # Rien d'identifiant n'est conservé : ni nom, ni prénom, ni matricule.
    conserve = " ".join(
        str(v)
        for modele in (GroupeEffectif, LibelleImporte, LigneRejetee)
        for ligne in modele.objects.values()
        for v in ligne.values()
    )
    for identifiant in ("Tartempion", "TARTEMPION", "Alpha", "001007", "BIDULE"):
        assert identifiant not in conserve
    # Chaque libellé retenu est rattaché comme l'attend le jeu d'essai de l'appariement.
    for lib in LibelleImporte.objects.filter(import_effectifs=imp):
        if lib.statut in (LibelleImporte.Statut.EXACT, LibelleImporte.Statut.SUR):
            attendu = ATTENDUS.get(lib.libelle)
            assert attendu is None or attendu[0] == lib.metier, lib.libelle
            assert lib.niveau and lib.isco08
        else:
            assert lib.metier == "" and lib.niveau == ""
    assert imp.etat == ImportEffectifs.Etat.REVUE
    total = GroupeEffectif.objects.filter(import_effectifs=imp)
    assert sum(g.effectif for g in total) == imp.lignes_retenues


def test_valeurs_lues_dans_les_colonnes():
    assert (
        col.categorie("Cat. B") == "B" and col.categorie("catégorie c") == "C" and col.categorie("A+") == "A"
    )
    assert col.sexe("Femme") == "Femmes" and col.sexe("M") == "Hommes" and col.sexe("") == ""
    assert col.quotite("80 %") == Decimal("0.8") and col.quotite("0,5") == Decimal("0.5")
    assert col.quotite("100") == Decimal(1) and col.quotite("") is None
    for mauvaise in ("beaucoup", "0", "150", "-1", "NaN", "Infinity"):
        with pytest.raises(col.ValeurRefusee):
            col.quotite(mauvaise)
    with pytest.raises(col.ValeurRefusee, match="formule"):
        col.metier("=1+1")
    with pytest.raises(col.ValeurRefusee, match="200 caractères"):
        col.metier("x" * 201)
    assert col.isco("4110.0") == "4110"
    with pytest.raises(col.ValeurRefusee, match="CITP"):
        col.isco("41A")


# --- Revue et mémoire ----------------------------------------------------------------------------


def test_revue_puis_memoire_au_prochain_import(org_a, drh_a):
    contenu = tableau_csv(
        [["X", "Maitre nageur sauveteur", "B", "H", "1"]] * 6 + [["Y", "Jardinier", "C", "F", "1"]] * 5
    )
    imp = importer(org_a, drh_a, contenu, colonnes={"metier": "Métier", "categorie": "Catégorie"})
    inconnu = imp.libelles.get(libelle="Maitre nageur sauveteur")
    assert inconnu.a_revoir and imp.etat == ImportEffectifs.Etat.REVUE
    services.reviser(imp, {inconnu.pk: "animateur-trice-éducateur-trice sportif"}, drh_a)
    imp.refresh_from_db()
    inconnu.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.PRET
    assert inconnu.statut == LibelleImporte.Statut.CHOISI and inconnu.niveau
    memoire = CorrespondanceRetenue.objects.get(organisation=org_a)
    assert memoire.history.first().history_user == drh_a
    # Le même libellé, autrement écrit, est rattaché sans revue au prochain import.
    suivant = importer(
        org_a,
        drh_a,
        tableau_csv([["Z", "MAÎTRE-NAGEUR  SAUVETEUR", "B", "H", "1"]]),
        colonnes={"metier": "Métier"},
    )
    lib = suivant.libelles.get()
    assert lib.statut == LibelleImporte.Statut.MEMORISE and lib.metier == inconnu.metier
    assert suivant.etat == ImportEffectifs.Etat.PRET


def test_revue_par_pages(client, org_a, drh_a):
    # 60 libellés inconnus : 50 sur la première page, 10 sur la seconde, chacune enregistrée à part.
    lignes = [[f"X{i}", f"Poste imaginaire numéro {i:02d}", "B", "H", "1"] for i in range(60)]
    imp = importer(org_a, drh_a, tableau_csv(lignes), colonnes={"metier": "Métier"})
    assert imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR).count() == 60
    client.force_login(drh_a)
    url = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/revue/"
    premiere = client.get(url).content.decode()
    champs = re.findall(r'<input type="text" name="(l-\d+)"', premiere)
    assert len(champs) == 50 and "1 à 50 sur cette page" in premiere and "page=2" in premiere
    seconde = client.get(url + "?page=2").content.decode()
    champs_2 = re.findall(r'<input type="text" name="(l-\d+)"', seconde)
    assert len(champs_2) == 10 and not set(champs) & set(champs_2)

    # Un choix envoyé pour un libellé d'une autre page est ignoré, pas appliqué à l'aveugle.
    reponse = client.post(url + "?page=2", {"e" + c[1:]: "on" for c in champs_2 + champs[:1]})
    assert reponse.status_code == 302 and reponse["Location"].endswith("?page=2")
    assert imp.libelles.filter(statut=LibelleImporte.Statut.HORS).count() == 10
    # Reste une seule page de 50 libellés à revoir ; la page 2 demandée montre la dernière.
    restants = client.get(url + "?page=2").content.decode()
    assert len(re.findall(r'<input type="text" name="l-\d+"', restants)) == 50 and "page=2" not in restants
    # Une seule liste des métiers pour la page, pas une liste déroulante par libellé.
    assert "<select" not in restants and restants.count("<datalist") == 1


def test_ecarter_un_libelle(org_a, drh_a):
    imp = importer(
        org_a, drh_a, tableau_csv([["X", "Stagiaire", "B", "H", "1"]]), colonnes={"metier": "Métier"}
    )
    lib = imp.libelles.get()
    services.reviser(imp, {lib.pk: ""}, drh_a)
    lib.refresh_from_db()
    assert lib.statut == LibelleImporte.Statut.HORS and not lib.a_revoir
    assert CorrespondanceRetenue.objects.get().metier == ""


def test_revue_refuse_un_metier_hors_referentiel(org_a, drh_a):
    imp = importer(
        org_a, drh_a, tableau_csv([["X", "Stagiaire", "B", "H", "1"]]), colonnes={"metier": "Métier"}
    )
    with pytest.raises(ValueError, match="pas dans le référentiel"):
        services.reviser(imp, {imp.libelles.get().pk: "Métier inventé"}, drh_a)
    assert not CorrespondanceRetenue.objects.exists()


# --- Code CITP du fichier ---------------------------------------------------------------------------


def test_code_citp_du_fichier(org_a, drh_a):
    contenu = tableau_csv(
        [["X", "Intitulé maison", "4110"], ["Y", "Autre maison", "4225"]],
        entetes=("Nom", "Métier", "Code ISCO"),
    )
    imp = importer(org_a, drh_a, contenu, colonnes={"metier": "Métier", "isco": "Code ISCO"})
    par_libelle = {lib.libelle: lib for lib in imp.libelles.all()}
    assert par_libelle["Intitulé maison"].statut == LibelleImporte.Statut.CITP
    assert par_libelle["Intitulé maison"].niveau == services.referentiel_de(org_a).par_isco["4110"]
    # 4225 a deux niveaux dans l'étude : le code ne suffit pas, le libellé est rapproché.
    assert par_libelle["Autre maison"].statut != LibelleImporte.Statut.CITP


# --- Secret statistique ----------------------------------------------------------------------------


def _tableau_a_petits_effectifs() -> bytes:
    lignes = [[f"N{i}", "Jardinier", "C", "F", "1"] for i in range(7)]
    lignes += [[f"P{i}", "Archiviste", "B", "H", "1"] for i in range(2)]  # 2 agents : secret
    lignes += [[f"Q{i}", "Chargé-e d'accueil", "C", "H", "0,5"] for i in range(6)]
    return tableau_csv(lignes)


def _visibles(tableau) -> list[int]:
    membres = [*tableau.cases.values(), *tableau.totaux_lignes.values(), *tableau.totaux_colonnes.values()]
    return [c.effectif for c in [*membres, tableau.total] if not c.masquee]


@pytest.mark.parametrize("seuil", [3, 5, 8])
def test_aucun_petit_effectif_dans_les_tableaux(org_a, drh_a, seuil):
    org_a.seuil_secret = seuil
    org_a.save()
    imp = importer(
        org_a,
        drh_a,
        _tableau_a_petits_effectifs(),
        colonnes={"metier": "Métier", "categorie": "Catégorie", "sexe": "Sexe", "quotite": "Quotité"},
    )
    tableaux = [t for _, _, t in exports.tableaux(imp, seuil)]
    assert len(tableaux) == 4  # synthèse, catégorie, sexe, métiers
    for tableau in tableaux:
        assert all(v == 0 or v >= seuil for v in _visibles(tableau))
    assert any(t.nombre_masquees for t in tableaux)


def test_aucun_petit_effectif_dans_les_pages(client, org_a, drh_a, lecteur_a):
    imp = importer(
        org_a,
        drh_a,
        _tableau_a_petits_effectifs(),
        colonnes={"metier": "Métier", "categorie": "Catégorie", "sexe": "Sexe", "quotite": "Quotité"},
    )
    groupe = services.suivre_groupe(
        org_a, imp.libelles.get(libelle="Archiviste").niveau, "metier", "Archiviste", drh_a
    )
    client.force_login(lecteur_a)
    pages = [
        client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/{suffixe}").content.decode()
        for suffixe in ("", "?par=sexe&metiers=tous", "?par=categorie")
    ]
    for page in pages:
        cellules = re.findall(r"<td>\s*([0-9\u202f]+)\s*</td>", page)
        assert cellules and all(
            int(c.replace("\u202f", "")) == 0 or int(c.replace("\u202f", "")) >= 5 for c in cellules
        )
    page_du_groupe = client.get(f"/o/{org_a.slug}/metiers/groupes/{groupe.pk}/").content.decode()
    assert "effectif <abbr" in page_du_groupe and ">secret</abbr>" in page_du_groupe  # les 2 archivistes


def test_aucun_petit_effectif_dans_les_exports(org_a, drh_a):
    imp = importer(
        org_a,
        drh_a,
        _tableau_a_petits_effectifs(),
        colonnes={"metier": "Métier", "categorie": "Catégorie", "sexe": "Sexe", "quotite": "Quotité"},
    )
    texte = exports.csv_texte(imp, 5)
    assert "Un majorant, pas une prévision" in texte and "moins de 5 agents" in texte
    lignes = [ligne for ligne in texte.splitlines() if not ligne.startswith("#")]
    donnees = list(csv.DictReader(lignes, delimiter=";"))
    assert donnees and all(
        d["effectif"] == "secret" or int(d["effectif"]) == 0 or int(d["effectif"]) >= 5 for d in donnees
    )
    assert any(d["effectif"] == "secret" for d in donnees)
    classeur = load_workbook(io.BytesIO(exports.xlsx(imp, 5)), read_only=True)
    assert classeur.sheetnames[0] == "Lisez-moi"
    nombres = [
        v
        for feuille in classeur.worksheets[1:]
        for ligne in feuille.iter_rows(min_row=3, values_only=True)
        for v in ligne[1:]
        if isinstance(v, int | float)
    ]
    effectifs = [v for i, v in enumerate(nombres) if i % 2 == 0]
    assert effectifs and all(v == 0 or v >= 5 for v in effectifs)
    lisez_moi = " ".join(str(c.value) for ligne in classeur["Lisez-moi"].iter_rows() for c in ligne)
    assert "Un majorant, pas une prévision" in lisez_moi


def _tableau_a_etp_decimaux() -> tuple[bytes, Decimal]:
    """Un métier réparti dans 400 directions à temps partiels variés : la somme des ETP de ses
    400 groupes d'agents vaut 762,45 ; additionnée en flottants par SQLite, 762,449999999998 (la page
    arrondissait à 762,4 quand PostgreSQL donnait 762,5, et les exports recopiaient le flottant)."""
    hasard = random.Random(32)
    lignes, total = [], Decimal(0)
    for i in range(400):
        for k in range(hasard.randint(1, 4)):
            quotite = hasard.choice(["1", "0,8", "0,5", "0,9", "0,75", "0,66"])
            total += Decimal(quotite.replace(",", "."))
            lignes.append([f"A{i}-{k}", "Assistant de direction", "B", f"Direction {i}", quotite])
    return tableau_csv(lignes, entetes=("Nom", "Métier", "Catégorie", "Direction", "Quotité")), total


def test_etp_exacts_et_identiques_dans_les_pages_et_les_exports(client, org_a, drh_a):
    contenu, total = _tableau_a_etp_decimaux()
    colonnes = {"metier": "Métier", "categorie": "Catégorie", "direction": "Direction", "quotite": "Quotité"}
    imp = importer(org_a, drh_a, contenu, colonnes=colonnes)
    attendu = total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert total != attendu  # l'arrondi de la page a bien quelque chose à faire
    page = f"{attendu:,.1f}".replace(",", "\u202f").replace(".", ",")

    client.force_login(drh_a)
    html = client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/").content.decode()
    pied = re.search(r"<tfoot><tr><th scope=\"row\">Total</th><td>[^<]*</td><td>([^<]*)</td>", html)
    assert pied.group(1) == page

    # CSV : le même nombre que la page, virgule décimale, sans séparateur des milliers.
    texte = client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/export.csv").content.decode("utf-8-sig")
    donnees = list(csv.DictReader([lg for lg in texte.splitlines() if not lg.startswith("#")], delimiter=";"))
    synthese = {
        (d["ligne"], d["niveau"]): d["etp"] for d in donnees if d["tableau"].startswith("Agents par niv")
    }
    assert synthese[("Total", "Total")] == page.replace("\u202f", "")
    # Aucune valeur d'aucun tableau ne trahit un calcul en flottants : un chiffre après la virgule au plus.
    assert all(re.fullmatch(r"\d+(,\d)?|secret", d["etp"]) for d in donnees), {d["etp"] for d in donnees}

    # XLSX : des nombres (le tableur calcule avec), égaux aux chiffres de la page.
    reponse = client.get(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/export.xlsx")
    classeur = load_workbook(io.BytesIO(reponse.content), read_only=True)
    lignes = list(classeur["Synthèse"].iter_rows(min_row=3, values_only=True))
    assert lignes[-1][0] == "Total" and Decimal(str(lignes[-1][2])) == attendu
    etp = [
        v
        for feuille in classeur.worksheets[1:]
        for ligne in feuille.iter_rows(min_row=3, values_only=True)
        for v in ligne[2::2]
        if isinstance(v, int | float)
    ]
    assert etp and all(Decimal(str(v)) == Decimal(str(v)).quantize(Decimal("0.1")) for v in etp)


def test_une_valeur_en_forme_de_formule_est_refusee_a_l_entree(org_a, drh_a):
    contenu = tableau_csv(
        [[f"N{i}", "Jardinier", "@SUM(A1)", "F", "1"] for i in range(6)],
        entetes=("Nom", "Métier", "Direction", "Sexe", "Quotité"),
    )
    imp = importer(org_a, drh_a, contenu, colonnes={"metier": "Métier", "direction": "Direction"})
    assert imp.lignes_rejetees == 6  # une direction en forme de formule est refusée à l'entrée


# --- Corrections du référentiel -------------------------------------------------------------------


def test_corriger_et_ajouter_un_metier_pour_l_organisation(org_a, org_b, drh_a):
    imp = importer(
        org_a,
        drh_a,
        tableau_csv([[f"N{i}", "Jardinier", "C", "F", "1"] for i in range(6)]),
        colonnes={"metier": "Métier"},
    )
    lib = imp.libelles.get()
    national = lib.niveau
    corrige = services.enregistrer_metier(
        org_a,
        {"libelle": lib.metier, "isco08": "4110", "niveau": "Concernés", "justification": "Pour l'essai."},
        drh_a,
    )
    lib.refresh_from_db()
    assert (lib.isco08, lib.niveau) == ("4110", "Concernés") and national != "Concernés"
    assert corrige.history.first().history_user == drh_a
    # L'autre organisation garde le référentiel national.
    assert services.referentiel_de(org_b).metiers[lib.metier].niveau == national
    services.retirer_metier(corrige, drh_a)
    lib.refresh_from_db()
    assert lib.niveau == national
    assert MetierOrganisation.history.filter(history_type="-").get().history_user == drh_a


def test_un_metier_propre_retire_renvoie_ses_libelles_en_revue(org_a, drh_a):
    imp = importer(
        org_a,
        drh_a,
        tableau_csv([[f"N{i}", "Ripeur", "C", "H", "1"] for i in range(6)]),
        colonnes={"metier": "Métier"},
    )
    assert imp.etat == ImportEffectifs.Etat.REVUE
    propre = services.enregistrer_metier(
        org_a,
        {
            "libelle": "Ripeur ou ripeuse",
            "isco08": "9611",
            "niveau": "Pas concernés",
            "justification": "Essai.",
        },
        drh_a,
    )
    services.reviser(imp, {imp.libelles.get().pk: "Ripeur ou ripeuse"}, drh_a)
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.PRET
    services.retirer_metier(propre, drh_a)
    imp.refresh_from_db()
    lib = imp.libelles.get()
    assert imp.etat == ImportEffectifs.Etat.REVUE and lib.statut == LibelleImporte.Statut.INCONNU


# --- Groupes et actions ----------------------------------------------------------------------------


def test_groupe_suivi_relie_aux_systemes_avec_une_action(org_a, drh_a, systeme_a):
    imp = importer(
        org_a, drh_a, _tableau_a_petits_effectifs(), colonnes={"metier": "Métier", "categorie": "Catégorie"}
    )
    niveau = imp.libelles.get(libelle="Chargé-e d'accueil").niveau
    groupe = services.suivre_groupe(org_a, niveau, "categorie", "C", drh_a)
    assert services.suivre_groupe(org_a, niveau, "categorie", "C", drh_a) == groupe
    services.modifier_groupe(groupe, [systeme_a], "Accueil très exposé.", groupe.version, drh_a)
    action = services.enregistrer_action(
        groupe, {"nature": "formation", "titre": "Former à l'IA générative", "statut": "prevue"}, drh_a
    )
    assert list(groupe.systemes.all()) == [systeme_a]
    assert action.history.first().history_user == drh_a
    chiffres = selectors.chiffres_du_groupe(groupe, imp)
    # 6 agents d'accueil, au-dessus du seuil, mais masqués en secret secondaire : sinon les totaux
    # livreraient les 2 archivistes (secret primaire).
    assert chiffres.case.masquee and chiffres.case.motif == "secondaire"
    assert chiffres.case.effectif is None and chiffres.case.etp is None


# --- Suppression ----------------------------------------------------------------------------------


def test_supprimer_un_import_n_en_laisse_rien(org_a, drh_a):
    imp = importer(org_a, drh_a, DESORDONNE.read_bytes())
    services.supprimer_import(imp, drh_a)
    for modele in (ImportEffectifs, LibelleImporte, GroupeEffectif, LigneRejetee):
        assert not modele.objects.exists(), modele


# --- Fichiers refusés ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "n'est pas un tableau"),
        (b"", "vide"),
        (b"Nom;Metier\n", "aucune ligne"),
        (";".join(["x"] * 1_000_000).encode(), "colonnes"),
    ],
)
def test_fichiers_refuses(org_a, drh_a, contenu, message):
    with pytest.raises(FichierIllisible, match=message):
        services.deposer(org_a, drh_a, "f.csv", contenu)
    assert not ImportEffectifs.objects.exists()


def test_classeur_avec_formules_et_nombres(org_a, drh_a):
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["Nom", "Emploi", "Quotité"])
    for i in range(5):
        feuille.append([f"N{i}", "Jardinier", 0.8])
    feuille.append(["F", "=1+1", 1])
    sortie = io.BytesIO()
    classeur.save(sortie)
    imp = importer(
        org_a, drh_a, sortie.getvalue(), nom="e.xlsx", colonnes={"metier": "Emploi", "quotite": "Quotité"}
    )
    assert imp.format == "xlsx" and imp.lignes_retenues == 5
    assert GroupeEffectif.objects.get().etp == Decimal("4.0")
    assert imp.lignes_rejetees == 1


# --- Pages ------------------------------------------------------------------------------------------


def test_parcours_complet_par_les_pages(client, org_a, drh_a, lecteur_a, systeme_a):
    client.force_login(drh_a)
    base = f"/o/{org_a.slug}/metiers/"
    with DESORDONNE.open("rb") as f:
        reponse = client.post(base + "imports/nouveau/", {"fichier": f})
    imp = ImportEffectifs.objects.get()
    # Le dépôt répond aussitôt par la page d'avancement : la lecture attend le processus de fond.
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"imports/{imp.pk}/avancement/")
    page = client.get(reponse["Location"]).content.decode()
    assert "fr-stepper" in page and "Étape 2 sur 5" in page and "En attente de traitement" in page
    assert "Actualiser" in page and "balise/avancement.js" in page
    etat = client.get(base + f"imports/{imp.pk}/avancement.json").json()
    assert etat == {
        "actif": True,
        "etat": "en_attente",
        "etape": "En attente de traitement",
        "avancement": None,
    }
    assert client.get(base + f"imports/{imp.pk}/colonnes/")["Location"].endswith("/avancement/")
    travailleur.executer_travaux()
    assert client.get(base + f"imports/{imp.pk}/avancement.json").json()["actif"] is False
    reponse = client.get(base + f"imports/{imp.pk}/avancement/")
    assert reponse["Location"].endswith(f"imports/{imp.pk}/colonnes/")
    page = client.get(base + f"imports/{imp.pk}/colonnes/").content.decode()
    # Les colonnes identifiantes ne sont même pas proposées ; la correspondance est pré-remplie.
    assert "jamais lues ni conservées" in page and "« Matricule »" in page
    assert '<option value="Nom"' not in page
    assert 'value="Intitulé du poste" selected' in page
    reponse = client.post(base + f"imports/{imp.pk}/colonnes/", COLONNES)
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"imports/{imp.pk}/avancement/")
    assert "Étape 4 sur 5" in client.get(reponse["Location"]).content.decode()
    travailleur.executer_travaux()
    reponse = client.get(base + f"imports/{imp.pk}/avancement/")
    assert reponse["Location"].endswith(f"imports/{imp.pk}/revue/")
    revue = client.get(base + f"imports/{imp.pk}/revue/").content.decode()
    assert "Le fichier déposé a été effacé" in revue
    douteux = LibelleImporte.objects.filter(import_effectifs=imp, statut__in=LibelleImporte.A_REVOIR)
    assert douteux and all(escape(lib.libelle) in revue for lib in douteux)
    choix = {f"e-{lib.pk}": "on" for lib in douteux}
    assert client.post(base + f"imports/{imp.pk}/revue/", choix).status_code == 302
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.PRET
    # Tout membre lit les résultats, protégés, avec la mise en garde.
    client.force_login(lecteur_a)
    for par in ("", "?par=filiere", "?par=sexe", "?par=inconnue&metiers=tous"):
        page = client.get(base + f"imports/{imp.pk}/{par}").content.decode()
        assert "Un majorant, pas une prévision" in page and "secret statistique" in page
        assert "<svg" in page
    assert client.get(base + f"imports/{imp.pk}/rejets/").status_code == 403
    assert client.get(base + f"imports/{imp.pk}/export.xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert "secret" in client.get(base + f"imports/{imp.pk}/export.csv").content.decode("utf-8-sig")
    # La DRH suit un groupe, le relie à un système et y inscrit une action.
    client.force_login(drh_a)
    rejets = client.get(base + f"imports/{imp.pk}/rejets/").content.decode()
    assert "quotité « beaucoup » illisible" in rejets and "formule refusée" in rejets
    reponse = client.post(base + "groupes/suivre/", {"niveau": "Très concernés", "cible": "categorie|C"})
    groupe = GroupeSuivi.objects.get()
    assert reponse["Location"].endswith(f"groupes/{groupe.pk}/")
    assert (
        client.post(
            base + f"groupes/{groupe.pk}/", {"version": "1", "systemes": [systeme_a.pk], "note": "Accueil"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            base + f"groupes/{groupe.pk}/actions/nouvelle/",
            {
                "nature": "formation",
                "titre": "Former l'accueil",
                "statut": "prevue",
                "echeance": "2027-01-31",
            },
        ).status_code
        == 302
    )
    page = client.get(base + f"groupes/{groupe.pk}/").content.decode()
    assert "Former l&#x27;accueil" in page and systeme_a.nom in page
    fiche = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/").content.decode()
    assert "Agents concernés" in fiche and f"metiers/groupes/{groupe.pk}/" in fiche
    # Effacer l'import : la page d'accueil ne le montre plus, le groupe et son action demeurent.
    assert client.post(base + f"imports/{imp.pk}/supprimer/").status_code == 302
    assert not ImportEffectifs.objects.exists() and ActionAccompagnement.objects.count() == 1
    assert client.get(base + f"imports/{imp.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("cv.pdf", b"%PDF-1.4\n%\xe2\xe3\n", "n&#x27;est pas un tableau"),
        ("vide.csv", b"", "vide"),
        ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "n&#x27;est pas un tableau"),
        ("large.csv", (";".join(["x"] * 1_000_000)).encode(), "colonnes"),
    ],
)
def test_depot_refuse_avec_un_message_en_francais(client, org_a, drh_a, nom, contenu, message):
    client.force_login(drh_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    reponse = client.post(
        f"/o/{org_a.slug}/metiers/imports/nouveau/", {"fichier": SimpleUploadedFile(nom, contenu)}
    )
    assert reponse.status_code == 400 and message in reponse.content.decode()
    assert not ImportEffectifs.objects.exists()


def test_depot_trop_lourd(client, org_a, drh_a, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from balise.metiers import forms

    monkeypatch.setattr(forms, "MAX_OCTETS", 1024)
    client.force_login(drh_a)
    reponse = client.post(
        f"/o/{org_a.slug}/metiers/imports/nouveau/",
        {"fichier": SimpleUploadedFile("e.csv", b"Metier\n" + b"x\n" * 2000)},
    )
    assert reponse.status_code == 400 and "dépasse" in reponse.content.decode()
    assert not ImportEffectifs.objects.exists()


def test_colonnes_falsifiees_refusees_sans_rien_changer(client, org_a, drh_a):
    client.force_login(drh_a)
    imp = travailleur.deposer_et_lire(org_a, drh_a, "e.csv", DESORDONNE.read_bytes())
    url = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/colonnes/"
    for donnees in (
        {"metier": "Nom"},
        {"metier": "<script>"},
        {},
        {"metier": "Intitulé du poste", "sexe": "Intitulé du poste"},
    ):
        reponse = client.post(url, donnees)
        assert reponse.status_code == 400, donnees
        assert "<script>" not in reponse.content.decode()
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.COLONNES and not LibelleImporte.objects.exists()
    assert Travail.objects.count() == 1  # la seule lecture : aucun traitement lancé


def test_revue_falsifiee(client, org_a, drh_a, org_b, admin_b):
    client.force_login(drh_a)
    imp = importer(
        org_a, drh_a, tableau_csv([["X", "Stagiaire", "B", "H", "1"]]), colonnes={"metier": "Métier"}
    )
    lib = imp.libelles.get()
    url = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/revue/"
    assert client.post(url, {f"l-{lib.pk}": "Métier inventé"}).status_code == 400
    # Un libellé d'un autre import (d'une autre organisation) glissé dans le formulaire est ignoré.
    autre = importer(
        org_b, admin_b, tableau_csv([["X", "Stagiaire", "B", "H", "1"]]), colonnes={"metier": "Métier"}
    )
    autre_lib = autre.libelles.get()
    client.post(url, {f"l-{autre_lib.pk}": "Jardinier-ère"})
    autre_lib.refresh_from_db()
    assert autre_lib.metier == "" and not CorrespondanceRetenue.objects.filter(organisation=org_b).exists()


def test_suivre_un_groupe_falsifie(client, org_a, drh_a):
    client.force_login(drh_a)
    url = f"/o/{org_a.slug}/metiers/groupes/suivre/"
    for donnees in (
        {"niveau": "Inventé", "cible": "|"},
        {"niveau": "Concernés", "cible": "nom|X"},
        {"niveau": "Concernés", "cible": "filiere|" + "x" * 300},
    ):
        assert client.post(url, donnees).status_code == 302
    assert not GroupeSuivi.objects.exists()


def test_modification_concurrente_d_une_action(client, org_a, drh_a):
    groupe = services.suivre_groupe(org_a, "Concernés", "", "", drh_a)
    action = services.enregistrer_action(
        groupe, {"nature": "formation", "titre": "Former", "statut": "prevue"}, drh_a
    )
    client.force_login(drh_a)
    url = f"/o/{org_a.slug}/metiers/actions/{action.pk}/"
    donnees = {"nature": "formation", "titre": "Former", "version": "1"}
    assert client.post(url, {**donnees, "statut": "en_cours"}).status_code == 302
    reponse = client.post(url, {**donnees, "statut": "realisee"})
    assert reponse.status_code == 409 and "Modification concurrente" in reponse.content.decode()
    action.refresh_from_db()
    assert action.statut == "en_cours" and action.version == 2


def test_niveau_incoherent_avec_le_code_citp(client, org_a, drh_a):
    client.force_login(drh_a)
    reponse = client.post(
        f"/o/{org_a.slug}/metiers/referentiel/metiers/nouveau/",
        {
            "libelle": "Secrétaire de mairie",
            "isco08": "4110",
            "niveau": "Pas concernés",
            "justification": ".",
        },
    )
    assert reponse.status_code == 400 and "classe le code 4110" in reponse.content.decode()
    assert not MetierOrganisation.objects.exists()


def test_les_depots_abandonnes_sont_effaces_apres_24_heures(org_a, org_b, drh_a, admin_b):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    ancien = travailleur.deposer_et_lire(org_a, drh_a, "e.csv", DESORDONNE.read_bytes())
    recent = services.deposer(org_b, admin_b, "e.csv", DESORDONNE.read_bytes())
    traite = importer(org_a, drh_a, DESORDONNE.read_bytes())
    ImportEffectifs.objects.filter(pk__in=[ancien.pk, traite.pk]).update(
        cree_le=timezone.now() - timedelta(hours=25)
    )
    sortie = io.StringIO()
    call_command("purger_depots", stdout=sortie)
    assert "1 dépôt(s)" in sortie.getvalue()
    assert set(ImportEffectifs.objects.values_list("pk", flat=True)) == {recent.pk, traite.pk}


# --- Revue en quelques minutes : intitulés locaux, variantes, actions groupées (issue 15) -------------

COMMUNE = Path(__file__).parent / "donnees" / "effectifs_petite_commune.csv"


def test_import_de_la_petite_commune(org_a, drh_a):
    imp = importer(org_a, drh_a, COMMUNE.read_bytes())
    assert imp.lignes_retenues == 40
    secretaire = imp.libelles.get(libelle="Secrétaire de mairie")
    assert secretaire.statut == LibelleImporte.Statut.SUR and secretaire.niveau == "Peu concernés"
    assert "petite commune" in secretaire.raison
    assert imp.libelles.get(libelle="Jardinier·e").raison == ""
    # Les variantes d'un même intitulé inconnu forment un groupe, mené par la plus fréquente.
    groupes: dict[str, set[str]] = {}
    for lib in imp.libelles.exclude(cle_groupe=""):
        groupes.setdefault(lib.cle_groupe, set()).add(lib.libelle)
    assert sorted(groupes.values(), key=len) == [
        {"Adjoint administratif", "Adjoint adminsitratif"},
        # « Apprenti espace vert » a la forme de « Apprenti espaces verts » : un seul libellé.
        {"Apprenti espaces verts", "Aprenti espaces verts"},
    ]
    rattaches = sum(lib.effectif for lib in imp.libelles.exclude(metier=""))
    assert rattaches >= 32


def test_revue_groupee_et_actions_en_nombre(client, org_a, drh_a):
    imp = importer(org_a, drh_a, COMMUNE.read_bytes())
    client.force_login(drh_a)
    url = f"/o/{org_a.slug}/metiers/imports/{imp.pk}/revue/"
    page = client.get(url).content.decode()
    # Une ligne par groupe : la tête, ses variantes citées ; la raison des propositions.
    tete = imp.libelles.get(libelle="Adjoint administratif")
    variante = imp.libelles.get(libelle="Adjoint adminsitratif")
    assert f'name="l-{tete.pk}"' in page and f'name="l-{variante.pk}"' not in page
    assert "Variantes regroupées" in page and "« Adjoint adminsitratif » (1 ligne)" in page
    assert page.count("<datalist") == 1 and "Accepter les propositions" in page

    # Un seuil illisible est refusé en français, rien ne change.
    avant = list(imp.libelles.values_list("pk", "statut", "metier"))
    for seuil in ("", "120", "beaucoup"):
        reponse = client.post(url, {"action": "accepter", "seuil": seuil})
        assert reponse.status_code == 400
    assert (
        "Assurez-vous que cette valeur est inférieure ou égale à 100"
        in client.post(url, {"action": "accepter", "seuil": "120"}).content.decode()
    )
    # Un métier inconnu, ou un métier et « écarter » à la fois : refusés, rien ne change.
    for donnees in (
        {f"l-{tete.pk}": "Métier inventé"},
        {f"l-{tete.pk}": "Jardinier-ère", f"e-{tete.pk}": "on"},
    ):
        reponse = client.post(url, donnees)
        assert reponse.status_code == 400
    assert (
        "n&#x27;est pas un métier du référentiel"
        in client.post(url, {f"l-{tete.pk}": "Métier inventé"}).content.decode()
    )
    assert list(imp.libelles.values_list("pk", "statut", "metier")) == avant
    assert not CorrespondanceRetenue.objects.exists()

    # Le métier choisi (casse indifférente) vaut pour toute la variante ; plusieurs écartés d'un coup.
    apprenti = imp.libelles.get(cle_groupe=F("normalise"), libelle__startswith="Apprenti")
    social = imp.libelles.get(libelle="Agent social")
    reponse = client.post(
        url,
        {
            f"l-{tete.pk}": "assistant-e de gestion administrative",
            f"e-{apprenti.pk}": "on",
            f"e-{social.pk}": "on",
        },
    )
    assert reponse.status_code == 302
    variante.refresh_from_db()
    assert variante.metier == "Assistant-e de gestion administrative"
    assert variante.statut == LibelleImporte.Statut.CHOISI
    assert set(imp.libelles.filter(cle_groupe=apprenti.cle_groupe).values_list("statut", flat=True)) == {
        LibelleImporte.Statut.HORS
    }
    assert imp.libelles.get(pk=social.pk).statut == LibelleImporte.Statut.HORS
    assert CorrespondanceRetenue.objects.filter(organisation=org_a).count() == 2 + 2 + 1

    # Accepter les propositions au-dessus d'une confiance : il ne reste que la puéricultrice, sans proposition sûre.
    restants = imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR)
    assert list(restants.values_list("libelle", flat=True)) == ["Auxiliaire de puériculture"]
    auxiliaire = restants.get()
    reponse = client.post(url, {"action": "accepter", "seuil": str(auxiliaire.confiance + 1)})
    assert reponse.status_code == 302 and restants.count() == 1
    reponse = client.post(url, {"action": "accepter", "seuil": str(auxiliaire.confiance)})
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"imports/{imp.pk}/")
    auxiliaire.refresh_from_db()
    assert (
        auxiliaire.metier == auxiliaire.candidats[0][0] and auxiliaire.statut == LibelleImporte.Statut.CHOISI
    )
    imp.refresh_from_db()
    assert imp.etat == ImportEffectifs.Etat.PRET


def test_accepter_les_propositions_ne_touche_que_celles_du_seuil(org_a, drh_a):
    imp = importer(org_a, drh_a, DESORDONNE.read_bytes())
    a_revoir = {lib.pk: lib for lib in imp.libelles.filter(statut__in=LibelleImporte.A_REVOIR)}
    hauts = {pk for pk, lib in a_revoir.items() if lib.confiance >= 80 and lib.candidats}
    assert hauts and len(hauts) < len(a_revoir)
    assert services.accepter_propositions(imp, 80, drh_a) == len(hauts)
    for pk, lib in a_revoir.items():
        lib.refresh_from_db()
        assert (lib.statut == LibelleImporte.Statut.CHOISI) == (pk in hauts)
    with pytest.raises(ValueError, match="de 0 à 100"):
        services.accepter_propositions(imp, 101, drh_a)
