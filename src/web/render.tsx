import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/**
 * Renders a page to a complete HTML document. Preact escapes every text node and attribute
 * value, so the only unescaped markup in the output is what a component passes through
 * dangerouslySetInnerHTML: the sanitised product body and the TOTP enrolment's QR code, an SVG
 * that the qrcode package draws from the otpauth URI.
 */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}
