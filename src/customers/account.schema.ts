import { type Static, Type } from 'typebox';

import { resourceId } from '../cart/cart.schema.js';
import { shippingAddressBody } from '../checkout/checkout.schema.js';
import { checkoutLimits } from '../checkout/checkout-input.js';
import { orderView } from '../orders/order.schema.js';

/**
 * Request and response schemas of the account API (/api/store/account) and of public product
 * reviews. Request objects reject unknown fields; response schemas list every field that leaves
 * the server, so a column added to a table later does not leak through these routes.
 */

/** Maximum length of a review's text, in UTF-16 code units after trimming. */
export const maxReviewLength = 4000;
/** Maximum length of a customer's name, the same as for the name on a shipping address. */
export const maxNameLength = checkoutLimits.name;

const timestamp = Type.String({ format: 'date-time' });
const minorUnits = Type.Integer({ minimum: 0, description: 'Amount in minor units (cents)' });

export const idParams = Type.Object({ id: resourceId }, { additionalProperties: false });

export const pageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'The nextCursor of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

const nextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` for the next page; null on the last page',
});

export const profileView = Type.Object({
  email: Type.String(),
  emailConfirmed: Type.Boolean(),
  name: Type.String(),
  createdAt: timestamp,
});

export const profilePatchBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: maxNameLength }) },
  { additionalProperties: false },
);

export const addressView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  line1: Type.String(),
  line2: Type.String(),
  city: Type.String(),
  region: Type.String(),
  postalCode: Type.String(),
  country: Type.String(),
  createdAt: timestamp,
});

export const addressList = Type.Object({ items: Type.Array(addressView) });

/** A saved address takes the same fields and limits as the shipping address at checkout. */
export const addressBody = shippingAddressBody;

export const addressPatchBody = Type.Partial(shippingAddressBody, {
  additionalProperties: false,
  minProperties: 1,
});

export type AddressBody = Static<typeof addressBody>;
export type AddressPatchBody = Static<typeof addressPatchBody>;

export const orderSummary = Type.Object({
  id: Type.String(),
  status: orderView.properties.status,
  itemCount: Type.Integer({ minimum: 0 }),
  totalMinor: minorUnits,
  currency: Type.String(),
  createdAt: timestamp,
  paidAt: Type.Union([timestamp, Type.Null()]),
});

export const orderList = Type.Object({ items: Type.Array(orderSummary), nextCursor });

export const sessionView = Type.Object({
  id: Type.String({ description: 'Public id of the session; not its token or token hash' }),
  current: Type.Boolean({ description: 'True for the session that made this request' }),
  createdAt: timestamp,
  lastSeenAt: timestamp,
  expiresAt: timestamp,
  userAgent: Type.String(),
  ip: Type.String({ description: 'Client address that started the session' }),
});

export const sessionList = Type.Object({ items: Type.Array(sessionView) });

export const passwordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const emailChangeBody = Type.Object(
  {
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    newEmail: Type.String({ minLength: 3, maxLength: checkoutLimits.email }),
  },
  { additionalProperties: false },
);

const rating = Type.Integer({ minimum: 1, maximum: 5, description: 'Stars, 1 to 5' });
const reviewText = Type.String({ minLength: 1, maxLength: maxReviewLength });

export const reviewBody = Type.Object(
  {
    productHandle: Type.String({ minLength: 1, maxLength: 200 }),
    rating,
    body: reviewText,
  },
  { additionalProperties: false },
);

export const reviewPatchBody = Type.Object(
  { rating: Type.Optional(rating), body: Type.Optional(reviewText) },
  { additionalProperties: false, minProperties: 1 },
);

export type ReviewBody = Static<typeof reviewBody>;
export type ReviewPatchBody = Static<typeof reviewPatchBody>;

export const myReviewView = Type.Object({
  id: Type.String(),
  productHandle: Type.String(),
  productTitle: Type.String(),
  rating,
  body: Type.String({ description: 'Plain text as written; escape it before putting it in HTML' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const myReviewList = Type.Object({ items: Type.Array(myReviewView), nextCursor });

export const publicReviewView = Type.Object({
  id: Type.String(),
  reviewerName: Type.String({ description: "The reviewer's first name only" }),
  rating,
  body: Type.String({ description: 'Plain text as written; escape it before putting it in HTML' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const publicReviewList = Type.Object({
  items: Type.Array(publicReviewView),
  nextCursor,
  count: Type.Integer({ minimum: 0, description: 'Reviews of the product in total' }),
  averageRating: Type.Union([Type.Number(), Type.Null()], {
    description: 'Mean rating to one decimal; null without reviews',
  }),
});

export const productHandleParams = Type.Object(
  { handle: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** The acknowledgement of a request whose result arrives by e-mail. */
export const emailChangeResponse = Type.Object({
  status: Type.Literal('check_email'),
});
