"""Accessibilité des pages principales, vérifiée par axe-core dans le vrai navigateur (aucune règle désactivée)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page

from balise.chartes import services as chartes
from balise.comptes.models import JetonAPI
from balise.comptes.services import revoquer_jeton
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.gouvernance import services_avis
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument
from balise.instruments.services import Saisie
from balise.metiers import services as metiers
from balise.organisations import services as organisations
from balise.organisations.models import Invitation
from balise.registre import services
from tests import fabrique, instantane, travailleur
from tests import gouvernance_fabrique as gf
from tests.navigateur.conftest import MOT_DE_PASSE, connecter
from tests.test_effectifs import COLONNES, DESORDONNE

pytestmark = pytest.mark.navigateur

_axe = Axe()


@dataclass
class Donnees:
    slug: str
    pk: int
    uid: str
    girouet: int  # l'instrument national
    evaluation_girouet: int  # en cours, deux évaluateurs en désaccord
    evaluation_radar: int  # finalisée
    evaluation_matrice: int
    consultation: int  # par codes, deux groupes, cinq réponses : résultats visibles
    jeton: str
    obligation: int  # d'une qualification enregistrée
    imp: int = 0  # import d'effectifs traité, des libellés à revoir
    imp_attente: int = 0  # fichier déposé, colonnes à choisir
    groupe: int = 0
    action: int = 0
    metier: int = 0
    imp_refuse: int = 0  # lecture échouée : le fichier n'est pas un tableau
    imp_lecture: int = 0  # lecture en attente du processus de fond
    document_archive: int = 0  # restaurable depuis la fiche ; son archivage est au journal
    consultation_lien: int = 0  # en lien ouvert, ouverte avant les codes
    jeton_lien: str = ""
    code_libre: str = ""  # un code de participation encore inutilisé
    charte: int = 0  # la charte adoptée, consultée avec avis
    charte_soumise: int = 0  # le formulaire d'adoption
    charte_brouillon: int = 0  # le formulaire de soumission, la modification
    population: int = 0  # formation : une population liée au système et au groupe exposé
    offre_formation: int = 0
    session_formation: int = 0
    obligation_formation: int = 0  # l'obligation de formation (art. 4) et ses preuves
    regles_publiees: int = 0  # règles d'usage publiées, des services informés
    regles_brouillon: int = 0  # le brouillon suivant, les lignes rouges de la charte à reprendre
    action_programme: int = 0  # une action de la feuille de route, en retard
    sensibilisation: int = 0  # une action de sensibilisation corrigée une fois (historique à deux entrées)
    note_veille: int = 0
    point_revue: int = 0  # une séance où les indicateurs sont revus
    indicateur: int = 0  # un indicateur du système, deux mesures dont une hors cible
    mesure_indicateur: int = 0
    reprise_apercu: int = 0  # registre repris d'un tableur : colonnes choisies, deux lignes en erreur
    reprise_lecture: int = 0  # sa lecture attend le processus de fond
    reprise_terminee: int = 0  # importé : le bilan


@pytest.fixture
def donnees(org_a, admin_a, referent_a) -> Donnees:
    """Une organisation assez remplie pour que chaque page montre ses tableaux, badges et listes."""
    systeme = fabrique.systeme(
        org_a,
        referent_a,
        nom="Détection des fuites",
        contribution_decision="Signale les anomalies ; un agent décide de l'intervention.",
        donnees="Relevés des compteurs.",
        decision_individuelle=True,
        regles_traitement="Compare les débits nocturnes aux moyennes de chaque secteur ; aucun paramètre personnel.",
    )
    services.changer_stade(systeme.pk, "etude", "", admin_a, 1)
    # La porte de l'expérimentation n'est pas franchie (ni note d'opportunité ni radar amont) :
    # l'administrateur la passe en la justifiant, ce qui montre aussi la porte forcée sur la fiche.
    services.changer_stade(
        systeme.pk, "experimentation", "", admin_a, 2, justification="Pilote décidé en comité de direction."
    )
    services.modifier_systeme(systeme.pk, {"service": "Direction de l'eau"}, 3, referent_a)
    services.publier(systeme.pk, True, admin_a, 4)
    fabrique.systeme(org_a, admin_a, nom="Assistant de rédaction", usage_non_declare=True, cible="agents")
    Invitation.objects.create(
        organisation=org_a, email="invitee@exemple.fr", role="lecteur", invitee_par=admin_a
    )
    JetonAPI.emettre(admin_a, "script d'import DSI")
    services.deposer_document(systeme, "Analyse d'impact", instantane.pdf(), referent_a)
    archive = services.archiver_document(
        services.deposer_document(systeme, "Ancienne note", instantane.pdf(), referent_a), referent_a
    )
    annulee = Invitation.objects.create(
        organisation=org_a, email="annulee@exemple.fr", role="dpo", invitee_par=admin_a
    )
    organisations.annuler_invitation(annulee, admin_a)
    ancien, _ = JetonAPI.emettre(referent_a, "ancien export")
    revoquer_jeton(ancien, admin_a)  # les deux tableaux des jetons : actifs, révoqués
    instantane.rapport(org_a, admin_a)  # un rapport produit : la liste des rapports et ses liens
    donnees = Donnees(
        org_a.slug,
        systeme.pk,
        str(systeme.uid),
        *_evaluations(systeme, admin_a, referent_a),
        _qualifier(systeme, admin_a),
        *_effectifs(systeme, admin_a),
        document_archive=archive.pk,
    )
    donnees.consultation_lien, donnees.jeton_lien, donnees.code_libre = _consultations(systeme, admin_a)
    donnees.charte, donnees.charte_soumise, donnees.charte_brouillon = _chartes(org_a, admin_a)
    _formations(donnees, systeme, admin_a)
    _programme(donnees, org_a, admin_a)
    donnees.indicateur, donnees.mesure_indicateur = _indicateurs(systeme, admin_a)
    donnees.reprise_apercu, donnees.reprise_lecture, donnees.reprise_terminee = _reprise(org_a, admin_a)
    return donnees


def _reprise(org, admin) -> tuple[int, int, int]:
    """Trois imports du registre de la commune de test : à l'aperçu (deux lignes en erreur), en attente
    de lecture, terminé. Chaque travail est exécuté seul (`executer_ici`) : les autres restent en file."""
    from balise.registre import services_reprise
    from balise.registre.models import ImportRegistre
    from balise.travaux import services as travaux
    from tests.test_reprise_registre import REGISTRE

    def lu() -> ImportRegistre:
        imp = services_reprise.deposer(org, admin, "registre.xlsx", REGISTRE.read_bytes())
        travaux.executer_ici(imp.travail)
        imp = ImportRegistre.objects.get(pk=imp.pk)
        return services_reprise.choisir_colonnes(imp, imp.colonnes, imp.version, admin)

    termine = lu()
    termine = services_reprise.choisir_valeurs(
        termine,
        {"type_ia": {"Chatbot": "generative"}, "hebergement": {"Cloud Azure": "hors_ue"}},
        termine.version,
        admin,
    )
    termine = services_reprise.confirmer(termine, termine.version, admin)
    travaux.executer_ici(termine.travail)
    apercu = lu()
    lecture = services_reprise.deposer(org, admin, "registre-2.xlsx", REGISTRE.read_bytes())
    return apercu.pk, lecture.pk, termine.pk


def _programme(donnees: Donnees, org, admin) -> None:
    """Règles d'usage publiées puis un brouillon, une action en retard, une sensibilisation, une note de
    veille, et une revue des indicateurs à l'ordre du jour d'une séance."""
    from balise.gouvernance import services_seances
    from balise.programme import services as programme
    from balise.regles_usage import services as regles

    brouillon = regles.creer_brouillon(org, admin)
    publiee = regles.publier(org, brouillon.pk, admin, brouillon.version)
    regles.enregistrer_information(
        org,
        {
            "service": "Accueil",
            "effectif_informe": 4,
            "effectif_service": 6,
            "date": timezone.localdate(),
            "moyen": "reunion",
        },
        admin,
    )
    donnees.regles_publiees, donnees.regles_brouillon = publiee.pk, regles.creer_brouillon(org, admin).pk
    veille = timezone.localdate() - timedelta(days=1)
    donnees.action_programme = programme.creer_action(
        org, {"intitule": "Former les encadrants", "etape": "acculturation", "echeance": veille}, admin
    ).pk
    donnees.note_veille = programme.creer_note(
        org,
        {
            "date": veille,
            "titre": "AI Act, article 4",
            "resume": "Maîtrise de l'IA.",
            "etiquettes": "AI Act",
            "source": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        },
        admin,
    ).pk
    cafe = {"format": "cafe_ia", "intitule": "Café IA", "date": veille, "mesure": "note", "avant": "4"}
    donnees.sensibilisation = programme.creer_sensibilisation(org, cafe, {"agents": 12}, admin).pk
    programme.modifier_sensibilisation(
        org, donnees.sensibilisation, {**cafe, "apres": "7"}, {"agents": 12, "elus": 3}, admin, 1
    )
    seance = gf.seance(gf.instance(org, "Comité de suivi de l'IA"), gf.dans(3), admin)
    donnees.point_revue = services_seances.ajouter_point(seance.pk, "indicateurs", admin).pk


def _indicateurs(systeme, admin) -> tuple[int, int]:
    """Un indicateur du système et deux mesures, la dernière hors cible : courbe, tableau, liens."""
    from balise.indicateurs import echeances
    from balise.indicateurs import services as indicateurs

    org = systeme.organisation
    i = indicateurs.creer_indicateur(org, fabrique.donnees_indicateur(admin, systeme=systeme.pk), admin)
    mois = echeances.periode_de(timezone.localdate(), "mensuelle")
    indicateurs.enregistrer_mesure(
        i, {"periode": echeances.decaler(mois, "mensuelle", -2), "valeur": "8"}, admin
    )
    m = indicateurs.enregistrer_mesure(
        i,
        {"periode": echeances.decaler(mois, "mensuelle", -1), "valeur": "12,5", "commentaire": "Pic."},
        admin,
    )
    return i.pk, m.pk


def _chartes(org, admin) -> tuple[int, int, int]:
    seance = gf.seance(gf.instance(org, "Comité social territorial"), gf.dans(7), admin)
    donnees = {
        "titre": "Charte de l'IA",
        "principes": ["sndgct/transparence", "sndgct/sobriete"],
        "engagements": ["Former les agents."],
        "lignes_rouges": ["Aucune décision sans agent."],
    }
    adoptee = chartes.composer(org, donnees, admin)
    point = chartes.soumettre(adoptee.pk, seance.pk, 1, admin)
    services_avis.rendre_avis(point, {"sens": "favorable", "motifs": "Charte claire."}, [], admin)
    chartes.adopter(adoptee.pk, "deliberation", timezone.localdate(), 2, admin, deliberation_numero="D-1")
    soumise = chartes.composer(org, donnees, admin)
    chartes.soumettre(soumise.pk, seance.pk, 1, admin)
    return adoptee.pk, soumise.pk, chartes.composer(org, donnees, admin).pk


def _formations(donnees: Donnees, systeme, admin) -> None:
    """Les populations de référence, l'une liée au système et au groupe exposé, une offre propre et une
    session : la page d'accueil montre tableau, graphique et groupes ; l'obligation art. 4, ses preuves."""
    from datetime import timedelta

    from django.utils import timezone

    from balise.formations import services as formations
    from balise.formations.models import Population

    org = systeme.organisation
    formations.initialiser_populations(org, admin)
    referents = Population.objects.get(organisation=org, code="referents_ia")
    formations.enregistrer_population(
        org,
        {"titre": referents.titre, "palier": "acculturation", "cible": 80, "effectif_saisi": 10},
        admin,
        referents.pk,
        referents.version,
        systemes=[systeme],
    )
    offre = formations.enregistrer_offre(
        org,
        {
            "titre": "Atelier maison",
            "organisme": "DSI",
            "format": "atelier",
            "public": "Agents",
            "palier": "acculturation",
        },
        admin,
    )
    session = formations.enregistrer_session(
        org,
        {
            "date": timezone.localdate() - timedelta(days=3),
            "palier": "acculturation",
            "offre_catalogue": "",
            "offre": offre,
        },
        [formations.Ligne(referents.pk, 4, "Direction de l'eau")],
        admin,
    )
    donnees.population, donnees.offre_formation, donnees.session_formation = (
        referents.pk,
        offre.pk,
        session.pk,
    )
    donnees.obligation_formation = ObligationSuivie.objects.get(systeme=systeme, code="former_agents_ia").pk


def _consultations(systeme, admin) -> tuple:
    """Un questionnaire en lien ouvert hérité d'avant les codes, et un code encore libre du questionnaire par codes."""
    from balise.instruments.models import Consultation, GroupeCodes

    lien = instruments.ouvrir_consultation(
        systeme,
        DefinitionInstrument.objects.get(organisation=None, code="questionnaire-experimentation"),
        "preparation",
        admin,
        mode=Consultation.Mode.LIEN_OUVERT,
    )
    Consultation.objects.filter(pk=lien.pk).update(lien_ouvert_herite=True)
    groupe = GroupeCodes.objects.get(libelle="Accueil")
    return lien.pk, lien.jeton, instruments.ajouter_codes(groupe, 1, admin).codes[0]


