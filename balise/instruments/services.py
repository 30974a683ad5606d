"""Les opérations qui changent instruments et évaluations ; chacune vérifie ses règles ici, et nulle part ailleurs.

Les vues vérifient le rôle de la personne (organisations.acces) puis appellent ces fonctions.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Adhesion, Organisation
from balise.registre.models import SystemeIA

from . import codes
from .adaptation import Changements, appliquer, situer
from .definition import Definition, DefinitionInvalide, definitions_livrees, lire_donnees_yaml, valider
from .models import (
    CodeParticipation,
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    GroupeCodes,
    Profil,
    Reponse,
    ReponseAnonyme,
)
from .selectors import SEUIL_ANONYMAT


class DefinitionLivreeModifiee(RuntimeError):
    """Le fichier d'une version déjà utilisée a changé : il faut publier une nouvelle version."""


def synchroniser_definitions_livrees() -> None:
    """Inscrit en base les définitions nationales des fichiers `definitions/`.

    Une version encore inutilisée suit son fichier ; une version qui a servi à une évaluation est
    figée : modifier son fichier est une erreur (les évaluations doivent rester lisibles telles
    qu'elles ont été faites), il faut en publier une nouvelle version.
    """
    for definition in definitions_livrees():
        contenu = definition.model_dump(mode="json")
        existante = DefinitionInstrument.objects.filter(
            organisation=None, code=definition.id, version=definition.version
        ).first()
        if existante is None:
            DefinitionInstrument.objects.create(
                code=definition.id, version=definition.version, titre=definition.titre, contenu=contenu
            )
        elif existante.contenu != contenu:
            if existante.evaluations.exists() or existante.consultations.exists():
                raise DefinitionLivreeModifiee(
                    f"{definition.code_version} a déjà servi : publiez ses changements comme version "
                    f"{definition.version + 1} au lieu de modifier le fichier."
                )
            existante.contenu, existante.titre = contenu, definition.titre
            existante.save(update_fields=["contenu", "titre"])


def version_visible(organisation: Organisation, code: str) -> int:
    """Le plus grand numéro de version d'un instrument que voit l'organisation (nationales et siennes)."""
    return (
        DefinitionInstrument.objects.filter(code=code)
        .filter(Q(organisation=organisation) | Q(organisation=None))
        .aggregate(m=Max("version"))["m"]
        or 0
    )


class ConflitAdaptation(ValidationError):
    """Une autre version de l'instrument a été enregistrée depuis que la personne a ouvert l'adaptation."""

    def __init__(self, organisation: Organisation, code: str, depuis_version: int | None) -> None:
        if depuis_version is None:
            texte = (
                "La version de l'instrument sur laquelle repose votre saisie n'a pas été transmise : "
                "rien n'a été enregistré. Rouvrez l'adaptation, puis refaites vos changements."
            )
        else:
            recente = (
                DefinitionInstrument.objects.filter(code=code, version__gt=depuis_version)
                .filter(Q(organisation=organisation) | Q(organisation=None))
                .select_related("cree_par")
                .order_by("-version")
                .first()
            )
            qui = (
                recente.cree_par.nom_affiche if recente and recente.cree_par else "Balise (version nationale)"
            )
            quand = f" le {timezone.localtime(recente.cree_le):%d/%m/%Y à %H:%M}" if recente else ""
            texte = (
                f"Une version plus récente de cet instrument (v{recente.version if recente else '?'}) a été "
                f"enregistrée par {qui}{quand} depuis que vous avez ouvert l'adaptation (v{depuis_version}). "
                "Rien n'a été enregistré : partez de la version actuelle, puis refaites vos changements."
            )
        super().__init__(texte)


