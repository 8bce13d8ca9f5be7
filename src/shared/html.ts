// HTML written as tagged templates that escape by default: html`<td>${value}</td>` escapes
// `value` (text, numbers) unless it is itself html`` (or a list of them), so markup from the
// code and text from outside (a file name, a label from the user's file) cannot be mixed up.
// Only `trustedHtml` takes a string as markup; it is for content the code made itself (a JSON
// data block whose `<` is already escaped).

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup that is safe to insert as it is. */
export class Html {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What a template may hold: text and numbers (escaped), markup, lists of them, or nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose values are escaped unless they are markup. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

/** A string the code made itself, taken as markup (never text from outside). */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}
