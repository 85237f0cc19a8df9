import type { ServiceContext } from '../../src/server/context.js';
import { RecordingPaymentGateway } from './payment-double.js';
import { startTestShop, type TestShop } from './shop.js';
import { importProducts, productRow } from './storefront.js';

/** The checkout form as a shopper fills it in, field by field. */
export const checkoutFields = {
  email: 'shopper@example.com',
  name: 'Ada Shopper',
  line1: '1 Market Street',
  line2: '',
  city: 'Springfield',
  region: 'IL',
  postalCode: '12345',
  country: 'US',
  shippingMethod: 'standard',
};

export interface KettleShop {
  shop: TestShop;
  payments: RecordingPaymentGateway;
  /** Variant ids: a shipped, stock-tracked kettle at 30.00 and an untracked e-book at 8.00. */
  variants: { kettle: string; ebook: string };
}

/** Starts a test shop selling a kettle and an e-book, paying through a recording gateway. */
export async function startKettleShop(): Promise<KettleShop> {
  const payments = new RecordingPaymentGateway();
  const shop = await startTestShop({ payments: () => payments });
  await importProducts(shop.db.kysely, [
    productRow('kettle', {
      Title: 'Copper Kettle',
      'Variant SKU': 'KETTLE',
      'Variant Price': '30.00',
    }),
    productRow('ebook', {
      Title: 'Tea E-book',
      'Variant SKU': 'EBOOK',
      'Variant Price': '8.00',
      'Variant Requires Shipping': 'false',
      'Variant Inventory Tracker': '',
    }),
  ]);

  const variants = { kettle: '', ebook: '' };
  const rows = await shop.db.kysely.selectFrom('variants').select(['id', 'sku']).execute();
  for (const row of rows) {
    if (row.sku === 'KETTLE') variants.kettle = row.id;
    if (row.sku === 'EBOOK') variants.ebook = row.id;
  }
  return { shop, payments, variants };
}

/** Returns a service context for calling services directly, as no particular visitor. */
export function serviceContextOf(shop: TestShop): ServiceContext {
  return {
    db: shop.db.kysely,
    config: shop.deps.config,
    secrets: shop.deps.secrets,
    log: shop.app.log,
    requestId: 'test',
    ip: '127.0.0.1',
    visitorHash: null,
    customerId: null,
  };
}
