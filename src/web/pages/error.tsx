import type { Problem } from '../../server/errors.js';
import { Layout, type PageChrome } from '../layout.js';

export interface ErrorPageProps {
  chrome: PageChrome;
  problem: Problem;
}

/** Returns a next step for the status, so a shopper who hits an error can continue. */
function nextStep(status: number) {
  if (status === 404) return <a href="/">Go to the home page</a>;
  if (status === 409) return <a href="/cart">Review your cart</a>;
  if (status >= 500) return <span>Please try again in a moment.</span>;
  if (status === 401) return <a href="/account/login">Log in</a>;
  if (status === 403 || status === 429) return <a href="/">Go to the home page</a>;
  return <span>Go back, correct the form and try again.</span>;
}

/**
 * The HTML version of a problem+json response. Title and detail come from the error catalogue
 * and the handler's message; Preact escapes both like any other text.
 */
export function ErrorPage({ chrome, problem }: ErrorPageProps) {
  return (
    <Layout chrome={chrome} title={problem.title}>
      <div class="error-page">
        <p class="error-page__status">Error {problem.status}</p>
        <h1>{problem.title}</h1>
        <p class="lead">{problem.detail}</p>
        <p>{nextStep(problem.status)}</p>
        <p class="hint">
          If you contact us about this, quote the request id <code>{problem.requestId}</code>.
        </p>
      </div>
    </Layout>
  );
}
