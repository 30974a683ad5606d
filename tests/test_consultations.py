"""Consultations des agents par codes de participation : usage unique, anonymat, limites d'envoi.

Les règles éprouvées ici : un code sert une fois (même par deux envois simultanés) ; rien de ce qui
est écrit ne relie un code, son groupe ou l'heure de son usage à une réponse ; une saisie mauvaise
ou hostile n'écrit rien ; un client qui insiste est arrêté (429) sans que rien ne soit écrit.
"""

import threading
from datetime import timedelta

import pytest
import segno
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from balise import limites
from balise.instruments import codes, qr, selectors, services
from balise.instruments.models import (
    CodeParticipation,
    Consultation,
    DefinitionInstrument,
    GroupeCodes,
    ReponseAnonyme,
)
from balise.instruments.services import CodeRefuse, Saisie

EST_POSTGRES = connection.vendor == "postgresql"


def _questionnaire() -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code="questionnaire-experimentation")


@pytest.fixture
def consultation(systeme_a, referent_a):
    return services.ouvrir_consultation(systeme_a, _questionnaire(), "bilan", referent_a)


@pytest.fixture
def lien_ouvert(systeme_a, referent_a):
    return services.ouvrir_consultation(
        systeme_a, _questionnaire(), "bilan", referent_a, mode=Consultation.Mode.LIEN_OUVERT
    )


@pytest.fixture
def feuille(consultation, referent_a) -> services.FeuilleDeCodes:
    return services.creer_groupe_de_codes(consultation, "Service des eaux", 5, referent_a)


def _saisies(valeur: int = 3) -> dict[str, Saisie]:
    return {"gain_temps": Saisie(valeur), "usages": Saisie(choix=("Résumé",))}


def _lignes(modele) -> list[dict]:
    return list(modele.objects.order_by("pk").values())


# --- Les codes ------------------------------------------------------------------------------------


def test_codes_tires_lisibles_et_gardes_sous_leur_seule_empreinte(feuille):
    assert len(feuille.codes) == len(set(feuille.codes)) == 5
    for code in feuille.codes:
        assert len(code) == codes.LONGUEUR and set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")  # les caractères qui se confondent n'en font pas partie
    empreintes = set(CodeParticipation.objects.values_list("empreinte", flat=True))
    assert empreintes == {codes.empreinte(c) for c in feuille.codes}
    # Aucune colonne d'aucune table des codes ne contient un code en clair.
    texte = repr(_lignes(CodeParticipation) + _lignes(GroupeCodes) + _lignes(GroupeCodes.history.model))
    assert not [c for c in feuille.codes if c in texte or codes.afficher(c) in texte]
    # L'empreinte est à clé : sans la clé du serveur, un SHA-256 du code ne la retrouve pas.
    import hashlib

    assert hashlib.sha256(feuille.codes[0].encode()).hexdigest() not in empreintes


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("7KQ2-M9XD-4HTP", "7KQ2M9XD4HTP"),
        (" 7kq2 m9xd 4htp ", "7KQ2M9XD4HTP"),
        ("7KQ2–M9XD—4HTP", "7KQ2M9XD4HTP"),  # tirets typographiques d'un traitement de texte
        ("OIL0-0000-0000", "011000000000"),  # O pour 0, I et L pour 1
        ("7KQ2-M9XD-4HT", None),
        ("7KQ2-M9XD-4HTPX", None),
        ("7KQ2-M9XD-4HTU", None),  # U n'est pas dans l'alphabet
        ("7KQ2-M9XD-4HT\x00", None),
        ("７KQ2-M9XD-4HTP", None),  # chiffre pleine chasse
        ("' OR 1=1 --", None),
        ("A" * 10_000, None),
        ("", None),
    ],
)
def test_saisie_tolerante_mais_bornee(saisie, attendu):
    assert codes.normaliser(saisie) == attendu


def test_un_code_sert_une_seule_fois(consultation, feuille):
    code = feuille.codes[0]
    services.repondre_anonymement(consultation, _saisies(), code=codes.afficher(code).lower())
    with pytest.raises(CodeRefuse, match="déjà servi"):
        services.repondre_anonymement(consultation, _saisies(), code=code)
    with pytest.raises(CodeRefuse):
        services.consultation_du_code(code)
    assert ReponseAnonyme.objects.count() == 1
    assert CodeParticipation.objects.count() == 4