def _enregistrer_adaptation(
    organisation: Organisation,
    base: DefinitionInstrument,
    donnees: object,
    par: Utilisateur,
    depuis_version: int | None,
    situer: Callable[[list[str]], list[str]] = lambda erreurs: erreurs,
) -> DefinitionInstrument:
    """Le seul chemin d'une adaptation (YAML ou formulaire) : même schéma, même verrou, même numérotation.

    Verrou optimiste : `depuis_version` est le plus grand numéro que la personne voyait en ouvrant
    l'adaptation ; si une autre version a été enregistrée depuis, rien n'est écrit (ses changements
    seraient sinon absents de la version la plus récente sans que personne le sache).
    """
    if isinstance(depuis_version, bool) or not isinstance(depuis_version, int):
        raise ConflitAdaptation(organisation, base.code, None)
    try:
        with transaction.atomic():
            # Deux adaptations simultanées d'une organisation passent l'une après l'autre (PostgreSQL) ;
            # la contrainte d'unicité arrête la seconde ailleurs.
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            version = version_visible(organisation, base.code)
            if version != depuis_version:
                raise ConflitAdaptation(organisation, base.code, depuis_version)
            version += 1
            if isinstance(donnees, dict):
                donnees = {**donnees, "version": version}
            try:
                definition = valider(donnees)
            except DefinitionInvalide as exc:
                raise ValidationError(situer(exc.erreurs)) from None
            if definition.id != base.code:
                raise ValidationError(
                    f"L'identifiant doit rester « {base.code} » : une adaptation est une version du même instrument."
                )
            return versions.attribuer(
                DefinitionInstrument(
                    organisation=organisation,
                    code=base.code,
                    version=version,
                    titre=definition.titre,
                    contenu=definition.model_dump(mode="json"),
                    base=base,
                    cree_par=par,
                ),
                par,
            )
    except IntegrityError:
        raise ConflitAdaptation(organisation, base.code, depuis_version) from None


def adapter(
    organisation: Organisation,
    base: DefinitionInstrument,
    texte: str,
    par: Utilisateur,
    depuis_version: int | None,
) -> DefinitionInstrument:
    """L'adaptation écrite en YAML (option avancée) : lue, puis enregistrée comme une nouvelle version."""
    _verifier_instrument(organisation, base)
    try:
        donnees = lire_donnees_yaml(texte)
    except DefinitionInvalide as exc:
        raise ValidationError(exc.erreurs) from None
    return _enregistrer_adaptation(organisation, base, donnees, par, depuis_version)


def adapter_par_formulaire(
    organisation: Organisation,
    base: DefinitionInstrument,
    changements: Changements,
    par: Utilisateur,
    depuis_version: int | None,
) -> DefinitionInstrument:
    """L'adaptation faite dans le formulaire (libellés, questions, poids, items retirés ou ajoutés)."""
    _verifier_instrument(organisation, base)
    donnees = appliquer(base.definition, changements)
    return _enregistrer_adaptation(
        organisation, base, donnees, par, depuis_version, lambda erreurs: situer(erreurs, donnees)
    )


def reprendre_adaptation(
    organisation: Organisation, source: DefinitionInstrument, par: Utilisateur, depuis_version: int | None
) -> DefinitionInstrument:
    """Reprendre telle quelle l'adaptation d'une autre organisation (celle qu'une mutualisante partage :
    balise/mutualisation/partages.py vérifie le partage) : une nouvelle version de l'organisation, dont la
    base est la définition reprise, sa provenance. Même chemin, même verrou que toute adaptation."""
    return _enregistrer_adaptation(organisation, source, source.contenu, par, depuis_version)


def _verifier_instrument(organisation: Organisation, instrument: DefinitionInstrument) -> None:
    if instrument.organisation_id not in (None, organisation.pk):
        raise ValidationError("Cet instrument n'est pas disponible pour votre organisation.")


def _verifier_moment(instrument: DefinitionInstrument, moment: str) -> None:
    if moment not in {m.value for m in instrument.definition.moments}:
        raise ValidationError("Ce moment n'est pas prévu par cet instrument.")


def demarrer_evaluation(
    systeme: SystemeIA,
    instrument: DefinitionInstrument,
    moment: str,
    par: Utilisateur,
    profil: str = Profil.AUTRE,
) -> Evaluation:
    """Ouvre une évaluation ; la personne qui l'ouvre en est la première évaluatrice, avec son profil."""
    _verifier_instrument(systeme.organisation, instrument)
    _verifier_moment(instrument, moment)
    if profil not in Profil.values:
        raise ValidationError("Ce profil d'évaluateur n'existe pas.")
    if systeme.archive_le is not None:
        raise ValidationError("Un système archivé ne peut pas être évalué.")
    with transaction.atomic():
        evaluation = versions.attribuer(
            Evaluation(
                organisation=systeme.organisation,
                systeme=systeme,
                instrument=instrument,
                moment=moment,
                cree_par=par,
            ),
            par,
        )
        versions.attribuer(
            Evaluateur(evaluation=evaluation, utilisateur=par, profil=profil, invite_par=par), par
        )
        return evaluation


