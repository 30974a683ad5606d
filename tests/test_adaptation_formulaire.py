"""Adapter un instrument par formulaire (sans YAML) : changements appliqués, aperçu, erreurs en français,
même schéma que le YAML, verrou de version, attribution et historique."""

import pytest
from django.core.exceptions import ValidationError

from balise.instruments import adaptation, selectors, services
from balise.instruments.adaptation import ChangementItem, Changements, NouvelItem
from balise.instruments.definition import en_yaml
from balise.instruments.models import DefinitionInstrument
from tests import fabrique


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


def _url(org, instrument, chemin="adaptation/") -> str:
    return f"/o/{org.slug}/instruments/{instrument.pk}/{chemin}"


def _donnees(definition, version=1, **changes) -> dict:
    """Ce qu'envoie le formulaire sans rien changer, puis les changements donnés."""
    donnees = {"titre": definition.titre, "version": str(version)}
    for section in definition.sections:
        donnees[f"section-{section.id}-titre"] = section.titre
        for item in section.items:
            donnees[f"item-{item.id}-libelle"] = item.libelle
            donnees[f"item-{item.id}-questions"] = "\n".join(item.questions)
            if item.type == "echelle":
                donnees[f"item-{item.id}-poids"] = str(item.poids).replace(".", ",")
        for champ in ("libelle", "questions", "poids"):
            donnees[f"nouvel-{section.id}-{champ}"] = ""
    donnees.update(changes)
    return donnees


def _sans_changement(definition) -> Changements:
    return Changements(
        titre=definition.titre,
        sections={s.id: s.titre for s in definition.sections},
        items={i.id: ChangementItem(i.libelle, tuple(i.questions), i.poids) for i in definition.items},
    )


# --- Fonctions pures ---------------------------------------------------------------------------------


def test_appliquer_libelle_poids_retrait_et_ajout(db):
    radar = _national("radar-decision").definition
    base = _sans_changement(radar)
    items = dict(base.items)
    items["utilite_interne"] = ChangementItem("Utilité pour les agents", ("Qui gagne du temps ?",), 2.0)
    items["utilite_externe"] = ChangementItem("x", (), None, retire=True)
    changements = Changements(
        "Notre radar",
        base.sections,
        items,
        [NouvelItem("utilite", "Utilité interne", ("Pour qui ?",), 1.5)],
    )
    definition, erreurs = adaptation.apercu(radar, changements)
    assert erreurs == [] and definition is not None
    assert definition.titre == "Notre radar"
    utilite = definition.sections[0]
    attendus = [i.id for i in radar.sections[0].items if i.id != "utilite_externe"]
    # Le nouvel item, à la fin : son identifiant est tiré du libellé, suffixé car déjà pris.
    assert [i.id for i in utilite.items] == [*attendus, "utilite_interne_2"]
    premier = utilite.items[0]
    assert (premier.libelle, premier.questions, premier.poids) == (
        "Utilité pour les agents",
        ["Qui gagne du temps ?"],
        2.0,
    )
    assert utilite.items[-1].poids == 1.5 and utilite.items[-1].questions == ["Pour qui ?"]
    # Ce que le formulaire ne montre pas reste tel quel : échelles, moments, source.
    assert definition.echelles == radar.echelles and definition.moments == radar.moments
    assert definition.source == radar.source


@pytest.mark.parametrize(
    ("changer", "attendu"),
    [
        (
            lambda items: items.update(autonomie=ChangementItem("", (), 1.0)),
            "Section « L'engagement au travail », item «  » (libellé) : ne doit pas être vide.",
        ),
        (
            lambda items: items.update(autonomie=ChangementItem("Autonomie", (), 500.0)),
            "Section « L'engagement au travail », item « Autonomie » (poids) : valeur trop grande.",
        ),
        (
            lambda items: items.update(autonomie=ChangementItem("Autonomie", (), 0.0)),
            "(poids) : valeur trop petite.",
        ),
        (
            lambda items: items.update(
                {
                    i: ChangementItem("x", (), None, retire=True)
                    for i in ("autonomie", "savoir_faire", "sens_du_travail")
                }
            ),
            "Section « L'engagement au travail » : il doit lui rester au moins un item.",
        ),
    ],
)
def test_les_erreurs_du_schema_nomment_section_et_item(db, changer, attendu):
    girouet = _national("girouet").definition
    base = _sans_changement(girouet)
    items = dict(base.items)
    changer(items)
    definition, erreurs = adaptation.apercu(girouet, Changements(base.titre, base.sections, items))
    assert definition is None
    assert any(attendu in e for e in erreurs), erreurs


def test_la_matrice_refuse_un_troisieme_axe_comme_en_yaml(db):
    matrice = _national("matrice-inet").definition
    base = _sans_changement(matrice)
    section = matrice.sections[0].id
    _, erreurs = adaptation.apercu(
        matrice, Changements(base.titre, base.sections, base.items, [NouvelItem(section, "Troisième axe")])
    )
    assert any("exactement deux items notés" in e for e in erreurs)


# --- Pages -------------------------------------------------------------------------------------------


