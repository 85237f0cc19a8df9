import { checkoutLimits } from '../../../checkout/checkout-input.js';
import type { PageChrome } from '../../layout.js';
import {
  type AccountPageBase,
  AuthLayout,
  CurrentPasswordField,
  ErrorSummary,
  Field,
  type FormError,
  type Notice,
  NoticeBanner,
  PostForm,
} from './parts.js';

/** Store API routes of the passkey login, used by the passkeys client script. */
export const passkeyLoginUrls = {
  options: '/api/store/auth/mfa/passkeys/login/options',
  verify: '/api/store/auth/mfa/passkeys/login/verify',
};

const passwordHint = 'At least 8 characters. A long phrase is easy to remember and hard to guess.';

export function RegisterPage(
  props: AccountPageBase & { values: { name?: string; email?: string }; error?: FormError },
) {
  const { values, error } = props;
  return (
    <AuthLayout chrome={props.chrome} title="Create an account">
      <ErrorSummary error={error} />
      <PostForm action="/account/register" csrfToken={props.csrfToken}>
        <Field
          id="register-name"
          name="name"
          label="Name"
          value={values.name}
          autocomplete="name"
          maxLength={checkoutLimits.name}
          error={error}
        />
        <Field
          id="register-email"
          name="email"
          label="Email"
          type="email"
          value={values.email}
          autocomplete="email"
          maxLength={checkoutLimits.email}
          error={error}
        />
        <Field
          id="register-password"
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          hint={passwordHint}
          error={error}
        />
        <button type="submit" class="button">
          Create account
        </button>
      </PostForm>
      <p>
        Already have an account? <a href="/account/login">Log in</a>
      </p>
    </AuthLayout>
  );
}

export function LoginPage(
  props: AccountPageBase & { email?: string; error?: FormError; notice: Notice },
) {
  return (
    <AuthLayout chrome={props.chrome} title="Log in" scripts={['passkeys.js']}>
      <NoticeBanner notice={props.notice} />
      <ErrorSummary error={props.error} />
      <PostForm action="/account/login" csrfToken={props.csrfToken}>
        <Field
          id="login-email"
          name="email"
          label="Email"
          type="email"
          value={props.email}
          autocomplete="username"
          maxLength={checkoutLimits.email}
          error={props.error}
        />
        <CurrentPasswordField id="login-password" error={props.error} />
        <button type="submit" class="button">
          Log in
        </button>
      </PostForm>
      <PasskeyLogin label="Log in with a passkey" />
      <p class="link-row">
        <a href="/account/forgot">Forgot your password?</a>
        <a href="/account/register">Create an account</a>
      </p>
    </AuthLayout>
  );
}

/** Renders the passkey button, hidden until passkeys.js finds WebAuthn in the browser. */
function PasskeyLogin({ label }: { label: string }) {
  return (
    <div
      class="passkey-control"
      hidden
      data-passkey="login"
      data-options-url={passkeyLoginUrls.options}
      data-verify-url={passkeyLoginUrls.verify}
    >
      <button type="button" class="button button--secondary">
        {label}
      </button>
      <p class="hint" data-passkey-status role="status" aria-live="polite"></p>
    </div>
  );
}

export function MfaPage(props: AccountPageBase & { error?: FormError }) {
  return (
    <AuthLayout chrome={props.chrome} title="Confirm it is you" scripts={['passkeys.js']}>
      <p>Your account is protected with a second factor. Use one of these to finish logging in.</p>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/mfa" csrfToken={props.csrfToken}>
        <Field
          id="mfa-code"
          name="code"
          label="Code from your authenticator app"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxLength={64}
          hint="6 digits, as the app shows them now."
          error={props.error}
        />
        <button type="submit" class="button">
          Continue
        </button>
      </PostForm>
      <PasskeyLogin label="Use a passkey" />
      <h2>Lost your authenticator?</h2>
      <PostForm action="/account/mfa" csrfToken={props.csrfToken}>
        <Field
          id="mfa-recovery-code"
          name="recoveryCode"
          label="Recovery code"
          autocomplete="off"
          maxLength={64}
          hint="One of the codes you saved when you set up the app. Each code works once."
          error={props.error}
        />
        <button type="submit" class="button button--secondary">
          Use recovery code
        </button>
      </PostForm>
      <PostForm action="/account/logout" csrfToken={props.csrfToken}>
        <button type="submit" class="button--link">
          Cancel and log out
        </button>
      </PostForm>
    </AuthLayout>
  );
}

export function ForgotPage(props: AccountPageBase & { email?: string; error?: FormError }) {
  return (
    <AuthLayout chrome={props.chrome} title="Reset your password">
      <p>Enter the email of your account and we will send you a link to choose a new password.</p>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/forgot" csrfToken={props.csrfToken}>
        <Field
          id="forgot-email"
          name="email"
          label="Email"
          type="email"
          value={props.email}
          autocomplete="email"
          maxLength={checkoutLimits.email}
          error={props.error}
        />
        <button type="submit" class="button">
          Send reset link
        </button>
      </PostForm>
      <p>
        <a href="/account/login">Back to log in</a>
      </p>
    </AuthLayout>
  );
}

export function ResetPage(props: AccountPageBase & { token: string; error?: FormError }) {
  return (
    <AuthLayout chrome={props.chrome} title="Choose a new password">
      <ErrorSummary error={props.error} />
      <PostForm action="/account/reset" csrfToken={props.csrfToken}>
        <input type="hidden" name="token" value={props.token} />
        <Field
          id="reset-password"
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint={passwordHint}
          error={props.error}
        />
        <button type="submit" class="button">
          Save password
        </button>
      </PostForm>
    </AuthLayout>
  );
}

/**
 * Renders the page an emailed confirmation link opens. Confirming takes a button press (a POST), so a
 * mail scanner that fetches every link cannot use the link up before its owner does.
 */
export function ConfirmPage(props: AccountPageBase & { token: string; error?: FormError }) {
  return (
    <AuthLayout chrome={props.chrome} title="Confirm your email address">
      <ErrorSummary error={props.error} />
      <PostForm action="/account/confirm" csrfToken={props.csrfToken}>
        <input type="hidden" name="token" value={props.token} />
        <button type="submit" class="button">
          Confirm email address
        </button>
      </PostForm>
    </AuthLayout>
  );
}

/** Renders a page without a form, such as "check your email" or an invalid link. */
export function MessagePage(props: { chrome: PageChrome; title: string; lines: string[] }) {
  return (
    <AuthLayout chrome={props.chrome} title={props.title}>
      {props.lines.map((line, index) => (
        <p key={index}>{line}</p>
      ))}
      <p>
        <a href="/account/login">Go to log in</a>
      </p>
    </AuthLayout>
  );
}
