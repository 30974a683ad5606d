"""Reprendre un registre tenu dans un tableur (balise/registre/reprise, services_reprise, vues_reprise) :
correspondances, aperçu, confirmation, mise à jour par identifiant, fichiers piégés, droits."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balise import versions
from balise.metiers import lecture
from balise.metiers.lecture import FichierIllisible
from balise.registre import reprise, services, services_reprise
from balise.registre.models import ImportRegistre, SystemeIA
from balise.travaux.models import Travail
from tests import instantane
from tests.donnees import registre_commune
from tests.test_lecture_tableaux import archive, xlsx
from tests.travailleur import executer_travaux

REGISTRE = Path(__file__).parent / "donnees" / "registre_commune.xlsx"


def _classeur(rangees: list[list[str]]) -> bytes:
    sortie = io.BytesIO()
    registre_commune.classeur(rangees).save(sortie)
    return sortie.getvalue()


def _lu(org, par, nom: str, contenu: bytes) -> ImportRegistre:
    imp = services_reprise.deposer(org, par, nom, contenu)
    executer_travaux()
    return ImportRegistre.objects.select_related("travail").get(pk=imp.pk)


def _colonnes(imp: ImportRegistre, par) -> ImportRegistre:
    return services_reprise.choisir_colonnes(imp, imp.colonnes, imp.version, par)


def _corriger_les_deux_valeurs(imp: ImportRegistre, par) -> ImportRegistre:
    return services_reprise.choisir_valeurs(
        imp,
        {"type_ia": {"Chatbot": "generative"}, "hebergement": {"Cloud Azure": "hors_ue"}},
        imp.version,
        par,
    )


def _importer(org, par, nom: str, contenu: bytes) -> ImportRegistre:
    imp = _colonnes(_lu(org, par, nom, contenu), par)
    imp = _corriger_les_deux_valeurs(imp, par)
    services_reprise.confirmer(imp, imp.version, par)
    executer_travaux()
    return ImportRegistre.objects.select_related("travail").get(pk=imp.pk)


# --- Fonctions pures ---------------------------------------------------------------------------------


def test_colonnes_proposees_pour_le_registre_d_une_commune():
    entetes = registre_commune.ENTETES
    assert reprise.proposer_colonnes(entetes) == {
        "identifiant_externe": "N°",
        "nom": "Nom de l'outil",
        "finalite": "Objectif",
        "service": "Service",
        "responsable": "Responsable",
        "stade": "État d'avancement",
        "domaine": "Domaine",
        "type_ia": "Type d'IA",
        "cible": "Public visé",
        "realisation": "Mode de réalisation",
        "hebergement": "Hébergement",
        "fournisseur": "Éditeur",
        "donnees_personnelles": "Données personnelles",
        "cout_annuel": "Coût annuel",
    }
    # Le choix d'un import précédent l'emporte, si ses en-têtes sont encore là.
    assert reprise.proposer_colonnes(entetes, {"nom": "Objectif"})["nom"] == "Objectif"


def test_colonnes_verifiees():
    with pytest.raises(reprise.ColonnesInvalides) as refus:
        reprise.verifier_colonnes({"nom": "Nom", "finalite": "Nom", "stade": "Inventée"}, ["Nom", "Service"])
    assert refus.value.erreurs == {
        "stade": "La colonne « Inventée » n'existe pas dans le fichier.",
        "service": "Indiquez la colonne qui contient « Service porteur » : elle est requise.",
        "responsable": "Indiquez la colonne qui contient « Responsable » : elle est requise.",
        "finalite": "La colonne « Nom » est déjà utilisée pour « Nom du système ».",
    }


@pytest.mark.parametrize(
    ("champ", "brute", "attendue"),
    [
        ("stade", "POC", reprise.Proposition("experimentation", True, 100)),
        ("stade", "En production", reprise.Proposition("production", True, 100)),
        ("stade", "", reprise.Proposition("idee", False)),
        ("domaine", "Étudiants ?", reprise.Proposition("", False)),
        ("domaine", "Ressources Humaines", reprise.Proposition("rh", True, 100)),
        ("type_ia", "IA générative", reprise.Proposition("generative", True, 100)),
        ("type_ia", "Chatbot", reprise.Proposition("", False)),
        ("hebergement", "hors-UE", reprise.Proposition("hors_ue", True, 100)),
        ("positionnement", "", reprise.Proposition("ameliorer", False)),
        ("cible", "", reprise.Proposition("", False)),
    ],
)
def test_valeur_proposee(champ, brute, attendue):
    assert reprise.proposer_valeur(champ, brute) == attendue


def test_valeur_proche_proposee_a_verifier():
    proposition = reprise.proposer_valeur("domaine", "Urbanism")
    assert (proposition.code, proposition.sure) == ("ville_intelligente", False)
    assert reprise.SEUIL_PROPOSITION <= proposition.score < 100


def test_choix_retenu_l_emporte_sur_la_proposition_sauf_s_il_est_inconnu():
    assert reprise.proposer_valeurs("stade", ["POC", "Fini"], {"POC": "etude", "Fini": "inventé"}) == {
        "POC": "etude",
        "Fini": "arret",
    }


def test_synonymes_livres_valides_et_sources():
    assert reprise.synonymes().version == 1
    assert any("seed 004" in s for s in reprise.synonymes().sources)


def test_synonymes_incoherents_refuses_en_francais():
    texte = "version: 1\nsources: []\nsynonymes:\n  stade:\n    idee: [projet]\n    etude: [projet]\n"
    with pytest.raises(reprise.SynonymesInvalides, match="« projet » désigne deux valeurs"):
        reprise.lire_yaml(texte, reprise.Synonymes, "synonymes", reprise.SynonymesInvalides)
    with pytest.raises(reprise.SynonymesInvalides, match="synonymes.stade.fini : valeur inconnue"):
        reprise.lire_yaml(
            "version: 1\nsources: []\nsynonymes:\n  stade:\n    fini: [x]\n",
            reprise.Synonymes,
            "synonymes",
            reprise.SynonymesInvalides,
        )


@pytest.mark.parametrize(
    ("code", "brute", "attendue"),
    [
        ("donnees_personnelles", "Oui", True),
        ("donnees_personnelles", "x", True),
        ("donnees_personnelles", "", False),
        ("cout_annuel", "1 200,50 €", Decimal("1200.50")),
        ("cout_annuel", "", None),
        ("nom", "  Outil   de tri ", "Outil de tri"),
        ("contact", "ia@mairie.fr", "ia@mairie.fr"),
    ],
)
def test_valeur_lue(code, brute, attendue):
    assert reprise.lire_valeur(reprise.PAR_CODE[code], brute, {}) == attendue


@pytest.mark.parametrize(
    ("code", "brute", "motif"),
    [
        ("nom", '=HYPERLINK("http://x")', "Nom du système : formule refusée"),
        ("service", "@SOMME(A1)", "Service porteur : formule refusée"),
        ("nom", "x" * 201, "Nom du système : plus de 200 caractères"),
        ("nom", "", "Nom du système : valeur manquante"),
        ("donnees_personnelles", "peut-être", "« peut-être » illisible (oui ou non attendu)"),
        ("cout_annuel", "-300", "« -300 » n'est pas un montant en euros"),
        ("cout_annuel", "beaucoup", "n'est pas un montant"),
        ("contact", "mairie", "n'est pas une adresse électronique"),
        ("domaine", "Voirie", "Domaine : « Voirie » n'a pas de correspondance, choisissez-la"),
        ("domaine", "", "Domaine : valeur manquante"),
    ],
)
def test_valeur_refusee(code, brute, motif):
    with pytest.raises(ValueError, match=motif.replace("(", r"\(").replace(")", r"\)")):
        reprise.lire_valeur(reprise.PAR_CODE[code], brute, {"Autre": "autre"})


def test_identifiant_en_double_dans_le_fichier():
    lignes = [reprise.Ligne(2, {"identifiant_externe": "A"}), reprise.Ligne(3, {"identifiant_externe": "B"})]
    lignes.append(reprise.Ligne(5, {"identifiant_externe": "A"}))
    reprise.doublons(lignes)
    assert lignes[0].erreurs == lignes[2].erreurs == ["identifiant « A » présent aux lignes 2 et 5"]
    assert lignes[1].erreurs == []


# --- Parcours par les services et le processus de fond -----------------------------------------------


def test_import_puis_reimport_met_a_jour_sans_doubler(org_a, referent_a, admin_a):
    avant = SystemeIA.objects.count()
    imp = _colonnes(_lu(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes()), referent_a)
    vu = services_reprise.apercu(imp)
    assert len(vu.lignes) == 30
    assert [(ligne.numero, ligne.erreurs) for ligne in vu.en_erreur] == [
        (8, ["Type d'IA : « Chatbot » n'a pas de correspondance, choisissez-la"]),
        (20, ["Lieu d'hébergement : « Cloud Azure » n'a pas de correspondance, choisissez-la"]),
    ]
    # Tant qu'une ligne est en erreur, rien ne part.
    photo = instantane.photo()
    with pytest.raises(services_reprise.ImportRefuse, match="2 lignes en erreur"):
        services_reprise.confirmer(imp, imp.version, referent_a)
    assert instantane.photo() == photo

    imp = _corriger_les_deux_valeurs(imp, referent_a)
    assert services_reprise.apercu(imp).en_erreur == []
    assert SystemeIA.objects.count() == avant  # rien n'est écrit avant la confirmation
    services_reprise.confirmer(imp, imp.version, referent_a)
    assert SystemeIA.objects.count() == avant
    executer_travaux()
    imp.refresh_from_db()
    assert (imp.etat, imp.crees, imp.mises_a_jour, imp.contenu) == ("termine", 30, 0, None)
    version_inchangee = SystemeIA.objects.get(identifiant_externe="IA-002").version
    importees = SystemeIA.objects.filter(organisation=org_a).exclude(identifiant_externe="")
    assert importees.count() == 30
    chatbot = importees.get(identifiant_externe="IA-007")
    assert (chatbot.type_ia, chatbot.stade, chatbot.cout_annuel, chatbot.positionnement) == (
        "generative",
        "experimentation",  # « POC »
        Decimal("2400"),
        "ameliorer",
    )
    creation = chatbot.history.get()
    assert (creation.history_user, creation.history_change_reason) == (
        referent_a,
        "Import du registre « registre.xlsx »",
    )

    # Le tableur modifié : une ligne changée, une ajoutée ; la fiche IA-001 a été modifiée dans Balise
    # entre les deux imports (version 2), ce que le nouvel import voit.
    premiere = importees.get(identifiant_externe="IA-001")
    services.modifier_systeme(premiere.pk, {"supervision_humaine": "Relue."}, premiere.version, admin_a)
    rangees = registre_commune.lignes()
    rangees[6][1] = "Agent conversationnel du site (nouvelle version)"
    rangees[6][5] = "En production"  # stade : pas changé par un import, il passe par les portes
    rangees.append(["IA-031", "Aide aux réservations de salles", "Proposer des créneaux", "Accueil",
                    "Mme Martin (DGS)", "Projet", "Relation usagers", "Générative", "Usagers",
                    "Prestataire", "Prestataire local", "France", "non", ""])  # fmt: skip
    second = _lu(org_a, referent_a, "registre-v2.xlsx", _classeur(rangees))
    assert second.colonnes == imp.colonnes  # celles de l'import précédent
    second = _colonnes(second, referent_a)
    assert second.valeurs["type_ia"]["Chatbot"] == "generative"  # les choix de l'import précédent
    vu = services_reprise.apercu(second)
    assert (vu.a_creer, vu.a_mettre_a_jour, len(vu.inchangees)) == (1, 1, 29)
    assert any("stade inchangé" in n for n in vu.lignes[6].notes)
    services_reprise.confirmer(second, second.version, referent_a)
    executer_travaux()
    second.refresh_from_db()
    assert (second.etat, second.crees, second.mises_a_jour, second.inchangees) == ("termine", 1, 1, 29)
    assert SystemeIA.objects.filter(organisation=org_a).exclude(identifiant_externe="").count() == 31
    chatbot.refresh_from_db()
    assert chatbot.nom == "Agent conversationnel du site (nouvelle version)"
    assert chatbot.stade == "experimentation"
    assert chatbot.history.first().history_change_reason == "Import du registre « registre-v2.xlsx »"
    premiere.refresh_from_db()
    assert premiere.supervision_humaine == "Relue."  # colonne absente du fichier : champ inchangé
    # Une fiche que le fichier ne change pas n'est pas réécrite (pas de version ni d'historique de plus).
    assert SystemeIA.objects.get(identifiant_externe="IA-002").version == version_inchangee


def test_fiche_modifiee_apres_la_confirmation_rien_n_est_ecrit(org_a, referent_a, admin_a):
    imp = _importer(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes())
    rangees = registre_commune.lignes()
    rangees[9][2] = "Vérifier les dossiers de permis et de déclaration préalable"
    second = _colonnes(_lu(org_a, referent_a, "v2.xlsx", _classeur(rangees)), referent_a)
    services_reprise.confirmer(second, second.version, referent_a)
    fiche = SystemeIA.objects.get(organisation=org_a, identifiant_externe="IA-010")
    services.modifier_systeme(fiche.pk, {"nom": "Renommée entre-temps"}, fiche.version, admin_a)
    photo = instantane.photo()
    executer_travaux()
    second = ImportRegistre.objects.select_related("travail").get(pk=second.pk)
    assert second.travail.etat == Travail.Etat.ECHOUE
    assert "a été modifiée par" in second.travail.message and "rien n'a été importé" in second.travail.message
    fiche.refresh_from_db()
    assert fiche.nom == "Renommée entre-temps"
    assert imp.etat == "termine"
    assert {
        k: v for k, v in instantane.photo().items() if "travail" not in k.lower() and "task" not in k.lower()
    } == {k: v for k, v in photo.items() if "travail" not in k.lower() and "task" not in k.lower()}


def test_version_perimee_des_correspondances_refusee(org_a, referent_a, admin_a):
    imp = _lu(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes())
    lu_par_l_un = imp.version
    _colonnes(imp, admin_a)
    with pytest.raises(versions.ConflitEdition):
        services_reprise.choisir_colonnes(imp, imp.colonnes, lu_par_l_un, referent_a)
    with pytest.raises(versions.ConflitEdition):
        services_reprise.confirmer(imp, None, referent_a)


def test_supprimer_un_import_abandonne_mais_pas_un_import_confirme(org_a, referent_a):
    abandonne = _lu(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes())
    services_reprise.supprimer(abandonne, abandonne.version, referent_a)
    assert not ImportRegistre.objects.filter(pk=abandonne.pk).exists()
    confirme = _importer(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes())
    with pytest.raises(services_reprise.ImportRefuse, match="Un import confirmé ne se supprime pas"):
        services_reprise.supprimer(confirme, confirme.version, referent_a)


# --- Fichiers piégés : les mêmes refus, avec les mêmes messages, que l'import des effectifs ------------


def _bombe() -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as membre:
            for _ in range(300):
                membre.write(bytes(1024 * 1024))
    return sortie.getvalue()


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (
            _bombe,
            "Ce classeur est anormalement compressé (300 Mo une fois décompressé) et ne peut pas être lu : "
            "enregistrez-le en CSV.",
        ),
        (lambda: archive({"xl/workbook.bin": b"\x00"}), lecture.XLSB),
        (lambda: b"%PDF-1.4 \x00\x01", lecture.PAS_UN_TABLEAU),
        (lambda: b"<html><table></table></html>", lecture.PAGE_WEB),
    ],
)
def test_fichier_piege_refuse_des_le_depot(org_a, referent_a, contenu, message):
    photo = instantane.photo()
    with pytest.raises(FichierIllisible) as refus:
        services_reprise.deposer(org_a, referent_a, "registre.xlsx", contenu())
    assert refus.value.message == message
    assert instantane.photo() == photo


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        # A1 et XFD1048576 remplies : l'enfant calamine s'arrête, Balise répond en français.
        (lambda: xlsx([["Nom"], ["Outil"]], {"XFD1048576": "fin"}), lecture.TROP_LOURD),
        (
            lambda: xlsx([[f"C{i}" for i in range(201)], list(range(201))]),
            "Le fichier compte 201 colonnes ; Balise en accepte 200 au plus.",
        ),
    ],
)
def test_classeur_piege_refuse_par_le_processus_de_fond(org_a, referent_a, contenu, message):
    imp = _lu(org_a, referent_a, "registre.xlsx", contenu())
    assert imp.travail.etat == Travail.Etat.ECHOUE
    assert imp.travail.message == message
    assert imp.etat == "lecture" and imp.contenu is None  # le fichier refusé n'est pas gardé
    assert not SystemeIA.objects.filter(organisation=org_a).exists()


def test_feuille_trop_etendue_refusee(org_a, referent_a, monkeypatch):
    monkeypatch.setattr(lecture, "MAX_CELLULES", 11)
    imp = _lu(org_a, referent_a, "registre.xlsx", xlsx([["A", "B", "C"], [1, 2, 3], [4, 5, 6], [7, 8, 9]]))
    assert imp.travail.message == (
        "La première feuille du classeur s'étend sur 4 lignes et 3 colonnes : c'est trop pour Balise. "
        "Enregistrez-la en CSV."
    )


def test_formule_d_un_csv_refusee_ligne_par_ligne(org_a, referent_a):
    contenu = (
        b"Nom;Objectif;Service;Responsable;Domaine\n"
        b"Outil A;Trier;Accueil;Mme A;Autre\n"
        b'=HYPERLINK("http://pirate.example";"clic");Trier;Accueil;Mme A;Autre\n'
    )
    imp = _colonnes(_lu(org_a, referent_a, "registre.csv", contenu), referent_a)
    lignes = services_reprise.apercu(imp).lignes
    assert not any("formule" in e for e in lignes[0].erreurs)
    assert lignes[1].numero == 3
    assert lignes[1].erreurs[0].startswith("Nom du système : formule refusée (« =HYPERLINK(")


# --- Pages -------------------------------------------------------------------------------------------


def test_depot_refuse_par_la_page_en_francais_sans_rien_changer(client, org_a, referent_a):
    client.force_login(referent_a)
    photo = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/registre/importer/",
        {"fichier": SimpleUploadedFile("registre.xlsx", archive({"xl/workbook.bin": b"\x00"}))},
    )
    assert reponse.status_code == 400
    assert "Les classeurs XLSB ne sont pas pris en charge" in reponse.content.decode()
    assert instantane.photo() == photo


def test_un_lecteur_n_importe_pas(client, org_a, lecteur_a):
    client.force_login(lecteur_a)
    photo = instantane.photo()
    reponse = client.post(
        f"/o/{org_a.slug}/registre/importer/",
        {"fichier": SimpleUploadedFile("r.xlsx", REGISTRE.read_bytes())},
    )
    assert reponse.status_code == 403
    assert instantane.photo() == photo


def test_pages_du_parcours(client, org_a, referent_a):
    client.force_login(referent_a)
    base = f"/o/{org_a.slug}/registre/"
    reponse = client.post(
        base + "importer/", {"fichier": SimpleUploadedFile("r.xlsx", REGISTRE.read_bytes())}
    )
    imp = ImportRegistre.objects.get()
    assert reponse.url == f"{base}importations/{imp.pk}/avancement/"
    assert "Lecture du fichier" in client.get(reponse.url).content.decode()
    executer_travaux()
    assert client.get(f"{base}importations/{imp.pk}/").url == f"{base}importations/{imp.pk}/colonnes/"
    imp.refresh_from_db()
    donnees = {**imp.colonnes, "version": imp.version}
    reponse = client.post(f"{base}importations/{imp.pk}/colonnes/", donnees)
    assert reponse.url == f"{base}importations/{imp.pk}/apercu/"
    page = client.get(reponse.url).content.decode()
    assert "2 lignes en erreur" in page and "Confirmer l'import" not in page
    assert client.post(f"{base}importations/{imp.pk}/confirmation/", {"version": "2"}).status_code == 302
    assert not SystemeIA.objects.filter(organisation=org_a).exclude(identifiant_externe="").exists()
    # Une valeur trafiquée (hors de la liste) est refusée par le formulaire.
    reponse = client.post(f"{base}importations/{imp.pk}/apercu/", {"version": "2", "type_ia-0": "quantique"})
    assert reponse.status_code == 400


def test_une_fiche_qualifiee_changee_par_l_import_est_a_requalifier(org_a, referent_a, admin_a):
    from balise.conformite import services as conformite
    from balise.conformite.regles import en_vigueur
    from tests import fabrique

    existante = fabrique.systeme(org_a, admin_a, type_ia="generative", donnees_personnelles=False)
    SystemeIA.objects.filter(pk=existante.pk).update(identifiant_externe="IA-004")  # comme un import passé
    existante.refresh_from_db()
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))
    qualification = conformite.qualifier(existante, regles, cas.reponses, admin_a)
    assert not qualification.a_requalifier
    imp = _importer(org_a, referent_a, "registre.xlsx", REGISTRE.read_bytes())
    assert (imp.crees, imp.mises_a_jour) == (29, 1)
    qualification.refresh_from_db()
    assert qualification.a_requalifier
    assert (
        "donnees_personnelles" in qualification.motif_requalification
        or "type" in qualification.motif_requalification
    )
    existante.refresh_from_db()
    assert (existante.type_ia, existante.donnees_personnelles, existante.version) == (
        "discriminante",
        True,
        2,
    )
    derniere = existante.history.first()
    assert (derniere.history_user, derniere.history_change_reason, derniere.version) == (
        referent_a,
        "Import du registre « registre.xlsx »",
        2,
    )
