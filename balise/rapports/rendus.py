"""Les rendus d'un rapport : PDF (WeasyPrint), ODT (odfpy) et DOCX (python-docx), du même contenu.

Les trois lisent le `Rapport` de contenu.py et rien d'autre : ils ne peuvent pas montrer un chiffre que
le contenu n'a pas (une case masquée n'en a pas). L'ODT et le DOCX sont faits pour être retouchés avant
l'assemblée : vrais titres (styles « Titre 1 », « Heading 1 »…), vrais tableaux, listes à puces.
"""

from __future__ import annotations

import gc
import io

from markupsafe import escape

from balise.documents import COULEUR_TITRES

from .contenu import Liste, Paragraphe, Rapport, Section, Tableau

# --- PDF ---------------------------------------------------------------------------------------------

# Mise en page fixe des tableaux et pas de « break-inside: avoid » par ligne : la mise en page de centaines de
# lignes en coûte deux fois moins (mesuré par bench/rapports.py) ; l'en-tête se répète à chaque page.
_STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-center { content: counter(page) " / " counter(pages);
  font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #161616; }
h1 { font-size: 18pt; margin: 0 0 4pt; color: COULEUR; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; color: COULEUR; break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; break-after: avoid; }
p.meta { color: #555; margin: 0 0 2pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; table-layout: fixed; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
thead th { background: #eeeeee; }
tfoot td { font-weight: bold; background: #f6f6f6; }
td.secret { font-style: italic; color: #555; }
thead { display: table-header-group; }
""".replace("COULEUR", COULEUR_TITRES)


def _html_bloc(bloc: Paragraphe | Liste | Tableau) -> str:
    if isinstance(bloc, Paragraphe):
        return f"<p>{escape(bloc.texte)}</p>"
    if isinstance(bloc, Liste):
        return "<ul>" + "".join(f"<li>{escape(e)}</li>" for e in bloc.elements) + "</ul>"
    entetes = "".join(f'<th scope="col">{escape(e)}</th>' for e in bloc.entetes)

    def rang(cellules: list) -> str:
        return (
            "<tr>"
            + "".join(
                f'<td class="secret">{escape(c.texte)}</td>' if c.masquee else f"<td>{escape(c.texte)}</td>"
                for c in cellules
            )
            + "</tr>"
        )

    corps = "".join(rang(ligne) for ligne in bloc.lignes)
    pied = f"<tfoot>{rang(bloc.pied)}</tfoot>" if bloc.pied else ""
    return (
        f"<table><caption>{escape(bloc.legende)}</caption><thead><tr>{entetes}</tr></thead>"
        f"<tbody>{corps}</tbody>{pied}</table>"
    )


def _html_section(section: Section, niveau: int) -> str:
    balise = f"h{min(niveau, 6)}"
    parties = [f"<{balise}>{escape(section.titre)}</{balise}>"]
    parties += [_html_bloc(b) for b in section.blocs]
    parties += [_html_section(s, niveau + 1) for s in section.sous_sections]
    return "".join(parties)


def html(rapport: Rapport) -> str:
    """Le document HTML que WeasyPrint met en page : tout texte du contenu y passe par `escape`."""
    t, st, m = escape(rapport.titre), escape(rapport.sous_titre), escape(rapport.mention)
    corps = "".join(_html_section(s, 2) for s in rapport.sections)
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{t}</title><style>{_STYLE}'
        f'</style></head><body><h1>{t}</h1><p class="meta">{st}</p><p class="meta">{m}</p>{corps}</body></html>'
    )


def pdf(rapport: Rapport) -> bytes:
    from weasyprint import HTML

    # Comme instruments/dossier.py : le ramasse-miettes est suspendu le temps de la mise en page.
    gc.disable()
    try:
        resultat: bytes = HTML(string=html(rapport)).write_pdf()
        return resultat
    finally:
        gc.enable()


# --- ODT ---------------------------------------------------------------------------------------------


def odt(rapport: Rapport) -> bytes:
    from odf import dc, text
    from odf import table as t
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties

    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text=rapport.titre))
    styles = doc.styles
    for niveau, taille in ((1, "18pt"), (2, "14pt"), (3, "12pt")):
        style = Style(name=f"Heading_20_{niveau}", displayname=f"Heading {niveau}", family="paragraph")
        style.addElement(TextProperties(fontsize=taille, fontweight="bold", color=COULEUR_TITRES))
        style.addElement(ParagraphProperties(margintop="0.3cm", marginbottom="0.15cm", keepwithnext="always"))
        styles.addElement(style)
    gras = Style(name="Entete", family="paragraph")
    gras.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(gras)
    italique = Style(name="Secret", family="paragraph")
    italique.addElement(TextProperties(fontstyle="italic"))
    doc.automaticstyles.addElement(italique)
    legende = Style(name="Legende", family="paragraph")
    legende.addElement(TextProperties(fontweight="bold"))
    legende.addElement(ParagraphProperties(margintop="0.2cm", keepwithnext="always"))
    doc.automaticstyles.addElement(legende)
    colonne = Style(name="Colonne", family="table-column")
    colonne.addElement(TableColumnProperties(useoptimalcolumnwidth="true"))
    doc.automaticstyles.addElement(colonne)
    corps = doc.text

    def titre(texte_: str, niveau: int) -> None:
        corps.addElement(text.H(outlinelevel=niveau, stylename=f"Heading_20_{niveau}", text=texte_))

    def cellule(texte_: str, style: Style | None = None) -> t.TableCell:
        case = t.TableCell(valuetype="string")
        case.addElement(text.P(text=texte_, stylename=style) if style else text.P(text=texte_))
        return case

    def bloc(b: Paragraphe | Liste | Tableau, numero: int) -> None:
        if isinstance(b, Paragraphe):
            corps.addElement(text.P(text=b.texte))
        elif isinstance(b, Liste):
            liste = text.List()
            for e in b.elements:
                element = text.ListItem()
                element.addElement(text.P(text=e))
                liste.addElement(element)
            corps.addElement(liste)
        else:
            corps.addElement(text.P(text=b.legende, stylename=legende))
            tableau = t.Table(name=f"Tableau{numero}")
            tableau.addElement(t.TableColumn(numbercolumnsrepeated=len(b.entetes), stylename=colonne))
            entete = t.TableHeaderRows()
            rang = t.TableRow()
            for e in b.entetes:
                rang.addElement(cellule(e, gras))
            entete.addElement(rang)
            tableau.addElement(entete)
            for ligne in [*b.lignes, *([b.pied] if b.pied else [])]:
                rang = t.TableRow()
                for c in ligne:
                    rang.addElement(cellule(c.texte, italique if c.masquee else None))
                tableau.addElement(rang)
            corps.addElement(tableau)

    compteur = [0]

    def section(s: Section, niveau: int) -> None:
        titre(s.titre, niveau)
        for b in s.blocs:
            compteur[0] += 1
            bloc(b, compteur[0])
        for sous in s.sous_sections:
            section(sous, niveau + 1)

    titre(rapport.titre, 1)
    corps.addElement(text.P(text=rapport.sous_titre))
    corps.addElement(text.P(text=rapport.mention))
    for s in rapport.sections:
        section(s, 2)
    sortie = io.BytesIO()
    doc.write(sortie)
    return sortie.getvalue()


# --- DOCX --------------------------------------------------------------------------------------------


def docx(rapport: Rapport) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = rapport.titre
    doc.core_properties.author = "Balise"
    doc.add_heading(rapport.titre, level=0)
    doc.add_paragraph(rapport.sous_titre)
    doc.add_paragraph(rapport.mention)

    def bloc(b: Paragraphe | Liste | Tableau) -> None:
        if isinstance(b, Paragraphe):
            doc.add_paragraph(b.texte)
        elif isinstance(b, Liste):
            for e in b.elements:
                doc.add_paragraph(e, style="List Bullet")
        else:
            doc.add_paragraph(b.legende, style="Caption")
            lignes = [*b.lignes, *([b.pied] if b.pied else [])]
            tableau = doc.add_table(rows=1 + len(lignes), cols=len(b.entetes))
            tableau.style = "Table Grid"
            # Les cellules par le XML de la table déjà créée : `table.cell(i, j)` reparcourt la grille à
            # chaque appel (quadratique sur les tableaux de centaines de lignes).
            rangs = tableau.rows
            for case, e in zip(rangs[0].cells, b.entetes, strict=True):
                case.text = e
                case.paragraphs[0].runs[0].bold = True
            for rang, ligne in zip(list(rangs)[1:], lignes, strict=True):
                for case, c in zip(rang.cells, ligne, strict=True):
                    case.text = c.texte
                    if c.masquee:
                        case.paragraphs[0].runs[0].italic = True

    def section(s: Section, niveau: int) -> None:
        doc.add_heading(s.titre, level=min(niveau, 9))
        for b in s.blocs:
            bloc(b)
        for sous in s.sous_sections:
            section(sous, niveau + 1)

    for s in rapport.sections:
        section(s, 1)
    sortie = io.BytesIO()
    doc.save(sortie)
    return sortie.getvalue()


RENDUS = {"pdf": pdf, "odt": odt, "docx": docx}
