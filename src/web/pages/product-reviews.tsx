import { maxReviewLength } from '../../customers/account.schema.js';
import type { MyReviewView, PublicReviewView } from '../../customers/reviews.service.js';
import { CsrfField } from '../csrf-field.js';
import { reviewCreatePath, reviewDeletePath, reviewPath } from '../paths.js';
import { ErrorSummary, type FormError, formatInstant } from './account/parts.js';

/** Everything the reviews section of a product page shows. */
export interface ReviewsSection {
  count: number;
  /** Mean rating rounded to one decimal; null while the product has no reviews. */
  averageRating: number | null;
  items: PublicReviewView[];
  nextPageHref: string | null;
  /** Null for a guest, who gets a link to log in instead of a form. */
  viewer: { review: MyReviewView | null } | null;
  /** The review form as submitted, when the server rejected it. */
  rejected?: { values: { rating: string; body: string }; error: FormError };
}

/** Id of the section, which review forms redirect back to. */
export const reviewsAnchor = 'reviews';

/**
 * Renders a product's reviews and, for a signed-in customer, the form to write or change theirs.
 * Review text and reviewer names are customer input. They reach Preact only as text or as the
 * textarea's value, which it escapes, and never as raw HTML.
 */
export function ProductReviews(props: {
  productHandle: string;
  reviews: ReviewsSection;
  csrfToken: string;
}) {
  const { reviews } = props;
  return (
    <section class="reviews" id={reviewsAnchor} aria-labelledby="reviews-title">
      <h2 id="reviews-title">Reviews</h2>
      <ReviewSummary count={reviews.count} averageRating={reviews.averageRating} />
      {reviews.items.length > 0 && (
        <ol class="review-list" aria-label="Reviews of this product">
          {reviews.items.map((review) => (
            <li class="review" key={review.id}>
              <p class="review__meta">
                <strong>{review.reviewerName}</strong>
                {' · '}
                <time dateTime={review.createdAt}>{formatInstant(review.createdAt)}</time>
              </p>
              <Stars rating={review.rating} />
              <p class="review__body">{review.body}</p>
            </li>
          ))}
        </ol>
      )}
      {reviews.nextPageHref !== null && (
        <p>
          <a href={reviews.nextPageHref}>Older reviews</a>
        </p>
      )}
      <ReviewForms
        productHandle={props.productHandle}
        reviews={reviews}
        csrfToken={props.csrfToken}
      />
    </section>
  );
}

function ReviewSummary(props: { count: number; averageRating: number | null }) {
  if (props.count === 0 || props.averageRating === null) {
    return <p class="reviews__summary">No reviews yet.</p>;
  }
  const noun = props.count === 1 ? 'review' : 'reviews';
  return (
    <p class="reviews__summary">
      {`Rated ${props.averageRating} out of 5 on average, from ${props.count} ${noun}.`}
    </p>
  );
}

/** Shows a rating as stars, with the number in words for screen readers. */
function Stars({ rating }: { rating: number }) {
  return (
    <p class="review__rating">
      <span aria-hidden="true">{'★'.repeat(rating) + '☆'.repeat(5 - rating)}</span>
      <span class="visually-hidden">{`${rating} out of 5 stars`}</span>
    </p>
  );
}

function ReviewForms(props: {
  productHandle: string;
  reviews: ReviewsSection;
  csrfToken: string;
}) {
  const { viewer, rejected } = props.reviews;
  if (viewer === null) {
    return (
      <p>
        <a href="/account/login">Log in</a> to write a review.
      </p>
    );
  }

  const own = viewer.review;
  const values = rejected?.values ?? {
    rating: own ? String(own.rating) : '',
    body: own?.body ?? '',
  };
  const action = own ? reviewPath(own.id) : reviewCreatePath(props.productHandle);
  return (
    <div class="review-form">
      <h3>{own ? 'Your review' : 'Write a review'}</h3>
      <ErrorSummary error={rejected?.error} />
      <form method="post" action={action}>
        <CsrfField token={props.csrfToken} />
        <RatingField value={values.rating} error={rejected?.error} />
        <ReviewTextField value={values.body} error={rejected?.error} />
        <button type="submit" class="button">
          {own ? 'Save review' : 'Publish review'}
        </button>
      </form>
      {own && (
        <form method="post" action={reviewDeletePath(own.id)} class="review-form__delete">
          <CsrfField token={props.csrfToken} />
          <button type="submit" class="button button--secondary">
            Delete review
          </button>
        </form>
      )}
    </div>
  );
}

const ratingChoices = [
  { value: '5', label: '5 stars: excellent' },
  { value: '4', label: '4 stars: good' },
  { value: '3', label: '3 stars: fair' },
  { value: '2', label: '2 stars: poor' },
  { value: '1', label: '1 star: bad' },
];

function RatingField(props: { value: string; error: FormError | undefined }) {
  const invalid = props.error?.field === 'rating';
  return (
    <div class="field">
      <label for="review-rating">Rating</label>
      <select
        id="review-rating"
        name="rating"
        required
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={invalid ? 'form-error' : undefined}
      >
        <option value="" selected={props.value === ''}>
          Choose a rating
        </option>
        {ratingChoices.map((choice) => (
          <option key={choice.value} value={choice.value} selected={props.value === choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function ReviewTextField(props: { value: string; error: FormError | undefined }) {
  const invalid = props.error?.field === 'body';
  return (
    <div class="field">
      <label for="review-body">Review</label>
      <textarea
        id="review-body"
        name="body"
        rows={6}
        required
        maxlength={maxReviewLength}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={invalid ? 'form-error' : undefined}
        value={props.value}
      />
    </div>
  );
}
