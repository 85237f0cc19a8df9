import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { AxeResults, RunOptions } from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Shared set-up of the Chromium tests of the account pages and the admin: launching Debian's
// Chromium, a virtual WebAuthn authenticator, and axe-core audits that run under the page's CSP.

export const chromiumPath = '/usr/bin/chromium';

const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Upper bound for one Playwright action or navigation, in milliseconds. */
export const actionTimeoutMs = 15_000;

/** Console text of CSP violations and failed integrity checks, as Chromium words them. */
export const policyMessage = /Content Security Policy|Refused to|integrity/i;

/** Launches /usr/bin/chromium headless, failing with the install command when it is missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(chromiumPath),
    `Chromium is missing at ${chromiumPath}; install it with ` +
      '"apt-get update && apt-get install -y chromium"',
  );
  return chromium.launch({ executablePath: chromiumPath, args: launchArgs });
}

/** A browser context with one page, collecting console messages and uncaught page errors. */
export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** Console messages and page errors, prefixed with their type. */
  consoleLines: string[];
}

/**
 * Opens a context with the CSP enforced (no `bypassCSP`), so the pages run as they do for a
 * real visitor and any violation is reported to the server under test.
 */
export async function openRecordedPage(browser: Browser): Promise<RecordedPage> {
  const context = await browser.newContext();
  context.setDefaultTimeout(actionTimeoutMs);
  context.setDefaultNavigationTimeout(actionTimeoutMs);
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  return { context, page, consoleLines };
}

/** Console lines that report a CSP violation or a failed integrity check. */
export function policyLines(recorded: RecordedPage): string[] {
  return recorded.consoleLines.filter((line) => policyMessage.test(line));
}

/**
 * Adds a CTAP2 platform authenticator to the page through the DevTools protocol: it stores
 * discoverable credentials (passkeys), verifies the user without a prompt and stays attached
 * to the tab across navigations. Returns a function that lists the credentials it holds.
 */
export async function addVirtualAuthenticator(
  page: Page,
): Promise<() => Promise<VirtualCredential[]>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return async () => {
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    return credentials.map((credential) => ({
      // The protocol sends the id as standard base64; the server stores it as base64url.
      id: Buffer.from(credential.credentialId, 'base64').toString('base64url'),
      rpId: credential.rpId ?? '',
      isResidentCredential: credential.isResidentCredential,
      signCount: credential.signCount,
    }));
  };
}

/** A credential held by the virtual authenticator. */
export interface VirtualCredential {
  /** Credential id, base64url, as the server stores it. */
  id: string;
  rpId: string;
  isResidentCredential: boolean;
  signCount: number;
}

const axeOptions: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};

/** Impacts that fail a page. Axe also reports 'minor' and 'moderate', which are not counted. */
const blockingImpacts = new Set(['serious', 'critical']);

let axeSource: string | undefined;

/**
 * Runs axe-core's WCAG 2.0 and 2.1 A and AA rules on the page as it is now and returns the
 * serious and critical violations, one line each. Axe is evaluated through the DevTools
 * protocol, which the page's CSP does not govern, so the audit needs no `bypassCSP` context.
 */
export async function blockingAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);

  const results = await page.evaluate(async (options) => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: RunOptions): Promise<AxeResults> };
    };
    return axe.run(document, options);
  }, axeOptions);

  return results.violations
    .filter((violation) => blockingImpacts.has(violation.impact ?? ''))
    .map((violation) => {
      const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ');
      return `${violation.id} (${violation.impact}): ${violation.help} at ${targets}`;
    });
}

/** Fails with the page's URL and every serious or critical axe violation on it. */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  const violations = await blockingAxeViolations(page);
  assert.deepEqual(
    violations,
    [],
    `serious or critical axe violations on ${name} (${page.url()}):\n${violations.join('\n')}`,
  );
}

/** Polls `condition` every 50 ms until it holds, failing with `message` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
