"""Contrôle des documents déposés : extension permise, contenu réel conforme à l'extension, taille bornée.

On ne se fie ni au nom ni au type annoncés par le navigateur : les premiers octets du fichier
(signature) doivent correspondre au format attendu.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

if TYPE_CHECKING:
    from .models import Document

# extension → (types MIME reconnus par la signature, type MIME servi)
# Les formats bureautiques OOXML/ODF sont des archives ZIP : leur signature est celle d'un ZIP.
FORMATS: dict[str, tuple[frozenset[str], str]] = {
    ".pdf": (frozenset({"application/pdf"}), "application/pdf"),
    ".png": (frozenset({"image/png"}), "image/png"),
    ".jpg": (frozenset({"image/jpeg"}), "image/jpeg"),
    ".jpeg": (frozenset({"image/jpeg"}), "image/jpeg"),
    ".docx": (
        frozenset(
            {"application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (
        frozenset({"application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".odt": (
        frozenset({"application/zip", "application/vnd.oasis.opendocument.text"}),
        "application/vnd.oasis.opendocument.text",
    ),
    ".ods": (
        frozenset({"application/zip", "application/vnd.oasis.opendocument.spreadsheet"}),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
}
TEXTE = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}


class DocumentTropLourd(ValidationError):
    """Le fichier dépasse `BALISE_DOCUMENT_MAX_OCTETS` (l'API répond 413, les pages un message)."""


@dataclass(frozen=True)
class FichierVerifie:
    nom: str
    type_mime: str
    taille: int


def extensions_permises() -> str:
    return ", ".join(sorted(e.lstrip(".") for e in (*FORMATS, *TEXTE)))


def verifier(fichier: UploadedFile) -> FichierVerifie:
    nom = (fichier.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    extension = ("." + nom.rsplit(".", 1)[-1].lower()) if "." in nom else ""
    taille = fichier.size or 0
    if taille == 0:
        raise ValidationError("Le fichier est vide.")
    if taille > settings.DOCUMENT_MAX_OCTETS:
        raise DocumentTropLourd(
            f"Le fichier dépasse la taille maximale de {filesizeformat(settings.DOCUMENT_MAX_OCTETS)}."
        )
    if extension not in FORMATS and extension not in TEXTE:
        raise ValidationError(f"Format non accepté. Formats acceptés : {extensions_permises()}.")
    fichier.seek(0)
    entete = fichier.read(8192)
    fichier.seek(0)
    if extension in TEXTE:
        try:
            entete.decode("utf-8")
        except UnicodeDecodeError as erreur:
            # Un caractère multi-octets peut être coupé en fin de tampon : seule une erreur avant la fin compte.
            if erreur.start < len(entete) - 4:
                raise ValidationError("Le fichier texte doit être encodé en UTF-8.") from None
        if b"\x00" in entete:
            raise ValidationError("Ce fichier n'est pas un fichier texte.")
        return FichierVerifie(nom, TEXTE[extension], taille)
    attendus, servi = FORMATS[extension]
    detecte = filetype.guess_mime(entete)
    if detecte not in attendus:
        raise ValidationError(f"Le contenu du fichier ne correspond pas à son extension « {extension} ».")
    return FichierVerifie(nom, servi, taille)


def telechargement(document: Document) -> FileResponse:
    """Le fichier en pièce jointe, jamais affiché dans le navigateur (même un HTML déposé)."""
    try:
        flux = document.fichier.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    reponse = FileResponse(
        flux, as_attachment=True, filename=document.nom_original, content_type=document.type_mime
    )
    reponse["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return reponse