def _effectifs(systeme, admin) -> tuple:
    """Le tableau désordonné des tests importé (libellés à revoir, lignes écartées), un second fichier
    en attente de colonnes, un métier propre, un groupe suivi relié au système avec une action, un
    fichier refusé à la lecture (binaire après un début de CSV) et un dont la lecture attend."""
    org = systeme.organisation
    contenu = DESORDONNE.read_bytes()
    imp = travailleur.importer(org, admin, "effectifs.csv", contenu, COLONNES)
    attente = travailleur.deposer_et_lire(org, admin, "effectifs-2027.csv", contenu)
    metier = metiers.enregistrer_metier(
        org,
        {
            "libelle": "Maître-nageur sauveteur",
            "isco08": "3423",
            "niveau": "Peu concernés",
            "justification": "Essai.",
        },
        admin,
    )
    groupe = metiers.suivre_groupe(org, "Très concernés", "categorie", "C", admin)
    metiers.modifier_groupe(groupe, [systeme], "Accueil.", groupe.version, admin)
    action = metiers.enregistrer_action(
        groupe, {"nature": "formation", "titre": "Former l'accueil", "statut": "prevue"}, admin
    )
    binaire = b"Nom;Metier\n" + b"a;b\n" * 20_000 + bytes(range(256)) * 100
    refuse = travailleur.deposer_et_lire(org, admin, "binaire.csv", binaire)
    lecture = metiers.deposer(org, admin, "effectifs-2028.csv", contenu)
    return imp.pk, attente.pk, groupe.pk, action.pk, metier.pk, refuse.pk, lecture.pk