def test_un_lecteur_ne_peut_pas_adapter(client, org_a):
    lecteur = fabrique.membre(org_a, "lecteur", "lecteur-adapt@exemple.fr")
    client.force_login(lecteur)
    girouet = _national("girouet")
    assert client.get(_url(org_a, girouet)).status_code == 403
    assert (
        client.post(_url(org_a, girouet), _donnees(girouet.definition, action="enregistrer")).status_code
        == 403
    )
    assert not DefinitionInstrument.objects.filter(organisation=org_a).exists()


def test_apercu_puis_enregistrement_attribue_et_historise(client, org_a, referent_a):
    client.force_login(referent_a)
    girouet = _national("girouet")
    d = girouet.definition
    page = client.get(_url(org_a, girouet)).content.decode()
    assert 'value="Autonomie"' in page and "Option avancée" in page
    changes = {
        "item-autonomie-libelle": "Autonomie des agents",
        "item-savoir_faire-poids": "2,5",
        "item-sens_du_travail-retirer": "on",
        "action": "apercu",
    }
    reponse = client.post(_url(org_a, girouet), _donnees(d, **changes))
    apercu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "tel que les évaluateurs le verront" in apercu
    section_apercu = apercu.split('id="apercu"')[1].split("</section>")[0]
    assert "Autonomie des agents" in section_apercu and "poids 2,5" in section_apercu
    assert "Sens du travail" not in section_apercu
    assert "Impacts positifs prédominants" in section_apercu  # l'échelle, telle qu'on la cote
    assert not DefinitionInstrument.objects.filter(organisation=org_a).exists()  # rien d'écrit

    changes["action"] = "enregistrer"
    reponse = client.post(_url(org_a, girouet), _donnees(d, **changes))
    adaptee = DefinitionInstrument.objects.get(organisation=org_a)
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"/instruments/{adaptee.pk}/")
    assert (adaptee.version, adaptee.base, adaptee.cree_par) == (2, girouet, referent_a)
    items = {i.id: i for i in adaptee.definition.items}
    assert items["autonomie"].libelle == "Autonomie des agents" and items["savoir_faire"].poids == 2.5
    assert "sens_du_travail" not in items
    # Rien ne se perd : la version nationale reste, l'adaptation est une version de plus, attribuée.
    versions = [
        (i.version, i.organisation_id, i.cree_par)
        for i in selectors.instruments(org_a)
        if i.code == "girouet"
    ]
    assert versions == [(2, org_a.pk, referent_a), (1, None, None)]


def test_erreurs_en_francais_et_rien_d_ecrit(client, org_a, referent_a):
    client.force_login(referent_a)
    girouet = _national("girouet")
    d = girouet.definition
    for changes, message in [
        ({"item-autonomie-libelle": ""}, "item «  » (libellé) : ne doit pas être vide"),
        ({"item-autonomie-poids": "200"}, "(poids) : valeur trop grande"),
        ({"item-autonomie-poids": "beaucoup"}, "Le poids doit être un nombre"),
    ]:
        reponse = client.post(_url(org_a, girouet), _donnees(d, action="enregistrer", **changes))
        assert reponse.status_code == 400
        assert message in reponse.content.decode().replace("&#x27;", "'"), message
    assert not DefinitionInstrument.objects.filter(organisation=org_a).exists()


def test_verrou_de_version_entre_deux_adaptations(client, org_a, referent_a, admin_a):
    client.force_login(referent_a)
    girouet = _national("girouet")
    d = girouet.definition
    # Quelqu'un d'autre enregistre une adaptation pendant que la personne remplit le formulaire (v1 lue).
    autre = services.adapter(
        org_a, girouet, en_yaml(d).replace("libelle: Autonomie", "libelle: Marge", 1), admin_a, 1
    )
    reponse = client.post(
        _url(org_a, girouet), _donnees(d, version=1, action="enregistrer", **{"item-autonomie-poids": "3"})
    )
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert (
        "Une version plus récente de cet instrument (v2)" in page and "Rien n&#x27;a été enregistré" in page
    )
    assert list(DefinitionInstrument.objects.filter(organisation=org_a)) == [autre]
    # Sans version transmise : refusé de même.
    sans_version = _donnees(d, action="enregistrer")
    del sans_version["version"]
    assert client.post(_url(org_a, girouet), sans_version).status_code == 400
    # Repartie de la version actuelle, elle passe.
    reponse = client.post(_url(org_a, autre), _donnees(autre.definition, version=2, action="enregistrer"))
    assert reponse.status_code == 302
    assert DefinitionInstrument.objects.filter(organisation=org_a).count() == 2


def test_le_yaml_reste_disponible_et_suit_le_meme_verrou(client, org_a, referent_a, admin_a):
    girouet = _national("girouet")
    texte = en_yaml(girouet.definition).replace("titre: Girouet", "titre: Notre girouet", 1)
    client.force_login(referent_a)
    assert 'name="version"' in client.get(_url(org_a, girouet, "adapter/")).content.decode()
    reponse = client.post(_url(org_a, girouet, "adapter/"), {"texte": texte, "version": "1"})
    assert reponse.status_code == 302
    # Une seconde adaptation partie de la v1 : refusée, la v2 existe désormais.
    with pytest.raises(ValidationError, match="version plus récente"):
        services.adapter(org_a, girouet, texte, admin_a, 1)
    with pytest.raises(ValidationError, match="pas été transmise"):
        services.adapter(org_a, girouet, texte, admin_a, None)
    assert DefinitionInstrument.objects.filter(organisation=org_a).count() == 1
