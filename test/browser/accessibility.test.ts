import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import type { AxeResults, RunOptions } from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

import { productRow, toCsv, variantRow } from '../../src/catalog/csv-import/csv-fixture.js';
import { importProductCsv, type ImportSource } from '../../src/catalog/csv-import/importer.js';
import { customerPasswordHasher } from '../../src/customers/hasher.js';
import { nowIso, randomId } from '../../src/server/ids.js';
import { futureExpiry } from '../support/payments.js';
import { type SandboxShop, startSandboxShop } from '../support/sandbox-shop.js';

// Every page type of the storefront and of the sandbox gateway's hosted payment page, audited
// with axe-core in Chromium against the WCAG 2.0 and 2.1 A and AA rules, and the product page
// used with the keyboard alone.

const chromiumPath = '/usr/bin/chromium';
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

const repoRoot = resolve(import.meta.dirname, '..', '..');
const apparelCsv = resolve(repoRoot, '../shared/catalogs/apparel.csv');

/** Upper bound for one Playwright action or navigation, in milliseconds. */
const actionTimeoutMs = 15_000;
/** Upper bound for one scenario. The suite's bound also covers starting the servers. */
const scenarioTimeoutMs = 90_000;

const axeOptions: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};

/** Impacts that fail a page. Axe also reports 'minor' and 'moderate', which are not counted. */
const blockingImpacts = new Set(['serious', 'critical']);

/**
 * Products the apparel file lacks, written as a Shopify CSV and imported like it: a product type
 * collection ("Scarves"), a variant on sale, a sold-out variant and a sold-out product.
 */
const extraCatalogCsv = toCsv([
  productRow('harbour-scarf', {
    Title: 'Harbour Scarf',
    Type: 'Scarves',
    Tags: 'winter, wool',
    'Option1 Name': 'Colour',
    'Option1 Value': 'Grey',
    'Variant Inventory Qty': '3',
    'Variant Price': '30.00',
    'Variant Compare At Price': '40.00',
  }),
  variantRow('harbour-scarf', 'Navy', { 'Variant Inventory Qty': '0', 'Variant Price': '30.00' }),
  productRow('winter-beanie', {
    Title: 'Winter Beanie',
    Type: 'Scarves',
    Tags: 'winter',
    'Variant Inventory Qty': '0',
  }),
]);

/** The sandbox's test card that requires a one-time code before the payment succeeds. */
const challengeCard = '4000 0027 6000 3184';

/** One axe violation, reduced to what a failure message needs. */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

