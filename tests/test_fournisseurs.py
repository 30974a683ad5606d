"""Le client des fournisseurs de modèles (balise/passerelle/fournisseurs.py), contre un vrai serveur local.

Le serveur (tests/modele_local.py) écoute sur 127.0.0.1 : chaque test vérifie ce qu'il a reçu et ce que
Balise a fait de sa réponse, flux compris. Aucune base de données.
"""

import math
import pickle
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from balise.passerelle import fournisseurs as f
from balise.passerelle.fournisseurs import ErreurFournisseur, Fin, Morceau, Point
from tests.modele_local import CLE_TEST, MODELES, Scenario, ServeurModele, fixture_modele_local  # noqa: F401

QUESTION = [{"role": "user", "content": "Quelle est la date du conseil municipal ?"}]


@pytest.fixture(autouse=True)
def _clients_neufs():
    # Chaque test a son serveur (son port) : les connexions gardées vers le précédent sont fermées.
    yield
    f.fermer_clients()


def point(serveur: ServeurModele, delai_s: float = 5.0, cle: str = CLE_TEST) -> Point:
    return Point(url_base=serveur.url, cle=cle, delai_s=delai_s, delai_connexion_s=1.0)


def lire_flux(flux) -> tuple[list[str], Fin]:
    elements = list(flux)
    assert isinstance(elements[-1], Fin)
    assert all(isinstance(e, Morceau) for e in elements[:-1])
    return [e.texte for e in elements[:-1]], elements[-1]


def echec(appel, *args, **kwargs) -> ErreurFournisseur:
    """L'erreur levée par un appel ; pour un flux, après avoir tout consommé."""
    with pytest.raises(ErreurFournisseur) as info:
        resultat = appel(*args, **kwargs)
        if not isinstance(resultat, f.Reponse | list):
            list(resultat)
    return info.value


def sans_cle(erreur: ErreurFournisseur) -> None:
    """La clé n'apparaît nulle part dans ce qu'une erreur peut montrer ou journaliser."""
    for texte in (erreur.message, str(erreur), repr(erreur), repr(erreur.args), str(erreur.__cause__)):
        assert CLE_TEST not in texte


# --- Ce qui part -----------------------------------------------------------------------------------


def test_completer_envoie_le_modele_les_messages_la_cle_et_les_seules_options_prevues(modele_local):
    messages = [
        {"role": "system", "content": "Tu réponds en français."},
        {"role": "user", "content": "Résume l'arrêté n° 12 ✅", "name": "agent-42"},
    ]
    f.completer(point(modele_local), "albert-large", messages, temperature=0.2, max_tokens=50, tools=[{}])

    (recue,) = modele_local.recues
    assert (recue.methode, recue.chemin) == ("POST", "/v1/chat/completions")
    assert recue.entetes["authorization"] == f"Bearer {CLE_TEST}"
    assert recue.corps == {
        "model": "albert-large",
        # Rien d'autre que le rôle et le contenu ne part (ici, pas le nom de l'agent) ; pas d'option
        # hors de la liste (ici, pas d'outils).
        "messages": [
            {"role": "system", "content": "Tu réponds en français."},
            {"role": "user", "content": "Résume l'arrêté n° 12 ✅"},
        ],
        "stream": False,
        "temperature": 0.2,
        "max_tokens": 50,
    }


def test_diffuser_demande_un_flux_non_compresse_avec_la_consommation(modele_local):
    lire_flux(f.diffuser(point(modele_local), "mistral-small-latest", QUESTION))

    (recue,) = modele_local.recues
    assert recue.corps["stream"] is True
    assert recue.corps["stream_options"] == {"include_usage": True}
    assert recue.corps["model"] == "mistral-small-latest"
    assert recue.corps["messages"] == QUESTION
    assert recue.entetes["accept"] == "text/event-stream"
    assert recue.entetes["accept-encoding"] == "identity"
    assert recue.entetes["authorization"] == f"Bearer {CLE_TEST}"


def test_rien_ne_part_avant_la_premiere_lecture_du_flux(modele_local):
    flux = f.diffuser(point(modele_local), "albert-large", QUESTION)
    assert modele_local.recues == []
    assert isinstance(next(flux), Morceau)
    assert len(modele_local.recues) == 1
    flux.close()


def test_options_et_messages_mal_formes_refuses_avant_tout_envoi(modele_local):
    p = point(modele_local)
    with pytest.raises(TypeError):
        f.completer(p, "albert-large", QUESTION, temperature="chaud")
    with pytest.raises(TypeError):
        f.completer(p, "albert-large", QUESTION, max_tokens=True)
    with pytest.raises(ValueError):
        f.completer(p, "albert-large", [])
    with pytest.raises(ValueError):
        f.completer(p, "albert-large", [{"role": "user", "content": None}])
    assert modele_local.recues == []


