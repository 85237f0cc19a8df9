import { Type } from 'typebox';

/**
 * An RFC 9457 problem as the error handler sends it. Some problems carry extension members
 * (`errors`, `fields`, `available`, `retryAfterSeconds`), so further members are allowed.
 */
export const problemSchema = Type.Object(
  {
    type: Type.String({
      description: 'URN naming the problem, e.g. urn:storefort:problem:not-found',
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code, e.g. QUANTITY_OUT_OF_RANGE' }),
    requestId: Type.String({ description: 'Quote it to find the log line' }),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

const descriptions: Record<number, string> = {
  400: 'Invalid request: a malformed value, or a field this endpoint does not accept',
  401: 'No signed-in customer session, or a wrong password or code',
  403: 'A cross-site request',
  404: "Not found, or not the visitor's: the two are answered alike",
  409: 'The request conflicts with the current state (stock, cart or order status)',
  413: 'The body exceeds 64 KiB',
  415: 'The body is neither JSON nor an HTML form',
  429: 'Over a per-address rate limit; see the Retry-After header',
  502: 'The payment provider failed',
};

/**
 * Describes error responses for the API description. The error handler sends problems as
 * ready-made JSON text, so these schemas document the responses without filtering them.
 */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}
