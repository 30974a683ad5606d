"""Évaluations, adaptations d'instruments et consultations anonymes : les règles des services et des pages."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from balise.instruments import selectors, services
from balise.instruments.models import (
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    Reponse,
    ReponseAnonyme,
)
from balise.instruments.services import Saisie
from tests import fabrique


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


@pytest.fixture
def girouet(db):
    return _national("girouet")


@pytest.fixture
def evaluation(systeme_a, girouet, referent_a):
    return services.demarrer_evaluation(systeme_a, girouet, "amont", referent_a)


# --- Définitions nationales en base ----------------------------------------------------------------


def test_les_definitions_livrees_sont_en_base(db):
    codes = set(DefinitionInstrument.objects.filter(organisation=None).values_list("code", flat=True))
    assert codes == {
        "radar-decision",
        "girouet",
        "grille-cotation-nord",
        "boussole-nantes",
        "matrice-inet",
        "checklist-agents",
        "questionnaire-experimentation",
    }


def test_une_version_livree_deja_utilisee_ne_change_plus(evaluation, girouet):
    girouet.contenu = {**girouet.contenu, "titre": "Ancien titre"}
    girouet.save()
    with pytest.raises(services.DefinitionLivreeModifiee, match="version 2"):
        services.synchroniser_definitions_livrees()


def test_une_version_livree_inutilisee_suit_son_fichier(girouet):
    girouet.contenu = {**girouet.contenu, "titre": "Ancien titre"}
    girouet.save()
    services.synchroniser_definitions_livrees()
    girouet.refresh_from_db()
    assert girouet.contenu["titre"] != "Ancien titre"


@pytest.fixture
def checklist_v1_retiree(db):
    """Une base qui a connu la check-list v1 (son fichier n'est plus livré) : sa ligne reste en base."""
    v2 = _national("checklist-agents")
    contenu = {**v2.contenu, "version": 1, "titre": "Check-list v1"}
    contenu["sections"] = [dict(s) for s in contenu["sections"]]
    contenu["sections"][0]["items"] = [
        {**contenu["sections"][0]["items"][0], "libelle": "Libellé de la v1"},
        *contenu["sections"][0]["items"][1:],
    ]
    return DefinitionInstrument.objects.create(
        code="checklist-agents", version=1, titre="Check-list v1", contenu=contenu
    )


def test_une_version_livree_retiree_reste_lisible(checklist_v1_retiree, systeme_a, referent_a, org_a):
    v1 = checklist_v1_retiree
    ancienne = services.demarrer_evaluation(systeme_a, v1, "amont", referent_a)
    services.inviter_evaluateur(ancienne, referent_a, "direction", referent_a)
    services.coter(ancienne, referent_a, {"s_emparer_du_sujet": Saisie(1)})
    contenu = dict(v1.contenu)
    services.synchroniser_definitions_livrees()  # le fichier v1 absent n'est ni une erreur ni une suppression
    v1.refresh_from_db()
    assert v1.contenu == contenu
    r = selectors.resultat(Evaluation.objects.get(pk=ancienne.pk))
    assert r.definition.version == 1 and r.definition.items[0].libelle == "Libellé de la v1"
    assert r.sections[0].items[0].moyenne == 1


def test_demarrer_une_evaluation_propose_la_derniere_version_livree(
    client, checklist_v1_retiree, systeme_a, referent_a, org_a
):
    v2 = DefinitionInstrument.objects.get(organisation=None, code="checklist-agents", version=2)
    courants = selectors.instruments_courants(org_a)
    assert [i.pk for i in courants if i.code == "checklist-agents"] == [v2.pk]
    client.force_login(referent_a)
    page = client.get(_url(org_a, f"registre/{systeme_a.pk}/evaluations/")).content.decode()
    assert escape(f"{v2.titre} (v2)") in page and "Check-list v1" not in page
    # La v1 ne se démarre plus par la page : elle n'est pas parmi les choix.
    nouvelle = _url(org_a, f"registre/{systeme_a.pk}/evaluations/nouvelle/")
    client.post(
        nouvelle, {"evaluation-choix": f"{checklist_v1_retiree.pk}:amont", "evaluation-profil": "agent"}
    )
    assert not Evaluation.objects.exists()
    client.post(nouvelle, {"evaluation-choix": f"{v2.pk}:amont", "evaluation-profil": "agent"})
    assert Evaluation.objects.get().instrument == v2


def test_a_version_egale_l_adaptation_de_l_organisation_passe_devant(checklist_v1_retiree, org_a, referent_a):
    # L'organisation avait adapté la v1 (son adaptation porte le numéro 2) avant que la v2 nationale soit livrée.
    v1 = checklist_v1_retiree
    contenu = {**v1.contenu, "version": 2, "titre": "Notre check-list"}
    adaptee = DefinitionInstrument.objects.create(
        organisation=org_a, code=v1.code, version=2, titre="Notre check-list", contenu=contenu, base=v1
    )
    assert [i.pk for i in selectors.instruments_courants(org_a) if i.code == v1.code] == [adaptee.pk]
    versions = [(i.version, i.organisation_id) for i in selectors.instruments(org_a) if i.code == v1.code]
    assert versions == [(2, org_a.pk), (2, None), (1, None)]


# --- Cotation ----------------------------------------------------------------------------------


def test_deux_evaluateurs_et_leur_desaccord(evaluation, org_a, referent_a):
    agent = fabrique.membre(org_a, "lecteur", "agent@exemple.fr")
    services.inviter_evaluateur(evaluation, agent, "agent", referent_a)
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, agent, {"autonomie": Saisie(1, commentaire="Le rythme est imposé.")})
    services.coter(evaluation, referent_a, {"autonomie": Saisie(4)})
    r = selectors.resultat(evaluation)
    autonomie = r.sections[0].items[0]
    assert (autonomie.minimum, autonomie.maximum, autonomie.desaccord) == (1, 4, True)
    assert autonomie.commentaires == [("Agent utilisateur", "Le rythme est imposé.")]
    assert r.sections[0].par_profil == {"Agent utilisateur": 1, "Direction ou encadrement": 4}
    assert r.sections[0].profils_divergents


