"""Exports en tableur (XLSX, ODS, CSV) : contenu fidèle à la base, CSV pour Excel en français (BOM,
point-virgule), formules neutralisées, noms de fichiers lisibles, droits et cloisonnement, requêtes."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from odf import opendocument, teletype
from odf import table as odf_table

from balise.conformite.models import ObligationSuivie
from balise.formations.models import OffreFormation, Participation, Population, SessionFormation
from balise.indicateurs.models import Indicateur, Mesure
from balise.rapports import exports
from tests import fabrique
from tests import gouvernance_fabrique as gf

HOSTILES = ["=cmd|' /C calc'!A0", "+SOMME(A1)", "-2+3", "@SUM(A1)", "\t=1+1"]


@pytest.fixture
def hostile(org_a, referent_a):
    """Des systèmes dont le nom, le service, l'obligation et la condition ressemblent à des formules."""
    for i, nom in enumerate(HOSTILES):
        s = fabrique.systeme(org_a, referent_a, nom=nom, service=f"=Service{i}")
        gf.obligation(s, referent_a, date(2020, 1, 1), titre=nom)
        gf.condition(s, referent_a, date(2020, 1, 1), intitule=nom)
        _formation_et_indicateur(org_a, referent_a, nom, s)
    return org_a


def _formation_et_indicateur(org, par, nom: str, systeme=None, participants: int = 3):
    """Une session (offre au nom donné) avec une participation, un indicateur mesuré une fois."""
    offre = OffreFormation.objects.create(
        organisation=org, titre=nom, organisme=nom, format="presentiel", public=nom, palier="acculturation"
    )
    session = SessionFormation.objects.create(
        organisation=org, offre=offre, date=date(2024, 3, 5), palier="acculturation", cree_par=par
    )
    pop = Population.objects.create(
        organisation=org, titre=f"{nom} {Population.objects.count()}", palier="acculturation", cible=50
    )
    Participation.objects.create(session=session, population=pop, service=nom, nombre=participants)
    indicateur = Indicateur.objects.create(
        organisation=org, systeme=systeme, objectif=nom, intitule=nom, unite=nom, cible=Decimal("90"),
        sens="au_moins", frequence="mensuelle", responsable=par,
    )  # fmt: skip
    Mesure.objects.create(
        indicateur=indicateur,
        organisation=org,
        periode=date(2024, 3, 1),
        valeur=Decimal("92.5"),
        saisie_par=par,
    )


def _csv(contenu: bytes) -> list[list[str]]:
    assert contenu.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("nom", list(exports.EXPORTS))
def test_csv_pour_excel_en_francais_et_formules_neutralisees(hostile, nom):
    lignes = _csv(exports.produire(hostile, nom, "csv"))
    assert lignes[0] == exports.EXPORTS[nom].colonnes
    assert len(lignes) == 1 + len(HOSTILES)
    cellules = [c for ligne in lignes[1:] for c in ligne]
    assert not [c for c in cellules if c and c[0] in "=+-@\t"], cellules
    assert "'=cmd|' /C calc'!A0" in cellules


@pytest.mark.parametrize("nom", list(exports.EXPORTS))
def test_xlsx_et_ods_memes_lignes_et_sans_formule(hostile, nom):
    classeur = openpyxl.load_workbook(io.BytesIO(exports.produire(hostile, nom, "xlsx")))
    rangs = [[c for c in r] for r in classeur.active.iter_rows(values_only=True)]
    assert list(rangs[1]) == exports.EXPORTS[nom].colonnes and len(rangs) == 2 + len(HOSTILES)
    textes = [c for r in rangs for c in r if isinstance(c, str)]
    assert not [c for c in textes if c[0] in "=+-@\t"]
    assert all(cell.data_type != "f" for r in classeur.active.iter_rows() for cell in r)
    doc = opendocument.load(io.BytesIO(exports.produire(hostile, nom, "ods")))
    rangs_ods = [
        [teletype.extractText(c) for c in r.getElementsByType(odf_table.TableCell)]
        for r in doc.getElementsByType(odf_table.TableRow)
    ]
    assert rangs_ods[1] == exports.EXPORTS[nom].colonnes and len(rangs_ods) == 2 + len(HOSTILES)
    assert not doc.getElementsByType(odf_table.TableCell)[0].getAttribute("formula")
    assert not [c for r in rangs_ods for c in r if c and c[0] in "=+-@\t"]


