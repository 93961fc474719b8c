/**
 * A citizen's sign-in on the local stack without a browser, the way the browser does it: the
 * counter's redirect to the test IdP (a signed AuthnRequest), the IdP's login and consent forms,
 * and the auto-submitted SAMLResponse posted to the ACS. Answers the session cookie (`name=value`)
 * and the ACS form the IdP produced with the sign-in's browser binding cookie (to replay it).
 */
import { DEMO_PASSWORD } from '../../infra/local/simulators/spid-idp';

const form = (body: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(body).toString() });
const actionOf = (html: string): string => {
  const m = /<form method="post" action="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form in the page: ${html.slice(0, 300)}`);
  return m[1]!.replace(/&amp;/g, '&');
};
const hidden = (html: string, name: string): string | undefined =>
  new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export async function signInAsCitizen(
  base: string,
  fiscalNumber: string,
  scheme: 'spid' | 'cie' = 'spid',
): Promise<{ cookie: string; acsBody: string; binding: string }> {
  const idp = `${base}/_sim/spid${scheme === 'cie' ? '/cie' : ''}`;
  const start = await fetch(`${base}/cittadino/accedi?idp=${encodeURIComponent(idp)}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`sign-in start: ${start.status}`);
  // the browser's binding of the sign-in, sent back with the answer as a browser would
  const binding = start.headers.get('set-cookie')?.split(';')[0] ?? '';
  const sso = await fetch(start.headers.get('location')!);
  const login = await sso.text();
  if (sso.status !== 200) throw new Error(`IdP: ${sso.status} ${login.slice(0, 300)}`);
  const { body: loginBody } = form({ cittadino: fiscalNumber, password: DEMO_PASSWORD, azione: 'accedi' });
  const consent = await (await fetch(new URL(actionOf(login), base), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: loginBody })).text();
  const { body: consentBody } = form({ azione: 'acconsenti' });
  const answer = await (await fetch(new URL(actionOf(consent), base), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: consentBody })).text();
  const acsBody = new URLSearchParams({ SAMLResponse: hidden(answer, 'SAMLResponse') ?? '', RelayState: hidden(answer, 'RelayState') ?? '' }).toString();
  const acs = await fetch(actionOf(answer), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: binding }, body: acsBody });
  const cookie = acs.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('sportello='));
  if (acs.status !== 303 || !cookie) throw new Error(`ACS: ${acs.status} ${(await acs.text()).slice(0, 300)}`);
  return { cookie, acsBody, binding };
}
