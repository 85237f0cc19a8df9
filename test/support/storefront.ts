import assert from 'node:assert/strict';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';

import { visitorCookie } from '../../src/cart/visitor.js';
import { importProductCsv } from '../../src/catalog/csv-import/importer.js';
import type { Database } from '../../src/db/schema.js';
import type { AssetManifest } from '../../src/integrity/assets.js';

/** One CSV row of a Shopify product export, by column title ("Variant Price": "9.00"). */
export type CsvProductRow = Record<string, string>;

/**
 * Imports products through the catalog's own CSV importer, so test data is sanitised, indexed
 * for search and stored exactly as a real import stores it. Fails the test on any import issue.
 */
export async function importProducts(
  db: Kysely<Database>,
  rows: CsvProductRow[],
  currency = 'USD',
): Promise<void> {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns, ...rows.map((row) => columns.map((column) => row[column] ?? ''))];
  const csv = `${lines.map((line) => line.map(quoteCsv).join(',')).join('\n')}\n`;

  const report = await importProductCsv(db, csv, { currency });
  assert.equal(report.fatal, null, `import failed: ${JSON.stringify(report.fatal)}`);
  assert.equal(report.issueCount, 0, `import issues: ${JSON.stringify(report.issues)}`);
}

function quoteCsv(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Builds a product row with defaults: active, published, tracked stock of 10 at 10.00. */
export function productRow(handle: string, overrides: CsvProductRow = {}): CsvProductRow {
  return {
    Handle: handle,
    Title: handle.replaceAll('-', ' '),
    'Body (HTML)': '<p>A fine product.</p>',
    Vendor: 'Test Vendor',
    Type: 'Gadgets',
    Tags: 'tested',
    Published: 'true',
    Status: 'active',
    'Option1 Name': 'Title',
    'Option1 Value': 'Default Title',
    'Variant SKU': handle.toUpperCase(),
    'Variant Inventory Tracker': 'shopify',
    'Variant Inventory Qty': '10',
    'Variant Inventory Policy': 'deny',
    'Variant Price': '10.00',
    'Variant Requires Shipping': 'true',
    ...overrides,
  };
}

/** Cookies of the shop that a test browser keeps and sends back. */
const keptCookies = [visitorCookie, '__Host-session', '__Host-webauthn'];

/**
 * A page that renders a POST form for anyone, signed in or not, where a browser without a
 * current CSRF token reads one.
 */
export const csrfSourcePage = '/account/forgot';

/**
 * A same-origin browser: it keeps the shop's cookies, requests HTML and posts forms as
 * application/x-www-form-urlencoded with `Sec-Fetch-Site: same-origin`, as a browser submitting
 * the shop's own forms does. Like a real browser, it posts the `_csrf` value of the last page it
 * rendered. The token is bound to the session or visitor cookie, so when a cookie has changed
 * since, it first loads `csrfSourcePage` to read a current one.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` field of the last page that had one, while no cookie has changed since. */
  csrfToken: string | undefined;

  constructor(private readonly app: FastifyInstance) {}

  /** The `__Host-cart` cookie's value. */
  get cookie(): string | undefined {
    return this.cookies.get(visitorCookie);
  }

  set cookie(value: string | undefined) {
    this.setCookie(visitorCookie, value);
  }

  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.cookies.delete(name);
    else this.cookies.set(name, value);
    this.csrfToken = undefined;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.send({ method: 'GET', url });
  }

  /**
   * Posts a form with the current CSRF token added, unless `fields` carries its own `_csrf` or
   * `options.csrf` is false (to prove that a form without one is rejected).
   */
  async postForm(
    url: string,
    fields: Record<string, string>,
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const body = { ...fields };
    if (options.csrf !== false && body._csrf === undefined) {
      body._csrf = await this.currentCsrfToken();
    }
    return this.send({
      method: 'POST',
      url,
      payload: new URLSearchParams(body).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Returns the token the next form post carries, loading `csrfSourcePage` when none is current. */
  async currentCsrfToken(): Promise<string> {
    if (this.csrfToken === undefined) {
      const page = await this.get(csrfSourcePage);
      assert.equal(page.statusCode, 200, `${csrfSourcePage} answered ${page.statusCode}`);
    }
    assert.notEqual(this.csrfToken, undefined, `${csrfSourcePage} has no _csrf field`);
    return this.csrfToken ?? '';
  }

  private async send(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: string;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.inject({
      ...options,
      headers: {
        accept: 'text/html',
        'sec-fetch-site': 'same-origin',
        ...(cookieHeader !== '' ? { cookie: cookieHeader } : {}),
        ...options.headers,
      },
    });

    for (const issued of response.cookies) {
      if (!keptCookies.includes(issued.name)) continue;
      const cleared = issued.value === '' || issued.maxAge === 0 || isPast(issued.expires);
      this.setCookie(issued.name, cleared ? undefined : issued.value);
    }
    const token = csrfTokensOf(response.body)[0];
    if (token !== undefined) this.csrfToken = token;
    return response;
  }
}

function isPast(expires: Date | undefined): boolean {
  return expires !== undefined && expires.getTime() <= Date.now();
}

/** Returns the `_csrf` value of every form field named so, in page order. */
export function csrfTokensOf(html: string): string[] {
  return tagsNamed(html, 'input')
    .filter((tag) => attributeOf(tag, 'name') === '_csrf')
    .map((tag) => attributeOf(tag, 'value') ?? '');
}

/**
 * Returns every `<form method="post">` of a page with its action and the `_csrf` values inside
 * it, for checks that every form carries a token.
 */
export function postFormsOf(html: string): { action: string; csrf: string[] }[] {
  const forms = [...html.matchAll(/<form\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/form>/gi)];
  return forms
    .filter((match) => /\smethod="post"/i.test(match[1] ?? ''))
    .map((match) => ({
      action: attributeOf(`<form${match[1] ?? ''}>`, 'action') ?? '',
      csrf: csrfTokensOf(match[2] ?? ''),
    }));
}

/** Returns the text of the page's h1 elements, with tags removed and entities left as sent. */
export function headingsOf(html: string): string[] {
  return [...html.matchAll(/<h1[^>]*>([\s\S]*?)<\/h1>/g)].map((match) =>
    (match[1] ?? '').replace(/<[^>]+>/g, '').trim(),
  );
}

/**
 * Returns every opening tag with this name, e.g. all `<script ...>` tags of a page. Quoted attribute
 * values may contain `>`, which Preact does not escape there.
 */
export function tagsNamed(html: string, name: string): string[] {
  const pattern = new RegExp(`<${name}\\b(?:[^>"']|"[^"]*"|'[^']*')*>`, 'gi');
  return [...html.matchAll(pattern)].map((match) => match[0]);
}

export function attributeOf(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1];
}

/**
 * Asserts that every script and stylesheet is external, from the manifest, with the manifest's
 * SRI value and crossorigin="anonymous", and that no script is inline.
 */
export function assertSubresourcesFromManifest(
  html: string,
  assets: AssetManifest,
  label: string,
): void {
  const byUrl = new Map(Object.values(assets).map((asset) => [asset.url, asset.integrity]));
  const stylesheets = tagsNamed(html, 'link').filter((tag) => /rel="stylesheet"/.test(tag));
  const scripts = tagsNamed(html, 'script');
  assert.ok(stylesheets.length > 0, `${label}: no stylesheet`);

  for (const tag of [...stylesheets, ...scripts]) {
    const url = attributeOf(tag, 'href') ?? attributeOf(tag, 'src');
    assert.ok(url, `${label}: ${tag} has no URL, so it is inline`);
    assert.equal(attributeOf(tag, 'integrity'), byUrl.get(url), `${label}: integrity of ${url}`);
    assert.equal(attributeOf(tag, 'crossorigin'), 'anonymous', `${label}: crossorigin of ${url}`);
  }
}

/** Returns the page with the sanitised product body cut out, for checks that apply to our own markup. */
export function withoutProductBody(html: string, bodyHtml: string): string {
  return bodyHtml === '' ? html : html.split(bodyHtml).join('');
}
