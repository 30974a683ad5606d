"""Le journal de l'organisation : tout ce qui retire ou restaure y est noté avec son auteur et sa date,
pour la seule organisation concernée ; on n'y fait qu'ajouter ; la démonstration n'a rien d'anonyme."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balise.metiers.models import ImportEffectifs
from balise.organisations import journal, selectors
from balise.organisations import services as organisations
from balise.organisations.models import Adhesion, EvenementJournal, Invitation, Organisation
from balise.registre import services
from tests import fabrique, instantane
from tests.test_effectifs import DESORDONNE, importer

Nature = EvenementJournal.Nature


def _journal(client, org, **parametres) -> str:
    reponse = client.get(f"/o/{org.slug}/journal/", parametres)
    assert reponse.status_code == 200
    return reponse.content.decode()


def _dernier(org) -> EvenementJournal:
    return EvenementJournal.objects.filter(organisation=org).select_related("par").latest("le", "pk")


def _recent(evenement: EvenementJournal) -> bool:
    return timezone.now() - timedelta(minutes=1) < evenement.le <= timezone.now()


# --- Chaque opération qui retire ou restaure est notée, avec son auteur et sa date ----------------


def test_annuler_une_invitation_est_note(client, org_a, admin_a, admin_b):
    invitation = Invitation.objects.create(
        organisation=org_a, email="invitee@exemple.fr", role="dpo", invitee_par=admin_a
    )
    client.force_login(admin_a)
    assert client.post(f"/o/{org_a.slug}/invitations/{invitation.pk}/annulation/").status_code == 302
    evenement = _dernier(org_a)
    assert (evenement.nature, evenement.objet, evenement.par) == (
        Nature.INVITATION_ANNULEE,
        "invitee@exemple.fr",
        admin_a,
    )
    assert _recent(evenement)
    page = _journal(client, org_a)
    for attendu in (
        "Invitation annulée",
        "invitee@exemple.fr",
        admin_a.nom_affiche,
        "Délégué à la protection",
    ):
        assert attendu in page
    assert evenement.le.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M") in page
    # Rien chez B : ni dans son journal, ni dans ses événements.
    client.force_login(admin_b)
    assert "invitee@exemple.fr" not in _journal(client, admin_b.adhesions.get().organisation)


def test_annulation_refusee_ne_change_rien(client, org_a, admin_a):
    acceptee = Invitation.objects.create(
        organisation=org_a,
        email="deja@exemple.fr",
        role="lecteur",
        invitee_par=admin_a,
        acceptee_le=timezone.now(),
    )
    annulee = Invitation.objects.create(
        organisation=org_a, email="annulee@exemple.fr", role="lecteur", invitee_par=admin_a
    )
    organisations.annuler_invitation(annulee, admin_a)
    client.force_login(admin_a)
    for invitation, message in ((acceptee, "déjà été acceptée"), (annulee, "déjà annulée")):
        avant = instantane.photo()
        reponse = client.post(
            f"/o/{org_a.slug}/invitations/{invitation.pk}/annulation/", follow=True
        ).content.decode()
        assert message in reponse
        assert instantane.photo() == avant


def test_effacer_un_import_est_note_sans_rien_des_agents(client, org_a, admin_a):
    drh = fabrique.membre(org_a, "rh", "drh-a@exemple.fr")
    imp = importer(org_a, drh, DESORDONNE.read_bytes(), nom="effectifs-2026.csv")
    client.force_login(admin_a)
    assert client.post(f"/o/{org_a.slug}/metiers/imports/{imp.pk}/supprimer/").status_code == 302
    assert not ImportEffectifs.objects.exists()
    evenement = _dernier(org_a)
    assert (evenement.nature, evenement.objet, evenement.par) == (
        Nature.IMPORT_EFFACE,
        "effectifs-2026.csv",
        admin_a,
    )
    assert evenement.details["importe_par"] == drh.nom_affiche
    assert evenement.details["lignes_lues"] == imp.lignes_lues > 0
    assert set(evenement.details) == {
        "importe_le",
        "importe_par",
        "lignes_lues",
        "lignes_retenues",
        "lignes_rejetees",
    }
    page = _journal(client, org_a)
    assert "Import des effectifs effacé" in page and f"Lignes lues : {imp.lignes_lues}" in page
    # Aucune donnée d'agent (noms, postes) dans le journal.
    for donnee_d_agent in ("Tartempion", "BIDULE", "Assitant de gestion RH", "Police municipale"):
        assert donnee_d_agent not in page and donnee_d_agent not in str(evenement.details)


def test_effacer_un_fichier_en_cours_de_lecture(org_a, admin_a):
    from balise.metiers import services as metiers

    # Déposé, pas encore lu par le processus de fond : le journal dit où il en était.
    imp = metiers.deposer(org_a, admin_a, "attente.csv", DESORDONNE.read_bytes())
    metiers.supprimer_import(imp, admin_a)
    assert _dernier(org_a).details["etat"] == "Lecture du fichier"


def test_archiver_et_restaurer_un_document_depuis_la_fiche(client, org_a, admin_a, referent_a, systeme_a):
    document = instantane.document(systeme_a, admin_a, titre="Analyse d'impact")
    fiche = f"/o/{org_a.slug}/registre/{systeme_a.pk}/"
    client.force_login(referent_a)
    assert "Documents archivés" not in client.get(fiche).content.decode()
    client.post(f"{fiche}documents/{document.pk}/archivage/")
    # La fiche (gardée en cache) montre aussitôt le document parmi les archivés, restaurable.
    page = client.get(fiche).content.decode()
    restauration = f"{fiche}documents/{document.pk}/restauration/"
    assert "Documents archivés" in page and restauration in page
    assert client.get(f"{fiche}documents/{document.pk}/").status_code == 404

    confirmation = client.get(restauration).content.decode()
    assert "Restaurer le document « Analyse d&#x27;impact »" in confirmation
    document.refresh_from_db()
    assert document.archive_le is not None  # la page de confirmation ne change rien

    reponse = client.post(restauration, follow=True).content.decode()
    assert "Document « Analyse d&#x27;impact » restauré." in reponse
    assert "Documents archivés" not in reponse
    assert client.get(f"{fiche}documents/{document.pk}/").status_code == 200
    archive, restaure = EvenementJournal.objects.filter(organisation=org_a).order_by("le", "pk")
    assert (archive.nature, restaure.nature) == (Nature.DOCUMENT_ARCHIVE, Nature.DOCUMENT_RESTAURE)
    assert archive.par == restaure.par == referent_a and archive.details["fiche"] == systeme_a.nom
    assert [h.history_user for h in document.history.order_by("history_id")][-2:] == [referent_a] * 2

    client.force_login(admin_a)
    page = _journal(client, org_a, categorie="registre")
    assert page.count("Analyse d&#x27;impact") == 2 and "Document archivé" in page
    assert "Document restauré" in page and referent_a.nom_affiche in page


def test_restauration_refusee_ne_change_rien(client, org_a, admin_a, systeme_a):
    actif = instantane.document(systeme_a, admin_a, titre="Actif")
    archive = services.archiver_document(instantane.document(systeme_a, admin_a, titre="Archivé"), admin_a)
    services.archiver(systeme_a.pk, admin_a, systeme_a.version)
    client.force_login(admin_a)
    base = f"/o/{org_a.slug}/registre/{systeme_a.pk}/documents"
    for document, message in ((actif, "n&#x27;est pas archivé"), (archive, "restaurez-la avant")):
        for methode in (client.get, client.post):
            avant = instantane.photo()
            reponse = methode(f"{base}/{document.pk}/restauration/", follow=True)
            assert message in reponse.content.decode()
            assert instantane.photo() == avant
    # Un document d'une autre fiche sous l'adresse de celle-ci : introuvable.
    autre = instantane.document(fabrique.systeme(org_a, admin_a, nom="Autre"), admin_a)
    services.archiver_document(autre, admin_a)
    assert client.post(f"{base}/{autre.pk}/restauration/").status_code == 404


def test_archiver_et_restaurer_une_fiche_sont_notes(client, org_a, admin_a, systeme_a):
    client.force_login(admin_a)
    url = f"/o/{org_a.slug}/registre/{systeme_a.pk}/archivage/"
    client.post(url, {"version": systeme_a.version})
    systeme_a.refresh_from_db()
    client.post(url, {"restaurer": "1", "version": systeme_a.version})
    systeme_a.refresh_from_db()
    client.post(url, {"restaurer": "1", "version": systeme_a.version})  # déjà restaurée : rien à noter
    natures = list(EvenementJournal.objects.order_by("le", "pk").values_list("nature", "objet", "par"))
    assert natures == [
        (Nature.FICHE_ARCHIVEE, systeme_a.nom, admin_a.pk),
        (Nature.FICHE_RESTAUREE, systeme_a.nom, admin_a.pk),
    ]


# --- Cloisonnement et droits de la page du journal ------------------------------------------------


def test_le_journal_est_propre_a_chaque_organisation(client, org_a, org_b, admin_a, admin_b, referent_a):
    secrete, de_b = (
        fabrique.systeme(org_a, admin_a, nom="Fiche secrète de A"),
        fabrique.systeme(org_b, admin_b, nom="Fiche de B"),
    )
    services.archiver(secrete.pk, admin_a, secrete.version)
    services.archiver(de_b.pk, admin_b, de_b.version)
    client.force_login(admin_b)
    page_b = _journal(client, org_b)
    assert "Fiche de B" in page_b and "Fiche secrète de A" not in page_b
    assert client.get(f"/o/{org_a.slug}/journal/").status_code == 404
    client.force_login(referent_a)
    assert client.get(f"/o/{org_a.slug}/journal/").status_code == 403


# --- Lecture : filtres, pagination, ordre, requêtes -------------------------------------------------


def test_filtre_par_categorie(client, org_a, admin_a, systeme_a):
    services.archiver(systeme_a.pk, admin_a, systeme_a.version)
    invitation = Invitation.objects.create(
        organisation=org_a, email="filtre@exemple.fr", role="lecteur", invitee_par=admin_a
    )
    organisations.annuler_invitation(invitation, admin_a)
    client.force_login(admin_a)
    registre = _journal(client, org_a, categorie="registre")
    assert "Fiche archivée" in registre and "filtre@exemple.fr" not in registre
    assert "Membre ajouté" not in registre and "Organisation créée" not in registre
    membres = _journal(client, org_a, categorie="membres")
    assert "filtre@exemple.fr" in membres and "Membre ajouté" in membres and "Fiche archivée" not in membres
    informations = _journal(client, org_a, categorie="organisation")
    assert "Organisation créée" in informations and "Fiche archivée" not in informations
    # Un filtre inconnu est signalé et ignoré : tout est affiché.
    inconnu = _journal(client, org_a, categorie="<script>")
    assert (
        "Filtre inconnu, ignoré" in inconnu
        and "Fiche archivée" in inconnu
        and "&lt;script&gt;" not in inconnu
    )


def test_toute_nature_a_une_categorie_et_tout_detail_un_libelle(org_a, admin_a):
    assert set(journal.CATEGORIES) == set(Nature.values)
    assert set(journal.CATEGORIES.values()) <= {c for c, _ in journal.Categorie.CHOIX}
    with pytest.raises(ValueError, match="Détails sans libellé"):
        journal.noter(org_a.pk, admin_a, Nature.FICHE_ARCHIVEE, "x", nom_d_agent="Tartempion")
    with pytest.raises(ValueError, match="Nature d'événement inconnue"):
        journal.noter(org_a.pk, admin_a, "effacement_discret", "x")
    assert not EvenementJournal.objects.exists()


def _remplir(org, n: int, debut: int = 0) -> None:
    """n événements, chacun d'un auteur différent, alternant entre les sources du journal."""
    for i in range(debut, debut + n):
        auteur = fabrique.membre(org, "lecteur", f"auteur{i}@exemple.fr")  # une adhésion de plus
        journal.noter(org.pk, auteur, Nature.FICHE_ARCHIVEE, f"Fiche {i}")
        organisations.modifier_organisation(org.pk, {"population": 1000 + i}, org.version + i, auteur)


