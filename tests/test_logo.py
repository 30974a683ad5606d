"""Le logo d'une organisation (balise/organisations/logos.py, docs/identite-visuelle.md) : déposé par un
administrateur, vérifié et ré-encodé, historisé, affiché en tête de ses pages et de son registre public,
servi à une adresse versionnée ; tout fichier hostile ou inadapté est refusé sans rien changer."""

import io
import random
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin

from balise.organisations import logos
from balise.organisations.models import Logo, Organisation
from balise.registre import services as registre
from tests import fabrique, instantane

_IMG = re.compile(
    r'<img class="balise-logo" src="(?P<src>[^"]+)" alt="(?P<alt>[^"]*)" width="(\d+)" height="(\d+)">'
)


def _deposer(
    client: Client, org: Organisation, contenu: bytes, nom: str = "logo.png", version=None, type_="image/png"
):
    org.refresh_from_db()
    return client.post(
        f"/o/{org.slug}/parametres/logo/",
        {
            "fichier": SimpleUploadedFile(nom, contenu, content_type=type_),
            "version": org.version if version is None else version,
        },
    )


def _retirer(client: Client, org: Organisation, version=None):
    org.refresh_from_db()
    return client.post(
        f"/o/{org.slug}/parametres/logo/retrait/", {"version": org.version if version is None else version}
    )


def _logo_de(html: str) -> tuple[str, str, int, int] | None:
    trouve = _IMG.search(html)
    return (trouve["src"], trouve["alt"], int(trouve[3]), int(trouve[4])) if trouve else None


