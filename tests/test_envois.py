"""Formulaires de création : un envoi, un objet (balise/envois).

Le double clic, le rechargement ou le retour arrière renvoient le même formulaire avec le même jeton :
le second envoi ne crée rien et montre l'objet créé par le premier, avec un message en français.
"""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory

from balise.conformite.models import Qualification
from balise.conformite.regles import en_vigueur
from balise.envois import services as envois
from balise.envois.models import Envoi
from balise.instruments import services as instruments
from balise.instruments.definition import en_yaml
from balise.instruments.models import Consultation, DefinitionInstrument, Evaluateur, Evaluation
from balise.instruments.services import Saisie
from balise.metiers import services as metiers
from balise.metiers.models import ActionAccompagnement, GroupeSuivi, MetierOrganisation
from balise.organisations.models import Invitation
from balise.registre import services as registre
from balise.registre.models import Document, SystemeIA
from tests import fabrique, instantane
from tests.test_conformite import _cas_avec_obligations
from tests.test_effectifs import importer, tableau_csv

DEJA_ENVOYE = "Ce formulaire avait déjà été envoyé : rien n'a été créé de plus."


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


@pytest.fixture
def scene(org_a, admin_a, systeme_a):
    girouet = _national("girouet")
    finalisee = instruments.demarrer_evaluation(systeme_a, girouet, "amont", admin_a)
    instruments.inviter_evaluateur(finalisee, admin_a, "direction", admin_a)
    instruments.coter(finalisee, admin_a, {"autonomie": Saisie(3)})
    instruments.finaliser(finalisee, admin_a)
    ouverte = instruments.demarrer_evaluation(systeme_a, girouet, "amont", admin_a)
    groupe = metiers.suivre_groupe(org_a, "Très concernés", "", "", admin_a)
    referent = fabrique.membre(org_a, "referent", "referent-envois@exemple.fr")
    agents = tableau_csv([[f"A{i}", "Secrétaire", "C", "F", "1"] for i in range(6)])
    effectifs = importer(org_a, admin_a, agents, colonnes={"metier": "Métier", "categorie": "Catégorie"})
    return SimpleNamespace(
        org=org_a,
        admin=admin_a,
        systeme=systeme_a,
        girouet=girouet,
        questionnaire=_national("questionnaire-experimentation"),
        finalisee=finalisee,
        ouverte=ouverte,
        groupe=groupe,
        referent=referent,
        effectifs=effectifs,
    )


@dataclass(frozen=True)
class Creation:
    page: Callable  # scène → adresse de la page qui affiche le formulaire
    cible: Callable  # scène → adresse où il est envoyé
    donnees: Callable  # scène → données envoyées (neuves à chaque envoi : un fichier se lit une fois)
    compter: Callable  # scène → nombre d'objets créés
    # Un second formulaire, affiché de nouveau, crée un second objet (sauf si la règle métier l'interdit).
    renouvelable: bool = True


def _registre(s) -> str:
    return f"/o/{s.org.slug}/registre/{s.systeme.pk}"