# --- Réponses -----------------------------------------------------------------------------------


def test_lister_modeles(modele_local):
    assert f.lister_modeles(point(modele_local)) == list(MODELES)
    (recue,) = modele_local.recues
    assert (recue.methode, recue.chemin) == ("GET", "/v1/models")
    assert recue.entetes["authorization"] == f"Bearer {CLE_TEST}"


def test_completer_rend_le_texte_la_consommation_et_le_modele_repondu(modele_local):
    modele_local.scenario = Scenario(jetons=(12, 34), modele_repondu="albert-large-2025-06")

    reponse = f.completer(point(modele_local), "albert-large", QUESTION)

    assert reponse.texte == "Réponse à : Quelle est la date du conseil municipal ?"
    assert (reponse.jetons_entree, reponse.jetons_sortie, reponse.jetons_estimes) == (12, 34, False)
    assert reponse.modele == "albert-large-2025-06"
    assert reponse.raison_fin == "stop"
    assert 0 < reponse.latence_s < 2


def test_completer_estime_la_consommation_que_le_fournisseur_ne_donne_pas(modele_local):
    modele_local.scenario = Scenario(texte="Le conseil se réunit le 12 mars.", usage=False)

    reponse = f.completer(point(modele_local), "albert-large", QUESTION)

    # Environ 4 caractères par jeton, arrondi au-dessus.
    assert reponse.jetons_estimes is True
    assert reponse.jetons_entree == math.ceil(len(QUESTION[0]["content"]) / 4)
    assert reponse.jetons_sortie == math.ceil(len("Le conseil se réunit le 12 mars.") / 4)


def test_flux_reassemble_exactement_accents_emoji_et_graphemes_composes(modele_local):
    # Un emoji composé (femme + liant + ordinateur) et un accent combinant coupés entre deux morceaux :
    # rien n'est perdu ni recollé de travers.
    morceaux = [
        "Bonjour ",
        "Élodie, ",
        "voici 🎉 le ",
        "👩",
        "\u200d💻",
        " planning",
        " — e",
        "\u0301té ",
        "2025.",
    ]
    modele_local.scenario = Scenario(morceaux=morceaux, jetons=(9, 11), modele_repondu="mistral-small-2506")

    textes, fin = lire_flux(f.diffuser(point(modele_local), "mistral-small-latest", QUESTION))

    assert textes == morceaux
    assert "".join(textes) == "Bonjour Élodie, voici 🎉 le 👩\u200d💻 planning — e\u0301té 2025."
    assert (fin.jetons_entree, fin.jetons_sortie, fin.jetons_estimes) == (9, 11, False)
    assert fin.modele == "mistral-small-2506"
    assert fin.raison_fin == "stop"
    assert fin.premier_morceau_s is not None
    assert 0 < fin.premier_morceau_s <= fin.latence_s < 2


def test_flux_recolle_un_caractere_coupe_entre_deux_blocs_reseau(modele_local):
    # Le serveur écrit chaque événement en deux fois, la coupure tombant dans le premier caractère
    # de plusieurs octets (é, puis les quatre octets de 🎉) : le client lit la première moitié seule.
    morceaux = ["é", "🎉", "àçù", "漢字"]
    modele_local.scenario = Scenario(morceaux=morceaux, couper_octets=True)

    textes, _ = lire_flux(f.diffuser(point(modele_local), "albert-large", QUESTION))

    assert textes == morceaux


def test_flux_sans_consommation_l_estime(modele_local):
    modele_local.scenario = Scenario(texte="Oui, le 12 mars à 18 h.", usage=False)

    textes, fin = lire_flux(f.diffuser(point(modele_local), "albert-large", QUESTION))

    assert "".join(textes) == "Oui, le 12 mars à 18 h."
    assert fin.jetons_estimes is True
    assert fin.jetons_entree == math.ceil(len(QUESTION[0]["content"]) / 4)
    assert fin.jetons_sortie == math.ceil(len("Oui, le 12 mars à 18 h.") / 4)


def test_connexion_reutilisee_d_un_appel_a_l_autre(modele_local):
    p = point(modele_local)
    f.completer(p, "albert-large", QUESTION)
    lire_flux(f.diffuser(p, "albert-large", QUESTION))
    lire_flux(f.diffuser(p, "albert-large", QUESTION))
    f.lister_modeles(p)

    # Même port client pour les quatre : une seule connexion TCP, gardée ouverte (flux compris, la fin
    # du corps étant lue après [DONE]).
    assert len({r.port_client for r in modele_local.recues}) == 1


# --- Erreurs ------------------------------------------------------------------------------------

STATUTS = [
    (400, "refus"),
    (401, "authentification"),
    (403, "authentification"),
    (404, "refus"),
    (429, "quota"),
    (500, "indisponible"),
    (503, "indisponible"),
]


