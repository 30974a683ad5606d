"""La politique des portes adaptée par une organisation : versions gardées et attribuées, schéma qui
garde le critère bloquant des pratiques interdites, verrou optimiste, retour à la nationale, effet
réel sur les passages de stade (une organisation n'affecte jamais l'autre), pages, formulaire et API."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from balise.comptes.models import JetonAPI
from balise.gouvernance import faits, politique
from balise.gouvernance import selectors_politique as politiques
from balise.gouvernance import services_politique as services
from balise.gouvernance.models import PolitiquePortes
from balise.organisations.models import EvenementJournal
from balise.registre import services as registre
from balise.registre.models import ChangementStade, SystemeIA
from tests import fabrique

NATIONALE = politique.en_vigueur()
NOTE = {"benefices_attendus": "Moins de fuites.", "cout_investissement": 1000, "cout_annuel": 100}


def _nationale() -> dict:
    return copy.deepcopy(politique.en_donnees(NATIONALE))


def _sans_radar() -> dict:
    contenu = _nationale()
    criteres = contenu["portes"]["experimentation"]["criteres"]
    contenu["portes"]["experimentation"]["criteres"] = [c for c in criteres if c["id"] != "radar_amont"]
    return contenu


def _critere(contenu: dict, porte: str, identifiant: str) -> dict:
    return next(c for c in contenu["portes"][porte]["criteres"] if c["id"] == identifiant)


def _a_l_etude(systeme: SystemeIA) -> SystemeIA:
    SystemeIA.objects.filter(pk=systeme.pk).update(stade="etude", **NOTE)
    systeme.refresh_from_db()
    return systeme


# --- Le schéma : ce qui ne peut pas être retiré ---------------------------------------------------


@pytest.mark.parametrize("porte", ["experimentation", "production", "publication"])
def test_retirer_le_critere_des_pratiques_interdites_est_refuse(org_a, referent_a, porte):
    contenu = _nationale()
    criteres = contenu["portes"][porte]["criteres"]
    contenu["portes"][porte]["criteres"] = [c for c in criteres if c["type"] != "aucune_pratique_interdite"]
    if not contenu["portes"][porte]["criteres"]:
        contenu["portes"].pop(porte)
    with pytest.raises(ValidationError) as refus:
        services.adapter_politique(org_a, contenu, "Simplifier.", referent_a, 0)
    message = " ".join(refus.value.messages)
    assert "rien n'a été enregistré" in message
    assert (
        f"la porte « {porte} » doit garder le critère bloquant « aucune_pratique_interdite »" in message
        or f"la porte « {porte} » est obligatoire" in message
    )
    assert not PolitiquePortes.objects.exists()


def test_le_critere_des_pratiques_interdites_reste_bloquant(org_a, referent_a):
    contenu = _nationale()
    _critere(contenu, "production", "aucune_pratique_interdite")["bloquant"] = False
    with pytest.raises(ValidationError, match="toujours bloquant"):
        services.adapter_politique(org_a, contenu, "Assouplir.", referent_a, 0)
    assert not PolitiquePortes.objects.exists()


@pytest.mark.parametrize(
    ("changer", "attendu"),
    [
        (lambda c: _critere(c, "experimentation", "note_opportunite").update(seuil=3), "champ inconnu"),
        (
            lambda c: _critere(c, "experimentation", "note_opportunite").update(sens=["experimenter"]),
            "ne prend pas de paramètre « sens »",
        ),
        (
            lambda c: _critere(c, "experimentation", "note_opportunite").update(champs=["mot_de_passe"]),
            "« mot_de_passe » n'est pas une valeur possible de « champs »",
        ),
        (
            lambda c: _critere(c, "experimentation", "radar_amont").update(instrument="radar-imaginaire"),
            "cite l'instrument inconnu « radar-imaginaire »",
        ),
        (
            lambda c: _critere(c, "production", "aipd").update(obligations=["aipd_imaginaire"]),
            "cite l'obligation inconnue « aipd_imaginaire »",
        ),
        (lambda c: c["portes"].update(arret=c["portes"]["production"]), "portes.arret"),
        (
            lambda c: _critere(c, "production", "aipd")["references"][0].update(source="inconnue"),
            "cite la source inconnue « inconnue »",
        ),
        (lambda c: c.update(portes=[]), "doit être un dictionnaire"),
    ],
)
def test_parametres_inconnus_refuses_en_francais(org_a, referent_a, changer, attendu):
    contenu = _nationale()
    changer(contenu)
    with pytest.raises(ValidationError) as refus:
        services.adapter_politique(org_a, contenu, "Essai.", referent_a, 0)
    assert attendu in " ".join(refus.value.messages)
    assert not PolitiquePortes.objects.exists()


# --- Les services : versions, attribution, verrou, retour à la nationale ---------------------------


def test_versions_successives_attribuees_et_gardees(org_a, referent_a, admin_a):
    assert politiques.applicable(org_a).libelle == "nationale v1"
    premiere = services.adapter_politique(
        org_a, _sans_radar(), "Pas de radar pour les petits projets.", referent_a, 0
    )
    contenu = _sans_radar()
    _critere(contenu, "production", "conditions_levees")["bloquant"] = True
    seconde = services.adapter_politique(org_a, contenu, "Délibération n° 2026-12.", admin_a, 1)
    assert (premiere.numero, seconde.numero) == (1, 2)
    assert (premiere.cree_par, seconde.cree_par) == (referent_a, admin_a)
    assert seconde.motif == "Délibération n° 2026-12." and seconde.base_version == 1
    applicable = politiques.applicable(org_a)
    assert applicable.libelle == "adaptée n° 2" and applicable.numero == 2
    assert _critere(politique.en_donnees(applicable.politique), "production", "conditions_levees")["bloquant"]
    # La première version n'a pas changé.
    premiere.refresh_from_db()
    assert "radar_amont" not in json.dumps(premiere.contenu)
    assert not _critere(premiere.contenu, "production", "conditions_levees")["bloquant"]
    historique = politiques.historique(org_a)
    assert [h.version.numero for h in historique] == [2, 1]
    assert historique[0].differences == [
        "Porte « Mettre en production » : critère « Réserves et conditions levées » : devient bloquant."
    ]
    assert historique[1].differences == [
        "Porte « Entrer en expérimentation » : critère « Radar de décision passé en amont du projet "
        "(en cours ou finalisé) » retiré."
    ]
    # Et au journal de l'organisation, attribuées, avec leur motif.
    notes = EvenementJournal.objects.filter(organisation_id=org_a.pk, nature="politique_portes")
    assert [(e.objet, e.par, e.details["motif"]) for e in notes.order_by("pk")] == [
        ("Politique des portes adaptée n° 1", referent_a, "Pas de radar pour les petits projets."),
        ("Politique des portes adaptée n° 2", admin_a, "Délibération n° 2026-12."),
    ]


def test_une_version_ne_se_modifie_ni_ne_se_supprime(org_a, referent_a):
    version = services.adapter_politique(org_a, _sans_radar(), "Motif.", referent_a, 0)
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        version.delete()
    with pytest.raises(TypeError):
        PolitiquePortes.objects.filter(pk=version.pk).update(motif="Réécrit.")
    with pytest.raises(TypeError):
        PolitiquePortes.objects.all().delete()


def test_verrou_optimiste(org_a, referent_a, admin_a):
    # Les deux ont ouvert la politique nationale (numéro 0) ; la première enregistre.
    services.adapter_politique(org_a, _sans_radar(), "Première.", admin_a, 0)
    contenu = _nationale()
    _critere(contenu, "production", "conditions_levees")["bloquant"] = True
    with pytest.raises(services.ConflitPolitique) as conflit:
        services.adapter_politique(org_a, contenu, "Seconde.", referent_a, 0)
    message = " ".join(conflit.value.messages)
    assert "version n° 1" in message and admin_a.nom_affiche in message and "« Première. »" in message
    assert "Rien n'a été enregistré" in message and conflit.value.numero_actuel == 1
    # Sans numéro, ou avec un numéro qui n'existe pas encore : refusé aussi.
    for numero in (None, 5, -1, True, "1"):
        with pytest.raises(services.ConflitPolitique):
            services.adapter_politique(org_a, contenu, "Seconde.", referent_a, numero)
    assert PolitiquePortes.objects.count() == 1


def test_motif_obligatoire_et_politique_identique_refusee(org_a, referent_a):
    for motif in ("", "   ", "x" * 2001, "nul\x00"):
        with pytest.raises(ValidationError):
            services.adapter_politique(org_a, _sans_radar(), motif, referent_a, 0)
    with pytest.raises(ValidationError, match="identique à celle en vigueur"):
        services.adapter_politique(org_a, _nationale(), "Rien.", referent_a, 0)
    assert not PolitiquePortes.objects.exists()


def test_retour_a_la_politique_nationale(org_a, referent_a, admin_a):
    with pytest.raises(ValidationError, match="suit déjà la politique nationale"):
        services.revenir_a_la_politique_nationale(org_a, "Retour.", admin_a, 0)
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    retour = services.revenir_a_la_politique_nationale(org_a, "Le comité veut le radar.", admin_a, 1)
    assert retour.numero == 2 and retour.nature == "nationale" and retour.cree_par == admin_a
    assert retour.contenu == politique.en_donnees(NATIONALE)
    applicable = politiques.applicable(org_a)
    assert applicable.politique == NATIONALE and applicable.libelle == "n° 2 : nationale v1"
    with pytest.raises(ValidationError, match="suit déjà la politique nationale"):
        services.revenir_a_la_politique_nationale(org_a, "Encore.", admin_a, 2)
    with pytest.raises(services.ConflitPolitique):
        services.revenir_a_la_politique_nationale(org_a, "Périmé.", admin_a, 1)
    assert [v.numero for v in PolitiquePortes.objects.filter(organisation=org_a)] == [2, 1]


# --- L'effet réel : A sans radar, B nationale ------------------------------------------------------


def test_sans_radar_a_entre_en_experimentation_b_reste_bloquee(org_a, org_b, referent_a, admin_b):
    referent_b = fabrique.membre(org_b, "referent", "referent-b@exemple.fr")
    a = _a_l_etude(fabrique.systeme(org_a, referent_a, nom="Système de A"))
    b = _a_l_etude(fabrique.systeme(org_b, referent_b, nom="Système de B"))
    services.adapter_politique(org_a, _sans_radar(), "Pas de radar.", referent_a, 0)
    # Les deux systèmes sont lus ensemble : chacun selon la politique de son organisation.
    lus = faits.portes_en_lot([a, b])
    assert [ligne.id for ligne in lus[a.pk].prochaine.lignes] == [
        "note_opportunite",
        "aucune_pratique_interdite",
    ]
    assert lus[a.pk].prochaine.franchie and lus[a.pk].politique == "adaptée n° 1"
    assert not lus[b.pk].prochaine.franchie and lus[b.pk].politique == "nationale v1"
    registre.changer_stade(a.pk, "experimentation", "", referent_a, a.version)
    passage = ChangementStade.objects.get(systeme=a)
    assert passage.politique == "adaptée n° 1" and not passage.porte_forcee
    with pytest.raises(registre.PorteNonFranchie) as refus:
        registre.changer_stade(b.pk, "experimentation", "", referent_b, b.version)
    assert [c["id"] for c in refus.value.criteres] == ["radar_amont"]
    b.refresh_from_db()
    assert b.stade == "etude" and not ChangementStade.objects.filter(systeme=b).exists()


def test_la_pratique_interdite_bloque_encore_apres_adaptation(org_a, referent_a, admin_a):
    from balise.conformite import services as conformite
    from balise.conformite.regles import en_vigueur

    regles = en_vigueur()
    cas = next(c for c in regles.cas if c.nom.startswith("Relances d'impayés"))
    a = _a_l_etude(fabrique.systeme(org_a, referent_a))
    conformite.qualifier(a, regles, cas.reponses, referent_a)
    services.adapter_politique(org_a, _sans_radar(), "Pas de radar.", referent_a, 0)
    a.refresh_from_db()
    with pytest.raises(registre.PorteNonFranchie, match="ne se force pas"):
        registre.changer_stade(a.pk, "experimentation", "", admin_a, a.version, justification="J'insiste.")


def test_forcee_garde_la_politique_appliquee(org_a, referent_a, admin_a):
    a = _a_l_etude(fabrique.systeme(org_a, referent_a))
    contenu = _nationale()
    _critere(contenu, "experimentation", "radar_amont")["libelle"] = "Radar de notre comité"
    services.adapter_politique(org_a, contenu, "Notre libellé.", referent_a, 0)
    registre.changer_stade(a.pk, "experimentation", "", admin_a, a.version, justification="Urgence.")
    passage = ChangementStade.objects.get(systeme=a)
    assert passage.porte_forcee and passage.politique == "adaptée n° 1"
    assert passage.criteres_manquants[0]["libelle"] == "Radar de notre comité"


# --- Nombre de requêtes ------------------------------------------------------------------------------


def test_faits_en_lot_une_requete_pour_la_politique(org_a, org_b, referent_a, admin_b):
    systemes = [fabrique.systeme(org_a, referent_a, nom=f"A{i}") for i in range(3)]
    systemes += [fabrique.systeme(org_b, admin_b, nom=f"B{i}") for i in range(3)]
    with CaptureQueriesContext(connection) as nationale:
        faits.portes_en_lot(systemes)
    services.adapter_politique(org_a, _sans_radar(), "A.", referent_a, 0)
    services.adapter_politique(org_b, _sans_radar(), "B.", admin_b, 0)
    systemes += [fabrique.systeme(org_a, referent_a, nom=f"C{i}") for i in range(6)]
    with CaptureQueriesContext(connection) as adaptees:
        lus = faits.portes_en_lot(systemes)
    assert len(adaptees) == len(nationale) <= 7
    assert {p.politique for p in lus.values()} == {"adaptée n° 1"}
    assert sum("gouvernance_politiqueportes" in q["sql"] for q in adaptees.captured_queries) == 1


def _requetes(client, adresse: str) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


@pytest.mark.parametrize(
    "adresse", ["/o/commune-a/registre/", "/o/commune-a/a-traiter/", "/o/commune-a/pilotage/"]
)
def test_pages_en_requetes_constantes_avec_une_politique_adaptee(client, org_a, referent_a, adresse):
    client.force_login(referent_a)
    for i in range(2):
        fabrique.systeme(org_a, referent_a, nom=f"A{i}")
    client.get(adresse)
    nationale = _requetes(client, adresse)
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    services.adapter_politique(org_a, _nationale(), "Avec radar.", referent_a, 1)
    for i in range(8):
        fabrique.systeme(org_a, referent_a, nom=f"B{i}")
    client.get(adresse)
    assert _requetes(client, adresse) == nationale


# --- Pages -------------------------------------------------------------------------------------------


def test_page_de_la_politique_nationale(client, org_a, lecteur_a):
    client.force_login(lecteur_a)
    page = client.get("/o/commune-a/politique-portes/").content.decode()
    assert "Politique nationale, version 1" in page and "jamais adaptée" in page
    assert "Radar de décision passé en amont du projet" in page and "art. 5" in page
    assert "Bloquant</span>" in page and "Règlement (UE) 2024/1689" in page
    assert "Adapter la politique" not in page and "politique-portes/adapter/" not in page
    assert client.get("/o/commune-a/politique-portes/adapter/").status_code == 403
    # Le lien du menu.
    assert 'href="/o/commune-a/politique-portes/" aria-current="page">Portes</a>' in page


def test_membre_externe_ne_voit_pas_la_politique(client, org_a):
    externe = fabrique.membre(org_a, "externe", "externe@exemple.fr")
    client.force_login(externe)
    assert client.get("/o/commune-a/politique-portes/").status_code == 403


def _saisie_initiale(client) -> dict:
    """Ce qu'envoie le formulaire tel qu'il s'affiche, après avoir vérifié qu'il s'affiche."""
    assert client.get("/o/commune-a/politique-portes/adapter/").status_code == 200
    return fabrique.saisie_politique()


