import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { type CartView, findOpenCartForVisitor } from '../cart/cart.service.js';
import { orderTotals } from '../cart/pricing.js';
import { ensureVisitor } from '../cart/visitor.js';
import { findPurchasableVariants } from '../catalog/catalog.service.js';
import { checkoutForVisitor } from '../checkout/checkout-visitor.js';
import { countryCodes } from '../checkout/countries.js';
import { shippingMethods } from '../checkout/shipping.js';
import { getOrder } from '../orders/order.service.js';
import { returnOrderToCart } from '../orders/return-to-cart.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf, type ServiceContext } from '../server/context.js';
import { AppError } from '../server/errors.js';
import { loadChrome, pageContext } from './chrome.js';
import { formTokenFor } from './csrf-field.js';
import {
  type CheckoutForm,
  checkoutForm,
  htmlResponse,
  orderParams,
  orderQuery,
  paymentReturnQuery,
  returnToCartForm,
} from './forms.schema.js';
import { CheckoutPage, type CheckoutPageProps, type ShippingOption } from './pages/checkout.js';
import { OrderPage } from './pages/order.js';
import { orderPath, returnToCartPath } from './paths.js';
import { sendPage } from './send-page.js';

const personalPage = { page: true, personal: true } as const;

/** Country select entries, named in English and sorted by name. */
export const countries = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  return [...countryCodes]
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
})();

/** Checkout form, its submission, and the order status pages the shopper returns to. */
export function registerCheckoutPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/checkout',
    { config: personalPage, schema: { hide: true, response: htmlResponse } },
    (request, reply) => showCheckout(deps, request, reply),
  );

  app.post(
    '/checkout',
    { config: personalPage, schema: { hide: true, body: checkoutForm, response: htmlResponse } },
    (request, reply) => submitCheckout(deps, request, reply, request.body),
  );

  app.get(
    '/orders/:id',
    {
      config: personalPage,
      schema: { hide: true, params: orderParams, querystring: orderQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { token } = request.query;
      return sendOrderPage(request, reply, deps, id, token);
    },
  );

  // A form post from the order page: cancels a pending order and its payment session, and puts
  // its items in a new cart.
  // The visitor cookie is issued first when absent, so a shopper who opened the order through
  // its signed link gets the cart in this browser. A new cookie cannot own the order, so it
  // grants nothing: access still needs the owner's cookie or a valid token.
  app.post(
    '/orders/:id/return-to-cart',
    {
      config: personalPage,
      schema: { hide: true, params: orderParams, body: returnToCartForm, response: htmlResponse },
    },
    async (request, reply) => {
      const visitorHash = ensureVisitor(request, reply, deps.secrets.signingKey);
      const ctx = contextOf(request, deps, visitorHash);
      await returnOrderToCart(ctx, deps.payments, request.params.id, request.body.token);
      return reply.redirect('/cart', 303);
    },
  );

  // The payment provider sends the shopper here after paying. The page only reads the order:
  // the status changes solely through the provider's signed webhook.
  app.get(
    '/payment/return',
    {
      config: personalPage,
      schema: { hide: true, querystring: paymentReturnQuery, response: htmlResponse },
    },
    async (request, reply) => {
      const { order, token } = request.query;
      return sendOrderPage(request, reply, deps, order, token);
    },
  );
}

async function showCheckout(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply) {
  const ctx = pageContext(request, deps);
  const cart = await findOpenCartForVisitor(ctx);
  if (!cart || cart.lines.length === 0) return reply.redirect('/cart', 303);

  return sendCheckoutPage(request, reply, deps, ctx, cart, { values: {} });
}

/**
 * Places the order, replaces the visitor cookie with one that owns it, and redirects to the
 * payment page with 303. When the checkout service rejects a field, the form comes back with
 * status 400, the shopper's values and the problem, and the cookie stays as it was. Every other
 * failure goes to the error page.
 */
