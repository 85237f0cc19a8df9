import type { SessionView } from '../../../customers/account-sessions.service.js';
import { checkoutLimits } from '../../../checkout/checkout-input.js';
import {
  AccountLayout,
  type AccountPageBase,
  CurrentPasswordField,
  ErrorSummary,
  Field,
  type FormError,
  formatInstant,
  type Notice,
  NoticeBanner,
  PostForm,
} from './parts.js';

/** Store API routes of passkey registration, used by the passkeys client script. */
export const passkeyRegisterUrls = {
  options: '/api/store/auth/mfa/passkeys/register/options',
  verify: '/api/store/auth/mfa/passkeys/register/verify',
};

/** The security forms, so an error is shown next to the form it belongs to. */
export type SecurityForm = 'password' | 'email' | 'reauth' | 'mfa';

export interface SecurityPageProps extends AccountPageBase {
  sessions: SessionView[];
  mfa: { totp: boolean; passkeys: number; recoveryCodesLeft: number };
  passkeys: { id: string; name: string }[];
  notice: Notice;
  /** The rejected form and its problem, when a form came back. */
  error?: { form: SecurityForm; error: FormError };
  /** Set when an action needs a fresh password or code; shows the confirmation form first. */
  needsReauth?: boolean;
}

export function SecurityPage(props: SecurityPageProps) {
  const errorOf = (form: SecurityForm) =>
    props.error?.form === form ? props.error.error : undefined;
  return (
    <AccountLayout {...props} title="Security" section="security" scripts={['passkeys.js']}>
      <NoticeBanner notice={props.notice} />
      {(props.needsReauth || errorOf('reauth')) && (
        <ReauthSection csrfToken={props.csrfToken} error={errorOf('reauth')} mfa={props.mfa} />
      )}
      <SecondFactorSection {...props} formError={errorOf('mfa')} />
      <PasskeySection {...props} />
      <SessionsSection sessions={props.sessions} csrfToken={props.csrfToken} />
      <PasswordSection csrfToken={props.csrfToken} error={errorOf('password')} />
      <EmailSection csrfToken={props.csrfToken} error={errorOf('email')} />
    </AccountLayout>
  );
}

function ReauthSection(props: {
  csrfToken: string;
  error: FormError | undefined;
  mfa: SecurityPageProps['mfa'];
}) {
  return (
    <section class="account-section" aria-labelledby="reauth-heading">
      <h2 id="reauth-heading">Confirm it is you</h2>
      <p>
        Adding or removing a second factor or a passkey, or making new recovery codes, needs your
        password, or a code from your authenticator app, entered in the last 5 minutes.
      </p>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/security/reauthenticate" csrfToken={props.csrfToken}>
        <CurrentPasswordField id="reauth-password" error={props.error} />
        <button type="submit" class="button">
          Confirm
        </button>
      </PostForm>
      {props.mfa.totp && (
        <PostForm action="/account/security/reauthenticate" csrfToken={props.csrfToken}>
          <Field
            id="reauth-code"
            name="code"
            label="Or a code from your authenticator app"
            autocomplete="one-time-code"
            inputmode="numeric"
            maxLength={64}
            error={props.error}
          />
          <button type="submit" class="button button--secondary">
            Confirm with code
          </button>
        </PostForm>
      )}
    </section>
  );
}

function SecondFactorSection(props: SecurityPageProps & { formError: FormError | undefined }) {
  const { mfa } = props;
  return (
    <section class="account-section" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app</h2>
      <ErrorSummary error={props.formError} />
      {mfa.totp ? (
        <>
          <p>
            {`Your account asks for a code from your authenticator app when you log in. You have ${mfa.recoveryCodesLeft} unused recovery codes.`}
          </p>
          <div class="link-row">
            <PostForm action="/account/security/recovery-codes" csrfToken={props.csrfToken}>
              <button type="submit" class="button button--secondary">
                Make new recovery codes
              </button>
            </PostForm>
            <PostForm action="/account/security/totp/remove" csrfToken={props.csrfToken}>
              <button type="submit" class="button button--secondary">
                Remove authenticator app
              </button>
            </PostForm>
          </div>
        </>
      ) : (
        <>
          <p>
            Protect your account with a second step at login: a 6-digit code from an app such as a
            password manager or authenticator on your phone.
          </p>
          <PostForm action="/account/security/totp/start" csrfToken={props.csrfToken}>
            <button type="submit" class="button">
              Set up an authenticator app
            </button>
          </PostForm>
        </>
      )}
    </section>
  );
}

