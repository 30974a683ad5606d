"""Lecture sûre d'un tableau d'effectifs déposé : CSV, ou classeur XLSX, XLS ou ODS.

Le format se déduit du contenu (signature), jamais du nom. Rien n'est jamais évalué : une formule de
classeur donne la valeur que le tableur a enregistrée (vide s'il n'en a enregistré aucune), une cellule
CSV « =LIEN_HYPERTEXTE(…) » reste ce texte, que l'appelant refuse ou neutralise (`neutraliser`).

Bornes : taille du fichier, colonnes, lignes de données, archives ZIP inspectées avant lecture (bombes
de décompression), séparateurs par enregistrement CSV. Les classeurs sont lus par python-calamine dans
un processus enfant aux ressources bornées (mémoire, temps de calcul) : calamine alloue la plage entière
de la feuille d'un bloc, et un classeur de 5 Ko qui remplit A1 et XFD1048576 lui fait demander 512 Go,
ce qui arrêterait net le processus web (échec d'allocation en Rust, hors de portée d'un `except`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import logging
import os
import re
import subprocess
import sys
import weakref
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

MAX_OCTETS = 20 * 1024 * 1024  # taille maximale d'un fichier
MAX_COLONNES = 200
MAX_LIGNES = 200_000  # lignes de données, en-tête et lignes vides non comptées
MAX_CELLULES = 10_000_000  # étendue de la feuille d'un classeur (hauteur × largeur)

MAX_DECOMPRESSE = 250 * 1024 * 1024  # taille totale d'une archive ZIP une fois décompressée
MAX_ENTREES_ZIP = 10_000
MAX_RATIO_ZIP = 200  # au-delà d'1 Mo décompressé
MAX_SEPARATEURS = 10_000  # dans un même enregistrement CSV, guillemets compris
MEMOIRE_ENFANT = 1024**3  # espace d'adressage du processus qui lit un classeur
CPU_ENFANT = 30  # secondes de calcul pour lire un classeur

PAS_UN_TABLEAU = "Ce fichier n'est pas un tableau : déposez un fichier CSV ou un classeur (XLSX, XLS, ODS)."
VIDE = "Le fichier est vide."
AUCUNE_DONNEE = "Le fichier ne contient aucune ligne de données."
ENDOMMAGE = (
    "Ce classeur est endommagé et ne peut pas être lu : enregistrez-le à nouveau depuis votre tableur."
)
PROTEGE = "Ce classeur est protégé par un mot de passe : enregistrez-en une copie sans mot de passe."
TROP_LOURD = "Ce classeur est trop volumineux ou mal formé pour être lu : enregistrez-le en CSV."
PAGE_WEB = (
    "Ce fichier est une page web ou un fichier XML, pas un tableau : ouvrez-le dans votre tableur "
    "puis enregistrez-le en XLSX ou en CSV."
)
XLSB = "Les classeurs XLSB ne sont pas pris en charge : enregistrez le fichier en XLSX ou en CSV."

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_MIME_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_SEPARATEURS = (";", ",", "\t", "|")  # à égalité, le premier l'emporte
_BLANCS_CSV = ' \t\r\n\f\v\xa0\u202f;,|"'
_CITATION = re.compile(r'"[^"]*"')
_CONTROLE = re.compile(r"[\x00-\x08\x0e-\x1f]")
_FIN_DE_LIGNE = re.compile(r"\r\n|\r|\n")
_BALISE = re.compile(r"\s*<")
_NOMBRE = re.compile(r"[+-]?\d+(?:[ \xa0\u202f]\d{3})*(?:[.,]\d+)?(?:[eE][+-]?\d+)?%?")

journal = logging.getLogger(__name__)


class FichierIllisible(ValueError):
    """Le fichier est refusé ; `message` (et `str(exc)`) s'adresse à l'utilisateur, en français."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Tableau:
    format: str  # "csv", "xlsx", "xls" ou "ods"
    entetes: list[str]  # nettoyés et uniques : doublon -> « Nom (2) », vide -> « Colonne 3 »
    # (numéro de ligne dans le fichier, 1-based comme dans un tableur ; une valeur texte par en-tête).
    # Itérateur paresseux : il peut lever FichierIllisible en cours de route (trop de lignes, CSV mal
    # formé, lecture du classeur interrompue), l'appelant doit donc l'attraper aussi en itérant.
    lignes: Iterator[tuple[int, list[str]]]


