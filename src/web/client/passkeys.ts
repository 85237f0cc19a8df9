// Passkey ceremonies for the shop's account pages and the admin. WebAuthn exists only in
// JavaScript, so this is the one feature that needs a script; every passkey control is rendered
// `hidden` and shown here only when the browser supports WebAuthn.
//
// A control is any element with these data attributes, so each app picks its own URLs:
//   data-passkey="register" | "login"
//   data-options-url  receives POST {} (JSON) and returns the WebAuthn options JSON
//   data-verify-url   receives POST { response, name? } (JSON) and returns { redirect }
// A <form> control runs on submit and sends its `name` field (the passkey's label) when it has
// one; any other element runs on click. Messages go to the control's [data-passkey-status]
// element, written with textContent only.

import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';

type Ceremony = 'register' | 'login';

/** A problem+json error body, of which only the human-readable detail is shown. */
interface Problem {
  detail?: unknown;
}

class PasskeyFailure extends Error {}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (payload as Problem | null)?.detail;
    throw new PasskeyFailure(
      typeof detail === 'string' ? detail : `The server answered with status ${response.status}.`,
    );
  }
  return payload;
}

/** Accepts only a redirect to this origin, so a tampered response cannot send the user elsewhere. */
function sameOriginTarget(value: unknown): string {
  if (typeof value !== 'string') throw new PasskeyFailure('The server sent no page to go to.');
  const target = new URL(value, window.location.href);
  if (target.origin !== window.location.origin) {
    throw new PasskeyFailure('The server sent a page on another site; it was not opened.');
  }
  return target.href;
}

async function runCeremony(control: HTMLElement, ceremony: Ceremony): Promise<string> {
  const optionsUrl = control.dataset.optionsUrl;
  const verifyUrl = control.dataset.verifyUrl;
  if (!optionsUrl || !verifyUrl)
    throw new PasskeyFailure('This passkey button has no data-options-url or data-verify-url.');

  // The options come from our own server, which builds them with @simplewebauthn/server.
  const options = await postJson(optionsUrl, {});
  const response =
    ceremony === 'register'
      ? await startRegistration({
          optionsJSON: options as PublicKeyCredentialCreationOptionsJSON,
        })
      : await startAuthentication({
          optionsJSON: options as PublicKeyCredentialRequestOptionsJSON,
        });

  const name = control instanceof HTMLFormElement ? nameFieldOf(control) : undefined;
  const body = name === undefined ? { response } : { response, name };
  const result = (await postJson(verifyUrl, body)) as { redirect?: unknown } | null;
  return sameOriginTarget(result?.redirect);
}

function nameFieldOf(form: HTMLFormElement): string | undefined {
  const field = form.elements.namedItem('name');
  return field instanceof HTMLInputElement ? field.value.trim() : undefined;
}

/** Words for the failures a user can act on; anything else gets a generic sentence. */
function messageFor(error: unknown): string {
  if (error instanceof PasskeyFailure) return error.message;
  if (
    error instanceof WebAuthnError &&
    error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'
  ) {
    return 'This passkey is already registered.';
  }
  if (error instanceof Error && error.name === 'NotAllowedError') {
    return 'The passkey prompt was closed or timed out. Try again.';
  }
  return 'The passkey could not be used. Try again, or use another way to sign in.';
}

function statusOf(control: HTMLElement): HTMLElement | null {
  return control.querySelector<HTMLElement>('[data-passkey-status]');
}

async function start(control: HTMLElement, ceremony: Ceremony): Promise<void> {
  if (control.getAttribute('aria-busy') === 'true') return;
  const status = statusOf(control);
  control.setAttribute('aria-busy', 'true');
  if (status) status.textContent = 'Waiting for your passkey…';

  try {
    window.location.assign(await runCeremony(control, ceremony));
  } catch (error) {
    if (status) status.textContent = messageFor(error);
    control.removeAttribute('aria-busy');
  }
}

function ceremonyOf(control: HTMLElement): Ceremony | null {
  const value = control.dataset.passkey;
  return value === 'register' || value === 'login' ? value : null;
}

function enhance(control: HTMLElement): void {
  const ceremony = ceremonyOf(control);
  if (ceremony === null) return;

  control.hidden = false;
  if (control instanceof HTMLFormElement) {
    control.addEventListener('submit', (event) => {
      event.preventDefault();
      void start(control, ceremony);
    });
  } else {
    control.addEventListener('click', (event) => {
      if (!(event.target instanceof Element) || !event.target.closest('button')) return;
      void start(control, ceremony);
    });
  }
}

if (browserSupportsWebAuthn()) {
  document.querySelectorAll<HTMLElement>('[data-passkey]').forEach(enhance);
}
