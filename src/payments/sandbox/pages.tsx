import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

import { formatMoney } from '../../catalog/money.js';
import { type CardField, challengeCode, testCards } from './card.js';
import type { GatewaySession } from './sessions.js';
import { stylesheet } from './stylesheet.js';

export type FieldErrors = Partial<Record<string, string>>;

/** Renders a page component to a complete HTML document. */
export function renderDocument(page: ComponentChildren): string {
  return `<!doctype html>${renderToString(<>{page}</>)}`;
}

function Layout(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Storefort sandbox payments`}</title>
        <link rel="stylesheet" href={stylesheet.url} integrity={stylesheet.integrity} />
      </head>
      <body>
        <main>
          <p class="sandbox">Sandbox: no real money moves</p>
          {props.children}
        </main>
      </body>
    </html>
  );
}

function Summary(props: { session: GatewaySession }) {
  const { session } = props;
  return (
    <>
      <p class="merchant">{session.description}</p>
      <p class="amount">{formatMoney({ amount: session.amount, currency: session.currency })}</p>
    </>
  );
}

/** Lists the fields that have an error; fields whose message is undefined are left out. */
function ErrorSummary(props: { errors: FieldErrors; labels: Record<string, string> }) {
  const entries = Object.entries(props.errors).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  if (entries.length === 0) return null;
  return (
    <div class="summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">Please correct the following</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li key={field}>
            <a href={`#${field}`}>{`${props.labels[field] ?? field}: ${message}`}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface FieldProps {
  id: string;
  label: string;
  error: string | undefined;
  autocomplete: string;
  value?: string;
  inputmode?: string;
  placeholder?: string;
  maxLength: number;
}

function Field(props: FieldProps) {
  const errorId = `${props.id}-error`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type="text"
        required
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        placeholder={props.placeholder}
        maxLength={props.maxLength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error ? (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

const cardLabels: Record<CardField, string> = {
  cardNumber: 'Card number',
  expiry: 'Expiry date',
  cvc: 'Security code',
  name: 'Name on card',
};

/**
 * Renders the card form. After a failed check it shows the errors but refills only the expiry
 * and the name, so card number and CVC are never written back into a page.
 */
export function CardPage(props: {
  session: GatewaySession;
  errors?: FieldErrors;
  values?: { expiry: string; name: string };
}) {
  const { session } = props;
  const errors = props.errors ?? {};
  const amount = formatMoney({ amount: session.amount, currency: session.currency });
  return (
    <Layout title="Pay">
      <h1>Pay</h1>
      <Summary session={session} />
      <form method="post" action={`/pay/${session.id}`}>
        <input type="hidden" name="formToken" value={session.formToken} />
        <ErrorSummary errors={errors} labels={cardLabels} />
        <Field
          id="cardNumber"
          label={cardLabels.cardNumber}
          error={errors.cardNumber}
          autocomplete="cc-number"
          inputmode="numeric"
          maxLength={40}
        />
        <div class="row">
          <Field
            id="expiry"
            label={cardLabels.expiry}
            error={errors.expiry}
            autocomplete="cc-exp"
            placeholder="MM/YY"
            value={props.values?.expiry}
            maxLength={10}
          />
          <Field
            id="cvc"
            label={cardLabels.cvc}
            error={errors.cvc}
            autocomplete="cc-csc"
            inputmode="numeric"
            maxLength={8}
          />
        </div>
        <Field
          id="name"
          label={cardLabels.name}
          error={errors.name}
          autocomplete="cc-name"
          value={props.values?.name}
          maxLength={200}
        />
        <button type="submit">{`Pay ${amount}`}</button>
      </form>
      <a class="cancel" href={session.cancelUrl}>
        Cancel and return to the shop
      </a>
      <TestCardList />
    </Layout>
  );
}

function TestCardList() {
  return (
    <section class="cards" aria-labelledby="test-cards-title">
      <h2 id="test-cards-title">Test cards</h2>
      <ul>
        {testCards.map((card) => (
          <li key={card.number}>
            <code>{card.number.replace(/(\d{4})(?=\d)/g, '$1 ')}</code>
            {`: ${card.label}`}
          </li>
        ))}
      </ul>
      <p>Use any future expiry date, any security code of 3 or 4 digits and any name.</p>
    </section>
  );
}

/** Renders the one-time code step of card 4000 0027 6000 3184, like a bank's 3-D Secure page. */
export function ChallengePage(props: { session: GatewaySession; error?: string }) {
  const { session } = props;
  return (
    <Layout title="Confirm the payment">
      <h1>Confirm the payment</h1>
      <Summary session={session} />
      <p>{`Your bank sent a one-time code. In the sandbox the code is ${challengeCode}.`}</p>
      <form method="post" action={`/pay/${session.id}/challenge`}>
        <input type="hidden" name="formToken" value={session.formToken} />
        <ErrorSummary
          errors={props.error === undefined ? {} : { code: props.error }}
          labels={{ code: 'One-time code' }}
        />
        <Field
          id="code"
          label="One-time code"
          error={props.error}
          autocomplete="one-time-code"
          inputmode="numeric"
          maxLength={10}
        />
        <button type="submit">Confirm</button>
      </form>
      <a class="cancel" href={session.cancelUrl}>
        Cancel and return to the shop
      </a>
    </Layout>
  );
}

/** Shown for a session that is being paid, has been paid, was declined or was cancelled. */
export function OutcomePage(props: { session: GatewaySession }) {
  const { session } = props;
  switch (session.state) {
    case 'cancelled':
      return (
        <Message
          title="Payment cancelled"
          link={{ href: session.cancelUrl, text: 'Return to the shop' }}
        >
          This payment was cancelled by the shop, so it can no longer be made and no money was
          taken. Return to the shop to see your order or check out again.
        </Message>
      );
    case 'declined':
      return (
        <Message
          title="Payment declined"
          link={{ href: session.cancelUrl, text: 'Return to the shop' }}
        >
          The card was declined and no money was taken. You can return to the shop and try again.
        </Message>
      );
    case 'succeeded':
      return (
        <Message
          title="Payment complete"
          link={{ href: session.successUrl, text: 'Continue to the shop' }}
        >
          {session.shopNotified
            ? 'This payment has been made.'
            : 'This payment has been made, but the shop has not confirmed it yet. Your order ' +
              'may show as awaiting payment for a while.'}
        </Message>
      );
    default:
      return (
        <Message title="Payment in progress">
          This payment is being processed. Reload this page in a few seconds.
        </Message>
      );
  }
}

/** Renders a page with a heading, one paragraph and an optional link. */
export function Message(props: {
  title: string;
  children: ComponentChildren;
  link?: { href: string; text: string };
}) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p>{props.children}</p>
      {props.link ? (
        <a class="cancel" href={props.link.href}>
          {props.link.text}
        </a>
      ) : null}
    </Layout>
  );
}