def lire_tableau(nom_fichier: str, contenu: bytes) -> Tableau:
    """Lit l'en-tête (première ligne non vide) et prépare la lecture des lignes de données.

    Seule la première feuille d'un classeur est lue (la première dans l'ordre du classeur, même
    masquée). Les lignes entièrement vides sont sautées ; une ligne plus courte que l'en-tête est
    complétée par des "", une plus longue est tronquée à la largeur de l'en-tête (les cellules sans
    en-tête ne sont pas lues). Le nom du fichier ne sert qu'au journal : seul le contenu fait foi.
    Lève FichierIllisible, avec un message pour l'utilisateur, si le fichier est refusé.
    """
    if len(contenu) > MAX_OCTETS:
        raise FichierIllisible(f"Le fichier dépasse {_taille(MAX_OCTETS)}.")
    if contenu.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _lire_classeur(_format_zip(contenu), contenu, nom_fichier)
    if contenu.startswith(_OLE2):
        _verifier_ole2(contenu)
        return _lire_classeur("xls", contenu, nom_fichier)
    return _lire_csv(contenu)


# --- Formules ------------------------------------------------------------------------------------


def ressemble_a_une_formule(valeur: str) -> bool:
    """Vrai si un tableur pourrait interpréter la valeur comme une formule (liste OWASP de l'injection
    CSV : = + - @ tabulation, retour chariot en tête), sauf un simple nombre signé (« -3 », « -0,5 »)."""
    return bool(valeur) and valeur[0] in "=+-@\t\r" and not _NOMBRE.fullmatch(valeur)


def neutraliser(valeur: str) -> str:
    """Préfixe d'une apostrophe une valeur qui ressemble à une formule, pour l'écrire dans un export."""
    return "'" + valeur if ressemble_a_une_formule(valeur) else valeur


# --- En-tête et lignes, communs aux formats ------------------------------------------------------


def _assembler(format_: str, rangees: Iterator[tuple[int, list[str]]]) -> Tableau:
    """`rangees` : (numéro, valeurs déjà nettoyées), lignes vides comprises ou non."""
    for _numero, brutes in rangees:
        if any(brutes):
            break
    else:
        raise FichierIllisible(VIDE)
    if len(brutes) > MAX_COLONNES:
        raise _trop_de_colonnes(len(brutes))
    entetes = _nommer(brutes)
    for premiere in rangees:
        if any(premiere[1]):
            break
    else:
        raise FichierIllisible(AUCUNE_DONNEE)
    return Tableau(format_, entetes, _donnees(premiere, rangees, len(entetes)))


def _nommer(brutes: list[str]) -> list[str]:
    entetes: list[str] = []
    pris: set[str] = set()
    for i, brute in enumerate(brutes, 1):
        base = " ".join(brute.split()) or f"Colonne {i}"
        nom, rang = base, 1
        while nom in pris:
            rang += 1
            nom = f"{base} ({rang})"
        pris.add(nom)
        entetes.append(nom)
    return entetes


def _donnees(
    premiere: tuple[int, list[str]], rangees: Iterator[tuple[int, list[str]]], largeur: int
) -> Iterator[tuple[int, list[str]]]:
    limite = MAX_LIGNES
    lues = 0
    try:
        for numero, valeurs in itertools.chain([premiere], rangees):
            if not any(valeurs):
                continue
            lues += 1
            if lues > limite:
                raise FichierIllisible(f"Le fichier dépasse {_nombre(limite)} lignes.")
            if len(valeurs) < largeur:
                valeurs.extend([""] * (largeur - len(valeurs)))
            elif len(valeurs) > largeur:
                del valeurs[largeur:]
            yield numero, valeurs
    finally:  # refus, abandon ou fin : la source (processus enfant compris) est fermée aussitôt
        fermer = getattr(rangees, "close", None)
        if fermer is not None:
            fermer()


# --- CSV -----------------------------------------------------------------------------------------


