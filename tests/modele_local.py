"""Un vrai serveur HTTP compatible OpenAI, local, qui tient le rôle du fournisseur de modèles en test.

Issue 18 : la passerelle est éprouvée contre un serveur qui écoute vraiment (127.0.0.1, port choisi par
le système), jamais contre une fonction remplacée. Il sert `GET /v1/models` et
`POST /v1/chat/completions` (réponse entière ou flux SSE, comme l'API d'OpenAI, Albert, Mistral, vLLM
ou Ollama), garde chaque requête reçue (`recues`) pour que le test vérifie ce qui est sorti de Balise,
et joue le scénario que le test choisit (`scenario`) : texte imposé, attente avant le premier octet,
erreur HTTP, corps illisible, flux coupé.

Utilisation dans un module de test :

    from tests.modele_local import fixture_modele_local  # noqa: F401  (la fixture « modele_local »)

    def test_x(modele_local):
        modele_local.scenario.texte = "Bonjour"
        ...  # appeler modele_local.url avec la clé modele_local.cle
        assert modele_local.recues[-1].corps["model"] == "albert-large"

La fixture est importée sous un autre nom que le sien pour que le paramètre `modele_local` des tests
ne masque pas l'import (F811 de ruff). Ou hors de pytest : `with ServeurModele() as serveur: ...`.
Bibliothèque standard seule : aucune dépendance de plus pour les tests.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CLE_TEST = "sk-test-balise-7f3a9c1e5b"
MODELES = ("albert-large", "mistral-small-latest", "llama-local")

# Messages d'erreur au format d'OpenAI, selon le statut demandé par le scénario.
ERREURS = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("invalid_api_key", "Incorrect API key provided."),
    403: ("permission_denied", "You are not allowed to use this model."),
    404: ("model_not_found", "The model does not exist."),
    429: ("rate_limit_exceeded", "Rate limit reached, retry later."),
    500: ("server_error", "The server had an error while processing your request."),
    503: ("service_unavailable", "The engine is currently overloaded."),
}


@dataclass(frozen=True)
class Requete:
    """Une requête telle que le serveur l'a reçue (en-têtes en minuscules, corps JSON lu s'il l'est)."""

    methode: str
    chemin: str
    entetes: dict[str, str]
    corps: Any
    brut: bytes
    # Port du client : deux requêtes venues du même port ont partagé une connexion (réutilisation).
    port_client: int


@dataclass
class Scenario:
    """Ce que le serveur répond ; le test change les champs avant d'appeler (lus à chaque requête)."""

    # Texte de la réponse ; None : « Réponse à : <dernier message de l'utilisateur> ».
    texte: str | None = None
    # Morceaux du flux, tels quels ; None : le texte découpé tous les `taille_morceau` caractères.
    morceaux: list[str] | None = None
    taille_morceau: int = 4
    # Attente avant le premier octet de la réponse (en-têtes compris), puis entre deux morceaux du flux.
    attente_s: float = 0.0
    attente_entre_morceaux_s: float = 0.0
    # Statut d'erreur à renvoyer (corps d'erreur au format OpenAI) ; `corps_erreur` le remplace.
    statut: int | None = None
    corps_erreur: bytes | None = None
    # Corps 200 qui n'est pas du JSON (réponse entière) ou un morceau illisible (flux).
    malforme: bool = False
    # Flux : connexion fermée net après ce nombre de morceaux de texte (ni fin de corps ni [DONE]).
    couper_apres: int | None = None
    # Flux : après ce nombre de morceaux, un événement `{"error": …}` puis la fin (comme vLLM).
    erreur_apres: int | None = None
    # Flux : corps terminé proprement mais sans `data: [DONE]`.
    sans_done: bool = False
    # False : pas d'`usage`, même demandé (certains fournisseurs l'ignorent).
    usage: bool = True
    # Décompte imposé (entrée, sortie) ; None : un jeton par mot, pour des valeurs prévisibles.
    jetons: tuple[int, int] | None = None
    # Nom du modèle dans la réponse ; None : celui demandé.
    modele_repondu: str | None = None
    # Flux : chaque événement écrit en deux fois, coupé au milieu d'un caractère UTF-8 de plusieurs octets.
    couper_octets: bool = False