CREATIONS = {
    "fiche du registre": Creation(
        lambda s: f"/o/{s.org.slug}/registre/nouveau/",
        lambda s: f"/o/{s.org.slug}/registre/nouveau/",
        lambda s: {**fabrique.FICHE_MINIMALE, "nom": "Tri du courrier"},
        lambda s: SystemeIA.objects.count(),
    ),
    "document": Creation(
        lambda s: f"{_registre(s)}/",
        lambda s: f"{_registre(s)}/documents/",
        lambda s: {"titre": "Cahier des charges", "fichier": SimpleUploadedFile("c.pdf", instantane.PDF)},
        lambda s: Document.objects.count(),
    ),
    "évaluation": Creation(
        lambda s: f"{_registre(s)}/evaluations/",
        lambda s: f"{_registre(s)}/evaluations/nouvelle/",
        lambda s: {"evaluation-choix": f"{s.girouet.pk}:amont", "evaluation-profil": "direction"},
        lambda s: Evaluation.objects.count(),
    ),
    "consultation": Creation(
        lambda s: f"{_registre(s)}/evaluations/",
        lambda s: f"{_registre(s)}/consultations/nouvelle/",
        lambda s: {
            "consultation-instrument": s.questionnaire.pk,
            "consultation-moment": "preparation",
            "consultation-mode": "codes",
        },
        lambda s: Consultation.objects.count(),
    ),
    "réévaluation": Creation(
        lambda s: f"/o/{s.org.slug}/evaluations/{s.finalisee.pk}/",
        lambda s: f"/o/{s.org.slug}/evaluations/{s.finalisee.pk}/reevaluation/",
        lambda s: {"moment": "bilan"},
        lambda s: Evaluation.objects.count(),
    ),
    "évaluateur invité": Creation(
        lambda s: f"/o/{s.org.slug}/evaluations/{s.ouverte.pk}/",
        lambda s: f"/o/{s.org.slug}/evaluations/{s.ouverte.pk}/evaluateurs/",
        lambda s: {"utilisateur": s.referent.pk, "profil": "agent"},
        lambda s: Evaluateur.objects.count(),
        renouvelable=False,  # une personne n'est invitée qu'une fois à une évaluation
    ),
    "adaptation d'un instrument": Creation(
        lambda s: f"/o/{s.org.slug}/instruments/{s.girouet.pk}/adapter/",
        lambda s: f"/o/{s.org.slug}/instruments/{s.girouet.pk}/adapter/",
        # La version lue au moment d'afficher le formulaire (verrou de version des adaptations).
        lambda s: {
            "texte": en_yaml(s.girouet.definition),
            "version": str(instruments.version_visible(s.org, "girouet")),
        },
        lambda s: DefinitionInstrument.objects.count(),
    ),
    "qualification": Creation(
        lambda s: f"{_registre(s)}/qualification/questionnaire/",
        lambda s: f"{_registre(s)}/qualification/questionnaire/",
        lambda s: {
            "affichees": ",".join(q.id for q in en_vigueur().questions),
            **{f"q-{qid}": valeur for qid, valeur in _cas_avec_obligations().reponses.items()},
        },
        lambda s: Qualification.objects.count(),
    ),
    "métier propre": Creation(
        lambda s: f"/o/{s.org.slug}/metiers/referentiel/metiers/nouveau/",
        lambda s: f"/o/{s.org.slug}/metiers/referentiel/metiers/nouveau/",
        lambda s: {
            "libelle": "Agent de médiathèque",
            "isco08": "4411",
            "niveau": "Très concernés",
            "justification": "Étude.",
        },
        lambda s: MetierOrganisation.objects.count(),
        renouvelable=False,  # un libellé n'a qu'un rattachement propre
    ),
    "groupe suivi": Creation(
        lambda s: f"/o/{s.org.slug}/metiers/imports/{s.effectifs.pk}/",
        lambda s: f"/o/{s.org.slug}/metiers/groupes/suivre/",
        lambda s: {"niveau": "Très concernés", "cible": "categorie|C"},
        lambda s: GroupeSuivi.objects.count(),
        renouvelable=False,  # un groupe n'est suivi qu'une fois
    ),
    "action d'accompagnement": Creation(
        lambda s: f"/o/{s.org.slug}/metiers/groupes/{s.groupe.pk}/actions/nouvelle/",
        lambda s: f"/o/{s.org.slug}/metiers/groupes/{s.groupe.pk}/actions/nouvelle/",
        lambda s: {"nature": "formation", "titre": "Former l'accueil", "statut": "prevue"},
        lambda s: ActionAccompagnement.objects.count(),
    ),
    "invitation": Creation(
        lambda s: f"/o/{s.org.slug}/membres/",
        lambda s: f"/o/{s.org.slug}/membres/",
        lambda s: {"email": "nouvelle@exemple.fr", "role": "lecteur"},
        lambda s: Invitation.objects.count(),
    ),
}


def _jeton(client: Client, adresse: str) -> str:
    page = client.get(adresse)
    assert page.status_code == 200, adresse
    jetons = re.findall(r'name="envoi" value="([^"]+)"', page.content.decode())
    assert jetons, f"{adresse} : aucun formulaire de création ne porte de jeton d'envoi"
    return jetons[0]


@pytest.mark.parametrize("nature", CREATIONS)
def test_un_envoi_repete_ne_cree_qu_un_objet(client, scene, nature):
    creation = CREATIONS[nature]
    client.force_login(scene.admin)
    avant = creation.compter(scene)
    jeton = _jeton(client, creation.page(scene))

    premier = client.post(creation.cible(scene), {**creation.donnees(scene), "envoi": jeton})
    assert premier.status_code == 302, unescape(premier.content.decode())[:3000]
    assert creation.compter(scene) == avant + 1

    # Le même formulaire renvoyé (double clic, retour arrière) : rien de plus, l'objet du premier envoi.
    second = client.post(creation.cible(scene), {**creation.donnees(scene), "envoi": jeton})
    assert second.status_code == 302 and second["Location"] == premier["Location"]
    assert creation.compter(scene) == avant + 1
    assert DEJA_ENVOYE in unescape(client.get(second["Location"]).content.decode())

    if creation.renouvelable:
        # Le formulaire affiché de nouveau porte un autre jeton : une nouvelle création est possible.
        client.post(
            creation.cible(scene), {**creation.donnees(scene), "envoi": _jeton(client, creation.page(scene))}
        )
        assert creation.compter(scene) == avant + 2