def test_requetes_constantes_quel_que_soit_le_nombre_d_entrees_et_d_auteurs(client, org_a, admin_a):
    client.force_login(admin_a)

    def requetes(**parametres) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as capture:
            _journal(client, org_a, **parametres)
        return len(capture.captured_queries)

    _remplir(org_a, 2)
    peu = [requetes(), requetes(categorie="registre"), requetes(page="1")]
    _remplir(org_a, 40, debut=2)
    assert [requetes(), requetes(categorie="registre"), requetes(page="1")] == peu
    assert requetes(page="2") == peu[0]


def test_pagination_et_ordre_des_sources_melees(client, org_a, admin_a):
    _remplir(org_a, 30)  # 30 × 3 entrées + la création de l'organisation et de l'adhésion de l'administrateur
    entrees = selectors.journal_de(org_a)
    assert entrees.count() == 92
    toutes = entrees[0:92]
    assert [e.date for e in toutes] == sorted((e.date for e in toutes), reverse=True)
    assert entrees[50:60] == toutes[50:60]
    assert {e.evenement for e in toutes} == {
        "Membre ajouté",
        "Fiche archivée",
        "Informations modifiées",
        "Organisation créée",
    }
    derniere = next(e for e in toutes if e.evenement == "Informations modifiées")
    auteur = Adhesion.objects.get(utilisateur__email="auteur29@exemple.fr").utilisateur
    assert (derniere.details, derniere.auteur) == (("Population : 1028 → 1029",), auteur.nom_affiche)
    client.force_login(admin_a)
    page2 = _journal(client, org_a, page="2")
    assert "Page précédente" in page2 and "2 / 2" in page2 and "Organisation créée" in page2


