import { CsrfField } from '../../web/csrf-field.js';
import { type AdminChrome, AdminLayout, Notice } from './layout.js';

/** Status line of a passkey control, which passkeys.js fills and screen readers announce. */
function PasskeyStatus() {
  return <p data-passkey-status aria-live="polite" />;
}

export function LoginPage({
  chrome,
  error,
  email = '',
}: {
  chrome: AdminChrome;
  error?: string;
  email?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title="Log in">
      <h1>Log in to the admin</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action="/login">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={email}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <button type="submit" class="button">
          Log in
        </button>
      </form>
      <p class="hint">
        A second factor (authenticator app or passkey) is required after the password.
      </p>
    </AdminLayout>
  );
}

export interface TotpEnrolment {
  secret: string;
  qrSvg: string;
}

/**
 * Renders the enrolment page that every staff member is sent to until a second factor exists.
 * It offers an authenticator app (QR code, the secret to type in instead, and a code to confirm)
 * or a passkey.
 */
export function EnrolPage({
  chrome,
  totp,
  passkeys,
  error,
}: {
  chrome: AdminChrome;
  /** New secret to show, or null when repeating the form after a wrong code. */
  totp: TotpEnrolment | null;
  /** Whether the passkeys bundle is built, so the passkey form can be offered. */
  passkeys: boolean;
  error?: string;
}) {
  return (
    <AdminLayout
      chrome={chrome}
      title="Set up a second factor"
      scripts={passkeys ? ['passkeys.js'] : []}
    >
      <h1>Set up a second factor</h1>
      <p class="lead">
        Admin access needs a second factor. Nothing else in the admin opens until one is set up.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      <h2>Authenticator app</h2>
      {totp ? (
        <>
          <p>Scan the QR code with an authenticator app, or type the secret into it.</p>
          <div class="qr-code" role="img" aria-label="QR code of the authenticator secret">
            {/* The qrcode package draws this SVG from the otpauth URI; no user input reaches it. */}
            <div dangerouslySetInnerHTML={{ __html: totp.qrSvg }} />
          </div>
          <p>
            Secret: <code>{totp.secret}</code>
          </p>
        </>
      ) : (
        <p>
          Enter a code from the app you set up with the QR code shown before, or reload this page to
          start again with a new secret.
        </p>
      )}
      <form method="post" action="/mfa/enrol/totp">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="code">Code from the app</label>
          <input
            id="code"
            name="code"
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
          />
        </div>
        <button type="submit" class="button">
          Confirm the app
        </button>
      </form>
      {passkeys && (
        <>
          <h2>Passkey</h2>
          <form
            hidden
            data-passkey="register"
            data-options-url="/mfa/enrol/passkey/options"
            data-verify-url="/mfa/enrol/passkey/verify"
          >
            <div class="field">
              <label for="passkey-name">Name of this passkey</label>
              <input id="passkey-name" name="name" maxlength={100} value="Admin passkey" />
            </div>
            <button type="submit" class="button">
              Add a passkey
            </button>
            <PasskeyStatus />
          </form>
        </>
      )}
    </AdminLayout>
  );
}

/** Shows new recovery codes once, right after the authenticator app was confirmed. */
export function RecoveryCodesPage({ chrome, codes }: { chrome: AdminChrome; codes: string[] }) {
  return (
    <AdminLayout chrome={chrome} title="Recovery codes">
      <h1>Save your recovery codes</h1>
      <Notice kind="warning">
        Each code works once if you lose your authenticator. They are shown only now.
      </Notice>
      <ul class="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href="/">
          Continue to the admin
        </a>
      </p>
    </AdminLayout>
  );
}