describe('accessibility in Chromium', { timeout: 6 * scenarioTimeoutMs }, () => {
  let sandbox: SandboxShop | undefined;
  let browser: Browser | undefined;
  let axeSource = '';
  const contexts: BrowserContext[] = [];

  const shop = () => {
    assert.ok(sandbox, 'the shop did not start');
    return sandbox;
  };
  const db = () => shop().shop.db.kysely;

  before(async () => {
    assert.ok(
      existsSync(chromiumPath),
      `Chromium is missing at ${chromiumPath}; install it with ` +
        '"apt-get update && apt-get install -y chromium"',
    );
    assert.ok(existsSync(apparelCsv), `the apparel catalog is missing at ${apparelCsv}`);
    axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

    sandbox = await startSandboxShop();
    await importCatalog(createReadStream(apparelCsv));
    await importCatalog(extraCatalogCsv);

    browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await sandbox?.close();
  });

  async function importCatalog(source: ImportSource) {
    const report = await importProductCsv(db(), source, {
      currency: shop().shop.deps.config.currency,
    });
    assert.equal(report.fatal, null, `import failed: ${JSON.stringify(report.fatal)}`);
    assert.equal(report.issueCount, 0, `import issues: ${JSON.stringify(report.issues)}`);
  }

  /**
   * Opens a page in a new browser context. The shop's and the gateway's CSP forbid inline
   * scripts, and Playwright injects axe-core as an inline script, so the audits run in contexts
   * created with `bypassCSP: true`. The CSP itself is tested elsewhere: its headers by
   * test/security/headers-sweep.test.ts and src/payments/sandbox/hosted-page.routes.test.ts,
   * its enforcement in Chromium by test/browser/checkout.test.ts.
   */
  async function openPage(options: { bypassCSP: boolean }): Promise<Page> {
    assert.ok(browser, 'the browser did not start');
    const context = await browser.newContext({ bypassCSP: options.bypassCSP });
    contexts.push(context);
    context.setDefaultTimeout(actionTimeoutMs);
    context.setDefaultNavigationTimeout(actionTimeoutMs);
    return context.newPage();
  }

  /** Loads `url` and checks the response status before anything is audited. */
  async function visit(page: Page, url: string, status = 200): Promise<void> {
    const response = await page.goto(url);
    assert.equal(response?.status(), status, `status of ${url}`);
  }

  /** Runs axe-core on the page as it is now and returns its WCAG A and AA violations. */
  async function runAxe(page: Page): Promise<Violation[]> {
    const injected = await page.evaluate(() => 'axe' in window);
    if (!injected) await page.addScriptTag({ content: axeSource });

    const results = await page.evaluate(async (options) => {
      const { axe } = window as unknown as {
        axe: { run(context: Document, options: RunOptions): Promise<AxeResults> };
      };
      return axe.run(document, options);
    }, axeOptions);

    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  }

  /** Audits the current page as its own subtest, so each failing page is reported by name. */
  async function audit(t: TestContext, name: string, page: Page): Promise<void> {
    const url = page.url();
    await t.test(name, async () => {
      const blocking = (await runAxe(page)).filter((violation) =>
        blockingImpacts.has(violation.impact ?? ''),
      );

      assert.deepEqual(
        blocking.map(describeViolation),
        [],
        `serious or critical axe violations on ${url}:\n${blocking.map(describeViolation).join('\n')}`,
      );
    });
  }

  async function orderIdForEmail(email: string): Promise<string> {
    const row = await db()
      .selectFrom('orders')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function addToCart(page: Page, handle: string): Promise<void> {
    const { shopOrigin } = shop();
    await visit(page, `${shopOrigin}/products/${handle}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(`${shopOrigin}/cart`);
  }

  async function fillCheckout(page: Page, email: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Full name').fill('Ada Shopper');
    await page.getByLabel('Address', { exact: true }).fill('1 Harbour Street');
    await page.getByLabel('City').fill('Portland');
    await page.getByLabel('Postal code').fill('97201');
    await page.getByLabel('Country').selectOption('US');
  }

  async function fillCard(page: Page, card: { number: string; expiry: string }): Promise<void> {
    await page.getByLabel('Card number').fill(card.number);
    await page.getByLabel('Expiry date').fill(card.expiry);
    await page.getByLabel('Security code').fill('123');
    await page.getByLabel('Name on card').fill('Ada Shopper');
    await page.getByRole('button', { name: /^Pay / }).click();
  }

  /** Reloads until the page's h1 reads `heading`, for at most 5 seconds. */
  async function reloadUntilHeading(page: Page, heading: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const current = await page.getByRole('heading', { level: 1 }).textContent();
      if (current === heading) return;
      assert.ok(Date.now() < deadline, `the page still shows "${current}" instead of "${heading}"`);
      await page.waitForTimeout(200);
      await page.reload();
    }
  }

  it('reports a planted violation', async () => {
    const page = await openPage({ bypassCSP: true });
    await visit(page, `${shop().shopOrigin}/`);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      input.id = 'planted-unlabelled-input';
      document.querySelector('main')?.append(input);
    });

    const violations = await runAxe(page);

    const label = violations.find((violation) => violation.id === 'label');
    assert.ok(label, `axe did not report the unlabelled input: ${JSON.stringify(violations)}`);
    assert.ok(blockingImpacts.has(label.impact ?? ''), `impact ${label.impact}`);
    assert.deepEqual(label.targets, ['#planted-unlabelled-input']);
  });

  it('passes on catalog and error pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: true });
    const pages: { name: string; path: string; status?: number }[] = [
      { name: 'home', path: '/' },
      { name: 'collections index', path: '/collections' },
      { name: 'type collection', path: '/collections/type/scarves' },
      { name: 'tag collection', path: '/collections/tag/women' },
      { name: 'search with results', path: '/search?q=varsity' },
      { name: 'search without results', path: '/search?q=zzzzqqq' },
      { name: 'empty search', path: '/search?q=' },
      { name: 'product with variants', path: '/products/classic-varsity-top' },
      { name: 'product on sale with a sold-out variant', path: '/products/harbour-scarf' },
      { name: 'sold-out product', path: '/products/winter-beanie' },
      { name: 'not found page', path: '/no-such-page', status: 404 },
    ];

    for (const entry of pages) {
      await visit(page, `${shopOrigin}${entry.path}`, entry.status);
      await audit(t, entry.name, page);
    }

    await visit(page, `${shopOrigin}/products/winter-beanie`);
    const soldOutButton = page.getByRole('button', { name: 'Sold out' });
    assert.equal(await soldOutButton.isDisabled(), true, 'the sold-out product can be added');
  });

  it('passes on cart and checkout pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: true });

    await visit(page, `${shopOrigin}/cart`);
    await audit(t, 'empty cart', page);

    await addToCart(page, 'classic-varsity-top');
    await addToCart(page, 'harbour-scarf');
    await page.getByRole('list', { name: 'Items in your cart' }).waitFor();
    await audit(t, 'cart with lines', page);

    await visit(page, `${shopOrigin}/checkout`);
    await audit(t, 'checkout', page);

    // Chromium's own constraint validation stops the empty form and focuses the first field.
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    assert.equal(page.url(), `${shopOrigin}/checkout`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'checkout-email');
    await audit(t, 'checkout stopped by the browser', page);

    // Without constraint validation the server returns the form with the field's error.
    await page.evaluate(() => {
      const form = document.querySelector<HTMLFormElement>('form.checkout-form');
      if (form) form.noValidate = true;
    });
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.request().method() === 'POST'),
      page.getByRole('button', { name: 'Continue to payment' }).click(),
    ]);
    await page.waitForLoadState();
    assert.equal(response.status(), 400);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Email is required/);
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    await audit(t, 'checkout with a rejected field', page);
  });

  it('passes on payment and order pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { shopOrigin, gatewayOrigin } = shop();
    const page = await openPage({ bypassCSP: true });
    const email = 'audit@example.com';

    await addToCart(page, 'classic-varsity-top');
    await visit(page, `${shopOrigin}/checkout`);
    await fillCheckout(page, email);
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL((url) => url.origin === gatewayOrigin);
    const paymentUrl = page.url();
    await audit(t, 'payment page', page);

    const orderId = await orderIdForEmail(email);
    await visit(page, `${shopOrigin}/orders/${orderId}`);
    assert.equal(
      await page.getByRole('heading', { level: 1 }).textContent(),
      'Waiting for payment confirmation',
    );
    await audit(t, 'order awaiting payment', page);

    await visit(page, paymentUrl);
    await fillCard(page, { number: challengeCard, expiry: '01/20' });
    await page.getByRole('alert').waitFor();
    await audit(t, 'payment page with field errors', page);

    await fillCard(page, { number: challengeCard, expiry: futureExpiry() });
    await page.getByRole('heading', { name: 'Confirm the payment' }).waitFor();
    await audit(t, 'payment challenge', page);

    await page.getByLabel('One-time code').fill('12');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').waitFor();
    await audit(t, 'payment challenge with a malformed code', page);

    await page.getByLabel('One-time code').fill('123456');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(
      (url) => url.origin === shopOrigin && url.pathname.startsWith('/orders/'),
    );
    await reloadUntilHeading(page, 'Thank you for your order');
    await audit(t, 'paid order', page);

    await visit(page, `${gatewayOrigin}/no-such-page`, 404);
    await audit(t, 'gateway not found page', page);
  });

  /** Returns the token of the newest link of this kind mailed to `to`, read from the outbox. */
  async function mailedToken(to: string, kind: string): Promise<string> {
    const mail = await db()
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', to)
      .where('kind', '=', kind)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const token = /\?token=([A-Za-z0-9_-]+)/.exec(mail.body_text ?? '')?.[1];
    assert.ok(token, `no link in the ${kind} mail`);
    return token;
  }

  it('passes on account pages', { timeout: scenarioTimeoutMs }, async (t) => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: true });
    const email = 'account-audit@example.com';
    const password = 'a long enough passphrase';

    for (const [name, path] of [
      ['register', '/account/register'],
      ['forgot password', '/account/forgot'],
    ] as const) {
      await visit(page, `${shopOrigin}${path}`);
      await audit(t, name, page);
    }

    await visit(page, `${shopOrigin}/account/register`);
    await page.getByLabel('Name').fill('Audit Customer');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${shopOrigin}/account/check-email`);
    await audit(t, 'check your email', page);

    const token = await mailedToken(email, 'confirm_email');
    await visit(page, `${shopOrigin}/account/confirm?token=${token}`);
    await audit(t, 'confirm email', page);
    await page.getByRole('button', { name: 'Confirm email address' }).click();
    await page.waitForURL(`${shopOrigin}/account/login?notice=confirmed`);
    await audit(t, 'login with a notice', page);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong passphrase here');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /email or password is wrong/);
    await audit(t, 'login with a rejected password', page);

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(`${shopOrigin}/account`);
    await audit(t, 'profile', page);

    for (const [name, path] of [
      ['addresses', '/account/addresses'],
      ['orders', '/account/orders'],
      ['security', '/account/security'],
    ] as const) {
      await visit(page, `${shopOrigin}${path}`);
      await audit(t, name, page);
    }

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code of the authenticator key' }).waitFor();
    await audit(t, 'authenticator set-up', page);
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('alert').waitFor();
    await audit(t, 'authenticator set-up with a wrong code', page);
  });

  /** Inserts a confirmed customer who can log in with `password`; returns the id. */
  async function insertCustomer(email: string, name: string, password: string): Promise<string> {
    const id = randomId();
    const now = nowIso();
    const passwordHash = await customerPasswordHasher(shop().shop.deps).hash(password);
    await db()
      .insertInto('customers')
      .values({
        id,
        email,
        email_confirmed_at: now,
        password_hash: passwordHash,
        name,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  it('passes on a product page with reviews', { timeout: scenarioTimeoutMs }, async (t) => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: true });
    const handle = 'harbour-scarf';
    const product = await db()
      .selectFrom('products')
      .select('id')
      .where('handle', '=', handle)
      .executeTakeFirstOrThrow();
    const password = 'a long enough passphrase';
    const reviewers = [
      { name: 'Ada Lovelace', rating: 5, body: 'Warm and soft.\nWorth the price.' },
      { name: '<b>Eve</b> Markup', rating: 2, body: '<script>alert(1)</script> itchy' },
    ];
    for (const [index, reviewer] of reviewers.entries()) {
      const customerId = await insertCustomer(`reviewer${index}@example.com`, reviewer.name, password);
      const now = nowIso();
      await db()
        .insertInto('reviews')
        .values({
          id: randomId(),
          product_id: product.id,
          customer_id: customerId,
          rating: reviewer.rating,
          body: reviewer.body,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }

    await visit(page, `${shopOrigin}/products/${handle}`);
    const reviews = page.getByRole('list', { name: 'Reviews of this product' });
    assert.equal(await reviews.getByRole('listitem').count(), 2);
    assert.match((await reviews.textContent()) ?? '', /<script>alert\(1\)<\/script> itchy/);
    await audit(t, 'product with reviews, as a guest', page);

    await visit(page, `${shopOrigin}/account/login`);
    await page.getByLabel('Email').fill('reviewer0@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL(`${shopOrigin}/account`);
    await visit(page, `${shopOrigin}/products/${handle}`);
    await page.getByRole('heading', { name: 'Your review' }).waitFor();
    await audit(t, 'product with the customer\'s own review', page);

    await page.getByLabel('Review', { exact: true }).fill('');
    await page.evaluate(() => {
      document.querySelectorAll('form').forEach((form) => {
        form.noValidate = true;
      });
    });
    await page.getByRole('button', { name: 'Save review' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Review', { exact: true }).getAttribute('aria-invalid'), 'true');
    await audit(t, 'review form with a rejected field', page);
  });

  it('shows the passkey button under the CSP', { timeout: scenarioTimeoutMs }, async () => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: false });
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));

    await visit(page, `${shopOrigin}/account/login`);

    // passkeys.js unhides the button only after it loaded (SRI and CSP passed) and found WebAuthn.
    await page.getByRole('button', { name: 'Log in with a passkey' }).waitFor();
    assert.deepEqual(
      consoleLines.filter((line) => /Content Security Policy|integrity/i.test(line)),
      [],
    );
  });

  it('shows a focus ring at every Tab stop', { timeout: scenarioTimeoutMs }, async () => {
    const { shopOrigin } = shop();
    const page = await openPage({ bypassCSP: false });
    await visit(page, `${shopOrigin}/products/classic-varsity-top`);

    const stops: { focused: FocusedElement; ring: FocusRing }[] = [];
    for (let step = 0; step < 40; step += 1) {
      await page.keyboard.press('Tab');
      const focused = await describeFocus(page);
      stops.push({ focused, ring: await readFocusRing(page) });
      if (focused.text === 'Add to cart') break;
    }

    const unringed = stops.filter(({ ring }) => !hasFocusRing(ring)).map(describeStop);
    // WCAG 2.1 SC 1.4.11 requires 3:1 between a focus indicator and the colours next to it.
    const faint = stops.filter(({ ring }) => ringContrast(ring) < 3).map(describeStop);

    assert.equal(stops.at(-1)?.focused.text, 'Add to cart', 'Tab never reached the button');
    assert.deepEqual(unringed, [], 'Tab stops without a focus ring');
    assert.deepEqual(faint, [], 'Tab stops whose focus ring contrasts less than 3:1');
  });

  it('works with the keyboard on the product page', { timeout: scenarioTimeoutMs }, async () => {
    const { shopOrigin } = shop();
    // A normal context, so storefront.js runs under the CSP as it does for a shopper.
    const page = await openPage({ bypassCSP: false });
    await visit(page, `${shopOrigin}/products/classic-varsity-top`);
    const countBefore = await page.locator('.cart-link__count').textContent();

    await page.keyboard.press('Tab');
    const first = await describeFocus(page);
    const skipLinkBox = await page.locator('.skip-link').boundingBox();
    await page.keyboard.press('Enter');
    const afterSkip = await describeFocus(page);

    const order: FocusedElement[] = [];
    for (let step = 0; step < 40; step += 1) {
      await page.keyboard.press('Tab');
      const focused = await describeFocus(page);
      order.push(focused);
      if (focused.text === 'Add to cart') break;
    }
    const choice = order.findIndex((focused) => focused.type === 'radio');
    const trail = JSON.stringify(order.map(({ tag, id, text }) => `${tag}#${id} ${text}`));

    assert.equal(first.text, 'Skip to content', 'the first Tab stop');
    assert.ok(skipLinkBox, 'the focused skip link is not rendered');
    assert.ok(skipLinkBox.y >= 0, `the focused skip link is off screen at y=${skipLinkBox.y}`);
    assert.equal(afterSkip.id, 'main', 'focus after the skip link');
    assert.equal(order[0]?.inMain, true, `the Tab after the skip link left main: ${trail}`);
    assert.ok(choice >= 0, `Tab never reached the variant choice: ${trail}`);
    assert.equal(order[choice]?.name, 'variantId', trail);
    assert.equal(order[choice + 1]?.id, 'quantity', trail);
    assert.equal(order[choice + 2]?.text, 'Add to cart', trail);

    await Promise.all([page.waitForURL(`${shopOrigin}/cart`), page.keyboard.press('Enter')]);
    const countAfter = await page.locator('.cart-link__count').textContent();
    const lines = page.getByRole('list', { name: 'Items in your cart' }).getByRole('listitem');

    assert.equal(countBefore, '0');
    assert.equal(countAfter, '1');
    assert.equal(await lines.count(), 1);
  });
});

