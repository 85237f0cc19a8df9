import { createHash } from 'node:crypto';

import { sriHash } from '../../integrity/assets.js';

const css = `
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1d2330; background: #eef1f6; }
main { max-width: 30rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
  border-radius: 0.5rem; box-shadow: 0 1px 4px rgb(0 0 0 / 12%); }
h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
.sandbox { display: inline-block; margin-bottom: 1rem; padding: 0.1rem 0.5rem; font-size: 0.8rem;
  font-weight: 600; color: #6b3d00; background: #ffe8c2; border-radius: 0.25rem; }
.merchant { color: #4a5265; margin: 0; }
.amount { font-size: 1.8rem; font-weight: 700; margin: 0.5rem 0 1.25rem; }
.field { margin-bottom: 1rem; }
.row { display: flex; gap: 1rem; }
.row .field { flex: 1; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { width: 100%; padding: 0.6rem; font: inherit; border: 1px solid #8a93a6;
  border-radius: 0.3rem; }
input:focus { outline: 3px solid #3b6fe0; outline-offset: 1px; }
input[aria-invalid="true"] { border-color: #b3261e; }
.error { color: #b3261e; margin: 0.25rem 0 0; font-size: 0.9rem; }
.summary { border: 2px solid #b3261e; border-radius: 0.3rem; padding: 0.75rem; margin-bottom: 1rem; }
.summary h2 { font-size: 1rem; margin: 0 0 0.5rem; }
.summary a { color: #b3261e; }
button { width: 100%; padding: 0.75rem; font: inherit; font-weight: 700; color: #fff;
  background: #2450b8; border: 0; border-radius: 0.3rem; cursor: pointer; }
button:focus { outline: 3px solid #1d2330; outline-offset: 2px; }
.cancel { display: block; margin-top: 1rem; text-align: center; color: #2450b8; }
.cards { margin-top: 1.5rem; font-size: 0.9rem; color: #4a5265; }
.cards code { font-size: 0.95em; }
`;

/**
 * The hosted page's only stylesheet. The page links it with a sha384 integrity value computed
 * at start, and its URL carries a content hash so a changed sheet never meets a stale cache.
 */
export const stylesheet = {
  body: css,
  integrity: sriHash(css),
  url: `/static/pay.${createHash('sha256').update(css).digest('hex').slice(0, 12)}.css`,
};
