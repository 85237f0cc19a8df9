import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { htmlToText, sanitizeBodyHtml } from './html.js';

describe('sanitizeBodyHtml', () => {
  const removed: [string, string, RegExp][] = [
    ['script elements with their content', '<p>Hi</p><script>alert(1)</script>', /script|alert/i],
    [
      'iframes',
      '<iframe src="https://www.youtube.com/embed/x"></iframe><p>Hi</p>',
      /iframe|youtube/i,
    ],
    ['style elements', '<style>body{display:none}</style><p>Hi</p>', /style|display/i],
    [
      'meta refreshes',
      '<meta http-equiv="refresh" content="0;url=https://evil.test"><p>Hi</p>',
      /meta|evil/i,
    ],
    [
      'svg with script inside',
      '<svg onload="alert(1)"><script>alert(2)</script></svg><p>Hi</p>',
      /svg|alert|onload/i,
    ],
    [
      'event handler attributes',
      '<p onclick="alert(1)" onmouseover="alert(2)">Hi</p>',
      /onclick|onmouseover|alert/i,
    ],
    [
      'onerror on images',
      '<img src="https://cdn.test/a.png" onerror="alert(1)">',
      /onerror|alert/i,
    ],
    [
      'style attributes',
      '<p style="background:url(javascript:alert(1))">Hi</p>',
      /style|javascript/i,
    ],
    ['javascript: links', '<a href="javascript:alert(1)">x</a>', /javascript|href/i],
    [
      'javascript: links in mixed case with whitespace',
      '<a href=" JaVaScRiPt:alert(1)">x</a>',
      /javascript|href/i,
    ],
    [
      'entity-encoded javascript: links',
      '<a href="java&#x09;script:alert(1)">x</a>',
      /script|href/i,
    ],
    [
      'data: links',
      '<a href="data:text/html,<script>alert(1)</script>">x</a>',
      /data:|href|script/i,
    ],
    ['data: images', '<img src="data:image/svg+xml,<svg onload=alert(1)>">', /img|data:|onload/i],
    ['protocol-relative images', '<img src="//evil.test/pixel.gif">', /img|evil/i],
    ['relative links', '<a href="/account/delete">x</a>', /href/i],
    [
      'forms and inputs',
      '<form action="https://evil.test"><input name="card"><button>Pay</button></form>',
      /form|input|button|evil/i,
    ],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">', /object|embed|swf/i],
    ['base elements', '<base href="https://evil.test/"><p>Hi</p>', /base|evil/i],
    [
      'class, id and data attributes',
      '<p class="x" id="y" data-start="1">Hi</p>',
      /class|id=|data-/i,
    ],
  ];
  for (const [what, input, leftover] of removed) {
    it(`removes ${what}`, () => {
      assert.doesNotMatch(sanitizeBodyHtml(input), leftover);
    });
  }

  it('keeps formatting, lists and tables', () => {
    const html =
      '<h2>Care</h2><p><strong>Wash</strong> <em>cold</em></p><ul><li>one</li></ul>' +
      '<table><tbody><tr><th>Size</th><td colspan="2">M</td></tr></tbody></table>';

    assert.equal(sanitizeBodyHtml(html), html);
  });

  it('keeps http and mailto links and marks them noopener noreferrer nofollow', () => {
    const html = sanitizeBodyHtml(
      '<a href="https://route.com/x" target="_blank" rel="opener">a</a><a href="mailto:shop@example.com">b</a>',
    );

    assert.equal(
      html,
      '<a href="https://route.com/x" rel="noopener noreferrer nofollow">a</a>' +
        '<a href="mailto:shop@example.com" rel="noopener noreferrer nofollow">b</a>',
    );
  });

  it('keeps https images with their alt text', () => {
    const html = sanitizeBodyHtml(
      '<img src="https://cdn.shopify.com/a.jpg" alt="A bike" loading="lazy">',
    );

    assert.equal(html, '<img src="https://cdn.shopify.com/a.jpg" alt="A bike" />');
  });

  it('escapes text that looks like markup', () => {
    const html = sanitizeBodyHtml('<p>1 &lt; 2 &amp; &lt;script&gt;</p>');

    assert.equal(html, '<p>1 &lt; 2 &amp; &lt;script&gt;</p>');
  });
});

describe('htmlToText', () => {
  it('separates blocks and collapses whitespace', () => {
    const text = htmlToText(
      '<h1>Title</h1><p>First\n\n line</p><ul><li>a</li><li>b</li></ul>x<br />y',
    );

    assert.equal(text, 'Title First line a b x y');
  });

  it('decodes escaped characters exactly', () => {
    const text = htmlToText(
      sanitizeBodyHtml('<p>Fish &amp; chips &lt;3 &quot;fresh&quot; &amp;amp;</p>'),
    );

    assert.equal(text, 'Fish & chips <3 "fresh" &amp;');
  });

  it('keeps no script text', () => {
    const text = htmlToText(sanitizeBodyHtml('<p>Hi</p><script>window.adminAccountId=1</script>'));

    assert.equal(text, 'Hi');
  });
});
