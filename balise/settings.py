"""Réglages de Balise.

Tout ce qui change d'un déploiement à l'autre vient de variables d'environnement (préfixe BALISE_),
jamais du dépôt. Sans variable, Balise est en réglages de production (BALISE_DEBUG vaut 0) et refuse de
démarrer sans BALISE_SECRET_KEY : le mode développement se demande (`make demo` le fait, les tests
aussi, par tests/reglages.py). La base par défaut reste un fichier SQLite embarqué.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from balise.mandataires import lire_reseaux

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "oui", "yes"}


DEBUG = _env_bool("BALISE_DEBUG", False)
# Hors mode développement (BALISE_DEBUG=1), la clé est obligatoire : on refuse de démarrer sans elle.
SECRET_KEY = os.environ.get("BALISE_SECRET_KEY") or ("dev-uniquement-non-secret" if DEBUG else None)
if not SECRET_KEY:
    raise RuntimeError(
        "BALISE_SECRET_KEY doit être défini (production, par défaut). En développement : BALISE_DEBUG=1."
    )

# Clés Fernet des secrets de la passerelle, séparées par des virgules, la plus récente en tête
# (balise/passerelle/chiffrement.py). Vide : une clé dérivée de SECRET_KEY.
CLES_CHIFFREMENT = [c.strip() for c in os.environ.get("BALISE_CLES_CHIFFREMENT", "").split(",") if c.strip()]
ALLOWED_HOSTS = [h for h in os.environ.get("BALISE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("BALISE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Mandataires (reverse proxies) dont on croit X-Forwarded-For et X-Forwarded-Proto : adresses ou réseaux
# séparés par des virgules. Vide : aucun en-tête transmis n'est cru (balise/mandataires.py).
PROXIES_DE_CONFIANCE = [
    str(r) for r in lire_reseaux(os.environ.get("BALISE_PROXIES_DE_CONFIANCE", "").split(","))
]

# Métriques Prometheus (`/metriques`, balise/observabilite/acces.py) : servies aux seules adresses ou
# réseaux de BALISE_METRIQUES_ADRESSES (adresse réelle du client, derrière les mandataires déclarés) et
# à qui présente BALISE_METRIQUES_JETON (`Authorization: Bearer …`). Rien de configuré : fermées à tous
# (un mandataire sur la même machine ferait passer chaque visiteur pour 127.0.0.1). docs/exploitation.md.
METRIQUES_ACTIVES = _env_bool("BALISE_METRIQUES", True)
try:
    METRIQUES_ADRESSES = [
        str(r) for r in lire_reseaux(os.environ.get("BALISE_METRIQUES_ADRESSES", "").split(","))
    ]
except ValueError:
    raise RuntimeError(
        "BALISE_METRIQUES_ADRESSES : adresses IP ou réseaux séparés par des virgules attendus "
        "(exemple : 127.0.0.1,10.0.0.0/24)."
    ) from None
METRIQUES_JETON = os.environ.get("BALISE_METRIQUES_JETON", "").strip()
if METRIQUES_JETON and len(METRIQUES_JETON) < 32:
    raise RuntimeError(
        "BALISE_METRIQUES_JETON : 32 caractères au moins (par exemple : python3 -c "
        "'import secrets; print(secrets.token_urlsafe(32))')."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "balise.comptes",
    "balise.organisations",
    "balise.registre",
    "balise.instruments",
    "balise.conformite",
    "balise.gouvernance",
    "balise.chartes",
    "balise.indicateurs",
    "balise.regles_usage",
    "balise.rappels",
    "balise.metiers",
    "balise.travaux",
    "balise.envois",
    "balise.demo",
    "balise.exploitation",
    "balise.observabilite",
    "balise.formations",
    "balise.programme",
    "balise.rapports",
    "balise.mutualisation",
    "balise.observatoire",
    "balise.glossaire",
    "balise.bibliotheque",
    "balise.passerelle",
]

MIDDLEWARE = [
    # Les sondes d'abord : un répartiteur de charge sonde en HTTP, à l'adresse IP (balise/sondes.py).
    "balise.sondes.SondesAvantTout",
    # Puis une ligne de journal et les compteurs de chaque requête, toute la pile mesurée.
    "balise.observabilite.requetes.Observation",
    # Le premier : toute erreur sous /api/ répond du JSON, même celles des middlewares suivants.
    "balise.api.erreurs.ErreursEnJSON",
    # Puis l'adresse du client et le protocole, crus des seuls mandataires déclarés (balise/mandataires.py).
    "balise.mandataires.MandatairesDeConfiance",
    # /metriques, aux adresses ou au jeton permis, avant la redirection HTTPS (balise/observabilite/acces.py).
    "balise.observabilite.acces.MetriquesPermises",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "balise.comptes.inactivite.ActiviteDeSession",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Ce que le personnel d'une mutualisante écrit chez un membre est noté au journal du membre.
    "balise.mutualisation.delegation.PourLeCompteDe",
    # Axes en dernier : il intercepte les verrouillages après authentification.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "balise.urls"
WSGI_APPLICATION = "balise.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "balise" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "balise.comptes.oidc.contexte_connexion",
                "balise.gouvernance.contexte.menu",
                "balise.theme.contexte",
                "balise.ariane.contexte",
            ],
            "libraries": {
                "cache_pages": "balise.cache_pages",
                "ariane": "balise.ariane",
                "documents": "balise.documents",
            },
        },
    },
]
# Les widgets DSFR sont rendus par le moteur du projet (qui voit les gabarits de django-dsfr).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.config(
        env="BALISE_DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'balise.sqlite3'}",
        conn_max_age=int(os.environ.get("BALISE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL : les lectures ne bloquent pas pendant une écriture (serveur à plusieurs processus).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Dossier des outils du client PostgreSQL (pg_dump, pg_restore, psql) s'il n'est pas celui du PATH, par
# exemple /usr/lib/postgresql/16/bin (docs/exploitation.md, « Sauvegarde et restauration »).
PG_BIN = os.environ.get("BALISE_PG_BIN", "")


def _cache_partage(lieu: str) -> dict:
    """Un dossier (cache de fichiers, une seule machine) ou l'adresse d'un serveur Redis (plusieurs) ;
    les backends de Django dont les erreurs sont comptées (balise/observabilite/erreurs.py)."""
    if lieu.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "balise.observabilite.erreurs.RedisComptee", "LOCATION": lieu}
    return {
        "BACKEND": "balise.observabilite.erreurs.FichiersComptee",
        "LOCATION": lieu,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


# Deux caches (balise/generations.py). « default », en mémoire de chaque processus : pages, adhésions,
# personnes, sous des clés qui changent à chaque modification ; rien n'y est à invalider.
# « partage », commun à tous les processus qui servent Balise : les jetons de génération, qui doivent
# être les mêmes pour tous, et les sessions (écrites aussi en base : `cached_db`). Des fichiers par
# défaut ; Redis dès que Balise est servi par plusieurs machines (docs/exploitation.md).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    "partage": _cache_partage(
        os.environ.get("BALISE_CACHE_PARTAGE", str(BASE_DIR / "var" / "cache" / "partage"))
    ),
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Travaux de fond (balise/travaux/) : la file d'attente est une table de la base (django-tasks et son
# backend django-tasks-db), vidée par `manage.py travailleur` (docs/exploitation.md). Aucun travail
# long ne s'exécute dans une requête.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SESSION_CACHE_ALIAS = "partage"
# Une session se ferme après tant de minutes sans requête (balise/comptes/inactivite.py). 2 heures :
# une réunion, une pause déjeuner ne déconnectent pas un agent ; un poste laissé ouvert à l'accueil
# d'une mairie ou dans un bureau partagé ne le reste pas une demi-journée.
SESSION_INACTIVITE = int(os.environ.get("BALISE_SESSION_INACTIVITE", "120")) * 60
if SESSION_INACTIVITE <= 0:
    raise RuntimeError(
        "BALISE_SESSION_INACTIVITE : un nombre de minutes positif est attendu (120 par défaut)."
    )
SESSION_COOKIE_AGE = SESSION_INACTIVITE

AUTH_USER_MODEL = "comptes.Utilisateur"
# Authentification enfichable : ProConnect (OpenID Connect) s'ajoutera ici comme un backend de plus.
AUTHENTICATION_BACKENDS = [
    "balise.comptes.backends.LimiteParAdresse",
    "axes.backends.AxesStandaloneBackend",
    "balise.comptes.backends.PersonneEnCache",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"

from balise.comptes.reglages_oidc import *  # noqa: E402, F403  # connexion ProConnect / OIDC (docs/connexion-oidc.md)

# Verrouillage après échecs répétés (django-axes) : 5 essais, 15 minutes, par identifiant et adresse IP.
AXES_FAILURE_LIMIT = int(os.environ.get("BALISE_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # heures
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_USERNAME_FORM_FIELD = "username"
# L'adresse du client réel, derrière un mandataire de confiance (balise/mandataires.py).
AXES_CLIENT_IP_CALLABLE = "balise.mandataires.adresse_de_la_requete"
# Limites de débit (balise/limites.py) : (nombre, durée de la fenêtre en secondes).
# - Connexions manquées depuis une adresse, tous comptes confondus (password spraying) : 30 en
#   15 minutes. Une mairie dont les agents sortent par une même adresse y tient six personnes qui se
#   verrouillent chacune ; un attaquant, lui, passe de milliers d'essais à 120 par heure et par adresse.
# - Demandes de lien de réinitialisation : 10 par heure depuis une adresse, 3 par heure pour une même
#   adresse électronique (de quoi redemander un courriel égaré ; pas de quoi inonder une boîte).
# - Envois des questionnaires aux agents, sans compte, par adresse et par témoin de navigateur :
#   « lien_ouvert », tout envoi de réponses à un questionnaire en lien ouvert (par questionnaire) ;
#   « codes », les codes de participation refusés (les codes acceptés ne comptent pas).
LIMITES = {
    "connexions_manquees_par_adresse": (int(os.environ.get("BALISE_ECHECS_PAR_ADRESSE", "30")), 15 * 60),
    "reinitialisations_par_adresse": (10, 3600),
    "reinitialisations_par_compte": (3, 3600),
    "lien_ouvert_par_adresse": (20, 3600),
    "lien_ouvert_par_temoin": (5, 3600),
    "codes_par_adresse": (20, 3600),
    "codes_par_temoin": (10, 3600),
    # Demandes d'adhésion sans compte (organisations/vues_adhesion.py) et la recherche qui les prépare.
    "adhesions_par_adresse": (10, 3600),
    "adhesions_par_temoin": (5, 3600),
    "recherches_collectivites_par_adresse": (600, 3600),
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Les fichiers propres à Balise (balise.css, scripts) : `balise` n'est pas une application, son dossier
# static/ doit être nommé ici pour être servi et recueilli par collectstatic.
STATICFILES_DIRS = [BASE_DIR / "balise" / "static"]
# Identité visuelle (docs/identite-visuelle.md) : « neutre » par défaut, sans rien de l'identité de l'État
# (fonte Marianne, bloc-marque, couleurs) que le DSFR réserve à ses services et opérateurs ; « etat » pour
# une instance exploitée par un service de l'État ou un opérateur. La feuille neutre, dérivée de celle
# du DSFR installé, est écrite dans THEME_DOSSIER et servie comme un fichier statique (balise/trouveurs.py).
THEME = os.environ.get("BALISE_THEME", "neutre").strip().lower()
if THEME not in ("neutre", "etat"):
    raise ImproperlyConfigured("BALISE_THEME vaut « neutre » (par défaut) ou « etat ».")
THEME_DOSSIER = Path(os.environ.get("BALISE_THEME_DOSSIER", BASE_DIR / "var" / "theme"))
# Qui publie l'instance (page « Mentions légales ») : la collectivité ou le service qui l'exploite.
EDITEUR_NOM = os.environ.get("BALISE_EDITEUR_NOM", "").strip()
EDITEUR_ADRESSE = os.environ.get("BALISE_EDITEUR_ADRESSE", "").strip()
EDITEUR_CONTACT = os.environ.get("BALISE_EDITEUR_CONTACT", "").strip()
EDITEUR_DIRECTEUR_PUBLICATION = os.environ.get("BALISE_EDITEUR_DIRECTEUR_PUBLICATION", "").strip()
EDITEUR_HEBERGEUR = os.environ.get("BALISE_EDITEUR_HEBERGEUR", "").strip()
# Déclaration d'accessibilité (page /accessibilite/) : sans audit RGAA en cours de validité, l'état légal
# est « non conforme », quels que soient les tests automatiques ; l'exploitant qui a fait auditer son
# instance déclare l'état, le taux et l'audit (date, auditeur).
RGAA_ETAT = os.environ.get("BALISE_RGAA_ETAT", "non conforme").strip().lower()
if RGAA_ETAT not in ("non conforme", "partiellement conforme", "totalement conforme"):
    raise ImproperlyConfigured(
        "BALISE_RGAA_ETAT vaut « non conforme », « partiellement conforme » ou « totalement conforme »."
    )
RGAA_AUDIT = os.environ.get("BALISE_RGAA_AUDIT", "").strip()
if RGAA_ETAT != "non conforme" and not RGAA_AUDIT:
    raise ImproperlyConfigured("BALISE_RGAA_AUDIT (date, auditeur, taux) doit accompagner un état conforme.")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "balise.trouveurs.ApplicationsSansEtat",
    "balise.trouveurs.FeuilleNeutre",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Les documents déposés ne sont jamais servis directement : une vue vérifie les droits à chaque accès.
MEDIA_ROOT = Path(os.environ.get("BALISE_MEDIA_ROOT", BASE_DIR / "var" / "documents"))
DOCUMENT_MAX_OCTETS = int(os.environ.get("BALISE_DOCUMENT_MAX_OCTETS", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Les courriels partent par le processus de fond (balise/travaux/courriels.py), qui les envoie par
# COURRIELS_BACKEND : SMTP en production (BALISE_EMAIL_BACKEND et les réglages EMAIL_HOST… de Django).
EMAIL_BACKEND = "balise.travaux.courriels.ParLeTravailleur"
COURRIELS_BACKEND = os.environ.get("BALISE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("BALISE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BALISE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("BALISE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BALISE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("BALISE_EMAIL_STARTTLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("BALISE_EMAIL_SSL", "0") == "1"
EMAIL_TIMEOUT = 30  # le processus de fond n'attend pas indéfiniment un serveur muet
DEFAULT_FROM_EMAIL = os.environ.get("BALISE_DEFAULT_FROM_EMAIL", "balise@localhost")

# Adresse publique de l'instance (schéma et nom d'hôte, sans barre finale) : les liens des courriels
# envoyés par le processus de fond, qui n'a pas de requête dont lire l'hôte (balise/rappels).
URL_PUBLIQUE = os.environ.get("BALISE_URL_PUBLIQUE", "http://localhost:8000").rstrip("/")
if not URL_PUBLIQUE.startswith(("http://", "https://")):
    raise RuntimeError("BALISE_URL_PUBLIQUE : une adresse http:// ou https:// est attendue.")
# Récapitulatifs par courriel (balise/rappels/taches.py, docs/exploitation.md) : la tournée part chaque
# jour à RAPPELS_HEURE (heure de Paris) ; le récapitulatif hebdomadaire, le jour RAPPELS_JOUR (0 lundi…
# 6 dimanche) ou, si le processus de fond était arrêté ce jour-là, au premier jour suivant de la semaine.
RAPPELS_HEURE = int(os.environ.get("BALISE_RAPPELS_HEURE", "7"))
RAPPELS_JOUR = int(os.environ.get("BALISE_RAPPELS_JOUR", "0"))
if not (0 <= RAPPELS_HEURE <= 23 and 0 <= RAPPELS_JOUR <= 6):
    raise RuntimeError("BALISE_RAPPELS_HEURE : 0 à 23 ; BALISE_RAPPELS_JOUR : 0 (lundi) à 6 (dimanche).")
# Personnes par lot de la tournée : un lot est une tâche de la file, qui compose et envoie leurs courriels.
RAPPELS_LOT = int(os.environ.get("BALISE_RAPPELS_LOT", "100"))
# Observatoire (balise/observatoire, docs/observatoire.md) : aucun chiffre tiré de moins de
# OBSERVATOIRE_SEUIL organisations (5 par défaut, jamais moins de 3) ; recalcul chaque nuit à OBSERVATOIRE_HEURE.
OBSERVATOIRE_SEUIL = int(os.environ.get("BALISE_OBSERVATOIRE_SEUIL", "5"))
OBSERVATOIRE_HEURE = int(os.environ.get("BALISE_OBSERVATOIRE_HEURE", "3"))
if OBSERVATOIRE_SEUIL < 3 or not 0 <= OBSERVATOIRE_HEURE <= 23:
    raise RuntimeError("BALISE_OBSERVATOIRE_SEUIL : 3 au moins ; BALISE_OBSERVATOIRE_HEURE : 0 à 23.")

# En-têtes de sécurité.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("BALISE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("BALISE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# /metriques n'est redirigée vers HTTPS que pour qui n'a pas le droit de la lire (balise/observabilite/acces.py).
# Pas de SECURE_PROXY_SSL_HEADER : Django croirait X-Forwarded-Proto de n'importe qui. Le protocole
# d'origine est posé par balise.mandataires, pour les seuls mandataires de confiance.

from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

DSFR_USE_INTEGRITY_CHECKSUMS = True

# Journaux sur la sortie d'erreur, une ligne JSON par événement (python-json-logger) : journald,
# Docker ou Loki les recueillent tels quels (docs/exploitation.md, « Journaux et métriques »).
# BALISE_JOURNAL_REQUETES=0 retire les lignes de chaque requête et de chaque travail de fond ;
# BALISE_LOG_LEVEL règle le niveau du reste (WARNING par défaut).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "rename_fields": {"levelname": "niveau", "name": "source"},
            "timestamp": "date",
            "json_ensure_ascii": False,
        },
    },
    "filters": {"chemin_en_route": {"()": "balise.observabilite.requetes.CheminEnRoute"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BALISE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "balise.journal": {"level": "INFO" if _env_bool("BALISE_JOURNAL_REQUETES", True) else "WARNING"},
        # Django écrit chaque réponse 4xx avec le chemin brut (qui peut porter un jeton de questionnaire,
        # d'invitation) : la ligne de Balise la dit déjà, sans lui. Les erreurs 500 restent, avec leur
        # trace, sous le motif de leur route.
        "django.request": {"level": "ERROR", "filters": ["chemin_en_route"]},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# Jetons d'API : échéance choisie à la création, 90 jours proposés, un an au plus (en jours).
JETON_API_DUREE_PAR_DEFAUT = 90
JETON_API_DUREE_MAX = int(os.environ.get("BALISE_JETON_API_DUREE_MAX", "365"))
if JETON_API_DUREE_MAX < 1:
    raise RuntimeError(
        "BALISE_JETON_API_DUREE_MAX : un nombre de jours positif est attendu (365 par défaut)."
    )
