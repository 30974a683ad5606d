"""Le logo d'une organisation : un fichier déposé, vérifié, puis ré-encodé en un PNG propre.

On ne se fie ni au nom ni au type annoncés par le navigateur : Pillow lit le fichier avec ses seuls
décodeurs PNG, JPEG et WebP (un SVG, un GIF, un texte renommé ne sont reconnus par aucun). Les
dimensions sont lues dans l'en-tête et bornées avant tout décodage (une image de 20 000 × 20 000
pixels tient en 50 Ko compressés : une « bombe de décompression »). L'image décodée est enfin
réduite et écrite de nouveau en PNG, sans aucune métadonnée (EXIF, position GPS, commentaires,
profils) : ce qui est servi n'a plus rien des octets reçus, ni ce qu'un fichier polyglotte cachait
après l'image.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageFile, ImageOps

# Formats de Pillow acceptés → leur nom pour les personnes.
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}
TYPES_ACCEPTES = "image/png,image/jpeg,image/webp"  # attribut `accept` du champ (une aide, pas un contrôle)
MAX_OCTETS = 500 * 1024
# Avant réduction : un logo n'a pas besoin de plus, et l'image décodée tient alors en 32 Mo au plus.
COTE_MAX = 4000
PIXELS_MAX = 8_000_000
COTE_MIN = 16
# Taille affichée au plus dans l'en-tête (pixels CSS) ; l'image gardée en a le double, pour les
# écrans à forte densité.
LARGEUR_AFFICHEE = 288
HAUTEUR_AFFICHEE = 72
DENSITE = 2

TROP_LOURD = f"Le logo dépasse la taille maximale de {MAX_OCTETS // 1024} Ko."
ILLISIBLE = "Ce fichier n'est pas une image PNG, JPEG ou WebP lisible."


@dataclass(frozen=True)
class LogoPropre:
    """Le logo ré-encodé : ses octets PNG, leur empreinte SHA-256, ses tailles gardée et affichée."""

    png: bytes
    empreinte: str
    largeur: int
    hauteur: int
    largeur_affichee: int
    hauteur_affichee: int
    nom_original: str


def _ajuster(largeur: int, hauteur: int, largeur_max: int, hauteur_max: int) -> tuple[int, int]:
    """La taille qui tient dans le cadre en gardant les proportions, sans jamais agrandir."""
    echelle = min(1.0, largeur_max / largeur, hauteur_max / hauteur)
    return max(1, round(largeur * echelle)), max(1, round(hauteur * echelle))


def taille_affichee(largeur: int, hauteur: int) -> tuple[int, int]:
    return _ajuster(largeur, hauteur, LARGEUR_AFFICHEE, HAUTEUR_AFFICHEE)


def _verifier_dimensions(largeur: int, hauteur: int) -> None:
    if largeur > COTE_MAX or hauteur > COTE_MAX or largeur * hauteur > PIXELS_MAX:
        raise ValidationError(
            f"L'image est trop grande ({largeur} × {hauteur} pixels) : {COTE_MAX} pixels de côté "
            f"et {PIXELS_MAX // 1_000_000} millions de pixels au plus."
        )
    if min(largeur, hauteur) < COTE_MIN:
        raise ValidationError(
            f"L'image est trop petite ({largeur} × {hauteur} pixels) : {COTE_MIN} pixels de côté au moins."
        )


def _a_de_la_transparence(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


_LECTURE = threading.Lock()


@contextmanager
def _lecture_stricte() -> Iterator[None]:
    """Pillow refuse de nouveau les images tronquées : WeasyPrint (les PDF) les lui fait accepter pour
    tout le processus dès son import (`ImageFile.LOAD_TRUNCATED_IMAGES`), ce qui complèterait en
    silence un logo incomplet. Rétabli ensuite ; un verrou, pour deux dépôts dans deux fils à la fois."""
    with _LECTURE:
        avant = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = avant


def _decoder(donnees: bytes) -> Image.Image:
    """L'image décodée, orientée, en RGB ou RGBA ; ValidationError pour tout fichier refusé."""
    with _lecture_stricte():
        return _decoder_strictement(donnees)


def _decoder_strictement(donnees: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Au-delà de MAX_IMAGE_PIXELS, Pillow avertit seulement : c'est ici une erreur.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(donnees), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(f"L'image est trop grande : {COTE_MAX} pixels de côté au plus.") from None
        except Exception:  # tout refus du lecteur (format inconnu, en-tête faux) se vaut
            raise ValidationError(ILLISIBLE) from None
    with image:
        _verifier_dimensions(*image.size)  # lues dans l'en-tête, avant de décoder
        try:
            # Première image seulement (un PNG ou un WebP animé ne l'est plus) ; un fichier tronqué
            # ou corrompu échoue ici (lecture stricte, plus haut).
            image.load()
            orientee = ImageOps.exif_transpose(image)
            return orientee.convert("RGBA" if _a_de_la_transparence(orientee) else "RGB")
        except Exception:  # les décodeurs lèvent OSError, SyntaxError, ValueError, EOFError…
            raise ValidationError(
                "L'image est incomplète ou abîmée : elle n'a pas pu être lue en entier."
            ) from None


def nettoyer(fichier: UploadedFile) -> LogoPropre:
    """Vérifie le fichier déposé et renvoie le logo ré-encodé, ou lève ValidationError en français."""
    nom = (fichier.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if (fichier.size or 0) > MAX_OCTETS:
        raise ValidationError(TROP_LOURD)
    fichier.seek(0)
    donnees = fichier.read(MAX_OCTETS + 1)
    if not donnees:
        raise ValidationError("Le fichier est vide.")
    if len(donnees) > MAX_OCTETS:  # la taille annoncée peut mentir
        raise ValidationError(TROP_LOURD)
    image = _decoder(donnees)
    image.thumbnail((LARGEUR_AFFICHEE * DENSITE, HAUTEUR_AFFICHEE * DENSITE), Image.Resampling.LANCZOS)
    image.info = {}  # ni profil, ni texte, ni EXIF ne passent dans le PNG écrit
    sortie = io.BytesIO()
    image.save(sortie, "PNG", optimize=True)
    png = sortie.getvalue()
    largeur_affichee, hauteur_affichee = taille_affichee(*image.size)
    return LogoPropre(
        png=png,
        empreinte=hashlib.sha256(png).hexdigest(),
        largeur=image.width,
        hauteur=image.height,
        largeur_affichee=largeur_affichee,
        hauteur_affichee=hauteur_affichee,
        nom_original=nom,
    )
