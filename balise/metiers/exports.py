"""Exports des résultats d'un import (XLSX et CSV) : les mêmes tableaux protégés que les pages, avec
les mises en garde de l'étude et le seuil du secret. Aucune cellule ne commence par une formule."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from openpyxl import Workbook

from . import selectors
from .lecture import neutraliser
from .models import Dimension, ImportEffectifs
from .referentiel import charger
from .secret import SECRET, Case, TableauProtege


def tableaux(imp: ImportEffectifs, seuil: int) -> list[tuple[str, str, TableauProtege]]:
    """(nom court, titre, tableau) de chaque tableau exporté, dans l'ordre des pages."""
    return [
        ("Synthèse", "Agents par niveau d'exposition", selectors.synthese(imp, seuil)),
        *(
            (libelle[:31], f"Agents par {libelle.lower()} et niveau", selectors.croisement(imp, code, seuil))
            for code, libelle in Dimension.choices
            if code in imp.colonnes
        ),
        ("Métiers", "Agents par métier rattaché et niveau", selectors.metiers(imp, seuil).tableau),
    ]


def avertissements(imp: ImportEffectifs, seuil: int) -> list[str]:
    ref = charger()
    return [
        f"Balise — impact de l'IA générative sur les métiers : {imp.organisation.nom}.",
        f"Import « {imp.nom_fichier} » du {imp.cree_le:%d/%m/%Y}, {imp.lignes_retenues} lignes retenues.",
        f"Référentiel : {ref.provenance.titre} ({imp.referentiel}, version {imp.version_referentiel}).",
        *ref.provenance.mises_en_garde,
        f"Secret statistique : aucun chiffre portant sur moins de {seuil} agents n'est donné ; "
        "« secret » remplace aussi les chiffres qui permettraient de le retrouver par soustraction.",
    ]


TOTAL = None  # ligne ou colonne des totaux (None : un libellé « Total » du fichier ne s'y confond pas)


def _case(tableau: TableauProtege, ligne: str | None, colonne: str | None) -> Case:
    if ligne is TOTAL:
        return tableau.total if colonne is TOTAL else tableau.totaux_colonnes[colonne]
    return tableau.totaux_lignes[ligne] if colonne is TOTAL else tableau.cases[(ligne, colonne)]


def _parcourir(tableau: TableauProtege) -> Iterator[tuple[str | None, list[tuple[str | None, Case]]]]:
    colonnes = [*tableau.colonnes, TOTAL]
    for ligne in [*tableau.lignes, TOTAL]:
        yield ligne, [(c, _case(tableau, ligne, c)) for c in colonnes]


def _nom(valeur: str | None) -> str:
    return "Total" if valeur is TOTAL else valeur


def _nombres(case: Case) -> tuple[int | Decimal | str, Decimal | str]:
    """Des nombres pour le tableur (il calcule avec) ; « secret » à la place d'un chiffre masqué.
    L'ETP est celui que montrent les pages (`Case.etp_arrondi`), en décimal : jamais un flottant."""
    etp = case.etp_arrondi
    if case.effectif is None or etp is None:  # case masquée (Case garantit : l'un ne va pas sans l'autre)
        return SECRET, SECRET
    return case.effectif, etp


def xlsx(imp: ImportEffectifs, seuil: int) -> bytes:
    classeur = Workbook(write_only=True)
    lisez_moi = classeur.create_sheet("Lisez-moi")
    for texte in avertissements(imp, seuil):
        lisez_moi.append([neutraliser(texte)])
    for nom, titre, tableau in tableaux(imp, seuil):
        feuille = classeur.create_sheet(nom)
        feuille.append([titre])
        colonnes = [*tableau.colonnes, TOTAL]
        feuille.append(["", *(f"{_nom(c)} — {m}" for c in colonnes for m in ("effectif", "ETP"))])
        for ligne, cases in _parcourir(tableau):
            feuille.append([neutraliser(_nom(ligne)), *(v for _, case in cases for v in _nombres(case))])
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def csv_texte(imp: ImportEffectifs, seuil: int) -> str:
    """Un seul fichier au format long : tableau ; ligne ; colonne ; effectif ; ETP. Les mises en
    garde ouvrent le fichier en lignes de commentaire (# …)."""
    sortie = io.StringIO()
    for texte in avertissements(imp, seuil):
        sortie.write(f"# {texte}\n")
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(["tableau", "ligne", "niveau", "effectif", "etp"])
    for _, titre, tableau in tableaux(imp, seuil):
        for ligne, cases in _parcourir(tableau):
            for colonne, case in cases:
                effectif, etp = _nombres(case)
                etp = str(etp).replace(".", ",")  # virgule décimale, comme l'attend un tableur français
                ecrivain.writerow(
                    [neutraliser(str(v)) for v in (titre, _nom(ligne), _nom(colonne), effectif, etp)]
                )
    return sortie.getvalue()
