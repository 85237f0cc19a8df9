import { Type } from 'typebox';

import { maxSlugLength } from './slug.js';

/** Searches longer than this are rejected; the storefront's search box has the same limit. */
export const maxQueryLength = 200;
export const defaultPageSize = 24;

export const productListQuery = Type.Object(
  {
    query: Type.Optional(
      Type.String({
        maxLength: maxQueryLength,
        description: 'Words to search for in titles, descriptions, tags and SKUs',
      }),
    ),
    collection: Type.Optional(
      Type.String({
        pattern: `^(type|tag):[\\p{L}\\p{N}-]{1,${maxSlugLength}}$`,
        description: 'A product type or tag as `type:<slug>` or `tag:<slug>`',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: defaultPageSize })),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'The nextCursor of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

export const noQuery = Type.Object({}, { additionalProperties: false });

export const productParams = Type.Object(
  { handle: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

const minorUnits = Type.Integer({ description: 'Amount in minor units of the currency (cents)' });
const nullableMinorUnits = Type.Union([minorUnits, Type.Null()]);

const productImage = Type.Object({
  src: Type.String({ description: 'Image URL as imported; http or https' }),
  alt: Type.String(),
});

const productSummaryProperties = {
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  vendor: Type.String(),
  productType: Type.String(),
  priceMinMinor: minorUnits,
  priceMaxMinor: minorUnits,
  compareAtMinor: nullableMinorUnits,
  currency: Type.String({ description: 'ISO 4217 code of every amount' }),
  image: Type.Union([productImage, Type.Null()]),
  available: Type.Boolean({ description: 'True when at least one variant can be bought' }),
};

export const productSummary = Type.Object(productSummaryProperties);

export const productPage = Type.Object({
  items: Type.Array(productSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` for the next page; null on the last page',
  }),
});

const variantView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  sku: Type.String(),
  options: Type.Array(Type.String()),
  priceMinor: minorUnits,
  compareAtMinor: nullableMinorUnits,
  available: Type.Boolean(),
  stock: Type.Union([
    Type.Literal('in_stock'),
    Type.Literal('low_stock'),
    Type.Literal('sold_out'),
    Type.Literal('backorder'),
    Type.Literal('untracked'),
  ]),
  imageSrc: Type.Union([Type.String(), Type.Null()]),
});

export const productDetail = Type.Object({
  ...productSummaryProperties,
  bodyHtml: Type.String({ description: 'Description HTML, sanitised with an allowlist at import' }),
  tags: Type.Array(Type.String()),
  options: Type.Array(Type.Object({ name: Type.String(), values: Type.Array(Type.String()) })),
  variants: Type.Array(variantView),
  images: Type.Array(productImage),
});
