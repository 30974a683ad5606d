"""Appeler un fournisseur de modèles compatible OpenAI (Albert, Mistral, OVHcloud, Scaleway, vLLM, Ollama).

Le client de la passerelle (issue 18) : fonctions pures, sans base, qui parlent HTTP avec `httpx`.
`lister_modeles` lit le catalogue du fournisseur, `completer` rend une réponse entière, `diffuser` la
rend morceau par morceau (flux SSE) puis un dernier élément `Fin` avec la consommation et les durées.

Tout échec devient une `ErreurFournisseur` : un `code` pour la machine, un `message` en français pour
l'agent. La clé n'apparaît jamais dans un message, une exception ou une représentation (`Point`), et
le corps d'une erreur du fournisseur n'est cité qu'en court extrait nettoyé.

Délai : `Point.delai_s` borne l'appel entier, flux compris. httpx ne connaît que des délais par
opération (connexion, chaque lecture) : chaque lecture attend au plus `delai_s`, et l'échéance totale
est vérifiée à chaque bloc reçu. Un fournisseur muet échoue donc en `delai_s` ; un fournisseur qui
égrène ses octets est coupé au premier bloc reçu après l'échéance.

Connexions : un `httpx.Client` par adresse de fournisseur, partagé entre fils d'exécution (httpx le
permet : son réservoir de connexions est protégé par un verrou), pour réutiliser connexions TCP et TLS
d'un appel à l'autre. La clé part dans chaque requête, pas dans le client : deux clés d'un même
fournisseur partagent le réservoir sans se mélanger. Les relais déclarés par l'environnement
(HTTPS_PROXY, NO_PROXY) sont suivis, comme souvent exigé sur le réseau d'une collectivité. Les clients
naissent au premier appel, donc après le fork des processus de gunicorn.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Code = Literal[
    "injoignable",
    "delai",
    "authentification",
    "quota",
    "refus",
    "indisponible",
    "reponse_invalide",
    "coupure",
]

# Options transmises au fournisseur, et leurs types ; toute autre option est ignorée (rien ne part
# sans avoir été prévu ici).
OPTIONS: dict[str, tuple[type, ...]] = {"temperature": (int, float), "max_tokens": (int,)}

# Estimation des jetons quand le fournisseur ne dit pas sa consommation : environ 4 caractères par
# jeton (ordre de grandeur des découpeurs courants ; le français en donne plutôt 3 à 4). Grossière, elle
# est signalée par `jetons_estimes`.
CARACTERES_PAR_JETON = 4

# Bornes de lecture : une réponse entière, une ligne du flux, un corps d'erreur (dont on ne cite qu'un
# extrait). Au-delà, le fournisseur se comporte mal : la mémoire de Balise n'a pas à le suivre.
REPONSE_MAX = 8 * 1024 * 1024
FLUX_MAX = 32 * 1024 * 1024  # protocole SSE compris (chaque morceau répète id, modèle, date…)
LIGNE_MAX = 1024 * 1024
ERREUR_MAX = 16 * 1024
EXTRAIT_MAX = 200


@dataclass(frozen=True)
class Point:
    """Où et comment joindre un fournisseur : `url_base` finit par /v1 (« https://albert.api…/v1 »)."""

    url_base: str
    cle: str = field(repr=False)  # secret : hors de la représentation, donc des journaux
    delai_s: float  # l'appel entier
    delai_connexion_s: float = 5.0


@dataclass(frozen=True)
class Reponse:
    texte: str
    jetons_entree: int
    jetons_sortie: int
    latence_s: float
    modele: str  # tel que le fournisseur l'a nommé dans sa réponse
    jetons_estimes: bool = False
    raison_fin: str | None = None  # « stop », « length » (réponse tronquée par max_tokens)…


@dataclass(frozen=True)
class Morceau:
    texte: str


@dataclass(frozen=True)
class Fin:
    jetons_entree: int
    jetons_sortie: int
    latence_s: float
    premier_morceau_s: float | None  # None : aucun texte reçu
    modele: str
    jetons_estimes: bool = False
    raison_fin: str | None = None


class ErreurFournisseur(Exception):
    """Un appel qui a échoué : `message` pour l'agent, `code` pour la machine, `statut` HTTP s'il y en a."""

    def __init__(self, code: Code, message: str, statut: int | None = None) -> None:
        super().__init__(message)
        self.code: Code = code
        self.message = message
        self.statut = statut

    def __reduce__(self) -> tuple[type[ErreurFournisseur], tuple[Code, str, int | None]]:
        # Sans cela, pickle (tâches de fond, cache) rappellerait __init__ avec le seul message.
        return (self.__class__, (self.code, self.message, self.statut))


# --- API ----------------------------------------------------------------------------------------


def lister_modeles(point: Point) -> list[str]:
    """Les identifiants des modèles que le fournisseur propose (`GET /models`)."""
    appel = _Appel(point, None)
    with _requete(appel, "GET", "/models") as reponse:
        objet = _lire_json(reponse, appel)
    donnees = objet.get("data")
    if not isinstance(donnees, list):
        raise _invalide(appel, "liste des modèles absente")
    return [m["id"] for m in donnees if isinstance(m, dict) and isinstance(m.get("id"), str)]


def completer(point: Point, modele: str, messages: Sequence[Mapping[str, str]], **options: object) -> Reponse:
    """La réponse entière du modèle (sans flux). Options retenues : temperature, max_tokens."""
    corps = _corps(modele, messages, options, flux=False)
    appel = _Appel(point, modele)
    with _requete(appel, "POST", "/chat/completions", corps) as reponse:
        objet = _lire_json(reponse, appel)
    latence = time.monotonic() - appel.debut
    choix = objet.get("choices")
    premier = choix[0] if isinstance(choix, list) and choix and isinstance(choix[0], dict) else None
    message = premier.get("message") if premier else None
    if not isinstance(message, dict):
        raise _invalide(appel, "réponse sans message")
    texte = message.get("content")
    if texte is not None and not isinstance(texte, str):
        raise _invalide(appel, "texte de la réponse illisible")
    texte = texte or ""
    entree, sortie, estimes = _jetons(objet.get("usage"), corps["messages"], len(texte))
    return Reponse(
        texte=texte,
        jetons_entree=entree,
        jetons_sortie=sortie,
        latence_s=latence,
        modele=_modele_repondu(objet, modele),
        jetons_estimes=estimes,
        raison_fin=_raison(premier),
    )


def diffuser(
    point: Point, modele: str, messages: Sequence[Mapping[str, str]], **options: object
) -> Iterator[Morceau | Fin]:
    """La réponse en flux : des `Morceau` à mesure qu'ils arrivent, puis une `Fin`.

    Rien ne part avant le premier `next()` (générateur). Un flux interrompu avant `[DONE]` lève
    `ErreurFournisseur("coupure")` après les morceaux déjà rendus. Arrêter l'itération (`close()`,
    `break` puis ramassage) ferme la connexion : le fournisseur cesse de générer pour rien.
    """
    corps = _corps(modele, messages, options, flux=True)
    corps["stream_options"] = {"include_usage": True}
    appel = _Appel(point, modele)
    usage: object = None
    repondu, raison = modele, None
    caracteres = 0
    premier_s: float | None = None
    latence: float | None = None
    with _requete(appel, "POST", "/chat/completions", corps, flux=True) as reponse:
        evenements = _evenements(reponse, appel)
        for donnees in evenements:
            if donnees == "[DONE]":
                latence = time.monotonic() - appel.debut
                break
            objet = _decoder(donnees, appel)
            if "error" in objet:
                raise _erreur_dans_flux(objet["error"], appel)
            repondu = _modele_repondu(objet, repondu)
            usage = objet.get("usage") or usage
            for choix in objet.get("choices") or []:
                if not isinstance(choix, dict) or choix.get("index", 0) != 0:
                    continue
                raison = _raison(choix) or raison
                delta = choix.get("delta")
                piece = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(piece, str) and piece:
                    if premier_s is None:
                        premier_s = time.monotonic() - appel.debut
                    caracteres += len(piece)
                    appel.morceaux += 1
                    yield Morceau(piece)
        if latence is None:
            raise ErreurFournisseur(
                "coupure",
                f"La réponse {appel.du_sujet} a été interrompue avant la fin ; le texte reçu est incomplet.",
            )
        # Lire la fin du corps (la clôture HTTP qui suit [DONE]) rend la connexion réutilisable.
        _vider(evenements)
    entree, sortie, estimes = _jetons(usage, corps["messages"], caracteres)
    yield Fin(
        jetons_entree=entree,
        jetons_sortie=sortie,
        latence_s=latence,
        premier_morceau_s=premier_s,
        modele=repondu,
        jetons_estimes=estimes,
        raison_fin=raison,
    )


def fermer_clients() -> None:
    """Ferme les connexions gardées ouvertes (fin de processus, tests)."""
    with _verrou_clients:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


# --- Connexions -----------------------------------------------------------------------------------

_clients: dict[str, httpx.Client] = {}
_verrou_clients = threading.Lock()


def _client(point: Point) -> httpx.Client:
    with _verrou_clients:
        client = _clients.get(point.url_base)
        if client is None or client.is_closed:
            client = httpx.Client(
                # Jamais de redirection suivie : la clé partirait vers une autre adresse.
                follow_redirects=False,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30),
                headers={"User-Agent": "Balise-passerelle"},
            )
            _clients[point.url_base] = client
        return client


