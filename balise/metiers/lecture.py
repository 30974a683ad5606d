"""Lecture sûre d'un tableau d'effectifs déposé : CSV, ou classeur XLSX, XLS ou ODS.

Le format se déduit du contenu (signature), jamais du nom. Rien n'est jamais évalué : une formule de
classeur donne la valeur que le tableur a enregistrée (vide s'il n'en a enregistré aucune), une cellule
CSV « =LIEN_HYPERTEXTE(…) » reste ce texte, que l'appelant refuse ou neutralise (`neutraliser`).

Bornes : taille du fichier, colonnes, lignes de données, archives ZIP inspectées avant lecture (bombes
de décompression), séparateurs par enregistrement CSV. Les classeurs sont lus par python-calamine dans
un processus enfant aux ressources bornées (mémoire, temps de calcul) : calamine alloue la plage entière
de la feuille d'un bloc, et un classeur de 5 Ko qui remplit A1 et XFD1048576 lui fait demander 512 Go,
ce qui arrêterait net le processus web (échec d'allocation en Rust, hors de portée d'un `except`).
L'enfant rend la feuille convertie en CSV canonique (`preparer`), que l'import garde et relit
(`relire`) : un classeur n'est analysé qu'une fois, du dépôt au traitement.
"""

from __future__ import annotations

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
import time
import zipfile
from collections.abc import Callable, Iterator
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
DELAI_ENFANT = 300  # secondes d'horloge (processus de fond à priorité basse : le web passe d'abord)
PAS_VEILLE = 2  # secondes entre deux signes de vie pendant la lecture d'un classeur
TETE_CSV = 64 * 1024  # début d'un CSV vérifié au dépôt (le fichier entier s'il est plus court)

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
    return relire(*preparer(nom_fichier, contenu))


def reconnaitre(contenu: bytes) -> str:
    """Le format du fichier (« csv », « xlsx », « xls » ou « ods ») d'après son contenu, avec les seuls refus
    qui ne coûtent presque rien : taille, archive ZIP inspectée sans rien décompresser, conteneur OLE2,
    début d'un CSV (binaire, page web, en-tête trop large ; un petit CSV est vérifié jusqu'à sa première
    ligne de données). C'est ce que fait la requête du dépôt ; la lecture complète (`preparer`) se fait
    ensuite dans le processus de fond. Lève FichierIllisible."""
    if len(contenu) > MAX_OCTETS:
        raise FichierIllisible(f"Le fichier dépasse {_taille(MAX_OCTETS)}.")
    if contenu.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _format_zip(contenu)
    if contenu.startswith(_OLE2):
        _verifier_ole2(contenu)
        return "xls"
    if len(contenu) <= TETE_CSV:
        relire("csv", contenu)  # lit l'en-tête et la première ligne de données
    else:
        _verifier_tete_csv(contenu[:TETE_CSV])
    return "csv"


def preparer(nom_fichier: str, contenu: bytes, veille: Callable[[], None] | None = None) -> tuple[str, bytes]:
    """(format, contenu à relire) : un CSV tel quel ; un classeur lu une fois pour toutes et converti
    en CSV canonique (UTF-8, « ; », une ligne par ligne du tableur). À garder pour `relire`, qui ne
    relance pas la lecture du classeur. `veille`, appelée toutes les PAS_VEILLE secondes pendant la
    lecture d'un classeur, donne signe de vie (travail de fond) et peut l'interrompre en levant."""
    if len(contenu) > MAX_OCTETS:
        raise FichierIllisible(f"Le fichier dépasse {_taille(MAX_OCTETS)}.")
    if contenu.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        format_ = _format_zip(contenu)
        return format_, _convertir(contenu, nom_fichier, veille)
    if contenu.startswith(_OLE2):
        _verifier_ole2(contenu)
        return "xls", _convertir(contenu, nom_fichier, veille)
    return "csv", contenu


def relire(format_: str, prepare: bytes) -> Tableau:
    """Le tableau d'un contenu rendu par `preparer`."""
    if format_ == "csv":
        return _lire_csv(prepare)
    # CSV écrit par l'enfant (valeurs déjà nettoyées, guillemets bien formés) : lu sans les gardes du
    # CSV déposé, une ligne de CSV par ligne du tableur.
    lecteur = csv.reader(io.StringIO(prepare.decode("utf-8")), delimiter=";")
    return _assembler(format_, enumerate(lecteur, 1))


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
    lues = 0
    for numero, valeurs in itertools.chain([premiere], rangees):
        if not any(valeurs):
            continue
        lues += 1
        if lues > MAX_LIGNES:
            raise FichierIllisible(f"Le fichier dépasse {_nombre(MAX_LIGNES)} lignes.")
        if len(valeurs) < largeur:
            valeurs.extend([""] * (largeur - len(valeurs)))
        elif len(valeurs) > largeur:
            del valeurs[largeur:]
        yield numero, valeurs


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