def test_recoter_modifie_et_garde_l_historique(evaluation, referent_a):
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"autonomie": Saisie(2)})
    assert services.coter(evaluation, referent_a, {"autonomie": Saisie(2)}) == 0  # rien de changé
    services.coter(evaluation, referent_a, {"autonomie": Saisie(3)})
    reponse = Reponse.objects.get()
    assert reponse.valeur == 3
    assert [h.valeur for h in reponse.history.order_by("history_date")] == [2, 3]


@pytest.mark.parametrize(
    ("saisies", "message"),
    [
        ({"autonomie": Saisie(5)}, "entre 1 et 4"),
        ({"autonomie": Saisie(0)}, "entre 1 et 4"),
        ({"item-invente": Saisie(2)}, "n'existe pas"),
        ({"autonomie": Saisie(sans_objet=True)}, "sans objet"),
        ({"autonomie": Saisie(choix=("x",))}, "pas des choix"),
        ({"autonomie": Saisie(2, commentaire="x" * 2001)}, "trop long"),
    ],
)
def test_cotations_hors_definition_refusees_en_bloc(evaluation, referent_a, saisies, message):
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    with pytest.raises(ValidationError) as exc:
        services.coter(evaluation, referent_a, {"savoir_faire": Saisie(3), **saisies})
    assert message in " ".join(exc.value.messages)
    assert not Reponse.objects.exists()  # la cotation valide du même envoi n'est pas gardée non plus


def test_seul_un_invite_cote(evaluation, lecteur_a):
    with pytest.raises(ValidationError, match="pas invité"):
        services.coter(evaluation, lecteur_a, {"autonomie": Saisie(2)})


def test_on_n_invite_pas_hors_de_l_organisation(evaluation, admin_b, referent_a):
    with pytest.raises(ValidationError, match="membre de l'organisation"):
        services.inviter_evaluateur(evaluation, admin_b, "agent", referent_a)
    # Seule la personne qui a ouvert l'évaluation l'est : rien n'a été ajouté.
    assert list(Evaluateur.objects.values_list("utilisateur", flat=True)) == [referent_a.pk]


def test_finaliser_fige_l_evaluation(evaluation, referent_a):
    with pytest.raises(ValidationError, match="sans aucune cotation"):
        services.finaliser(evaluation, referent_a)
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"autonomie": Saisie(2)})
    services.finaliser(evaluation, referent_a)
    for operation in (
        lambda: services.coter(evaluation, referent_a, {"autonomie": Saisie(4)}),
        lambda: services.inviter_evaluateur(evaluation, referent_a, "agent", referent_a),
        lambda: services.finaliser(evaluation, referent_a),
    ):
        with pytest.raises(ValidationError, match="finalisée"):
            operation()
    assert Reponse.objects.get().valeur == 2