/** How the focused element's focus indicator is drawn, from its computed style. */
interface FocusRing {
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
  boxShadow: string;
  /** Colour of the nearest ancestor with an opaque background, which the ring is drawn on. */
  background: string;
}

/**
 * Reads the focus ring of the focused element. The background is taken from the nearest
 * ancestor that paints one, which misses elements positioned over another element's background.
 */
async function readFocusRing(page: Page): Promise<FocusRing> {
  return page.evaluate(() => {
    const element = document.activeElement ?? document.body;
    const style = getComputedStyle(element);
    let background = 'rgb(255, 255, 255)';
    for (let node = element.parentElement; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if (color !== 'transparent' && color !== 'rgba(0, 0, 0, 0)') {
        background = color;
        break;
      }
    }
    return {
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
      outlineColor: style.outlineColor,
      boxShadow: style.boxShadow,
      background,
    };
  });
}

function hasFocusRing(ring: FocusRing): boolean {
  const hasOutline = ring.outlineStyle !== 'none' && Number.parseFloat(ring.outlineWidth) >= 2;
  return hasOutline || ring.boxShadow !== 'none';
}

function describeStop({ focused, ring }: { focused: FocusedElement; ring: FocusRing }): string {
  const colours = `outline ${ring.outlineColor}, shadow ${ring.boxShadow}, on ${ring.background}`;
  return `${focused.tag}#${focused.id} "${focused.text}": ${colours}`;
}

