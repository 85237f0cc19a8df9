import { type Static, Type } from 'typebox';

import { checkoutLimits } from './checkout-input.js';
import { shippingMethodIds } from './shipping.js';

/**
 * Checkout request and response schemas. The service checks the same rules again (see
 * validateCheckoutInput), because the HTML checkout form reaches it without this schema.
 */

function text(maxLength: number, minLength = 1) {
  return Type.String({ minLength, maxLength });
}

export const shippingAddressBody = Type.Object(
  {
    name: text(checkoutLimits.name),
    line1: text(checkoutLimits.line1),
    line2: Type.Optional(text(checkoutLimits.line2, 0)),
    city: text(checkoutLimits.city),
    region: Type.Optional(text(checkoutLimits.region, 0)),
    postalCode: text(checkoutLimits.postalCode),
    country: Type.String({
      pattern: '^[A-Z]{2}$',
      description: 'ISO 3166-1 alpha-2 country code, upper case',
    }),
  },
  { additionalProperties: false },
);

export const checkoutBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: checkoutLimits.email }),
    shippingAddress: shippingAddressBody,
    shippingMethod: Type.Union(shippingMethodIds.map((id) => Type.Literal(id))),
  },
  { additionalProperties: false },
);

export type CheckoutBody = Static<typeof checkoutBody>;

export const checkoutResponse = Type.Object({
  orderId: Type.String(),
  paymentUrl: Type.String({ description: "The payment provider's hosted page; redirect here" }),
});
