"""Les sections des rapports, et leur ordre dans chaque genre.

Une section est une fonction `(organisation, debut, fin) -> Section` qui lit la base (en un nombre de
requêtes qui ne dépend pas de la taille de l'organisation) et rend du contenu (contenu.py). Chaque genre
de rapport (`GENRES`) garde la liste ordonnée de ses sections : une nouvelle partie (charte, formation,
indicateurs, feuille de route) s'y ajoute par `ajouter`, sans toucher aux autres ni aux rendus.

Le secret statistique n'est pas recalculé ici : les chiffres sur les agents viennent des tableaux déjà
protégés de balise/metiers/selectors.py, et une case masquée devient une `Cellule` sans chiffre.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from balise.chartes import selectors as chartes
from balise.chartes.models import VersionCharte
from balise.conformite.models import ObligationSuivie
from balise.formations import selectors as formations
from balise.gouvernance.models import Avis, Condition, Decision
from balise.indicateurs import selectors as indicateurs
from balise.indicateurs.models import Indicateur
from balise.instruments import selectors as instruments
from balise.instruments.calcul import calculer
from balise.instruments.models import Evaluation
from balise.metiers import selectors as metiers
from balise.metiers.models import Dimension
from balise.metiers.secret import TableauProtege
from balise.mutualisation import rapport as mutualisation
from balise.organisations.models import Organisation
from balise.passerelle import rapport as passerelle
from balise.programme import selectors as programme
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA
from balise.registre.referentiels import Cible

from .contenu import Cellule, Liste, Section, Tableau

FonctionSection = Callable[[Organisation, date, date], Section]

GIROUET = "girouet"  # l'identifiant de l'instrument (balise/instruments/definitions/girouet-v1.yaml)


def _bornes(debut: date, fin: date) -> tuple[datetime, datetime]:
    """La période en instants : du début du premier jour à la fin du dernier, à l'heure de Paris."""
    return (
        timezone.make_aware(datetime.combine(debut, time.min)),
        timezone.make_aware(datetime.combine(fin, time.max)),
    )


def _n(valeur: int) -> Cellule:
    return Cellule.nombre(valeur)


def _jour(valeur: date | None) -> str:
    return "—" if valeur is None else f"{valeur:%d/%m/%Y}"


# --- Registre ---------------------------------------------------------------------------------------


