import { type Static, Type } from 'typebox';

import { resourceId } from '../cart/cart.schema.js';
import { checkoutLimits } from '../checkout/checkout-input.js';
import { maxSearchLength } from './layout.js';

/**
 * Schemas of the storefront's URLs and HTML forms. Form bodies arrive as
 * application/x-www-form-urlencoded text and are never coerced, so every field is a string and
 * numbers are checked by pattern before conversion. Every object rejects unknown fields, which
 * is how a tampered form that carries a `price` or `total` is refused with 400.
 */

/** Handles and collection slugs come from the catalog import; only their length is capped here. */
const slug = Type.String({ minLength: 1, maxLength: 255 });

/** Quantity as typed into a form: 1 to 4 digits. The cart service enforces 1..MAX_QUANTITY. */
export const quantityText = Type.String({ pattern: '^[0-9]{1,4}$' });

/** Opaque listing cursor issued by the catalog service. */
const cursor = Type.String({ minLength: 1, maxLength: 512 });

export const listingQuery = Type.Object(
  { cursor: Type.Optional(cursor) },
  { additionalProperties: false },
);

export const collectionParams = Type.Object({ slug }, { additionalProperties: false });

export const searchQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: maxSearchLength })), cursor: Type.Optional(cursor) },
  { additionalProperties: false },
);

export const productParams = Type.Object({ handle: slug }, { additionalProperties: false });

export const productQuery = Type.Object(
  {
    variant: Type.Optional(resourceId),
    /** Cursor of the last review on the previous page of reviews. */
    reviews: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' }),
    ),
  },
  { additionalProperties: false },
);

export const addLineForm = Type.Object(
  { variantId: resourceId, quantity: quantityText },
  { additionalProperties: false },
);

export const cartLineParams = Type.Object({ lineId: resourceId }, { additionalProperties: false });

/** The cart line forms: "update" carries the new quantity, "remove" needs nothing else. */
export const changeLineForm = Type.Object(
  {
    action: Type.Union([Type.Literal('update'), Type.Literal('remove')]),
    quantity: Type.Optional(quantityText),
  },
  { additionalProperties: false },
);

const text = (maxLength: number) => Type.String({ maxLength });

/**
 * The checkout form. Every field must be present and lengths are capped here, but empty fields
 * pass. The checkout service trims the fields and checks their content (required fields, e-mail
 * syntax, postal code, country code, shipping method). Its field error brings the form back with
 * the shopper's values and the message next to the field, where a schema error would show the
 * generic error page and lose what the shopper typed.
 */
export const checkoutForm = Type.Object(
  {
    email: text(checkoutLimits.email),
    name: text(checkoutLimits.name),
    line1: text(checkoutLimits.line1),
    line2: text(checkoutLimits.line2),
    city: text(checkoutLimits.city),
    region: text(checkoutLimits.region),
    postalCode: text(checkoutLimits.postalCode),
    country: text(2),
    shippingMethod: text(32),
  },
  { additionalProperties: false },
);

export const orderParams = Type.Object({ id: resourceId }, { additionalProperties: false });

export const orderQuery = Type.Object(
  { token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  { additionalProperties: false },
);

/** The order page's "Return to cart" form; it repeats the signed link token the page was opened with. */
export const returnToCartForm = Type.Object(
  { token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  { additionalProperties: false },
);

export const paymentReturnQuery = Type.Object(
  { order: resourceId, token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  { additionalProperties: false },
);

/**
 * Responses of page routes: an HTML document, or a 303 redirect without a body. Fastify sends
 * string payloads as they are, so the schema documents the routes rather than filtering output.
 * Error pages come from the central error handler.
 */
export const htmlResponse = {
  200: Type.String({ description: 'HTML document' }),
  303: Type.Null({ description: 'Redirect to the Location header; no body' }),
};

export type AddLineForm = Static<typeof addLineForm>;
export type ChangeLineForm = Static<typeof changeLineForm>;
export type CheckoutForm = Static<typeof checkoutForm>;

/** Converts a quantity that already matched `quantityText`; the pattern rules out "", "1e3", "-1". */
export function quantityFromForm(value: string): number {
  return Number.parseInt(value, 10);
}
