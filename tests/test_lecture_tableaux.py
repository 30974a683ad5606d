"""Lecture des tableaux d'effectifs déposés (balise.metiers.lecture) : formats, nettoyage, refus."""

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from balise.metiers import lecture
from balise.metiers.lecture import FichierIllisible, lire_tableau, neutraliser, ressemble_a_une_formule


def lire(contenu: bytes, nom: str = "effectifs.csv") -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    tableau = lire_tableau(nom, contenu)
    return tableau.format, tableau.entetes, list(tableau.lignes)


def refus(contenu: bytes, nom: str = "effectifs.csv") -> str:
    with pytest.raises(FichierIllisible) as exc:
        lire(contenu, nom)
    assert exc.value.message == str(exc.value)
    return exc.value.message


def xlsx(lignes: list[list], positions: dict[str, object] | None = None) -> bytes:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    for ligne in lignes:
        feuille.append(ligne)
    for case, valeur in (positions or {}).items():
        feuille[case] = valeur
    classeur.create_sheet("Seconde")["A1"] = "jamais lue"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


_CELLULE = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'


def ods(rangees: list[str]) -> bytes:
    """Classeur ODS minimal ; une rangée est le contenu d'une ligne, ou la ligne entière."""
    contenu = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Agents">'
        + "".join(
            r if r.startswith("<table:table-row") else f"<table:table-row>{r}</table:table-row>"
            for r in rangees
        )
        + '</table:table><table:table table:name="Autre"><table:table-row>'
        + _CELLULE.format("jamais lue")
        + "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifeste = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", contenu, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifeste)
    return sortie.getvalue()


def archive(entrees: dict[str, bytes]) -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zf:
        for nom, contenu in entrees.items():
            zf.writestr(nom, contenu)
    return sortie.getvalue()


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_point_virgule_utf8():
    contenu = "Métier;Catégorie;Quotité\nChargée d'accueil;C;0,8\nAgent d'entretien;C;1\n".encode()
    assert lire(contenu) == (
        "csv",
        ["Métier", "Catégorie", "Quotité"],
        [(2, ["Chargée d'accueil", "C", "0,8"]), (3, ["Agent d'entretien", "C", "1"])],
    )


@pytest.mark.parametrize("separateur", [",", "\t", "|"])
def test_csv_autres_separateurs(separateur):
    contenu = separateur.join(["Métier", "Quotité"]) + "\r\n" + separateur.join(["Jardinier", "0.5"]) + "\r\n"
    assert lire(contenu.encode()) == ("csv", ["Métier", "Quotité"], [(2, ["Jardinier", "0.5"])])


def test_csv_separateur_dans_des_guillemets_non_compte():
    # Trois virgules entre guillemets, deux points-virgules dehors : le séparateur est « ; ».
    contenu = '"Métier, libellé, long, oui";Service;Quotité\n"Agent, polyvalent";Voirie;1\n'
    _, entetes, lignes = lire(contenu.encode())
    assert entetes == ["Métier, libellé, long, oui", "Service", "Quotité"]
    assert lignes == [(2, ["Agent, polyvalent", "Voirie", "1"])]


def test_csv_utf8_avec_bom():
    _, entetes, lignes = lire(b"\xef\xbb\xbfM\xc3\xa9tier;Service\nJardinier;Espaces verts\n")
    assert entetes == ["Métier", "Service"]
    assert lignes == [(2, ["Jardinier", "Espaces verts"])]


def test_csv_windows_1252():
    contenu = "Métier;Service\nChargée d'accueil;Mairie annexe\n".encode("cp1252")
    assert lire(contenu)[2] == [(2, ["Chargée d'accueil", "Mairie annexe"])]


def test_csv_utf16_texte_unicode_d_excel():
    contenu = "Métier\tQuotité\r\nÉducatrice\t0,8\r\n".encode("utf-16")
    assert lire(contenu)[1:] == (["Métier", "Quotité"], [(2, ["Éducatrice", "0,8"])])


