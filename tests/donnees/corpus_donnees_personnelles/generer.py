"""Fabrique le corpus annoté des données personnelles (corpus.jsonl), de façon déterministe.

Usage : .venv/bin/python tests/donnees/corpus_donnees_personnelles/generer.py

Des gabarits de textes administratifs écrits pour Balise (courriers aux habitants, procès-verbaux,
notes RH, demandes d'usagers, courriels entre services) reçoivent des valeurs inventées : noms
d'origines variées, NIR, IBAN et SIRET aux clés justes, téléphones, plaques et adresses sous leurs
diverses écritures. Chaque valeur placée est annotée (début, fin, type) ; les leurres (numéros à la
clé fausse, articles de loi, dates qui ne sont pas de naissance, lieux, organismes) ne le sont pas.
Aucune personne réelle : les combinaisons prénom + nom sont tirées au hasard.

Les gabarits des catégories particulières (RGPD, art. 9 et 10 : santé, syndicat, convictions,
opinions, origine, vie sexuelle, génétique et biométrie, infractions) viennent après les premiers, avec
leur propre suite de tirages : ajoutés, ils n'ont changé aucun des textes déjà là.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ICI = Path(__file__).resolve().parent
GRAINE = 18
# Les gabarits des catégories particulières tirent dans une suite à part, dérivée de la même graine.
GRAINE_PARTICULIERES = f"{GRAINE}-categories-particulieres"
REPETITIONS = 8

PRENOMS_F = [
    "Fatou",
    "Aïcha",
    "Sophie",
    "Nathalie",
    "Chantal",
    "Mélanie",
    "Inès",
    "Yasmina",
    "Thi",
    "Lan",
    "Agnieszka",
    "Maria",
    "Leïla",
    "Nadia",
    "Awa",
    "Clémence",
    "Sylvie",
    "Hélène",
    "Amandine",
    "Rokia",
    "Marie-Claire",
    "Zoé",
    "Océane",
    "Samira",
    "Ngoc",
    "Mariama",
    "Elif",
    "Ana",
    "Gwenaëlle",
    "Faustine",
    "Soraya",
    "Anne-Laure",
    "Karine",
    "Béatrice",
    "Djeneba",
    "Kenza",
    "Aurélie",
    "Laetitia",
    "Maëlle",
    "Chloé",
    "Françoise",
]
PRENOMS_M = [
    "Karim",
    "Jean-Pierre",
    "Mamadou",
    "Thierry",
    "Julien",
    "Mehdi",
    "Nicolas",
    "Antoine",
    "Yannick",
    "Duc",
    "Rachid",
    "Kévin",
    "Olivier",
    "Sébastien",
    "Moussa",
    "Tomasz",
    "Joaquim",
    "Luc",
    "Hugo",
    "Bilal",
    "Arnaud",
    "Franck",
    "Issa",
    "Erwan",
    "Loïc",
    "Théo",
    "Cédric",
    "Ousmane",
    "Mathieu",
    "Grégory",
    "Youssef",
    "Baptiste",
    "Quentin",
    "Ibrahima",
    "Emre",
    "Stéphane",
    "Pascal",
    "Rodrigue",
    "Malik",
    "Dominique",
]
NOMS = [
    "Diallo",
    "Lefèvre",
    "Benali",
    "Nguyen",
    "Martin",
    "Dubreuil",
    "Kowalski",
    "Ferreira",
    "Traoré",
    "Moreau",
    "Haddad",
    "Rousseau",
    "Le Goff",
    "Mercier",
    "Diop",
    "Bensaïd",
    "Garnier",
    "Pham",
    "Lambert",
    "Fontaine",
    "Camara",
    "Morel",
    "Cissé",
    "Girard",
    "Chevalier",
    "Boucher",
    "Rahmani",
    "Perrin",
    "Barbier",
    "Keita",
    "Tran",
    "Roussel",
    "Da Silva",
    "Meyer",
    "Mbemba",
    "Henry",
    "Aubert",
    "Lemaire",
    "Benoît",
    "Ould Ahmed",
    "Dumont",
    "Yilmaz",
    "Marchand",
    "Nicolas",
    "Faure",
    "Rivière",
    "Sow",
    "Zidani",
    "Lopez",
    "Gauthier",
    "Hoarau",
    "Payet",
    "Grondin",
    "Jean-Baptiste",
    "Alexandre",
    "Saint-Cyr",
    "Brunet",
    "Schmitt",
    "Masson",
    "Lacroix",
    "Kanté",
]
DOMAINES_PERSO = ("laposte.net", "orange.fr", "free.fr", "gmail.com", "sfr.fr", "hotmail.fr", "outlook.fr")
DOMAINES_PRO = (
    "ville-beaumont-sur-lys.fr",
    "agglo-val-doree.fr",
    "cc-haut-plateau.fr",
    "departement-exemple.fr",
)
VOIES = ("rue", "avenue", "boulevard", "impasse", "chemin", "allée", "place", "route", "quai", "rue", "rue")
NOMS_VOIES = (
    "des Lilas",
    "Victor Hugo",
    "du Général de Gaulle",
    "de la République",
    "Jean Jaurès",
    "des Tanneurs",
    "du Moulin",
    "de l'Église",
    "Pasteur",
    "Aimé Césaire",
    "Gisèle Halimi",
    "du 8 Mai 1945",
    "des Acacias",
    "Lucie Aubrac",
    "de Verdun",
    "des Écoles",
    "Simone Veil",
    "du Stade",
)
VILLES = (
    ("69003", "Lyon"),
    ("59100", "Roubaix"),
    ("42000", "Saint-Étienne"),
    ("13090", "Aix-en-Provence"),
    ("59650", "Villeneuve-d'Ascq"),
    ("72000", "Le Mans"),
    ("01000", "Bourg-en-Bresse"),
    ("97110", "Pointe-à-Pitre"),
    ("97600", "Mamoudzou"),
    ("63000", "Clermont-Ferrand"),
    ("30200", "Bagnols-sur-Cèze"),
    ("93100", "Montreuil"),
    ("25000", "Besançon"),
    ("29000", "Quimper"),
    ("76600", "Le Havre"),
    ("97400", "Saint-Denis"),
)
TERMES = (
    "projet Cassiopée",
    "dossier Belvédère",
    "opération Cœur de Bourg",
    "marché Azur 2025",
    "plan Hirondelle",
)
MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
LETTRES_SIV = "ABCDEFGHJKLMNPQRSTVWXYZ"


# --------------------------------------------------------------------------------------------------
# Valeurs
# --------------------------------------------------------------------------------------------------


@dataclass
class Personne:
    prenom: str
    nom: str
    feminin: bool
    ecriture: str = "normale"  # normale, capitales (Prénom NOM), inversee (NOM Prénom)

    def complet(self) -> str:
        if self.ecriture == "capitales":
            return f"{self.prenom} {self.nom.upper()}"
        if self.ecriture == "inversee":
            return f"{self.nom.upper()} {self.prenom}"
        return f"{self.prenom} {self.nom}"


def sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", texte) if not unicodedata.combining(c))


def luhn_complement(chiffres: str) -> str:
    for d in "0123456789":
        total = 0
        for rang, c in enumerate(reversed(chiffres + d)):
            n = int(c) * (2 if rang % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return d
    raise AssertionError


def iban_cle(pays: str, bban: str) -> str:
    numerique = "".join(str(int(c, 36)) for c in bban + pays + "00")
    return f"{98 - int(numerique) % 97:02d}"


def grouper(valeur: str, taille: int = 4) -> str:
    return " ".join(valeur[i : i + taille] for i in range(0, len(valeur), taille))


class Tirage:
    def __init__(self, graine: int | str) -> None:
        self.h = random.Random(graine)

    def chiffres(self, n: int) -> str:
        return "".join(self.h.choice("0123456789") for _ in range(n))

    def personne(self) -> Personne:
        feminin = self.h.random() < 0.5
        prenom = self.h.choice(PRENOMS_F if feminin else PRENOMS_M)
        ecriture = self.h.choices(("normale", "capitales", "inversee"), (7, 2, 1))[0]
        return Personne(prenom, self.h.choice(NOMS), feminin, ecriture)

    def courriel(self, p: Personne | None) -> str:
        if p is None:
            p = self.personne()
        prenom = re.sub(r"[^a-z\-]", "", sans_accents(p.prenom).lower())
        nom = re.sub(r"[^a-z\-]", "", sans_accents(p.nom).lower())
        forme = self.h.choice(
            (f"{prenom}.{nom}", f"{prenom[0]}.{nom}", f"{prenom}{nom}{self.h.randint(1, 99)}")
        )
        domaine = self.h.choice(DOMAINES_PERSO + DOMAINES_PRO)
        return f"{forme}@{domaine}"

    def telephone(self) -> str:
        premier = self.h.choice("1234567996")
        paires = [self.chiffres(2) for _ in range(4)]
        forme = self.h.randrange(9)
        if forme == 0:
            return f"0{premier} " + " ".join(paires)
        if forme == 1:
            return f"0{premier}." + ".".join(paires)
        if forme == 2:
            return f"0{premier}-" + "-".join(paires)
        if forme == 3:
            return f"0{premier}" + "".join(paires)
        if forme == 4:
            return f"+33 {premier} " + " ".join(paires)
        if forme == 5:
            return f"+33{premier}" + "".join(paires)
        if forme == 6:
            return f"+33 (0){premier} " + " ".join(paires)
        if forme == 7:
            return f"0033 {premier} " + " ".join(paires)
        return f"+262 692 {paires[0]} {paires[1]} {paires[2]}"

    def nir(self, juste: bool = True) -> str:
        departement = self.h.choice(("69", "59", "2A", "2B", "75", "93", "13", "97", "99", "01", "44"))
        debut = (
            self.h.choice("12")
            + f"{self.h.randint(40, 99):02d}"
            + f"{self.h.randint(1, 12):02d}"
            + departement
            + f"{self.h.randint(1, 999):03d}"
            + f"{self.h.randint(1, 999):03d}"
        )
        cle = 97 - int(debut.replace("2A", "19").replace("2B", "18")) % 97
        if not juste:
            cle = (cle + self.h.randint(1, 95)) % 97 + 1
        nir = debut + f"{cle:02d}"
        if self.h.random() < 0.6:
            return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))
        return nir

    def iban(self, juste: bool = True) -> str:
        pays = self.h.choices(("FR", "DE", "BE", "ES", "IT", "LU", "PT"), (12, 1, 1, 1, 1, 1, 1))[0]
        if pays == "FR":
            banque, guichet, compte = self.chiffres(5), self.chiffres(5), self.chiffres(11)
            cle_rib = 97 - (89 * int(banque) + 15 * int(guichet) + 3 * int(compte)) % 97
            bban = banque + guichet + compte + f"{cle_rib:02d}"
        elif pays == "IT":
            bban = self.h.choice("ABCDEFGHX") + self.chiffres(22)
        else:
            bban = self.chiffres({"DE": 18, "BE": 12, "ES": 20, "LU": 16, "PT": 21}[pays])
        iban = pays + iban_cle(pays, bban) + bban
        if not juste:
            rang = self.h.randrange(4, len(iban))
            iban = (
                iban[:rang]
                + str((int(iban[rang]) + 1) % 10 if iban[rang].isdigit() else 3)
                + iban[rang + 1 :]
            )
        return grouper(iban) if self.h.random() < 0.8 else iban

    def siren(self) -> str:
        base = self.h.choice("3456789") + self.chiffres(7)
        return base + luhn_complement(base)

    def siret(self, juste: bool = True) -> str:
        base = self.siren() + "000" + self.chiffres(1)
        siret = base + luhn_complement(base)
        if not juste:
            siret = siret[:-1] + str((int(siret[-1]) + self.h.randint(1, 9)) % 10)
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if self.h.random() < 0.7 else siret

    def plaque(self) -> str:
        if self.h.random() < 0.75:
            gauche = "".join(self.h.choice(LETTRES_SIV) for _ in range(2))
            droite = "".join(self.h.choice(LETTRES_SIV) for _ in range(2))
            sep = self.h.choices(("-", " ", ""), (6, 2, 1))[0]
            return f"{gauche}{sep}{self.h.randint(1, 999):03d}{sep}{droite}"
        lettres = "".join(self.h.choice("ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(self.h.randint(2, 3)))
        return f"{self.h.randint(1, 9999)} {lettres} {self.h.choice(('69', '59', '2A', '13', '75', '44'))}"

    def date_naissance(self) -> str:
        jour, mois, annee = self.h.randint(1, 28), self.h.randint(1, 12), self.h.randint(1940, 2006)
        forme = self.h.randrange(5)
        if forme == 0:
            return f"{jour:02d}/{mois:02d}/{annee}"
        if forme == 1:
            return f"{'1er' if jour == 1 else jour} {MOIS[mois - 1]} {annee}"
        if forme == 2:
            return f"{jour:02d}.{mois:02d}.{annee}"
        if forme == 3:
            return f"{jour:02d}-{mois:02d}-{annee}"
        return f"{jour} {MOIS[mois - 1]} {annee}"

    def adresse(self) -> str:
        numero = str(self.h.randint(1, 180)) + self.h.choices(("", " bis", " ter"), (8, 1, 1))[0]
        voie = f"{numero} {self.h.choice(VOIES)} {self.h.choice(NOMS_VOIES)}"
        code, ville = self.h.choice(VILLES)
        forme = self.h.randrange(3)
        if forme == 0:
            return voie
        return f"{voie}, {code} {ville}" if forme == 1 else f"{voie}\n{code} {ville}"

    def date_ordinaire(self) -> str:
        return f"{self.h.randint(1, 28)} {self.h.choice(MOIS)} {self.h.randint(2023, 2026)}"

    def dossier(self) -> str:
        return self.h.choice(
            (
                f"{self.h.randint(2023, 2026)}-{self.chiffres(4)}",
                f"{self.h.randint(2023, 2026)}/{self.chiffres(5)}",
                f"DEL-{self.h.randint(2023, 2026)}-{self.chiffres(3)}",
                self.chiffres(9),
                self.chiffres(15),
            )
        )

    def montant(self) -> str:
        return f"{self.h.randint(1, 999)} {self.chiffres(3)},{self.chiffres(2)} €"


# --------------------------------------------------------------------------------------------------
# Gabarits : {TYPE} une valeur annotée, {TYPE:k} la même valeur partout où revient la clé k.
# P nom complet, N nom seul, PR prénom seul, T/TA titre (Madame, Mme), NE « né »/« née », E courriel
# (de la personne k), TEL, NIR, IBAN, SIRET, SIREN, PLAQUE, DDN, ADR, TERME ; leurres en minuscules :
# xnir, xiban, xsiret (clés fausses), date, dossier, montant.
# --------------------------------------------------------------------------------------------------

GABARITS: list[tuple[str, str]] = [
    (
        "courrier",
        "Objet : votre demande de logement social (dossier n° {dossier})\n\n{T:a},\n\nNous accusons "
        "réception de votre demande déposée le {date}. Votre dossier, au nom de {P:a}, {NE:a} le {DDN}, "
        "demeurant {ADR}, sera examiné par la commission d'attribution. Pour toute question, le service "
        "habitat reste joignable au 03 20 00 00 00 aux heures d'ouverture.\n\nVeuillez agréer, {T:a}, "
        "l'expression de nos salutations distinguées.\n\n{P:b}\nResponsable du service habitat",
    ),
    (
        "demande",
        "Bonjour,\n\nJe m'appelle {P:a} et j'habite au {ADR}. Je souhaite inscrire mon fils à la cantine "
        "scolaire à partir du {date}. Vous pouvez me joindre au {TEL} ou par courriel : {E:a}.\n\n"
        "Merci d'avance,\n{P:a}",
    ),
    (
        "note RH",
        "NOTE À L'ATTENTION DE LA DIRECTION DES RESSOURCES HUMAINES\n\nAgent : {P:a}\nDate de naissance : "
        "{DDN}\nN° de sécurité sociale : {NIR}\nGrade : adjoint technique principal de 2e classe\n\n"
        "L'agent sollicite un temps partiel à 80 % à compter du {date}. Avis favorable du chef de service, "
        "{P:b}.",
    ),
    (
        "procès-verbal",
        "Procès-verbal du conseil municipal du {date}\n\nPrésents : {P:a}, maire ; {P:b}, {P:c}, "
        "adjoints ; {P:d}, conseillère municipale.\nSecrétaire de séance : {TA:c} {N:c}.\n\n"
        "Délibération n° {dossier} : le conseil approuve, en application de l'article L. 2122-22 du code "
        "général des collectivités territoriales, la convention avec la communauté d'agglomération du "
        "Val Doré pour un montant de {montant}. Adoptée à l'unanimité.",
    ),
    (
        "courriel interne",
        "De : {P:a} <{E:a}>\nÀ : service des finances\nObjet : remboursement de frais\n\nBonjour,\n\n"
        "Pourriez-vous rembourser à {P:b} ses frais de déplacement à Rennes ? Ses coordonnées bancaires : "
        "{IBAN}. Le bon de commande porte le numéro {dossier}.\n\nBien cordialement,\n{PR:a}",
    ),
    (
        "courrier",
        "{T:a} {N:a},\n\nSuite au contrôle du stationnement du {date}, le véhicule immatriculé {PLAQUE} "
        "stationnait sur une place réservée rue de la Gare. Le forfait post-stationnement vous sera "
        "adressé à votre domicile, {ADR}.\n\nLa police municipale",
    ),
    (
        "marché public",
        "Rapport d'analyse des offres — {TERME:x}\n\nL'entreprise Menuiseries Durand, SIRET {SIRET}, "
        "représentée par {TA:a} {P:a}, propose un montant de {montant}. Le candidat Bois et Fils (SIRET "
        "{xsiret}, numéro que l'acheteur devra faire vérifier) n'a pas fourni son attestation. Contact "
        "du mandataire : {E:a}, {TEL}.",
    ),
    (
        "courriel interne",
        "Bonjour {PR:a},\n\nPour le {TERME:x}, peux-tu relancer {TA:b} {N:b} ? Elle n'a pas répondu au "
        "courriel envoyé le {date}. Son portable : {TEL}.\n\nMerci,\n{P:c}\nDirection de l'aménagement",
    ),
    (
        "état civil",
        "Demande d'acte de naissance\n\nNom et prénom : {P:a}\n{NE:a} le {DDN} à Oran (Algérie)\n"
        "Adresse : {ADR}\nCourriel : {E:a}\nTéléphone : {TEL}\n\nMotif : constitution d'un dossier de "
        "mariage.",
    ),
    (
        "note RH",
        "Objet : [SANTE|accident de service] de {TA:a} {N:a}\n\n{T:a} {P:a} (NIR {NIR}) a déclaré le {date} "
        "un accident survenu sur le chantier de la {TERME:x}. Son supérieur, {P:b}, a transmis le "
        "certificat. Le dossier est suivi par {E:b}.",
    ),
    (
        "demande",
        "Madame la Maire,\n\nJe soussigné{E_F:a} {P:a}, {NE:a} le {DDN}, domicilié{E_F:a} {ADR}, "
        "sollicite l'autorisation d'occuper le domaine public pour un déménagement le {date}. Le camion "
        "sera immatriculé {PLAQUE}.\n\nJe reste joignable au {TEL}.\n\n{P:a}",
    ),
    (
        "courrier",
        "Direction des finances\n\n{T:a} {P:a}\n{ADR}\n\nObjet : prélèvement automatique de la redevance "
        "d'eau\n\n{T:a},\n\nNous avons bien enregistré votre mandat de prélèvement sur le compte {IBAN}. "
        "Le premier prélèvement interviendra le {date}. Référence unique du mandat : {dossier}.",
    ),
    (
        "compte rendu",
        "Compte rendu de la réunion de chantier n° 12 — {TERME:x}\n\nParticipants : {P:a} (maîtrise "
        "d'œuvre), {P:b} (services techniques), {P:c} (entreprise Lumière Éclairage, SIREN {SIREN}).\n\n"
        "Les travaux de la phase 2 reprendront le {date}. {PR:b} transmettra le plan de récolement.",
    ),
    (
        "courriel interne",
        "Objet : TR: signalement\n\nBonjour,\n\nJe vous transfère le signalement de {P:a} ({E:a}), qui "
        "habite {ADR}. Un véhicule ventouse, plaque {PLAQUE}, est garé devant chez elle depuis le {date}."
        "\n\n{P:b}\nAccueil de la mairie",
    ),
    (
        "note RH",
        "Dossier de recrutement — poste de gestionnaire paie\n\nCandidate retenue : {P:a}, {NE:a} le "
        "{DDN}. Adresse personnelle : {ADR}. Téléphone : {TEL}. RIB fourni : {IBAN}. Numéro de sécurité "
        "sociale : {NIR}.\nPrise de poste prévue le {date}.",
    ),
    (
        "courrier",
        "{T:a},\n\nVous avez sollicité l'aide exceptionnelle du centre communal d'action sociale. Après "
        "examen de votre situation par la commission du {date}, une aide de 300 € vous est accordée. "
        "Elle sera versée sur le compte {IBAN} au nom de {P:a}.\n\nPour le président du CCAS,\n{P:b}",
    ),
    (
        "demande",
        "Bonjour, je suis {P:a}, commerçant au {ADR}. Mon entreprise (SIRET {SIRET}) souhaite installer "
        "une terrasse. Pouvez-vous me rappeler au {TEL} ? Merci.",
    ),
    (
        "procès-verbal",
        "Extrait du registre des délibérations — séance du {date}\n\nL'an deux mille vingt-cinq, le "
        "conseil communautaire s'est réuni sous la présidence de {TA:a} {P:a}. Rapporteur : {TA:b} {N:b}."
        "\n\nObjet : attribution d'une subvention à l'association Les Amis du Val Doré (SIREN {SIREN}). "
        "Vu l'article L. 1611-4 du CGCT, le conseil attribue {montant}.",
    ),
    (
        "courriel interne",
        "Salut {PR:a},\n\nLa carte de stationnement de {P:b} est arrivée ; sa voiture ({PLAQUE}) pourra "
        "entrer au parking de l'hôtel de ville dès lundi. Tu peux la prévenir au {TEL} ?\n\n{PR:c}",
    ),
    (
        "courrier",
        "Objet : rappel — facture de restauration scolaire n° {dossier}\n\n{T:a} {N:a},\n\nSauf erreur "
        "de notre part, la facture du {date} reste impayée. Vous pouvez la régler en ligne ou par "
        "virement. Pour toute difficulté, contactez {P:b} au {TEL} ou à l'adresse {E:b}.",
    ),
    (
        "note RH",
        "Attestation employeur\n\nJe soussignée, {P:a}, directrice générale des services, atteste que "
        "{T:b} {P:b}, {NE:b} le {DDN}, NIR {NIR}, demeurant {ADR}, est employé{E_F:b} par la commune "
        "depuis le {date} en qualité d'agent d'entretien.",
    ),
    (
        "demande",
        "Bonjour Madame,\nsuite à notre échange téléphonique je vous envoie les pièces pour la "
        "carte d'identité de ma fille. Mon numéro c'est le {TEL} et mon mail {E:a}. Cordialement "
        "{P:a}",
    ),
    (
        "compte rendu",
        "Commission d'appel d'offres du {date}\n\nMembres présents : {P:a}, {P:b}, {P:c}.\n"
        "Excusé : {P:d}.\n\nLa commission retient l'offre de la société Voirie Moderne, SIRET {SIRET}, "
        "pour le lot n° 3. L'offre de la société Trait Blanc (SIRET {xsiret}) est écartée.",
    ),
    (
        "courriel interne",
        "De : {E:a}\nObjet : absence\n\nBonjour à tous,\n\nJe serai absente du {date} au 14 juin. "
        "Pour les dossiers urgents du {TERME:x}, voyez avec {P:b} ({E:b}, poste 4512).\n\n{P:a}",
    ),
    (
        "courrier",
        "{T:a} {P:a}\n{ADR}\n\n{T:a},\n\nNous vous informons que votre demande de permis de construire "
        "n° PC 069 123 25 00045 a fait l'objet d'un arrêté favorable le {date}. L'arrêté peut être "
        "contesté dans un délai de deux mois.\n\nLe service urbanisme",
    ),
    (
        "demande",
        "Objet : signalement d'un nid-de-poule\n\nBonjour, devant le {ADR} il y a un trou énorme dans la "
        "chaussée. Ma voiture ({PLAQUE}) a été abîmée. Je m'appelle {P:a}, tél {TEL}.",
    ),
    (
        "note RH",
        "Fiche de liaison — médecine préventive\n\nNom : {N:a}\nPrénom : {PR:a}\nDate de naissance : "
        "{DDN}\nService : espaces verts\nVisite programmée le {date}. Convocation envoyée à {E:a}.",
    ),
    (
        "courrier",
        "Maître,\n\nEn réponse à votre courrier du {date} concernant votre client, {T:a} {P:a}, nous vous "
        "confirmons que la collectivité maintient sa décision. Copie est adressée à {Me:b} {N:b}, avocat "
        "de la commune.",
    ),
    (
        "courriel interne",
        "Bonjour,\n\nPour le versement de la bourse au permis, voici les coordonnées de {P:a} : {ADR}, "
        "{TEL}, IBAN {IBAN}. Son numéro de sécurité sociale ({NIR}) n'est pas nécessaire, je l'ai retiré "
        "du dossier papier.\n\n{P:b}",
    ),
    (
        "compte rendu",
        "Réunion du comité de pilotage du {TERME:x} — {date}\n\nTour de table : {P:a} (DGS), {P:b} "
        "(DSI), {P:c} (DPO). {PR:c} rappelle que les données des usagers ne doivent pas être saisies "
        "dans des outils en ligne non maîtrisés. Prochaine réunion le {date}.",
    ),
    (
        "demande",
        "Madame, Monsieur, je viens d'emménager au {ADR} et je souhaiterais m'inscrire sur les listes "
        "électorales. Je suis {NE:a} le {DDN}. Mes coordonnées : {E:a} / {TEL}. {P:a}",
    ),
    (
        "courrier",
        "Objet : mise en fourrière\n\n{T:a},\n\nLe véhicule {PLAQUE}, dont vous êtes titulaire du "
        "certificat d'immatriculation, a été placé en fourrière le {date}. Vous pouvez le récupérer au "
        "{ADR} muni de votre pièce d'identité.\n\n{P:b}, chef de la police municipale",
    ),
]

# Textes sans donnée personnelle, qui en ont pourtant l'air (leurres).
NEGATIFS: list[tuple[str, str]] = [
    (
        "délibération",
        "Délibération n° {dossier}\n\nVu le code général des collectivités territoriales, notamment ses "
        "articles L. 2121-29 et L. 2241-1 ; vu l'avis de la commission des finances du {date} ; le "
        "conseil municipal approuve le budget supplémentaire pour un montant de {montant}.",
    ),
    (
        "courrier",
        "Madame la Présidente,\n\nLa commune de Beaumont-sur-Lys a l'honneur de solliciter le soutien du "
        "conseil départemental pour la rénovation de la salle Jean Moulin. Le devis s'élève à {montant}."
        "\n\nMonsieur le Maire",
    ),
    (
        "note",
        "Note de service\n\nÀ compter du {date}, le service état civil sera ouvert le samedi matin. Le "
        "numéro d'accueil reste inchangé. Les demandes de dossier n° {dossier} sont traitées par ordre "
        "d'arrivée.",
    ),
    (
        "compte rendu",
        "Compte rendu du conseil d'école du {date}\n\nLes parents d'élèves demandent l'installation d'un "
        "abri à vélos place de la Mairie. La commune étudiera la demande avec la Région et France Travail "
        "pour le chantier d'insertion.",
    ),
    (
        "courriel interne",
        "Bonjour,\n\nLe fichier de rapprochement contient des références à vérifier : {xiban} et {xnir} "
        "ne passent pas le contrôle de clé, il s'agit sans doute d'erreurs de saisie. Le SIRET {xsiret} "
        "non plus.\n\nLe service comptabilité",
    ),
    (
        "rapport",
        "Rapport d'activité de la médiathèque\n\nEn {annee}, 12 480 prêts ont été enregistrés, dont 3 200 "
        "pour la jeunesse. Le fonds compte 45 000 documents. Les horaires d'ouverture passeront à "
        "38 h 30 par semaine à partir du {date}.",
    ),
    (
        "procès-verbal",
        "Monsieur le Maire ouvre la séance à 18 h 30. Le quorum est atteint. Madame la première adjointe "
        "présente le rapport sur la délégation de service public de l'eau, conclue avec la Société des "
        "Eaux du Val Doré pour la période {annee}-2035.",
    ),
    (
        "marché public",
        "Avis d'appel public à la concurrence — marché n° {dossier}\n\nObjet : entretien des espaces "
        "verts. Procédure adaptée (article R. 2123-1 du code de la commande publique). Date limite de "
        "remise des offres : {date}, 12 h 00.",
    ),
    (
        "courrier",
        "Objet : subvention {annee}\n\nMonsieur le Président,\n\nL'association sportive de Saint-Étienne "
        "a bien reçu la subvention de {montant}. Elle sera affectée au déplacement de l'équipe à Lyon et "
        "à Clermont-Ferrand.",
    ),
    (
        "note",
        "Pour information : le recueil des actes administratifs du {date} est en ligne. Il comprend les "
        "arrêtés n° {dossier} à {dossier}, relatifs à la circulation avenue de la Libération.",
    ),
]


# --------------------------------------------------------------------------------------------------
# Catégories particulières (RGPD, art. 9 et 10). « [TYPE|…] » annote ce qu'il encadre : l'expression
# qui révèle la donnée sur la personne, avec le mot qui la rattache à elle quand le terme seul ne dit
# rien de personne (« adhérente de la CGT », « son casier judiciaire », mais « mon homosexualité »
# n'annote que le nom), pas le reste de la phrase. « {X:nom} » tire une des écritures de
# VARIANTES[nom]. Certaines annotations sont des paraphrases que des listes de mots ne connaissent pas
# (« son opération du genou », « une dépression » sans verbe qui la rattache, « sa vie intime ») :
# le rappel mesuré en tient compte.
# --------------------------------------------------------------------------------------------------

VARIANTES: dict[str, tuple[str, ...]] = {
    "arret": (
        "en [SANTE|arrêt maladie]",
        "en [SANTE|congé de longue maladie]",
        "en [SANTE|congé de maladie ordinaire]",
        "en [SANTE|congé de longue durée]",
        "en [SANTE|arrêt de travail]",
        "en [SANTE|CLM]",
    ),
    "syndicat": (
        "[SYNDICAT|membre de la CFDT]",
        "[SYNDICAT|membre de FO]",
        "[SYNDICAT|adhérent{E_F:b} de la CGT]",
        "[SYNDICAT|membre de SUD]",
        "[SYNDICAT|adhérent{E_F:b} à l'UNSA]",
        "[SYNDICAT|syndiqué{E_F:b}] à la FSU",
    ),
    "confession": (
        "[CONVICTIONS|de confession musulmane]",
        "[CONVICTIONS|de confession juive]",
        "[CONVICTIONS|de religion musulmane]",
        "[CONVICTIONS|de confession israélite]",
    ),
    "signe": (
        "[CONVICTIONS|porte le voile]",
        "[CONVICTIONS|porte une kippa]",
        "[CONVICTIONS|porte un foulard]",
    ),
    "parti": (
        "[OPINIONS_POLITIQUES|militant{E_F:b} du RN]",
        "[OPINIONS_POLITIQUES|adhérent{E_F:b} de la France insoumise]",
        "[OPINIONS_POLITIQUES|membre du PS]",
        "[OPINIONS_POLITIQUES|sympathisant{E_F:b} de Reconquête]",
        "[OPINIONS_POLITIQUES|encarté{E_F:b} chez les Républicains]",
    ),
    "origine": (
        "[ORIGINE|d'origine africaine]",
        "[ORIGINE|d'origine maghrébine]",
        "[ORIGINE|d'origine asiatique]",
        "[ORIGINE|d'origine rom]",
    ),
    "motif_origine": (
        "[ORIGINE|sa couleur de peau]",
        "[ORIGINE|ses origines ethniques]",
        "[ORIGINE|son origine ethnique]",
    ),
    "orientation": (
        "mon [VIE_SEXUELLE|homosexualité]",
        "ma [VIE_SEXUELLE|bisexualité]",
        "[VIE_SEXUELLE|mon orientation sexuelle]",
    ),
}

GABARITS_PARTICULIERS: list[tuple[str, str]] = [
    (
        "note RH",
        "Objet : situation administrative de {TA:a} {P:a}\n\n{T:a} {N:a}, adjoint{E_F:a} technique au "
        "service des espaces verts, est {X:arret} depuis le {date}. À la reprise, un [SANTE|temps "
        "partiel thérapeutique] pourra être demandé. Merci de ne pas diffuser cette note au-delà du "
        "service des ressources humaines.\n\n{P:b}\nGestionnaire carrière",
    ),
    (
        "note RH",
        "Fiche d'aménagement de poste\n\nAgent : {P:a}\nService : médiathèque\n\nL'agent bénéficie "
        "d'une [SANTE|RQTH] depuis le {date}. Le médecin du travail préconise un siège adapté et des "
        "[SANTE|restrictions médicales] pour le port de charges. Contact : {E:a}.",
    ),
    (
        "demande",
        "Bonjour,\n\nJe m'appelle {P:a} et j'habite {ADR}. Je [SANTE|suis en situation de handicap] et "
        "[SANTE|bénéficiaire de l'AAH] ; mon fils est [SANTE|atteint d'une maladie] rare qui demande "
        "des soins réguliers. Le CCAS peut-il m'aider à régler la facture d'électricité de {montant} ? "
        "Mon téléphone : {TEL}.\n\n{P:a}",
    ),
    (
        "courriel interne",
        "Objet : absence prolongée\n\nBonjour,\n\n{P:a} ne reviendra pas avant le {date} : après "
        "[SANTE|son opération du genou], {PR:a} suit une [SANTE|rééducation de six semaines]. Merci "
        "de répartir ses dossiers entre {P:b} et moi.\n\n{PR:c}",
    ),
    (
        "demande",
        "Madame, Monsieur,\n\nJe suis {P:a}, {ADR}. Mon fils est [INFRACTIONS|incarcéré] à la maison "
        "d'arrêt depuis le {date} et je n'arrive plus à payer le loyer ; je suis moi-même en "
        "[SANTE|arrêt maladie] pour [SANTE|une dépression]. Pouvez-vous me dire si une aide est "
        "possible ? Tél. {TEL}.",
    ),
    (
        "procès-verbal",
        "Conseil de discipline du {date}\n\n{T:a} {P:a}, gardien{E_NE:a} de police municipale, a été "
        "placé{E_F:a} en [INFRACTIONS|garde à vue] le {date}, puis a fait l'objet d'une "
        "[INFRACTIONS|condamnation pénale] pour conduite en état d'ivresse. {Me:b} {N:b}, son conseil, "
        "demande que [INFRACTIONS|sa condamnation] ne soit pas retenue contre l'agent.",
    ),
    (
        "note RH",
        "Recrutement — animateur périscolaire\n\nLe bulletin n° 2 du casier judiciaire a été demandé à "
        "chaque candidat. Pour {P:a}, [INFRACTIONS|son casier judiciaire] porte une [INFRACTIONS|mention "
        "de 2019 pour vol] ; {P:b} a un [INFRACTIONS|casier judiciaire vierge]. Avis du jury le {date}.",
    ),
    (
        "courriel interne",
        "Objet : décharges syndicales\n\nBonjour,\n\n{P:a} bénéficie d'une [SYNDICAT|décharge "
        "d'activité de service] de 20 % au titre de [SYNDICAT|son mandat syndical] ; {P:b}, {X:syndicat}, "
        "demande le même aménagement à partir du {date}. Merci de ne pas faire figurer ces informations "
        "dans le tableau partagé.\n\n{P:c}\nRessources humaines",
    ),
    (
        "demande",
        "Objet : restauration scolaire\n\nBonjour,\n\nMa fille est inscrite à la cantine depuis le "
        "{date}. Nous sommes {X:confession} et elle [CONVICTIONS|ne mange pas de porc] : pouvez-vous lui "
        "servir le repas de substitution ?\n\nMerci,\n{P:a}\n{TEL}",
    ),
    (
        "note RH",
        "Note à la directrice générale des services\n\nUne usagère s'est plainte de ce que {P:a}, "
        "agent{E_F:a} d'accueil, {X:signe} au guichet. Le principe de neutralité s'impose aux agents "
        "publics ; un entretien est prévu le {date} avec {P:b}.",
    ),
    (
        "courriel interne",
        "Objet : jury de recrutement\n\n{PR:a},\n\nPour l'entretien du {date}, sache que {P:b} est "
        "{X:parti}. [OPINIONS_POLITIQUES|Ses opinions politiques] ne peuvent évidemment pas entrer dans "
        "la décision du jury.\n\n{P:a}",
    ),
    (
        "courrier",
        "Objet : votre signalement du {date}\n\n{T:a},\n\nVous indiquez, {X:origine}, qu'un agent du "
        "gymnase vous a refusé l'accès en raison de {X:motif_origine}. Votre signalement a été transmis "
        "au référent déontologue.\n\n{P:b}\nDirection des sports",
    ),
    (
        "demande",
        "Objet : demande d'hébergement d'urgence\n\nBonjour,\n\nJe m'appelle {P:a}. Depuis que mes "
        "parents ont appris {X:orientation}, je ne peux plus vivre chez eux, {ADR}. Je cherche un "
        "hébergement d'urgence. Vous pouvez me joindre au {TEL}.\n\n{PR:a}",
    ),
    (
        "note RH",
        "Signalement — cellule d'écoute\n\n{P:a} signale des propos répétés de deux collègues sur "
        "[VIE_SEXUELLE|son orientation sexuelle] et sur [VIE_SEXUELLE|sa vie intime], depuis le {date}. "
        "Une enquête administrative est ouverte ; {P:b} en est chargé{E_F:b}.",
    ),
    (
        "courriel interne",
        "Objet : pointeuse du centre technique\n\nBonjour,\n\n{P:a} refuse que [GENETIQUE_BIOMETRIE|ses "
        "empreintes digitales] soient enregistrées par la nouvelle pointeuse, et demande un badge. "
        "Peux-tu voir avec {P:b} avant le {date} ?\n\n{PR:c}",
    ),
    (
        "état civil",
        "Objet : mention en marge de l'acte de naissance\n\nLe jugement du {date} établit la filiation "
        "de l'enfant de {P:a} au vu d'un [GENETIQUE_BIOMETRIE|test ADN]. La mention sera portée en "
        "marge de l'acte ; {P:b} sera [INFRACTIONS|mis{E_F:b} en examen] pour faux en écriture selon "
        "le parquet.",
    ),
]

# Les mêmes mots employés pour parler de tous et de personne : rien n'est annoté. La note de règlement
# (« tout arrêt de travail doit être transmis… ») est reconnue à tort : elle compte contre la précision.
NEGATIFS_PARTICULIERS: list[tuple[str, str]] = [
    (
        "compte rendu",
        "Compte rendu du comité social territorial du {date}\n\nLes organisations syndicales ont été "
        "consultées sur le plan de formation. La CGT et FO ont voté contre, la CFDT s'est abstenue. La "
        "formation spécialisée en santé, sécurité et conditions de travail examinera le document unique.",
    ),
    (
        "délibération",
        "Délibération n° {dossier} — centre de santé municipal\n\nVu le code de la santé publique ; "
        "considérant que la politique de santé de la commune vise l'accès aux soins, la prévention du "
        "cancer du sein et la santé mentale au travail ; le conseil approuve la création d'un centre de "
        "santé municipal pour un montant de {montant}.",
    ),
    (
        "note",
        "Les travaux de restauration de l'église Saint-Martin débuteront le {date}. Le parvis restera "
        "accessible les jours de marché ; la paroisse a été informée. La mosquée de la rue de la Gare "
        "ouvrira ses portes lors des journées du patrimoine.",
    ),
    (
        "procès-verbal",
        "Le comité syndical du syndicat intercommunal des eaux s'est réuni le {date}. Les délégués des "
        "communes membres ont adopté le budget de {montant}. Le président remercie les syndicats de "
        "communes voisins.",
    ),
    (
        "rapport",
        "Rapport social unique {annee}\n\nOn compte 14 accidents de service et 3 maladies "
        "professionnelles reconnues ; le taux d'absentéisme est de 7,2 %. Les arrêts de travail de "
        "courte durée augmentent. Les bénéficiaires de l'obligation d'emploi des travailleurs "
        "handicapés représentent 6,1 % de l'effectif.",
    ),
    (
        "note",
        "Rappel du règlement intérieur\n\nTout arrêt de travail doit être transmis au service des "
        "ressources humaines sous 48 heures. Les agents qui le souhaitent peuvent consulter le médecin "
        "de prévention à partir du {date}.",
    ),
    (
        "courrier",
        "Madame la Préfète,\n\nLa commune poursuit sa politique du handicap : l'accueil des personnes en "
        "situation de handicap est assuré à la mairie et un référent handicap a été nommé. L'aire "
        "d'accueil des gens du voyage sera rénovée en {annee}.\n\nMonsieur le Maire",
    ),
    (
        "note",
        "Titres d'identité : les demandes de passeport se font sur rendez-vous, la prise des empreintes "
        "digitales a lieu en mairie. Le maire a été interpellé par des habitants sur l'empreinte carbone "
        "des navettes ; la commune a été condamnée par le tribunal administratif à verser {montant}.",
    ),
]


@dataclass
class Redaction:
    tirage: Tirage
    morceaux: list[str] = field(default_factory=list)
    entites: list[dict[str, object]] = field(default_factory=list)
    personnes: dict[str, Personne] = field(default_factory=dict)
    valeurs: dict[tuple[str, str], str] = field(default_factory=dict)
    longueur: int = 0

    def ecrire(self, texte: str, type_donnee: str | None = None) -> None:
        if type_donnee is not None:
            self.entites.append(
                {
                    "debut": self.longueur,
                    "fin": self.longueur + len(texte),
                    "type": type_donnee,
                    "valeur": texte,
                }
            )
        self.morceaux.append(texte)
        self.longueur += len(texte)

    def personne(self, cle: str) -> Personne:
        if cle not in self.personnes:
            self.personnes[cle] = self.tirage.personne()
        return self.personnes[cle]

    def valeur(self, code: str, cle: str | None, fabrique: Callable[[], str]) -> str:
        if cle is None:
            return fabrique()
        if (code, cle) not in self.valeurs:
            self.valeurs[(code, cle)] = fabrique()
        return self.valeurs[(code, cle)]


def remplir(redaction: Redaction, code: str, cle: str | None) -> None:
    t = redaction.tirage
    k = cle or "_"
    annotees = {
        "TEL": ("TELEPHONE", t.telephone),
        "NIR": ("NIR", t.nir),
        "IBAN": ("IBAN", t.iban),
        "SIRET": ("SIRET", t.siret),
        "SIREN": ("SIREN", t.siren),
        "PLAQUE": ("IMMATRICULATION", t.plaque),
        "DDN": ("DATE_NAISSANCE", t.date_naissance),
        "ADR": ("ADRESSE", t.adresse),
    }
    leurres = {
        "xnir": lambda: t.nir(juste=False),
        "xiban": lambda: t.iban(juste=False),
        "xsiret": lambda: t.siret(juste=False),
        "date": t.date_ordinaire,
        "dossier": t.dossier,
        "montant": t.montant,
        "annee": lambda: str(t.h.randint(2023, 2026)),
    }
    if code in annotees:
        type_donnee, fabrique = annotees[code]
        redaction.ecrire(redaction.valeur(code, cle, fabrique), type_donnee)
    elif code in leurres:
        redaction.ecrire(leurres[code]())
    elif code == "TERME":
        terme = redaction.valeur(code, k, lambda: t.h.choice(TERMES))
        ecrit = t.h.choice((terme, terme.upper(), sans_accents(terme).lower(), terme))
        redaction.ecrire(ecrit, "TERME_PROPRE")
    elif code == "E":
        p = redaction.personne(k)
        redaction.ecrire(redaction.valeur(code, k, lambda: t.courriel(p)), "COURRIEL")
    else:
        ecrire_personne(redaction, code, redaction.personne(k))


def ecrire_personne(redaction: Redaction, code: str, p: Personne) -> None:
    if code == "P":
        redaction.ecrire(p.complet(), "PERSONNE")
    elif code == "N":
        redaction.ecrire(p.nom.upper() if p.ecriture != "normale" else p.nom, "PERSONNE")
    elif code == "PR":
        redaction.ecrire(p.prenom, "PERSONNE")
    elif code == "T":
        redaction.ecrire("Madame" if p.feminin else "Monsieur")
    elif code == "TA":
        redaction.ecrire("Mme" if p.feminin else "M.")
    elif code == "Me":
        redaction.ecrire("Maître")
    elif code == "NE":
        redaction.ecrire("née" if p.feminin else "né")
    elif code == "E_F":
        redaction.ecrire("e" if p.feminin else "")
    elif code == "E_NE":
        redaction.ecrire("ne" if p.feminin else "")
    else:
        raise ValueError(f"emplacement inconnu : {code}")


_EMPLACEMENT = re.compile(r"\{(\w+)(?::(\w+))?\}|\[([A-Z_]+)\||\]")


def ecrire_gabarit(redaction: Redaction, gabarit: str) -> None:
    position = 0
    ouvertes: list[tuple[str, int]] = []
    for emplacement in _EMPLACEMENT.finditer(gabarit):
        redaction.ecrire(gabarit[position : emplacement.start()])
        position = emplacement.end()
        if emplacement.group(3):  # « [TYPE| » : l'annotation commence
            ouvertes.append((emplacement.group(3), redaction.longueur))
        elif emplacement.group() == "]":
            type_donnee, debut = ouvertes.pop()
            valeur = "".join(redaction.morceaux)[debut:]
            redaction.entites.append(
                {"debut": debut, "fin": redaction.longueur, "type": type_donnee, "valeur": valeur}
            )
        elif emplacement.group(1) == "X":
            ecrire_gabarit(redaction, redaction.tirage.h.choice(VARIANTES[str(emplacement.group(2))]))
        else:
            remplir(redaction, emplacement.group(1), emplacement.group(2))
    redaction.ecrire(gabarit[position:])
    assert not ouvertes, gabarit


def rediger(gabarit: str, tirage: Tirage) -> tuple[str, list[dict[str, object]], list[str]]:
    redaction = Redaction(tirage)
    ecrire_gabarit(redaction, gabarit)
    # Dans l'ordre du texte (une annotation ouverte avant une valeur qu'elle contient est fermée après).
    redaction.entites.sort(key=lambda e: (int(e["debut"]), int(e["fin"])))
    termes = sorted({v for (code, _), v in redaction.valeurs.items() if code == "TERME"})
    return "".join(redaction.morceaux), redaction.entites, termes


def generer() -> list[dict[str, object]]:
    documents: list[dict[str, object]] = []
    premiers = GABARITS + NEGATIFS
    # Deux suites de tirages : les gabarits des catégories particulières, ajoutés ensuite, ne
    # déplacent aucun tirage des premiers (leurs textes restent ceux d'avant).
    for tirage, gabarits, decalage in (
        (Tirage(GRAINE), premiers, 0),
        (Tirage(GRAINE_PARTICULIERES), GABARITS_PARTICULIERS + NEGATIFS_PARTICULIERS, len(premiers)),
    ):
        for repetition in range(REPETITIONS):
            for rang, (genre, gabarit) in enumerate(gabarits):
                texte, entites, termes = rediger(gabarit, tirage)
                for e in entites:
                    assert texte[int(e["debut"]) : int(e["fin"])] == e["valeur"]
                documents.append(
                    {
                        "id": f"{decalage + rang + 1:02d}-{repetition + 1}",
                        "genre": genre,
                        "texte": texte,
                        "termes_propres": termes,
                        "entites": entites,
                    }
                )
    return documents


def main() -> None:
    documents = generer()
    with (ICI / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for document in documents:
            f.write(json.dumps(document, ensure_ascii=False) + "\n")
    nombre = sum(len(d["entites"]) for d in documents)  # type: ignore[arg-type]
    print(f"{len(documents)} textes, {nombre} entités annotées")


if __name__ == "__main__":
    main()