def test_moment_et_instrument_controles(systeme_a, referent_a, org_b, admin_b):
    radar = _national("radar-decision")
    with pytest.raises(ValidationError, match="moment"):
        services.demarrer_evaluation(
            systeme_a, radar, "bilan", referent_a
        )  # le radar ne connaît pas le bilan
    systeme_b = fabrique.systeme(org_b, admin_b)
    adaptation_b = services.adapter(org_b, radar, _yaml_adapte("radar-decision"), admin_b, 1)
    with pytest.raises(ValidationError, match="pas disponible"):
        services.demarrer_evaluation(systeme_a, adaptation_b, "amont", referent_a)
    assert services.demarrer_evaluation(systeme_b, adaptation_b, "amont", admin_b)


# --- Adaptation d'un instrument ----------------------------------------------------------------


def _yaml_adapte(code: str, titre: str = "Version de la commune") -> str:
    from balise.instruments.definition import en_yaml

    definition = _national(code).definition
    return en_yaml(definition).replace(f"titre: {definition.titre}", f"titre: {titre}", 1)


def test_adapter_cree_une_version_propre_et_garde_l_ancienne(evaluation, girouet, org_a, referent_a):
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"autonomie": Saisie(2)})
    texte = _yaml_adapte("girouet").replace("libelle: Autonomie", "libelle: Autonomie des agents")
    adaptee = services.adapter(org_a, girouet, texte, referent_a, 1)
    assert (adaptee.organisation, adaptee.version, adaptee.base) == (org_a, 2, girouet)
    assert adaptee.definition.items[0].libelle == "Autonomie des agents"
    evaluation.refresh_from_db()
    assert evaluation.instrument == girouet  # l'évaluation garde sa version
    assert selectors.resultat(evaluation).sections[0].items[0].item.libelle == "Autonomie"
    assert (
        selectors.instruments_courants(org_a)[
            [i.code for i in selectors.instruments_courants(org_a)].index("girouet")
        ]
        == adaptee
    )


def test_une_adaptation_reste_dans_son_organisation(girouet, org_a, org_b, referent_a, admin_b):
    services.adapter(org_a, girouet, _yaml_adapte("girouet"), referent_a, 1)
    assert all(i.organisation is None for i in selectors.instruments(org_b))


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("id: autre\n", "titre : champ obligatoire absent"),
        ("id: girouet\ninconnu: 1\n", "inconnu : champ inconnu"),
        ("- une liste\n", "dictionnaire"),
        ("titre: [\n", "YAML valide"),
        ("a: &x [1]\nb: *x\n", "alias"),
    ],
)
def test_adaptation_invalide_refusee_en_francais(girouet, org_a, referent_a, texte, message):
    with pytest.raises(ValidationError) as exc:
        services.adapter(org_a, girouet, texte, referent_a, 1)
    assert message in " ".join(exc.value.messages)
    assert DefinitionInstrument.objects.filter(organisation=org_a).count() == 0


def test_l_identifiant_d_une_adaptation_ne_change_pas(girouet, org_a, referent_a):
    texte = _yaml_adapte("girouet").replace("id: girouet", "id: autre-chose", 1)
    with pytest.raises(ValidationError, match="doit rester « girouet »"):
        services.adapter(org_a, girouet, texte, referent_a, 1)


# --- Consultation anonyme ---------------------------------------------------------------------


@pytest.fixture
def consultation(systeme_a, referent_a):
    return services.ouvrir_consultation(
        systeme_a, _national("questionnaire-experimentation"), "bilan", referent_a
    )


@pytest.fixture
def lien_ouvert(systeme_a, referent_a):
    return services.ouvrir_consultation(
        systeme_a,
        _national("questionnaire-experimentation"),
        "bilan",
        referent_a,
        mode=Consultation.Mode.LIEN_OUVERT,
    )