class _Appel:
    """L'état d'un appel, pour dater et nommer ses erreurs."""

    def __init__(self, point: Point, modele: str | None) -> None:
        self.point = point
        self.modele = modele
        self.debut = time.monotonic()
        self.echeance = self.debut + point.delai_s
        self.entetes_recus = False
        self.morceaux = 0

    @property
    def sujet(self) -> str:
        return f"Le modèle « {self.modele} »" if self.modele else "Le fournisseur"

    @property
    def pour_sujet(self) -> str:
        return f" pour le modèle « {self.modele} »" if self.modele else ""

    @property
    def du_sujet(self) -> str:
        return f"du modèle « {self.modele} »" if self.modele else "du fournisseur"

    def verifier_echeance(self) -> None:
        if time.monotonic() > self.echeance:
            raise self.erreur_delai()

    def erreur_delai(self) -> ErreurFournisseur:
        delai = _duree(self.point.delai_s)
        if self.morceaux:
            message = (
                f"La réponse {self.du_sujet} a dépassé le délai de {delai} s ; le texte reçu est incomplet."
            )
        else:
            message = f"{self.sujet} n'a pas répondu dans le délai de {delai} s."
        return ErreurFournisseur("delai", message)


# Une clé d'API : caractères ASCII visibles, sans espace (jamais de retour à la ligne dans un en-tête).
_CLE_VALIDE = re.compile(r"[\x21-\x7e]+")


