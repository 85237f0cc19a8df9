import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { type Browser, chromium } from 'playwright-core';

import { futureExpiry } from '../support/payments.js';
import { type SandboxShop, Shopper, startSandboxShop } from '../support/sandbox-shop.js';

const chromiumPath = '/usr/bin/chromium';

// A real browser enforces what app.inject cannot show: the CSP, the stylesheet's integrity
// value, and form-action on the 303 redirect that follows the card form.
describe('hosted payment page in Chromium', () => {
  let sandbox: SandboxShop;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(chromiumPath),
      `Chromium is missing at ${chromiumPath}; install it with apt-get install -y chromium`,
    );
    sandbox = await startSandboxShop();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser.close();
    await sandbox.close();
  });

  it('pays with 4242 and lands on the shop', async () => {
    const { orderId, paymentUrl } = await new Shopper(sandbox.shopOrigin).checkOut(
      sandbox.catalog.hat,
      1,
    );
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|integrity/i.test(message.text()))
        violations.push(message.text());
    });

    await page.goto(paymentUrl);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry date').fill(futureExpiry());
    await page.getByLabel('Security code').fill('123');
    await page.getByLabel('Name on card').fill('Ada Shopper');
    await Promise.all([
      page.waitForURL(`${sandbox.shopOrigin}/orders/**`),
      page.getByRole('button', { name: /^Pay / }).click(),
    ]);

    assert.equal(background, 'rgb(238, 241, 246)', 'the stylesheet loaded under its SRI value');
    assert.deepEqual(violations, []);
    assert.equal(new URL(page.url()).pathname, `/orders/${orderId}`);
    const order = await sandbox.shop.db.kysely
      .selectFrom('orders')
      .select('status')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    assert.equal(order.status, 'paid');
    await page.close();
  });

  it('shows field errors and the challenge step', async () => {
    const { paymentUrl } = await new Shopper(sandbox.shopOrigin).checkOut(sandbox.catalog.hat, 1);
    const page = await browser.newPage();

    await page.goto(paymentUrl);
    await page.getByLabel('Card number').fill('4000 0027 6000 3184');
    await page.getByLabel('Expiry date').fill('01/20');
    await page.getByLabel('Security code').fill('123');
    await page.getByLabel('Name on card').fill('Ada Shopper');
    await page.getByRole('button', { name: /^Pay / }).click();
    const alert = await page.getByRole('alert').textContent();
    await page.getByLabel('Card number').fill('4000 0027 6000 3184');
    await page.getByLabel('Expiry date').fill(futureExpiry());
    await page.getByLabel('Security code').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    const heading = await page.getByRole('heading', { level: 1 }).textContent();

    assert.match(alert ?? '', /This card has expired/);
    assert.equal(heading, 'Confirm the payment');
    await page.close();
  });
});