def test_adapter_par_le_formulaire_puis_lire_l_historique(client, org_a, referent_a, lecteur_a):
    client.force_login(referent_a)
    donnees = _saisie_initiale(client)
    assert donnees["depuis_numero"] == "0"
    donnees.pop("experimentation.radar_amont.garder")
    donnees["production.conditions_levees.bloquant"] = "on"
    donnees["experimentation.note_opportunite.champs"] = ["finalite", "cout_annuel"]
    donnees["motif"] = "Délibération du 12 mars : pas de radar pour les petits projets."
    # L'aperçu n'écrit rien et dit les différences.
    # L'aperçu n'exige pas encore le motif.
    apercu = client.post(
        "/o/commune-a/politique-portes/adapter/", {**donnees, "motif": "", "action": "apercu"}
    )
    assert apercu.status_code == 200 and not PolitiquePortes.objects.exists()
    texte = apercu.content.decode()
    assert "Aperçu : rien n'est encore enregistré" in texte
    assert "critère « Radar de décision passé en amont du projet (en cours ou finalisé) » retiré" in texte
    assert "devient bloquant" in texte
    assert (
        "finalité, bénéfices attendus, coût d&#x27;investissement, coût annuel → finalité, coût annuel"
        in texte
    )
    reponse = client.post("/o/commune-a/politique-portes/adapter/", {**donnees, "action": "enregistrer"})
    assert reponse.status_code == 302
    version = PolitiquePortes.objects.get()
    assert version.numero == 1 and version.cree_par == referent_a
    assert version.motif.startswith("Délibération du 12 mars")
    lue = politiques.de_l_organisation(org_a)
    assert [c.id for c in lue.portes["experimentation"].criteres] == [
        "note_opportunite",
        "aucune_pratique_interdite",
    ]
    client.force_login(lecteur_a)
    page = client.get("/o/commune-a/politique-portes/").content.decode()
    assert "Politique adaptée n° 1" in page and referent_a.nom_affiche in page
    assert (
        "Historique des versions" in page
        and "Radar de décision passé en amont du projet (en cours ou finalisé) » retiré" in page
    )