def test_le_registre_exporte_suit_la_base(org_a, org_b, referent_a, admin_b):
    s = fabrique.systeme(org_a, referent_a, nom="Tri du courrier", service="Accueil")
    fabrique.systeme(org_b, admin_b, nom="Système secret de B")
    lignes = _csv(exports.produire(org_a, "registre", "csv"))
    assert [ligne[:3] for ligne in lignes[1:]] == [[str(s.pk), "Tri du courrier", "Accueil"]]
    assert "Système secret de B" not in str(lignes)


def test_obligations_en_retard_dites(org_a, referent_a):
    s = fabrique.systeme(org_a, referent_a, nom="Chatbot")
    gf.obligation(s, referent_a, date(2020, 1, 1), titre="En retard")
    gf.obligation(s, referent_a, date(2020, 1, 1), ObligationSuivie.Statut.FAITE, titre="Faite")
    lignes = {ligne[1]: ligne for ligne in _csv(exports.produire(org_a, "obligations", "csv"))[1:]}
    assert lignes["En retard"][5] == "oui" and lignes["Faite"][5] == "non"
    assert lignes["En retard"][3] == "01/01/2020"


@pytest.mark.parametrize("format_", list(exports.FORMATS))
def test_requetes_en_nombre_constant(org_a, referent_a, format_):
    def compter() -> list[int]:
        resultats = []
        for nom in exports.EXPORTS:
            with CaptureQueriesContext(connection) as requetes:
                exports.produire(org_a, nom, format_)
            resultats.append(len(requetes))
        return resultats

    def ajouter(n: int) -> None:
        for _ in range(n):
            s = fabrique.systeme(org_a, referent_a)
            gf.obligation(s, referent_a, date(2020, 1, 1))
            gf.condition(s, referent_a, date(2020, 1, 1))
            _formation_et_indicateur(org_a, referent_a, "Café IA", s)

    ajouter(1)
    une = compter()
    ajouter(5)
    assert compter() == une


def test_page_d_export_nom_lisible_et_droits(client, org_a, lecteur_a, systeme_a):
    client.force_login(lecteur_a)
    reponse = client.get("/o/commune-a/exports/registre.csv")
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    assert reponse["Content-Disposition"].startswith('attachment; filename="registre-interne-commune-a-')
    assert reponse.content.startswith(b"\xef\xbb\xbf")
    assert client.get("/o/commune-a/exports/inconnu.csv").status_code == 404
    assert client.get("/o/commune-a/exports/registre.exe").status_code == 404


def test_export_par_l_api(org_a, lecteur_a, systeme_a):
    reponse = fabrique.appel_api(lecteur_a, "GET", "commune-a/exports/obligations/xlsx")
    assert reponse.status_code == 200
    assert 'filename="obligations-commune-a-' in reponse["Content-Disposition"]
    assert fabrique.appel_api(lecteur_a, "GET", "commune-a/exports/inconnu/xlsx").status_code == 404
    assert fabrique.appel_api(lecteur_a, "GET", "commune-a/exports/registre/exe").status_code == 422


def test_les_formations_et_indicateurs_exportes_suivent_la_base(org_a, org_b, referent_a, admin_b):
    s = fabrique.systeme(org_a, referent_a, nom="Chatbot")
    _formation_et_indicateur(org_a, referent_a, "Café IA", s, participants=12)
    _formation_et_indicateur(org_b, admin_b, "Secret de B")
    formations = _csv(exports.produire(org_a, "formations", "csv"))
    assert formations[0] == ["Date", "Offre", "Palier", "Population", "Service", "Participants"]
    assert formations[1:] == [["05/03/2024", "Café IA", formations[1][2], formations[1][3], "Café IA", "12"]]
    assert formations[1][2] and formations[1][3].startswith("Café IA")
    indicateurs = _csv(exports.produire(org_a, "indicateurs", "csv"))
    assert indicateurs[1:] == [["Café IA", "Chatbot", "01/03/2024", "92,5", "Café IA", "au moins 90", "oui"]]
    assert "Secret de B" not in str(formations) + str(indicateurs)
    classeur = openpyxl.load_workbook(io.BytesIO(exports.produire(org_a, "formations", "xlsx")))
    rangs = list(classeur.active.iter_rows(values_only=True))
    assert rangs[2][5] == 12  # le nombre reste un nombre dans le tableur
