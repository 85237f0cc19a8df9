import type { ComponentChildren } from 'preact';

import { CsrfField } from '../../csrf-field.js';
import { Layout, type PageChrome } from '../../layout.js';

/** Props of every account page: the layout data and the CSRF token of its POST forms. */
export interface AccountPageBase {
  chrome: PageChrome;
  csrfToken: string;
}

/** A problem with the submitted form, shown above it; `field` marks the input it concerns. */
export interface FormError {
  message: string;
  field?: string | null;
}

/** A one-line confirmation shown after a redirect, e.g. "Your name was saved." */
export type Notice = string | null;

/** Id of the error summary, which invalid inputs point to with aria-describedby. */
const errorSummaryId = 'form-error';

/** Renders the error summary of a rejected form; screen readers announce it as an alert. */
export function ErrorSummary({ error }: { error: FormError | undefined }) {
  if (!error) return null;
  return (
    <div class="error-summary" id={errorSummaryId} role="alert">
      <h2>There is a problem</h2>
      <p>{error.message}</p>
    </div>
  );
}

export function NoticeBanner({ notice }: { notice: Notice }) {
  if (notice === null) return null;
  return (
    <p class="notice notice--success" role="status">
      {notice}
    </p>
  );
}

/** Renders a POST form with its CSRF field. */
export function PostForm(props: {
  action: string;
  csrfToken: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <CsrfField token={props.csrfToken} />
      {props.children}
    </form>
  );
}

export function Field(props: {
  id: string;
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  autocomplete: string;
  maxLength?: number;
  required?: boolean;
  hint?: string;
  inputmode?: 'numeric' | 'text';
  pattern?: string;
  error?: FormError | undefined;
}) {
  const invalid = props.error?.field === props.name;
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const describedBy = [hintId, invalid ? errorSummaryId : undefined].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        maxlength={props.maxLength}
        required={props.required ?? true}
        inputmode={props.inputmode}
        pattern={props.pattern}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy === '' ? undefined : describedBy}
      />
    </div>
  );
}

/** Renders the field in which a customer confirms their current password, named `password`. */
export function CurrentPasswordField({ id, error }: { id: string; error: FormError | undefined }) {
  return (
    <Field
      id={id}
      name="password"
      label="Password"
      type="password"
      autocomplete="current-password"
      error={error}
    />
  );
}

/** Layout of the pages that need no account: log in, register, reset. */
export function AuthLayout(props: {
  chrome: PageChrome;
  title: string;
  scripts?: string[];
  children: ComponentChildren;
}) {
  return (
    <Layout chrome={props.chrome} title={props.title} scripts={props.scripts ?? []}>
      <div class="account-narrow">
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </Layout>
  );
}

export type AccountSection = 'profile' | 'addresses' | 'orders' | 'security';

const sections: { id: AccountSection; href: string; label: string }[] = [
  { id: 'profile', href: '/account', label: 'Profile' },
  { id: 'addresses', href: '/account/addresses', label: 'Addresses' },
  { id: 'orders', href: '/account/orders', label: 'Orders' },
  { id: 'security', href: '/account/security', label: 'Security' },
];

/** Layout of the signed-in account pages: section navigation and the logout button. */
export function AccountLayout(
  props: AccountPageBase & {
    title: string;
    section: AccountSection;
    scripts?: string[];
    children: ComponentChildren;
  },
) {
  return (
    <Layout chrome={props.chrome} title={props.title} scripts={props.scripts ?? []}>
      <div class="account">
        <nav class="account-nav" aria-label="Account">
          <ul>
            {sections.map((section) => (
              <li key={section.id}>
                <a
                  href={section.href}
                  aria-current={section.id === props.section ? 'page' : undefined}
                >
                  {section.label}
                </a>
              </li>
            ))}
          </ul>
          <PostForm action="/account/logout" csrfToken={props.csrfToken}>
            <button type="submit" class="button button--secondary">
              Log out
            </button>
          </PostForm>
        </nav>
        <div class="account-content">
          <h1>{props.title}</h1>
          {props.children}
        </div>
      </div>
    </Layout>
  );
}

/** Formats an ISO instant as a UTC date and time, e.g. "4 Dec 2025, 18:30 UTC". */
export function formatInstant(iso: string): string {
  const formatted = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(iso));
  return `${formatted} UTC`;
}
