"""QR codes en SVG (bibliothèque segno, sans dépendance) : de simples chemins, sans style ni script."""

import io

import segno


def svg(adresse: str) -> str:
    """Le QR code de `adresse`, correction d'erreurs « M » (15 % de la surface peut être abîmée)."""
    sortie = io.BytesIO()
    segno.make(adresse, error="m", micro=False).save(
        sortie, kind="svg", scale=4, border=4, xmldecl=False, title="QR code de l'adresse du questionnaire"
    )
    return sortie.getvalue().decode()