class ServeurModele:
    """Le serveur, démarré dans un fil d'exécution ; `url` finit par /v1 comme chez les fournisseurs."""

    def __init__(self, cle: str = CLE_TEST) -> None:
        self.cle = cle
        self.scenario = Scenario()
        self._recues: list[Requete] = []
        self._verrou = threading.Lock()
        # Écritures refusées par un client parti (flux abandonné) : le test y lit la déconnexion.
        self.deconnexions = 0
        self.deconnecte = threading.Event()
        self._arret = threading.Event()
        self._serveur: _Serveur | None = None
        self._fil: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._serveur is not None, "serveur non démarré"
        return f"http://127.0.0.1:{self._serveur.server_address[1]}/v1"

    @property
    def port(self) -> int:
        assert self._serveur is not None, "serveur non démarré"
        return int(self._serveur.server_address[1])

    @property
    def recues(self) -> list[Requete]:
        """Copie des requêtes reçues, dans l'ordre d'arrivée."""
        with self._verrou:
            return list(self._recues)

    def noter(self, requete: Requete) -> None:
        with self._verrou:
            self._recues.append(requete)

    def noter_deconnexion(self) -> None:
        with self._verrou:
            self.deconnexions += 1
        self.deconnecte.set()

    def attendre(self, secondes: float) -> bool:
        """Dort `secondes`, mais rend la main tout de suite à l'arrêt du serveur (True si arrêté)."""
        return self._arret.wait(secondes) if secondes > 0 else self._arret.is_set()

    def demarrer(self) -> ServeurModele:
        self._serveur = _Serveur(("127.0.0.1", 0), _Gestionnaire, self)
        # Boucle réveillée toutes les 20 ms : l'arrêt, à la fin de chaque test, n'attend pas 0,5 s.
        self._fil = threading.Thread(
            target=self._serveur.serve_forever, args=(0.02,), name="modele-local", daemon=True
        )
        self._fil.start()
        return self

    def arreter(self) -> None:
        self._arret.set()
        if self._serveur is not None:
            self._serveur.shutdown()
            self._serveur.server_close()
        if self._fil is not None:
            self._fil.join(timeout=5)

    def __enter__(self) -> ServeurModele:
        return self.demarrer()

    def __exit__(self, *exc: object) -> None:
        self.arreter()


class _Serveur(ThreadingHTTPServer):
    daemon_threads = True
    # Un fil qui dort dans une attente ou garde une connexion ouverte ne retient pas l'arrêt.
    block_on_close = False
    # 16 flux simultanés et plus : la file d'attente par défaut (5) ferait perdre des connexions.
    request_queue_size = 128

    def __init__(self, adresse: tuple[str, int], gestionnaire: type, modele: ServeurModele) -> None:
        self.modele = modele
        super().__init__(adresse, gestionnaire)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Un client qui part au milieu d'une réponse est un cas voulu par les tests, pas une erreur à
        # imprimer ; le reste remonte à la sortie d'erreur comme d'habitude.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            self.modele.noter_deconnexion()
            return
        super().handle_error(request, client_address)