def _qualifier(systeme, admin) -> int:
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))
    conformite.qualifier(systeme, regles, cas.reponses, admin)
    return ObligationSuivie.objects.filter(systeme=systeme).order_by("pk").first().pk


def _evaluations(systeme, admin, referent) -> tuple:
    def national(code):
        return DefinitionInstrument.objects.get(organisation=None, code=code)

    def evaluer(code, moment, notes_admin, notes_referent, finaliser=False):
        e = instruments.demarrer_evaluation(systeme, national(code), moment, admin)
        instruments.inviter_evaluateur(e, admin, "direction", admin)
        instruments.inviter_evaluateur(e, referent, "agent", admin)
        instruments.coter(
            e, admin, {i: Saisie(v, commentaire="Vu en comité.") for i, v in notes_admin.items()}
        )
        instruments.coter(e, referent, {i: Saisie(v) for i, v in notes_referent.items()})
        if finaliser:
            instruments.finaliser(e, admin)
        return e.pk

    girouet = evaluer(
        "girouet", "amont", {"autonomie": 4, "savoir_faire": 3}, {"autonomie": 1, "savoir_faire": 1}
    )
    radar = evaluer("radar-decision", "amont", {"vie_privee": 2, "besoin_reel": 3}, {"vie_privee": 3}, True)
    matrice = evaluer("matrice-inet", "amont", {"peut": 1, "veut": 1}, {"peut": 1, "veut": 0})
    consultation = instruments.ouvrir_consultation(
        systeme, national("questionnaire-experimentation"), "bilan", admin
    )
    codes = instruments.creer_groupe_de_codes(consultation, "Service des eaux", 8, admin).codes
    instruments.creer_groupe_de_codes(consultation, "Accueil", 5, admin)
    for n in range(5):
        instruments.repondre_anonymement(
            consultation,
            {"gain_temps": Saisie(1 + n % 4), "usages": Saisie(choix=("Résumé",))},
            code=codes[n],
        )
    return national("girouet").pk, girouet, radar, matrice, consultation.pk, consultation.jeton


def _verifier(page: Page, adresse: str) -> None:
    reponse = page.goto(adresse)
    assert reponse is not None and reponse.ok, f"{adresse} : HTTP {reponse and reponse.status}"
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, f"{adresse}\n{resultats.generate_report()}"


PAGES_PUBLIQUES = {
    "accueil": "/",
    "connexion": "/comptes/connexion/",
    "mot de passe oublié": "/comptes/mot-de-passe-oublie/",
    "registre public": "/public/{d.slug}/",
    "fiche publique": "/public/{d.slug}/systemes/{d.uid}/",
    "schéma des données ouvertes": "/public/schema/",
    "charte publique": "/public/{d.slug}/charte/",
    "glossaire": "/glossaire/",
    "questionnaire par codes : saisie du code": "/questionnaire/{d.jeton}/",
    "questionnaire en lien ouvert": "/questionnaire/{d.jeton_lien}/",
    "adresse courte des codes de participation": "/participer/",
    "merci après une réponse": "/questionnaire/{d.jeton}/merci/",
    "déclaration d'accessibilité": "/accessibilite/",
    "mentions légales": "/mentions-legales/",
    "données personnelles et cookies": "/donnees-personnelles/",
    "plan du site": "/plan-du-site/",
    "demander l'adhésion": "/adhesion/",
    "demander l'adhésion, résultats de recherche": "/adhesion/?q=saint",
    "demander l'adhésion, aucun résultat": "/adhesion/?q=zzzz",
    "demande d'adhésion envoyée": "/adhesion/envoyee/",
    "demander l'adhésion hors de la liste": "/adhesion/hors-liste/",
}

