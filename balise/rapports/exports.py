"""Les exports en tableur : le registre interne, les obligations, les conditions… en XLSX, ODS et CSV.

Un export est une entrée du registre `EXPORTS` : un titre, le droit qui l'ouvre (celui de la page
correspondante), des colonnes et une fonction qui rend les lignes d'une organisation en un nombre
constant de requêtes. D'autres exports (formations, indicateurs) s'ajoutent par `enregistrer`.

Tous les formats passent par `neutraliser` : une valeur qui commence par =, +, -, @ (ou une tabulation)
est préfixée d'une apostrophe, pour qu'aucun tableur ne l'exécute comme une formule. Le CSV est pour
Excel en français : séparateur point-virgule, encodage UTF-8 avec BOM, virgule décimale.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from balise.conformite.models import ObligationSuivie
from balise.formations.models import Participation
from balise.gouvernance.models import Condition
from balise.indicateurs.echeances import atteinte
from balise.indicateurs.models import Indicateur, Mesure
from balise.metiers.lecture import neutraliser
from balise.organisations.models import Organisation
from balise.organisations.roles import Permission
from balise.registre.models import SystemeIA

Valeur = str | int | date | None
BOM = "\ufeff"
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Export:
    titre: str
    fichier: str  # début du nom de fichier, lisible : « registre-interne »
    permission: Permission
    colonnes: list[str]
    lignes: Callable[[Organisation], Iterable[list[Valeur]]]


def _registre(organisation: Organisation) -> Iterable[list[Valeur]]:
    systemes = (
        SystemeIA.objects.filter(organisation=organisation)
        .actifs()
        .order_by("nom", "pk")
        .values_list(
            "pk",
            "nom",
            "service",
            "responsable",
            "domaine",
            "type_ia",
            "cible",
            "stade",
            "mis_en_service_le",
            "realisation",
            "fournisseur",
            "hebergement",
            "donnees_personnelles",
            "publie",
            "cree_le",
        )  # fmt: skip
    )
    champs = SystemeIA._meta
    libelles = {
        nom: dict(champs.get_field(nom).choices or [])  # type: ignore[union-attr]
        for nom in ("domaine", "type_ia", "cible", "stade", "realisation", "hebergement")
    }
    for (
        pk,
        nom,
        service,
        resp,
        domaine,
        type_ia,
        cible,
        stade,
        mis_en_service,
        realisation,
        fourn,
        heb,
        dp,
        pub,
        le,
    ) in systemes.iterator(chunk_size=2000):
        yield [
            pk, nom, service, resp, libelles["domaine"].get(domaine, domaine), libelles["type_ia"].get(type_ia, type_ia),
            libelles["cible"].get(cible, cible), libelles["stade"].get(stade, stade), mis_en_service,
            libelles["realisation"].get(realisation, realisation), fourn, libelles["hebergement"].get(heb, heb),
            "oui" if dp else "non", "oui" if pub else "non", timezone.localdate(le),
        ]  # fmt: skip


def _obligations(organisation: Organisation) -> Iterable[list[Valeur]]:
    suivies = (
        ObligationSuivie.objects.filter(organisation=organisation, systeme__archive_le__isnull=True)
        .avec_retard(timezone.localdate())
        .select_related("systeme", "responsable")
        .order_by("echeance", "systeme__nom", "pk")
    )
    for o in suivies.iterator(chunk_size=2000):
        yield [
            o.systeme.nom, o.titre, o.regime, o.echeance, o.get_statut_display(),
            "oui" if o.en_retard else "non",  # type: ignore[attr-defined]  # annotation de avec_retard "oui" if o.applicable else "non",
            o.responsable.nom_affiche if o.responsable else "", o.preuve_lien,
        ]  # fmt: skip


def _conditions(organisation: Organisation) -> Iterable[list[Valeur]]:
    toutes = (
        Condition.objects.filter(organisation=organisation)
        .avec_retard(timezone.localdate())
        .select_related("systeme", "responsable")
        .order_by("echeance", "pk")
    )
    for c in toutes.iterator(chunk_size=2000):
        yield [
            c.systeme.nom, c.intitule, "réserve d'un avis" if c.avis_id else "condition d'une décision",
            c.echeance, c.get_statut_display(), "oui" if c.en_retard else "non",  # type: ignore[attr-defined]
            c.responsable.nom_affiche if c.responsable else "", c.commentaire,
        ]  # fmt: skip


def _formations(organisation: Organisation) -> Iterable[list[Valeur]]:
    """Une ligne par participation : la session (date, offre, palier), la population, le service et le
    nombre de participants. Une requête."""
    participations = (
        Participation.objects.filter(population__organisation=organisation)
        .select_related("session__offre", "population")
        .order_by("session__date", "session__pk", "pk")
    )
    for p in participations.iterator(chunk_size=2000):
        yield [
            p.session.date, p.session.titre_offre, p.session.get_palier_display(), p.population.titre,
            p.service, p.nombre,
        ]  # fmt: skip


def _indicateurs(organisation: Organisation) -> Iterable[list[Valeur]]:
    """Une ligne par mesure des indicateurs actifs : l'indicateur, son système, la période, la valeur,
    l'unité, la cible et si la mesure la tient. Une requête."""
    mesures = (
        Mesure.objects.filter(indicateur__organisation=organisation, indicateur__archive_le__isnull=True)
        .select_related("indicateur__systeme")
        .order_by("indicateur__intitule", "indicateur__pk", "periode", "pk")
    )
    sens = {Indicateur.Sens.AU_MOINS.value: "au moins", Indicateur.Sens.AU_PLUS.value: "au plus"}
    for m in mesures.iterator(chunk_size=2000):
        i = m.indicateur
        yield [
            i.intitule, i.systeme.nom if i.systeme else "", m.periode, _nombre(m.valeur), i.unite,
            f"{sens.get(i.sens, '')} {_nombre(i.cible)}".strip(),
            "oui" if atteinte(m.valeur, i.cible, i.sens) else "non",
        ]  # fmt: skip