class _Gestionnaire(BaseHTTPRequestHandler):
    # HTTP/1.1 : connexions gardées ouvertes, comme chez un vrai fournisseur (le client les réutilise).
    protocol_version = "HTTP/1.1"
    # Une connexion inactive est fermée au bout de ce délai (fils d'exécution libérés).
    timeout = 30
    # En-têtes et corps partent en deux écritures : avec Nagle, la seconde attendrait l'accusé de
    # réception retardé du client (40 ms par réponse sous Linux).
    disable_nagle_algorithm = True
    server: _Serveur

    def log_message(self, format: str, *args: Any) -> None:
        pass  # pas de journal d'accès dans la sortie des tests

    @property
    def modele(self) -> ServeurModele:
        return self.server.modele

    # --- Réception -------------------------------------------------------------------------------

    def _recevoir(self) -> Requete:
        longueur = int(self.headers.get("Content-Length") or 0)
        brut = self.rfile.read(longueur) if longueur else b""
        try:
            corps = json.loads(brut) if brut else None
        except ValueError:
            corps = None
        requete = Requete(
            methode=self.command,
            chemin=self.path,
            entetes={k.lower(): v for k, v in self.headers.items()},
            corps=corps,
            brut=brut,
            port_client=int(self.client_address[1]),
        )
        self.modele.noter(requete)
        return requete

    def _autorise(self, requete: Requete) -> bool:
        return requete.entetes.get("authorization") == f"Bearer {self.modele.cle}"

    def do_GET(self) -> None:
        requete = self._recevoir()
        if not self._autorise(requete):
            return self._erreur(401)
        if requete.chemin != "/v1/models":
            return self._erreur(404)
        if self.modele.attendre(self.modele.scenario.attente_s):
            return
        if self.modele.scenario.statut:
            return self._erreur(self.modele.scenario.statut, self.modele.scenario.corps_erreur)
        if self.modele.scenario.malforme:
            return self._envoyer(200, b'{"data": [', "application/json")
        liste = {
            "object": "list",
            "data": [{"id": m, "object": "model", "created": 0, "owned_by": "local"} for m in MODELES],
        }
        self._json(200, liste)

    def do_POST(self) -> None:
        requete = self._recevoir()
        if not self._autorise(requete):
            return self._erreur(401)
        if requete.chemin != "/v1/chat/completions":
            return self._erreur(404)
        scenario = self.modele.scenario
        if self.modele.attendre(scenario.attente_s):
            return
        if scenario.statut:
            return self._erreur(scenario.statut, scenario.corps_erreur)
        corps = requete.corps if isinstance(requete.corps, dict) else {}
        modele = scenario.modele_repondu or str(corps.get("model", ""))
        messages = corps.get("messages") or []
        texte = scenario.texte
        if texte is None:
            derniers = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
            texte = f"Réponse à : {derniers[-1].get('content', '') if derniers else ''}"
        entree = sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))
        jetons = scenario.jetons or (entree, len(texte.split()))
        usage = {"prompt_tokens": jetons[0], "completion_tokens": jetons[1], "total_tokens": sum(jetons)}
        if corps.get("stream"):
            inclure = bool((corps.get("stream_options") or {}).get("include_usage"))
            return self._flux(modele, texte, usage if inclure and scenario.usage else None)
        if scenario.malforme:
            return self._envoyer(200, b'{"choices": [{"message": ', "application/json")
        reponse: dict[str, Any] = {
            "id": "chatcmpl-local",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": modele,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": texte}, "finish_reason": "stop"}
            ],
        }
        if scenario.usage:
            reponse["usage"] = usage
        self._json(200, reponse)

    # --- Émission --------------------------------------------------------------------------------

    def _envoyer(self, statut: int, corps: bytes, type_contenu: str) -> None:
        self.send_response(statut)
        self.send_header("Content-Type", type_contenu)
        self.send_header("Content-Length", str(len(corps)))
        self.end_headers()
        self.wfile.write(corps)

    def _json(self, statut: int, objet: Any) -> None:
        self._envoyer(statut, json.dumps(objet, ensure_ascii=False).encode(), "application/json")

    def _erreur(self, statut: int, corps: bytes | None = None) -> None:
        if corps is not None:
            return self._envoyer(statut, corps, "application/json")
        code, message = ERREURS.get(statut, ("error", "Error."))
        self._json(statut, {"error": {"message": message, "type": code, "code": code, "param": None}})

    def _morceau_http(self, donnees: bytes) -> None:
        """Un morceau du codage « chunked », écrit et poussé tout de suite (pas de tampon)."""
        self.wfile.write(f"{len(donnees):x}\r\n".encode() + donnees + b"\r\n")
        self.wfile.flush()

    def _evenement(self, objet: Any) -> None:
        donnees = b"data: " + json.dumps(objet, ensure_ascii=False).encode() + b"\n\n"
        if self.modele.scenario.couper_octets:
            coupure = _milieu_multioctet(donnees)
            if coupure is not None:
                self._morceau_http(donnees[:coupure])
                time.sleep(0.005)  # laisse le client lire la première moitié seule
                self._morceau_http(donnees[coupure:])
                return
        self._morceau_http(donnees)

    def _flux(self, modele: str, texte: str, usage: dict[str, int] | None) -> None:
        scenario = self.modele.scenario
        taille = max(1, scenario.taille_morceau)
        morceaux = scenario.morceaux
        if morceaux is None:
            morceaux = [texte[i : i + taille] for i in range(0, len(texte), taille)]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-local", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = modele

        def choix(delta: dict[str, str], fin: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": fin}]}

        self._evenement(choix({"role": "assistant", "content": ""}))
        for numero, morceau in enumerate(morceaux):
            if scenario.couper_apres is not None and numero >= scenario.couper_apres:
                # Fermeture net, sans le morceau final du codage « chunked » : le client voit un corps
                # incomplet, comme quand un fournisseur tombe au milieu d'une réponse.
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if scenario.erreur_apres is not None and numero >= scenario.erreur_apres:
                erreur = {
                    "message": "Internal server error: CUDA out of memory.",
                    "type": "server_error",
                    "code": 500,
                }
                self._evenement({"error": erreur})
                break
            if numero and self.modele.attendre(scenario.attente_entre_morceaux_s):
                return
            if scenario.malforme and numero == 1:
                self._morceau_http(b'data: {"choices": [{"delta": \n\n')
                continue
            self._evenement(choix({"content": morceau}))
        self._evenement(choix({}, "stop"))
        if usage is not None:
            self._evenement({**base, "choices": [], "usage": usage})
        if not scenario.sans_done:
            self._morceau_http(b"data: [DONE]\n\n")
        self._morceau_http(b"")  # fin du corps « chunked »


def _milieu_multioctet(donnees: bytes) -> int | None:
    """Position à l'intérieur du premier caractère UTF-8 de plusieurs octets, None s'il n'y en a pas."""
    for i, octet in enumerate(donnees):
        if octet >= 0xC0:  # premier octet d'un caractère de 2 à 4 octets
            return i + 1
    return None


@pytest.fixture(name="modele_local")
def fixture_modele_local() -> Iterator[ServeurModele]:
    """Le serveur démarré pour un test, arrêté à sa fin ; `url`, `cle`, `scenario`, `recues`."""
    with ServeurModele() as serveur:
        yield serveur


__all__ = ["CLE_TEST", "MODELES", "Requete", "Scenario", "ServeurModele", "fixture_modele_local"]
