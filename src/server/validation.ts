import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const shared: Options = {
  allErrors: false,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
};

// Bodies are never coerced: "5" is not 5, so a string quantity in JSON is refused.
const bodyAjv = addFormats.default(new Ajv({ ...shared, coerceTypes: false }));

// Query strings and path parameters are text by nature and are coerced to their schema types.
const urlAjv = addFormats.default(new Ajv({ ...shared, coerceTypes: 'array' }));

/** Compiles route schemas; the body instance refuses type coercion and unknown fields stay errors. */
export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : urlAjv;
  return ajv.compile(schema as object);
};