/** Renders the second login step for staff who have a second factor. */
export function MfaPage({
  chrome,
  passkeys,
  error,
}: {
  chrome: AdminChrome;
  /** Whether to offer a passkey: the bundle exists and the staff member has one. */
  passkeys: boolean;
  error?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title="Second factor" scripts={passkeys ? ['passkeys.js'] : []}>
      <h1>Confirm it is you</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action="/mfa/totp">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="code">Code from your authenticator app</label>
          <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required />
        </div>
        <button type="submit" class="button">
          Verify
        </button>
      </form>
      {passkeys && (
        <div
          hidden
          data-passkey="login"
          data-options-url="/mfa/passkey/options"
          data-verify-url="/mfa/passkey/verify"
        >
          <button type="button" class="button">
            Use a passkey
          </button>
          <PasskeyStatus />
        </div>
      )}
      <h2>Lost your authenticator?</h2>
      <form method="post" action="/mfa/recovery">
        <CsrfField token={chrome.csrfToken} />
        <div class="field">
          <label for="recovery-code">Recovery code</label>
          <input id="recovery-code" name="code" autocomplete="off" required />
        </div>
        <button type="submit" class="button--secondary">
          Use a recovery code
        </button>
      </form>
    </AdminLayout>
  );
}

/** Asks for the password or a TOTP code again before a sensitive action. */
export function ReauthPage({
  chrome,
  next,
  totp,
  error,
}: {
  chrome: AdminChrome;
  next: string;
  /** Whether the staff member has an authenticator app to offer as the alternative. */
  totp: boolean;
  error?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title="Confirm your identity">
      <h1>Confirm your identity</h1>
      <p class="lead">
        This action is sensitive. Confirm your password or a code to continue; it stays confirmed
        for 5 minutes.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" action="/reauth">
        <CsrfField token={chrome.csrfToken} />
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" />
        </div>
        {totp && (
          <div class="field">
            <label for="code">Or a code from your authenticator app</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" />
          </div>
        )}
        <button type="submit" class="button">
          Confirm
        </button>
      </form>
    </AdminLayout>
  );
}

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Renders the staff member's own second factors. */
export function SecurityPage({
  chrome,
  status,
  passkeys,
  canAddPasskey,
}: {
  chrome: AdminChrome;
  status: { totp: boolean; recoveryCodesLeft: number };
  passkeys: PasskeyView[];
  canAddPasskey: boolean;
}) {
  return (
    <AdminLayout chrome={chrome} title="My security" scripts={canAddPasskey ? ['passkeys.js'] : []}>
      <h1>My security</h1>
      <ul>
        <li>{`Authenticator app: ${status.totp ? 'set up' : 'not set up'}`}</li>
        <li>{`Recovery codes left: ${status.recoveryCodesLeft}`}</li>
      </ul>
      <h2>Passkeys</h2>
      {passkeys.length === 0 ? (
        <p>No passkeys yet.</p>
      ) : (
        <table class="order-lines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {passkeys.map((passkey) => (
              <tr key={passkey.id}>
                <th scope="row">{passkey.name}</th>
                <td>{passkey.createdAt}</td>
                <td>{passkey.lastUsedAt ?? 'never'}</td>
                <td>
                  <a href={`/me/passkeys/remove?id=${encodeURIComponent(passkey.id)}`}>
                    {`Remove ${passkey.name}`}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canAddPasskey && (
        <form
          hidden
          data-passkey="register"
          data-options-url="/me/passkeys/options"
          data-verify-url="/me/passkeys/verify"
        >
          <div class="field">
            <label for="passkey-name">Name of the new passkey</label>
            <input id="passkey-name" name="name" maxlength={100} value="Admin passkey" />
          </div>
          <button type="submit" class="button">
            Add a passkey
          </button>
          <PasskeyStatus />
        </form>
      )}
    </AdminLayout>
  );
}

/** Asks to confirm the removal of one passkey. The form posts to the sensitive remove route. */
export function RemovePasskeyPage({
  chrome,
  passkey,
  error,
}: {
  chrome: AdminChrome;
  passkey: PasskeyView;
  error?: string;
}) {
  return (
    <AdminLayout chrome={chrome} title="Remove a passkey">
      <h1>{`Remove the passkey ${passkey.name}`}</h1>
      {error && <Notice kind="error">{error}</Notice>}
      <p>{`Added ${passkey.createdAt}, last used ${passkey.lastUsedAt ?? 'never'}.`}</p>
      <form method="post" action="/me/passkeys/remove">
        <CsrfField token={chrome.csrfToken} />
        <input type="hidden" name="id" value={passkey.id} />
        <button type="submit" class="button">
          Remove passkey
        </button>
      </form>
      <p>
        <a href="/me/security">Back to my security</a>
      </p>
    </AdminLayout>
  );
}