def test_la_page_en_cache_donne_un_jeton_neuf_a_chaque_affichage(client, scene):
    client.force_login(scene.admin)
    adresse = f"{_registre(scene)}/"
    assert _jeton(client, adresse) != _jeton(client, adresse)  # la fiche est servie depuis le cache


def test_un_envoi_refuse_ne_consomme_pas_son_jeton(client, scene):
    client.force_login(scene.admin)
    adresse = f"/o/{scene.org.slug}/instruments/{scene.girouet.pk}/adapter/"
    jeton = _jeton(client, adresse)
    refuse = client.post(adresse, {"texte": "id: autre-chose\n", "version": "1", "envoi": jeton})
    assert refuse.status_code == 400 and not Envoi.objects.exists()
    corrige = client.post(
        adresse, {"texte": en_yaml(scene.girouet.definition), "version": "1", "envoi": jeton}
    )
    assert (
        corrige.status_code == 302
        and DefinitionInstrument.objects.filter(organisation=scene.org).count() == 1
    )


def test_le_jeton_est_propre_a_la_personne_et_au_formulaire(client, scene):
    client.force_login(scene.admin)
    jeton = _jeton(client, f"/o/{scene.org.slug}/membres/")
    client.post(
        f"/o/{scene.org.slug}/membres/", {"email": "une@exemple.fr", "role": "lecteur", "envoi": jeton}
    )
    # Le même jeton, envoyé à un autre formulaire ou par une autre personne, est un autre envoi.
    client.post(
        f"/o/{scene.org.slug}/registre/nouveau/", {**fabrique.FICHE_MINIMALE, "nom": "Autre", "envoi": jeton}
    )
    autre = Client()
    autre.force_login(fabrique.membre(scene.org, "administrateur", "autre-admin@exemple.fr"))
    autre.post(
        f"/o/{scene.org.slug}/membres/", {"email": "deux@exemple.fr", "role": "lecteur", "envoi": jeton}
    )
    assert Invitation.objects.count() == 2 and SystemeIA.objects.filter(nom="Autre").count() == 1
    assert len(mail.outbox) == 2


def test_un_envoi_sans_jeton_cree_comme_avant(client, scene):
    client.force_login(scene.admin)
    donnees = {**fabrique.FICHE_MINIMALE, "nom": "Par un outil"}
    for _ in range(2):
        assert client.post(f"/o/{scene.org.slug}/registre/nouveau/", donnees).status_code == 302
    assert SystemeIA.objects.filter(nom="Par un outil").count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="deux connexions simultanées : PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_ne_creent_qu_un_objet(org_a, admin_a):
    """Le second envoi attend, sur l'insertion de son jeton, que le premier soit validé : c'est la
    contrainte d'unicité qui décide, pas une lecture faite avant d'écrire."""
    requetes = []
    for _ in range(2):
        requete = RequestFactory().post("/o/commune-a/registre/nouveau/", {"envoi": "x" * 32})
        requete.user, requete._messages = admin_a, _Messages()
        requetes.append(requete)
    dans_la_creation, continuer = threading.Event(), threading.Event()
    resultats: dict[int, envois.Resultat] = {}

    def creer(attendre: bool):
        if attendre:
            dans_la_creation.set()
            assert continuer.wait(60)
        return registre.creer_systeme(org_a, {**fabrique.FICHE_MINIMALE, "nom": "Une seule"}, admin_a)

    def envoyer(i: int) -> None:
        try:
            resultats[i] = envois.une_seule_fois(requetes[i], lambda: creer(attendre=i == 0))
        finally:
            connection.close()

    premier = threading.Thread(target=envoyer, args=(0,))
    premier.start()
    assert dans_la_creation.wait(60)
    second = threading.Thread(target=envoyer, args=(1,))
    second.start()
    _attendre_un_verrou()  # le second envoi est bloqué sur l'insertion de son jeton
    continuer.set()
    premier.join(60)
    second.join(60)
    assert SystemeIA.objects.filter(nom="Une seule").count() == 1
    assert not resultats[0].doublon and resultats[1].doublon
    assert resultats[1].objet == resultats[0].objet
    assert requetes[1]._messages.textes == [
        "Ce formulaire avait déjà été envoyé : rien n'a été créé de plus. "
        "Voici « Une seule », créé par le premier envoi."
    ]


class _Messages(list):
    """Le stockage des messages de la requête, réduit au nécessaire (RequestFactory n'en a pas)."""

    def add(self, niveau, message, extra_tags=""):
        self.append(message)

    @property
    def textes(self) -> list[str]:
        return list(self)


def _attendre_un_verrou() -> None:
    """Attend (sans délai fixe) qu'une connexion de la base de test attende un verrou."""
    with connection.cursor() as curseur:
        for _ in range(100_000):
            curseur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if curseur.fetchone()[0]:
                return
    raise AssertionError("le second envoi n'a jamais attendu le premier")
