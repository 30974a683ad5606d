"""Saisies hostiles par les pages : balisage HTML, formules de tableur, fichiers piégés, formulaires trafiqués."""

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from balise.comptes.models import JetonAPI
from balise.organisations.models import Adhesion, Invitation
from balise.registre import services
from balise.registre.models import Document, SystemeIA
from tests import fabrique, instantane


def _texte(reponse) -> str:
    """Le texte visible de la page (entités décodées), pour y chercher les messages."""
    return html.unescape(reponse.content.decode())


# --- Balisage HTML et scripts : enregistrés tels quels, affichés échappés ----------------------------

SCRIPT = '<script>alert("xss")</script>'
HOSTILES = {
    "nom": f"Assistant {SCRIPT}",
    "finalite": '<img src=x onerror="alert(1)"> et </textarea><script>alert(2)</script>',
    "service": '"><svg onload=alert(3)>',
    "responsable": "<b>Chef</b> & <i>adjoint</i>",
    "fournisseur": "<iframe src=javascript:alert(4)>",
    "modeles": "{{ secret }} {% debug %}",
    "donnees": "<style>body{display:none}</style>",
    "contribution_decision": f"Aide {SCRIPT}",
    "supervision_humaine": "javascript:alert(5)",
}
# Ce qui ne doit jamais apparaître brut dans une page HTML.
FRAGMENTS_DANGEREUX = [SCRIPT, "<img src=x", "<svg onload", "<iframe", "<style>body", "<b>Chef</b>"]


@pytest.fixture
def fiche_hostile(client, org_a, admin_a):
    client.force_login(admin_a)
    reponse = client.post("/o/commune-a/registre/nouveau/", {**fabrique.FICHE_MINIMALE, **HOSTILES})
    assert reponse.status_code == 302, reponse.content
    systeme = SystemeIA.objects.get()
    return services.publier(systeme.pk, True, admin_a, systeme.version)


def test_texte_hostile_enregistre_tel_quel(fiche_hostile):
    fiche_hostile.refresh_from_db()
    for champ, valeur in HOSTILES.items():
        assert getattr(fiche_hostile, champ) == valeur.strip()


@pytest.mark.parametrize(
    "page",
    [
        "/o/commune-a/registre/",
        "/o/commune-a/registre/{pk}/",
        "/o/commune-a/registre/{pk}/modifier/",
        "/o/commune-a/registre/{pk}/historique/",
        "/o/commune-a/portefeuille/",
        "/public/commune-a/",
        "/public/commune-a/systemes/{uid}/",
        "/",
    ],
)
def test_pages_echappent_le_balisage(client, fiche_hostile, page):
    reponse = client.get(page.format(pk=fiche_hostile.pk, uid=fiche_hostile.uid))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    for fragment in FRAGMENTS_DANGEREUX:
        assert fragment not in contenu, f"{page} contient « {fragment} » non échappé"
    if page != "/":
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in contenu


@pytest.mark.parametrize("page", ["/o/commune-a/registre/{pk}/", "/public/commune-a/systemes/{uid}/"])
def test_syntaxe_de_gabarit_affichee_sans_etre_evaluee(client, fiche_hostile, page):
    contenu = client.get(page.format(pk=fiche_hostile.pk, uid=fiche_hostile.uid)).content.decode()
    assert HOSTILES["modeles"] in contenu


def test_historique_echappe_les_anciennes_valeurs(client, fiche_hostile, admin_a):
    services.modifier_systeme(fiche_hostile.pk, {"nom": "Nom propre"}, fiche_hostile.version, admin_a)
    contenu = client.get(f"/o/commune-a/registre/{fiche_hostile.pk}/historique/").content.decode()
    assert SCRIPT not in contenu and "&lt;script&gt;" in contenu


def test_donnees_ouvertes_json_fideles_et_non_interpretables(client, fiche_hostile):
    reponse = client.get("/public/commune-a/registre.json")
    # Des données, pas une page : type JSON et interdiction de « deviner » un autre type.
    assert reponse["Content-Type"] == "application/json"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    (fiche,) = json.loads(reponse.content)["systemes"]
    assert fiche["nom"] == HOSTILES["nom"] and fiche["finalite"] == HOSTILES["finalite"]


