import type { OutgoingMail } from '../mail/outbox.js';
import type { Config } from '../server/config.js';

/** A change to an account's second factors, which is mailed to the account's owner. */
export type SecondFactorChange =
  | 'totp_added'
  | 'totp_removed'
  | 'passkey_added'
  | 'passkey_removed'
  | 'recovery_codes_regenerated';

/** The sentence of each change in the notice mail. */
export const secondFactorChangeText: Record<SecondFactorChange, string> = {
  totp_added: 'An authenticator app was added as a second factor.',
  totp_removed: 'The authenticator app was removed from your second factors.',
  passkey_added: 'A passkey was added to your account.',
  passkey_removed: 'A passkey was removed from your account.',
  recovery_codes_regenerated: 'New recovery codes were created, and the old ones no longer work.',
};

/**
 * Texts of the account mails. Links point at the storefront pages, which call the services;
 * `/account/confirm` accepts both sign-up and email-change tokens.
 */
export const accountMail = {
  confirmEmail(config: Config, to: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'confirm_email',
      subject: 'Confirm your email address',
      text: lines(
        'Welcome! Confirm your email address to finish creating your account:',
        link(config, '/account/confirm', token),
        'The link works once and expires in 24 hours.',
        'If you did not sign up, ignore this mail; no account is used until it is confirmed.',
      ),
    };
  },

  registerExisting(config: Config, to: string): OutgoingMail {
    return {
      to,
      kind: 'register_existing',
      subject: 'Someone tried to sign up with your email address',
      text: lines(
        'Someone tried to create an account with this address, which already has one.',
        'If it was you, log in instead, or reset your password here:',
        new URL('/account/forgot', config.publicUrl).href,
        'If it was not you, ignore this mail; your account has not changed.',
      ),
    };
  },

  resetPassword(config: Config, to: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'reset_password',
      subject: 'Reset your password',
      text: lines(
        'Choose a new password with this link:',
        link(config, '/account/reset', token),
        'The link works once and expires in 30 minutes. Logging in with your current password',
        'also cancels it. If you did not ask for it, ignore this mail.',
      ),
    };
  },

  passwordChanged(to: string): OutgoingMail {
    return {
      to,
      kind: 'password_changed',
      subject: 'Your password was changed',
      text: lines(
        'The password of your account was just changed, and your other sessions were ended.',
        'If you did not do this, reset your password at once and contact the shop.',
      ),
    };
  },

  changeEmail(config: Config, to: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'change_email',
      subject: 'Confirm your new email address',
      text: lines(
        'Confirm that this address should become the email of your account:',
        link(config, '/account/confirm', token),
        'The link works once and expires in 24 hours. If you did not ask for it, ignore it.',
      ),
    };
  },

  emailChangeNotice(to: string): OutgoingMail {
    return {
      to,
      kind: 'email_change_notice',
      subject: 'A change of your email address was requested',
      text: lines(
        'Someone signed in to your account asked to move it to another email address.',
        'Nothing changes until the new address is confirmed.',
        'If this was not you, change or reset your password, or choose "Log out everywhere":',
        'each of them cancels the change and signs out your other sessions.',
      ),
    };
  },

  emailChanged(to: string): OutgoingMail {
    return {
      to,
      kind: 'email_changed',
      subject: 'Your account moved to another email address',
      text: lines(
        'The email address of your account was changed, and mail now goes to the new address.',
        'If this was not you, contact the shop: this address can no longer reset the password.',
      ),
    };
  },

  emailTakenNotice(to: string): OutgoingMail {
    return {
      to,
      kind: 'email_taken_notice',
      subject: 'Someone tried to use your email address',
      text: lines(
        'Someone tried to move another account to this address, which already has an account.',
        'Nothing changed. If it was you, log in with this address instead.',
      ),
    };
  },

  secondFactorChanged(config: Config, to: string, change: SecondFactorChange): OutgoingMail {
    return {
      to,
      kind: 'second_factor_changed',
      subject: 'The sign-in methods of your account changed',
      text: lines(
        secondFactorChangeText[change],
        'If you did not do this, reset your password at once, then review your sign-in methods:',
        new URL('/account/security', config.publicUrl).href,
      ),
    };
  },
};

function link(config: Config, path: string, token: string): string {
  const url = new URL(path, config.publicUrl);
  url.searchParams.set('token', token);
  return url.href;
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