def reevaluer(evaluation: Evaluation, moment: str, par: Utilisateur) -> Evaluation:
    """Une nouvelle évaluation du même système, même instrument, mêmes évaluateurs : la suite d'une finalisée."""
    with transaction.atomic():
        precedents = list(evaluation.evaluateurs.select_related("utilisateur"))
        profil = next((e.profil for e in precedents if e.utilisateur_id == par.pk), Profil.AUTRE)
        nouvelle = demarrer_evaluation(evaluation.systeme, evaluation.instrument, moment, par, profil)
        for e in precedents:
            if e.utilisateur_id == par.pk:
                continue  # déjà évaluateur : l'auteur de la nouvelle évaluation
            if Adhesion.objects.filter(
                organisation=evaluation.organisation, utilisateur=e.utilisateur
            ).exists():
                versions.attribuer(
                    Evaluateur(
                        evaluation=nouvelle, utilisateur=e.utilisateur, profil=e.profil, invite_par=par
                    ),
                    par,
                )
        return nouvelle


def _evaluation_ouverte(evaluation: Evaluation) -> Evaluation:
    """Relit l'évaluation verrouillée : une finalisation concurrente ne laisse rien passer."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.finalisee:
        raise ValidationError(
            "Cette évaluation est finalisée : elle ne change plus. Ouvrez une nouvelle évaluation."
        )
    return evaluation


def inviter_evaluateur(
    evaluation: Evaluation, utilisateur: Utilisateur, profil: str, par: Utilisateur
) -> Evaluateur:
    with transaction.atomic():
        evaluation = _evaluation_ouverte(evaluation)
        if not Adhesion.objects.filter(
            organisation=evaluation.organisation, utilisateur=utilisateur
        ).exists():
            raise ValidationError("Seul un membre de l'organisation peut être invité à évaluer.")
        evaluateur = Evaluateur.objects.filter(evaluation=evaluation, utilisateur=utilisateur).first()
        if evaluateur is None:
            evaluateur = Evaluateur(
                evaluation=evaluation, utilisateur=utilisateur, profil=profil, invite_par=par
            )
        elif evaluateur.profil == profil:
            return evaluateur
        evaluateur.profil = profil
        return versions.attribuer(evaluateur, par)


@dataclass(frozen=True)
class Saisie:
    """La réponse à un item telle qu'un formulaire ou un questionnaire la transmet."""

    valeur: int | None = None
    sans_objet: bool = False
    choix: tuple[str, ...] = ()
    commentaire: str = ""


def verifier_saisies(definition: Definition, saisies: dict[str, Saisie]) -> None:
    """Refuse en bloc des réponses hors de la définition : item inconnu, note hors échelle, choix inventé."""
    items = {item.id: item for item in definition.items}
    erreurs = []
    for code, saisie in saisies.items():
        item = items.get(code)
        if item is None:
            erreurs.append(f"L'item « {code[:60]} » n'existe pas dans cet instrument.")
            continue
        if item.type == "choix":
            if saisie.valeur is not None or saisie.sans_objet:
                erreurs.append(f"« {item.libelle} » attend des choix, pas une note.")
            if not set(saisie.choix) <= set(item.choix):
                erreurs.append(f"« {item.libelle} » : choix non prévu.")
            continue
        echelle = definition.echelle_de(item)
        if saisie.choix:
            erreurs.append(f"« {item.libelle} » attend une note, pas des choix.")
        if saisie.sans_objet and (saisie.valeur is not None or not echelle.sans_objet):
            erreurs.append(f"« {item.libelle} » : « sans objet » n'est pas une réponse possible ici.")
        if saisie.valeur is not None and saisie.valeur not in {n.valeur for n in echelle.niveaux}:
            erreurs.append(
                f"« {item.libelle} » : la note doit être entre {echelle.minimum} et {echelle.maximum}."
            )
        if len(saisie.commentaire) > 2000:
            erreurs.append(f"« {item.libelle} » : commentaire trop long (2 000 caractères au plus).")
    if erreurs:
        raise ValidationError(erreurs)


