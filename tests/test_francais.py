"""Le français des pages : accords (« aucun évaluateur », « 1 réponse », « 2 réponses »), noms des fichiers
téléchargés, rubrique du menu, titres en double ; et aucun `|pluralize` (accord à l'anglaise) ne revient."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from balise.francais import accord, compter
from balise.noms_fichiers import disposition, nom_fichier

GABARITS = Path(settings.BASE_DIR) / "balise" / "templates"


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (0, "aucun évaluateur"),
        (1, "1 évaluateur"),
        (2, "2 évaluateurs"),
        ([1, 2, 3], "3 évaluateurs"),
        ("1.5", "1,5 évaluateur"),
        (None, "aucun évaluateur"),
    ],
)
def test_compter(valeur, attendu):
    assert compter(valeur, "évaluateur") == attendu


def test_compter_feminin_et_pluriel_irregulier():
    assert compter(0, "réponse", feminin=True) == "aucune réponse"
    assert compter(3, "travail", "travaux") == "3 travaux"
    assert compter(2, "prix") == "2 prix"


def test_accord_a_la_francaise():
    assert [accord(n) for n in (0, 1, 2)] == ["", "", "s"]
    assert accord(0, "n'est,ne sont") == "n'est" and accord(3, "n'est,ne sont") == "ne sont"
    assert accord(5, "x") == "x"


def test_filtres_des_gabarits():
    gabarit = Template(
        '{% load francais %}{{ n|compter:"réponse/f"|capfirst }} ; {{ n|compter:"évaluateur" }} ; '
        '{{ n }} ligne{{ n|accord }} {{ n|accord:"n\'est,ne sont" }} pas dessinée{{ n|accord }}'
    )
    rendu = [gabarit.render(Context({"n": n})).replace("&#x27;", "'") for n in (0, 1, 2)]
    assert rendu == [
        "Aucune réponse ; aucun évaluateur ; 0 ligne n'est pas dessinée",
        "1 réponse ; 1 évaluateur ; 1 ligne n'est pas dessinée",
        "2 réponses ; 2 évaluateurs ; 2 lignes ne sont pas dessinées",
    ]


def test_aucun_gabarit_n_accorde_a_l_anglaise():
    # `pluralize` met « 0 réponses » ; et « n'{{ …|accord:"est,sont" }} » écrivait « n'sont ».
    fautifs = [
        str(p.relative_to(GABARITS))
        for p in GABARITS.rglob("*.html")
        if "|pluralize" in (texte := p.read_text(encoding="utf-8")) or re.search(r"n'\{\{[^}]*sont", texte)
    ]
    assert fautifs == []


def test_nom_de_fichier_lisible():
    assert (
        nom_fichier("dossier", "Détection des fuites / Réseau d'eau", jour=date(2026, 12, 4), extension="pdf")
        == "dossier-detection-des-fuites-reseau-deau-2026-12-04.pdf"
    )
    assert nom_fichier("registre-ia", "", "commune-a", extension="csv") == "registre-ia-commune-a.csv"
    assert nom_fichier("x", "a" * 200, extension="pdf") == "x-" + "a" * 60 + ".pdf"
    tard = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # le 5 à Paris
    assert nom_fichier("pv", jour=tard, extension="pdf") == "pv-2026-12-05.pdf"
    assert disposition("a.pdf") == 'attachment; filename="a.pdf"'
    assert disposition("a.pdf", en_ligne=True) == 'inline; filename="a.pdf"'


def test_dossier_pdf_nomme_par_le_systeme_et_la_date(client, org_a, referent_a, systeme_a):
    client.force_login(referent_a)
    reponse = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/dossier.pdf")
    assert reponse.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="dossier-detection-des-fuites-\d{4}-\d{2}-\d{2}\.pdf"',
        reponse["Content-Disposition"],
    )
    assert str(systeme_a.uid) not in reponse["Content-Disposition"]


def test_registre_csv_et_menu_de_la_qualification(client, org_a, referent_a, systeme_a):
    assert client.get(f"/public/{org_a.slug}/registre.csv")["Content-Disposition"] == (
        f'attachment; filename="registre-ia-{org_a.slug}.csv"'
    )
    client.force_login(referent_a)
    courant = re.compile(r'<a class="fr-nav__link" href="([^"]+)" aria-current="page">')
    # La qualification d'un système est une page du registre ; la liste des obligations, non.
    qualification = client.get(f"/o/{org_a.slug}/registre/{systeme_a.pk}/qualification/").content.decode()
    assert courant.findall(qualification) == [f"/o/{org_a.slug}/registre/"]
    obligations = client.get(f"/o/{org_a.slug}/obligations/").content.decode()
    assert courant.findall(obligations) == [f"/o/{org_a.slug}/obligations/"]


def test_etat_d_une_etape_lu_en_francais_par_un_lecteur(client, org_a, lecteur_a):
    # Sans le droit de la changer, l'étape montre son état : son libellé, pas son code (« a_venir »).
    client.force_login(lecteur_a)
    html = client.get(f"/o/{org_a.slug}/programme/etapes/diagnostic/").content.decode()
    assert "État : <strong>À venir</strong>" in html and "a_venir</strong>" not in html
