import { generateServiceProviderCredentials, type IdentityProvider, type ServiceProvider } from '../../../shared/adapters/spid-saml';
import { buildSamlResponse, type ResponseSpec } from '../../../infra/local/simulators/spid-idp';

export const spCredentials = generateServiceProviderCredentials('Comune di Esempio - sportello del cittadino');
export const idpCredentials = generateServiceProviderCredentials('IdP di prova');
export const otherCredentials = generateServiceProviderCredentials('Chiave estranea');

export const sp: ServiceProvider = {
  entityId: 'https://comune.example.it/cittadino',
  acsUrl: 'https://comune.example.it/cittadino/spid/acs',
  sloUrl: 'https://comune.example.it/cittadino/spid/slo',
  ...spCredentials,
  spidLevel: 'SpidL2',
  attributeConsumingServiceIndex: 0,
  organization: { name: 'Comune di Esempio', displayName: 'Comune di Esempio', url: 'https://comune.example.it' },
  contact: { ipaCode: 'c_x000', vatNumber: 'IT00000000000', email: 'protocollo@comune.example.it', telephone: '+39 06 0000000' },
};

export const idp: IdentityProvider = {
  entityId: 'https://idp.example.it',
  displayName: 'IdP di prova',
  scheme: 'spid',
  ssoRedirectUrl: 'https://idp.example.it/sso',
  signingCertificates: [idpCredentials.certificatePem],
};

export const citizen = { fiscalNumber: 'RSSMRA80A01H501U', name: 'Mario', familyName: 'Rossi', email: 'mario.rossi@example.com' };

export const T0 = new Date('2026-12-03T10:00:00Z');
export const REQUEST_ID = '_a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function response(overrides: ResponseSpec['overrides'] = {}, spec: Partial<ResponseSpec> = {}): string {
  const xml = buildSamlResponse({
    idp: { entityId: idp.entityId, ...idpCredentials },
    sp,
    inResponseTo: REQUEST_ID,
    now: new Date(T0.getTime() + 5_000),
    spidLevel: 'SpidL2',
    citizen,
    overrides,
    ...spec,
  });
  return xml;
}

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

export const expected = { requestId: REQUEST_ID, idpEntityId: idp.entityId, issuedAt: T0.toISOString() };
