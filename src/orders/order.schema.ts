import { Type } from 'typebox';

import { resourceId } from '../cart/cart.schema.js';

export const orderParams = Type.Object({ id: resourceId }, { additionalProperties: false });

export const orderQuery = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'Signed order link from the confirmation e-mail or payment return URL',
      }),
    ),
  },
  { additionalProperties: false },
);

const minorUnits = Type.Integer({ minimum: 0, description: 'Amount in minor units (cents)' });

export const orderView = Type.Object({
  id: Type.String(),
  status: Type.Union([
    Type.Literal('pending_payment'),
    Type.Literal('paid'),
    Type.Literal('payment_failed'),
    Type.Literal('payment_expired'),
    Type.Literal('cancelled'),
    Type.Literal('refunded'),
  ]),
  email: Type.String(),
  shippingAddress: Type.Object({
    name: Type.String(),
    line1: Type.String(),
    line2: Type.String(),
    city: Type.String(),
    region: Type.String(),
    postalCode: Type.String(),
    country: Type.String(),
  }),
  shippingMethod: Type.String(),
  lines: Type.Array(
    Type.Object({
      productTitle: Type.String(),
      variantTitle: Type.String(),
      sku: Type.String(),
      unitPriceMinor: minorUnits,
      quantity: Type.Integer({ minimum: 1 }),
      lineTotalMinor: minorUnits,
    }),
  ),
  subtotalMinor: minorUnits,
  shippingMinor: minorUnits,
  totalMinor: minorUnits,
  currency: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