def test_api_rend_le_texte_tel_quel_en_json(client, fiche_hostile, admin_a):
    _, secret = JetonAPI.emettre(admin_a, "t")
    reponse = client.get(
        f"/api/organisations/commune-a/systemes/{fiche_hostile.pk}",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert reponse["Content-Type"].startswith("application/json")
    assert reponse.json()["nom"] == HOSTILES["nom"]


FORMULES = {
    "nom": '=HYPERLINK("http://pirate.example","Cliquez")',
    "service": "+33 1 23 45 67 89",
    "fournisseur": "-2+3+cmd|' /C calc'!A0",
    "modeles": "@SUM(1+1)*cmd|' /C calc'!A0",
    "donnees": "\t=1+1",
    "sources_donnees": "\r=1+1",
    "finalite": "Sans danger = texte normal",
}


def test_csv_neutralise_les_formules(client, org_a, admin_a):
    systeme = fabrique.systeme(org_a, admin_a, contribution_decision="Aide.", **FORMULES)
    services.publier(systeme.pk, True, admin_a, systeme.version)
    reponse = client.get("/public/commune-a/registre.csv")
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"].startswith("attachment;")
    (ligne,) = csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig")))
    for champ in ("nom", "service", "fournisseur", "modeles", "donnees", "sources_donnees"):
        assert ligne[champ] == "'" + systeme.__dict__[champ], champ
    assert ligne["finalite"] == FORMULES["finalite"]
    # Aucune cellule ne commence par un caractère qu'un tableur interpréterait.
    assert not [v for v in ligne.values() if v[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_formulaire_refuse_caractere_nul_et_texte_trop_long(client, org_a, admin_a):
    client.force_login(admin_a)
    avant = instantane.photo()
    for hostile in ({"nom": "Fuite\x00s"}, {"finalite": "a\x00b"}, {"nom": "x" * 201}):
        reponse = client.post("/o/commune-a/registre/nouveau/", {**fabrique.FICHE_MINIMALE, **hostile})
        assert reponse.status_code == 200  # formulaire réaffiché avec l'erreur
        assert reponse.context["form"].errors
    assert instantane.photo() == avant


def test_cout_negatif_refuse_par_les_pages_comme_par_l_api(client, org_a, admin_a, systeme_a):
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post("/o/commune-a/registre/nouveau/", {**fabrique.FICHE_MINIMALE, "cout_annuel": "-5"})
    assert reponse.status_code == 200
    assert "supérieure ou égale à 0" in _texte(reponse)
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/modifier/",
        {**fabrique.FICHE_MINIMALE, "version": "1", "cout_investissement": "-0.01"},
    )
    assert reponse.status_code == 200 and reponse.context["form"].errors
    assert instantane.photo() == avant


def test_saisie_des_pages_toujours_lisible_par_l_api(client, org_a, admin_a):
    """Ce que les pages acceptent (texte très long, adresse en localhost), l'API sait le relire."""
    client.force_login(admin_a)
    reponse = client.post(
        "/o/commune-a/registre/nouveau/",
        {**fabrique.FICHE_MINIMALE, "finalite": "f" * 25_000, "contact": "dpo@localhost"},
    )
    assert reponse.status_code == 302
    _, secret = JetonAPI.emettre(admin_a, "t")
    entetes = {"authorization": f"Bearer {secret}"}
    liste = client.get("/api/organisations/commune-a/systemes", headers=entetes)
    assert liste.status_code == 200
    (fiche,) = liste.json()["items"]
    assert len(fiche["finalite"]) == 25_000 and fiche["contact"] == "dpo@localhost"


# --- Documents déposés -------------------------------------------------------------------------------


def _deposer(client, systeme, nom, contenu, titre="Pièce"):
    fichier = SimpleUploadedFile(nom, contenu, content_type="application/pdf")
    return client.post(
        f"/o/commune-a/registre/{systeme.pk}/documents/", {"titre": titre, "fichier": fichier}, follow=True
    )


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
FICHIERS_REFUSES = [
    ("exécutable renommé en .pdf", "rapport.pdf", EXE, "ne correspond pas à son extension « .pdf »"),
    ("texte renommé en .png", "photo.png", b"Bonjour, je ne suis pas une image.\n", "« .png »"),
    ("HTML renommé en .pdf", "page.pdf", b"<html><script>alert(1)</script></html>", "« .pdf »"),
    ("fichier vide", "vide.pdf", b"", "vide"),
    ("exécutable", "outil.exe", EXE, "Format non accepté"),
    ("page HTML", "page.html", b"<script>alert(1)</script>", "Format non accepté"),
    ("image SVG (scripts possibles)", "logo.svg", b"<svg onload=alert(1)/>", "Format non accepté"),
    ("double extension", "rapport.pdf.exe", EXE, "Format non accepté"),
    ("sans extension", "rapport", instantane.PDF, "Format non accepté"),
    ("texte binaire", "notes.txt", b"abc\x00\x01\x02def", "n'est pas un fichier texte"),
    ("texte non UTF-8", "notes.csv", "élève;café\n".encode("latin-1") * 10, "UTF-8"),
    ("traversée de répertoires", "../../etc/passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n", "« .pdf »"),
    ("traversée Windows", "..\\..\\windows\\system.ini.pdf", b"[drivers]\n", "« .pdf »"),
]


@pytest.mark.parametrize(
    ("cas", "nom", "contenu", "message"), FICHIERS_REFUSES, ids=[f[0] for f in FICHIERS_REFUSES]
)
def test_document_refuse_avec_un_message_clair(
    client, admin_a, systeme_a, tmp_path, cas, nom, contenu, message
):
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = _deposer(client, systeme_a, nom, contenu)
    assert reponse.status_code == 200
    texte = _texte(reponse)
    assert "fr-alert--error" in texte
    assert message in texte, f"{cas} : message attendu « {message} »"
    assert "Document déposé." not in texte
    assert not Document.objects.exists()
    assert instantane.photo() == avant
    assert not [p for p in tmp_path.rglob("*") if p.is_file()], "un fichier a été écrit sur le disque"


def test_document_trop_gros_refuse(client, admin_a, systeme_a, settings):
    settings.DOCUMENT_MAX_OCTETS = 1024 * 1024
    client.force_login(admin_a)
    reponse = _deposer(client, systeme_a, "gros.pdf", instantane.PDF + b"0" * (1024 * 1024))
    assert "Le fichier dépasse la taille maximale de 1,0\xa0Mio." in _texte(reponse)
    assert not Document.objects.exists()
    # Juste à la limite : accepté.
    reponse = _deposer(client, systeme_a, "limite.pdf", instantane.PDF.ljust(1024 * 1024, b"0"))
    assert "Document déposé." in _texte(reponse) and Document.objects.count() == 1


def test_document_valide_range_sous_un_nom_aleatoire(client, admin_a, systeme_a, settings, tmp_path):
    client.force_login(admin_a)
    reponse = _deposer(
        client, systeme_a, "../../etc/Analyse d'impact.PDF", instantane.PDF, titre="<b>AIPD</b>"
    )
    assert "Document déposé." in _texte(reponse)
    document = Document.objects.get()
    assert document.nom_original == "Analyse d'impact.PDF"  # le chemin a disparu
    assert document.type_mime == "application/pdf" and document.taille == len(instantane.PDF)
    racine = Path(settings.MEDIA_ROOT).resolve()
    chemin = Path(document.fichier.path).resolve()
    assert chemin.is_relative_to(racine) and chemin.read_bytes() == instantane.PDF
    assert chemin.parent.name == f"org-{systeme_a.organisation_id}"
    assert re.fullmatch(r"[0-9a-f]{32}", chemin.stem) and chemin.suffix == ".pdf"
    assert "Analyse" not in str(chemin) and ".." not in document.fichier.name
    fichiers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert fichiers == [chemin], "rien ne doit être écrit hors du dossier des documents"
    # Le titre saisi est échappé dans la fiche.
    contenu = client.get(f"/o/commune-a/registre/{systeme_a.pk}/").content.decode()
    assert "<b>AIPD</b>" not in contenu and "&lt;b&gt;AIPD&lt;/b&gt;" in contenu


def test_document_telechargeable_seulement_par_les_membres(
    client, org_a, admin_a, lecteur_a, admin_b, systeme_a
):
    document = instantane.document(systeme_a, admin_a)
    url = f"/o/commune-a/registre/{systeme_a.pk}/documents/{document.pk}/"

    client.force_login(lecteur_a)
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == 'attachment; filename="note.pdf"'
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in reponse["Content-Security-Policy"]
    assert b"".join(reponse.streaming_content) == instantane.PDF

    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    assert client.get(f"/o/commune-b/registre/{systeme_a.pk}/documents/{document.pk}/").status_code == 404

    anonyme = Client()
    reponse = anonyme.get(url)
    assert reponse.status_code == 302 and reponse["Location"].startswith("/comptes/connexion/")

    services.archiver_document(document, admin_a)
    client.force_login(lecteur_a)
    assert client.get(url).status_code == 404


def test_document_texte_servi_en_piece_jointe(client, admin_a, systeme_a):
    """Un .txt contenant du HTML est accepté mais jamais affiché comme une page."""
    client.force_login(admin_a)
    _deposer(client, systeme_a, "notes.txt", b"<script>alert(1)</script>\n")
    document = Document.objects.get()
    reponse = client.get(f"/o/commune-a/registre/{systeme_a.pk}/documents/{document.pk}/")
    assert reponse["Content-Type"].startswith("text/plain")
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in reponse["Content-Security-Policy"]


# --- Formulaires trafiqués -------------------------------------------------------------------------


@pytest.mark.parametrize("vers", ["production", "arret", "inexistant", "", "idee"])
def test_stade_non_permis_refuse(client, admin_a, systeme_a, vers):
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/stade/", {"vers": vers, "version": "1"}, follow=True
    )
    attendu = "Choisissez le nouveau stade." if not vers else "Ce passage de stade n'est pas possible"
    assert attendu in _texte(reponse)
    assert instantane.photo() == avant


@pytest.mark.parametrize("role", ["superadmin", "ADMINISTRATEUR", "", "administrateur; DROP TABLE"])
def test_role_inconnu_refuse(client, org_a, admin_a, lecteur_a, role):
    client.force_login(admin_a)
    adhesion = Adhesion.objects.get(utilisateur=lecteur_a)
    avant = instantane.photo()
    reponse = client.post(f"/o/commune-a/membres/{adhesion.pk}/role/", {"role": role}, follow=True)
    assert "Rôle inconnu." in _texte(reponse)
    reponse = client.post("/o/commune-a/membres/", {"email": "nouvelle@exemple.fr", "role": role})
    assert reponse.status_code == 200 and "role" in reponse.context["form"].errors
    assert instantane.photo() == avant
    assert not Invitation.objects.exists()


def test_champs_reserves_ignores_a_la_creation(client, org_a, org_b, admin_a):
    """Un formulaire enrichi de champs cachés ne fixe ni l'organisation, ni le stade, ni la publication."""
    client.force_login(admin_a)
    client.post(
        "/o/commune-a/registre/nouveau/",
        {
            **fabrique.FICHE_MINIMALE,
            "organisation": str(org_b.pk),
            "stade": "production",
            "publie": "1",
            "archive_le": "2020-01-01",
            "uid": "00000000-0000-0000-0000-000000000000",
            "version": "40",
        },
    )
    systeme = SystemeIA.objects.get()
    assert systeme.organisation == org_a and systeme.stade == "idee" and not systeme.publie
    assert systeme.archive_le is None and systeme.version == 1
    assert str(systeme.uid) != "00000000-0000-0000-0000-000000000000"


def test_choix_hors_liste_refuse(client, admin_a, systeme_a):
    client.force_login(admin_a)
    avant = instantane.photo()
    for champ, valeur in [("domaine", "astrologie"), ("hebergement", "lune"), ("type_ia", "<script>")]:
        reponse = client.post(
            f"/o/commune-a/registre/{systeme_a.pk}/modifier/",
            {**fabrique.FICHE_MINIMALE, "version": "1", champ: valeur},
        )
        assert reponse.status_code == 200 and champ in reponse.context["form"].errors
        assert "<script>" not in reponse.content.decode()
    assert instantane.photo() == avant


@pytest.mark.parametrize("version", ["0", "-1", "abc", "1.5", "99999999999999999999"])
def test_version_trafiquee(client, admin_a, systeme_a, version):
    client.force_login(admin_a)
    avant = instantane.photo()
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/modifier/",
        {**fabrique.FICHE_MINIMALE, "version": version, "nom": "Modifié"},
    )
    assert reponse.status_code in (200, 409)  # formulaire réaffiché (erreur ou conflit), jamais 500
    assert instantane.photo() == avant
    reponse = client.post(
        f"/o/commune-a/registre/{systeme_a.pk}/stade/", {"vers": "etude", "version": version}
    )
    assert reponse.status_code == 302
    assert instantane.photo() == avant


