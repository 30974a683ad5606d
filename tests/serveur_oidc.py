"""Un vrai fournisseur OpenID Connect pour les tests : node-oidc-provider (tests/oidc/fournisseur.js),
démarré une fois par session sur un port libre, arrêté à la fin.

- `fournisseur_oidc` (session) : le processus Node, prêt quand son document de découverte répond ;
- `oidc_actif` : les réglages d'une instance branchée sur lui (ceux que donneraient les variables
  BALISE_OIDC_*), ses adresses (ce module sert aussi de ROOT_URLCONF : celles de Balise, plus
  /comptes/oidc/) et le processeur de contexte du bouton. Sans lui, Balise est sans connexion OIDC.

Les modules de test importent ces deux fixtures. Le fournisseur s'installe par scripts/services-test.sh
(`npm ci --prefix tests/oidc`).
"""

import copy
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from django.urls import include, path

from balise import urls as urls_balise
from balise.comptes import oidc, reglages_oidc

DOSSIER = Path(__file__).parent / "oidc"
CLIENT_ID = "balise-de-test"
CLIENT_SECRET = "secret-du-client-de-test"  # noqa: S105  # connu du seul fournisseur de test
PROCESSEUR = "balise.comptes.oidc.contexte_connexion"
# Adresses de retour permises par le fournisseur : le client de test de Django (testserver) et le
# serveur de test des navigateurs (port au hasard : « * »).
RETOURS = ",".join(
    f"http://{hote}/comptes/oidc/retour/" for hote in ("testserver", "localhost:*", "127.0.0.1:*")
)
RETOURS_DECONNEXION = RETOURS.replace("/retour/", "/fin/")

# ROOT_URLCONF de `oidc_actif` : Balise et ses adresses OIDC, comme une fois balise/urls.py complété.
urlpatterns = [path("comptes/oidc/", include("balise.comptes.urls_oidc")), *urls_balise.urlpatterns]


@dataclass
class Fournisseur:
    emetteur: str
    journal: Path

    def lire_journal(self) -> str:
        return self.journal.read_text(encoding="utf-8", errors="replace")


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fournisseur_oidc():
    if shutil.which("node") is None:
        pytest.fail("Node.js est nécessaire au fournisseur OpenID Connect de test (tests/oidc/).")
    if not (DOSSIER / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "Fournisseur OIDC de test absent : lancez scripts/services-test.sh (npm ci --prefix tests/oidc)."
        )
    port = _port_libre()
    emetteur = f"http://127.0.0.1:{port}"
    journal = Path(tempfile.mkstemp(prefix="fournisseur-oidc-", suffix=".log")[1])
    env = {
        **os.environ,
        "BALISE_OIDC_CLIENT_ID": CLIENT_ID,
        "BALISE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "BALISE_OIDC_RETOURS": RETOURS,
        "BALISE_OIDC_RETOURS_DECONNEXION": RETOURS_DECONNEXION,
    }
    with journal.open("w") as sortie:
        processus = subprocess.Popen(  # noqa: S603
            ["node", "fournisseur.js", str(port)],  # noqa: S607
            cwd=DOSSIER,
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )
    try:
        limite = time.monotonic() + 20
        while True:
            if processus.poll() is not None:
                pytest.fail(f"Le fournisseur OIDC de test s'est arrêté :\n{journal.read_text()}")
            try:
                if httpx.get(f"{emetteur}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > limite:
                pytest.fail(f"Le fournisseur OIDC de test ne répond pas :\n{journal.read_text()}")
            time.sleep(0.1)
        yield Fournisseur(emetteur=emetteur, journal=journal)
    finally:
        processus.terminate()
        try:
            processus.wait(timeout=5)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait()
        journal.unlink(missing_ok=True)


def brancher(settings, emetteur: str, **variables: str) -> None:
    """Les réglages d'une instance dont l'environnement nomme ce fournisseur (reglages_oidc.lire)."""
    environ = {
        "BALISE_OIDC_EMETTEUR": emetteur,
        "BALISE_OIDC_CLIENT_ID": CLIENT_ID,
        "BALISE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        **variables,
    }
    for nom, valeur in reglages_oidc.lire(environ).items():
        setattr(settings, nom, valeur)
    settings.ROOT_URLCONF = __name__
    gabarits = copy.deepcopy(settings.TEMPLATES)
    processeurs = gabarits[0]["OPTIONS"]["context_processors"]
    if PROCESSEUR not in processeurs:
        processeurs.append(PROCESSEUR)
    settings.TEMPLATES = gabarits
    oidc.oublier_decouvertes()


@pytest.fixture
def oidc_actif(settings, fournisseur_oidc) -> Fournisseur:
    brancher(settings, fournisseur_oidc.emetteur)
    yield fournisseur_oidc
    oidc.oublier_decouvertes()


def se_connecter_chez_le_fournisseur(adresse_autorisation: str, identifiant: str) -> tuple[str, httpx.Client]:
    """Ce que ferait le navigateur chez le fournisseur : sa page de connexion, le formulaire rempli, puis
    les redirections jusqu'au retour vers Balise, dont l'adresse est rendue (avec le client httpx, qui
    garde les témoins de la session ouverte chez le fournisseur)."""
    navigateur = httpx.Client(follow_redirects=False, timeout=10)
    adresse = adresse_autorisation
    for _ in range(10):
        reponse = navigateur.get(adresse)
        if reponse.status_code in (302, 303):
            adresse = urljoin(adresse, reponse.headers["location"])
            if not adresse.startswith("http://127.0.0.1"):
                return adresse, navigateur  # retour vers Balise
            continue
        assert reponse.status_code == 200, reponse.text
        action = re.search(r'<form[^>]*action="([^"]+)"', reponse.text)
        assert action is not None and 'name="login"' in reponse.text, reponse.text
        envoi = navigateur.post(
            urljoin(adresse, action.group(1)),
            data={"prompt": "login", "login": identifiant, "password": "peu-importe"},
        )
        assert envoi.status_code in (302, 303), envoi.text
        adresse = urljoin(adresse, envoi.headers["location"])
        if not adresse.startswith("http://127.0.0.1"):
            return adresse, navigateur
    raise AssertionError("trop de redirections chez le fournisseur")
