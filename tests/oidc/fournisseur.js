// Fournisseur OpenID Connect de test : node-oidc-provider (panva), implémentation certifiée par
// l'OpenID Foundation, démarrée par tests/serveur_oidc.py.
//
//   node fournisseur.js <port>
//
// Variables d'environnement :
//   BALISE_OIDC_CLIENT_ID, BALISE_OIDC_CLIENT_SECRET : l'unique client (Balise) ;
//   BALISE_OIDC_RETOURS : adresses de retour permises, séparées par des virgules ; « * » à la place
//     du port accepte n'importe quel port (le serveur de test de Django en prend un au hasard) ;
//   BALISE_OIDC_RETOURS_DECONNEXION : de même, pour le retour après déconnexion.
//
// La connexion passe par les « devInteractions » de la bibliothèque : un formulaire (identifiant, mot de
// passe quelconque) ; l'identifiant est l'adresse électronique d'un des comptes ci-dessous, tout autre
// identifiant est refusé. Le consentement est accordé d'office (client de confiance, comme ProConnect).
import crypto from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage : node fournisseur.js <port>');
  process.exit(2);
}
const emetteur = `http://127.0.0.1:${port}`;

// Les comptes du fournisseur, par identifiant de connexion (l'adresse électronique).
// Réclamations à la manière de ProConnect (given_name, usual_name) et standard (family_name).
const COMPTES = {
  'admin-a@exemple.fr': {
    sub: 'agent-admin-a', email: 'admin-a@exemple.fr', email_verified: true,
    given_name: 'Alice', usual_name: 'Administratrice', family_name: 'Administratrice',
  },
  // La même personne, l'adresse écrite autrement : Balise compare sans tenir compte de la casse.
  'ADMIN-A@EXEMPLE.FR': {
    sub: 'agent-admin-a-majuscules', email: 'Admin-A@Exemple.FR', email_verified: true,
    given_name: 'Alice', usual_name: 'Administratrice', family_name: 'Administratrice',
  },
  'inconnu@exemple.fr': {
    sub: 'agent-inconnu', email: 'inconnu@exemple.fr', email_verified: true,
    given_name: 'Inès', usual_name: 'Connue', family_name: 'Connue',
  },
  'non-verifiee@exemple.fr': {
    sub: 'agent-non-verifie', email: 'admin-a@exemple.fr', email_verified: false,
    given_name: 'Mallory', usual_name: 'Usurpe', family_name: 'Usurpe',
  },
};

function permise(motifs, adresse) {
  return motifs.some((motif) => {
    if (!motif.includes('*')) return motif === adresse;
    const [avant, apres] = motif.split('*');
    return adresse.startsWith(avant) && adresse.endsWith(apres)
      && /^\d+$/.test(adresse.slice(avant.length, adresse.length - apres.length));
  });
}
const liste = (nom) => (process.env[nom] || '').split(',').map((x) => x.trim()).filter(Boolean);
const retours = liste('BALISE_OIDC_RETOURS');
const retoursDeconnexion = liste('BALISE_OIDC_RETOURS_DECONNEXION');

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const cle = { ...privateKey.export({ format: 'jwk' }), kid: 'cle-de-test', use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [{
    client_id: process.env.BALISE_OIDC_CLIENT_ID || 'balise',
    client_secret: process.env.BALISE_OIDC_CLIENT_SECRET || 'secret-de-test',
    client_name: 'Balise',
    // Remplacées plus bas par les motifs de BALISE_OIDC_RETOURS (ports quelconques).
    redirect_uris: ['http://127.0.0.1/comptes/oidc/retour/'],
    post_logout_redirect_uris: ['http://127.0.0.1/comptes/oidc/fin/'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [cle] },
  scopes: ['openid', 'email', 'given_name', 'usual_name', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    profile: ['given_name', 'family_name'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // PKCE exigé : les tests prouvent que Balise l'emploie.
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    // L'identifiant de compte est celui de la connexion (devInteractions) : node-oidc-provider le
    // transmet comme `sub`, quelle que soit la réclamation `sub` du compte.
    const compte = COMPTES[id];
    if (!compte) return undefined;
    return { accountId: id, async claims() { return { ...compte }; } };
  },
  // Consentement accordé d'office : la personne ne voit que le formulaire de connexion.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email given_name usual_name profile');
    await grant.save();
    return grant;
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
};

const fournisseur = new Provider(emetteur, configuration);
const { prototype } = fournisseur.Client;
const redirectionPermise = prototype.redirectUriAllowed;
const deconnexionPermise = prototype.postLogoutRedirectUriAllowed;
prototype.redirectUriAllowed = function (adresse) {
  return permise(retours, adresse) || redirectionPermise.call(this, adresse);
};
prototype.postLogoutRedirectUriAllowed = function (adresse) {
  return permise(retoursDeconnexion, adresse) || deconnexionPermise.call(this, adresse);
};
// Un identifiant inconnu du fournisseur : la connexion échoue chez lui (access_denied).
fournisseur.on('server_error', (ctx, erreur) => console.error('erreur du fournisseur :', erreur));

fournisseur.listen(port, '127.0.0.1', () => {
  console.log(`fournisseur OIDC de test prêt : ${emetteur}`);
});
