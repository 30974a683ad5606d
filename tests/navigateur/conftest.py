"""Tests dans un vrai navigateur : Playwright (API synchrone) pilote le Chromium de Debian.

Un seul navigateur pour toute la session ; chaque test a son propre contexte (cookies, session)
et sa propre page, sur le serveur de test de pytest-django (`live_server`).
"""

import os

import pytest
from django.core import mail

# L'API synchrone de Playwright fait tourner une boucle asyncio dans le fil principal : sans ce réglage,
# Django refuserait les accès à la base faits par les fixtures pendant les tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

MOT_DE_PASSE = "mot-de-passe-tres-long-42"
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DELAI_MS = 10_000


@pytest.fixture(scope="session")
def navigateur() -> Browser:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGUMENTS_CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def nouveau_contexte(navigateur, live_server):
    """Fabrique de contextes (une « personne » par contexte), tous fermés à la fin du test."""
    contextes: list[BrowserContext] = []

    def fabriquer() -> BrowserContext:
        contexte = navigateur.new_context(base_url=live_server.url, locale="fr-FR")
        contexte.set_default_timeout(DELAI_MS)
        contextes.append(contexte)
        return contexte

    yield fabriquer
    for contexte in contextes:
        contexte.close()


@pytest.fixture
def courriels(settings):
    # Le serveur de test tourne dans ce processus : la boîte d'envoi en mémoire lui est commune.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def page(nouveau_contexte) -> Page:
    return nouveau_contexte().new_page()


def connecter(page: Page, email: str, mot_de_passe: str = MOT_DE_PASSE) -> None:
    """Se connecte par le vrai formulaire (django-axes refuse `client.login()`)."""
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/comptes/connexion/" not in url)