def _lire_csv(contenu: bytes) -> Tableau:
    texte = _decoder(contenu)
    # Séparateur et largeur d'après la première ligne non vide, avant toute lecture CSV : un en-tête
    # d'un million de colonnes est refusé sans construire un million de cellules.
    for ligne in _lignes_physiques(texte):
        if ligne.strip(_BLANCS_CSV):
            break
    else:
        raise FichierIllisible(VIDE)
    hors_guillemets = _CITATION.sub("", ligne)
    if '"' in hors_guillemets:  # cellule entre guillemets poursuivie à la ligne suivante
        hors_guillemets = hors_guillemets[: hors_guillemets.index('"')]
    separateur = max(_SEPARATEURS, key=hors_guillemets.count)
    colonnes = hors_guillemets.count(separateur) + 1
    if colonnes > MAX_COLONNES:
        raise _trop_de_colonnes(colonnes)
    return _assembler("csv", _enregistrements(texte, separateur))


def _decoder(contenu: bytes) -> str:
    """UTF-8 (avec ou sans BOM), UTF-16 avec BOM (« Texte Unicode » d'Excel), sinon Windows-1252."""
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            texte = contenu.decode("utf-16")
        except UnicodeDecodeError:
            raise FichierIllisible(PAS_UN_TABLEAU) from None
    else:
        if b"\x00" in contenu or contenu.startswith((b"%PDF-", b"{\\rtf")):
            raise FichierIllisible(PAS_UN_TABLEAU)
        try:
            texte = contenu.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                texte = contenu.decode("cp1252")
            except UnicodeDecodeError:
                raise FichierIllisible(PAS_UN_TABLEAU) from None
    texte = texte.removesuffix("\x1a")  # fin de fichier à l'ancienne
    # Un contenu binaire décodé en Windows-1252 compte un caractère de contrôle sur huit environ.
    if len(_CONTROLE.findall(texte)) * 100 > len(texte):
        raise FichierIllisible(PAS_UN_TABLEAU)
    if _BALISE.match(texte):  # export « Excel » qui est en fait du HTML, ou XML Spreadsheet 2003
        raise FichierIllisible(PAGE_WEB)
    return texte


def _lignes_physiques(texte: str) -> Iterator[str]:
    """Les lignes, fins de ligne comprises (\\r\\n, \\r ou \\n), sans copier le texte entier (io.StringIO
    le recopierait à quatre octets par caractère)."""
    debut = 0
    for fin in _FIN_DE_LIGNE.finditer(texte):
        yield texte[debut : fin.end()]
        debut = fin.end()
    if debut < len(texte):
        yield texte[debut:]


def _enregistrements(texte: str, separateur: str) -> Iterator[tuple[int, list[str]]]:
    """(numéro d'enregistrement, valeurs), lignes vides comprises : le numéro est celui de la ligne
    du tableur qui ouvrirait le fichier (une cellule sur plusieurs lignes reste une seule ligne)."""
    separateurs = 0

    def physiques() -> Iterator[str]:
        # Borne la taille d'un enregistrement : des guillemets ouverts en fin de ligne et refermés à
        # la suivante enchaînent sinon tout le fichier en un seul enregistrement de millions de cellules.
        nonlocal separateurs
        for ligne in _lignes_physiques(texte):
            separateurs += ligne.count(separateur)
            if separateurs > MAX_SEPARATEURS:
                raise FichierIllisible(
                    f"Le fichier est mal formé vers la ligne {numero + 1} : "
                    f"plus de {_nombre(MAX_SEPARATEURS)} séparateurs dans une même ligne."
                )
            yield ligne

    numero = 0
    lecteur = csv.reader(physiques(), delimiter=separateur, quotechar='"')
    try:
        for rangee in lecteur:
            numero += 1
            separateurs = 0
            yield numero, [v.strip() for v in rangee]
    except csv.Error:
        raise FichierIllisible(
            f"Le fichier est mal formé vers la ligne {numero + 1} : cellule de plus de "
            f"{_nombre(csv.field_size_limit())} caractères ou guillemets mal placés."
        ) from None


# --- Classeurs -----------------------------------------------------------------------------------