@contextlib.contextmanager
def _requete(
    appel: _Appel, methode: str, chemin: str, corps: dict[str, Any] | None = None, flux: bool = False
) -> Iterator[httpx.Response]:
    """La réponse du fournisseur, statut vérifié ; toute erreur de httpx traduite en ErreurFournisseur."""
    point = appel.point
    if not _CLE_VALIDE.fullmatch(point.cle):
        # Vérifiée ici : h11 refuserait l'en-tête en citant sa valeur (la clé) dans son exception.
        raise ErreurFournisseur(
            "authentification", "La clé d'accès configurée pour ce fournisseur est vide ou mal formée."
        )
    entetes = {
        "Authorization": f"Bearer {point.cle}",
        "Accept": "text/event-stream" if flux else "application/json",
    }
    if flux:
        # Un flux compressé serait retenu par le serveur ou un relais jusqu'à remplir un bloc.
        entetes["Accept-Encoding"] = "identity"
    delais = httpx.Timeout(point.delai_s, connect=min(point.delai_connexion_s, point.delai_s))
    try:
        client = _client(point)
        with client.stream(
            methode, point.url_base.rstrip("/") + chemin, json=corps, headers=entetes, timeout=delais
        ) as reponse:
            appel.entetes_recus = True
            if not reponse.is_success:
                raise _erreur_statut(reponse, appel)
            yield reponse
    except httpx.InvalidURL as exc:
        raise _injoignable(appel, "adresse invalide") from exc
    except httpx.HTTPError as exc:
        raise _traduire(exc, appel) from exc


def _lire(reponse: httpx.Response, appel: _Appel, limite: int) -> Iterator[bytes]:
    """Les blocs du corps, à l'échéance et à la taille près."""
    total = 0
    for bloc in reponse.iter_bytes():
        appel.verifier_echeance()
        total += len(bloc)
        if total > limite:
            raise _invalide(appel, "réponse trop volumineuse")
        yield bloc


def _lire_json(reponse: httpx.Response, appel: _Appel) -> dict[str, Any]:
    return _decoder(b"".join(_lire(reponse, appel, REPONSE_MAX)), appel)


def _evenements(reponse: httpx.Response, appel: _Appel) -> Iterator[str]:
    """Les données des événements SSE (champs `data:` joints), dans l'ordre.

    Les lignes sont découpées sur les octets et décodées entières : un caractère UTF-8 coupé entre deux
    blocs réseau est recollé avant décodage. Commentaires et autres champs (event, id, retry) ignorés.
    """
    tampon = b""
    donnees: list[str] = []
    for bloc in _lire(reponse, appel, FLUX_MAX):
        tampon += bloc
        *lignes, tampon = tampon.split(b"\n")
        if len(tampon) > LIGNE_MAX:
            raise _invalide(appel, "ligne du flux trop longue")
        for brute in lignes:
            ligne = _texte(brute.rstrip(b"\r"), appel)
            if not ligne:
                if donnees:
                    yield "\n".join(donnees)
                    donnees = []
            elif ligne.startswith("data:"):
                donnees.append(ligne[5:].removeprefix(" "))
    if tampon.strip():
        ligne = _texte(tampon.rstrip(b"\r"), appel)
        if ligne.startswith("data:"):
            donnees.append(ligne[5:].removeprefix(" "))
    if donnees:  # dernier événement sans ligne vide finale : toléré
        yield "\n".join(donnees)