@pytest.mark.parametrize("action", ["publication", "archivage"])
def test_version_perimee_sur_publication_et_archivage(client, admin_a, systeme_a, action):
    client.force_login(admin_a)
    avant = instantane.photo()
    for version in ("7", "99999999999999999999"):
        reponse = client.post(
            f"/o/commune-a/registre/{systeme_a.pk}/{action}/",
            {"version": version, "publie": "1"},
            follow=True,
        )
        assert "Cette fiche a été modifiée par" in _texte(reponse)
    assert instantane.photo() == avant


ECRITURES_SANS_CSRF = [
    ("registre/nouveau/", lambda s: {**fabrique.FICHE_MINIMALE, "nom": "Sans CSRF"}),
    ("registre/{pk}/modifier/", lambda s: {**fabrique.FICHE_MINIMALE, "version": "1", "nom": "Sans CSRF"}),
    ("registre/{pk}/stade/", lambda s: {"vers": "etude", "version": "1"}),
    ("registre/{pk}/publication/", lambda s: {"publie": "1", "version": "1"}),
    ("registre/{pk}/archivage/", lambda s: {"version": "1"}),
    ("registre/{pk}/documents/", lambda s: {"titre": "t", "fichier": instantane.pdf()}),
    ("membres/", lambda s: {"email": "x@exemple.fr", "role": "administrateur"}),
    ("membres/{adhesion}/role/", lambda s: {"role": "administrateur"}),
    ("membres/{adhesion}/retrait/", lambda s: {}),
    ("parametres/", lambda s: {"nom": "Sans CSRF", "type": "commune", "seuil_secret": "5", "version": "1"}),
    ("metiers/groupes/suivre/", lambda s: {"niveau": "Concernés", "cible": "|"}),
    (
        "metiers/referentiel/metiers/nouveau/",
        lambda s: {"libelle": "Sans CSRF", "isco08": "9999", "niveau": "Concernés", "justification": "."},
    ),
    ("metiers/imports/nouveau/", lambda s: {"fichier": SimpleUploadedFile("e.csv", b"Metier\nJardinier\n")}),
]