def test_csv_retour_a_la_ligne_entre_guillemets():
    contenu = 'Métier;Commentaire\n"Agent\nd\'entretien";"deux\r\nlignes"\nJardinier;x\n'
    _, _, lignes = lire(contenu.encode())
    # Un enregistrement sur deux lignes physiques reste une ligne, comme dans un tableur.
    assert lignes == [(2, ["Agent\nd'entretien", "deux\r\nlignes"]), (3, ["Jardinier", "x"])]


def test_csv_entetes_doublons_et_vides():
    _, entetes, lignes = lire(b"Nom;;Nom; Nom ;Nom (2);\na;b;c;d;e;f\n")
    assert entetes == ["Nom", "Colonne 2", "Nom (2)", "Nom (3)", "Nom (2) (2)", "Colonne 6"]
    assert lignes == [(2, ["a", "b", "c", "d", "e", "f"])]


def test_csv_lignes_vides_sautees_et_numeros_du_fichier():
    contenu = b"\n;;\n  \nMetier;Service\n\n;\nJardinier;Voirie\n ; \nAgent;Mairie\n\n"
    _, entetes, lignes = lire(contenu)
    assert entetes == ["Metier", "Service"]
    assert lignes == [(7, ["Jardinier", "Voirie"]), (9, ["Agent", "Mairie"])]


def test_csv_lignes_courtes_completees_longues_tronquees():
    _, _, lignes = lire(b"A;B;C\n1\n1;2;3;4;5\n  x  ;\xc2\xa0y\xc2\xa0\n")
    assert lignes == [(2, ["1", "", ""]), (3, ["1", "2", "3"]), (4, ["x", "y", ""])]


def test_csv_formule_rendue_telle_quelle():
    _, _, lignes = lire(b'Metier;Lien\n"=HYPERLINK(""http://x"";""y"")";-3\n')
    assert lignes == [(2, ['=HYPERLINK("http://x";"y")', "-3"])]


# --- Classeurs -----------------------------------------------------------------------------------


def test_xlsx_valeurs_en_texte():
    contenu = xlsx(
        [
            ["Matricule", "Métier", "Entrée", "Quotité", "Titulaire", "Heure", None, "Calcul"],
            [
                12,
                "  Chargée d'accueil ",
                dt.date(2021, 3, 1),
                0.8,
                True,
                dt.datetime(2024, 1, 2, 8, 30),
                None,
                "=1+1",
            ],
            [None, None, None, None, None, None, None, None],
            [1e15, "Jardinier", dt.datetime(2020, 9, 1), 1, False, None, None, None],
        ]
    )
    format_, entetes, lignes = lire(contenu, "export.xlsx")
    assert format_ == "xlsx"
    assert entetes == [
        "Matricule",
        "Métier",
        "Entrée",
        "Quotité",
        "Titulaire",
        "Heure",
        "Colonne 7",
        "Calcul",
    ]
    assert lignes == [
        # openpyxl n'enregistre pas la valeur calculée d'une formule et Balise n'évalue rien : vide.
        (2, ["12", "Chargée d'accueil", "2021-03-01", "0.8", "True", "2024-01-02 08:30:00", "", ""]),
        (4, ["1000000000000000", "Jardinier", "2020-09-01", "1", "False", "", "", ""]),
    ]


def test_xlsx_entete_decale_et_cellules_hors_entete():
    contenu = xlsx([], {"B3": "Métier", "C3": "Service", "B5": "Agent", "C6": "Voirie", "E6": "hors en-tête"})
    _, entetes, lignes = lire(contenu, "decale.xlsx")
    # Les colonnes vides en tête (A) ne sont pas lues ; la colonne D vide, sans en-tête, si.
    assert entetes == ["Métier", "Service", "Colonne 3", "Colonne 4"]
    assert lignes == [(5, ["Agent", "", "", ""]), (6, ["", "Voirie", "", "hors en-tête"])]


