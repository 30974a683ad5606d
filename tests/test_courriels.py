"""Les courriels partent par le processus de fond (balise/travaux/courriels.py) : la requête ne fait que
les mettre dans la file, le processus de fond les envoie ; un envoi en échec reste visible.

Les autres tests lisent les courriels dans `mail.outbox` sans passer par la file (pytest-django pose
le moyen d'envoi en mémoire) ; ceux-ci remettent le réglage de Balise (`ParLeTravailleur`) et font
envoyer le processus de fond vers la mémoire, ou vers un vrai port SMTP fermé."""

import re
import socket

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from balise.organisations import services
from balise.organisations.models import Invitation
from balise.travaux import courriels
from tests.travailleur import executer_travaux


@pytest.fixture
def par_la_file(settings):
    settings.EMAIL_BACKEND = "balise.travaux.courriels.ParLeTravailleur"
    settings.COURRIELS_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _taches(etat):
    return DBTaskResult.objects.filter(status=etat, task_path__endswith="courriels.envoyer").count()


def test_une_invitation_part_par_le_processus_de_fond(client, org_a, admin_a, par_la_file):
    client.force_login(admin_a)
    r = client.post(f"/o/{org_a.slug}/membres/", {"email": "nouvel.agent@exemple.fr", "role": "referent"})
    assert r.status_code == 302
    assert mail.outbox == [] and _taches("READY") == 1  # la requête n'a rien envoyé elle-même
    assert executer_travaux() == 1
    (message,) = mail.outbox
    invitation = Invitation.objects.get()
    assert message.to == ["nouvel.agent@exemple.fr"] and invitation.jeton in message.body
    assert message.subject == f"Invitation à rejoindre {org_a.nom} sur Balise"
    assert _taches("SUCCESSFUL") == 1


def test_le_lien_de_reinitialisation_part_par_le_processus_de_fond(client, admin_a, par_la_file):
    client.post("/comptes/mot-de-passe-oublie/", {"email": admin_a.email})
    assert mail.outbox == []
    executer_travaux()
    (message,) = mail.outbox
    assert message.to == [admin_a.email]
    lien = re.search(r"http://testserver(/comptes/reinitialisation/\S+/)", message.body).group(1)
    assert client.get(lien, follow=True).status_code == 200


def test_une_invitation_annulee_avec_sa_transaction_n_envoie_rien(org_a, admin_a, par_la_file):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.inviter(org_a, "x@exemple.fr", "lecteur", admin_a, lambda i: f"/i/{i.jeton}/")
        raise RuntimeError
    assert _taches("READY") == 0
    assert executer_travaux() == 0 and mail.outbox == []


def test_un_serveur_de_courrier_injoignable_ne_bloque_pas_la_page_et_l_echec_se_voit(
    client, org_a, admin_a, par_la_file
):
    with socket.socket() as s:  # un port libre, que personne n'écoute ensuite
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    par_la_file.COURRIELS_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    par_la_file.EMAIL_HOST, par_la_file.EMAIL_PORT = "127.0.0.1", port
    client.force_login(admin_a)
    r = client.post(f"/o/{org_a.slug}/membres/", {"email": "agent@exemple.fr", "role": "lecteur"})
    assert r.status_code == 302 and Invitation.objects.filter(email="agent@exemple.fr").exists()
    executer_travaux()
    echec = DBTaskResult.objects.get(task_path__endswith="courriels.envoyer")
    assert echec.status == "FAILED" and "ConnectionRefusedError" in str(echec.exception_class_path)


def test_le_message_traverse_la_file_intact():
    message = EmailMultiAlternatives(
        "Sujet é",
        "Corps",
        "balise@exemple.fr",
        ["a@exemple.fr"],
        cc=["c@exemple.fr"],
        bcc=["b@exemple.fr"],
        reply_to=["r@exemple.fr"],
        headers={"X-Balise": "1"},
    )
    message.attach_alternative("<p>Corps</p>", "text/html")
    copie = courriels.en_message(courriels.en_donnees(message))
    for attribut in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "extra_headers"):
        assert getattr(copie, attribut) == getattr(message, attribut), attribut
    assert [tuple(v) for v in copie.alternatives] == [tuple(v) for v in message.alternatives]


def test_une_piece_jointe_de_texte_traverse_la_file_intacte():
    message = EmailMultiAlternatives("S", "C", "balise@exemple.fr", ["a@exemple.fr"])
    message.attach("invitation.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    copie = courriels.en_message(courriels.en_donnees(message))
    assert [tuple(p) for p in copie.attachments] == [tuple(p) for p in message.attachments]


def test_une_piece_jointe_binaire_est_refusee_plutot_qu_envoyee_amputee():
    message = EmailMultiAlternatives("S", "C", "balise@exemple.fr", ["a@exemple.fr"])
    message.attach("f.pdf", b"%PDF-1.7", "application/pdf")
    with pytest.raises(ValueError, match="pièce jointe"):
        courriels.en_donnees(message)


def test_les_reglages_de_balise_envoient_par_la_file():
    from balise import settings as reglages

    assert reglages.EMAIL_BACKEND == "balise.travaux.courriels.ParLeTravailleur"
