from django import forms

from balise.comptes.models import Utilisateur
from balise.formulaires import ChampVersion, Formulaire

from . import codes
from .adaptation import ChangementItem, Changements, NouvelItem, questions
from .definition import LIBELLES_MOMENTS, TAILLE_MAX_YAML, Definition, Item, Moment
from .models import Consultation, DefinitionInstrument, Profil
from .services import MAX_CODES_PAR_FEUILLE, MIN_CODES_PAR_GROUPE, Saisie

SANS_OBJET = "sans_objet"
_MOMENTS = [("", "Choisir un moment")] + [(m.value, LIBELLES_MOMENTS[m]) for m in Moment]


MOMENT_NON_PREVU = (
    "Cet instrument ne prévoit pas ce moment du projet : choisissez parmi les moments proposés."
)


class DemarrerForm(Formulaire):
    """Un seul choix « instrument — moment » : seuls les moments que prévoit chaque instrument sont offerts.

    Le service vérifie encore le couple (`services._verifier_moment`), pour l'API comme pour un envoi forgé.
    """

    prefix = "evaluation"  # deux formulaires sur la même page : des identifiants distincts
    choix = forms.ChoiceField(
        label="Instrument et moment du projet",
        help_text="Chaque instrument ne propose que les moments du projet pour lesquels il est fait.",
        error_messages={"invalid_choice": MOMENT_NON_PREVU},
    )
    profil = forms.ChoiceField(
        choices=[("", "Choisir votre profil")] + Profil.choices,
        label="Votre profil d'évaluateur",
        help_text="Vous serez la première personne à coter cette évaluation ; invitez ensuite les autres.",
    )

    def __init__(self, *args, instruments: list[DefinitionInstrument], **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = {str(i.pk): i for i in instruments}
        self.fields["choix"].choices = [("", "Choisir un instrument et un moment")] + [
            (
                f"{i.titre} (v{i.version})",
                [(f"{i.pk}:{m.value}", f"{LIBELLES_MOMENTS[m]} — {i.titre}") for m in i.definition.moments],
            )
            for i in instruments
        ]

    def clean(self):
        donnees = super().clean()
        choix = donnees.pop("choix", None)
        if choix:  # déjà vérifié parmi les couples offerts
            pk, _, moment = choix.partition(":")
            donnees["instrument"], donnees["moment"] = self.instruments[pk], moment
        return donnees


class ReevaluerForm(Formulaire):
    moment = forms.ChoiceField(
        choices=_MOMENTS,
        label="Moment de la nouvelle évaluation",
        error_messages={"invalid_choice": MOMENT_NON_PREVU},
    )

    def __init__(self, *args, moments: list[Moment], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moment"].choices = [("", "Choisir un moment")] + [
            (m.value, LIBELLES_MOMENTS[m]) for m in moments
        ]


class InviterForm(Formulaire):
    utilisateur = forms.ModelChoiceField(
        queryset=Utilisateur.objects.none(),
        label="Membre de l'organisation",
        empty_label="Choisir une personne",
    )
    profil = forms.ChoiceField(
        choices=[("", "Choisir un profil")] + Profil.choices,
        label="Profil",
        help_text="Il permet de voir si l'encadrement, les agents, les élus… divergent.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utilisateur"].queryset = Utilisateur.objects.filter(
            adhesions__organisation=organisation
        ).order_by("email")


class AdaptationForm(Formulaire):
    version = ChampVersion()
    texte = forms.CharField(
        label="Définition (YAML)",
        max_length=TAILLE_MAX_YAML,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text="Modifiez les libellés, questions, poids ; ajoutez ou retirez des items. "
        "L'identifiant ne change pas ; le numéro de version est attribué par Balise.",
    )


def _texte(label: str) -> forms.CharField:
    # Longueur et présence vérifiées par le schéma de la définition (une seule règle) ; le champ ne
    # borne que ce qu'un navigateur peut envoyer.
    return forms.CharField(
        label=label, required=False, max_length=20_000, strip=True, widget=forms.TextInput()
    )


def _questions(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une question par ligne.",
    )


def _poids(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        help_text="1 par défaut ; 2 compte double dans la moyenne de la section.",
        error_messages={"invalid": "Le poids doit être un nombre, par exemple 1 ou 1,5."},
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class AdaptationItemsForm(Formulaire):
    """L'adaptation d'un instrument sans YAML : titre, sections, et pour chaque item son libellé, ses
    questions guides, son poids ou son retrait ; un item peut être ajouté à chaque section.

    Les règles (libellé non vide, poids entre 0 et 100, une section garde un item…) sont celles du
    schéma de la définition, appliquées par `adaptation.apercu` et le service, pas ici.
    """

    version = ChampVersion()
    titre = _texte("Titre de l'instrument")

    def __init__(self, *args, definition: Definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        initial = {"titre": definition.titre}
        for section in definition.sections:
            self.fields[f"section-{section.id}-titre"] = _texte("Titre de la section")
            initial[f"section-{section.id}-titre"] = section.titre
            for item in section.items:
                prefixe = f"item-{item.id}"
                self.fields[f"{prefixe}-libelle"] = _texte("Libellé")
                self.fields[f"{prefixe}-questions"] = _questions("Questions guides")
                if item.type == "echelle":
                    self.fields[f"{prefixe}-poids"] = _poids("Poids")
                self.fields[f"{prefixe}-retirer"] = forms.BooleanField(
                    label="Retirer cet item", required=False
                )
                initial[f"{prefixe}-libelle"] = item.libelle
                initial[f"{prefixe}-questions"] = "\n".join(item.questions)
                initial[f"{prefixe}-poids"] = item.poids
            prefixe = f"nouvel-{section.id}"
            self.fields[f"{prefixe}-libelle"] = _texte("Libellé du nouvel item (facultatif)")
            self.fields[f"{prefixe}-questions"] = _questions("Questions guides du nouvel item")
            self.fields[f"{prefixe}-poids"] = _poids("Poids du nouvel item")
        self.initial = {**initial, **self.initial}

    def sections(self):
        """Pour le gabarit : chaque section, son champ de titre, ses items avec leurs champs, l'ajout."""
        for section in self.definition.sections:
            items = [
                (
                    item,
                    [
                        self[f"item-{item.id}-{n}"]
                        for n in ("libelle", "questions", "poids")
                        if f"item-{item.id}-{n}" in self.fields
                    ],
                    self[f"item-{item.id}-retirer"],
                )
                for item in section.items
            ]
            nouvel = [self[f"nouvel-{section.id}-{n}"] for n in ("libelle", "questions", "poids")]
            yield section, self[f"section-{section.id}-titre"], items, nouvel

    def changements(self) -> Changements:
        d = self.cleaned_data
        return Changements(
            titre=d["titre"],
            sections={s.id: d[f"section-{s.id}-titre"] for s in self.definition.sections},
            items={
                item.id: ChangementItem(
                    libelle=d[f"item-{item.id}-libelle"],
                    questions=questions(d[f"item-{item.id}-questions"]),
                    poids=d.get(f"item-{item.id}-poids"),
                    retire=d[f"item-{item.id}-retirer"],
                )
                for item in self.definition.items
            },
            nouveaux=[
                NouvelItem(
                    section=s.id,
                    libelle=d[f"nouvel-{s.id}-libelle"],
                    questions=questions(d[f"nouvel-{s.id}-questions"]),
                    poids=d[f"nouvel-{s.id}-poids"],
                )
                for s in self.definition.sections
                if d[f"nouvel-{s.id}-libelle"]
            ],
        )


def _champ_item(definition: Definition, item: Item) -> forms.Field:
    if item.type == "choix":
        return forms.MultipleChoiceField(
            label=item.libelle,
            choices=[(c, c) for c in item.choix],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    echelle = definition.echelle_de(item)
    choix = [(str(n.valeur), f"{n.valeur} — {n.libelle}") for n in echelle.niveaux]
    if echelle.sans_objet:
        choix.append((SANS_OBJET, "Sans objet"))
    return forms.ChoiceField(label=item.libelle, choices=choix, required=False, widget=forms.RadioSelect)


class ReponsesForm(forms.Form):
    """Les réponses d'une personne à tous les items d'une définition (cotation ou questionnaire).

    Les champs s'appellent `note-<item>` et `commentaire-<item>` : aucun identifiant d'item ne peut
    entrer en collision avec un autre champ. Une valeur hors de la liste est refusée par Django.
    """

    def __init__(self, definition: Definition, *args, commentaires: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.commentaires = commentaires
        for item in definition.items:
            self.fields[f"note-{item.id}"] = _champ_item(definition, item)
            if commentaires:
                self.fields[f"commentaire-{item.id}"] = forms.CharField(
                    label="Commentaire",
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    @staticmethod
    def initiales(reponses) -> dict:
        initial = {}
        for r in reponses:
            if r.choix:
                initial[f"note-{r.item}"] = r.choix
            elif r.sans_objet:
                initial[f"note-{r.item}"] = SANS_OBJET
            elif r.valeur is not None:
                initial[f"note-{r.item}"] = str(r.valeur)
            initial[f"commentaire-{r.item}"] = r.commentaire
        return initial

    def sections(self):
        """Pour le gabarit : chaque section avec, par item, son champ et son commentaire."""
        for section in self.definition.sections:
            yield (
                section,
                [
                    (
                        item,
                        self[f"note-{item.id}"],
                        self[f"commentaire-{item.id}"] if self.commentaires else None,
                    )
                    for item in section.items
                ],
            )

    def saisies(self) -> dict[str, Saisie]:
        resultat = {}
        for item in self.definition.items:
            note = self.cleaned_data.get(f"note-{item.id}")
            commentaire = self.cleaned_data.get(f"commentaire-{item.id}", "") if self.commentaires else ""
            if item.type == "choix":
                resultat[item.id] = Saisie(choix=tuple(note or ()), commentaire=commentaire)
            elif note == SANS_OBJET:
                resultat[item.id] = Saisie(sans_objet=True, commentaire=commentaire)
            else:
                resultat[item.id] = Saisie(valeur=int(note) if note else None, commentaire=commentaire)
        return resultat


class ConsultationForm(Formulaire):
    prefix = "consultation"
    instrument = forms.ModelChoiceField(
        queryset=DefinitionInstrument.objects.none(), label="Questionnaire", empty_label=None
    )
    moment = forms.ChoiceField(choices=_MOMENTS, label="Moment du projet")
    mode = forms.ChoiceField(
        label="Comment les agents répondent",
        choices=[
            (
                Consultation.Mode.CODES,
                "Avec un code de participation (recommandé) : un code à usage unique par agent, "
                "imprimé sur une feuille par groupe d'agents",
            ),
            (
                Consultation.Mode.LIEN_OUVERT,
                "Par un lien ouvert : toute personne qui a le lien peut répondre, et plusieurs fois",
            ),
        ],
        initial=Consultation.Mode.CODES,
        widget=forms.RadioSelect,
    )
    echeance = forms.DateField(
        label="Dernier jour pour répondre (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, instruments: list[DefinitionInstrument], **kwargs):
        super().__init__(*args, **kwargs)
        questionnaires = [i for i in instruments if i.definition.consultation]
        self.fields["instrument"].queryset = DefinitionInstrument.objects.filter(
            pk__in=[i.pk for i in questionnaires]
        )
        # Seuls les moments que prévoit un questionnaire (le service vérifie encore le couple).
        prevus = {m for i in questionnaires for m in i.definition.moments}
        self.fields["moment"].choices = [("", "Choisir un moment")] + [
            (m.value, LIBELLES_MOMENTS[m]) for m in Moment if m in prevus
        ]
        self.fields["moment"].error_messages["invalid_choice"] = MOMENT_NON_PREVU
        self.fields["instrument"].label_from_instance = lambda i: f"{i.titre} (v{i.version})"


class CodeForm(Formulaire):
    """Le code de participation qu'un agent recopie de sa feuille ; sa forme est vérifiée par le service."""

    code = forms.CharField(
        label="Votre code de participation",
        help_text=f"12 lettres et chiffres, par exemple {codes.EXEMPLE} ; tirets et espaces facultatifs.",
        max_length=codes.SAISIE_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class GroupeCodesForm(Formulaire):
    libelle = forms.CharField(
        label="Groupe d'agents",
        max_length=100,
        help_text="Par exemple « Service des eaux » : le groupe à qui la feuille de codes sera remise.",
    )
    nombre = forms.IntegerField(
        label="Nombre de codes",
        min_value=MIN_CODES_PAR_GROUPE,
        max_value=MAX_CODES_PAR_FEUILLE,
        help_text=f"Un par agent du groupe ; au moins {MIN_CODES_PAR_GROUPE}, pour que le nombre de codes "
        "utilisés ne dise pas qui a répondu.",
    )


class AjoutCodesForm(Formulaire):
    nombre = forms.IntegerField(label="Codes à ajouter", min_value=1, max_value=MAX_CODES_PAR_FEUILLE)

    def __init__(self, *args, groupe: int | None = None, **kwargs):
        # Un formulaire par ligne du tableau : des identifiants distincts.
        super().__init__(*args, prefix=f"groupe-{groupe}" if groupe else None, **kwargs)