def test_ods_premiere_feuille():
    date = '<table:table-cell office:value-type="date" office:date-value="{}"><text:p>x</text:p></table:table-cell>'
    nombre = (
        '<table:table-cell office:value-type="float" office:value="{}"><text:p>x</text:p></table:table-cell>'
    )
    contenu = ods(
        [
            "<table:table-cell/>",
            _CELLULE.format("Métier") + _CELLULE.format("Entrée") + _CELLULE.format("Quotité"),
            _CELLULE.format("Chargée d'accueil") + date.format("2024-01-31") + nombre.format("0.8"),
            '<table:table-cell table:number-columns-repeated="3"/>',
            _CELLULE.format("Agent") + date.format("2024-02-01T08:30:00") + nombre.format("1"),
        ]
    )
    assert lire(contenu, "effectifs.ods") == (
        "ods",
        ["Métier", "Entrée", "Quotité"],
        [(3, ["Chargée d'accueil", "2024-01-31", "0.8"]), (5, ["Agent", "2024-02-01 08:30:00", "1"])],
    )


def test_le_contenu_fait_foi_pas_le_nom():
    assert lire(xlsx([["A"], ["1"]]), "effectifs.csv")[0] == "xlsx"
    assert lire(b"A;B\n1;2\n", "effectifs.xlsx")[0] == "csv"


def test_le_classeur_est_lu_une_seule_fois_puis_relu_sans_processus(monkeypatch):
    contenu = xlsx([["Métier", "Quotité"], ["Jardinier", 0.8], [None, None], ["Archiviste", 1]])
    format_, prepare = lecture.preparer("e.xlsx", contenu)
    assert format_ == "xlsx" and prepare.decode("utf-8").startswith("Métier;Quotité\n")
    monkeypatch.setattr(lecture.subprocess, "run", None)  # relire ne relance aucune lecture du classeur
    tableau = lecture.relire(format_, prepare)
    # Numéros du tableur conservés malgré la ligne vide.
    assert list(tableau.lignes) == [(2, ["Jardinier", "0.8"]), (4, ["Archiviste", "1"])]


def test_trop_de_lignes_d_un_classeur_refuse_en_cours_de_lecture(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_LIGNES", 10)
    tableau = lire_tableau("e.xlsx", xlsx([["Métier"]] + [[f"m{i}"] for i in range(50)]))
    with pytest.raises(FichierIllisible, match="dépasse 10 lignes"):
        list(tableau.lignes)


def test_lecture_du_classeur_trop_longue(monkeypatch):
    monkeypatch.setattr(lecture, "DELAI_ENFANT", 0.001)
    assert refus(xlsx([["Métier"], ["Agent"]]), "e.xlsx") == lecture.TROP_LOURD


# --- Refus ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        bytes(range(256)) * 4,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        b"\x8f\x90\x9d" * 10,  # indécodable en UTF-8 comme en Windows-1252
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 10 + b"abc",
    ],
    ids=["pdf", "png", "binaire", "exe", "indecodable", "controles"],
)
def test_pas_un_tableau(contenu):
    assert refus(contenu) == lecture.PAS_UN_TABLEAU


def test_page_web_deguisee_en_xls():
    assert refus(b"<html><body><table><tr><td>Nom</td></tr></table></body></html>", "export.xls") == (
        lecture.PAGE_WEB
    )


@pytest.mark.parametrize(
    "contenu", [b"", b"\n\r\n   \n", b";;;\n\t\n"], ids=["vide", "blancs", "separateurs"]
)
def test_fichier_vide(contenu):
    assert refus(contenu) == "Le fichier est vide."


def test_entete_sans_donnees():
    assert refus(b"Metier;Service\n\n;\n") == "Le fichier ne contient aucune ligne de données."
    assert refus(xlsx([["Métier", "Service"]]), "e.xlsx") == "Le fichier ne contient aucune ligne de données."