def coter(evaluation: Evaluation, utilisateur: Utilisateur, saisies: dict[str, Saisie]) -> int:
    """Enregistre les cotations d'un évaluateur invité ; renvoie le nombre d'items changés."""
    with transaction.atomic():
        evaluation = _evaluation_ouverte(evaluation)
        evaluateur = Evaluateur.objects.filter(evaluation=evaluation, utilisateur=utilisateur).first()
        if evaluateur is None:
            raise ValidationError("Vous n'êtes pas invité à coter cette évaluation.")
        verifier_saisies(evaluation.instrument.definition, saisies)
        existantes = {r.item: r for r in evaluateur.reponses.all()}
        changees = 0
        for code, saisie in saisies.items():
            valeurs = {
                "valeur": saisie.valeur,
                "sans_objet": saisie.sans_objet,
                "choix": list(saisie.choix),
                "commentaire": saisie.commentaire.strip(),
            }
            reponse = existantes.get(code)
            if reponse is None:
                if saisie == Saisie():
                    continue  # rien dit sur cet item : pas de ligne
                versions.attribuer(Reponse(evaluateur=evaluateur, item=code, **valeurs), utilisateur)
            elif any(getattr(reponse, k) != v for k, v in valeurs.items()):
                for k, v in valeurs.items():
                    setattr(reponse, k, v)
                versions.attribuer(reponse, utilisateur)
            else:
                continue
            changees += 1
        return changees


def finaliser(evaluation: Evaluation, par: Utilisateur) -> Evaluation:
    with transaction.atomic():
        evaluation = _evaluation_ouverte(evaluation)
        if not Reponse.objects.filter(evaluateur__evaluation=evaluation).exists():
            raise ValidationError("Une évaluation sans aucune cotation ne peut pas être finalisée.")
        evaluation.statut = Evaluation.Statut.FINALISEE
        evaluation.finalisee_par = par
        evaluation.finalisee_le = timezone.now()
        versions.attribuer(evaluation, par, update_fields=["statut", "finalisee_par", "finalisee_le"])
        return evaluation


def ouvrir_consultation(
    systeme: SystemeIA,
    instrument: DefinitionInstrument,
    moment: str,
    par: Utilisateur,
    mode: str = Consultation.Mode.CODES,
    echeance: date | None = None,
) -> Consultation:
    """Ouvre un questionnaire aux agents : par codes de participation (par défaut) ou par lien ouvert."""
    _verifier_instrument(systeme.organisation, instrument)
    if not instrument.definition.consultation:
        raise ValidationError("Cet instrument n'est pas un questionnaire que l'on peut ouvrir aux agents.")
    _verifier_moment(instrument, moment)
    if systeme.archive_le is not None:
        raise ValidationError("Un système archivé ne peut pas faire l'objet d'une consultation.")
    if mode not in Consultation.Mode.values:
        raise ValidationError("Choisissez entre des codes de participation et un lien ouvert.")
    if echeance is not None and echeance < timezone.localdate():
        raise ValidationError("Le dernier jour pour répondre ne peut pas être déjà passé.")
    return versions.attribuer(
        Consultation(
            organisation=systeme.organisation,
            systeme=systeme,
            instrument=instrument,
            moment=moment,
            mode=mode,
            echeance=echeance,
            jeton=secrets.token_urlsafe(32),
            cree_par=par,
        ),
        par,
    )


def fermer_consultation(consultation: Consultation, par: Utilisateur) -> None:
    if consultation.ouverte:
        consultation.ouverte = False
        consultation.close_par = par
        consultation.close_le = timezone.now()
        versions.attribuer(consultation, par, update_fields=["ouverte", "close_par", "close_le"])


def verifier_ouverte(consultation: Consultation) -> None:
    if not consultation.ouverte:
        raise ValidationError("Ce questionnaire est clos : il n'accepte plus de réponses.")
    if consultation.echue(timezone.localdate()):
        raise ValidationError(
            f"Ce questionnaire a pris fin le {consultation.echeance:%d/%m/%Y} : il n'accepte plus de réponses."
        )