# --- On n'y fait qu'ajouter ------------------------------------------------------------------------


def test_le_journal_ne_se_modifie_ni_ne_s_efface(org_a, admin_a):
    evenement = journal.noter(org_a.pk, admin_a, Nature.FICHE_ARCHIVEE, "Fiche")
    evenement.objet = "Autre"
    with pytest.raises(TypeError, match="ne se modifie pas"):
        evenement.save()
    with pytest.raises(TypeError, match="ne s'efface pas"):
        evenement.delete()
    with pytest.raises(TypeError, match="ne se modifie pas"):
        EvenementJournal.objects.update(objet="Autre")
    with pytest.raises(TypeError, match="ne s'efface pas"):
        EvenementJournal.objects.all().delete()
    assert EvenementJournal.objects.get().objet == "Fiche"
    # Le journal survit à la suppression d'un compte (auteur effacé) et de l'organisation.
    auteur = fabrique.utilisateur("parti@exemple.fr")
    journal.noter(org_a.pk, auteur, Nature.FICHE_RESTAUREE, "Fiche")
    auteur.delete()
    Organisation.objects.filter(pk=org_a.pk).delete()
    assert EvenementJournal.objects.count() == 2
    assert EvenementJournal.objects.get(nature=Nature.FICHE_RESTAUREE).par is None


