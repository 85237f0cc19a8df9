import { type Static, Type } from 'typebox';

/**
 * Request and response schemas of the cart API. Request objects reject unknown fields, so a
 * client that sends a price, total, discount or currency gets 400 and a security event. Response
 * schemas list every field that leaves the server; anything else on the object is dropped.
 */

/** Ids the shop issues are base64url text; the length cap keeps junk out of queries and logs. */
export const resourceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const cartParams = Type.Object({ id: resourceId }, { additionalProperties: false });

export const cartLineParams = Type.Object(
  { id: resourceId, lineId: resourceId },
  { additionalProperties: false },
);

/** Body of routes that take no fields (cart creation, line removal); no body at all is fine. */
export const emptyBody = Type.Object({}, { additionalProperties: false });

/** Builds the schema of a quantity from 1 to MAX_QUANTITY. Bodies are never coerced, so "2" fails. */
export function quantitySchema(maxQuantity: number) {
  return Type.Integer({ minimum: 1, maximum: maxQuantity });
}

export function addLineBody(maxQuantity: number) {
  return Type.Object(
    { variantId: resourceId, quantity: quantitySchema(maxQuantity) },
    { additionalProperties: false },
  );
}

export function updateLineBody(maxQuantity: number) {
  return Type.Object({ quantity: quantitySchema(maxQuantity) }, { additionalProperties: false });
}

export type AddLineBody = Static<ReturnType<typeof addLineBody>>;
export type UpdateLineBody = Static<ReturnType<typeof updateLineBody>>;

const minorUnits = Type.Integer({ minimum: 0, description: 'Amount in minor units (cents)' });

export const cartLineView = Type.Object({
  id: Type.String(),
  variantId: Type.String(),
  handle: Type.String(),
  productTitle: Type.String(),
  variantTitle: Type.String(),
  sku: Type.String(),
  unitPriceMinor: minorUnits,
  quantity: Type.Integer({ minimum: 1 }),
  lineTotalMinor: minorUnits,
  imageSrc: Type.Union([Type.String(), Type.Null()]),
  available: Type.Boolean({ description: 'False when the stock cannot cover this quantity' }),
});

export const cartView = Type.Object({
  id: Type.String(),
  currency: Type.String({ description: 'ISO 4217 code of every amount in the cart' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('checked_out')]),
  lines: Type.Array(cartLineView),
  subtotalMinor: minorUnits,
  itemCount: Type.Integer({ minimum: 0 }),
});
