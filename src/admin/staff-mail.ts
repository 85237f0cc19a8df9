import type { Kysely } from 'kysely';

import { type SecondFactorChange, secondFactorChangeText } from '../customers/account-mail.js';
import type { Database } from '../db/schema.js';
import { enqueueMail } from '../mail/outbox.js';
import type { Config } from '../server/config.js';

/**
 * Mails a staff member that their second factors changed, so a change made through a stolen
 * session reaches the owner of the mailbox. The text names the kind of change only.
 */
export async function notifyStaffOfFactorChange(
  db: Kysely<Database>,
  config: Pick<Config, 'adminUrl'>,
  staff: { email: string },
  change: SecondFactorChange,
): Promise<void> {
  await enqueueMail(db, {
    to: staff.email,
    kind: 'second_factor_changed',
    subject: 'The sign-in methods of your Storefort admin account changed',
    text: [
      secondFactorChangeText[change],
      'If you did not do this, tell the shop owner at once and review your sign-in methods:',
      new URL('/me/security', config.adminUrl).href,
      '',
    ].join('\n'),
  });
}