@pytest.mark.parametrize(("statut", "code"), STATUTS)
def test_statut_d_erreur_du_fournisseur_traduit_en_francais(modele_local, statut, code):
    modele_local.scenario = Scenario(statut=statut)
    p = point(modele_local)

    for erreur in (
        echec(f.completer, p, "albert-large", QUESTION),
        echec(f.diffuser, p, "albert-large", QUESTION),
        echec(f.lister_modeles, p),
    ):
        assert (erreur.code, erreur.statut) == (code, statut)
        assert f"HTTP {statut}" in erreur.message
        assert erreur.message.startswith("Le fournisseur ")
        assert "Message du fournisseur : « " in erreur.message  # l'extrait du corps d'erreur OpenAI
        sans_cle(erreur)


def test_mauvaise_cle_refusee_par_le_serveur(modele_local):
    erreur = echec(f.completer, point(modele_local, cle="sk-perimee"), "albert-large", QUESTION)

    assert (erreur.code, erreur.statut) == ("authentification", 401)
    assert "clé d'accès" in erreur.message
    assert "sk-perimee" not in repr(erreur)


def test_extrait_du_corps_d_erreur_court_nettoye_et_sans_la_cle(modele_local):
    # Un relais qui renvoie la clé reçue, des retours à la ligne, une inversion de sens et un roman.
    bavard = f"Clé {CLE_TEST} inconnue.\nDétail :\u202e " + "x" * 5000
    modele_local.scenario = Scenario(
        statut=400, corps_erreur=f'{{"detail": "{bavard}"}}'.encode().replace(b"\n", b"\\n")
    )

    erreur = echec(f.completer, point(modele_local), "albert-large", QUESTION)

    assert erreur.code == "refus"
    sans_cle(erreur)
    assert "Clé *** inconnue. Détail : xxx" in erreur.message
    assert "\n" not in erreur.message and "\u202e" not in erreur.message
    assert len(erreur.message) < 400


def test_page_html_d_erreur_non_citee(modele_local):
    modele_local.scenario = Scenario(
        statut=503, corps_erreur=b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    )

    erreur = echec(f.completer, point(modele_local), "albert-large", QUESTION)

    assert erreur.code == "indisponible"
    assert erreur.message == "Le fournisseur est indisponible (HTTP 503) ; réessayez plus tard."


def test_delai_depasse_avant_le_premier_octet(modele_local):
    modele_local.scenario = Scenario(attente_s=1.5)
    p = point(modele_local, delai_s=0.3)

    for appel in (f.completer, f.diffuser):
        debut = time.monotonic()
        erreur = echec(appel, p, "albert-large", QUESTION)
        duree = time.monotonic() - debut
        assert erreur.code == "delai"
        assert erreur.message == "Le modèle « albert-large » n'a pas répondu dans le délai de 0,3 s."
        assert 0.3 <= duree < 1.2  # le serveur, lui, aurait répondu à 1,5 s


def test_delai_total_borne_un_flux_qui_s_egrene(modele_local):
    # Chaque morceau arrive vite (0,1 s), mais le tout dépasserait le délai : coupé à l'échéance, avec
    # les morceaux déjà reçus.
    modele_local.scenario = Scenario(morceaux=["mot "] * 30, attente_entre_morceaux_s=0.1)
    recus: list[str] = []
    debut = time.monotonic()

    with pytest.raises(ErreurFournisseur) as info:
        for element in f.diffuser(point(modele_local, delai_s=0.45), "albert-large", QUESTION):
            recus.append(element.texte)

    assert info.value.code == "delai"
    assert "dépassé le délai de 0,45 s ; le texte reçu est incomplet" in info.value.message
    assert 2 <= len(recus) < 30
    assert time.monotonic() - debut < 1.2  # le flux entier aurait duré 3 s


def test_fournisseur_injoignable(modele_local):
    with socket.socket() as s:  # un port libre, fermé aussitôt : personne n'y écoute
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = Point(url_base=f"http://127.0.0.1:{port}/v1", cle=CLE_TEST, delai_s=2)

    for erreur in (
        echec(f.completer, p, "albert-large", QUESTION),
        echec(f.diffuser, p, "albert-large", QUESTION),
        echec(f.lister_modeles, p),
    ):
        assert erreur.code == "injoignable"
        assert erreur.statut is None
        assert erreur.message.startswith(f"Le fournisseur est injoignable (http://127.0.0.1:{port} : ")
        sans_cle(erreur)


@pytest.mark.parametrize("cle", ["", "sk-abc\r\nX-Injecte: 1", "sk-clé"])
def test_cle_mal_formee_refusee_sans_etre_citee_ni_envoyee(modele_local, cle):
    erreur = echec(f.completer, point(modele_local, cle=cle), "albert-large", QUESTION)

    assert erreur.code == "authentification"
    assert erreur.message == "La clé d'accès configurée pour ce fournisseur est vide ou mal formée."
    assert erreur.__cause__ is None
    assert modele_local.recues == []


