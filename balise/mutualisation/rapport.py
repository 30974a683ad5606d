"""La section « Mutualisation » du rapport annuel (balise/rapports) : pour une mutualisante, le
portefeuille de ses membres en fin de période, les instruments partagés et les sessions ouvertes, soit
son rapport mutualisé ; pour un membre, les conventions qui l'ont lié pendant la période. Requêtes en
nombre constant, quel que soit le nombre de membres."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from balise.organisations.models import Organisation
from balise.rapports.contenu import Cellule, Section, Tableau

from . import partages, sessions
from .models import TYPES_MUTUALISANTS, Convention
from .portefeuille import portefeuille


def _n(valeur: int) -> Cellule:
    return Cellule.nombre(valeur)


def _dates(c: Convention) -> str:
    return f"du {c.debut:%d/%m/%Y} au {c.fin:%d/%m/%Y}" if c.fin else f"depuis le {c.debut:%d/%m/%Y}"


def _en_vigueur_pendant(debut: date, fin: date) -> Q:
    """Signée (encore, ou terminée depuis) et dont les dates rencontrent la période."""
    return Q(signee_le__isnull=False, debut__lte=fin) & (Q(fin__isnull=True) | Q(fin__gte=debut))


def section(organisation: Organisation, debut: date, fin: date) -> Section:
    s = Section("Mutualisation")
    conventions = list(
        Convention.objects.filter(Q(mutualisante=organisation) | Q(membre=organisation))
        .filter(_en_vigueur_pendant(debut, fin))
        .select_related("mutualisante", "membre")
        .order_by("mutualisante__nom", "membre__nom")
    )
    comme_membre = [c for c in conventions if c.membre_id == organisation.pk]
    if comme_membre:
        s.blocs.append(
            Tableau(
                f"Conventions de mutualisation dont {organisation.nom} est membre",
                ["Mutualisante", "Objet", "Rôle accordé", "Dates"],
                [
                    [
                        Cellule(c.mutualisante.nom),
                        Cellule(c.objet),
                        Cellule(c.get_role_display()),
                        Cellule(_dates(c)),
                    ]
                    for c in comme_membre
                ],
            )
        )
    if organisation.type in TYPES_MUTUALISANTS:
        _membres(s, organisation, fin, sum(1 for c in conventions if c.mutualisante_id == organisation.pk))
    if not s.blocs:
        s.paragraphe("Aucune convention de mutualisation n'a été en vigueur pendant la période.")
    return s


def _membres(s: Section, mutualisante: Organisation, fin: date, nombre: int) -> None:
    s.paragraphe(
        f"{nombre} convention{'s' if nombre > 1 else ''} avec des organisations membres "
        f"{'ont' if nombre > 1 else 'a'} été en vigueur pendant la période."
        if nombre
        else "Aucune convention avec une organisation membre n'a été en vigueur pendant la période."
    )
    p = portefeuille(mutualisante, fin)
    if p.lignes:
        s.blocs.append(
            Tableau(
                f"Portefeuille des membres qui le partagent, au {fin:%d/%m/%Y}",
                [
                    "Membre",
                    "Systèmes",
                    *(libelle for _, libelle in p.stades),
                    "Obligations en retard",
                    "Participations aux formations",
                ],
                [
                    [
                        Cellule(ligne.convention.membre.nom),
                        _n(ligne.systemes),
                        *map(_n, comptes),
                        _n(ligne.obligations_en_retard),
                        _n(ligne.participations),
                    ]
                    for ligne, comptes in p.rangees
                ],
                pied=[
                    Cellule("Ensemble"),
                    _n(p.totaux.systemes),
                    *map(_n, p.totaux.par_stade),
                    _n(p.totaux.obligations_en_retard),
                    _n(p.totaux.participations),
                ],
            )
        )
    partages_de = partages.partages_de(mutualisante)
    if partages_de:
        s.blocs.append(
            Tableau(
                "Instruments partagés avec les membres",
                ["Instrument", "Version partagée", "Membres qui l'ont repris"],
                [
                    [
                        Cellule(x.amont.titre if x.amont else x.partage.code),
                        Cellule(f"v{x.amont.version}" if x.amont else "—"),
                        _n(x.membres_qui_l_ont_repris),
                    ]
                    for x in partages_de
                ],
            )
        )
    ouvertes, _ = sessions.de_la_mutualisante(mutualisante)
    if ouvertes:
        s.blocs.append(
            Tableau(
                "Sessions de formation ouvertes aux membres",
                ["Session", "Présences des membres"],
                [
                    [
                        Cellule(str(o.ouverte.session)),
                        Cellule(" ; ".join(f"{nom} : {n}" for nom, n in o.par_membre) or "aucune"),
                    ]
                    for o in ouvertes
                ],
            )
        )