def _une_reponse(consultation, valeur: int = 3, code: str | None = None) -> None:
    definition = consultation.instrument.definition
    note = definition.items_notes[0]
    choix = next(i for i in definition.items if i.type == "choix")
    services.repondre_anonymement(
        consultation, {note.id: Saisie(valeur), choix.id: Saisie(choix=(choix.choix[0],))}, code=code
    )


def test_jeton_imprevisible_et_reserve_aux_questionnaires(consultation, systeme_a, girouet, referent_a):
    assert len(consultation.jeton) >= 40
    assert consultation.mode == Consultation.Mode.CODES  # les codes, sauf choix contraire explicite
    autre = services.ouvrir_consultation(
        systeme_a, _national("questionnaire-experimentation"), "bilan", referent_a
    )
    assert autre.jeton != consultation.jeton
    with pytest.raises(ValidationError, match="pas un questionnaire"):
        services.ouvrir_consultation(systeme_a, girouet, "bilan", referent_a)


def test_resultats_seulement_a_partir_de_cinq_reponses(consultation, referent_a):
    feuille = services.creer_groupe_de_codes(consultation, "Service des eaux", 6, referent_a)
    for code in feuille.codes[: selectors.SEUIL_ANONYMAT - 1]:
        _une_reponse(consultation, code=code)
    assert selectors.resultat_consultation(consultation) is None
    _une_reponse(consultation, 1, code=feuille.codes[-1])
    r = selectors.resultat_consultation(consultation)
    assert r.evaluateurs == selectors.SEUIL_ANONYMAT
    # Les cinq réponses sont comptées (chaque section a ses items même sans réponse : ce n'est pas
    # cela qu'il faut vérifier).
    premier = consultation.instrument.definition.items_notes[0].id
    note = next(i for s in r.sections for i in s.items if i.item.id == premier)
    assert note.n == selectors.SEUIL_ANONYMAT and note.repartition == {1: 1, 2: 0, 3: 4, 4: 0}


def test_reponse_anonyme_ne_garde_rien_qui_identifie(lien_ouvert):
    _une_reponse(lien_ouvert)
    colonnes = {f.name for f in ReponseAnonyme._meta.get_fields()}
    assert colonnes == {"id", "consultation", "reponses", "recue_le"}
    assert not hasattr(ReponseAnonyme, "history")  # pas d'historique qui daterait la réponse à la seconde


def test_questionnaire_clos_refuse_les_reponses(lien_ouvert, referent_a):
    services.fermer_consultation(lien_ouvert, referent_a)
    with pytest.raises(ValidationError, match="clos"):
        _une_reponse(lien_ouvert)
    assert not ReponseAnonyme.objects.exists()


def test_reponse_vide_ou_hors_echelle_refusee(lien_ouvert):
    with pytest.raises(ValidationError, match="au moins une question"):
        services.repondre_anonymement(lien_ouvert, {})
    note = lien_ouvert.instrument.definition.items_notes[0]
    with pytest.raises(ValidationError):
        services.repondre_anonymement(lien_ouvert, {note.id: Saisie(99)})
    assert not ReponseAnonyme.objects.exists()


# --- Lectures en nombre de requêtes constant ---------------------------------------------------


def test_comparaison_et_dossier_en_requetes_constantes(
    systeme_a, girouet, referent_a, django_assert_max_num_queries
):
    def evaluation_finalisee():
        e = services.demarrer_evaluation(systeme_a, girouet, "bilan", referent_a)
        services.inviter_evaluateur(e, referent_a, "direction", referent_a)
        services.coter(e, referent_a, {"autonomie": Saisie(3)})
        services.finaliser(e, referent_a)

    evaluation_finalisee()
    with django_assert_max_num_queries(3) as une:
        selectors.comparaison(systeme_a, "girouet")
    for _ in range(5):
        evaluation_finalisee()
    with django_assert_max_num_queries(len(une.captured_queries)):
        assert len(selectors.comparaison(systeme_a, "girouet")) == 6
    with django_assert_max_num_queries(len(une.captured_queries)):
        assert len(selectors.dernieres_finalisees(systeme_a)) == 1
    assert Evaluation.objects.count() == 6 and Consultation.objects.count() == 0


# --- Les pages ----------------------------------------------------------------------------------


def _url(org, chemin: str) -> str:
    return f"/o/{org.slug}/{chemin}"