def _png_servi(client: Client, adresse: str) -> Image.Image:
    reponse = client.get(adresse)
    assert reponse.status_code == 200 and reponse["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(reponse.content))
    assert image.format == "PNG"
    return image


@pytest.fixture
def admin(client, org_a, admin_a):
    client.force_login(admin_a)
    return client


# --- Déposer, voir, servir ---------------------------------------------------------------------------


def test_le_logo_depose_mene_les_pages_et_le_registre_public(admin, org_a, admin_a, systeme_a):
    infos = PngImagePlugin.PngInfo()
    infos.add_text("Comment", "Texte caché du fichier d'origine")
    reponse = _deposer(admin, org_a, fabrique.image(taille=(600, 200), pnginfo=infos), nom="armoiries.png")
    assert reponse.status_code == 302 and reponse["Location"] == f"/o/{org_a.slug}/parametres/"
    org_a.refresh_from_db()
    assert re.fullmatch(r"[0-9a-f]{64}", org_a.logo)
    # Réduit à 144 pixels de haut (432 × 144), affiché à la moitié : 216 × 72.
    assert (org_a.logo_largeur, org_a.logo_hauteur) == (216, 72)
    version = org_a.history.first()
    assert version.history_user == admin_a
    assert version.history_change_reason == "Logo déposé : « armoiries.png », 432 × 144 pixels"
    gardé = Logo.objects.get(organisation=org_a)
    assert (gardé.empreinte, gardé.depose_par, gardé.largeur, gardé.hauteur) == (
        org_a.logo,
        admin_a,
        432,
        144,
    )

    adresse = f"/public/{org_a.slug}/logo.png?v={org_a.logo[:16]}"
    assert _logo_de(admin.get(f"/o/{org_a.slug}/portefeuille/").content.decode()) == (
        adresse,
        "Commune A",
        216,
        72,
    )
    anonyme = Client()
    assert _logo_de(anonyme.get(f"/public/{org_a.slug}/").content.decode()) == (adresse, "Commune A", 216, 72)

    reponse = anonyme.get(adresse)
    assert reponse.status_code == 200 and reponse["Content-Type"] == "image/png"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"cach" not in reponse.content and b"Comment" not in reponse.content  # aucune métadonnée
    image = Image.open(io.BytesIO(reponse.content))
    assert (image.format, image.size, image.mode) == ("PNG", (432, 144), "RGBA")
    assert not image.info.keys() - {"dpi"}

    # Sans version : revalidée à chaque fois, par son étiquette.
    sans_version = anonyme.get(f"/public/{org_a.slug}/logo.png")
    assert sans_version.status_code == 200 and "no-cache" in sans_version["Cache-Control"]
    assert sans_version.content == reponse.content
    revalidee = anonyme.get(f"/public/{org_a.slug}/logo.png", headers={"if-none-match": sans_version["ETag"]})
    assert revalidee.status_code == 304 and revalidee.content == b""


def test_un_jpeg_est_oriente_et_perd_ses_metadonnees(admin, org_a):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation : pivoter de 90° pour l'afficher
    exif[0x010E] = "Position secrète de la mairie"  # description de l'image
    jpeg = fabrique.image("JPEG", taille=(300, 100), exif=exif.tobytes(), comment=b"commentaire secret")
    assert _deposer(admin, org_a, jpeg, nom="photo.jpg", type_="image/jpeg").status_code == 302
    org_a.refresh_from_db()
    image = _png_servi(admin, f"/public/{org_a.slug}/logo.png")
    assert image.size == (48, 144)  # 300 × 100 tourné d'un quart, puis réduit à 144 pixels de haut
    png = Logo.objects.get().png
    assert b"secret" not in png and b"Exif" not in png and not image.getexif()


def test_un_webp_est_accepte(admin, org_a):
    assert (
        _deposer(admin, org_a, fabrique.image("WEBP", taille=(120, 60)), nom="logo.webp").status_code == 302
    )
    org_a.refresh_from_db()
    assert _png_servi(admin, f"/public/{org_a.slug}/logo.png").size == (120, 60)  # jamais agrandi
    assert (org_a.logo_largeur, org_a.logo_hauteur) == (120, 60)


def test_un_fichier_polyglotte_est_reecrit_sans_ce_qu_il_cachait(admin, org_a):
    """Un PNG valide suivi d'une page HTML : accepté comme image, mais rien des octets reçus n'est servi."""
    polyglotte = fabrique.image(taille=(64, 64)) + b"<html><script>alert(document.cookie)</script></html>"
    assert _deposer(admin, org_a, polyglotte).status_code == 302
    org_a.refresh_from_db()
    servi = admin.get(f"/public/{org_a.slug}/logo.png").content
    assert b"<script>" not in servi and b"<html>" not in servi


# --- Fichiers refusés : un message en français, rien de changé --------------------------------------


def _bombe() -> bytes:
    """20 000 × 20 000 pixels (400 millions) en quelques dizaines de Ko : une bombe de décompression."""
    ligne = b"\x00" + b"\x00" * (20_000 // 8)  # filtre, puis une ligne de pixels noirs (1 bit)

    def bloc(nature: bytes, donnees: bytes) -> bytes:
        return (
            struct.pack(">I", len(donnees))
            + nature
            + donnees
            + struct.pack(">I", zlib.crc32(nature + donnees))
        )

    entete = struct.pack(">IIBBBBB", 20_000, 20_000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + bloc(b"IHDR", entete)
        + bloc(b"IDAT", zlib.compress(ligne * 20_000, 9))
        + bloc(b"IEND", b"")
    )


def _bruit(cote: int) -> bytes:
    """Une image de bruit : elle ne se compresse pas (plus de 500 Ko en PNG pour 600 × 600)."""
    sortie = io.BytesIO()
    Image.frombytes("RGB", (cote, cote), random.Random(1).randbytes(cote * cote * 3)).save(sortie, "PNG")
    return sortie.getvalue()


def _png() -> bytes:
    return fabrique.image(taille=(300, 100))


_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'

# (cas, nom du fichier, contenu — fabriqué à la demande, message attendu)
FICHIERS_REFUSES = [
    ("texte renommé en .png", "logo.png", lambda: b"Bonjour, je ne suis pas une image.\n", logos.ILLISIBLE),
    ("SVG (scripts possibles)", "logo.svg", lambda: _SVG, logos.ILLISIBLE),
    ("SVG renommé en .png", "logo.png", lambda: _SVG, logos.ILLISIBLE),
    ("page HTML renommée", "logo.jpg", lambda: b"<!DOCTYPE html><script>alert(1)</script>", logos.ILLISIBLE),
    ("GIF (format non retenu)", "logo.gif", lambda: fabrique.image("GIF", taille=(64, 64)), logos.ILLISIBLE),
    ("fichier vide", "logo.png", lambda: b"", "Le fichier est vide."),
    ("PNG tronqué", "logo.png", lambda: _bruit(120)[:20_000], "L'image est incomplète ou abîmée"),
    (
        "JPEG tronqué",
        "logo.jpg",
        lambda: fabrique.image("JPEG", taille=(300, 100))[:700],
        "L'image est incomplète ou abîmée",
    ),
    ("en-tête PNG seul", "logo.png", lambda: _png()[:33], logos.ILLISIBLE),
    ("bombe de décompression", "logo.png", _bombe, "L'image est trop grande"),
    (
        "image trop large",
        "logo.png",
        lambda: fabrique.image(taille=(5000, 20)),
        "L'image est trop grande (5000 × 20 pixels)",
    ),
    (
        "image minuscule",
        "logo.png",
        lambda: fabrique.image(taille=(8, 8)),
        "L'image est trop petite (8 × 8 pixels)",
    ),
    ("plus de 500 Ko", "logo.png", lambda: _bruit(600), "Le logo dépasse la taille maximale de 500 Ko."),
]


@pytest.mark.parametrize(
    ("nom", "contenu", "message"), [f[1:] for f in FICHIERS_REFUSES], ids=[f[0] for f in FICHIERS_REFUSES]
)
def test_un_fichier_refuse_ne_change_rien(admin, org_a, nom, contenu, message):
    fichier = contenu()
    avant = instantane.photo()
    reponse = _deposer(admin, org_a, fichier, nom=nom)
    assert reponse.status_code == 200
    assert message in reponse.content.decode().replace("&#x27;", "'")
    assert instantane.differences(avant, instantane.photo()) == []


def test_le_meme_logo_deux_fois_ne_change_rien(admin, org_a):
    assert _deposer(admin, org_a, _png()).status_code == 302
    avant = instantane.photo()
    reponse = _deposer(admin, org_a, _png())
    assert "déjà le logo de l&#x27;organisation" in reponse.content.decode()
    assert instantane.differences(avant, instantane.photo()) == []


def test_une_version_perimee_ne_change_rien(admin, org_a, admin_a):
    from balise.organisations import services

    services.modifier_organisation(org_a.pk, {"nom": "Commune A renommée"}, 1, admin_a)
    avant = instantane.photo()
    reponse = _deposer(admin, org_a, _png(), version=1)
    assert reponse.status_code == 302
    page = admin.get(reponse["Location"]).content.decode()
    assert (
        "Le logo n&#x27;a pas été changé : les informations de l&#x27;organisation ont été modifiées par"
        in page
    )
    reponse = _retirer(admin, org_a, version="")
    assert "la version de la page sur laquelle repose votre envoi n&#x27;a pas été transmise" in (
        admin.get(reponse["Location"]).content.decode()
    )
    assert instantane.differences(avant, instantane.photo()) == []


# --- Remplacer, retirer : rien de périmé, rien de perdu ---------------------------------------------


def test_remplacer_puis_retirer_se_voit_aussitot(admin, pages_fraiches, org_a, admin_a, lecteur_a, systeme_a):
    """Les pages en cache (registre public compris) sont celles d'un rendu frais après chaque écriture."""
    registre.publier(systeme_a.pk, True, admin_a, systeme_a.version)
    lecteurs = {"administrateur": admin_a, "lecteur": lecteur_a}
    pages_fraiches.chauffer(org_a, lecteurs)
    assert _deposer(admin, org_a, fabrique.image(taille=(300, 100))).status_code == 302
    pages_fraiches.comparer("dépôt du logo")
    org_a.refresh_from_db()
    premier = f"/public/{org_a.slug}/logo.png?v={org_a.version_logo}"
    assert _logo_de(Client().get(f"/public/{org_a.slug}/").content.decode())[0] == premier

    pages_fraiches.chauffer(org_a, lecteurs)
    assert _deposer(admin, org_a, fabrique.image(taille=(300, 100), couleur=(120, 40, 10))).status_code == 302
    pages_fraiches.comparer("remplacement du logo")
    org_a.refresh_from_db()
    second = f"/public/{org_a.slug}/logo.png?v={org_a.version_logo}"
    assert second != premier
    assert _logo_de(Client().get(f"/public/{org_a.slug}/").content.decode())[0] == second
    assert Client().get(premier).status_code == 404  # l'adresse de l'ancien ne sert plus rien
    assert org_a.history.first().history_change_reason.startswith("Logo remplacé")

    pages_fraiches.chauffer(org_a, lecteurs)
    assert _retirer(admin, org_a).status_code == 302
    pages_fraiches.comparer("retrait du logo")
    org_a.refresh_from_db()
    assert (org_a.logo, org_a.logo_largeur, org_a.logo_hauteur) == ("", None, None)
    assert "balise-logo" not in Client().get(f"/public/{org_a.slug}/").content.decode()
    for adresse in (second, f"/public/{org_a.slug}/logo.png"):
        assert Client().get(adresse).status_code == 404
    # Rien n'est perdu : les deux images restent gardées, chaque changement a son auteur.
    assert Logo.objects.filter(organisation=org_a).count() == 2
    versions = list(org_a.history.all()[:3])
    assert [v.history_change_reason.split(" :")[0] for v in versions] == [
        "Logo retiré",
        "Logo remplacé",
        "Logo déposé",
    ]
    assert {v.history_user for v in versions} == {admin_a}


def test_le_journal_montre_le_depot_et_le_retrait(admin, org_a):
    _deposer(admin, org_a, _png(), nom="blason.png")
    _retirer(admin, org_a)
    journal = admin.get(f"/o/{org_a.slug}/journal/").content.decode()
    assert "Motif : Logo déposé : « blason.png », 300 × 100 pixels" in journal
    assert "Motif : Logo retiré" in journal


def test_retirer_sans_logo_le_dit(admin, org_a):
    avant = instantane.photo()
    page = admin.get(_retirer(admin, org_a)["Location"]).content.decode()
    assert "L&#x27;organisation n&#x27;a pas de logo à retirer." in page
    assert instantane.differences(avant, instantane.photo()) == []


# --- Qui peut changer le logo ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["referent", "dpo", "lecteur", "comite", "rh", "externe"])
def test_seul_un_administrateur_change_le_logo(client, admin, org_a, role):
    assert _deposer(admin, org_a, _png()).status_code == 302
    client.force_login(fabrique.membre(org_a, role))
    avant = instantane.photo()
    assert _deposer(client, org_a, fabrique.image(taille=(300, 100), couleur=(0, 0, 0))).status_code == 403
    assert _retirer(client, org_a).status_code == 403
    assert instantane.differences(avant, instantane.photo()) == []


def test_une_autre_organisation_ni_anonyme_ne_change_le_logo(admin, org_a, admin_b):
    assert _deposer(admin, org_a, _png()).status_code == 302
    avant = instantane.photo()
    de_b = Client()
    de_b.force_login(admin_b)
    assert _deposer(de_b, org_a, fabrique.image(taille=(300, 100), couleur=(0, 0, 0))).status_code == 404
    assert _retirer(de_b, org_a).status_code == 404
    anonyme = Client()
    for reponse in (_deposer(anonyme, org_a, _png()), _retirer(anonyme, org_a)):
        assert reponse.status_code == 302 and "/comptes/connexion/" in reponse["Location"]
    assert instantane.differences(avant, instantane.photo()) == []


def test_sans_logo_ni_image_ni_adresse(client, org_a):
    assert "balise-logo" not in client.get(f"/public/{org_a.slug}/").content.decode()
    assert client.get(f"/public/{org_a.slug}/logo.png").status_code == 404
    assert client.get("/public/inconnue/logo.png").status_code == 404


def test_taille_affichee():
    assert logos.taille_affichee(576, 144) == (288, 72)
    assert logos.taille_affichee(576, 20) == (288, 10)
    assert logos.taille_affichee(40, 40) == (40, 40)  # jamais agrandie
    assert logos.taille_affichee(100, 144) == (50, 72)