def test_sans_code_ou_code_d_un_autre_questionnaire_rien_n_est_ecrit(
    consultation, feuille, systeme_a, referent_a
):
    autre = services.ouvrir_consultation(systeme_a, _questionnaire(), "bilan", referent_a)
    with pytest.raises(CodeRefuse, match="Saisissez votre code"):
        services.repondre_anonymement(consultation, _saisies())
    with pytest.raises(CodeRefuse, match="12 lettres et chiffres"):
        services.repondre_anonymement(consultation, _saisies(), code="abc")
    with pytest.raises(CodeRefuse):
        services.repondre_anonymement(autre, _saisies(), code=feuille.codes[0])
    with pytest.raises(CodeRefuse):
        services.consultation_du_code(feuille.codes[0], autre)
    assert not ReponseAnonyme.objects.exists()
    assert services.consultation_du_code(feuille.codes[0]) == consultation  # toujours valable ici


def test_reponse_refusee_ne_consomme_pas_le_code(consultation, feuille):
    with pytest.raises(ValidationError, match="au moins une question"):
        services.repondre_anonymement(consultation, {}, code=feuille.codes[0])
    with pytest.raises(ValidationError, match="entre 1 et 4"):
        services.repondre_anonymement(consultation, {"gain_temps": Saisie(99)}, code=feuille.codes[0])
    assert CodeParticipation.objects.count() == 5 and not ReponseAnonyme.objects.exists()
    services.repondre_anonymement(consultation, _saisies(), code=feuille.codes[0])
    assert ReponseAnonyme.objects.count() == 1


def test_questionnaire_clos_ou_echu_refuse_ses_codes(consultation, feuille, referent_a):
    Consultation.objects.filter(pk=consultation.pk).update(echeance=timezone.localdate() - timedelta(days=1))
    consultation.refresh_from_db()
    with pytest.raises(ValidationError, match="a pris fin le"):
        services.repondre_anonymement(consultation, _saisies(), code=feuille.codes[0])
    with pytest.raises(ValidationError, match="a pris fin le"):
        services.consultation_du_code(feuille.codes[0])
    with pytest.raises(ValidationError, match="a pris fin le"):
        services.ajouter_codes(feuille.groupe, 5, referent_a)
    Consultation.objects.filter(pk=consultation.pk).update(echeance=None)
    services.fermer_consultation(Consultation.objects.get(pk=consultation.pk), referent_a)
    with pytest.raises(ValidationError, match="clos"):
        services.repondre_anonymement(consultation, _saisies(), code=feuille.codes[0])
    assert CodeParticipation.objects.count() == 5 and not ReponseAnonyme.objects.exists()


def test_une_echeance_passee_est_refusee_a_l_ouverture(systeme_a, referent_a):
    with pytest.raises(ValidationError, match="déjà passé"):
        services.ouvrir_consultation(
            systeme_a,
            _questionnaire(),
            "bilan",
            referent_a,
            echeance=timezone.localdate() - timedelta(days=1),
        )
    assert not Consultation.objects.exists()


# --- Aucun lien entre un code et une réponse ----------------------------------------------------


def _colonnes_systeme(table: str) -> list[tuple[str, str]]:
    """xmin / xmax de PostgreSQL : l'identifiant de la transaction qui a écrit (ou verrouillé) chaque ligne."""
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT xmin::text, xmax::text FROM {table}")  # noqa: S608 (nom de table du modèle)
        return curseur.fetchall()