def _verifier_tete_csv(tete: bytes) -> None:
    """Les refus qu'on peut décider sur le début d'un gros CSV sans le décoder en entier : contenu
    binaire, page web, en-tête de plus de MAX_COLONNES colonnes (même coupé, il en compte au moins
    autant). Le reste (lignes vides, encodage du reste du fichier…) est vu à la lecture complète."""
    if tete.startswith((b"\xff\xfe", b"\xfe\xff")):
        texte = tete[: len(tete) // 2 * 2].decode("utf-16", errors="replace")
    else:
        if b"\x00" in tete or tete.startswith((b"%PDF-", b"{\\rtf")):
            raise FichierIllisible(PAS_UN_TABLEAU)
        texte = tete.decode("utf-8-sig", errors="replace")
    if len(_CONTROLE.findall(texte)) * 100 > len(texte):
        raise FichierIllisible(PAS_UN_TABLEAU)
    if _BALISE.match(texte):
        raise FichierIllisible(PAGE_WEB)
    for ligne in _lignes_physiques(texte):
        if ligne.strip(_BLANCS_CSV):
            hors_guillemets = _CITATION.sub("", ligne)
            if '"' in hors_guillemets:
                hors_guillemets = hors_guillemets[: hors_guillemets.index('"')]
            colonnes = max(hors_guillemets.count(s) for s in _SEPARATEURS) + 1
            if colonnes > MAX_COLONNES:
                raise _trop_de_colonnes(colonnes)
            return


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


def _convertir(contenu: bytes, nom_fichier: str, veille: Callable[[], None] | None = None) -> bytes:
    """Le classeur en CSV canonique (UTF-8, « ; »), lu par un processus enfant aux ressources bornées.
    L'enfant hérite de la priorité du processus qui le lance (abaissée dans le processus de fond)."""
    commande = [sys.executable, "-I", os.path.abspath(__file__), str(MAX_COLONNES), str(MAX_CELLULES)]
    debut = time.monotonic()
    with subprocess.Popen(  # noqa: S603 — cet interpréteur et ce fichier, arguments numériques, sans shell
        commande, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as enfant:
        entree: bytes | None = contenu
        while True:
            reste = DELAI_ENFANT - (time.monotonic() - debut)
            try:
                sortie, _ = enfant.communicate(input=entree, timeout=max(0.0, min(PAS_VEILLE, reste)))
                break
            except subprocess.TimeoutExpired:
                entree = None  # déjà transmise : communicate reprend là où il en était
                if time.monotonic() - debut >= DELAI_ENFANT:
                    enfant.kill()
                    journal.warning("Lecture du classeur %r trop longue.", nom_fichier)
                    raise FichierIllisible(TROP_LOURD) from None
                if veille is not None:
                    try:
                        veille()
                    except BaseException:
                        enfant.kill()
                        raise
    entete, _, corps = sortie.partition(b"\n")
    try:
        etat = json.loads(entete)
    except ValueError:  # rien ou une ligne tronquée : l'enfant a été arrêté (mémoire, calcul, plantage)
        journal.warning("Lecture du classeur %r interrompue.", nom_fichier)
        raise FichierIllisible(TROP_LOURD) from None
    if "erreur" in etat:
        raise FichierIllisible(_ERREURS_ENFANT.get(etat["erreur"], ENDOMMAGE))
    if etat["largeur"] > MAX_COLONNES:
        raise _trop_de_colonnes(etat["largeur"])
    if etat["largeur"] * etat["hauteur"] > MAX_CELLULES:
        # Quelques octets de XML ODS peuvent répéter une cellule des millions de fois.
        raise FichierIllisible(
            f"La première feuille du classeur s'étend sur {_nombre(etat['hauteur'])} lignes et "
            f"{_nombre(etat['largeur'])} colonnes : c'est trop pour Balise. Enregistrez-la en CSV."
        )
    if not etat.get("fin"):
        raise FichierIllisible(TROP_LOURD)
    return corps


_ERREURS_ENFANT = {"mot_de_passe": PROTEGE, "illisible": ENDOMMAGE, "memoire": TROP_LOURD}


def _enfant(max_colonnes: int, max_cellules: int) -> None:
    """Processus enfant : lit le classeur sur l'entrée standard et écrit sur la sortie une ligne JSON,
    {"largeur": …, "hauteur": …, "fin": true} ou {"erreur": …}, puis la première feuille en CSV
    canonique. Une feuille trop étendue n'est pas convertie (« fin » absent). La ligne JSON n'est écrite
    qu'une fois la conversion finie : un enfant arrêté en route ne rend rien de lisible."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMOIRE_ENFANT, MEMOIRE_ENFANT))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_ENFANT, CPU_ENFANT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - hors Linux
        pass
    import python_calamine

    sortie = sys.stdout.buffer

    def ecrire(objet: dict, corps: str = "") -> None:
        sortie.write(json.dumps(objet).encode() + b"\n" + corps.encode("utf-8"))
        sortie.flush()

    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
        feuille = classeur.get_sheet_by_index(0)
    except python_calamine.PasswordError:
        return ecrire({"erreur": "mot_de_passe"})
    except MemoryError:
        return ecrire({"erreur": "memoire"})
    except BaseException:  # erreurs de calamine, y compris ses paniques (PanicException)
        return ecrire({"erreur": "illisible"})
    etat = {"largeur": feuille.width, "hauteur": feuille.height}
    if feuille.width > max_colonnes or feuille.width * feuille.height > max_cellules:
        return ecrire(etat)
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\n")
    # iter_rows part de la ligne 1 du tableur (lignes vides de tête comprises) : une ligne de CSV par
    # ligne du tableur, et les numéros de ligne restent ceux du tableur.
    for rangee in feuille.iter_rows():
        pleine = any(v is not None and v != "" for v in rangee)
        ecrivain.writerow([v.strip() if type(v) is str else _en_texte(v) for v in rangee] if pleine else ())
    ecrire({**etat, "fin": True}, tampon.getvalue())


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
    _enfant(int(sys.argv[1]), int(sys.argv[2]))
