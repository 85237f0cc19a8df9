import sanitizeHtml from 'sanitize-html';

// Formatting, lists, tables, links and images: what product descriptions use. Anything not
// listed here is removed with its attributes; script, style, iframe, svg and similar elements
// are removed together with their content.
const allowedTags = [
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'div',
  'span',
  'blockquote',
  'pre',
  'code',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'del',
  'ins',
  'sub',
  'sup',
  'small',
  'mark',
  'abbr',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'caption',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'colgroup',
  'col',
  'figure',
  'figcaption',
  'a',
  'img',
];

const discardedWithContent = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'math',
  'template',
  'title',
  'head',
  'select',
  'button',
  'canvas',
  'audio',
  'video',
];

const linkRel = 'noopener noreferrer nofollow';

const options: sanitizeHtml.IOptions = {
  allowedTags,
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    abbr: ['title'],
    ol: ['start', 'reversed'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
    col: ['span'],
    colgroup: ['span'],
  },
  allowedSchemes: [],
  allowedSchemesByTag: { a: ['http', 'https', 'mailto'], img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: discardedWithContent,
  transformTags: { a: keepSafeLink },
  exclusiveFilter: (frame) => frame.tag === 'img' && !isHttpUrl(frame.attribs.src),
};

/**
 * Sanitises a product description with an allowlist. What survives is safe to insert into a
 * page as HTML: no script, iframe, style or svg elements, no event handler or style attributes,
 * links only to http, https and mailto URLs (with rel="noopener noreferrer nofollow"), and
 * images only from http and https URLs. Links whose target is relative or another scheme keep
 * their text and lose the href.
 */
export function sanitizeBodyHtml(html: string): string {
  return sanitizeHtml(html, options).trim();
}

/**
 * Reduces sanitised HTML to plain text for search and short descriptions: block elements become
 * line breaks and runs of whitespace collapse to one space.
 */
export function htmlToText(safeHtml: string): string {
  const spaced = safeHtml.replace(blockBoundary, '$& ');
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {}, nonTextTags: [] });
  return decodeEscapes(text).replace(/\s+/g, ' ').trim();
}

const blockBoundary =
  /<\/(?:p|div|h[1-6]|li|dt|dd|tr|th|td|blockquote|pre|figcaption)>|<br\s*\/?>/gi;

// sanitize-html decodes every entity in its input and escapes only these four characters in
// its output, so decoding them restores the text exactly.
function decodeEscapes(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}

function keepSafeLink(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const { href, title } = attribs;
  const safe: sanitizeHtml.Attributes = title ? { title } : {};
  if (href !== undefined && isLinkTarget(href)) {
    safe.href = href;
    safe.rel = linkRel;
  }
  return { tagName, attribs: safe };
}

function isLinkTarget(href: string): boolean {
  return isHttpUrl(href) || /^mailto:/i.test(href.trim());
}

function isHttpUrl(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