async function submitCheckout(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  form: CheckoutForm,
) {
  const ctx = pageContext(request, deps);
  const cart = await findOpenCartForVisitor(ctx);
  if (!cart || cart.lines.length === 0) return reply.redirect('/cart', 303);

  try {
    const input = toCheckoutInput(form);
    const placed = await checkoutForVisitor(ctx, request, reply, deps, cart.id, input);
    return reply.redirect(placed.paymentUrl, 303);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;

    request.log.info({ code: error.code }, 'checkout form rejected');
    return sendCheckoutPage(request, reply, deps, ctx, cart, {
      values: form,
      error: describeCheckoutError(error),
      status: 400,
    });
  }
}

async function sendOrderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  orderId: string,
  token: string | undefined,
) {
  const ctx = pageContext(request, deps);
  const order = await getOrder(ctx, orderId, token);
  const chrome = await loadChrome(ctx, deps);
  const method = shippingMethods(order.currency).find((m) => m.id === order.shippingMethod);

  return sendPage(
    reply,
    <OrderPage
      chrome={chrome}
      order={order}
      shippingLabel={method?.label ?? order.shippingMethod}
      refreshHref={orderPath(order.id, token)}
      returnToCart={{
        action: returnToCartPath(order.id),
        token,
        csrfToken: formTokenFor(request, reply, deps),
      }}
      paymentTimeoutMinutes={deps.config.paymentTimeoutMinutes}
    />,
  );
}

async function sendCheckoutPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  ctx: ServiceContext,
  cart: CartView,
  state: Pick<CheckoutPageProps, 'values' | 'error'> & { status?: number },
) {
  const [chrome, options] = await Promise.all([loadChrome(ctx, deps), quoteShipping(ctx, cart)]);
  const page = (
    <CheckoutPage
      chrome={chrome}
      cart={cart}
      options={options}
      countries={countries}
      values={state.values}
      csrfToken={formTokenFor(request, reply, deps)}
      {...(state.error ? { error: state.error } : {})}
    />
  );
  return sendPage(reply, page, state.status);
}

/**
 * Computes the totals each shipping method would give this cart, with the same pricing
 * functions checkout charges with. Checkout recomputes everything from catalog prices when the
 * form is submitted, so this quote is for display only.
 */
async function quoteShipping(ctx: ServiceContext, cart: CartView): Promise<ShippingOption[]> {
  const variants = await findPurchasableVariants(
    ctx,
    cart.lines.map((line) => line.variantId),
  );
  const lines = cart.lines.map((line) => ({
    unitPriceMinor: line.unitPriceMinor,
    quantity: line.quantity,
    // getCart has already removed lines whose variant is no longer sold.
    requiresShipping: variants.get(line.variantId)?.requiresShipping ?? true,
  }));

  return shippingMethods(cart.currency).map((method) => ({
    method,
    totals: orderTotals(lines, method.priceMinor),
  }));
}

function toCheckoutInput(form: CheckoutForm) {
  return {
    email: form.email,
    shippingAddress: {
      name: form.name,
      line1: form.line1,
      line2: form.line2,
      city: form.city,
      region: form.region,
      postalCode: form.postalCode,
      country: form.country,
    },
    shippingMethod: form.shippingMethod,
  };
}

const fieldLabels: Record<string, { name: keyof CheckoutForm; label: string }> = {
  email: { name: 'email', label: 'Email' },
  'shippingAddress.name': { name: 'name', label: 'Full name' },
  'shippingAddress.line1': { name: 'line1', label: 'Address' },
  'shippingAddress.line2': { name: 'line2', label: 'Apartment, suite, etc.' },
  'shippingAddress.city': { name: 'city', label: 'City' },
  'shippingAddress.region': { name: 'region', label: 'State or region' },
  'shippingAddress.postalCode': { name: 'postalCode', label: 'Postal code' },
  'shippingAddress.country': { name: 'country', label: 'Country' },
  shippingMethod: { name: 'shippingMethod', label: 'Shipping method' },
};

/** Rewords the checkout service's field error with the field's label on the form. */
function describeCheckoutError(error: AppError) {
  const issues = error.extensions.errors as { field?: string; message?: string }[] | undefined;
  const issue = issues?.[0];
  const field = issue?.field ? fieldLabels[issue.field] : undefined;
  if (!field || !issue?.message) return { field: null, message: error.detail };

  return { field: field.name, message: `${field.label} ${issue.message}.` };
}
