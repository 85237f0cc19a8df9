import { type Static, Type } from 'typebox';

/**
 * Schemas of the admin's read-only JSON API. Requests reject unknown fields. Response schemas
 * list every field and allow no others; Fastify serialises with them, so a column added to a
 * table later (a hash, a token) never reaches a client unless it is added here.
 */

const id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const minorUnits = Type.Integer({ description: 'Amount in minor units of the currency (cents)' });
const instant = Type.String({ description: 'ISO 8601 instant in UTC' });
const nullableInstant = Type.Union([instant, Type.Null()]);

export const defaultApiPageSize = 50;

export const apiListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: defaultApiPageSize })),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'The nextCursor of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

export const noQuery = Type.Object({}, { additionalProperties: false });
export const orderIdParams = Type.Object({ orderId: id }, { additionalProperties: false });
export const customerIdParams = Type.Object({ customerId: id }, { additionalProperties: false });

const closed = { additionalProperties: false } as const;

const orderSummaryProperties = {
  id: Type.String(),
  email: Type.String(),
  status: Type.String(),
  customerId: Type.Union([Type.String(), Type.Null()]),
  totalMinor: minorUnits,
  refundedMinor: minorUnits,
  currency: Type.String({ description: 'ISO 4217 code of every amount' }),
  createdAt: instant,
  paidAt: nullableInstant,
};

export const apiOrderSummary = Type.Object(orderSummaryProperties, closed);

export const apiOrderPage = Type.Object(
  {
    items: Type.Array(apiOrderSummary),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  },
  closed,
);

const postalAddress = Type.Object(
  {
    name: Type.String(),
    line1: Type.String(),
    line2: Type.String(),
    city: Type.String(),
    region: Type.String(),
    postalCode: Type.String(),
    country: Type.String({ description: 'ISO 3166-1 alpha-2 code' }),
  },
  closed,
);

export const apiOrderDetail = Type.Object(
  {
    ...orderSummaryProperties,
    shippingAddress: postalAddress,
    shippingMethod: Type.String(),
    subtotalMinor: minorUnits,
    shippingMinor: minorUnits,
    paymentProvider: Type.String(),
    lines: Type.Array(
      Type.Object(
        {
          variantId: Type.String(),
          productTitle: Type.String(),
          variantTitle: Type.String(),
          sku: Type.String(),
          quantity: Type.Integer(),
          unitPriceMinor: minorUnits,
          lineTotalMinor: minorUnits,
        },
        closed,
      ),
    ),
  },
  closed,
);

export const apiCustomerDetail = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    emailConfirmedAt: nullableInstant,
    createdAt: instant,
    addresses: Type.Array(
      Type.Object({ id: Type.String(), address: postalAddress, createdAt: instant }, closed),
    ),
    orderIds: Type.Array(Type.String(), { description: "The customer's orders, newest first" }),
  },
  closed,
);

export type ApiOrderSummary = Static<typeof apiOrderSummary>;
export type ApiOrderPage = Static<typeof apiOrderPage>;
export type ApiOrderDetail = Static<typeof apiOrderDetail>;
export type ApiCustomerDetail = Static<typeof apiCustomerDetail>;