def test_ajouter_un_critere_et_une_porte_avec_une_decision_de_l_organisation(client, org_a, referent_a):
    client.force_login(referent_a)
    donnees = _saisie_initiale(client)
    donnees |= {
        "decision.nouveau.type": "champs_renseignes",
        "decision.nouveau.libelle": "Fournisseur et modèles connus",
        "decision.nouveau.champs": ["fournisseur", "modeles"],
        "decision.nouveau.bloquant": "on",
        "decision.nouveau.source": "organisation",
        "decision.nouveau.article": "Délibération n° 2026-045 du 12 mars 2026",
        "motif": "Porte de décision voulue par le comité.",
        "action": "enregistrer",
    }
    assert client.post("/o/commune-a/politique-portes/adapter/", donnees).status_code == 302
    lue = politiques.de_l_organisation(org_a)
    critere = lue.portes["decision"].criteres[0]
    assert critere.id == "fournisseur-et-modeles-connus" and critere.bloquant
    assert critere.champs == ["fournisseur", "modeles"]
    assert critere.references[0].source == "organisation"
    assert lue.sources["organisation"].titre == "Décision de l'organisation (Commune A)"
    page = client.get("/o/commune-a/politique-portes/").content.decode()
    assert "Délibération n° 2026-045 du 12 mars 2026" in page and "Passer à la décision" in page
    # Elle s'applique : un système à l'expérimentation doit maintenant passer la porte de décision.
    s = fabrique.systeme(org_a, referent_a, nom="Sans fournisseur")
    SystemeIA.objects.filter(pk=s.pk).update(stade="experimentation")
    s.refresh_from_db()
    with pytest.raises(registre.PorteNonFranchie, match="ne se force pas"):
        registre.changer_stade(s.pk, "decision", "", referent_a, s.version)


