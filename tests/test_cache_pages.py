"""Pages connectées servies depuis le cache (balise/cache_pages.py) : jamais périmées, jamais celles
d'un autre (rôle, personne, jeton CSRF, nonce CSP), et sans requête de plus que l'accès."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from balise import cache_pages, generations
from balise.metiers import services as metiers
from balise.registre import services
from balise.registre.models import SystemeIA
from tests import fabrique, fraicheur_pages

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(personne) -> Client:
    client = Client()
    client.force_login(personne)
    return client


def _jeton(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _pages(org, systeme) -> tuple[str, str]:
    return f"/o/{org.slug}/registre/", f"/o/{org.slug}/registre/{systeme.pk}/"


def _portefeuille(org) -> str:
    return f"/o/{org.slug}/portefeuille/"


def test_liste_et_fiche_suivent_chaque_modification(org_a, admin_a, systeme_a):
    client = _client(admin_a)
    liste, fiche = _pages(org_a, systeme_a)
    assert "Détection des fuites" in client.get(liste).content.decode()
    assert "Détection des fuites" in client.get(fiche).content.decode()

    services.modifier_systeme(systeme_a.pk, {"nom": "Fuites, version 2"}, systeme_a.version, admin_a)
    for url in (liste, fiche):
        html = client.get(url).content.decode()
        assert "Fuites, version 2" in html and "Détection des fuites" not in html

    services.changer_stade(systeme_a.pk, "etude", "", admin_a, 2)
    assert "Idée → Étude d&#x27;opportunité" in client.get(fiche).content.decode()

    services.deposer_document(
        systeme_a, "Cahier des charges", SimpleUploadedFile("cdc.pdf", PDF, "application/pdf"), admin_a
    )
    document = systeme_a.documents.get()
    telechargement = f'href="{fiche}documents/{document.pk}/"'
    assert telechargement in client.get(fiche).content.decode()
    services.archiver_document(document, admin_a)
    html = client.get(fiche).content.decode()
    assert telechargement not in html and "Documents archivés" in html
    services.restaurer_document(document, admin_a)
    html = client.get(fiche).content.decode()
    assert telechargement in html and "Documents archivés" not in html

    groupe = metiers.suivre_groupe(org_a, "Exposition forte", "direction", "Finances", admin_a)
    metiers.modifier_groupe(groupe, [systeme_a], "", groupe.version, admin_a)
    assert "Agents concernés" in client.get(fiche).content.decode()
    groupe.refresh_from_db()
    metiers.modifier_groupe(groupe, [], "", groupe.version, admin_a)
    assert "Agents concernés" not in client.get(fiche).content.decode()

    portefeuille = client.get(_portefeuille(org_a)).content.decode()
    assert "Fuites, version 2" in portefeuille and "Système ajouté" not in portefeuille
    fabrique.systeme(org_a, admin_a, nom="Système ajouté")
    assert "Système ajouté" in client.get(_portefeuille(org_a)).content.decode()
    assert "Système ajouté" in client.get(liste).content.decode()

    # Le nom de l'auteur d'un changement de stade suit celui de la personne.
    admin_a.first_name, admin_a.last_name = "Camille", "Renommée"
    admin_a.save()
    assert "(Camille Renommée)" in client.get(fiche).content.decode()


def test_l_adresse_d_une_personne_sans_nom_renouvelle_les_pages(org_a, admin_a, systeme_a):
    # Sans prénom ni nom, c'est l'adresse qui est affichée : en changer seule (update_fields) doit
    # renouveler les pages de ses organisations, vues ici par une autre personne.
    auteur = fabrique.membre(org_a, "referent", "sans-nom@exemple.fr")
    services.changer_stade(systeme_a.pk, "etude", "", auteur, systeme_a.version)
    client = _client(admin_a)
    _, fiche = _pages(org_a, systeme_a)
    assert "(sans-nom@exemple.fr)" in client.get(fiche).content.decode()
    auteur.email = "nouvelle-adresse@exemple.fr"
    auteur.save(update_fields=["email"])
    html = client.get(fiche).content.decode()
    assert "(nouvelle-adresse@exemple.fr)" in html and "(sans-nom@exemple.fr)" not in html


def test_un_groupe_expose_relie_depuis_l_un_ou_l_autre_cote(org_a, admin_a, systeme_a):
    """Le lien groupe ↔ système change sans que le groupe soit enregistré (`groupe.systemes`) ou depuis
    le système (`systeme.groupes_exposes`) : la fiche en cache suit, le groupe garde chaque version."""
    client = _client(admin_a)
    _, fiche = _pages(org_a, systeme_a)
    groupe = metiers.suivre_groupe(org_a, "Exposition forte", "direction", "Finances", admin_a)
    assert "Agents concernés" not in client.get(fiche).content.decode()
    systeme_a._history_user = admin_a
    etapes = [
        (lambda: systeme_a.groupes_exposes.add(groupe), True),
        (lambda: systeme_a.groupes_exposes.remove(groupe), False),
        (lambda: groupe.systemes.add(systeme_a), True),
        (lambda: systeme_a.groupes_exposes.clear(), False),
    ]
    for changer, relie in etapes:
        changer()
        assert ("Agents concernés" in client.get(fiche).content.decode()) is relie
    historique = groupe.history.order_by("history_date", "history_id")
    assert [[s.systemeia_id for s in h.systemes.all()] for h in historique] == [
        [],
        [systeme_a.pk],
        [],
        [systeme_a.pk],
        [],
    ]
    assert {h.history_user for h in historique} == {admin_a}
    # Supprimer un groupe efface ses liens sans m2m_changed : c'est post_delete qui renouvelle.
    groupe.systemes.add(systeme_a)
    assert "Agents concernés" in client.get(fiche).content.decode()
    groupe.delete()
    assert "Agents concernés" not in client.get(fiche).content.decode()


def test_une_connexion_ne_renouvelle_pas_les_pages(org_a, admin_a):
    avant = generations.jeton("organisation", org_a.pk)
    reponse = Client().post(
        "/comptes/connexion/", {"username": admin_a.email, "password": "mot-de-passe-tres-long-42"}
    )
    assert reponse.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.last_login is not None
    assert generations.jeton("organisation", org_a.pk) == avant


def test_les_droits_du_role_et_le_nom_de_la_personne(org_a, admin_a, lecteur_a, systeme_a):
    liste, fiche = _pages(org_a, systeme_a)
    assert "Déclarer un système" in _client(admin_a).get(liste).content.decode()
    assert "Archiver la fiche" in _client(admin_a).get(fiche).content.decode()
    html_lecteur = _client(lecteur_a).get(liste).content.decode()
    assert "Déclarer un système" not in html_lecteur
    assert "Archiver la fiche" not in _client(lecteur_a).get(fiche).content.decode()

    # Même rôle, autre personne : son propre nom dans l'en-tête, pas celui de la première.
    autre = fabrique.membre(org_a, "administrateur", "autre-admin@exemple.fr")
    html = _client(autre).get(liste).content.decode()
    assert "autre-admin@exemple.fr" in html and admin_a.nom_affiche not in html


def test_chaque_navigateur_recoit_son_jeton_et_son_nonce(org_a, admin_a, systeme_a):
    autre = fabrique.membre(org_a, "administrateur", "autre-admin@exemple.fr")
    _, fiche = _pages(org_a, systeme_a)
    premier, second = _client(admin_a), _client(autre)
    html_premier = premier.get(fiche).content.decode()
    reponse = second.get(fiche)
    html = reponse.content.decode()
    assert "trou-" not in html and "trou-" not in html_premier
    (nonce,) = set(re.findall(r'nonce="([^"]+)"', html))
    assert nonce in reponse["Content-Security-Policy"]
    assert nonce not in second.get(fiche).content.decode()

    # Le jeton de la page servie depuis le cache vaut pour ce navigateur-là.
    second_csrf = Client(enforce_csrf_checks=True)
    second_csrf.force_login(autre)
    html = second_csrf.get(fiche).content.decode()
    envoi = second_csrf.post(
        f"{fiche}stade/", {"vers": "etude", "version": systeme_a.version, "csrfmiddlewaretoken": _jeton(html)}
    )
    assert envoi.status_code == 302
    systeme_a.refresh_from_db()
    assert systeme_a.stade == "etude"


def test_un_message_s_affiche_une_fois_et_n_est_pas_garde(org_a, admin_a, systeme_a):
    client = _client(admin_a)
    _, fiche = _pages(org_a, systeme_a)
    client.get(fiche)
    reponse = client.post(f"{fiche}stade/", {"vers": "etude", "version": systeme_a.version}, follow=True)
    assert "Stade mis à jour." in reponse.content.decode()
    assert "Stade mis à jour." not in client.get(fiche).content.decode()


def test_une_page_en_cache_ne_fait_aucune_requete(org_a, admin_a, systeme_a):
    connecte, public = _client(admin_a), f"/public/{org_a.slug}/"
    pages = [(connecte, url) for url in (*_pages(org_a, systeme_a), _portefeuille(org_a))]
    pages += [(Client(), url) for url in (public, f"{public}registre.json", f"{public}registre.csv")]
    for client, url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        # Session, personne, adhésion et organisation sont lues en cache sous leur génération.
        assert len(requetes) == 0, (url, [q["sql"] for q in requetes])


def test_une_fiche_introuvable_n_est_pas_gardee(org_a, admin_a, systeme_b):
    client = _client(admin_a)
    assert client.get(f"/o/{org_a.slug}/registre/{systeme_b.pk}/").status_code == 404
    assert client.get(f"/o/{org_a.slug}/registre/{systeme_b.pk}/").status_code == 404


def test_le_trou_ne_se_devine_pas_et_ne_se_saisit_pas(org_a, admin_a):
    trou = cache_pages._trous()["csrf_token"]
    s = fabrique.systeme(org_a, admin_a, nom="trou-deadbeef", finalite="trou-csrf")
    html = _client(admin_a).get(f"/o/{org_a.slug}/registre/{s.pk}/").content.decode()
    assert "trou-deadbeef" in html and trou not in html and len(trou) > 40


def test_le_registre_public_ne_pose_pas_de_cookie(client, org_a, systeme_a):
    # Sans formulaire : les fragments du squelette ne créent pas de jeton CSRF pour rien.
    reponse = client.get(f"/public/{org_a.slug}/")
    assert reponse.status_code == 200 and not reponse.cookies


def test_les_fragments_du_squelette_suivent_la_personne_et_la_rubrique(org_a, admin_a, systeme_a):
    client = _client(admin_a)
    historique = f"/o/{org_a.slug}/registre/{systeme_a.pk}/historique/"
    instruments = f"/o/{org_a.slug}/instruments/"
    assert admin_a.nom_affiche in client.get(historique).content.decode()

    admin_a.first_name, admin_a.last_name = "Dominique", "Nouveau-Nom"
    admin_a.save()
    assert "Dominique Nouveau-Nom" in client.get(historique).content.decode()

    courant = re.compile(r'<a class="fr-nav__link" href="([^"]+)" aria-current="page">')
    assert courant.findall(client.get(historique).content.decode()) == [f"/o/{org_a.slug}/registre/"]
    assert courant.findall(client.get(instruments).content.decode()) == [instruments]


def test_chaque_page_et_chaque_filtre_de_la_liste_a_sa_propre_entree(org_a, admin_a):
    for i in range(30):
        fabrique.systeme(
            org_a, admin_a, nom=f"Système {i:02d}", domaine="environnement" if i < 27 else "social"
        )
    client = _client(admin_a)
    liste = f"/o/{org_a.slug}/registre/"
    premiere = client.get(liste + "?tri=nom").content.decode()
    assert "Système 00" in premiere and "Système 29" not in premiere and "1 / 2" in premiere
    assert 'href="?tri=nom&amp;page=2"' in premiere
    seconde = client.get(liste + "?tri=nom&page=2").content.decode()
    assert "Système 29" in seconde and "Système 00" not in seconde and "Page précédente" in seconde
    filtree = client.get(liste + "?domaine=social").content.decode()
    assert "3 systèmes" in filtree and "Système 00" not in filtree


# --- Le filet de tests/fraicheur_pages.py attrape bien ce qu'il doit --------------------------------


def test_les_pages_en_cache_sont_trouvees_par_leur_marque():
    assert fraicheur_pages.routes_en_cache() == [
        "o/<slug:slug>/portefeuille/",
        "o/<slug:slug>/registre/",
        "o/<slug:slug>/registre/<int:pk>/",
        "public/<slug:slug>/",
        "public/<slug:slug>/charte.pdf",
        "public/<slug:slug>/charte/",
        "public/<slug:slug>/registre.csv",
        "public/<slug:slug>/registre.json",
        "public/<slug:slug>/systemes/<uuid:uid>/",
    ]


def test_une_ecriture_sans_signal_fait_echouer_la_verification(
    pages_fraiches, org_a, admin_a, lecteur_a, systeme_a
):
    pages_fraiches.chauffer(org_a, {"administrateur": admin_a, "lecteur": lecteur_a})
    pages_fraiches.comparer("rien")  # témoin : sans écriture, le cache sert le rendu frais
    # `QuerySet.update` n'envoie aucun signal : la fiche en cache reste l'ancienne.
    SystemeIA.objects.filter(pk=systeme_a.pk).update(nom="Renommée sans signal")
    with pytest.raises(AssertionError, match="Après « renommage sans signal »") as echec:
        pages_fraiches.comparer("renommage sans signal")
    message = str(echec.value)
    assert f"Page /o/{org_a.slug}/registre/{systeme_a.pk}/, vue par lecteur" in message
    assert "+<h1>Renommée sans signal</h1>" in message


def test_un_fragment_sans_ses_variables_fait_echouer_la_verification(
    monkeypatch, pages_fraiches, org_a, admin_a, lecteur_a, systeme_a
):
    # Des fragments dont la clé ne nomme aucune de leurs variables : le premier rendu sert à tous.
    monkeypatch.setattr(cache_pages._Fragment, "cle", lambda fragment, context: "fragment:" + fragment.nom)
    pages_fraiches.chauffer(org_a, {"administrateur": admin_a, "lecteur": lecteur_a})
    with pytest.raises(AssertionError) as echec:
        pages_fraiches.comparer("rien")
    message = str(echec.value)
    # Le lecteur reçoit l'en-tête de l'administrateur, qui l'a lu le premier (dans la page gardée
    # en cache comme dans celle rendue à chaque fois)…
    assert "— Page /o/commune-a/registre/, vue par lecteur" in message
    assert "— Fragment « entete » de /public/commune-a/, vu par lecteur" in message
    assert f">{admin_a.nom_affiche}</a></li>\n" in message.split("vu par lecteur")[1]
    # … et la personne non connectée, l'encart de l'organisation réservé aux membres.
    assert "— Fragment « organisation » de /public/commune-a/, vu par personne non connectée" in message