# Le lien d'une consultation se transmet sans compte : un plafond empêche qu'il serve à remplir la base.
# Avec des codes, c'est le nombre de codes que l'on peut générer pour une consultation.
PLAFOND_REPONSES = 5_000
# Un groupe de codes en compte au moins autant que de réponses il faut pour montrer des résultats :
# le nombre de codes utilisés d'un groupe ne doit pas dire qui a répondu.
MIN_CODES_PAR_GROUPE = SEUIL_ANONYMAT
MAX_CODES_PAR_FEUILLE = 500


def _nombre(n: int) -> str:
    return f"{n:_}".replace("_", " ")


class CodeRefuse(ValidationError):
    """Code inconnu, déjà utilisé ou retiré : Balise ne peut pas les distinguer, un code utilisé ne
    laissant aucune trace (c'est ce qui garantit qu'il n'est relié à aucune réponse)."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Ce code n'est pas valable : il a peut-être déjà servi, été retiré ou été mal recopié. "
            "Vérifiez-le ; s'il est encore refusé, demandez un autre code à la personne qui vous l'a remis."
        )


def _code_lisible(saisie: str) -> str:
    code = codes.normaliser(saisie)
    if code is None:
        raise CodeRefuse(
            f"Un code de participation compte 12 lettres et chiffres, par exemple {codes.EXEMPLE}. "
            "Vérifiez votre saisie."
        )
    return code


@dataclass(frozen=True)
class FeuilleDeCodes:
    """Les codes d'un groupe, en clair : montrés une seule fois, à l'impression ; Balise n'en garde que l'empreinte."""

    consultation: Consultation
    groupe: GroupeCodes
    codes: list[str]


def _consultation_a_codes(consultation: Consultation) -> Consultation:
    """Relit la consultation verrouillée : les totaux de codes se vérifient sans course."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.avec_codes:
        raise ValidationError("Ce questionnaire est ouvert par un lien : il n'utilise pas de codes.")
    verifier_ouverte(consultation)
    return consultation


def _verifier_nombre(consultation: Consultation, nombre: int, minimum: int) -> None:
    if not minimum <= nombre <= MAX_CODES_PAR_FEUILLE:
        raise ValidationError(f"Générez entre {minimum} et {MAX_CODES_PAR_FEUILLE} codes à la fois.")
    deja = consultation.groupes.aggregate(n=Sum("nb_generes"))["n"] or 0
    if deja + nombre > PLAFOND_REPONSES:
        raise ValidationError(
            f"Un questionnaire compte au plus {_nombre(PLAFOND_REPONSES)} codes ; "
            f"{_nombre(deja)} sont déjà générés."
        )


def _tirer(groupe: GroupeCodes, nombre: int) -> list[str]:
    """Tire `nombre` codes nouveaux et enregistre leurs empreintes, dans l'ordre des empreintes.

    L'ordre d'insertion (et donc l'ordre physique des lignes) suit l'empreinte, pseudo-aléatoire
    sans la clé : il ne dit pas à quelle place de la feuille imprimée se trouvait un code.
    """
    for _ in range(3):
        tires: list[str] = []
        while len(tires) < nombre:
            code = codes.tirer()
            if code not in tires:
                tires.append(code)
        lignes = sorted(
            (
                CodeParticipation(
                    empreinte=codes.empreinte(code), consultation_id=groupe.consultation_id, groupe=groupe
                )
                for code in tires
            ),
            key=lambda c: c.empreinte,
        )
        try:
            with transaction.atomic():
                CodeParticipation.objects.bulk_create(lignes)
        except IntegrityError:  # une empreinte déjà prise : une chance sur 10¹⁸ par code, on retire
            continue
        return tires
    raise RuntimeError("Impossible de tirer des codes distincts : le générateur aléatoire est en cause.")


def creer_groupe_de_codes(
    consultation: Consultation, libelle: str, nombre: int, par: Utilisateur
) -> FeuilleDeCodes:
    """Crée un groupe d'agents (« Service des eaux ») et ses premiers codes ; renvoie la feuille à imprimer."""
    libelle = " ".join(str(libelle).split())
    if not libelle:
        raise ValidationError("Nommez le groupe d'agents à qui les codes seront remis.")
    if len(libelle) > 100:
        raise ValidationError("Le nom du groupe compte au plus 100 caractères.")
    with transaction.atomic():
        consultation = _consultation_a_codes(consultation)
        if consultation.groupes.filter(libelle__iexact=libelle).exists():
            raise ValidationError(
                f"Le groupe « {libelle} » existe déjà : ajoutez-lui des codes depuis sa ligne du tableau."
            )
        _verifier_nombre(consultation, nombre, MIN_CODES_PAR_GROUPE)
        groupe = versions.attribuer(
            GroupeCodes(consultation=consultation, libelle=libelle, nb_generes=nombre, cree_par=par), par
        )
        return FeuilleDeCodes(consultation, groupe, _tirer(groupe, nombre))