PAGES_CONNECTEES = {
    "accueil connecté": "/",
    "liste du registre": "/o/{d.slug}/registre/",
    "fiche": "/o/{d.slug}/registre/{d.pk}/",
    "formulaire de modification": "/o/{d.slug}/registre/{d.pk}/modifier/",
    "formulaire de déclaration": "/o/{d.slug}/registre/nouveau/",
    "historique": "/o/{d.slug}/registre/{d.pk}/historique/",
    "portefeuille": "/o/{d.slug}/portefeuille/",
    "membres": "/o/{d.slug}/membres/",
    "paramètres de l'organisation": "/o/{d.slug}/parametres/",
    "journal de l'organisation": "/o/{d.slug}/journal/",
    "journal filtré": "/o/{d.slug}/journal/?categorie=registre",
    "journal, filtre inconnu": "/o/{d.slug}/journal/?categorie=inconnue",
    "restaurer un document": "/o/{d.slug}/registre/{d.pk}/documents/{d.document_archive}/restauration/",
    "jetons d'API des membres": "/o/{d.slug}/jetons/",
    "changer de mot de passe": "/comptes/mot-de-passe/",
    "mon compte": "/comptes/compte/",
    "instruments": "/o/{d.slug}/instruments/",
    "définition d'un instrument": "/o/{d.slug}/instruments/{d.girouet}/",
    "adapter un instrument (YAML)": "/o/{d.slug}/instruments/{d.girouet}/adapter/",
    "adapter un instrument (formulaire)": "/o/{d.slug}/instruments/{d.girouet}/adaptation/",
    "guide des instruments": "/o/{d.slug}/instruments/guide/",
    "évaluations d'un système": "/o/{d.slug}/registre/{d.pk}/evaluations/",
    "évaluation girouet en désaccord": "/o/{d.slug}/evaluations/{d.evaluation_girouet}/",
    "évaluation radar finalisée": "/o/{d.slug}/evaluations/{d.evaluation_radar}/",
    "évaluation matrice INET": "/o/{d.slug}/evaluations/{d.evaluation_matrice}/",
    "coter": "/o/{d.slug}/evaluations/{d.evaluation_girouet}/cotation/",
    "résultats d'un questionnaire par codes": "/o/{d.slug}/consultations/{d.consultation}/",
    "questionnaire en lien ouvert hérité": "/o/{d.slug}/consultations/{d.consultation_lien}/",
    "qualification réglementaire": "/o/{d.slug}/registre/{d.pk}/qualification/",
    "questionnaire de qualification": "/o/{d.slug}/registre/{d.pk}/qualification/questionnaire/",
    "obligations": "/o/{d.slug}/obligations/",
    "une obligation": "/o/{d.slug}/obligations/{d.obligation}/",
    "référentiel des métiers": "/o/{d.slug}/metiers/referentiel/",
    "impact sur les métiers": "/o/{d.slug}/metiers/",
    "importer un tableau des effectifs": "/o/{d.slug}/metiers/imports/nouveau/",
    "choisir les colonnes": "/o/{d.slug}/metiers/imports/{d.imp_attente}/colonnes/",
    "avancement d'une lecture": "/o/{d.slug}/metiers/imports/{d.imp_lecture}/avancement/",
    "lecture refusée": "/o/{d.slug}/metiers/imports/{d.imp_refuse}/avancement/",
    "revoir les libellés": "/o/{d.slug}/metiers/imports/{d.imp}/revue/",
    "résultats d'un import": "/o/{d.slug}/metiers/imports/{d.imp}/",
    "résultats par sexe, tous les métiers": "/o/{d.slug}/metiers/imports/{d.imp}/?par=sexe&metiers=tous",
    "lignes écartées": "/o/{d.slug}/metiers/imports/{d.imp}/rejets/",
    "effacer un import": "/o/{d.slug}/metiers/imports/{d.imp}/supprimer/",
    "groupe suivi": "/o/{d.slug}/metiers/groupes/{d.groupe}/",
    "action d'accompagnement": "/o/{d.slug}/metiers/actions/{d.action}/",
    "métier propre": "/o/{d.slug}/metiers/referentiel/metiers/{d.metier}/",
    "charte de l'IA": "/o/{d.slug}/charte/",
    "jeux de principes": "/o/{d.slug}/charte/principes/",
    "composer une charte": "/o/{d.slug}/charte/composer/",
    "charte adoptée et ses avis": "/o/{d.slug}/charte/versions/{d.charte}/",
    "charte soumise, à adopter": "/o/{d.slug}/charte/versions/{d.charte_soumise}/",
    "charte brouillon, à soumettre": "/o/{d.slug}/charte/versions/{d.charte_brouillon}/",
    "modifier une charte": "/o/{d.slug}/charte/versions/{d.charte_brouillon}/modifier/",
    "formation et acculturation": "/o/{d.slug}/formations/",
    "population à former": "/o/{d.slug}/formations/populations/{d.population}/",
    "nouvelle population": "/o/{d.slug}/formations/populations/nouvelle/",
    "catalogue des offres": "/o/{d.slug}/formations/offres/",
    "offre de l'organisation": "/o/{d.slug}/formations/offres/{d.offre_formation}/",
    "sessions de formation": "/o/{d.slug}/formations/sessions/",
    "nouvelle session": "/o/{d.slug}/formations/sessions/nouvelle/",
    "session de formation": "/o/{d.slug}/formations/sessions/{d.session_formation}/",
    "obligation de formation et ses preuves": "/o/{d.slug}/obligations/{d.obligation_formation}/",
    "rapports et exports": "/o/{d.slug}/rapports/",
    "règles d'usage": "/o/{d.slug}/regles-usage/",
    "règles d'usage publiées": "/o/{d.slug}/regles-usage/{d.regles_publiees}/",
    "règles d'usage en brouillon": "/o/{d.slug}/regles-usage/{d.regles_brouillon}/",
    "information des agents": "/o/{d.slug}/regles-usage/information/",
    "programme IA": "/o/{d.slug}/programme/",
    "étape du programme": "/o/{d.slug}/programme/etapes/experimentation/",
    "nouvelle action de la feuille de route": "/o/{d.slug}/programme/actions/nouvelle/",
    "action de la feuille de route": "/o/{d.slug}/programme/actions/{d.action_programme}/",
    "nouvelle sensibilisation": "/o/{d.slug}/programme/sensibilisation/nouvelle/",
    "nouvelle note de veille": "/o/{d.slug}/programme/veille/nouvelle/",
    "correction d'une sensibilisation": "/o/{d.slug}/programme/sensibilisation/{d.sensibilisation}/",
    "correction d'une note de veille": "/o/{d.slug}/programme/veille/{d.note_veille}/",
    "revue des indicateurs en séance": "/o/{d.slug}/indicateurs/revue/{d.point_revue}/",
    "indicateurs": "/o/{d.slug}/indicateurs/",
    "créer un indicateur": "/o/{d.slug}/indicateurs/nouveau/",
    "fiche d'un indicateur": "/o/{d.slug}/indicateurs/{d.indicateur}/",
    "modifier un indicateur": "/o/{d.slug}/indicateurs/{d.indicateur}/modifier/",
    "corriger une mesure d'indicateur": "/o/{d.slug}/indicateurs/{d.indicateur}/mesures/{d.mesure_indicateur}/modifier/",
    "importer un registre existant": "/o/{d.slug}/registre/importer/",
    "importer un fichier portable": "/o/{d.slug}/registre/importer-portable/",
    "colonnes d'un registre importé": "/o/{d.slug}/registre/importations/{d.reprise_apercu}/colonnes/",
    "valeurs et aperçu d'un registre importé": "/o/{d.slug}/registre/importations/{d.reprise_apercu}/apercu/",
    "lecture d'un registre importé": "/o/{d.slug}/registre/importations/{d.reprise_lecture}/avancement/",
    "bilan d'un registre importé": "/o/{d.slug}/registre/importations/{d.reprise_terminee}/",
    "supprimer un import du registre": "/o/{d.slug}/registre/importations/{d.reprise_apercu}/suppression/",
}