def test_coter_par_la_page(client, evaluation, org_a, referent_a):
    agent = fabrique.membre(org_a, "lecteur", "agent@exemple.fr")
    services.inviter_evaluateur(evaluation, agent, "agent", referent_a)
    client.force_login(agent)
    url = _url(org_a, f"evaluations/{evaluation.pk}/cotation/")
    page = client.get(url)
    assert page.status_code == 200
    assert "Est-ce que l&#x27;IA guide mes actions et leur rythme ?" in page.content.decode()
    reponse = client.post(url, {"note-autonomie": "2", "commentaire-autonomie": "<script>alert(1)</script>"})
    assert reponse.status_code == 302
    assert Reponse.objects.get().valeur == 2
    detail = client.get(_url(org_a, f"evaluations/{evaluation.pk}/")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>alert(1)" not in detail


@pytest.mark.parametrize(
    "donnees",
    [
        {"note-autonomie": "9"},
        {"note-autonomie": "sans_objet"},
        {"note-autonomie": "deux"},
        {"note-autonomie": "2", "commentaire-autonomie": "x" * 2001},
    ],
)
def test_cotation_falsifiee_refusee(client, evaluation, referent_a, org_a, donnees):
    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    client.force_login(referent_a)
    reponse = client.post(_url(org_a, f"evaluations/{evaluation.pk}/cotation/"), donnees)
    assert reponse.status_code == 400
    assert "Vos cotations n'ont pas été enregistrées" in reponse.content.decode()
    assert not Reponse.objects.exists()


def test_non_invite_ne_cote_pas(client, evaluation, admin_a, org_a):
    client.force_login(admin_a)
    url = _url(org_a, f"evaluations/{evaluation.pk}/cotation/")
    assert client.get(url).status_code == 403
    assert client.post(url, {"note-autonomie": "2"}).status_code == 403
    assert not Reponse.objects.exists()


def test_adaptation_invalide_par_la_page(client, girouet, referent_a, org_a):
    client.force_login(referent_a)
    reponse = client.post(
        _url(org_a, f"instruments/{girouet.pk}/adapter/"),
        {"texte": "id: girouet\nversion: 1\n", "version": "1"},
    )
    assert reponse.status_code == 400
    assert "champ obligatoire absent" in reponse.content.decode()
    assert DefinitionInstrument.objects.filter(organisation=org_a).count() == 0


def test_questionnaire_en_lien_ouvert_de_bout_en_bout(client, lien_ouvert, referent_a, org_a):
    consultation = lien_ouvert
    url = f"/questionnaire/{consultation.jeton}/"
    definition = consultation.instrument.definition
    note = definition.items_notes[0]
    anonyme = type(client)()
    assert anonyme.get(url).status_code == 200
    assert anonyme.post(url, {f"note-{note.id}": "99"}).status_code == 400  # hors échelle
    reponse = anonyme.post(url, {f"note-{note.id}": "2"})
    assert reponse.status_code == 302
    assert ReponseAnonyme.objects.count() == 1
    # Le même navigateur ne répond pas deux fois par mégarde.
    assert "Merci" in anonyme.get(url).content.decode()
    anonyme.post(url, {f"note-{note.id}": "3"})
    assert ReponseAnonyme.objects.count() == 1
    # Moins de 5 réponses : rien n'est montré, même au pilote.
    client.force_login(referent_a)
    page = client.get(_url(org_a, f"consultations/{consultation.pk}/")).content.decode()
    assert "à partir de 5 réponses" in page and consultation.jeton in page
    assert "Lien ouvert : une même personne peut répondre plusieurs fois" in page
    services.fermer_consultation(consultation, referent_a)
    assert type(client)().get(url).status_code == 410
    assert type(client)().get("/questionnaire/jeton-invente/").status_code == 404


def test_le_lien_n_est_montre_qu_a_ceux_qui_pilotent(client, consultation, lecteur_a, org_a):
    client.force_login(lecteur_a)
    page = client.get(_url(org_a, f"consultations/{consultation.pk}/")).content.decode()
    assert consultation.jeton not in page


def test_dossier_pdf_contient_fiche_et_evaluations(client, evaluation, referent_a, org_a, systeme_a):
    import io

    from pypdf import PdfReader

    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"autonomie": Saisie(1, commentaire="Rythme imposé par l'outil.")})
    services.finaliser(evaluation, referent_a)
    client.force_login(referent_a)
    reponse = client.get(_url(org_a, f"registre/{systeme_a.pk}/dossier.pdf"))
    assert reponse["Content-Type"] == "application/pdf"
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages)
    texte = " ".join(texte.split())
    for attendu in (
        "Détection des fuites",
        "Fiche du registre",
        "Girouet",
        "Autonomie",
        "Rythme imposé par l'outil.",
    ):
        assert attendu in texte


