"""La passerelle de bout en bout contre un vrai serveur local compatible OpenAI (tests/modele_local.py) :
ce qui part vraiment, ce qui revient à l'agent, ce qui est noté au journal (issue 18, points 1, 3, 4, 6)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from balise.passerelle import chiffrement, envoi, fournisseurs
from balise.passerelle import services_catalogue as catalogue
from balise.passerelle.models import Action, ContenuSensible, Fournisseur, Requete
from balise.registre.models import SystemeIA
from tests import instantane
from tests.modele_local import fixture_modele_local  # noqa: F401  (la fixture « modele_local »)

pytestmark = pytest.mark.django_db

LETTRE = (
    "Bonjour, merci de rédiger une réponse à Mme Claire Dubois, 12 rue des Lilas 59000 Lille, "
    "joignable au 06 12 34 56 78 ou à claire.dubois@exemple.fr, au sujet de sa demande de place en crèche."
)
NIR = "Son numéro de sécurité sociale est le 2 84 05 59 350 042 25."


def _catalogue(org, par, url, classes=(), **modele):
    fournisseur = catalogue.ajouter_fournisseur(
        org,
        {"nom": "Serveur local", "url_base": url, "hebergement": "france", "delai_s": 5},
        "sk-test-balise-7f3a9c1e5b",
        par,
    )
    donnees = {"identifiant": "albert-large", "libelle": "Albert (grand)", "prix_entree_million": Decimal("0.5"),
               "prix_sortie_million": Decimal("1.5"), **modele}  # fmt: skip
    return catalogue.ajouter_modele(org, fournisseur.pk, donnees, list(classes), par)


def _question(texte):
    return [{"role": "user", "content": texte}]


def _reglages(org):
    return catalogue.reglages(org)


def test_la_cle_est_chiffree_et_jamais_gardee_en_clair(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    fournisseur = Fournisseur.objects.get(pk=modele.fournisseur_id)
    assert b"sk-test" not in bytes(fournisseur.cle_chiffree)
    assert chiffrement.dechiffrer(fournisseur.cle_chiffree) == "sk-test-balise-7f3a9c1e5b"
    assert fournisseur.cle_fin == "9c1e5b"[-4:]
    historique = fournisseur.history.model
    assert "cle_chiffree" not in {f.name for f in historique._meta.fields}


def test_un_modele_approuve_a_sa_fiche_au_registre(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    fiche = SystemeIA.objects.get(pk=modele.systeme_id)
    assert fiche.organisation == org_a and fiche.type_ia == "generative" and fiche.hebergement == "france"
    assert "Albert (grand)" in fiche.nom


def test_classes_inconnues_refusees_sans_rien_ecrire(org_a, referent_a, modele_local):
    fournisseur = catalogue.ajouter_fournisseur(
        org_a, {"nom": "F", "url_base": modele_local.url, "hebergement": "ue"}, "k", referent_a
    )
    avant = instantane.photo()
    with pytest.raises(ValidationError, match="Classes de données inconnues"):
        catalogue.ajouter_modele(
            org_a, fournisseur.pk, {"identifiant": "x", "libelle": "X"}, ["secrete"], referent_a
        )
    assert instantane.photo() == avant


def test_pseudonymise_ce_que_le_modele_ne_peut_recevoir_et_restaure_la_reponse(
    org_a, referent_a, modele_local
):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    modele_local.scenario.texte = "Madame [PERSONNE_1], nous avons bien reçu votre demande ([COURRIEL_1])."
    prep = envoi.preparer(modele, _question(LETTRE), _reglages(org_a))
    resultat = envoi.envoyer(prep, referent_a, "page", _reglages(org_a))

    recu = modele_local.recues[-1].corps
    envoye = recu["messages"][0]["content"]
    for donnee in ("Claire Dubois", "Lilas", "06 12 34 56 78", "claire.dubois@exemple.fr"):
        assert donnee not in envoye, f"« {donnee} » est parti chez le fournisseur"
    assert "[PERSONNE_1]" in envoye and "[COURRIEL_1]" in envoye and "crèche" in envoye
    assert recu["model"] == "albert-large"
    assert (
        resultat.texte
        == "Madame Claire Dubois, nous avons bien reçu votre demande (claire.dubois@exemple.fr)."
    )
    assert "Remplacés par des marques" in resultat.message

    requete = Requete.objects.get()
    assert requete.action == Action.PSEUDONYMISE and requete.personne == referent_a
    assert requete.classes == ["personnelle"] and "COURRIEL" in requete.types
    assert requete.jetons_entree > 0 and requete.latence_ms is not None
    assert requete.cout_euros == (
        Decimal(requete.jetons_entree) * Decimal("0.5") + Decimal(requete.jetons_sortie) * Decimal("1.5")
    ) / Decimal(1_000_000)
    assert not ContenuSensible.objects.exists()


def test_un_modele_autorise_recoit_les_donnees_personnelles_en_clair(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url, classes=["interne", "personnelle"])
    prep = envoi.preparer(modele, _question(LETTRE), _reglages(org_a))
    envoi.envoyer(prep, referent_a, "page", _reglages(org_a))
    assert "Claire Dubois" in modele_local.recues[-1].corps["messages"][0]["content"]
    assert Requete.objects.get().action == Action.ENVOYE


def test_une_donnee_sensible_est_refusee_nommee_et_le_modele_autorise_indique(
    org_a, referent_a, modele_local
):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    _catalogue_local = catalogue.ajouter_modele(
        org_a, modele.fournisseur_id, {"identifiant": "llama-local", "libelle": "Llama local"},
        ["interne", "personnelle", "sensible"], referent_a,
    )  # fmt: skip
    prep = envoi.preparer(modele, _question(LETTRE + " " + NIR), _reglages(org_a))
    resultat = envoi.envoyer(prep, referent_a, "page", _reglages(org_a))
    assert modele_local.recues == []  # rien n'est parti
    assert resultat.texte == ""
    assert "numéro de sécurité sociale (nir)" in resultat.message
    assert "« Llama local »" in resultat.message
    requete = Requete.objects.get()
    assert requete.action == Action.REFUSE and "sensible" in requete.classes
    # Seed 001 : le prompt sensible est horodaté et gardé chiffré, même refusé.
    contenu = ContenuSensible.objects.get(requete=requete)
    assert b"350" not in bytes(contenu.chiffre)
    assert "2 84 05 59 350 042 25" in chiffrement.dechiffrer(contenu.chiffre)


def test_la_meme_personne_garde_sa_marque_d_un_message_a_l_autre(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    messages = [
        {"role": "user", "content": "Écris à M. Jean Martin pour son permis."},
        {"role": "assistant", "content": "Voici un projet pour M. Jean Martin."},
        {"role": "user", "content": "Ajoute que M. Jean Martin peut venir lundi."},
    ]
    prep = envoi.preparer(modele, messages, _reglages(org_a))
    envoi.envoyer(prep, referent_a, "page", _reglages(org_a))
    partis = [m["content"] for m in modele_local.recues[-1].corps["messages"]]
    assert [m["role"] for m in modele_local.recues[-1].corps["messages"]] == ["user", "assistant", "user"]
    assert all("[PERSONNE_1]" in p and "Martin" not in p for p in partis)


def test_les_termes_propres_de_l_organisation_ne_sortent_pas(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    catalogue.regler(
        org_a, "Texte produit avec une IA.", 30, "Projet Hirondelle\nDossier Vauban", 1, referent_a
    )
    prep = envoi.preparer(modele, _question("Résume le projet hirondelle pour le DGS."), _reglages(org_a))
    envoi.envoyer(prep, referent_a, "page", _reglages(org_a))
    assert "hirondelle" not in modele_local.recues[-1].corps["messages"][0]["content"].lower()


def test_le_flux_restaure_une_marque_coupee_entre_deux_morceaux(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    modele_local.scenario.morceaux = [
        "Bonjour [PERS",
        "ONNE_1], votre ",
        "courriel [COUR",
        "RIEL_1] est noté.",
    ]
    prep = envoi.preparer(modele, _question(LETTRE), _reglages(org_a))
    morceaux = list(envoi.diffuser(prep, referent_a, "api", _reglages(org_a)))
    assert "".join(morceaux) == "Bonjour Claire Dubois, votre courriel claire.dubois@exemple.fr est noté."
    assert not any("[" in m for m in morceaux)
    requete = Requete.objects.get()
    assert requete.canal == "api" and requete.action == Action.PSEUDONYMISE and requete.jetons_sortie > 0


def test_une_erreur_du_fournisseur_devient_un_message_en_francais_et_reste_au_journal(
    org_a, referent_a, modele_local
):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    modele_local.scenario.statut = 503
    prep = envoi.preparer(modele, _question("Résume la délibération sur les cantines."), _reglages(org_a))
    resultat = envoi.envoyer(prep, referent_a, "page", _reglages(org_a))
    assert resultat.texte == "" and resultat.message and "sk-test" not in resultat.message
    requete = Requete.objects.get()
    assert requete.action == Action.ERREUR and requete.erreur == "indisponible"


def test_un_flux_coupe_laisse_les_morceaux_deja_lus_et_note_l_erreur(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    modele_local.scenario.texte = "Un texte assez long pour être coupé en plusieurs morceaux."
    modele_local.scenario.couper_apres = 2
    prep = envoi.preparer(modele, _question("Résume la délibération."), _reglages(org_a))
    lus = []
    with pytest.raises(fournisseurs.ErreurFournisseur):
        for morceau in envoi.diffuser(prep, referent_a, "api", _reglages(org_a)):
            lus.append(morceau)
    assert lus
    assert Requete.objects.get().erreur == "coupure"


def test_requete_vide_ou_trop_longue_refusee_avant_l_analyse(org_a, referent_a, modele_local):
    modele = _catalogue(org_a, referent_a, modele_local.url)
    with pytest.raises(envoi.RequeteInvalide, match="Écrivez"):
        envoi.preparer(modele, _question("   "), _reglages(org_a))
    with pytest.raises(envoi.RequeteInvalide, match="dépasse"):
        envoi.preparer(modele, _question("a" * (envoi.LONGUEUR_MAX + 1)), _reglages(org_a))
    assert not Requete.objects.exists()


def test_rotation_des_cles_de_chiffrement(settings):
    """La première clé chiffre, toutes déchiffrent, la clé dérivée de SECRET_KEY en dernier ; une clé
    inconnue (ou un texte altéré) donne une erreur claire, jamais un texte faux."""
    from cryptography.fernet import Fernet

    settings.CLES_CHIFFREMENT = []
    ancien = chiffrement.chiffrer("clé du fournisseur")
    nouvelle, autre = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CLES_CHIFFREMENT = [nouvelle]
    assert chiffrement.dechiffrer(ancien) == "clé du fournisseur"
    recent = chiffrement.chiffrer("requête sensible")
    settings.CLES_CHIFFREMENT = [autre, nouvelle]
    assert chiffrement.dechiffrer(recent) == "requête sensible"
    settings.CLES_CHIFFREMENT = [autre]
    with pytest.raises(chiffrement.SecretIllisible):
        chiffrement.dechiffrer(recent)
    with pytest.raises(chiffrement.SecretIllisible):
        chiffrement.dechiffrer(ancien[:-4] + b"AAAA")