def _vider(evenements: Iterator[str]) -> None:
    """Lit ce qui suit [DONE] ; l'échec de cette lecture n'enlève rien à une réponse complète."""
    with contextlib.suppress(ErreurFournisseur, httpx.HTTPError):
        for _ in evenements:
            pass


# --- Corps et réponses ------------------------------------------------------------------------------


def _corps(
    modele: str, messages: Sequence[Mapping[str, str]], options: Mapping[str, object], flux: bool
) -> dict[str, Any]:
    if not modele:
        raise ValueError("modèle non précisé")
    propres = []
    for message in messages:
        role, contenu = message.get("role"), message.get("content")
        if not isinstance(role, str) or not isinstance(contenu, str):
            raise ValueError("chaque message a un rôle et un contenu textuels")
        propres.append({"role": role, "content": contenu})  # rien d'autre ne part
    if not propres:
        raise ValueError("aucun message à envoyer")
    corps: dict[str, Any] = {"model": modele, "messages": propres, "stream": flux}
    for nom, types in OPTIONS.items():
        valeur = options.get(nom)
        if valeur is None:
            continue
        if isinstance(valeur, bool) or not isinstance(valeur, types):
            raise TypeError(f"option {nom} de type inattendu")
        corps[nom] = valeur
    return corps


def _decoder(donnees: str | bytes, appel: _Appel) -> dict[str, Any]:
    try:
        objet = json.loads(donnees)
    except ValueError:
        raise _invalide(appel, "JSON illisible") from None
    if not isinstance(objet, dict):
        raise _invalide(appel, "objet JSON attendu")
    return objet


def _texte(octets: bytes, appel: _Appel) -> str:
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError:
        raise _invalide(appel, "texte qui n'est pas de l'UTF-8") from None


def _jetons(usage: object, messages: list[dict[str, str]], caracteres_sortie: int) -> tuple[int, int, bool]:
    """Entrée, sortie, estimés ? ; les chiffres du fournisseur s'il les donne, une estimation sinon."""
    if isinstance(usage, dict):
        entree, sortie = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(entree, int) and isinstance(sortie, int):
            return entree, sortie, False
    caracteres_entree = sum(len(m["content"]) for m in messages)
    return _estimer(caracteres_entree), _estimer(caracteres_sortie), True


def _estimer(caracteres: int) -> int:
    return math.ceil(caracteres / CARACTERES_PAR_JETON)


def _modele_repondu(objet: Mapping[str, Any], defaut: str) -> str:
    nom = objet.get("model")
    return nom if isinstance(nom, str) and nom else defaut


def _raison(choix: Mapping[str, Any] | None) -> str | None:
    raison = choix.get("finish_reason") if choix else None
    return raison if isinstance(raison, str) else None


# --- Erreurs ----------------------------------------------------------------------------------------


def _traduire(exc: httpx.HTTPError, appel: _Appel) -> ErreurFournisseur:
    if isinstance(exc, httpx.ConnectTimeout):
        return _injoignable(appel, f"pas de connexion en {_duree(appel.point.delai_connexion_s)} s")
    if isinstance(exc, httpx.PoolTimeout):
        return ErreurFournisseur(
            "delai", "Trop de requêtes sont en cours vers ce fournisseur ; réessayez dans quelques instants."
        )
    if isinstance(exc, httpx.TimeoutException):
        return appel.erreur_delai()
    if isinstance(exc, httpx.ConnectError):
        return _injoignable(appel, "connexion refusée ou adresse introuvable")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _injoignable(appel, "adresse invalide")
    if isinstance(exc, httpx.DecodingError):
        return _invalide(appel, "contenu mal encodé")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError | httpx.CloseError):
        if appel.entetes_recus:
            return ErreurFournisseur(
                "coupure",
                f"La réponse {appel.du_sujet} a été interrompue avant la fin ; le texte reçu est incomplet.",
            )
        return ErreurFournisseur("indisponible", "Le fournisseur a fermé la connexion sans répondre.")
    if isinstance(exc, httpx.ProtocolError):
        return _invalide(appel, "échange HTTP incorrect")
    return _injoignable(appel, "erreur de connexion")