@pytest.mark.parametrize(("chemin", "donnees"), ECRITURES_SANS_CSRF, ids=[e[0] for e in ECRITURES_SANS_CSRF])
def test_ecriture_sans_jeton_csrf_refusee(org_a, admin_a, lecteur_a, systeme_a, chemin, donnees):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    adhesion = Adhesion.objects.get(utilisateur=lecteur_a)
    url = "/o/commune-a/" + chemin.format(pk=systeme_a.pk, adhesion=adhesion.pk)
    avant = instantane.photo()
    reponse = client.post(url, donnees(systeme_a))
    assert reponse.status_code == 403
    assert instantane.photo() == avant
    # Témoin : avec le jeton lu dans une page, la même écriture passe.
    client.get("/o/commune-a/registre/")
    jeton = client.cookies["csrftoken"].value
    reponse = client.post(url, {**donnees(systeme_a), "csrfmiddlewaretoken": jeton})
    assert reponse.status_code in (200, 302)
    assert instantane.photo() != avant


@pytest.mark.parametrize(
    "requete",
    [
        "q=%00",
        "service=a%00b",
        "q=" + "x" * 5000,
        "page=abc",
        "page=99999999999999999999",
        "page=-1",
        "tri=mot_de_passe",
        "tri=-archive_le",
        "domaine=%3Cscript%3E",
        "donnees_personnelles=peut-etre",
        "archives=1&stade=%27%3B--",
        "q=%25%27%22%5C_",
    ],
)
def test_filtres_hostiles_dans_la_liste(client, admin_a, systeme_a, requete):
    client.force_login(admin_a)
    reponse = client.get(f"/o/commune-a/registre/?{requete}")
    assert reponse.status_code == 200
    assert "<script>" not in reponse.content.decode()
