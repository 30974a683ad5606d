"""Le nom d'un fichier téléchargé : lisible par la personne qui le range, le même partout.

« dossier-detection-des-fuites-2026-12-04.pdf » plutôt que « dossier-0f29acf0-….pdf » : des mots (le nom
du système, de l'organisation) ramenés en minuscules sans accents ni signes, la date, l'extension. Chaque
vue qui rend un fichier passe par `disposition` (en-tête Content-Disposition).
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

LONGUEUR_PARTIE = 60


def nom_fichier(*parties: object, extension: str, jour: date | datetime | None = None) -> str:
    """Les parties non vides, chacune en mots simples et bornée, puis la date (AAAA-MM-JJ) si donnée."""
    mots = [slugify(str(p))[:LONGUEUR_PARTIE].strip("-") for p in parties]
    if jour is not None:
        le = timezone.localdate(jour) if isinstance(jour, datetime) else jour
        mots.append(f"{le:%Y-%m-%d}")
    return "-".join(m for m in mots if m) + f".{extension}"


def disposition(nom: str, en_ligne: bool = False) -> str:
    """L'en-tête Content-Disposition : en pièce jointe, ou à ouvrir dans le navigateur."""
    return content_disposition_header(not en_ligne, nom) or ""