def portefeuille(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les systèmes par stade à la fin de la période, ceux entrés au registre et les passages de stade
    de la période. Trois requêtes."""
    de, a = _bornes(debut, fin)
    section = Section("Portefeuille des systèmes d'IA et changements de la période")
    actifs = SystemeIA.objects.filter(organisation=organisation, cree_le__lte=a).exclude(archive_le__lte=a)
    par_stade = dict(actifs.values_list("stade").annotate(n=Count("pk")).order_by())
    total = sum(par_stade.values())
    section.paragraphe(
        f"Au {fin:%d/%m/%Y}, le registre interne compte {total} système{'s' if total > 1 else ''} d'IA "
        "(fiches archivées exclues). Le stade est celui d'aujourd'hui pour chaque fiche encore au registre."
    )
    section.blocs.append(
        Tableau(
            "Systèmes d'IA par stade du cycle de vie",
            ["Stade", "Systèmes"],
            [[Cellule(libelle), _n(par_stade.get(code, 0))] for code, libelle in Stade.choices],
            pied=[Cellule("Total"), _n(total)],
        )
    )
    nouveaux = list(
        actifs.filter(cree_le__gte=de)
        .order_by("cree_le", "pk")
        .values_list("nom", "service", "stade", "cree_le")
    )
    libelles = dict(Stade.choices)
    section.paragraphe(
        f"{len(nouveaux)} système{'s' if len(nouveaux) > 1 else ''} inscrit{'s' if len(nouveaux) > 1 else ''} au registre pendant la période."
    )
    if nouveaux:
        section.blocs.append(
            Tableau(
                "Systèmes inscrits au registre pendant la période",
                ["Système", "Service porteur", "Stade", "Inscrit le"],
                [
                    [
                        Cellule(nom),
                        Cellule(service),
                        Cellule(libelles.get(stade, stade)),
                        Cellule(_jour(timezone.localdate(le))),
                    ]
                    for nom, service, stade, le in nouveaux
                ],
            )
        )
    passages = Counter(
        ChangementStade.objects.filter(
            systeme__organisation=organisation, nature=ChangementStade.Nature.STADE, le__range=(de, a)
        ).values_list("depuis", "vers")
    )
    if passages:
        rangs = sorted(
            passages.items(), key=lambda p: (Stade.values.index(p[0][1]), Stade.values.index(p[0][0]))
        )
        section.blocs.append(
            Tableau(
                "Passages de stade pendant la période",
                ["De", "Vers", "Passages"],
                [[Cellule(libelles[d]), Cellule(libelles[v]), _n(n)] for (d, v), n in rangs],
                pied=[Cellule("Total"), Cellule(""), _n(sum(passages.values()))],
            )
        )
    else:
        section.paragraphe("Aucun système n'a changé de stade pendant la période.")
    return section


# --- Gouvernance ------------------------------------------------------------------------------------


def _table_decisions(decisions: list[Decision], legende: str) -> Tableau:
    return Tableau(
        legende,
        ["Date", "Système", "Décision", "Instance", "Délibération"],
        [
            [
                Cellule(_jour(d.decidee_le)),
                Cellule(d.systeme.nom),
                Cellule(d.get_sens_display()),
                Cellule(d.instance.nom if d.instance else "—"),
                Cellule(
                    f"n° {d.deliberation_numero} du {_jour(d.deliberation_date)}"
                    if d.deliberation_numero
                    else "—"
                ),
            ]
            for d in decisions
        ],
    )


def decisions_et_avis(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les décisions prises et les avis rendus pendant la période. Deux requêtes."""
    de, a = _bornes(debut, fin)
    section = Section("Décisions et avis des instances")
    decisions = list(
        Decision.objects.filter(organisation=organisation, decidee_le__range=(debut, fin))
        .select_related("systeme", "instance")
        .order_by("decidee_le", "pk")
    )
    section.paragraphe(
        f"{len(decisions)} décision{'s' if len(decisions) > 1 else ''} sur des systèmes d'IA pendant la période."
    )
    if decisions:
        section.blocs.append(_table_decisions(decisions, "Décisions de la période"))
    avis = list(
        Avis.objects.filter(point__organisation=organisation, rendu_le__range=(de, a))
        .select_related("point__seance__instance")
        .order_by("rendu_le", "pk")
    )
    section.paragraphe(
        f"{len(avis)} avis rendu{'s' if len(avis) > 1 else ''} par les instances pendant la période."
    )
    if avis:
        section.blocs.append(
            Tableau(
                "Avis rendus pendant la période",
                ["Date", "Instance", "Point", "Avis"],
                [
                    [
                        Cellule(_jour(timezone.localdate(x.rendu_le))),
                        Cellule(x.point.seance.instance.nom),
                        Cellule(x.point.titre),
                        Cellule(x.get_sens_display()),
                    ]
                    for x in avis
                ],
            )
        )
        comptes = Counter(x.sens for x in avis)
        section.blocs.append(
            Tableau(
                "Avis par sens",
                ["Avis", "Nombre"],
                [[Cellule(libelle), _n(comptes.get(code, 0))] for code, libelle in Avis.Sens.choices],
                pied=[Cellule("Total"), _n(len(avis))],
            )
        )
    return section


def decisions_organisation_du_travail(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les décisions de la période sur les systèmes qui touchent le travail des agents : tournés vers
    les agents, ou reliés à un groupe d'agents exposés suivi (balise/metiers). Une requête."""
    section = Section("Décisions touchant l'organisation du travail")
    decisions = list(
        Decision.objects.filter(organisation=organisation, decidee_le__range=(debut, fin))
        .filter(Q(systeme__cible=Cible.AGENTS) | Q(systeme__groupes_exposes__isnull=False))
        .select_related("systeme", "instance")
        .distinct()
        .order_by("decidee_le", "pk")
    )
    section.paragraphe(
        "Sont retenues les décisions sur les systèmes utilisés par les agents, ou reliés à un groupe "
        f"d'agents exposés que l'organisation suit : {len(decisions)} pendant la période."
    )
    if decisions:
        section.blocs.append(_table_decisions(decisions, "Décisions touchant l'organisation du travail"))
    return section


# --- Conformité et conditions -----------------------------------------------------------------------


def obligations(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les obligations suivies des systèmes au registre : par état au dernier jour de la période, et
    la liste de celles en retard à cette date. Deux requêtes."""
    section = Section("Obligations réglementaires tenues et en retard")
    suivies = ObligationSuivie.objects.filter(
        organisation=organisation, applicable=True, systeme__archive_le__isnull=True
    ).avec_retard(fin)
    comptes = dict(suivies.values_list("statut").annotate(n=Count("pk")).order_by())
    total = sum(comptes.values())
    section.blocs.append(
        Tableau(
            "Obligations applicables par état",
            ["État", "Obligations"],
            [
                [Cellule(libelle), _n(comptes.get(code, 0))]
                for code, libelle in ObligationSuivie.Statut.choices
            ],
            pied=[Cellule("Total"), _n(total)],
        )
    )
    retard = list(
        suivies.filter(en_retard=True)  # type: ignore[misc]  # annotation de avec_retard
        .select_related("systeme")
        .order_by("echeance", "systeme__nom", "pk")
    )
    section.paragraphe(
        f"Au {fin:%d/%m/%Y}, {len(retard)} obligation{'s' if len(retard) > 1 else ''} "
        f"{'ont' if len(retard) > 1 else 'a'} dépassé son échéance sans être faite ni déclarée sans objet."
        if retard
        else f"Au {fin:%d/%m/%Y}, aucune obligation n'est en retard."
    )
    if retard:
        section.blocs.append(
            Tableau(
                "Obligations en retard",
                ["Système", "Obligation", "Échéance", "État"],
                [
                    [
                        Cellule(o.systeme.nom),
                        Cellule(o.titre),
                        Cellule(_jour(o.echeance)),
                        Cellule(o.get_statut_display()),
                    ]
                    for o in retard
                ],
            )
        )
    return section


def conditions(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les conditions et réserves des avis et décisions : par état, et celles en retard. Deux requêtes."""
    section = Section("Conditions et réserves à lever")
    toutes = Condition.objects.filter(organisation=organisation).avec_retard(fin)
    comptes = dict(toutes.values_list("statut").annotate(n=Count("pk")).order_by())
    section.blocs.append(
        Tableau(
            "Conditions par état",
            ["État", "Conditions"],
            [[Cellule(libelle), _n(comptes.get(code, 0))] for code, libelle in Condition.Statut.choices],
            pied=[Cellule("Total"), _n(sum(comptes.values()))],
        )
    )
    retard = list(
        toutes.filter(en_retard=True)  # type: ignore[misc]  # annotation de avec_retard
        .select_related("systeme")
        .order_by("echeance", "pk")
    )
    if retard:
        section.blocs.append(
            Tableau(
                "Conditions en retard",
                ["Système", "Condition", "Échéance", "État"],
                [
                    [
                        Cellule(c.systeme.nom),
                        Cellule(c.intitule),
                        Cellule(_jour(c.echeance)),
                        Cellule(c.get_statut_display()),
                    ]
                    for c in retard
                ],
            )
        )
    else:
        section.paragraphe(f"Au {fin:%d/%m/%Y}, aucune condition n'est en retard.")
    return section


# --- Métiers (secret statistique) -------------------------------------------------------------------


def tableau_protege(t: TableauProtege, legende: str, titre_lignes: str) -> Tableau:
    """Un tableau protégé de balise/metiers en tableau de rapport (effectifs), totaux compris : une case
    masquée n'y a pas de chiffre."""
    return Tableau(
        legende,
        [titre_lignes, *t.colonnes, "Total"],
        [
            [
                Cellule(ligne),
                *(Cellule.effectif(t.cases[(ligne, c)]) for c in t.colonnes),
                Cellule.effectif(t.totaux_lignes[ligne]),
            ]
            for ligne in t.lignes
        ],
        pied=[
            Cellule("Total"),
            *(Cellule.effectif(t.totaux_colonnes[c]) for c in t.colonnes),
            Cellule.effectif(t.total),
        ],
    )


def exposition_metiers(organisation: Organisation, debut: date, fin: date) -> Section:
    """L'exposition des agents à l'IA générative selon le dernier import traité du tableau des effectifs,
    sous secret statistique : synthèse par niveau, puis par catégorie si le fichier la donne."""
    section = Section("Exposition des métiers à l'IA générative")
    imp = metiers.dernier_import(organisation)
    if imp is None:
        section.paragraphe(
            "Aucun tableau des effectifs n'a encore été importé : l'exposition des métiers n'est pas connue."
        )
        return section
    seuil = organisation.seuil_secret
    section.paragraphe(
        f"Selon le tableau des effectifs importé le {imp.cree_le:%d/%m/%Y} ({imp.lignes_retenues} lignes "
        "retenues), rapproché du référentiel national INET / OIT. Secret statistique : aucun chiffre ne "
        f"porte sur moins de {seuil} agents, et « secret » remplace aussi les chiffres qui permettraient de "
        "les retrouver par addition ou soustraction."
    )
    section.blocs.append(
        tableau_protege(metiers.synthese(imp, seuil), "Agents par niveau d'exposition", "Niveau")
    )
    if Dimension.CATEGORIE in imp.colonnes:
        section.blocs.append(
            tableau_protege(
                metiers.croisement(imp, Dimension.CATEGORIE, seuil),
                "Agents par catégorie et niveau d'exposition",
                "Catégorie",
            )
        )
    return section


# --- Instruments : le girouet -----------------------------------------------------------------------


def girouet(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les résultats du girouet (impacts sur le travail) finalisés pendant la période : un score par
    feuillet et par système ; une évaluation importée d'un fichier portable le dit. Trois requêtes
    (les évaluations, leurs provenances, leurs cotations)."""
    de, a = _bornes(debut, fin)
    section = Section("Impacts sur le travail des agents : résultats du girouet")
    evaluations = list(
        Evaluation.objects.filter(
            organisation=organisation,
            instrument__code=GIROUET,
            statut=Evaluation.Statut.FINALISEE,
            finalisee_le__range=(de, a),
        )
        .select_related("systeme", "instrument")
        .order_by("systeme__nom", "finalisee_le", "pk")
    )
    if not evaluations:
        section.paragraphe("Aucune évaluation au girouet n'a été finalisée pendant la période.")
        return section
    provenances = instruments.provenances_de(evaluations)
    cotations = instruments._cotations(evaluations, provenances)
    resultats = [(e, calculer(e.instrument.definition, cotations.get(e.pk, []))) for e in evaluations]
    feuillets = [s.section.titre for s in resultats[0][1].sections]
    section.paragraphe(
        f"{len(evaluations)} évaluation{'s' if len(evaluations) > 1 else ''} finalisée{'s' if len(evaluations) > 1 else ''}. "
        "Score moyen de chaque feuillet sur l'échelle de 1 (impacts négatifs prédominants) à 4 (impacts "
        "positifs prédominants) ; source : girouet de CIVITEO et de l'Observatoire Data Publica (CC BY-NC 4.0)."
    )
    section.blocs.append(
        Tableau(
            "Scores du girouet par système et par feuillet",
            ["Système", "Finalisée le", "Évaluateurs", *feuillets],
            [
                [
                    # Une évaluation reprise d'un fichier portable a été cotée ailleurs : dit tel quel.
                    Cellule(
                        f"{e.systeme.nom} (importée de « {provenances[e.pk].origine} »)"
                        if e.pk in provenances
                        else e.systeme.nom
                    ),
                    Cellule(_jour(timezone.localdate(e.finalisee_le)) if e.finalisee_le else "—"),
                    _n(r.evaluateurs),
                    *(
                        Cellule("—" if s.score is None else f"{s.score:.1f}".replace(".", ","))
                        for s in r.sections
                    ),
                ]
                for e, r in resultats
                if len(r.sections) == len(feuillets)
            ],
        )
    )
    negatifs = [
        (e.systeme.nom, s.section.titre) for e, r in resultats for s in r.sections if s.penche == "negatif"
    ]
    if negatifs:
        section.paragraphe(
            "Feuillets où les impacts négatifs l'emportent (à discuter avec les représentants du personnel) :"
        )
        section.blocs.append(Liste([f"{nom} — {titre}" for nom, titre in negatifs]))
    return section


# --- Charte de l'IA (balise/chartes) ----------------------------------------------------------------


def _consultations(version: VersionCharte) -> Tableau | None:
    consultations = chartes.consultations(version)
    if not consultations:
        return None
    return Tableau(
        f"Consultations des instances sur la charte (version {version.numero})",
        ["Séance", "Instance", "Point", "Avis"],
        [
            [
                Cellule(_jour(timezone.localdate(c.point.seance.debut))),
                Cellule(c.point.seance.instance.nom),
                Cellule(c.point.titre),
                Cellule(c.avis.get_sens_display() if c.avis else "avis non rendu"),
            ]
            for c in consultations
        ],
    )


def charte(organisation: Organisation, debut: date, fin: date) -> Section:
    """L'état de la charte en vigueur à la fin de la période (date, mode, délibération, principes, lignes
    rouges) et les avis des instances consultées sur elle ; une version adoptée depuis est signalée.
    Trois requêtes (la charte d'alors, l'actuelle, ses consultations)."""
    section = Section("Charte de l'intelligence artificielle")
    version, actuelle = chartes.en_vigueur_le(organisation, fin), chartes.adoptee(organisation)
    if actuelle is not None and actuelle != version:
        section.paragraphe(
            f"La version {actuelle.numero} de la charte a été adoptée le {_jour(actuelle.adoptee_le)}, "
            "après la période du rapport : elle n'y est pas décrite."
        )
    if version is None:
        section.paragraphe(
            "À la fin de la période, l'organisation n'avait pas adopté de charte de l'intelligence "
            "artificielle."
        )
        return section
    modes = dict(VersionCharte.Mode.choices)
    section.blocs.append(
        Tableau(
            "État de la charte en vigueur à la fin de la période",
            ["Élément", "Valeur"],
            [
                [Cellule("Titre"), Cellule(version.titre)],
                [Cellule("Version"), _n(version.numero)],
                [Cellule("Adoptée le"), Cellule(_jour(version.adoptee_le))],
                [Cellule("Mode d'adoption"), Cellule(str(modes.get(version.mode_adoption, "—")))],
                [Cellule("Délibération"), Cellule(version.deliberation_numero or "—")],
                [Cellule("Principes"), _n(len(version.principes))],
                [Cellule("Lignes rouges"), _n(len(version.lignes_rouges))],
            ],
        )
    )
    section.paragraphe("Principes énoncés par la charte :")
    section.blocs.append(Liste([str(p.get("titre", "")) for p in version.principes]))
    if version.lignes_rouges:
        section.paragraphe("Usages que la charte exclut (lignes rouges) :")
        section.blocs.append(Liste([str(x) for x in version.lignes_rouges]))
    tableau_consultations = _consultations(version)
    if tableau_consultations:
        section.blocs.append(tableau_consultations)
    else:
        section.paragraphe("Aucune instance n'a été consultée sur cette version dans Balise.")
    return section


def consultation_charte(organisation: Organisation, debut: date, fin: date) -> Section:
    """Pour le dialogue social : la dernière version de la charte soumise ou adoptée, et les avis rendus
    par les instances consultées. Deux requêtes (les versions, les consultations de la dernière)."""
    section = Section("Consultation sur la charte de l'intelligence artificielle")
    retenues = (VersionCharte.Statut.SOUMISE, VersionCharte.Statut.ADOPTEE)
    version = next((v for v in chartes.versions(organisation) if v.statut in retenues), None)
    if version is None:
        section.paragraphe("Aucune version de la charte n'a encore été soumise aux instances.")
        return section
    section.paragraphe(
        f"Version {version.numero} de la charte « {version.titre} » : {version.get_statut_display().lower()}"
        + (f" le {_jour(version.adoptee_le)}." if version.adoptee_le else ".")
    )
    tableau_consultations = _consultations(version)
    if tableau_consultations:
        section.blocs.append(tableau_consultations)
    else:
        section.paragraphe("Aucune instance n'a encore été consultée sur cette version dans Balise.")
    return section


# --- Formation des agents (balise/formations, AI Act art. 4) ---------------------------------------


def _pourcent(taux: float | None) -> str:
    return "—" if taux is None else f"{taux:.1f}".replace(".", ",") + "\u202f%"


def formation(organisation: Organisation, debut: date, fin: date) -> Section:
    """La couverture de formation de chaque population à la fin de la période. Une population dont
    l'effectif est couvert par le secret statistique ne montre ni effectif ni taux. Requêtes : celles de
    `formations.couverture`, bornées quel que soit le nombre de populations et de sessions."""
    section = Section("Formation des agents et des élus à l'intelligence artificielle")
    lignes = formations.couverture(organisation, a_la_date=fin)
    if not lignes:
        section.paragraphe("Aucune population à former n'est encore définie dans Balise.")
        return section
    section.paragraphe(
        f"Couverture au {fin:%d/%m/%Y} : agents comptés comme formés par les sessions tenues, rapportés à "
        "l'effectif de chaque population (AI Act, art. 4 : maîtrise de l'IA). Secret statistique : "
        "« secret » remplace l'effectif et le taux d'une population trop petite pour être publiée."
    )
    rangs = []
    for li in lignes:
        secret = li.effectif.origine == "secret"
        rangs.append(
            [
                Cellule(li.population.titre),
                Cellule.secret()
                if secret
                else Cellule("—" if li.effectif.valeur is None else Cellule.nombre(li.effectif.valeur).texte),
                Cellule(li.effectif.libelle_origine),
                _n(li.formes),
                Cellule(f"{li.cible}\u202f%"),
                Cellule.secret() if secret else Cellule(_pourcent(li.taux)),
                Cellule("—" if li.taux is None else ("oui" if li.atteinte else "non")),
            ]
        )
    section.blocs.append(
        Tableau(
            "Couverture de formation par population",
            ["Population", "Effectif", "Origine de l'effectif", "Formés", "Cible", "Taux", "Cible atteinte"],
            rangs,
        )
    )
    return section


# --- Indicateurs (balise/indicateurs) ---------------------------------------------------------------


def _decimal(valeur: Decimal | None) -> str:
    if valeur is None:
        return "—"
    texte = f"{valeur:f}"
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    return texte.replace(".", ",")


def indicateurs_suivis(organisation: Organisation, debut: date, fin: date) -> Section:
    """Les indicateurs actifs, leurs mesures de la période, la dernière valeur et si elle tient la cible.
    Deux requêtes (`indicateurs.tableau`)."""
    section = Section("Indicateurs de suivi des systèmes d'IA")
    lignes = indicateurs.tableau(organisation, debut, fin)
    if not lignes:
        section.paragraphe("Aucun indicateur n'est suivi dans Balise.")
        return section
    hors = sum(1 for li in lignes if li.cible_atteinte is False)
    section.paragraphe(
        f"{len(lignes)} indicateur{'s' if len(lignes) > 1 else ''} suivi{'s' if len(lignes) > 1 else ''} ; "
        f"{hors} ne tien{'nent' if hors > 1 else 't'} pas sa cible à la dernière mesure de la période."
    )
    sens = {Indicateur.Sens.AU_MOINS.value: "au moins", Indicateur.Sens.AU_PLUS.value: "au plus"}
    section.blocs.append(
        Tableau(
            "Indicateurs : dernière mesure de la période et cible",
            [
                "Indicateur",
                "Système",
                "Unité",
                "Cible",
                "Mesures",
                "Dernière valeur",
                "Cible tenue",
                "Hors cible",
            ],
            [
                [
                    Cellule(li.indicateur.intitule),
                    Cellule(li.indicateur.systeme.nom if li.indicateur.systeme else "—"),
                    Cellule(li.indicateur.unite),
                    Cellule(f"{sens.get(li.indicateur.sens, '')} {_decimal(li.indicateur.cible)}".strip()),
                    _n(len(li.mesures)),
                    Cellule(_decimal(li.derniere_valeur)),
                    Cellule({True: "oui", False: "non", None: "—"}[li.cible_atteinte]),
                    _n(len(li.hors_cible)),
                ]
                for li in lignes
            ],
        )
    )
    return section


# --- Feuille de route (balise/programme) ------------------------------------------------------------


def feuille_de_route(organisation: Organisation, debut: date, fin: date) -> Section:
    """L'avancement des étapes du programme, les actions faites et en retard, la sensibilisation et la
    veille de la période. Cinq requêtes (`programme.bilan`)."""
    section = Section("Feuille de route du programme IA")
    bilan = programme.bilan(organisation, debut, fin)
    section.blocs.append(
        Tableau(
            "Étapes du programme",
            ["Étape", "État"],
            [[Cellule(f"{e.etape.numero}. {e.etape.titre}"), Cellule(e.libelle)] for e in bilan.etapes],
        )
    )
    faites, retard = bilan.actions_faites, bilan.actions_en_retard
    section.paragraphe(
        f"{len(faites)} action{'s' if len(faites) > 1 else ''} faite{'s' if len(faites) > 1 else ''} "
        f"pendant la période ; {len(retard)} en retard à sa fin."
    )
    if retard:
        section.blocs.append(
            Tableau(
                "Actions en retard",
                ["Action", "Échéance", "Responsable"],
                [
                    [
                        Cellule(a.intitule),
                        Cellule(_jour(a.echeance)),
                        Cellule(a.responsable.nom_affiche if a.responsable else "—"),
                    ]
                    for a in retard
                ],
            )
        )
    section.paragraphe(
        f"Sensibilisation : {bilan.nb_sensibilisations} action{'s' if bilan.nb_sensibilisations > 1 else ''}, "
        f"{bilan.participants} participant{'s' if bilan.participants > 1 else ''}. Veille : "
        f"{bilan.nb_notes_veille} note{'s' if bilan.nb_notes_veille > 1 else ''}."
    )
    if bilan.participants_par_public:
        section.blocs.append(
            Tableau(
                "Participants aux actions de sensibilisation par public",
                ["Public", "Participants"],
                [[Cellule(p), _n(n)] for p, n in bilan.participants_par_public.items()],
                pied=[Cellule("Total"), _n(bilan.participants)],
            )
        )
    return section


# --- Genres -----------------------------------------------------------------------------------------


@dataclass
class Genre:
    titre: str
    destinataires: str
    sections: list[tuple[str, FonctionSection]] = field(default_factory=list)


ANNUEL = "annuel"
DIALOGUE_SOCIAL = "dialogue_social"

GENRES: dict[str, Genre] = {
    ANNUEL: Genre(
        "Rapport annuel sur l'intelligence artificielle",
        "Pour les élus et l'assemblée délibérante",
        [
            ("portefeuille", portefeuille),
            ("decisions", decisions_et_avis),
            ("obligations", obligations),
            ("conditions", conditions),
            ("exposition", exposition_metiers),
            ("charte", charte),
            ("formation", formation),
            ("indicateurs", indicateurs_suivis),
            ("feuille_de_route", feuille_de_route),
            ("passerelle", passerelle.section),
            # Pour une mutualisante, son rapport mutualisé ; pour un membre, ses conventions.
            ("mutualisation", mutualisation.section),
        ],
    ),
    DIALOGUE_SOCIAL: Genre(
        "Dossier du dialogue social sur l'intelligence artificielle",
        "Pour le comité social territorial (CST) et sa formation spécialisée (F3SCT)",
        [
            ("girouet", girouet),
            ("exposition", exposition_metiers),
            ("organisation_du_travail", decisions_organisation_du_travail),
            ("consultation_charte", consultation_charte),
            ("formation", formation),
        ],
    ),
}


def ajouter(genre: str, cle: str, fonction: FonctionSection, apres: str | None = None) -> None:
    """Ajoute une section à un genre, à la fin ou après la section `apres` ; une clé déjà présente est
    remplacée à sa place (un module rechargé ne la double pas)."""
    sections = GENRES[genre].sections
    for i, (existante, _) in enumerate(sections):
        if existante == cle:
            sections[i] = (cle, fonction)
            return
    if apres is None:
        sections.append((cle, fonction))
        return
    rang = next((i for i, (c, _) in enumerate(sections) if c == apres), None)
    if rang is None:
        raise KeyError(f"Section « {apres} » inconnue dans le genre « {genre} ».")
    sections.insert(rang + 1, (cle, fonction))
