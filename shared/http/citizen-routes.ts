/**
 * The OpenAPI entries of the citizen's counter (/cittadino, ./citizen-edge.ts): HTML pages and
 * urlencoded forms for a browser, not a JSON API. No tenant API key: a session cookie opened by a
 * SPID/CIE SAML assertion, and the session's form token on every POST. Documented so that every
 * route of the catalog is in the document, with what it answers.
 */
import * as z from 'zod';
import { iupd } from './debt-position-schemas';
import { documentRoutes, type ResponseDoc, type RouteDoc } from './openapi-registry';

const tags = ["Citizen's counter"];
const page = (description: string): ResponseDoc => ({ description, contentType: 'text/html', schema: { json: { type: 'string' } } });
const pdf = (description: string): ResponseDoc => ({ description, contentType: 'application/pdf', schema: { json: { type: 'string', format: 'binary' } } });
const seeOther = (description: string): ResponseDoc => ({ description, headers: { location: { description: 'Where the browser goes next.', schema: { type: 'string' } } } });
const form = (description: string): NonNullable<RouteDoc['body']> => ({ schema: { json: { type: 'string' } }, contentType: 'application/x-www-form-urlencoded', description });
const cookie: RouteDoc['headers'] = {
  cookie: { description: 'The session cookie `__Host-sportello` (`sportello` on a local http stack), opened by sign-in.', required: false, schema: { type: 'string' } },
};
const organizationFiscalCode = z.string().regex(/^\d{11}$/).meta({ description: 'Fiscal code of the municipality (11 digits).' });
const positionPath = z.object({ organizationFiscalCode, iupd: iupd.meta({ description: 'The IUPD of one of the citizen\u2019s positions.' }) });
const servicePath = z.object({ organizationFiscalCode, serviceId: z.string().regex(/^[A-Z0-9]{5}$/).meta({ description: 'The spontaneous service\u2019s id.' }) });
const returnTo = z.string().optional().meta({ description: 'A page of the counter to come back to after sign-in (anything else is ignored).' });
const signIn = seeOther('Not signed in: to the sign-in page, coming back here after.');
const notFound = page('Not one of the citizen\u2019s (answered alike whether it exists or not).');

