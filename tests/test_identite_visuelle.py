"""Identité visuelle (balise/theme.py, docs/identite-visuelle.md) : rien de l'identité de l'État dans le
thème neutre (fonte Marianne, bloc-marque, couleurs), contrastes du DSFR gardés ; thème de l'État en réglage ;
pages obligatoires du pied de page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from balise import theme
from balise.registre import services
from tests import fabrique

# Le dessin de Marianne du bloc-marque, tel que le DSFR l'incorpore à sa feuille (.fr-logo:before/after).
DESSIN_MARIANNE = "M11.3 10.2c-.9.6-1.7 1.3-2.3 2.1"
MOTS_ETAT = ("Marianne", "République française", "fr-logo", "blue-france-sun-113-625:#000091", "%23000091")
_LIEN_FEUILLE = re.compile(r'<link rel="stylesheet"\s+href="/static/([^"]+)"')
_LIEN_ICONE = re.compile(r'<link rel="(?:shortcut )?icon"\s+href="/static/([^"]+)"')


@pytest.fixture
def registre(org_a, admin_a):
    s = fabrique.systeme(org_a, admin_a, nom="Tri du courrier", contribution_decision="Aide au tri.")
    services.publier(s.pk, True, admin_a, s.version)
    return org_a


def _pages(client: Client, slug: str) -> dict[str, str]:
    adresses = ["/", f"/public/{slug}/", "/accessibilite/", "/plan-du-site/", "/comptes/connexion/"]
    pages = {}
    for adresse in adresses:
        reponse = client.get(adresse)
        assert reponse.status_code == 200, adresse
        pages[adresse] = reponse.content.decode()
    return pages


def _servi(chemin: str) -> str:
    trouve = finders.find(chemin)
    assert trouve, f"fichier statique introuvable : {chemin}"
    with open(trouve, encoding="utf-8") as f:
        return f.read()


def test_le_theme_neutre_ne_montre_ni_ne_sert_rien_de_l_identite_de_l_etat(client, registre):
    feuilles: set[str] = set()
    for adresse, html in _pages(client, registre.slug).items():
        for mot in MOTS_ETAT:
            assert mot not in html, (adresse, mot)
        feuilles.update(_LIEN_FEUILLE.findall(html))
        icones = _LIEN_ICONE.findall(html)
        assert icones == ["balise/theme/favicon.svg"], adresse
    assert theme.FEUILLE_NEUTRE in feuilles and "balise/theme/neutre.css" in feuilles
    for feuille in feuilles:
        contenu = _servi(feuille)
        for mot in (*MOTS_ETAT, DESSIN_MARIANNE, "fonts/Marianne"):
            assert mot not in contenu, (feuille, mot)
    assert theme.POLICE in _servi(theme.FEUILLE_NEUTRE)


def test_le_theme_neutre_ne_livre_ni_la_fonte_marianne_ni_les_icones_de_l_etat():
    assert finders.find("dsfr/dist/fonts/Marianne-Regular.woff2") is None
    assert finders.find("dsfr/dist/favicon/favicon.svg") is None
    recueillis = [chemin for finder in finders.get_finders() for chemin, _ in finder.list([])]
    assert recueillis and theme.FEUILLE_NEUTRE in recueillis
    assert not [c for c in recueillis if "Marianne" in c or c.startswith("dsfr/dist/favicon/")]
    # La fonte libre et sa licence sont livrées avec l'application.
    assert "balise/polices/atkinson-hyperlegible-next/LICENSE" in recueillis
    assert "SIL Open Font License" in _servi("balise/polices/atkinson-hyperlegible-next/LICENSE")


def test_chaque_adresse_de_la_feuille_neutre_mene_a_un_fichier_servi():
    feuille = _servi(theme.FEUILLE_NEUTRE)
    adresses = {a for a in re.findall(r"url\(([^)\"']+)\)", feuille) if not a.startswith("data:")}
    assert adresses
    for adresse in adresses:
        chemin = re.sub(r"[?#].*", "", adresse)
        assert chemin.startswith("../../dsfr/dist/"), adresse
        assert finders.find("dsfr/dist/" + chemin.removeprefix("../../dsfr/dist/")), adresse


def test_le_theme_de_l_etat_reste_un_reglage(client, registre, settings):
    settings.THEME = "etat"
    html = client.get(f"/public/{registre.slug}/").content.decode()
    assert "dsfr/dist/dsfr/dsfr.min.css" in html and "République<br>française" in html
    assert theme.FEUILLE_NEUTRE not in html
    assert finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    assert finders.find(theme.FEUILLE_NEUTRE) is None


def test_le_nom_de_l_organisation_mene_son_registre_public(client, registre):
    html = client.get(f"/public/{registre.slug}/").content.decode()
    titre = re.search(r'<p class="fr-header__service-title">([^<]+)</p>', html)
    assert titre and titre.group(1).strip() == registre.nom


@pytest.mark.parametrize(
    "couleur",
    ["#000091", "#f5f5fe", "#6a6af4", "#c9191e", "#ffffff", "#000000", "#18753c", "#fcc63a", "#3a3a3a"],
)
@pytest.mark.parametrize("cible", [theme.NEUTRE_PRINCIPALE, theme.NEUTRE_ACCENT, theme.Teinte(350.0, 0.9)])
def test_teinter_garde_le_contraste(couleur, cible):
    nouvelle = theme.teinter(couleur, cible)
    assert re.fullmatch(r"#[0-9a-f]{6}", nouvelle)
    for fond in ("#ffffff", "#161616"):
        assert theme.contraste(nouvelle, fond) == pytest.approx(theme.contraste(couleur, fond), rel=0.03)


def test_toutes_les_couleurs_de_l_etat_sont_remplacees_a_contraste_egal():
    table = theme.correspondance(theme.source_dsfr(), theme.NEUTRE_PRINCIPALE, theme.NEUTRE_ACCENT)
    assert len(table) > 40 and "#000091" in table
    for avant, apres in table.items():
        assert avant != apres
        assert theme.contraste(apres, "#ffffff") == pytest.approx(theme.contraste(avant, "#ffffff"), rel=0.03)
    feuille = theme.feuille_neutre()
    for m in re.finditer(r"--(?:blue-france|red-marianne)-[a-z0-9-]+:(#[0-9a-f]{6})", feuille):
        assert m.group(1) not in table, m.group(0)


def test_deriver_retire_fontes_et_bloc_marque_et_readresse():
    source = (
        "@font-face{font-family:Marianne;src:url(../fonts/Marianne-Bold.woff2)}"
        "@font-face{font-family:Spectral;src:url(../fonts/Spectral-Regular.woff2)}"
        ":root{--blue-france-sun-113-625:#000091}"
        "body{font-family:Marianne,arial,sans-serif}"
        ".fr-logo:after,[data-fr-theme=dark] .fr-logo:after{background:red}"
        ".fr-btn,.fr-logo{color:#000091}"
        "@media (min-width:48em){.fr-logo{padding:1rem}.fr-nav{margin:0}}"
        ".fr-icon{background:url(../icons/a.svg);mask:url(\"data:image/svg+xml;charset=utf8,%3Csvg fill='%23000091'\")}"
    )
    resultat = theme.deriver(
        source,
        "dsfr/dist/dsfr/dsfr.min.css",
        "balise/theme/x.css",
        theme.NEUTRE_PRINCIPALE,
        theme.NEUTRE_ACCENT,
    )
    assert "Marianne" not in resultat and "fr-logo" not in resultat and "000091" not in resultat
    assert "url(../../dsfr/dist/fonts/Spectral-Regular.woff2)" in resultat
    assert "url(../../dsfr/dist/icons/a.svg)" in resultat
    assert f"body{{font-family:{theme.POLICE_PILE}}}" in resultat
    assert ".fr-btn{color:#" in resultat and ".fr-nav{margin:0}" in resultat
    assert "data:image/svg+xml;charset=utf8,%3Csvg fill='%23" in resultat


def test_la_feuille_d_une_organisation_garde_les_contrastes_et_refuse_une_couleur_illisible():
    feuille = theme.variables_organisation("#b3261e")
    assert feuille.startswith(":root{--blue-france-") and ":root[data-fr-theme=dark]{" in feuille
    assert "red-marianne" not in feuille
    for invalide in ("rouge", "#fff", "#GGGGGG", "#b3261e;}body{display:none"):
        with pytest.raises(ValueError, match="#rrggbb"):
            theme.variables_organisation(invalide)


@pytest.mark.parametrize(
    ("adresse", "titre"),
    [
        ("/accessibilite/", "Déclaration d'accessibilité"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles et cookies"),
        ("/plan-du-site/", "Plan du site"),
    ],
)
def test_pages_obligatoires_du_pied_de_page(client, db, adresse, titre):
    html = client.get(adresse).content.decode()
    assert f"<h1>{titre}</h1>" in html
    for lien in ("/accessibilite/", "/mentions-legales/", "/donnees-personnelles/", "/plan-du-site/"):
        assert f'href="{lien}"' in html


def test_declaration_d_accessibilite_honnete_et_editeur_d_instance(client, db, settings):
    html = client.get("/accessibilite/").content.decode()
    assert "Accessibilité : non conforme" in html and "<strong>non conforme</strong>" in html
    assert "Aucun audit de conformité" in html
    settings.EDITEUR_NOM = "Commune de Sainte-Exemple"
    settings.EDITEUR_CONTACT = "dpo@sainte-exemple.fr"
    html = client.get("/mentions-legales/").content.decode()
    assert "Commune de Sainte-Exemple" in html and "mailto:dpo@sainte-exemple.fr" in html


def _parametres(client: Client, org, couleur: str) -> str:
    return client.post(
        f"/o/{org.slug}/parametres/",
        {
            "nom": org.nom,
            "type": org.type,
            "contact_public": org.contact_public,
            "seuil_secret": org.seuil_secret,
            "couleur": couleur,
            "version": org.version,
        },
    )


def test_la_couleur_de_l_organisation_teinte_ses_pages(client, registre, admin_a):
    client.force_login(admin_a)
    reponse = _parametres(client, registre, " #1F6F8B ")
    assert reponse.status_code == 302
    registre.refresh_from_db()
    assert registre.couleur == "#1f6f8b"
    assert registre.history.first().history_user == admin_a
    lien = f'href="/public/{registre.slug}/couleurs.css?v=1f6f8b"'
    client.logout()
    html = client.get(f"/public/{registre.slug}/").content.decode()
    assert lien in html
    feuille = client.get(f"/public/{registre.slug}/couleurs.css")
    assert feuille.status_code == 200 and feuille["Content-Type"].startswith("text/css")
    assert feuille.content.decode() == theme.variables_organisation("#1f6f8b")


@pytest.mark.parametrize(
    ("couleur", "message"),
    [
        ("rouge", "Couleur attendue sous la forme #rrggbb"),
        ("#12345", "Couleur attendue sous la forme #rrggbb"),
        ("#1f6f8g", "Couleur attendue sous la forme #rrggbb"),
        ("#1f6f8b;}body{display:none", "au plus 7 caractères"),
    ],
)
def test_une_couleur_illisible_est_refusee_sans_rien_changer(client, registre, admin_a, couleur, message):
    client.force_login(admin_a)
    version = registre.version
    reponse = _parametres(client, registre, couleur)
    assert reponse.status_code == 200
    assert message in reponse.content.decode()
    registre.refresh_from_db()
    assert registre.couleur == "" and registre.version == version


def test_sans_couleur_pas_de_feuille_d_organisation(client, registre):
    assert client.get(f"/public/{registre.slug}/couleurs.css").status_code == 404
    assert "couleurs.css" not in client.get(f"/public/{registre.slug}/").content.decode()


def test_les_graphiques_prennent_les_couleurs_du_theme():
    from balise import svg

    assert svg.BLEU_FRANCE == theme.teinter("#000091", theme.NEUTRE_PRINCIPALE) != "#000091"
    assert theme.teinter("#e1000f", theme.NEUTRE_ACCENT) == svg.ROUGE_MARIANNE
    assert theme.contraste(svg.BLEU_FRANCE, "#ffffff") == pytest.approx(
        theme.contraste("#000091", "#ffffff"), rel=0.03
    )


def test_aucun_document_ne_fige_la_couleur_ou_la_fonte_de_l_etat():
    """Les PDF et ODT (dossier, procès-verbal, charte, règles d'usage, rapports) prennent la couleur du
    thème (balise/documents.py) : ni le bleu France ni Marianne écrits en dur dans un gabarit ou un rendu."""
    from pathlib import Path

    from django.template.loader import render_to_string

    from balise.rapports import rendus

    racine = Path(theme.__file__).parent
    imprimes = [p for p in racine.glob("templates/**/*.html") if "<style" in p.read_text()]
    sources = [*imprimes, *racine.glob("rapports/*.py")]
    figees = [str(p.relative_to(racine)) for p in sources if re.search(r"#000091|Marianne", p.read_text())]
    assert not figees, f"Couleur ou fonte de l'État écrite en dur : {figees}"
    assert "#000091" not in rendus._STYLE + render_to_string("gouvernance/seances/_pdf_style.html")
