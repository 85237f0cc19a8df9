import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toFtsQuery } from './search.js';

describe('toFtsQuery', () => {
  it('quotes each word as a prefix term', () => {
    assert.equal(toFtsQuery('red shoe'), '"red"* "shoe"*');
  });

  it('returns undefined for an empty query', () => {
    assert.equal(toFtsQuery(''), undefined);
    assert.equal(toFtsQuery('   '), undefined);
  });

  it('returns undefined when no letters or digits remain', () => {
    assert.equal(toFtsQuery('"*()^:-'), undefined);
    assert.equal(toFtsQuery('❄️ 🎬'), undefined);
  });

  const syntax: [string, string][] = [
    ['title:shirt', '"title"* "shirt"*'],
    ['shirt OR 1=1', '"shirt"* "OR"* "1"* "1"*'],
    ['NEAR(a b)', '"NEAR"* "a"* "b"*'],
    ['"unbalanced', '"unbalanced"*'],
    ["'; DROP TABLE products; --", '"DROP"* "TABLE"* "products"*'],
    ['{title body}: x', '"title"* "body"* "x"*'],
    ['-excluded ^start', '"excluded"* "start"*'],
    ['<script>alert(1)</script>', '"script"* "alert"* "1"* "script"*'],
  ];
  for (const [input, expected] of syntax) {
    it(`keeps FTS syntax out of ${JSON.stringify(input)}`, () => {
      assert.equal(toFtsQuery(input), expected);
    });
  }

  it('keeps letters of any script and their accents', () => {
    assert.equal(toFtsQuery('Projetor cinéma Färg'), '"Projetor"* "cinéma"* "Färg"*');
  });

  it('uses at most 16 words', () => {
    const query = toFtsQuery('word '.repeat(40));

    assert.equal(query?.split(' ').length, 16);
  });
});
