import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import {
  addLine,
  createCart,
  findOpenCartForVisitor,
  removeLine,
  updateLine,
} from '../cart/cart.service.js';
import { ensureVisitor } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf } from '../server/context.js';
import { AppError, notFound } from '../server/errors.js';
import { loadChrome, pageContext } from './chrome.js';
import { formTokenFor } from './csrf-field.js';
import {
  addLineForm,
  cartLineParams,
  changeLineForm,
  htmlResponse,
  quantityFromForm,
} from './forms.schema.js';
import { CartPage } from './pages/cart.js';
import { sendPage } from './send-page.js';

const personalPage = { page: true, personal: true } as const;

/**
 * Registers the cart page and its forms. Each form posts, changes the cart through the cart
 * service and responds 303 See Other to /cart, so reloading the cart page never resubmits a form.
 */
export function registerCartPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/cart',
    { config: personalPage, schema: { hide: true, response: htmlResponse } },
    async (request, reply) => {
      const ctx = pageContext(request, deps);
      const [cart, chrome] = await Promise.all([
        findOpenCartForVisitor(ctx),
        loadChrome(ctx, deps),
      ]);

      // Only a filled cart has forms, so an empty cart page sets no cookie. A filled one belongs
      // to the visitor cookie or the signed-in session, and the token binds to one of them.
      const csrfToken = cart && cart.lines.length > 0 ? formTokenFor(request, reply, deps) : '';
      return sendPage(
        reply,
        <CartPage
          chrome={chrome}
          cart={cart}
          maxQuantity={deps.config.maxQuantity}
          csrfToken={csrfToken}
        />,
      );
    },
  );

  app.post(
    '/cart/lines',
    { config: personalPage, schema: { hide: true, body: addLineForm, response: htmlResponse } },
    async (request, reply) => {
      const ctx = contextOf(request, deps, ensureVisitor(request, reply, deps.secrets.signingKey));
      const cart = (await findOpenCartForVisitor(ctx)) ?? (await createCart(ctx));

      await addLine(ctx, cart.id, {
        variantId: request.body.variantId,
        quantity: quantityFromForm(request.body.quantity),
      });
      return reply.redirect('/cart', 303);
    },
  );

  app.post(
    '/cart/lines/:lineId',
    {
      config: personalPage,
      schema: { hide: true, params: cartLineParams, body: changeLineForm, response: htmlResponse },
    },
    async (request, reply) => {
      const ctx = pageContext(request, deps);
      const cart = await findOpenCartForVisitor(ctx);
      if (!cart) throw notFound('This cart line');

      const { lineId } = request.params;
      const form = request.body;
      if (form.action === 'remove') {
        await removeLine(ctx, cart.id, lineId);
      } else if (form.quantity === undefined) {
        throw new AppError('VALIDATION_FAILED', 'Enter a quantity to update the cart line.');
      } else {
        await updateLine(ctx, cart.id, lineId, quantityFromForm(form.quantity));
      }
      return reply.redirect('/cart', 303);
    },
  );
}