def _format_zip(contenu: bytes) -> str:
    """« xlsx » ou « ods » d'après les entrées de l'archive, inspectée avant toute décompression."""
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            entrees = archive.infolist()
            if len(entrees) > MAX_ENTREES_ZIP:
                raise FichierIllisible(
                    f"Ce classeur contient {_nombre(len(entrees))} éléments ; Balise en accepte "
                    f"{_nombre(MAX_ENTREES_ZIP)} au plus."
                )
            decompresse = sum(e.file_size for e in entrees)
            compresse = sum(e.compress_size for e in entrees)
            if decompresse > MAX_DECOMPRESSE or (
                decompresse > 1024 * 1024 and decompresse > MAX_RATIO_ZIP * max(compresse, 1)
            ):
                raise FichierIllisible(
                    f"Ce classeur est anormalement compressé ({_taille(decompresse)} une fois "
                    f"décompressé) et ne peut pas être lu : enregistrez-le en CSV."
                )
            noms = {e.filename for e in entrees}
            if "xl/workbook.xml" in noms:
                return "xlsx"
            if "xl/workbook.bin" in noms:
                raise FichierIllisible(XLSB)
            if (
                "mimetype" in noms
                and archive.getinfo("mimetype").file_size <= 100
                and archive.read("mimetype").strip() == _MIME_ODS
            ):
                return "ods"
    except FichierIllisible:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        raise FichierIllisible(ENDOMMAGE) from None
    raise FichierIllisible(PAS_UN_TABLEAU)


def _verifier_ole2(contenu: bytes) -> None:
    """Un conteneur OLE2 est un classeur XLS, un document chiffré (XLSX protégé) ou autre chose (DOC…)."""
    if "EncryptedPackage".encode("utf-16-le") in contenu:
        raise FichierIllisible(PROTEGE)
    if not any(flux.encode("utf-16-le") in contenu for flux in ("Workbook", "Book")):
        raise FichierIllisible(PAS_UN_TABLEAU)