@pytest.mark.parametrize(
    ("changer", "attendu"),
    [
        # Le critère des pratiques interdites : cases désactivées, ce qu'envoie le navigateur est ignoré.
        (
            lambda d: d.update(
                {
                    "production.aucune_pratique_interdite.garder": "",
                    "production.aucune_pratique_interdite.bloquant": "",
                }
            ),
            "identique à celle en vigueur",
        ),
        (lambda d: d.update({"experimentation.radar_amont.libelle": "x" * 100_000}), "4000"),
        (lambda d: d.update({"experimentation.note_opportunite.champs": ["mot_de_passe"]}), "mot_de_passe"),
        (lambda d: d.update({"experimentation.radar_amont.instrument": "../../etc/passwd"}), "passwd"),
        (lambda d: d.update({"experimentation.radar_amont.libelle": "   "}), "Donnez un libellé au critère"),
        (
            lambda d: d.update({"experimentation.radar_amont.libelle": "nul\x00"}),
            "Le caractère nul n’est pas autorisé",
        ),
        (lambda d: d.update(motif=""), "Indiquez le motif de ce changement"),
        (lambda d: d.update(motif="   "), "Indiquez le motif de ce changement"),
        (lambda d: d.update(motif="m" * 5000), "2000"),
        (
            lambda d: d.update(
                {
                    "production.nouveau.type": "decision",
                    "production.nouveau.libelle": "Avis du CST",
                    "production.nouveau.sens": ["poursuivre"],
                    "production.nouveau.champs": ["finalite"],
                    "production.nouveau.source": "organisation",
                    "production.nouveau.article": "Règlement intérieur",
                }
            ),
            "ne s&#x27;applique pas au type",
        ),
        (
            lambda d: d.update(
                {"production.nouveau.type": "evaluation", "production.nouveau.libelle": "Girouet"}
            ),
            "Choisissez la source",
        ),
        (
            lambda d: d.update(
                {
                    "production.nouveau.type": "evaluation",
                    "production.nouveau.libelle": "Girouet",
                    "production.nouveau.source": "ai_act",
                    "production.nouveau.article": "art. 9",
                }
            ),
            "exige le paramètre « instrument »",
        ),
        (
            lambda d: d.update({"production.nouveau.type": "aucune_pratique_interdite"}),
            "Sélectionnez un choix valide",
        ),
        (
            lambda d: d.update({"arret.nouveau.type": "decision", "portes": "[]"}),
            "identique à celle en vigueur",
        ),
        (lambda d: d.pop("depuis_numero"), "n&#x27;a pas été transmise"),
        (lambda d: d.update(depuis_numero="3"), "n&#x27;a plus la version que vous aviez ouverte"),
    ],
)
def test_saisies_hostiles_rien_ne_change(client, org_a, referent_a, changer, attendu):
    client.force_login(referent_a)
    donnees = _saisie_initiale(client) | {"motif": "Essai.", "action": "enregistrer"}
    changer(donnees)
    reponse = client.post("/o/commune-a/politique-portes/adapter/", donnees)
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert attendu in texte, texte[texte.find("fr-alert") : texte.find("fr-alert") + 800]
    assert not PolitiquePortes.objects.exists()