/**
 * Returns the highest contrast ratio between a colour of the focus ring (outline or box-shadow)
 * and the background it is drawn on; 1 when the ring has no colour at all.
 */
function ringContrast(ring: FocusRing): number {
  const colours = [
    ...(ring.outlineStyle === 'none' ? [] : [ring.outlineColor]),
    ...(ring.boxShadow.match(/rgba?\([^)]*\)/g) ?? []),
  ];
  const background = parseRgb(ring.background);
  return Math.max(1, ...colours.map((colour) => contrastRatio(parseRgb(colour), background)));
}

function parseRgb(colour: string): [number, number, number] {
  const [red = 0, green = 0, blue = 0] = (colour.match(/[\d.]+/g) ?? []).map(Number);
  return [red, green, blue];
}

/** WCAG 2 contrast ratio of two sRGB colours, from 1 to 21. */
function contrastRatio(first: [number, number, number], second: [number, number, number]) {
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05);
}

/** WCAG 2 relative luminance of an sRGB colour with channels from 0 to 255. */
function luminance([red, green, blue]: [number, number, number]): number {
  const linear = (channel: number) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
}

interface FocusedElement {
  tag: string;
  id: string;
  type: string;
  name: string;
  text: string;
  inMain: boolean;
}

/** Describes the element that has keyboard focus. */
async function describeFocus(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      id: element?.id ?? '',
      type: element?.getAttribute('type') ?? '',
      name: element?.getAttribute('name') ?? '',
      text: element?.textContent?.trim() ?? '',
      inMain: (element !== null && document.querySelector('main')?.contains(element)) ?? false,
    };
  });
}

function describeViolation(violation: Violation): string {
  return `${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(', ')}`;
}
