import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { problemResponses } from '../server/problem.schema.js';
import { accountContextOf, accountTags, noContent } from './account-route-kit.js';
import { emailChangeBody, emailChangeResponse, passwordChangeBody } from './account.schema.js';
import { changePassword, requestEmailChange } from './credentials.service.js';
import { customerPasswordHasher } from './hasher.js';
import { requireCustomer, setCustomerCookie } from './session-hook.js';

/**
 * Registers the password and email changes of the account API. Both check the current password
 * (through the app's one password hasher); the work itself is the customer accounts service's.
 */
export function registerCredentialRoutes(app: FastifyInstance, deps: ShopDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const hasher = customerPasswordHasher(deps);

  api.post(
    '/api/store/account/password',
    {
      schema: {
        summary: 'Change the password, given the current one',
        description:
          'Ends every other session of the account and replaces this session cookie with a new ' +
          'one. The account owner gets a notice by e-mail.',
        tags: accountTags,
        body: passwordChangeBody,
        response: { 204: noContent, ...problemResponses(400, 401, 403, 422, 429, 503) },
      },
      config: { personal: true },
    },
    async (request, reply) => {
      const account = requireCustomer(request);
      const { token } = await changePassword(accountContextOf(request, deps), hasher, account, {
        current: request.body.currentPassword,
        next: request.body.newPassword,
      });
      setCustomerCookie(reply, token);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/store/account/email',
    {
      schema: {
        summary: 'Start changing the e-mail address, given the password',
        description:
          'Sends a confirmation link to the new address, and a notice to the current one. The ' +
          'answer is the same whether or not the new address already has an account.',
        tags: accountTags,
        body: emailChangeBody,
        response: { 202: emailChangeResponse, ...problemResponses(400, 401, 403, 429, 503) },
      },
      config: { personal: true },
    },
    async (request, reply) => {
      const account = requireCustomer(request);
      const result = await requestEmailChange(
        accountContextOf(request, deps),
        hasher,
        account.accountId,
        request.body,
      );
      return reply.code(202).send(result);
    },
  );
}
