import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  createReview,
  deleteReview,
  getMyReview,
  updateReview,
} from '../customers/reviews.service.js';
import { requireCustomer } from '../customers/session-hook.js';
import type { ShopDeps } from '../server/app.js';
import { accountPage, formErrorOf } from './account-page-kit.js';
import { emptyForm, idParams, type ReviewForm, reviewForm } from './account-forms.schema.js';
import { sendProductPage } from './catalog-pages.routes.js';
import { pageContext } from './chrome.js';
import { htmlResponse, productParams } from './forms.schema.js';
import type { FormError } from './pages/account/parts.js';
import { reviewsAnchor } from './pages/product-reviews.js';
import { productPath } from './paths.js';

/**
 * The product page's review forms: publish, change and delete the signed-in customer's review.
 * Each needs a fully signed-in session (AUTHENTICATION_REQUIRED otherwise) and redirects back to
 * the product's reviews with 303. Changing or deleting a review that is not the caller's gets the
 * same 404 as a missing one, because the service checks ownership by id before anything else.
 * The redirect target comes from the stored review, never from the form.
 */
export function registerReviewPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/products/:handle/reviews',
    {
      config: accountPage,
      schema: { hide: true, params: productParams, body: reviewForm, response: htmlResponse },
    },
    async (request, reply) => {
      requireCustomer(request);
      const { handle } = request.params;
      try {
        const review = await createReview(pageContext(request, deps), {
          productHandle: handle,
          ...reviewInput(request.body),
        });
        return reply.redirect(reviewsPath(review.productHandle), 303);
      } catch (error) {
        return showRejectedReview(deps, request, reply, { handle, form: request.body }, error);
      }
    },
  );

  app.post(
    '/account/reviews/:id',
    {
      config: accountPage,
      schema: { hide: true, params: idParams, body: reviewForm, response: htmlResponse },
    },
    async (request, reply) => {
      requireCustomer(request);
      const ctx = pageContext(request, deps);
      const review = await getMyReview(ctx, request.params.id);
      try {
        await updateReview(ctx, review.id, reviewInput(request.body));
        return reply.redirect(reviewsPath(review.productHandle), 303);
      } catch (error) {
        const product = { handle: review.productHandle, form: request.body };
        return showRejectedReview(deps, request, reply, product, error);
      }
    },
  );

  app.post(
    '/account/reviews/:id/delete',
    {
      config: accountPage,
      schema: { hide: true, params: idParams, body: emptyForm, response: htmlResponse },
    },
    async (request, reply) => {
      requireCustomer(request);
      const ctx = pageContext(request, deps);
      const review = await getMyReview(ctx, request.params.id);
      await deleteReview(ctx, review.id);
      return reply.redirect(reviewsPath(review.productHandle), 303);
    },
  );
}

/** Converts the form's rating text; anything but "1" to "5" becomes NaN, which the service rejects. */
function reviewInput(form: ReviewForm): { rating: number; body: string } {
  const rating = /^[1-5]$/.test(form.rating) ? Number(form.rating) : Number.NaN;
  return { rating, body: form.body };
}

function reviewsPath(productHandle: string): string {
  return `${productPath(productHandle)}#${reviewsAnchor}`;
}

/**
 * Shows the product page again with the review form as submitted and the service's problem, for
 * errors the customer can correct there. Every other error goes on to the error page.
 */
async function showRejectedReview(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  submitted: { handle: string; form: ReviewForm },
  error: unknown,
): Promise<FastifyReply> {
  const rejected = formErrorOf(request, error, ['VALIDATION_FAILED', 'ALREADY_EXISTS']);
  if (!rejected) throw error;

  return sendProductPage(deps, request, reply, {
    handle: submitted.handle,
    rejectedReview: {
      values: { rating: submitted.form.rating, body: submitted.form.body },
      error: describeReviewError(rejected.error),
    },
    status: rejected.status,
  });
}

/** Rewords the service's field error ("body is required.") with the form's labels. */
function describeReviewError(error: FormError): FormError {
  if (error.field === 'rating') {
    return { field: 'rating', message: 'Choose a rating from 1 to 5 stars.' };
  }
  if (error.field === 'body') {
    return { field: 'body', message: error.message.replace(/^body /, 'The review ') };
  }
  return error;
}