def test_conflit_par_la_page(client, org_a, referent_a, admin_a):
    client.force_login(referent_a)
    donnees = _saisie_initiale(client)
    services.adapter_politique(org_a, _sans_radar(), "Adaptée entre-temps.", admin_a, 0)
    donnees |= {"production.conditions_levees.bloquant": "on", "motif": "Trop tard.", "action": "enregistrer"}
    reponse = client.post("/o/commune-a/politique-portes/adapter/", donnees, follow=True)
    texte = reponse.content.decode()
    assert "a été modifiée depuis que vous l&#x27;avez ouverte" in texte and "Adaptée entre-temps." in texte
    assert PolitiquePortes.objects.count() == 1
    # Le formulaire repart de la version en vigueur.
    assert reponse.context["form"]["depuis_numero"].value() == 1


def test_retour_a_la_nationale_par_la_page(client, org_a, referent_a, lecteur_a):
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    client.force_login(lecteur_a)
    assert (
        "Revenir à la politique nationale"
        not in client.get("/o/commune-a/politique-portes/").content.decode()
    )
    assert (
        client.post(
            "/o/commune-a/politique-portes/retour-nationale/", {"motif": "x", "depuis_numero": "1"}
        ).status_code
        == 403
    )
    client.force_login(referent_a)
    page = client.get("/o/commune-a/politique-portes/").content.decode()
    assert "Revenir à la politique nationale" in page
    vide = client.post(
        "/o/commune-a/politique-portes/retour-nationale/", {"motif": " ", "depuis_numero": "1"}, follow=True
    )
    assert "Indiquez le motif" in vide.content.decode() and PolitiquePortes.objects.count() == 1
    client.post(
        "/o/commune-a/politique-portes/retour-nationale/",
        {"motif": "Le radar revient.", "depuis_numero": "1"},
    )
    assert politiques.applicable(org_a).politique == NATIONALE
    assert PolitiquePortes.objects.count() == 2