def _injoignable(appel: _Appel, raison: str) -> ErreurFournisseur:
    return ErreurFournisseur(
        "injoignable", f"Le fournisseur est injoignable ({_adresse(appel.point)} : {raison})."
    )


def _invalide(appel: _Appel, raison: str) -> ErreurFournisseur:
    return ErreurFournisseur("reponse_invalide", f"La réponse {appel.du_sujet} est illisible ({raison}).")


def _erreur_statut(reponse: httpx.Response, appel: _Appel) -> ErreurFournisseur:
    statut = reponse.status_code
    try:
        corps = b"".join(_lire(reponse, appel, ERREUR_MAX))
    except (ErreurFournisseur, httpx.HTTPError):
        corps = b""  # le statut suffit à dire l'erreur
    extrait = _extrait(corps, appel.point.cle)
    precision = f" Message du fournisseur : « {extrait} »" if extrait else ""
    if statut == 401:
        code: Code = "authentification"
        message = "Le fournisseur a refusé la clé d'accès de Balise (HTTP 401) : un administrateur doit la vérifier."
    elif statut == 403:
        code = "authentification"
        au_modele = f" au modèle « {appel.modele} »" if appel.modele else ""
        message = f"Le fournisseur refuse l'accès{au_modele} avec la clé de Balise (HTTP 403)."
    elif statut == 429:
        code = "quota"
        attente = reponse.headers.get("Retry-After", "")
        quand = f"dans {attente} s" if attente.isdigit() else "dans quelques instants"
        message = f"Le fournisseur refuse la requête : quota atteint (HTTP 429) ; réessayez {quand}."
    elif statut >= 500:
        code = "indisponible"
        message = f"Le fournisseur est indisponible (HTTP {statut}) ; réessayez plus tard."
    elif 300 <= statut < 400:
        code = "reponse_invalide"
        message = (
            f"Le fournisseur a répondu par une redirection (HTTP {statut}) : son adresse est à vérifier."
        )
        precision = ""
    else:
        code = "refus"
        message = f"Le fournisseur a refusé la requête{appel.pour_sujet} (HTTP {statut})."
    return ErreurFournisseur(code, message + precision, statut)


def _erreur_dans_flux(erreur: object, appel: _Appel) -> ErreurFournisseur:
    """Une erreur annoncée dans le flux (vLLM, certains relais) après un statut 200."""
    extrait = _nettoyer(_message_fournisseur({"error": erreur}), appel.point.cle)
    precision = f" Message du fournisseur : « {extrait} »" if extrait else ""
    if appel.morceaux:
        debut = f"La réponse {appel.du_sujet} s'est arrêtée sur une erreur du fournisseur ; le texte reçu est incomplet."
        return ErreurFournisseur("coupure", debut + precision)
    return ErreurFournisseur("indisponible", f"{appel.sujet} a répondu par une erreur." + precision)


# Caractères de contrôle et de mise en forme invisibles (retours, inversions de sens) : un message
# du fournisseur ne doit pas pouvoir tromper l'agent sur ce qu'il lit.
_CONTROLES = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+")


def _extrait(corps: bytes, cle: str) -> str:
    """Le message d'erreur du fournisseur, court et nettoyé ; vide s'il n'y a rien de lisible (page HTML)."""
    texte = corps.decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError):  # pas du JSON : le texte brut, nettoyé
        texte = _message_fournisseur(json.loads(texte))
    return _nettoyer(texte, cle)


def _message_fournisseur(objet: object) -> str:
    """Le message lisible d'une erreur au format OpenAI (`error.message`) ou FastAPI (`detail`)."""
    if isinstance(objet, dict):
        objet = objet.get("error", objet.get("detail", objet))
    if isinstance(objet, dict):
        objet = objet.get("message") or objet.get("detail") or ""
    return objet if isinstance(objet, str) else json.dumps(objet, ensure_ascii=False)


def _nettoyer(texte: str, cle: str) -> str:
    if cle:
        texte = texte.replace(cle, "***")
    texte = " ".join(_CONTROLES.sub(" ", texte).split())
    if texte.startswith("<"):
        return ""
    return texte if len(texte) <= EXTRAIT_MAX else texte[: EXTRAIT_MAX - 1] + "…"


def _adresse(point: Point) -> str:
    """Schéma, hôte et port seuls : ni identifiants glissés dans l'adresse, ni paramètres."""
    try:
        url = httpx.URL(point.url_base)
    except httpx.InvalidURL:
        return "adresse invalide"
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}" if url.host else "adresse invalide"


def _duree(secondes: float) -> str:
    return f"{secondes:g}".replace(".", ",")