def _lire_classeur(format_: str, contenu: bytes, nom_fichier: str) -> Tableau:
    """Lance la lecture dans un processus enfant (voir `_enfant`) et en lit les lignes au fil de l'eau.

    L'enfant est arrêté dès que l'itérateur des lignes est abandonné ou épuisé."""
    enfant = subprocess.Popen(
        [sys.executable, "-I", os.path.abspath(__file__)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        try:
            enfant.stdin.write(contenu)
            enfant.stdin.close()
        except OSError:  # l'enfant s'est arrêté avant d'avoir tout lu
            pass
        entete = _message(enfant, nom_fichier)
        if "erreur" in entete:
            raise FichierIllisible(_ERREURS_ENFANT.get(entete["erreur"], ENDOMMAGE))
        if entete["largeur"] > MAX_COLONNES:
            raise _trop_de_colonnes(entete["largeur"])
        if entete["largeur"] * entete["hauteur"] > MAX_CELLULES:
            # Quelques octets de XML ODS peuvent répéter une cellule des millions de fois.
            raise FichierIllisible(
                f"La première feuille du classeur s'étend sur {_nombre(entete['hauteur'])} lignes et "
                f"{_nombre(entete['largeur'])} colonnes : c'est trop pour Balise. Enregistrez-la en CSV."
            )
        rangees = _rangees_enfant(enfant, nom_fichier)
        tableau = _assembler(format_, rangees)
    except BaseException:
        _arreter(enfant)
        raise
    weakref.finalize(rangees, _arreter, enfant)  # au cas où le générateur ne serait jamais fermé
    return tableau


_ERREURS_ENFANT = {"mot_de_passe": PROTEGE, "illisible": ENDOMMAGE, "memoire": TROP_LOURD}


def _message(enfant: subprocess.Popen, nom_fichier: str) -> dict | list:
    ligne = enfant.stdout.readline()
    if not ligne:  # arrêté par le système : mémoire ou temps de calcul épuisés, ou plantage
        code = enfant.wait()
        journal.warning("Lecture du classeur %r interrompue (code %s).", nom_fichier, code)
        raise FichierIllisible(TROP_LOURD)
    try:
        return json.loads(ligne)
    except ValueError:  # ligne tronquée : l'enfant a été arrêté en l'écrivant
        _arreter(enfant)
        raise FichierIllisible(TROP_LOURD) from None


def _rangees_enfant(enfant: subprocess.Popen, nom_fichier: str) -> Iterator[tuple[int, list[str]]]:
    try:
        while True:
            message = _message(enfant, nom_fichier)
            if isinstance(message, list):
                for numero, brutes in message:
                    yield numero, [v.strip() if type(v) is str else _en_texte(v) for v in brutes]
            elif message.get("fin"):
                _arreter(enfant, delai=5)
                return
            else:
                raise FichierIllisible(_ERREURS_ENFANT.get(message.get("erreur"), ENDOMMAGE))
    finally:
        _arreter(enfant)


def _arreter(enfant: subprocess.Popen, delai: float = 0) -> None:
    """Arrête l'enfant, après lui avoir laissé `delai` secondes pour finir seul."""
    try:
        enfant.wait(timeout=delai)
    except subprocess.TimeoutExpired:
        enfant.kill()
        enfant.wait()
    for flux in (enfant.stdin, enfant.stdout):
        if flux is not None and not flux.closed:
            with contextlib.suppress(OSError):
                flux.close()


def _enfant() -> None:
    """Processus enfant : lit le classeur sur l'entrée standard, écrit des lignes JSON sur la sortie.

    {"largeur": …, "hauteur": …} ou {"erreur": …}, puis des lots [[numéro, [valeurs]], …] (lignes
    non vides seulement, valeurs JSON telles que calamine les donne, dates en texte), puis
    {"fin": true}. Sans « fin », la lecture a été interrompue."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMOIRE_ENFANT, MEMOIRE_ENFANT))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_ENFANT, CPU_ENFANT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - hors Linux
        pass
    import python_calamine

    sortie = sys.stdout.buffer

    def ecrire(objet: object) -> None:
        sortie.write(json.dumps(objet, default=_en_texte).encode() + b"\n")

    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
        feuille = classeur.get_sheet_by_index(0)
    except python_calamine.PasswordError:
        ecrire({"erreur": "mot_de_passe"})
        return
    except MemoryError:
        ecrire({"erreur": "memoire"})
        return
    except BaseException:  # erreurs de calamine, y compris ses paniques (PanicException)
        ecrire({"erreur": "illisible"})
        return
    ecrire({"largeur": feuille.width, "hauteur": feuille.height})
    lot: list[tuple[int, list]] = []
    # iter_rows part de la ligne 1 du tableur (lignes vides de tête comprises) : numéro = rang.
    # Les valeurs partent brutes (dates en ISO) : le parent les met en texte pendant que l'enfant lit.
    for numero, rangee in enumerate(feuille.iter_rows(), 1):
        if any(rangee) or any(v is not None and v != "" for v in rangee):
            lot.append((numero, rangee))
            if len(lot) == 1000:
                ecrire(lot)
                lot = []
    if lot:
        ecrire(lot)
    ecrire({"fin": True})
    sortie.flush()


def _en_texte(valeur: object) -> str:
    """Valeur de cellule en texte : 3.0 -> « 3 », 0.8 -> « 0.8 », date -> « 2024-01-31 », date et
    heure -> « 2024-01-31 08:30:00 » (la date seule à minuit), durée -> « 26:30:00 », booléen -> str."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return str(valeur)
    if isinstance(valeur, float):
        return str(int(valeur)) if valeur.is_integer() else repr(valeur)
    if isinstance(valeur, dt.datetime):
        return valeur.date().isoformat() if valeur.time() == dt.time() else valeur.isoformat(sep=" ")
    if isinstance(valeur, dt.date | dt.time):
        return valeur.isoformat()
    if isinstance(valeur, dt.timedelta):
        secondes = int(valeur.total_seconds())
        signe, secondes = ("-" if secondes < 0 else ""), abs(secondes)
        return f"{signe}{secondes // 3600}:{secondes % 3600 // 60:02d}:{secondes % 60:02d}"
    return str(valeur).strip()


# --- Messages ------------------------------------------------------------------------------------


def _trop_de_colonnes(n: int) -> FichierIllisible:
    return FichierIllisible(
        f"Le fichier compte {_nombre(n)} colonnes ; Balise en accepte {MAX_COLONNES} au plus."
    )


def _nombre(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _taille(octets: int) -> str:
    for unite, valeur in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if octets >= valeur:
            return f"{octets / valeur:.1f}".removesuffix(".0").replace(".", ",") + f" {unite}"
    return f"{octets} octets"


if __name__ == "__main__":
    _enfant()