@pytest.mark.parametrize("adresse", PAGES_PUBLIQUES.values(), ids=PAGES_PUBLIQUES.keys())
def test_page_publique_accessible(page, donnees, adresse):
    _verifier(page, adresse.format(d=donnees))


@pytest.mark.parametrize("adresse", PAGES_CONNECTEES.values(), ids=PAGES_CONNECTEES.keys())
def test_page_connectee_accessible(page, donnees, admin_a, adresse):
    connecter(page, admin_a.email)
    _verifier(page, adresse.format(d=donnees))


# Le thème de l'État (BALISE_THEME=etat, docs/identite-visuelle.md) : quelques pages suffisent, les
# composants et leur structure étant les mêmes que ceux du thème neutre, vérifié sur toutes.
PAGES_THEME_ETAT = (
    "registre public",
    "fiche",
    "portefeuille",
    "revoir les libellés",
    "évaluation girouet en désaccord",
)


def test_theme_de_l_etat_accessible(page, donnees, admin_a, settings):
    from django.core.cache import caches

    # Le thème est un réglage de l'instance, lu au démarrage : les pages gardées en mémoire par ce
    # processus (balise/cache_pages.py) l'ont été sous l'autre thème. Un redémarrage les oublie ; ici, on
    # les oublie avant et après, pour ne pas servir une page d'un thème sous l'autre.
    caches["default"].clear()
    settings.THEME = "etat"
    try:
        connecter(page, admin_a.email)
        for nom in PAGES_THEME_ETAT:
            adresse = {**PAGES_PUBLIQUES, **PAGES_CONNECTEES}[nom].format(d=donnees)
            _verifier(page, adresse)
            assert page.locator(".fr-header .fr-logo").count() == 1, adresse
    finally:
        caches["default"].clear()


def test_pages_de_l_instance_et_demarrage_guide_accessibles(page, db):
    """Les demandes d'adhésion (administrateur de l'instance) et le démarrage guidé d'une organisation vide."""
    from balise.organisations import services_adhesion

    demande = services_adhesion.demander(
        code="03080", prenom="Claire", nom="Martin", email="dgs@cognat.fr", fonction="DGS"
    )
    services_adhesion.demander(code="69123", prenom="Léa", nom="Roux", email="dgs@lyon.fr", fonction="DGS")
    instance = fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)
    organisation = services_adhesion.approuver(demande.pk, instance)
    refusee = services_adhesion.demander(
        code="42218", prenom="Paul", nom="Blanc", email="dgs@se.fr", fonction="DGS"
    )
    services_adhesion.refuser(refusee.pk, "Hors du périmètre de l'instance.", instance)
    hors_liste = services_adhesion.demander_hors_liste(
        nom_organisation="Centre de gestion de l'Allier",
        type="cdg",
        siren="123456782",
        prenom="Paul",
        nom="Durand",
        email="paul.durand@cdg03.fr",
        fonction="Directeur",
    )
    connecter(page, instance.email)
    for adresse in (
        "/",
        "/adhesion/demandes/",
        f"/adhesion/demandes/{demande.pk}/",
        f"/adhesion/demandes/{refusee.pk}/",
        f"/adhesion/demandes/{hors_liste.pk}/",
    ):
        _verifier(page, adresse)
    admin = organisation.adhesions.get().utilisateur
    admin.set_password(MOT_DE_PASSE)
    admin.save()
    page.context.clear_cookies()
    connecter(page, admin.email)
    _verifier(page, f"/o/{organisation.slug}/a-traiter/")
    assert page.get_by_role("heading", name="Pour bien commencer").is_visible()