def test_fiche_du_systeme_renvoie_a_la_politique_et_se_rafraichit(client, org_a, referent_a):
    s = _a_l_etude(fabrique.systeme(org_a, referent_a))
    client.force_login(referent_a)
    fiche = f"/o/commune-a/registre/{s.pk}/"
    page = client.get(fiche).content.decode()
    assert "Radar de décision" in page and "selon la politique nationale v1" in page
    assert 'href="/o/commune-a/politique-portes/"' in page
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    page = client.get(fiche).content.decode()  # page en cache : la nouvelle version la renouvelle
    assert "Radar de décision" not in page and "selon la politique adaptée n° 1" in page
    registre.changer_stade(s.pk, "experimentation", "", referent_a, s.version)
    assert "(politique des portes adaptée n° 1)" in client.get(fiche).content.decode()


# --- API ---------------------------------------------------------------------------------------------


def _api(personne, methode, chemin="", corps=None, slug="commune-a"):
    return fabrique.appel_api(personne, methode, f"{slug}/politique-portes{chemin}", corps)


def test_api_lire_adapter_et_versions(org_a, referent_a, lecteur_a):
    lue = _api(lecteur_a, "GET").json()
    assert lue["nationale"] and lue["numero"] == 0 and lue["libelle"] == "nationale v1"
    assert lue["contenu"] == politique.en_donnees(NATIONALE)
    assert _api(lecteur_a, "GET", "/versions").json() == []
    corps = {"contenu": _sans_radar(), "motif": "Par l'API.", "depuis_numero": 0}
    assert _api(lecteur_a, "POST", corps=corps).status_code == 403
    reponse = _api(referent_a, "POST", corps=corps)
    assert reponse.status_code == 201, reponse.content
    assert (
        reponse.json()["libelle"] == "adaptée n° 1" and reponse.json()["cree_par"] == referent_a.nom_affiche
    )
    versions = _api(lecteur_a, "GET", "/versions").json()
    assert [v["numero"] for v in versions] == [1] and "retiré" in versions[0]["differences"][0]
    # Partie de la version 0, alors que la 1 existe : 409, rien d'écrit.
    conflit = _api(referent_a, "POST", corps=corps | {"motif": "Encore."})
    assert conflit.status_code == 409 and conflit.json()["numero_actuel"] == 1
    assert "Rien n'a été enregistré" in conflit.json()["message"]
    assert PolitiquePortes.objects.count() == 1