def test_fichier_trop_gros(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_OCTETS", 1024 * 1024)
    assert refus(b"A;B\n" + b"1;2\n" * 300_000) == "Le fichier dépasse 1 Mo."


def test_csv_un_million_de_colonnes_refuse_vite_et_sans_memoire():
    contenu = ";".join(f"c{i}" for i in range(1_000_000)).encode() + b"\n1;2\n"
    tracemalloc.start()
    debut = time.perf_counter()
    try:
        message = refus(contenu)
        duree, pic = time.perf_counter() - debut, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "Le fichier compte 1\u202f000\u202f000 colonnes ; Balise en accepte 200 au plus."
    assert duree < 2
    assert pic < 4 * len(contenu)  # le texte décodé et sa première ligne, pas un million de cellules


def test_csv_entete_sur_plusieurs_lignes_trop_large():
    # Le premier morceau de ligne ne compte que 2 colonnes, l'enregistrement complet 301.
    contenu = ('A;"B\n"' + ";X" * 299 + "\n1;2\n").encode()
    assert refus(contenu) == "Le fichier compte 301 colonnes ; Balise en accepte 200 au plus."


def test_csv_enregistrement_enchaine_sur_tout_le_fichier(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_SEPARATEURS", 50)
    # Guillemets ouverts en fin de ligne, refermés au début de la suivante : un seul enregistrement.
    contenu = ("A;B\n" + ';"\n"' * 100 + "\n").encode()
    assert refus(contenu) == (
        "Le fichier est mal formé vers la ligne 2 : plus de 50 séparateurs dans une même ligne."
    )


def test_csv_cellule_demesuree():
    contenu = b"A;B\n1;" + b'"' + b"x" * 200_000 + b'"\n'
    assert refus(contenu).startswith("Le fichier est mal formé vers la ligne 2 : cellule de plus de 131")


def test_trop_de_lignes_refuse_en_cours_de_lecture(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_LIGNES", 3)
    tableau = lire_tableau("e.csv", b"A\n1\n\n2\n3\n")
    assert len(list(tableau.lignes)) == 3
    tableau = lire_tableau("e.csv", b"A\n1\n2\n3\n4\n")
    with pytest.raises(FichierIllisible, match="^Le fichier dépasse 3 lignes.$"):
        list(tableau.lignes)
    tableau = lire_tableau("e.xlsx", xlsx([["A"], [1], [2], [3], [4]]))
    with pytest.raises(FichierIllisible, match="^Le fichier dépasse 3 lignes.$"):
        list(tableau.lignes)


def test_message_de_trop_de_lignes():
    assert lecture._nombre(lecture.MAX_LIGNES) == "200\u202f000"


def test_xlsx_201_colonnes():
    contenu = xlsx([[f"C{i}" for i in range(201)], list(range(201))])
    assert refus(contenu, "large.xlsx") == "Le fichier compte 201 colonnes ; Balise en accepte 200 au plus."


def test_classeur_trop_etendu(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_CELLULES", 11)
    assert refus(xlsx([["A", "B", "C"], [1, 2, 3], [4, 5, 6], [7, 8, 9]]), "e.xlsx") == (
        "La première feuille du classeur s'étend sur 4 lignes et 3 colonnes : c'est trop pour Balise. "
        "Enregistrez-la en CSV."
    )


def test_ods_aux_cellules_repetees(monkeypatch):
    # 5 000 lignes de 100 cellules décrites en 200 octets de XML.
    monkeypatch.setattr(lecture, "MAX_CELLULES", 100_000)
    repetee = (
        '<table:table-cell office:value-type="string" table:number-columns-repeated="100">'
        "<text:p>x</text:p></table:table-cell>"
    )
    rangee = f'<table:table-row table:number-rows-repeated="5000">{repetee}</table:table-row>'
    contenu = ods([_CELLULE.format("Métier"), rangee])
    assert len(contenu) < 2000
    assert refus(contenu, "e.ods").startswith("La première feuille du classeur s'étend sur 5\u202f001 lignes")


def test_xlsx_dont_la_plage_demanderait_des_centaines_de_go():
    # A1 et XFD1048576 remplies : calamine alloue 16 384 × 1 048 576 cellules d'un bloc et son processus
    # s'arrête ; la lecture se fait dans un processus enfant, celui-ci survit et répond en français.
    contenu = xlsx([["Métier"], ["Agent"]], {"XFD1048576": "fin"})
    assert len(contenu) < 10_000
    assert refus(contenu, "piege.xlsx") == lecture.TROP_LOURD


def test_zip_qui_n_est_pas_un_classeur():
    assert refus(archive({"word/document.xml": b"<w:document/>"}), "e.xlsx") == lecture.PAS_UN_TABLEAU
    assert refus(archive({"mimetype": b"application/vnd.oasis.opendocument.text"}), "e.ods") == (
        lecture.PAS_UN_TABLEAU
    )
    assert refus(archive({"xl/workbook.bin": b"\x00"}), "e.xlsb") == lecture.XLSB


def test_bombe_zip():
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as membre:
            zeros = bytes(1024 * 1024)
            for _ in range(300):
                membre.write(zeros)
    assert len(sortie.getvalue()) < 2 * 1024 * 1024
    assert refus(sortie.getvalue(), "bombe.xlsx") == (
        "Ce classeur est anormalement compressé (300 Mo une fois décompressé) et ne peut pas être lu : "
        "enregistrez-le en CSV."
    )


def test_zip_au_taux_de_compression_absurde():
    contenu = archive(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(10 * 1024 * 1024)}
    )
    assert refus(contenu, "e.xlsx").startswith("Ce classeur est anormalement compressé (10 Mo")


def test_zip_aux_entrees_innombrables(monkeypatch):
    monkeypatch.setattr(lecture, "MAX_ENTREES_ZIP", 10)
    contenu = archive({f"xl/f{i}.xml": b"" for i in range(11)})
    assert refus(contenu, "e.xlsx") == "Ce classeur contient 11 éléments ; Balise en accepte 10 au plus."


def test_xlsx_tronque():
    contenu = xlsx([["Métier"], ["Agent"]])
    assert refus(contenu[: len(contenu) // 2], "e.xlsx") == lecture.ENDOMMAGE


def test_xlsx_endommage_pour_calamine():
    contenu = archive({"xl/workbook.xml": b"<workbook><sheets><sheet", "[Content_Types].xml": b"<Types/>"})
    assert refus(contenu, "e.xlsx") == lecture.ENDOMMAGE


def test_conteneur_ole2():
    entete = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    assert refus(entete + "EncryptedPackage".encode("utf-16-le"), "protege.xlsx") == lecture.PROTEGE
    assert refus(entete + "WordDocument".encode("utf-16-le"), "lettre.doc") == lecture.PAS_UN_TABLEAU
    assert refus(entete + "Workbook".encode("utf-16-le"), "faux.xls") == lecture.ENDOMMAGE


# --- Formules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valeur",
    [
        "=1+1",
        '=HYPERLINK("http://x")',
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\rx",
        "-",
        "+cmd|' /C calc'!A0",
    ],
)
def test_ressemble_a_une_formule(valeur):
    assert ressemble_a_une_formule(valeur)
    assert neutraliser(valeur) == "'" + valeur


@pytest.mark.parametrize(
    "valeur",
    ["", "-3", "-0,5", "+1.25", "-1 234,5", "-12%", "-1e5", "Agent", "3", "Chargée d'accueil", " =1"],
)
def test_ne_ressemble_pas_a_une_formule(valeur):
    assert not ressemble_a_une_formule(valeur)
    assert neutraliser(valeur) == valeur