documentRoutes({
  'GET /cittadino': {
    operationId: 'citizenCounter',
    summary: 'The counter: the sign-in choice (SPID, CIE), or the citizen\u2019s positions at every municipality',
    tags,
    notJson: true,
    headers: cookie,
    query: z.object({ torna: returnTo, uscito: z.literal('1').optional().meta({ description: 'Shows "signed out".' }) }),
    responses: { '200': page('The page.') },
  },
  'GET /cittadino/accedi': {
    operationId: 'citizenSignIn',
    summary: 'Start sign-in: a signed SAML AuthnRequest to the chosen identity provider (HTTP-Redirect binding)',
    tags,
    notJson: true,
    query: z.object({ idp: z.string().meta({ description: 'The entityID of a trusted SPID or CIE identity provider.' }), torna: returnTo }),
    responses: { '302': seeOther('To the identity provider.'), '404': page('An identity provider the counter does not trust.'), '503': page('Sign-in is not configured.') },
  },
  'POST /cittadino/spid/acs': {
    operationId: 'citizenAssertionConsumer',
    summary: 'Assertion Consumer Service (HTTP-POST binding): the identity provider\u2019s signed answer opens a session',
    tags,
    notJson: true,
    body: form('SAMLResponse (base64) and RelayState, as the identity provider posts them.'),
    responses: { '303': seeOther('Signed in: Set-Cookie and back to the counter.'), '401': page('Refused: unknown or used request, bad signature, wrong audience, expired, replayed, SPID error.') },
  },
  'GET /cittadino/spid/metadata': {
    operationId: 'citizenServiceProviderMetadata',
    summary: 'The SAML service provider\u2019s signed metadata (its entityID), as registered with AgID',
    tags,
    notJson: true,
    responses: { '200': { description: 'SAML 2 metadata.', contentType: 'application/samlmetadata+xml', schema: { json: { type: 'string' } } } },
  },
  'GET /cittadino/cie/metadata': {
    operationId: 'citizenServiceProviderCieMetadata',
    summary: 'The same SP\u2019s signed metadata in CIE\u2019s federation profile (administrative ContactPerson with cie: extensions, the eIDAS minimum attributes)',
    tags,
    notJson: true,
    responses: {
      '200': { description: 'SAML 2 metadata.', contentType: 'application/samlmetadata+xml', schema: { json: { type: 'string' } } },
      '404': page('CIE metadata not configured (no Belfiore code).'),
    },
  },
  'GET /cittadino/spid/slo': {
    operationId: 'citizenSingleLogout',
    summary: 'Single Logout Service (HTTP-Redirect): the IdP\u2019s LogoutResponse to the counter\u2019s LogoutRequest, or an IdP-initiated LogoutRequest',
    tags,
    notJson: true,
    query: z.object({
      SAMLRequest: z.string().optional().meta({ description: 'An IdP-initiated LogoutRequest (deflated, base64).' }),
      SAMLResponse: z.string().optional().meta({ description: 'The IdP\u2019s LogoutResponse (deflated, base64).' }),
      RelayState: z.string().optional(),
      SigAlg: z.string().optional(),
      Signature: z.string().optional().meta({ description: 'The redirect binding\u2019s signature, by the IdP, over the query string.' }),
    }),
    responses: {
      '302': seeOther('LogoutRequest: the counter\u2019s sessions of that IdP session ended, back to the IdP with a signed LogoutResponse.'),
      '303': seeOther('LogoutResponse: to the sign-in page ("signed out").'),
      '400': page('A LogoutRequest that does not verify.'),
    },
  },
  'POST /cittadino/esci': {
    operationId: 'citizenSignOut',
    summary: 'Sign out: the session is deleted and the cookie cleared',
    tags,
    notJson: true,
    headers: cookie,
    body: form('_token, the session\u2019s form token.'),
    responses: {
      '200': page('Signed out here; the page goes on to the IdP\u2019s Single Logout with a signed LogoutRequest.'),
      '303': seeOther('To the sign-in page (the IdP has no SingleLogoutService).'),
      '403': page('A form not from this session.'),
    },
  },
  'GET /cittadino/posizioni/{organizationFiscalCode}/{iupd}': {
    operationId: 'citizenPosition',
    summary: 'One of the citizen\u2019s positions: options, due dates, receipts, messages',
    tags,
    notJson: true,
    headers: cookie,
    path: positionPath,
    responses: { '200': page('The page.'), '303': signIn, '404': notFound },
  },
  'GET /cittadino/posizioni/{organizationFiscalCode}/{iupd}/avviso': {
    operationId: 'citizenNoticePdf',
    summary: 'The PDF notice of one of the citizen\u2019s payable positions',
    tags,
    notJson: true,
    headers: cookie,
    path: positionPath,
    responses: { '200': pdf('The notice.'), '303': signIn, '404': notFound, '409': page('The position has no notice now (paid, expired).') },
  },
  'GET /cittadino/posizioni/{organizationFiscalCode}/{iupd}/ricevute/{receiptId}': {
    operationId: 'citizenReceiptPdf',
    summary: 'The PDF receipt of a payment of one of the citizen\u2019s positions',
    tags,
    notJson: true,
    headers: cookie,
    path: positionPath.extend({ receiptId: z.string().meta({ description: 'The receipt id (IUR).' }) }),
    responses: { '200': pdf('The receipt.'), '303': signIn, '404': notFound },
  },
  'POST /cittadino/pagamenti': {
    operationId: 'citizenCheckoutCart',
    summary: 'Pay up to five of the citizen\u2019s notices of one municipality through pagoPA Checkout',
    tags,
    notJson: true,
    headers: cookie,
    body: form('_token, ente (the municipality\u2019s fiscal code), avviso (a notice number; repeated, at most 5).'),
    responses: {
      '303': seeOther('To pagoPA Checkout (the Location of its POST /carts).'),
      '400': page('A notice that is not the citizen\u2019s, not payable now, repeated, or more than five.'),
      '403': page('A form not from this session.'),
      '503': page('Checkout unavailable or not configured for the municipality.'),
    },
  },
  'GET /cittadino/pagamenti/esito': {
    operationId: 'citizenCheckoutOutcome',
    summary: 'Where Checkout sends the citizen back: the cart\u2019s notices and whether their receipts arrived',
    tags,
    notJson: true,
    headers: cookie,
    query: z.object({ esito: z.enum(['ok', 'annullato', 'errore']).meta({ description: 'Checkout\u2019s outcome (a courtesy: the receipt decides).' }), carrello: z.string().meta({ description: 'The cart id.' }) }),
    responses: { '200': page('The page.'), '303': signIn },
  },
  'GET /cittadino/servizi': {
    operationId: 'citizenServices',
    summary: 'The spontaneous services of every municipality (paid without a prior position)',
    tags,
    notJson: true,
    headers: cookie,
    responses: { '200': page('The page.'), '303': signIn },
  },
  'GET /cittadino/servizi/{organizationFiscalCode}/{serviceId}': {
    operationId: 'citizenServiceForm',
    summary: 'The form of a spontaneous service, drawn from its JSON-schema form',
    tags,
    notJson: true,
    headers: cookie,
    path: servicePath,
    responses: { '200': page('The form.'), '303': signIn, '404': page('No such service.') },
  },
  'POST /cittadino/servizi/{organizationFiscalCode}/{serviceId}': {
    operationId: 'citizenServiceRequest',
    summary: 'Create the position of a spontaneous payment for the citizen (the same request id twice: one position)',
    tags,
    notJson: true,
    headers: cookie,
    path: servicePath,
    body: form('_token, _richiesta (the form\u2019s request id) and the form\u2019s fields.'),
    responses: { '303': seeOther('To the new position\u2019s page.'), '400': page('The form again, every offending field named.'), '403': page('A form not from this session.') },
  },
});