def test_api_refuse_en_francais_sans_rien_ecrire(org_a, referent_a):
    contenu = _nationale()
    contenu["portes"]["publication"]["criteres"] = [
        {
            "id": "rien",
            "type": "conditions_levees",
            "libelle": "Rien",
            "references": [{"source": "ai_act", "article": "1"}],
        }
    ]
    reponse = _api(referent_a, "POST", corps={"contenu": contenu, "motif": "Retirer.", "depuis_numero": 0})
    assert reponse.status_code == 400
    assert "doit garder le critère bloquant « aucune_pratique_interdite »" in reponse.json()["message"]
    for corps in (
        {"contenu": _sans_radar(), "motif": "", "depuis_numero": 0},
        {"contenu": _sans_radar(), "motif": "Sans numéro."},
        {"contenu": "portes: []", "motif": "YAML.", "depuis_numero": 0},
        {"contenu": _sans_radar(), "motif": "x", "depuis_numero": "0"},
    ):
        assert _api(referent_a, "POST", corps=corps).status_code == 422
    assert not PolitiquePortes.objects.exists()


def test_api_porte_d_un_systeme_selon_sa_politique(org_a, org_b, referent_a, admin_b):
    a = _a_l_etude(fabrique.systeme(org_a, referent_a))
    b = _a_l_etude(fabrique.systeme(org_b, admin_b))
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    jeton_a = JetonAPI.emettre(referent_a, "a")[1]
    jeton_b = JetonAPI.emettre(admin_b, "b")[1]
    pa = Client().get(
        f"/api/organisations/commune-a/systemes/{a.pk}/porte", headers={"authorization": f"Bearer {jeton_a}"}
    )
    pb = Client().get(
        f"/api/organisations/commune-b/systemes/{b.pk}/porte", headers={"authorization": f"Bearer {jeton_b}"}
    )
    assert pa.json()["prochaine"]["franchie"] and not pb.json()["prochaine"]["franchie"]
    assert "radar_amont" in [c["id"] for c in pb.json()["prochaine"]["criteres"]]
    # B ne lit pas la politique de A.
    assert _api(admin_b, "GET", slug="commune-b").json()["libelle"] == "nationale v1"
    assert _api(admin_b, "GET", slug="commune-a").status_code == 404