function PasskeySection(props: SecurityPageProps) {
  return (
    <section class="account-section" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p>
        A passkey lets you log in with your device's screen lock or a security key, without a
        password. Adding one needs JavaScript.
      </p>
      {props.passkeys.length === 0 ? (
        <p>You have no passkeys.</p>
      ) : (
        <ul class="account-list" aria-label="Your passkeys">
          {props.passkeys.map((passkey) => (
            <li key={passkey.id}>
              <span>{passkey.name}</span>
              <PostForm action="/account/security/passkeys/remove" csrfToken={props.csrfToken}>
                <input type="hidden" name="id" value={passkey.id} />
                <button type="submit" class="button--link">
                  Remove<span class="visually-hidden">{` passkey ${passkey.name}`}</span>
                </button>
              </PostForm>
            </li>
          ))}
        </ul>
      )}
      <form
        class="passkey-control"
        hidden
        data-passkey="register"
        data-options-url={passkeyRegisterUrls.options}
        data-verify-url={passkeyRegisterUrls.verify}
      >
        <Field
          id="passkey-name"
          name="name"
          label="Name of the new passkey"
          autocomplete="off"
          maxLength={64}
          hint="For example the device it is on."
        />
        <button type="submit" class="button button--secondary">
          Add a passkey
        </button>
        <p class="hint" data-passkey-status role="status" aria-live="polite"></p>
      </form>
    </section>
  );
}

function SessionsSection(props: { sessions: SessionView[]; csrfToken: string }) {
  return (
    <section class="account-section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are logged in</h2>
      <ul class="account-list" aria-label="Sessions">
        {props.sessions.map((session) => (
          <li key={session.id}>
            <span>
              <strong>
                {session.current ? 'This browser' : session.userAgent || 'Unknown browser'}
              </strong>
              <br />
              <span class="hint">
                {`Logged in ${formatInstant(session.createdAt)} from ${session.ip}; last seen ${formatInstant(session.lastSeenAt)}`}
              </span>
            </span>
            {!session.current && (
              <PostForm action="/account/security/sessions/end" csrfToken={props.csrfToken}>
                <input type="hidden" name="id" value={session.id} />
                <button type="submit" class="button--link">
                  Log out
                  <span class="visually-hidden">{` the session started ${formatInstant(session.createdAt)}`}</span>
                </button>
              </PostForm>
            )}
          </li>
        ))}
      </ul>
      <PostForm action="/account/security/logout-everywhere" csrfToken={props.csrfToken}>
        <button type="submit" class="button button--secondary">
          Log out everywhere
        </button>
      </PostForm>
    </section>
  );
}

function PasswordSection(props: { csrfToken: string; error: FormError | undefined }) {
  return (
    <section class="account-section" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/security/password" csrfToken={props.csrfToken}>
        <Field
          id="password-current"
          name="currentPassword"
          label="Current password"
          type="password"
          autocomplete="current-password"
          error={props.error}
        />
        <Field
          id="password-new"
          name="newPassword"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 8 characters. Your other sessions end when you change it."
          error={props.error}
        />
        <button type="submit" class="button">
          Change password
        </button>
      </PostForm>
    </section>
  );
}

function EmailSection(props: { csrfToken: string; error: FormError | undefined }) {
  return (
    <section class="account-section" aria-labelledby="email-heading">
      <h2 id="email-heading">Change email address</h2>
      <ErrorSummary error={props.error} />
      <PostForm action="/account/security/email" csrfToken={props.csrfToken}>
        <Field
          id="email-new"
          name="newEmail"
          label="New email address"
          type="email"
          autocomplete="email"
          maxLength={checkoutLimits.email}
          error={props.error}
        />
        <CurrentPasswordField id="email-password" error={props.error} />
        <button type="submit" class="button">
          Send confirmation link
        </button>
      </PostForm>
    </section>
  );
}

/**
 * Renders the enrolment page: the QR code and the secret for typing in, then the first code. The
 * secret appears only in this response, because the server keeps it sealed.
 */
export function TotpEnrolPage(
  props: AccountPageBase & {
    enrolment: { secret: string; qrSvg: string } | null;
    error?: FormError;
  },
) {
  return (
    <AccountLayout {...props} title="Set up an authenticator app" section="security">
      {props.enrolment ? (
        <>
          <p>Scan this QR code with your authenticator app, or type the key below into it.</p>
          <figure class="qr-code">
            <div
              role="img"
              aria-label="QR code of the authenticator key"
              dangerouslySetInnerHTML={{ __html: props.enrolment.qrSvg }}
            />
            <figcaption>
              Key: <code class="secret">{props.enrolment.secret}</code>
            </figcaption>
          </figure>
        </>
      ) : (
        <p>
          Enter the code your authenticator app shows for the entry you just added. If it keeps
          failing, <a href="/account/security">start the set-up again</a>.
        </p>
      )}
      <ErrorSummary error={props.error} />
      <PostForm action="/account/security/totp/confirm" csrfToken={props.csrfToken}>
        <Field
          id="totp-code"
          name="code"
          label="Code from the app"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxLength={64}
          hint="6 digits. This proves the app is set up before your account relies on it."
          error={props.error}
        />
        <button type="submit" class="button">
          Turn on
        </button>
      </PostForm>
    </AccountLayout>
  );
}

/** Renders the recovery codes, shown in this one response because only their hashes are stored. */
export function RecoveryCodesPage(props: AccountPageBase & { codes: string[] }) {
  return (
    <AccountLayout {...props} title="Your recovery codes" section="security">
      <p class="notice notice--warning" role="status">
        Save these codes somewhere safe now: they are shown only this once. Each one lets you log in
        once if you lose your authenticator app.
      </p>
      <ol class="recovery-codes">
        {props.codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <p>
        <a class="button" href="/account/security">
          I have saved them
        </a>
      </p>
    </AccountLayout>
  );
}
