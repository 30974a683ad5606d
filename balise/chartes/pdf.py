"""La charte adoptée en PDF (WeasyPrint), comme le dossier du comité (instruments/dossier.py)."""

from __future__ import annotations

import gc

from django.template.loader import render_to_string
from weasyprint import HTML

from .models import VersionCharte
from .selectors import consultations


def pdf(charte: VersionCharte) -> bytes:
    contenu = render_to_string(
        "chartes/pdf.html",
        {
            "charte": charte,
            "organisation": charte.organisation,
            "consultations": consultations(charte, publiques=True),
        },
    )
    # Le ramasse-miettes est suspendu le temps de la mise en page (voir instruments/dossier.py).
    gc.disable()
    try:
        resultat: bytes = HTML(string=contenu).write_pdf()
        return resultat
    finally:
        gc.enable()
