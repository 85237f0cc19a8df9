import assert from 'node:assert/strict';

type Headers = Record<string, string | string[] | number | undefined>;

/** Splits a Content-Security-Policy into directive name → source list. */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/**
 * Asserts the headers every shop response must carry, whatever its route or status. `label`
 * names the request in failure messages.
 */
export function assertSecurityHeaders(headers: Headers, label: string): void {
  const policy = headers['content-security-policy'];
  assert.equal(typeof policy, 'string', `${label}: Content-Security-Policy missing`);

  const csp = parseCsp(String(policy));
  assert.deepEqual(csp.get('default-src'), ["'none'"], `${label}: default-src`);
  assert.deepEqual(csp.get('script-src'), ["'self'"], `${label}: script-src`);
  assert.deepEqual(csp.get('style-src'), ["'self'"], `${label}: style-src`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${label}: frame-ancestors`);
  assert.deepEqual(csp.get('base-uri'), ["'none'"], `${label}: base-uri`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], `${label}: object-src`);
  assert.deepEqual(csp.get('report-uri'), ['/csp-report'], `${label}: report-uri`);
  assert.equal(csp.get('form-action')?.[0], "'self'", `${label}: form-action`);
  assert.doesNotMatch(String(policy), /unsafe-/, `${label}: policy allows an unsafe source`);

  assert.equal(headers['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', `${label}: Referrer`);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', `${label}: COOP`);
  assert.equal(headers['cross-origin-resource-policy'], 'same-origin', `${label}: CORP`);
  assert.equal(headers['x-powered-by'], undefined, `${label}: X-Powered-By present`);

  const permissions = String(headers['permissions-policy']);
  for (const feature of ['payment', 'camera', 'microphone', 'geolocation']) {
    assert.ok(permissions.includes(`${feature}=()`), `${label}: ${feature} not disabled`);
  }
}