def test_formulaire_en_erreur_accessible(page, donnees, admin_a):
    """Les messages d'erreur des champs et l'alerte de synthèse restent accessibles."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/registre/nouveau/")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_production_de_rapport_en_erreur_accessible(page, donnees, admin_a):
    """Une année à venir refusée : l'alerte du formulaire de production reste accessible."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/rapports/")
    page.get_by_label("Année").fill("3000")
    page.get_by_role("button", name="Produire").click()
    page.get_by_text("année à venir").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_alerte_de_conflit_accessible(page, donnees, admin_a, referent_a):
    """L'alerte « Modification concurrente » et son tableau des changements restent accessibles."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/registre/{donnees.pk}/modifier/")
    version = int(page.locator("input[name=version]").input_value())
    services.modifier_systeme(donnees.pk, {"responsable": "Léa Martin, DGS"}, version, referent_a)
    page.get_by_role("button", name="Enregistrer").click()
    page.locator("#conflit").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_modification_d_indicateur_en_erreur_puis_en_conflit_accessible(
    page, donnees, org_a, admin_a, referent_a
):
    """L'alerte d'une saisie refusée, puis celle d'une modification faite entre-temps, sur la page de
    modification d'un indicateur, restent accessibles."""
    from balise.indicateurs import services as indicateurs

    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/indicateurs/{donnees.indicateur}/modifier/")
    page.get_by_label("Cible", exact=True).fill("douze")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Saisissez un nombre").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    version = int(page.locator("input[name=version]").input_value())
    indicateurs.modifier_indicateur(
        org_a, donnees.indicateur, fabrique.donnees_indicateur(admin_a, cible="9"), referent_a, version
    )
    page.get_by_label("Cible", exact=True).fill("11")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.locator("#conflit").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_cotation_et_adaptation_en_erreur_accessibles(page, donnees, admin_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/instruments/{donnees.girouet}/adapter/")
    page.get_by_label("Définition (YAML)").fill("id: girouet\ntitre: [")
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    page.get_by_text("La définition n'est pas valide").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_apercu_d_une_adaptation_en_erreur_accessible(page, donnees, admin_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/instruments/{donnees.girouet}/adaptation/")
    page.locator("fieldset", has_text="Item « Autonomie »").get_by_label("Poids").fill("500")
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.get_by_text("valeur trop grande").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    page.locator("fieldset", has_text="Item « Autonomie »").get_by_label("Poids").fill("2")
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.locator("#apercu").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_questionnaire_clos_accessible(page, donnees, admin_a):
    from balise.instruments.models import Consultation

    instruments.fermer_consultation(Consultation.objects.get(pk=donnees.consultation), admin_a)
    reponse = page.goto(f"/questionnaire/{donnees.jeton}/")
    assert reponse.status == 410
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_feuille_de_codes_accessible(page, donnees, admin_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/consultations/{donnees.consultation}/")
    page.get_by_label("Groupe d'agents").fill("Direction de l'eau")
    page.get_by_label("Nombre de codes").fill("5")
    page.get_by_role("button", name="Générer et imprimer les codes").click()
    page.get_by_role("heading", name="Codes de participation : Direction de l'eau").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_saisie_du_code_et_reponses_accessibles(page, donnees):
    """Code refusé (message d'erreur), puis code accepté : la page des réponses avec le code rappelé."""
    page.goto(f"/questionnaire/{donnees.jeton}/")
    page.get_by_label("Votre code de participation").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Commencer").click()
    page.get_by_text("Ce code n'est pas valable").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    page.get_by_label("Votre code de participation").fill(donnees.code_libre)
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Envoyer mes réponses").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_limite_d_envoi_accessible(page, donnees, settings):
    settings.LIMITES = {**settings.LIMITES, "codes_par_adresse": (1, 3600), "codes_par_temoin": (1, 3600)}
    page.goto("/participer/")
    for _ in range(2):
        page.get_by_label("Votre code de participation").fill("ZZZZ-ZZZZ-ZZZZ")
        page.get_by_role("button", name="Commencer").click()
        page.wait_for_load_state()
    page.get_by_role("heading", name="Trop d'envois depuis cette connexion").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_colonnes_en_erreur_accessibles(page, donnees, admin_a):
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/metiers/imports/{donnees.imp_attente}/colonnes/")
    page.get_by_label("Métier (intitulé du poste)").select_option("")
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Ce champ est obligatoire").first.wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


def test_revue_des_libelles_en_erreur_accessible(page, donnees, admin_a):
    """La revue (liste de recherche des métiers, cases « écarter », seuil de confiance) avec l'erreur
    d'un métier inconnu tapé dans le champ."""
    connecter(page, admin_a.email)
    page.goto(f"/o/{donnees.slug}/metiers/imports/{donnees.imp}/revue/")
    page.get_by_label("Métier pour", exact=False).first.fill("Métier inventé")
    page.get_by_role("button", name="Enregistrer les choix").click()
    page.get_by_text("n'est pas un métier du référentiel").first.wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


# --- Gouvernance (issue 13) ------------------------------------------------------------------------


@dataclass
class Gouvernance:
    slug: str
    instance: int
    seance: int
    point: int  # votes, avis favorable avec réserves, décision
    point_ouvert: int  # un vote enregistré, l'avis pas encore rendu
    condition: int
    decision: int
    systeme: int  # à la porte de production : liste de contrôle, chronologie
    interdit: int  # pratique interdite : alerte rouge
    externe: str  # adresse du membre externe
    jeton_invitation: str  # invitation à siéger en attente
    membre: int  # le siège du membre externe (la présidence est à une autre personne)


@pytest.fixture
def gouvernance(org_a, admin_a, referent_a, lecteur_a) -> Gouvernance:
    """Un comité d'éthique créé depuis son modèle, un membre externe, une séance convoquée (dossiers
    figés) avec un point voté et avisé avec réserve, une décision, un système bloqué (pratique interdite)."""
    from datetime import timedelta

    from django.utils import timezone

    from balise.conformite.regles import en_vigueur as regles_en_vigueur
    from balise.gouvernance import (
        politique,
        services_avis,
        services_instances,
        services_politique,
        services_seances,
    )
    from balise.gouvernance.services_avis import NouvelleCondition
    from balise.organisations.models import Adhesion
    from balise.registre.models import SystemeIA

    regles = regles_en_vigueur()
    cas = {c.nom: c for c in regles.cas}
    valeurs = services_instances.valeurs_du_modele("comite_ethique_colleges")
    colleges = valeurs.pop("colleges")
    instance = services_instances.creer_instance(
        org_a,
        {**valeurs, "regle_vote": "majorite_simple"},
        admin_a,
        modele="comite_ethique_colleges",
        colleges=colleges,
    )
    civile = instance.colleges.get(nom="Collège de la société civile")
    services_instances.nommer_membre(instance, lecteur_a.pk, admin_a, fonction="president")
    externe = fabrique.membre(org_a, "externe", "claire.citoyenne@exemple.fr")
    siege_externe = services_instances.nommer_membre(
        instance, externe.pk, admin_a, college_id=civile.pk, qualite="Citoyenne"
    )
    invitation = services_instances.inviter_externe(
        instance, "expert@exemple.fr", admin_a, lambda i: f"http://testserver/invitation/{i.jeton}/"
    ).invitation

    systeme = fabrique.systeme(org_a, referent_a, nom="Tri du courrier entrant")
    SystemeIA.objects.filter(pk=systeme.pk).update(stade="decision")
    systeme.refresh_from_db()
    conformite.qualifier(
        systeme, regles, cas["Détection des fuites sur les canalisations d'eau potable"].reponses, referent_a
    )
    autre = fabrique.systeme(org_a, referent_a, nom="Aide à l'instruction des aides sociales")
    SystemeIA.objects.filter(pk=autre.pk).update(stade="experimentation")
    interdit = fabrique.systeme(org_a, referent_a, nom="Relances des impayés")
    conformite.qualifier(
        interdit,
        regles,
        cas["Relances d'impayés conçues pour exploiter la détresse financière des familles"].reponses,
        referent_a,
    )

    seance = services_seances.programmer(
        instance, timezone.now().replace(microsecond=0) + timedelta(days=10), 120, "Salle du conseil", admin_a
    )
    point = services_seances.ajouter_point(
        seance.pk, "porte", admin_a, systeme=systeme.pk, stade_vise="production"
    )
    ouvert = services_seances.ajouter_point(
        seance.pk, "porte", admin_a, systeme=autre.pk, stade_vise="decision"
    )
    seance.refresh_from_db()
    services_seances.convoquer(seance.pk, seance.version, admin_a, "http://testserver/")
    travailleur.executer_travaux()

    adhesion_externe = Adhesion.objects.get(organisation=org_a, utilisateur=externe)
    adhesion_president = Adhesion.objects.get(organisation=org_a, utilisateur=lecteur_a)
    for p in (point, ouvert):
        services_avis.voter(p, adhesion_externe, "pour", "Sous réserve de former les agents.", None, externe)
    services_avis.voter(point, adhesion_president, "abstention", "", None, lecteur_a)
    avis = services_avis.rendre_avis(
        point,
        {
            "sens": "favorable_reserves",
            "motifs": "Allège l'accueil.",
            "opinions_divergentes": "Une abstention.",
        },
        [
            NouvelleCondition(
                "Former les agents du courrier", referent_a, timezone.localdate() + timedelta(days=14)
            ),
            NouvelleCondition("Publier la notice", None, timezone.localdate() - timedelta(days=3)),
        ],
        lecteur_a,
    )
    decision = services_avis.prendre_decision(
        systeme,
        {
            "sens": "mettre_en_production",
            "motifs": "Après l'avis du comité d'éthique.",
            "decidee_le": timezone.localdate(),
            "deliberation_numero": "2026-118",
        },
        [NouvelleCondition("Bilan à six mois", referent_a, timezone.localdate() + timedelta(days=180))],
        admin_a,
    )
    # Une politique des portes adaptée (sans radar amont) : la page montre son historique et le retour
    # à la nationale.
    contenu = politique.en_donnees(politique.en_vigueur())
    experimentation = contenu["portes"]["experimentation"]
    experimentation["criteres"] = [c for c in experimentation["criteres"] if c["id"] != "radar_amont"]
    services_politique.adapter_politique(org_a, contenu, "Délibération n° 2026-045.", admin_a, 0)
    return Gouvernance(
        org_a.slug,
        instance.pk,
        seance.pk,
        point.pk,
        ouvert.pk,
        avis.conditions.order_by("pk").first().pk,
        decision.pk,
        systeme.pk,
        interdit.pk,
        externe.email,
        invitation.invitation.jeton,
        siege_externe.pk,
    )


PAGES_GOUVERNANCE = {
    "instances": "/o/{g.slug}/instances/",
    "créer une instance": "/o/{g.slug}/instances/nouvelle/",
    "créer une instance depuis un modèle": "/o/{g.slug}/instances/nouvelle/?modele=comite_ethique_colleges",
    "fiche d'instance": "/o/{g.slug}/instances/{g.instance}/",
    "composition d'une instance": "/o/{g.slug}/instances/{g.instance}/composition/",
    "modifier un membre d'instance": "/o/{g.slug}/instances/{g.instance}/membres/{g.membre}/",
    "historique d'une instance": "/o/{g.slug}/instances/{g.instance}/historique/",
    "modifier une instance": "/o/{g.slug}/instances/{g.instance}/modifier/",
    "séances d'une instance": "/o/{g.slug}/instances/{g.instance}/seances/",
    "programmer une séance": "/o/{g.slug}/instances/{g.instance}/seances/nouvelle/",
    "séance": "/o/{g.slug}/seances/{g.seance}/",
    "inscrire un point": "/o/{g.slug}/seances/{g.seance}/points/nouveau/",
    "point avisé et décidé": "/o/{g.slug}/points/{g.point}/",
    "point en cours de vote": "/o/{g.slug}/points/{g.point_ouvert}/",
    "consigner l'avis": "/o/{g.slug}/points/{g.point_ouvert}/avis/",
    "corriger l'avis": "/o/{g.slug}/points/{g.point}/avis/",
    "enregistrer une décision": "/o/{g.slug}/registre/{g.systeme}/decisions/nouvelle/",
    "décision": "/o/{g.slug}/decisions/{g.decision}/",
    "conditions": "/o/{g.slug}/conditions/",
    "conditions en retard": "/o/{g.slug}/conditions/?filtre=en_retard",
    "condition": "/o/{g.slug}/conditions/{g.condition}/",
    "à traiter": "/o/{g.slug}/a-traiter/",
    "pilotage": "/o/{g.slug}/pilotage/",
    "fiche à la porte de production": "/o/{g.slug}/registre/{g.systeme}/",
    "fiche d'une pratique interdite": "/o/{g.slug}/registre/{g.interdit}/",
    "registre avec une pratique interdite": "/o/{g.slug}/registre/",
    "portefeuille avec une pratique interdite": "/o/{g.slug}/portefeuille/",
    "politique des portes adaptée": "/o/{g.slug}/politique-portes/",
    "adapter la politique des portes": "/o/{g.slug}/politique-portes/adapter/",
}

PAGES_EXTERNE = {
    "à traiter (membre externe)": "/o/{g.slug}/a-traiter/",
    "instances (membre externe)": "/o/{g.slug}/instances/",
    "fiche d'instance (membre externe)": "/o/{g.slug}/instances/{g.instance}/",
    "séance (membre externe)": "/o/{g.slug}/seances/{g.seance}/",
    "point à voter (membre externe)": "/o/{g.slug}/points/{g.point_ouvert}/",
    "point avisé (membre externe)": "/o/{g.slug}/points/{g.point}/",
}


def _violations(page: Page, pages: dict[str, str], g: Gouvernance) -> list[str]:
    """Toutes les pages d'une liste en une fois (une seule mise en place, coûteuse) : chaque page
    en erreur ou en violation est rapportée, pas seulement la première."""
    rapports = []
    for nom, modele in pages.items():
        adresse = modele.format(g=g)
        reponse = page.goto(adresse)
        if reponse is None or not reponse.ok:
            rapports.append(f"{nom} ({adresse}) : HTTP {reponse and reponse.status}")
            continue
        resultats = _axe.run(page)
        if resultats.violations_count:
            rapports.append(f"{nom} ({adresse})\n{resultats.generate_report()}")
    return rapports


def test_pages_de_la_gouvernance_accessibles(nouveau_contexte, gouvernance, admin_a):
    page = nouveau_contexte().new_page()
    connecter(page, admin_a.email)
    rapports = _violations(page, PAGES_GOUVERNANCE, gouvernance)
    assert not rapports, "\n\n".join(rapports)


def test_pages_du_membre_externe_accessibles(nouveau_contexte, gouvernance):
    page = nouveau_contexte().new_page()
    connecter(page, gouvernance.externe)
    rapports = _violations(page, PAGES_EXTERNE, gouvernance)
    # L'invitation à siéger, ouverte par une personne qui n'a pas encore de compte.
    invitee = nouveau_contexte().new_page()
    rapports += _violations(
        invitee, {"invitation à siéger": "/invitation/{g.jeton_invitation}/"}, gouvernance
    )
    assert not rapports, "\n\n".join(rapports)


def test_formulaires_de_la_gouvernance_en_erreur_accessibles(nouveau_contexte, gouvernance, admin_a):
    """Avis « favorable avec réserves » sans réserve, réserve sans échéance, instance sans nom : les
    messages d'erreur des champs et des lignes de réserves restent accessibles."""
    page = nouveau_contexte().new_page()
    connecter(page, admin_a.email)
    page.goto(f"/o/{gouvernance.slug}/points/{gouvernance.point_ouvert}/avis/")
    page.get_by_label("Favorable avec réserves").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Ce champ est obligatoire").first.wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    page.get_by_label("Motifs").fill("Allège l'accueil.")
    page.locator("#id_conditions-0-intitule").fill("Former les agents")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Fixez l'échéance de cette condition.").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()

    # Politique des portes : l'aperçu des différences, puis un critère ajouté sans libellé ni référence.
    page.goto(f"/o/{gouvernance.slug}/politique-portes/adapter/")
    page.locator('label[for="id_production.conditions_levees.bloquant"]').click()
    page.get_by_role("button", name="Voir les différences").click()
    page.get_by_text("Aperçu : rien n'est encore enregistré").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()
    page.locator("#id_decision\\.nouveau\\.type").select_option("conditions_levees")
    page.get_by_role("button", name="Enregistrer la nouvelle version").click()
    page.get_by_text("Donnez un libellé au critère ajouté.").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()

    # Une seconde présidence : refusée, le message au champ de la fonction.
    page.goto(f"/o/{gouvernance.slug}/instances/{gouvernance.instance}/membres/{gouvernance.membre}/")
    page.get_by_label("Fonction").select_option("president")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("L'instance a déjà une présidence").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()

    page.goto(f"/o/{gouvernance.slug}/instances/nouvelle/?modele=cst")
    page.get_by_role("textbox", name="Nom", exact=True).fill("")
    page.get_by_role("button", name="Créer l'instance").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


# --- Règles d'usage (balise/regles_usage) --------------------------------------------------------


def test_pages_des_regles_d_usage_accessibles(page, org_a, admin_a, lecteur_a):
    """Règles publiées, version publiée, brouillon en composition, information des agents (avec un
    service informé), conflit de composition : sans violation."""
    from django.utils import timezone

    from balise.regles_usage import services as regles

    v = regles.creer_brouillon(org_a, admin_a)
    regles.publier(org_a, v.pk, admin_a, 1)
    regles.enregistrer_information(
        org_a,
        {
            "service": "Accueil",
            "effectif_informe": 3,
            "effectif_service": 4,
            "date": timezone.localdate(),
            "moyen": "reunion",
        },
        admin_a,
    )
    brouillon = regles.creer_brouillon(org_a, admin_a)
    connecter(page, admin_a.email)
    for adresse in (
        f"/o/{org_a.slug}/regles-usage/",
        f"/o/{org_a.slug}/regles-usage/{v.pk}/",
        f"/o/{org_a.slug}/regles-usage/{brouillon.pk}/",
        f"/o/{org_a.slug}/regles-usage/information/",
    ):
        _verifier(page, adresse)
    regles.modifier_brouillon(org_a, brouillon.pk, {"titre": "Changé entre-temps"}, admin_a, 1)
    page.get_by_role("link", name="Règles d'usage").first.click()
    page.goto(f"/o/{org_a.slug}/regles-usage/{brouillon.pk}/")
    regles.modifier_brouillon(org_a, brouillon.pk, {"titre": "Changé encore"}, admin_a, 2)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator("#conflit").wait_for()
    resultats = _axe.run(page)
    assert resultats.violations_count == 0, resultats.generate_report()


# --- Programme (issue 14, point 5) -----------------------------------------------------------------


@pytest.fixture
def programme_rempli(org_a, admin_a, referent_a):
    """Une étape renseignée, des actions (dont une en retard, de la responsabilité de l'administrateur),
    un café IA avec sa mesure d'appropriation, une note de veille étiquetée."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from balise.programme import services as programme

    programme.changer_etape(org_a, "diagnostic", "faite", "Questionnaire aux agents mené.", 0, admin_a)
    programme.changer_etape(org_a, "experimentation", "en_cours", "", 0, admin_a)
    retard = programme.creer_action(
        org_a,
        {
            "intitule": "Former les encadrants",
            "etape": "acculturation",
            "priorite": "haute",
            "budget": "8000",
            "echeance": timezone.localdate() - timedelta(days=3),
            "responsable": admin_a,
            "parties_prenantes": "DRH, CNFPT",
        },
        referent_a,
    )
    programme.modifier_action(org_a, retard.pk, {"etat": "en_cours"}, 1, referent_a)
    programme.creer_action(org_a, {"intitule": "Bilan du pilote", "etape": "experimentation"}, referent_a)
    programme.creer_sensibilisation(
        org_a,
        {
            "format": "cafe_ia",
            "intitule": "Café IA",
            "date": timezone.localdate(),
            "mesure": "note",
            "avant": "4",
            "apres": "7",
        },
        {"agents": 20, "elus": 2},
        referent_a,
    )
    programme.creer_note(
        org_a,
        {
            "date": timezone.localdate(),
            "titre": "CNIL : recommandations",
            "resume": "Fiches pratiques.",
            "source": "https://www.cnil.fr/fr/intelligence-artificielle",
            "etiquettes": "CNIL, RGPD",
        },
        referent_a,
    )
    return SimpleNamespace(slug=org_a.slug, action=retard.pk)


PAGES_PROGRAMME = {
    "programme": "/o/{g.slug}/programme/",
    "programme filtré (en retard)": "/o/{g.slug}/programme/?etape=acculturation&etat=en_cours&en_retard=1#actions",
    "programme filtré (veille)": "/o/{g.slug}/programme/?etiquette=cnil#veille",
    "étape du programme": "/o/{g.slug}/programme/etapes/diagnostic/",
    "étape jamais renseignée": "/o/{g.slug}/programme/etapes/deploiement/",
    "action de la feuille de route": "/o/{g.slug}/programme/actions/{g.action}/",
    "nouvelle action": "/o/{g.slug}/programme/actions/nouvelle/",
    "nouvelle sensibilisation": "/o/{g.slug}/programme/sensibilisation/nouvelle/",
    "nouvelle note de veille": "/o/{g.slug}/programme/veille/nouvelle/",
    "à traiter avec une action en retard": "/o/{g.slug}/a-traiter/",
}


def test_pages_du_programme_accessibles(nouveau_contexte, programme_rempli, admin_a, lecteur_a):
    page = nouveau_contexte().new_page()
    connecter(page, admin_a.email)
    rapports = _violations(page, PAGES_PROGRAMME, programme_rempli)
    # Le formulaire en erreur (source javascript:, intitulé manquant).
    page.goto(f"/o/{programme_rempli.slug}/programme/veille/nouvelle/")
    page.get_by_label("Titre").fill("Note")
    page.get_by_label("Résumé").fill("Résumé.")
    page.get_by_label("Source (adresse web)").fill("javascript:alert(1)")
    page.get_by_role("button", name="Enregistrer la note").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    resultats = _axe.run(page)
    if resultats.violations_count:
        rapports.append(f"note de veille en erreur\n{resultats.generate_report()}")
    # Le lecteur : les mêmes pages sans formulaires.
    lecteur = nouveau_contexte().new_page()
    connecter(lecteur, lecteur_a.email)
    rapports += _violations(
        lecteur,
        {
            k: v
            for k, v in PAGES_PROGRAMME.items()
            if k in ("programme", "étape du programme", "action de la feuille de route")
        },
        programme_rempli,
    )
    assert not rapports, "\n\n".join(rapports)
