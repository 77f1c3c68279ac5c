import type { AlertSummary } from './alert-summary.js';

/** The e-mail about an alert: the headline as subject, the facts and the console link in plain text and HTML. */
export function emailContent(s: AlertSummary): { subject: string; text: string; html: string } {
  const text = [
    s.headline,
    '',
    ...s.facts.map((f) => `${f.title}: ${f.value}`),
    '',
    `Open in the console: ${s.link}`,
    '',
  ].join('\n');
  const rows = s.facts
    .map((f) => `<tr><th align="left">${escapeHtml(f.title)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const html =
    `<p><strong>${escapeHtml(s.headline)}</strong></p><table>${rows}</table><p><a ` +
    `href="${escapeHtml(s.link)}">Open in the console</a></p>`;
  // A header must be one line: descriptions come from rules operators wrote.
  return { subject: s.headline.replace(/[\r\n]+/g, ' ').slice(0, 200), text, html };
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