def test_aucun_lien_stocke_entre_un_code_et_une_reponse(consultation, referent_a):
    eaux = services.creer_groupe_de_codes(consultation, "Service des eaux", 5, referent_a)
    accueil = services.creer_groupe_de_codes(consultation, "Accueil", 6, referent_a)
    services.repondre_anonymement(consultation, _saisies(2), code=eaux.codes[1])
    avant = {
        "codes": _lignes(CodeParticipation),
        "groupes": _lignes(GroupeCodes),
        "historique des groupes": _lignes(GroupeCodes.history.model),
        "consultation": _lignes(Consultation),
        "historique de la consultation": _lignes(Consultation.history.model),
    }

    services.repondre_anonymement(consultation, _saisies(4), code=accueil.codes[3])

    # 1. Le code utilisé a disparu ; aucune autre ligne liée aux codes n'a changé : ni drapeau
    #    « utilisé », ni date, ni compteur, ni version historisée écrite au moment de la réponse.
    utilise = codes.empreinte(accueil.codes[3])
    assert _lignes(CodeParticipation) == [c for c in avant["codes"] if c["empreinte"] != utilise]
    assert _lignes(GroupeCodes) == avant["groupes"]
    assert _lignes(GroupeCodes.history.model) == avant["historique des groupes"]
    assert _lignes(Consultation) == avant["consultation"]
    assert _lignes(Consultation.history.model) == avant["historique de la consultation"]

    # 2. Chaque colonne de chaque réponse : la consultation, les valeurs, le jour ; rien d'autre.
    for reponse in ReponseAnonyme.objects.values():
        assert set(reponse) == {"id", "consultation_id", "reponses", "recue_le"}
        assert reponse["consultation_id"] == consultation.pk
        assert set(reponse["reponses"]) <= {i.id for i in consultation.instrument.definition.items}
        assert type(reponse["recue_le"]).__name__ == "date"  # le jour, pas l'heure
        texte = repr(reponse)
        for secret in [*eaux.codes, *accueil.codes, "Service des eaux", "Accueil"]:
            assert secret not in texte
        assert utilise not in texte

    # 3. Par construction : pas de colonne qui désignerait un code, un groupe, une heure ou un ordre.
    assert {f.name for f in ReponseAnonyme._meta.concrete_fields} == {
        "id",
        "consultation",
        "reponses",
        "recue_le",
    }
    assert {f.name for f in CodeParticipation._meta.concrete_fields} == {
        "empreinte",
        "consultation",
        "groupe",
    }
    # Pas de compteur pour clé : l'ordre d'impression ne se lit pas dans les identifiants.
    assert CodeParticipation._meta.pk.name == "empreinte"
    assert not hasattr(CodeParticipation, "history") and not hasattr(ReponseAnonyme, "history")

    # 4. PostgreSQL garde l'identifiant de la transaction qui écrit une ligne (xmin) : aucune ligne
    #    restante des codes ou des groupes ne le partage avec une réponse.
    if EST_POSTGRES:
        transactions_des_reponses = {x for x, _ in _colonnes_systeme(ReponseAnonyme._meta.db_table)}
        for modele in (CodeParticipation, GroupeCodes, GroupeCodes.history.model):
            for xmin, xmax in _colonnes_systeme(modele._meta.db_table):
                assert xmin not in transactions_des_reponses and xmax not in transactions_des_reponses


def test_l_ordre_des_lignes_ne_dit_pas_la_place_sur_la_feuille(consultation, referent_a):
    feuille = services.creer_groupe_de_codes(consultation, "Service des eaux", 40, referent_a)
    table = CodeParticipation._meta.db_table
    ordre_physique = "ctid" if EST_POSTGRES else "rowid"
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT empreinte FROM {table} ORDER BY {ordre_physique}")  # noqa: S608
        inscrites = [e for (e,) in curseur.fetchall()]
    assert inscrites == sorted(inscrites)  # rangées par empreinte, pseudo-aléatoire sans la clé
    assert inscrites != [codes.empreinte(c) for c in feuille.codes]  # et non dans l'ordre imprimé


# --- Deux envois simultanés d'un même code (PostgreSQL, deux vraies connexions) ------------------


