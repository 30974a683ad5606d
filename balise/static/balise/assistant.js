/*
 * Assistant IA : la réponse du modèle lue à mesure qu'elle arrive.
 *
 * La page fonctionne sans ce script : « Envoyer » poste le formulaire, et la conversation s'affiche quand
 * la réponse entière est là. Avec lui, « Envoyer » poste le même formulaire à l'adresse du flux
 * (data-flux) : chaque ligne JSON reçue ajoute son texte à la réponse en cours, puis la page de la
 * conversation s'ouvre (réponse consignée, badge et mention de l'organisation). Une panne du fournisseur
 * s'affiche en place, le message gardé dans le formulaire. Ce qui ne partirait pas (réponse 422 : saisie
 * invalide, quota, données refusées) est renvoyé au formulaire classique, qui l'explique.
 * Aucun script en ligne : la politique de sécurité du contenu l'interdit.
 */
(function () {
  "use strict";
  var form = document.getElementById("assistant-formulaire");
  if (!form || !form.dataset.flux || !window.fetch || !window.TextDecoder || !window.ReadableStream) {
    return;
  }
  var zone = document.getElementById("assistant-flux");
  var question = document.getElementById("assistant-question");
  var texte = document.getElementById("assistant-reponse");
  var etat = document.getElementById("assistant-etat");
  var alerte = document.getElementById("assistant-erreur");
  var raison = document.getElementById("assistant-erreur-texte");
  var boutons = form.querySelectorAll("button[type=submit]");
  var enCours = false;

  function occuper(oui) {
    enCours = oui;
    for (var i = 0; i < boutons.length; i++) {
      boutons[i].disabled = oui;
    }
    texte.setAttribute("aria-busy", oui ? "true" : "false");
  }

  function echouer(message) {
    occuper(false);
    zone.hidden = true;
    raison.textContent = message;
    alerte.hidden = false;
    alerte.focus();
  }

  function replier() {
    // Le formulaire classique, comme sans ce script : il note un refus au journal et l'explique.
    var champ = document.createElement("input");
    champ.type = "hidden";
    champ.name = "action";
    champ.value = "envoyer";
    form.appendChild(champ);
    form.submit();
  }

  function traiter(ligne) {
    if (!ligne) {
      return false;
    }
    var objet = JSON.parse(ligne);
    if (objet.texte) {
      texte.textContent += objet.texte;
    } else if (objet.fin) {
      etat.textContent = "Réponse complète : ouverture de la conversation.";
      window.location.assign(objet.fin);
      return true;
    } else if (objet.erreur) {
      echouer(objet.erreur);
      return true;
    }
    return false;
  }

  function lire(reponse) {
    var lecteur = reponse.body.getReader();
    var decodeur = new TextDecoder();
    var reste = "";
    var termine = false;
    function suite() {
      return lecteur.read().then(function (morceau) {
        if (morceau.done) {
          termine = traiter(reste) || termine;
          if (!termine) {
            throw new Error("flux interrompu");
          }
          return;
        }
        reste += decodeur.decode(morceau.value, { stream: true });
        var lignes = reste.split("\n");
        reste = lignes.pop();
        for (var i = 0; i < lignes.length; i++) {
          termine = traiter(lignes[i]) || termine;
        }
        return suite();
      });
    }
    return suite();
  }

  form.addEventListener("submit", function (evenement) {
    var bouton = evenement.submitter;
    if (!bouton || bouton.value !== "envoyer" || enCours) {
      return;
    }
    evenement.preventDefault();
    var donnees = new FormData(form);
    donnees.set("action", "envoyer");
    alerte.hidden = true;
    question.textContent = form.elements.texte ? form.elements.texte.value : "";
    texte.textContent = "";
    etat.textContent = "Réponse en cours…";
    zone.hidden = false;
    occuper(true);
    window
      .fetch(form.dataset.flux, {
        method: "POST",
        body: donnees,
        credentials: "same-origin",
        headers: { Accept: "application/x-ndjson" },
      })
      .then(function (reponse) {
        if (reponse.status === 422) {
          zone.hidden = true;
          replier();
          return;
        }
        if (!reponse.ok || !reponse.body) {
          throw new Error("HTTP " + reponse.status);
        }
        return lire(reponse);
      })
      .catch(function () {
        echouer("La réponse s'est interrompue avant la fin. Votre message est resté dans le formulaire : renvoyez-le.");
      });
  });
})();

/*
 * Ce que l'IA a écrit garde sa mention quand on le copie (AI Act, art. 50) : le bouton « Copier la
 * réponse avec la mention », et toute copie au clavier ou à la souris d'un passage d'une réponse, mettent
 * la mention de l'organisation après le texte copié (sauf si la sélection la contient déjà).
 */
(function () {
  "use strict";
  var conversation = document.getElementById("assistant-conversation");
  if (!conversation || !conversation.dataset.mention) {
    return;
  }
  var mention = conversation.dataset.mention;

  function avecMention(texte) {
    texte = texte.replace(/\s+$/, "");
    return texte.indexOf(mention) === -1 ? texte + "\n\n— " + mention : texte;
  }

  conversation.addEventListener("copy", function (evenement) {
    var selection = document.getSelection();
    if (!selection || selection.isCollapsed || !evenement.clipboardData) {
      return;
    }
    var noeud = selection.anchorNode;
    var element = noeud && (noeud.nodeType === 1 ? noeud : noeud.parentElement);
    if (!element || !element.closest("[data-reponse-ia]")) {
      return;
    }
    evenement.clipboardData.setData("text/plain", avecMention(selection.toString()));
    evenement.preventDefault();
  });

  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  var boutons = conversation.querySelectorAll("[data-copier]");
  for (var i = 0; i < boutons.length; i++) {
    boutons[i].hidden = false;
    boutons[i].addEventListener("click", function (evenement) {
      var bouton = evenement.currentTarget;
      var texte = bouton.closest("[data-reponse-ia]").querySelector("[data-texte-ia]").innerText;
      navigator.clipboard.writeText(avecMention(texte)).then(function () {
        bouton.textContent = "Copiée, avec la mention";
      });
    });
  }
})();