def _nombre(valeur: Decimal) -> str:
    """Un décimal à la française, sans zéros inutiles : 92,5 ; 90."""
    texte = f"{valeur:f}"
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    return texte.replace(".", ",")


EXPORTS: dict[str, Export] = {
    "registre": Export(
        "Registre interne des systèmes d'IA",
        "registre-interne",
        Permission.VOIR_REGISTRE,
        [
            "Identifiant",
            "Nom",
            "Service porteur",
            "Responsable",
            "Domaine",
            "Type d'IA",
            "Utilisateurs",
            "Stade",
            "Mis en service le",
            "Réalisation",
            "Fournisseur",
            "Hébergement",
            "Données personnelles",
            "Publié",
            "Inscrit le",
        ],  # fmt: skip
        _registre,
    ),
    "obligations": Export(
        "Obligations réglementaires suivies",
        "obligations",
        Permission.VOIR_REGISTRE,
        [
            "Système",
            "Obligation",
            "Régime",
            "Échéance",
            "État",
            "En retard",
            "Applicable",
            "Responsable",
            "Preuve",
        ],
        _obligations,
    ),
    "conditions": Export(
        "Conditions et réserves",
        "conditions",
        Permission.VOIR_REGISTRE,
        ["Système", "Condition", "Origine", "Échéance", "État", "En retard", "Responsable", "Commentaire"],
        _conditions,
    ),
    "formations": Export(
        "Sessions de formation à l'IA",
        "formations",
        Permission.VOIR_REGISTRE,
        ["Date", "Offre", "Palier", "Population", "Service", "Participants"],
        _formations,
    ),
    "indicateurs": Export(
        "Mesures des indicateurs",
        "indicateurs",
        Permission.VOIR_REGISTRE,
        ["Indicateur", "Système", "Période", "Valeur", "Unité", "Cible", "Cible tenue"],
        _indicateurs,
    ),
}


def enregistrer(nom: str, export: Export) -> None:
    """Ajoute (ou remplace) un export : formations, indicateurs…"""
    EXPORTS[nom] = export


def nom_fichier(organisation: Organisation, nom: str, format_: str, jour: date | None = None) -> str:
    jour = jour or timezone.localdate()
    return f"{EXPORTS[nom].fichier}-{organisation.slug}-{jour:%Y-%m-%d}.{format_}"


def _texte(valeur: Valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime | date):
        return f"{valeur:%d/%m/%Y}"
    return neutraliser(str(valeur))


def xlsx(export: Export, organisation: Organisation) -> bytes:
    from openpyxl import Workbook

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(export.titre[:31])
    feuille.append([f"{export.titre} — {organisation.nom}"])
    feuille.append(export.colonnes)
    for ligne in export.lignes(organisation):
        # Nombres et dates restent typés (le tableur trie et calcule) ; les textes sont neutralisés.
        feuille.append([v if isinstance(v, int | date) or v is None else neutraliser(str(v)) for v in ligne])
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def ods(export: Export, organisation: Organisation) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    feuille = Table(name=export.titre[:31])

    def rang(valeurs: Iterable[Valeur]) -> TableRow:
        r = TableRow()
        for v in valeurs:
            if isinstance(v, int) and not isinstance(v, bool):
                case = TableCell(valuetype="float", value=v)
                case.addElement(P(text=str(v)))
            elif isinstance(v, date):
                case = TableCell(valuetype="date", datevalue=v.isoformat())
                case.addElement(P(text=_texte(v)))
            else:
                case = TableCell(valuetype="string")
                case.addElement(P(text=_texte(v)))
            r.addElement(case)
        return r

    feuille.addElement(rang([f"{export.titre} — {organisation.nom}"]))
    feuille.addElement(rang(export.colonnes))
    for ligne in export.lignes(organisation):
        feuille.addElement(rang(ligne))
    doc.spreadsheet.addElement(feuille)
    sortie = io.BytesIO()
    doc.write(sortie)
    return sortie.getvalue()


def csv_octets(export: Export, organisation: Organisation) -> bytes:
    """Point-virgule, UTF-8 avec BOM : Excel en français l'ouvre en colonnes et lit les accents."""
    sortie = io.StringIO()
    sortie.write(BOM)
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(export.colonnes)
    for ligne in export.lignes(organisation):
        ecrivain.writerow([_texte(v) for v in ligne])
    return sortie.getvalue().encode("utf-8")


RENDUS: dict[str, Callable[[Export, Organisation], bytes]] = {"xlsx": xlsx, "ods": ods, "csv": csv_octets}


def produire(organisation: Organisation, nom: str, format_: str) -> bytes:
    return RENDUS[format_](EXPORTS[nom], organisation)