def test_deux_enregistrements_simultanes_le_second_refuse(org_a, referent_a, admin_a, monkeypatch):
    """Entre la vérification du numéro et l'écriture, une autre version est enregistrée : la contrainte
    d'unicité refuse la seconde, en conflit clair, et la transaction reste utilisable (PostgreSQL)."""
    services.adapter_politique(org_a, _sans_radar(), "Enregistrée juste avant.", admin_a, 0)
    lue_avant = politiques.derniere_version
    monkeypatch.setattr(politiques, "derniere_version", lambda org: None)  # elle n'a pas vu la n° 1
    with pytest.raises(services.ConflitPolitique):
        contenu = _nationale()
        _critere(contenu, "production", "conditions_levees")["bloquant"] = True
        services.adapter_politique(org_a, contenu, "Partie de la nationale.", referent_a, 0)
    monkeypatch.setattr(politiques, "derniere_version", lue_avant)
    assert [v.motif for v in PolitiquePortes.objects.all()] == ["Enregistrée juste avant."]


def test_une_adaptation_qui_redonne_la_nationale_est_un_retour(org_a, referent_a):
    services.adapter_politique(org_a, _sans_radar(), "Sans radar.", referent_a, 0)
    version = services.adapter_politique(org_a, _nationale(), "Le radar revient.", referent_a, 1)
    assert version.nature == "nationale" and politiques.applicable(org_a).libelle == "n° 2 : nationale v1"