def test_journal_de_l_evaluation(client, evaluation, org_a, referent_a):
    agent = fabrique.membre(org_a, "lecteur", "agent@exemple.fr")
    services.inviter_evaluateur(evaluation, agent, "agent", referent_a)
    services.coter(evaluation, agent, {"autonomie": Saisie(2)})
    services.coter(evaluation, agent, {"autonomie": Saisie(4, commentaire="Après la formation.")})
    services.finaliser(evaluation, referent_a)
    entrees = selectors.journal(evaluation)
    textes = [e.texte for e in entrees]
    # Chaque entrée est attribuée, même quand l'opération n'est pas passée par une page.
    assert {e.auteur for e in entrees} == {referent_a.nom_affiche, agent.nom_affiche}
    assert textes[0] == "a finalisé l'évaluation"
    assert textes[-1] == "a ouvert l'évaluation"
    assert (
        "a coté « Autonomie » : 2 (déséquilibre négatif entre les avantages et les inconvénients perçus) → "
        "4 (impacts positifs prédominants) (avec commentaire)"
    ) in textes
    assert any(t.startswith("a invité") and "(agent utilisateur)" in t for t in textes)
    client.force_login(agent)
    page = client.get(_url(org_a, f"evaluations/{evaluation.pk}/journal/")).content.decode()
    assert "a finalisé l&#x27;évaluation" in page


def test_plafond_de_reponses_d_une_consultation(lien_ouvert, monkeypatch):
    consultation = lien_ouvert
    monkeypatch.setattr(services, "PLAFOND_REPONSES", 2)
    _une_reponse(consultation)
    _une_reponse(consultation)
    with pytest.raises(ValidationError, match="nombre maximal de réponses"):
        _une_reponse(consultation)
    assert ReponseAnonyme.objects.count() == 2


def test_reevaluer_reprend_les_evaluateurs(client, evaluation, org_a, referent_a):
    agent = fabrique.membre(org_a, "lecteur", "agent@exemple.fr")
    services.inviter_evaluateur(evaluation, agent, "agent", referent_a)
    services.coter(evaluation, agent, {"autonomie": Saisie(2)})
    services.finaliser(evaluation, referent_a)
    client.force_login(referent_a)
    reponse = client.post(_url(org_a, f"evaluations/{evaluation.pk}/reevaluation/"), {"moment": "bilan"})
    nouvelle = Evaluation.objects.exclude(pk=evaluation.pk).get()
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"/evaluations/{nouvelle.pk}/")
    assert (nouvelle.moment, nouvelle.instrument, nouvelle.finalisee) == (
        "bilan",
        evaluation.instrument,
        False,
    )
    # La personne qui rouvre est évaluatrice (son profil d'avant), puis les évaluateurs repris.
    assert [(e.utilisateur, e.profil) for e in nouvelle.evaluateurs.all()] == [
        (referent_a, "autre"),
        (agent, "agent"),
    ]
    assert not Reponse.objects.filter(evaluateur__evaluation=nouvelle).exists()


def test_dossier_pdf_montre_les_evaluations_en_cours_comme_provisoires(
    client, evaluation, referent_a, org_a, systeme_a
):
    import io

    from pypdf import PdfReader

    services.inviter_evaluateur(evaluation, referent_a, "direction", referent_a)
    services.coter(evaluation, referent_a, {"autonomie": Saisie(2, commentaire="Cadence encore mal connue.")})
    client.force_login(referent_a)
    reponse = client.get(_url(org_a, f"registre/{systeme_a.pk}/dossier.pdf"))
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages)
    texte = " ".join(texte.split())
    assert "en cours, résultats provisoires" in texte
    assert "Cadence encore mal connue." in texte
    services.finaliser(evaluation, referent_a)
    reponse = client.get(_url(org_a, f"registre/{systeme_a.pk}/dossier.pdf"))
    texte = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages).split())
    assert "en cours, résultats provisoires" not in texte
    assert "Cadence encore mal connue." in texte