def test_l_administration_ne_fait_que_lire_le_journal(client, org_a, admin_a):
    evenement = journal.noter(org_a.pk, admin_a, Nature.FICHE_ARCHIVEE, "Fiche lue")
    instance = fabrique.utilisateur("instance@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(instance)
    base = "/admin/organisations/evenementjournal/"
    liste = client.get(base).content.decode()
    assert "Fiche lue" in liste and "Commune A" in liste and 'name="action"' not in liste
    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{evenement.pk}/delete/").status_code == 403
    assert client.post(f"{base}{evenement.pk}/change/", {"objet": "Changé"}).status_code == 403
    assert EvenementJournal.objects.get().objet == "Fiche lue"


# --- Rien d'anonyme : la démonstration et la commande creer_organisation ----------------------------


def _versions_sans_auteur() -> dict[str, int]:
    sans_auteur = {}
    for modele in apps.get_models():
        if hasattr(modele, "history_user_id") and hasattr(modele, "instance_type"):
            n = modele.objects.filter(history_user__isnull=True).count()
            if n:
                sans_auteur[modele._meta.label] = n
    return sans_auteur


def test_creer_organisation_attribue_la_creation_au_premier_administrateur(client, db):
    call_command("creer_organisation", "Commune de Xe", "--type", "commune", "--admin", "dgs@xe.fr")
    assert _versions_sans_auteur() == {}
    org = Organisation.objects.get(slug="commune-de-xe")
    adhesion = Adhesion.objects.get(organisation=org)
    for version in (org.history.get(), adhesion.history.get()):
        assert version.history_user == adhesion.utilisateur
        assert version.history_change_reason == organisations.MOTIF_CREATION_HORS_LIGNE
    client.force_login(adhesion.utilisateur)
    page = _journal(client, org)
    assert page.count("Motif : Créée par la commande creer_organisation") == 2


def test_creer_organisation_attribuee_a_qui_la_cree(db):
    instance = fabrique.utilisateur("instance@exemple.fr", is_staff=True)
    org, admin, _ = organisations.creer_organisation(
        nom="Commune de Ye", type="commune", administrateur_email="dgs@ye.fr", par=instance
    )
    for version in (org.history.get(), Adhesion.history.get(organisation_id=org.pk)):
        assert (version.history_user, version.history_change_reason) == (instance, None)