@pytest.mark.skipif(not EST_POSTGRES, reason="deux connexions simultanées : PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_d_un_meme_code_une_seule_reponse(org_a, referent_a, systeme_a):
    consultation = services.ouvrir_consultation(systeme_a, _questionnaire(), "bilan", referent_a)
    code = services.creer_groupe_de_codes(consultation, "Service des eaux", 5, referent_a).codes[0]
    depart = threading.Barrier(4)
    resultats: list[str] = []

    def envoyer() -> None:
        try:
            depart.wait()
            services.repondre_anonymement(consultation, _saisies(), code=code)
            resultats.append("enregistrée")
        except CodeRefuse:
            resultats.append("refusée")
        finally:
            connection.close()  # chaque fil a sa propre connexion

    fils = [threading.Thread(target=envoyer) for _ in range(4)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert sorted(resultats) == ["enregistrée", "refusée", "refusée", "refusée"]
    assert ReponseAnonyme.objects.count() == 1


def _attendre_une_connexion_bloquee() -> None:
    """Attend qu'une autre connexion à la base de test attende un verrou (au plus 30 s)."""
    for _ in range(3000):
        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if curseur.fetchone()[0]:
                return
        threading.Event().wait(0.01)
    raise AssertionError("Le second envoi n'a jamais attendu le verrou du code.")


@pytest.mark.skipif(not EST_POSTGRES, reason="deux connexions simultanées : PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_code_en_cours_d_usage_par_une_autre_transaction(org_a, referent_a, systeme_a):
    """Une transaction a supprimé la ligne du code sans avoir encore validé : l'envoi attend le
    verrou de cette ligne, puis ne trouve plus rien à supprimer et n'écrit aucune réponse. (Vérifier
    l'existence du code avant de le supprimer laisserait passer cet envoi : la ligne y est encore
    visible tant que l'autre transaction n'a pas validé.)"""
    consultation = services.ouvrir_consultation(systeme_a, _questionnaire(), "bilan", referent_a)
    code = services.creer_groupe_de_codes(consultation, "Service des eaux", 5, referent_a).codes[0]
    supprime, fin = threading.Event(), threading.Event()
    resultat: list[str] = []

    def premier() -> None:
        try:
            with transaction.atomic():
                CodeParticipation.objects.filter(empreinte=codes.empreinte(code)).delete()
                supprime.set()
                fin.wait(timeout=30)
        finally:
            connection.close()

    def second() -> None:
        try:
            supprime.wait(timeout=30)
            services.repondre_anonymement(consultation, _saisies(), code=code)
            resultat.append("enregistrée")
        except CodeRefuse:
            resultat.append("refusée")
        finally:
            connection.close()

    fils = [threading.Thread(target=premier), threading.Thread(target=second)]
    for f in fils:
        f.start()
    supprime.wait(timeout=30)
    _attendre_une_connexion_bloquee()  # le second attend le verrou de la ligne du code
    fin.set()  # le premier valide : le second ne trouve plus rien à supprimer
    for f in fils:
        f.join()
    assert resultat == ["refusée"]
    assert not ReponseAnonyme.objects.exists()


# --- Groupes : générer, ajouter, retirer, compter -----------------------------------------------


def test_compte_par_groupe_et_total(consultation, referent_a):
    eaux = services.creer_groupe_de_codes(consultation, "Service des eaux", 5, referent_a)
    accueil = services.creer_groupe_de_codes(consultation, "  Accueil   du public ", 6, referent_a)
    assert accueil.groupe.libelle == "Accueil du public"
    services.repondre_anonymement(consultation, _saisies(), code=eaux.codes[0])
    services.repondre_anonymement(consultation, _saisies(), code=accueil.codes[0])
    services.repondre_anonymement(consultation, _saisies(), code=accueil.codes[1])
    plus = services.ajouter_codes(eaux.groupe, 3, referent_a)
    assert len(plus.codes) == 3 and not set(plus.codes) & set(eaux.codes)
    assert services.retirer_codes_inutilises(accueil.groupe, referent_a) == 4
    assert services.retirer_codes_inutilises(accueil.groupe, referent_a) == 0
    with pytest.raises(CodeRefuse):
        services.repondre_anonymement(consultation, _saisies(), code=accueil.codes[2])  # retiré

    lignes, total = selectors.codes_par_groupe(consultation)
    assert [(c.libelle, c.generes, c.utilises, c.retires, c.restants) for c in lignes] == [
        ("Accueil du public", 6, 2, 4, 0),
        ("Service des eaux", 8, 1, 0, 7),
    ]
    assert (total.generes, total.utilises, total.retires, total.restants) == (14, 3, 4, 7)
    # Générations et retraits sont attribués dans l'historique du groupe.
    historique = GroupeCodes.history.filter(id=accueil.groupe.pk).order_by("history_id")
    assert [(h.nb_generes, h.nb_retires, h.history_user) for h in historique] == [
        (6, 0, referent_a),
        (6, 4, referent_a),
    ]


@pytest.mark.parametrize(
    ("libelle", "nombre", "message"),
    [
        ("Accueil", 4, "entre 5 et 500"),
        ("Accueil", 501, "entre 5 et 500"),
        ("   ", 10, "Nommez le groupe"),
        ("x" * 101, 10, "au plus 100 caractères"),
        ("SERVICE DES EAUX", 10, "existe déjà"),
    ],
)
def test_groupe_refuse_sans_rien_ecrire(consultation, feuille, referent_a, libelle, nombre, message):
    avant = (_lignes(GroupeCodes), _lignes(CodeParticipation))
    with pytest.raises(ValidationError, match=message):
        services.creer_groupe_de_codes(consultation, libelle, nombre, referent_a)
    assert (_lignes(GroupeCodes), _lignes(CodeParticipation)) == avant


def test_plafond_de_codes_et_mode_lien_ouvert(consultation, lien_ouvert, referent_a, monkeypatch):
    monkeypatch.setattr(services, "PLAFOND_REPONSES", 12)
    services.creer_groupe_de_codes(consultation, "Service des eaux", 10, referent_a)
    with pytest.raises(ValidationError, match="au plus 12 codes ; 10 sont déjà générés"):
        services.creer_groupe_de_codes(consultation, "Accueil", 5, referent_a)
    with pytest.raises(ValidationError, match="ouvert par un lien"):
        services.creer_groupe_de_codes(lien_ouvert, "Accueil", 5, referent_a)
    assert CodeParticipation.objects.count() == 10


def test_changer_de_cle_garde_les_codes_imprimes(consultation, feuille, settings):
    ancienne = settings.SECRET_KEY
    settings.SECRET_KEY = "une-nouvelle-cle-tres-longue-et-aleatoire-pour-le-test"
    with pytest.raises(CodeRefuse):
        services.consultation_du_code(feuille.codes[0])
    settings.SECRET_KEY_FALLBACKS = [ancienne]
    services.repondre_anonymement(consultation, _saisies(), code=feuille.codes[0])
    assert ReponseAnonyme.objects.count() == 1


# --- Les pages des agents ---------------------------------------------------------------------------


def _reponses_du_formulaire(code: str) -> dict[str, str]:
    return {"etape": "reponses", "code": code, "note-gain_temps": "3", "note-usages": "Résumé"}


def test_repondre_avec_un_code_par_les_pages(consultation, feuille):
    agent = Client()
    url = f"/questionnaire/{consultation.jeton}/"
    page = agent.get(url)
    assert page.status_code == 200 and "Votre code de participation" in page.content.decode()
    assert agent.post(url, {"code": "7KQ2-M9XD-4HTP"}).status_code == 400  # inconnu
    saisi = codes.afficher(feuille.codes[0]).lower().replace("-", " ")
    page = agent.post(url, {"code": saisi})
    assert page.status_code == 200
    contenu = page.content.decode()
    assert "Envoyer mes réponses" in contenu and f'value="{saisi}"' in contenu
    assert CodeParticipation.objects.count() == 5  # vérifié, pas encore utilisé
    # Une réponse hors échelle : rien n'est écrit, le code reste utilisable.
    refus = agent.post(url, {**_reponses_du_formulaire(saisi), "note-gain_temps": "9"})
    assert refus.status_code == 400 and CodeParticipation.objects.count() == 5
    envoi = agent.post(url, _reponses_du_formulaire(saisi))
    assert envoi.status_code == 302 and envoi["Location"] == f"/questionnaire/{consultation.jeton}/merci/"
    assert "Merci" in agent.get(envoi["Location"]).content.decode()
    assert ReponseAnonyme.objects.count() == 1
    # Le même code, depuis un autre navigateur : refusé, rien d'écrit.
    autre = Client()
    for donnees in ({"code": saisi}, _reponses_du_formulaire(saisi)):
        refus = autre.post(url, donnees)
        assert refus.status_code == 400 and "n&#x27;est pas valable" in refus.content.decode()
    assert ReponseAnonyme.objects.count() == 1
    # Un second agent, sur le même poste (témoin du premier) : son propre code passe.
    assert agent.post(url, _reponses_du_formulaire(feuille.codes[1])).status_code == 302
    assert ReponseAnonyme.objects.count() == 2


def test_adresse_courte_le_code_seul_mene_au_questionnaire(consultation, feuille, referent_a):
    agent = Client()
    assert agent.get("/participer/").status_code == 200
    page = agent.post("/participer/", {"code": feuille.codes[0]})
    contenu = page.content.decode()
    assert page.status_code == 200 and escape(consultation.instrument.titre) in contenu
    assert f'action="/questionnaire/{consultation.jeton}/"' in contenu
    assert agent.post("/participer/", {"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 400
    services.fermer_consultation(consultation, referent_a)
    clos = agent.post("/participer/", {"code": feuille.codes[0]})
    assert clos.status_code == 400 and "Ce questionnaire est clos" in clos.content.decode()
    assert agent.get(f"/questionnaire/{consultation.jeton}/").status_code == 410


@pytest.mark.parametrize(
    "donnees",
    [
        {"code": "A" * 100_000},
        {"code": "\x00" * 12},
        {"code": "<script>alert(1)</script>"},
        {"code": "' OR 1=1; DROP TABLE instruments_codeparticipation; --"},
        {"code": ["7KQ2M9XD4HTP", "AAAAAAAAAAAA"]},
        {"etape": "reponses", "note-gain_temps": "3"},
        {"etape": "reponses", "code": "{code}", "note-gain_temps": "3.5"},
        {"etape": "reponses", "code": "{code}", "note-usages": "Choix inventé"},
        {"etape": "reponses", "code": "{code}"},
    ],
)
def test_saisies_hostiles_refusees_sans_rien_ecrire(consultation, feuille, donnees):
    donnees = {
        k: v.replace("{code}", feuille.codes[0]) if isinstance(v, str) else v for k, v in donnees.items()
    }
    avant = (_lignes(CodeParticipation), _lignes(ReponseAnonyme), _lignes(GroupeCodes))
    # L'adresse courte ne lit que le code : avec un bon code, elle montre le questionnaire (200).
    for url, statuts in ((f"/questionnaire/{consultation.jeton}/", {400}), ("/participer/", {200, 400})):
        reponse = Client().post(url, donnees)
        assert reponse.status_code in statuts, url
        assert "<script>alert(1)" not in reponse.content.decode()
    assert (_lignes(CodeParticipation), _lignes(ReponseAnonyme), _lignes(GroupeCodes)) == avant


# --- Limites d'envoi ----------------------------------------------------------------------------------


@pytest.fixture
def horloge(monkeypatch):
    """Une horloge que le test avance : passer à la fenêtre suivante sans attendre."""
    instant = [1_800_000_000.0]
    monkeypatch.setattr(limites, "horloge", lambda: instant[0])
    return instant


def _client(adresse: str = "203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=adresse)


def test_lien_ouvert_limite_par_adresse(lien_ouvert, settings, horloge):
    settings.LIMITES = {
        **settings.LIMITES,
        "lien_ouvert_par_adresse": (3, 600),
        "lien_ouvert_par_temoin": (99, 600),
    }
    url = f"/questionnaire/{lien_ouvert.jeton}/"
    for _ in range(3):  # trois navigateurs neufs derrière la même adresse
        assert _client().post(url, {"note-gain_temps": "2"}).status_code == 302
    trop = _client().post(url, {"note-gain_temps": "2"})
    assert trop.status_code == 429 and int(trop["Retry-After"]) <= 600
    assert "Rien n'a été enregistré" in trop.content.decode()
    assert ReponseAnonyme.objects.count() == 3
    assert _client("198.51.100.1").post(url, {"note-gain_temps": "2"}).status_code == 302  # autre adresse
    horloge[0] += 600  # fenêtre suivante
    assert _client().post(url, {"note-gain_temps": "2"}).status_code == 302
    assert ReponseAnonyme.objects.count() == 5


def test_lien_ouvert_limite_par_temoin(lien_ouvert, settings, horloge):
    settings.LIMITES = {
        **settings.LIMITES,
        "lien_ouvert_par_adresse": (99, 600),
        "lien_ouvert_par_temoin": (2, 600),
    }
    url = f"/questionnaire/{lien_ouvert.jeton}/"
    navigateur = _client()
    navigateur.get(url)
    assert navigateur.cookies[limites.TEMOIN].value
    for _ in range(2):
        assert navigateur.post(url, {"note-gain_temps": "2"}).status_code == 302
        del navigateur.cookies[f"balise-questionnaire-{lien_ouvert.pk}"]  # « déjà répondu » effacé
    assert navigateur.post(url, {"note-gain_temps": "2"}).status_code == 429
    assert ReponseAnonyme.objects.count() == 2
    assert _client().post(url, {"note-gain_temps": "2"}).status_code == 302  # même adresse, autre navigateur


def test_codes_refuses_limites_les_codes_acceptes_ne_comptent_pas(
    consultation, referent_a, settings, horloge
):
    settings.LIMITES = {**settings.LIMITES, "codes_par_adresse": (3, 600), "codes_par_temoin": (99, 600)}
    feuille = services.creer_groupe_de_codes(consultation, "Service des eaux", 8, referent_a)
    url = f"/questionnaire/{consultation.jeton}/"
    for code in feuille.codes[:6]:  # six agents de la même mairie, même adresse : aucun refus
        assert _client().post(url, {"code": code}).status_code == 200
        assert _client().post(url, _reponses_du_formulaire(code)).status_code == 302
    for _ in range(3):
        assert _client().post(url, {"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 400
    # Limite atteinte : même un bon code attend, ici comme à l'adresse courte ; rien n'est écrit.
    for adresse in (url, "/participer/"):
        trop = _client().post(adresse, _reponses_du_formulaire(feuille.codes[6]))
        assert trop.status_code == 429 and "Trop de codes de participation" in trop.content.decode()
    assert ReponseAnonyme.objects.count() == 6 and CodeParticipation.objects.count() == 2
    horloge[0] += 600
    assert _client().post(url, _reponses_du_formulaire(feuille.codes[6])).status_code == 302


@pytest.mark.parametrize(
    ("meta", "attendu"),
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, "203.0.113.7"),
        # L'en-tête d'un pair qui n'est pas un mandataire de confiance ne change rien (balise/mandataires.py).
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.7"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "n'importe quoi"}, "inconnue"),
    ],
)
def test_adresse_du_client(rf, meta, attendu):
    requete = rf.get("/participer/")
    requete.META.update(meta)
    assert limites.adresse_du_client(requete) == attendu


def test_derriere_un_mandataire_de_confiance_le_client_reel_est_compte(lien_ouvert, settings, horloge):
    settings.PROXIES_DE_CONFIANCE = ["10.0.0.5"]
    settings.LIMITES = {**settings.LIMITES, "lien_ouvert_par_adresse": (1, 600)}
    url = f"/questionnaire/{lien_ouvert.jeton}/"

    def envoyer(client_reel: str) -> int:
        return (
            Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=client_reel)
            .post(url, {"note-gain_temps": "2"})
            .status_code
        )

    assert envoyer("198.51.100.1") == 302
    assert envoyer("198.51.100.2") == 302  # un collègue derrière le même mandataire
    assert envoyer("198.51.100.1") == 429


# --- Les pages de qui pilote ------------------------------------------------------------------------


def _page(org, consultation) -> str:
    return f"/o/{org.slug}/consultations/{consultation.pk}/"


def test_generer_imprimer_et_suivre_les_codes_par_les_pages(client, consultation, org_a, referent_a):
    client.force_login(referent_a)
    base = _page(org_a, consultation)
    feuille = client.post(f"{base}codes/", {"libelle": "Service des eaux", "nombre": "25"})
    assert feuille.status_code == 200 and feuille["Cache-Control"] == "no-store"
    contenu = feuille.content.decode()
    imprimes = [c for c in codes_de_la_feuille(contenu)]
    assert len(imprimes) == 25 and "Imprimer la feuille" in contenu
    assert f"{base}qr.svg" in contenu and "http://testserver/participer/" in contenu
    services.repondre_anonymement(consultation, _saisies(), code=imprimes[0])
    page = client.get(base).content.decode()
    assert not [c for c in imprimes if c in page]  # plus jamais montrés
    assert "<td>25</td><td>1</td><td>0</td><td>24</td>" in page.replace("\n", "").replace("    ", "")
    groupe = GroupeCodes.objects.get()
    plus = client.post(f"{base}codes/{groupe.pk}/", {f"groupe-{groupe.pk}-nombre": "5"})
    assert plus.status_code == 200 and len(codes_de_la_feuille(plus.content.decode())) == 5
    retrait = client.post(f"{base}codes/{groupe.pk}/retrait/", follow=True)
    assert "29 codes non utilisés de « Service des eaux » retirés" in retrait.content.decode()
    assert CodeParticipation.objects.count() == 0
    # Générations et retraits, datés et attribués ; l'usage d'un code n'y figure pas.
    journal = [e.texte for e in selectors.journal_des_codes(consultation)]
    assert journal == [
        "a retiré 29 codes non utilisés de « Service des eaux »",
        "a généré 5 codes pour « Service des eaux »",
        "a généré 25 codes pour « Service des eaux »",
    ]
    assert f"{referent_a.nom_affiche} a retiré 29 codes" in retrait.content.decode()


def codes_de_la_feuille(contenu: str) -> list[str]:
    import re

    return re.findall(r'<strong class="balise-code-participation">([0-9A-Z-]{14})</strong>', contenu)


@pytest.mark.parametrize(
    "donnees",
    [{"libelle": "Service des eaux", "nombre": "2"}, {"libelle": "", "nombre": "10"}, {"nombre": "abc"}],
)
def test_generation_refusee_par_la_page(client, consultation, org_a, referent_a, donnees):
    client.force_login(referent_a)
    reponse = client.post(f"{_page(org_a, consultation)}codes/", donnees, follow=True)
    assert reponse.redirect_chain and "fr-alert--error" in reponse.content.decode()
    assert not GroupeCodes.objects.exists() and not CodeParticipation.objects.exists()


def test_qr_code_de_l_adresse_du_questionnaire(client, consultation, org_a, referent_a, lecteur_a):
    client.force_login(referent_a)
    reponse = client.get(f"{_page(org_a, consultation)}qr.svg")
    assert reponse["Content-Type"] == "image/svg+xml"
    adresse = f"http://testserver/questionnaire/{consultation.jeton}/"
    assert reponse.content.decode() == qr.svg(adresse)
    assert segno.make(adresse, error="m").designator in ("3-M", "4-M", "5-M")  # lisible par un téléphone
    assert "style" not in reponse.content.decode() and "<script" not in reponse.content.decode()
    client.force_login(lecteur_a)
    assert client.get(f"{_page(org_a, consultation)}qr.svg").status_code == 403


def test_lien_ouvert_herite_signale_a_qui_pilote(client, lien_ouvert, org_a, referent_a):
    Consultation.objects.filter(pk=lien_ouvert.pk).update(lien_ouvert_herite=True)
    client.force_login(referent_a)
    page = client.get(_page(org_a, lien_ouvert)).content.decode()
    assert "Lien ouvert : une même personne peut répondre plusieurs fois" in page
    assert "ouvert avant l'arrivée des codes de participation" in page
    assert "Générer les codes" not in page


def test_ouvrir_par_la_page_codes_par_defaut_ou_lien_ouvert_choisi(client, systeme_a, org_a, referent_a):
    client.force_login(referent_a)
    url = f"/o/{org_a.slug}/registre/{systeme_a.pk}/consultations/nouvelle/"
    donnees = {"consultation-instrument": _questionnaire().pk, "consultation-moment": "bilan"}
    assert client.post(url, {**donnees, "consultation-mode": "codes"}).status_code == 302
    echeance = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert (
        client.post(
            url, {**donnees, "consultation-mode": "lien_ouvert", "consultation-echeance": echeance}
        ).status_code
        == 302
    )
    assert client.post(url, {**donnees, "consultation-mode": "autre"}).status_code == 302  # refusé
    assert [(c.mode, str(c.echeance)) for c in Consultation.objects.order_by("pk")] == [
        ("codes", "None"),
        ("lien_ouvert", echeance),
    ]


REDIS = __import__("os").environ.get("BALISE_TEST_REDIS_URL")


@pytest.mark.parametrize("partage", ["fichiers", "redis"])
def test_compteurs_des_limites_sur_chaque_cache_partage(rf, settings, horloge, partage):
    """La même règle sur le cache de fichiers (une machine) et sur Redis (plusieurs)."""
    from django.core.cache import caches

    if partage == "redis":
        if not REDIS:
            pytest.skip("BALISE_TEST_REDIS_URL absente : `make test` démarre Redis et la pose")
        settings.CACHES = {
            **settings.CACHES,
            "partage": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
        }
        caches["partage"].clear()
    settings.LIMITES = {"essai_par_adresse": (3, 60), "essai_par_temoin": (99, 60)}
    requete = rf.post("/participer/", REMOTE_ADDR="203.0.113.7")
    envois = [limites.compter_envoi("essai", requete) for _ in range(3)]
    assert not [e for e in envois if e.depassement]
    limites.rendre(envois[0])  # un envoi rendu (code accepté) libère sa place
    assert limites.compter_envoi("essai", requete).depassement is None
    depasse = limites.compter_envoi("essai", requete).depassement
    assert depasse is not None and 0 < depasse.reessayer_dans <= 60
    if partage == "redis":  # les clés sont lisibles dans Redis : l'adresse n'y est pas en clair
        cles = caches["partage"]._cache.get_client().keys("*")
        assert cles and not [c for c in cles if b"203.0.113.7" in c]
    horloge[0] += 60
    assert limites.compter_envoi("essai", requete).depassement is None


# --- Migration : les consultations d'avant les codes ------------------------------------------------


def test_migration_les_consultations_existantes_restent_en_lien_ouvert_signale(
    consultation, systeme_a, referent_a
):
    """La migration 0002 passe en lien ouvert, signalé, toute consultation qui existait avant elle.

    (La fonction de la migration, appliquée ici aux modèles courants : rejouer les migrations en
    arrière puis en avant coûterait une dizaine de secondes à chaque lancement des tests.)"""
    import importlib

    from django.apps import apps
    from django.db.migrations import RunPython

    migration = importlib.import_module("balise.instruments.migrations.0002_consultations_par_codes")
    assert [o.code for o in migration.Migration.operations if isinstance(o, RunPython)] == [
        migration._lien_ouvert_pour_les_existantes
    ]
    migration._lien_ouvert_pour_les_existantes(apps, None)
    migree = Consultation.objects.get(pk=consultation.pk)
    assert migree.mode == Consultation.Mode.LIEN_OUVERT and migree.lien_ouvert_herite
    assert {(h.mode, h.lien_ouvert_herite) for h in migree.history.all()} == {("lien_ouvert", True)}
    # Elle fonctionne comme avant : on y répond sans code.
    services.repondre_anonymement(migree, _saisies())
    assert ReponseAnonyme.objects.filter(consultation=migree).count() == 1
    # Une consultation ouverte ensuite : codes par défaut, rien de signalé.
    nouvelle = services.ouvrir_consultation(systeme_a, _questionnaire(), "bilan", referent_a)
    assert nouvelle.mode == Consultation.Mode.CODES and not nouvelle.lien_ouvert_herite