def test_identifiants_glisses_dans_l_adresse_non_cites():
    p = Point(url_base="http://compte:motdepasse@127.0.0.1:9/v1", cle=CLE_TEST, delai_s=1)

    erreur = echec(f.completer, p, "albert-large", QUESTION)

    assert erreur.code == "injoignable"
    assert "motdepasse" not in erreur.message and "compte" not in erreur.message


def test_reponse_illisible(modele_local):
    modele_local.scenario = Scenario(malforme=True)
    p = point(modele_local)

    for erreur in (
        echec(f.completer, p, "albert-large", QUESTION),
        echec(f.diffuser, p, "albert-large", QUESTION),
        echec(f.lister_modeles, p),
    ):
        assert erreur.code == "reponse_invalide"
        assert "illisible" in erreur.message


@pytest.mark.parametrize(
    "scenario", [Scenario(couper_apres=3), Scenario(sans_done=True)], ids=["net", "sans-done"]
)
def test_flux_coupe_rend_les_morceaux_puis_signale_la_coupure(modele_local, scenario):
    modele_local.scenario = scenario
    scenario.morceaux = ["Un ", "deux ", "trois ", "quatre ", "cinq"]
    recus: list[str] = []

    with pytest.raises(ErreurFournisseur) as info:
        for element in f.diffuser(point(modele_local), "albert-large", QUESTION):
            recus.append(element.texte)

    attendus = scenario.morceaux[:3] if scenario.couper_apres else scenario.morceaux
    assert recus == attendus
    assert info.value.code == "coupure"
    assert info.value.message == (
        "La réponse du modèle « albert-large » a été interrompue avant la fin ; le texte reçu est incomplet."
    )


def test_erreur_annoncee_dans_le_flux(modele_local):
    modele_local.scenario = Scenario(morceaux=["Un ", "deux ", "trois"], erreur_apres=2)
    recus: list[str] = []

    with pytest.raises(ErreurFournisseur) as info:
        for element in f.diffuser(point(modele_local), "albert-large", QUESTION):
            recus.append(element.texte)

    assert recus == ["Un ", "deux "]
    assert info.value.code == "coupure"
    assert "CUDA out of memory" in info.value.message


def test_erreur_sans_la_cle_dans_la_representation_ni_perdue_par_pickle():
    assert CLE_TEST not in repr(Point("http://127.0.0.1/v1", CLE_TEST, 1))
    erreur = pickle.loads(pickle.dumps(ErreurFournisseur("quota", "Quota atteint.", 429)))  # noqa: S301
    assert (erreur.code, erreur.message, erreur.statut) == ("quota", "Quota atteint.", 429)


# --- Flux abandonnés, flux simultanés -------------------------------------------------------------


def test_abandon_du_flux_ferme_la_connexion(modele_local):
    modele_local.scenario = Scenario(morceaux=["mot "] * 200, attente_entre_morceaux_s=0.02)
    flux = f.diffuser(point(modele_local), "albert-large", QUESTION)

    assert [next(flux).texte, next(flux).texte] == ["mot ", "mot "]
    flux.close()

    # Le serveur voit la connexion fermée à sa prochaine écriture : il cesse d'écrire pour rien.
    assert modele_local.deconnecte.wait(2)
    # Et le client n'en garde pas : un nouvel appel ouvre une autre connexion.
    modele_local.scenario = Scenario()
    f.completer(point(modele_local), "albert-large", QUESTION)
    premiere, seconde = modele_local.recues
    assert premiere.port_client != seconde.port_client


def test_seize_flux_simultanes_tous_intacts(modele_local):
    modele_local.scenario = Scenario(taille_morceau=3, attente_entre_morceaux_s=0.01)
    p = point(modele_local)
    en_cours = 0
    max_en_cours = 0
    verrou = threading.Lock()

    def un_flux(numero: int) -> str:
        nonlocal en_cours, max_en_cours
        with verrou:
            en_cours += 1
            max_en_cours = max(max_en_cours, en_cours)
        try:
            textes, fin = lire_flux(
                f.diffuser(p, "albert-large", [{"role": "user", "content": f"Dossier n° {numero} 🎯"}])
            )
        finally:
            with verrou:
                en_cours -= 1
        assert fin.jetons_estimes is False
        return "".join(textes)

    with ThreadPoolExecutor(max_workers=16) as executeur:
        resultats = list(executeur.map(un_flux, range(16)))

    assert resultats == [f"Réponse à : Dossier n° {n} 🎯" for n in range(16)]
    assert len(modele_local.recues) == 16
    assert max_en_cours > 1  # les flux se sont bien chevauchés