def ajouter_codes(groupe: GroupeCodes, nombre: int, par: Utilisateur) -> FeuilleDeCodes:
    with transaction.atomic():
        consultation = _consultation_a_codes(groupe.consultation)
        groupe = GroupeCodes.objects.select_for_update().get(pk=groupe.pk)
        _verifier_nombre(consultation, nombre, 1)
        groupe.nb_generes += nombre
        versions.attribuer(groupe, par, update_fields=["nb_generes"])
        return FeuilleDeCodes(consultation, groupe, _tirer(groupe, nombre))


def retirer_codes_inutilises(groupe: GroupeCodes, par: Utilisateur) -> int:
    """Retire les codes d'un groupe qui n'ont pas servi (feuille perdue, agents partis) ; renvoie leur nombre."""
    with transaction.atomic():
        groupe = GroupeCodes.objects.select_for_update().get(pk=groupe.pk)
        retires, _ = CodeParticipation.objects.filter(groupe=groupe).delete()
        if retires:
            groupe.nb_retires += retires
            versions.attribuer(groupe, par, update_fields=["nb_retires"])
        return retires


def consultation_du_code(saisie: str, consultation: Consultation | None = None) -> Consultation:
    """Le questionnaire auquel ce code donne accès, sans l'utiliser (il ne l'est qu'à l'envoi des réponses)."""
    code = _code_lisible(saisie)
    trouve = CodeParticipation.objects.filter(empreinte__in=codes.empreintes_possibles(code))
    if consultation is not None:
        trouve = trouve.filter(consultation=consultation)
    ligne = trouve.select_related("consultation__systeme", "consultation__instrument").first()
    if ligne is None:
        raise CodeRefuse()
    verifier_ouverte(ligne.consultation)
    return ligne.consultation


def _utiliser_code(consultation: Consultation, saisie: str | None) -> None:
    """Supprime la ligne du code, si elle existe encore : une seule suppression peut réussir.

    Deux envois simultanés du même code : le second attend le verrou de la ligne, puis ne trouve
    plus rien à supprimer et est refusé (transaction entière annulée, aucune réponse écrite).
    """
    if not saisie:
        raise CodeRefuse("Saisissez votre code de participation.")
    code = _code_lisible(saisie)
    supprimes, _ = CodeParticipation.objects.filter(
        consultation=consultation, empreinte__in=codes.empreintes_possibles(code)
    ).delete()
    if not supprimes:
        raise CodeRefuse()


def repondre_anonymement(
    consultation: Consultation, saisies: dict[str, Saisie], code: str | None = None
) -> None:
    """Enregistre les réponses d'un agent ; avec des codes, utilise le sien dans la même transaction.

    La réponse ne garde ni le code, ni son groupe, ni l'heure : seulement les valeurs et le jour.
    """
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        verifier_ouverte(consultation)
        saisies = {
            code_item: Saisie(s.valeur, s.sans_objet, s.choix) for code_item, s in saisies.items()
        }  # pas de texte libre
        verifier_saisies(consultation.instrument.definition, saisies)
        if not any(s != Saisie() for s in saisies.values()):
            raise ValidationError("Répondez à au moins une question avant d'envoyer.")
        if consultation.avec_codes:
            _utiliser_code(consultation, code)
        elif consultation.reponses.count() >= PLAFOND_REPONSES:
            raise ValidationError(
                f"Ce questionnaire a reçu le nombre maximal de réponses ({_nombre(PLAFOND_REPONSES)})."
            )
        ReponseAnonyme.objects.create(
            consultation=consultation,
            reponses={
                code_item: {"valeur": s.valeur, "sans_objet": s.sans_objet, "choix": list(s.choix)}
                for code_item, s in saisies.items()
                if s != Saisie()
            },
        )
