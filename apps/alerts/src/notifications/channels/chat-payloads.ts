import type { AlertSummary } from './alert-summary.js';

const COLOURS: Record<string, string> = { critical: '#d0021b', warning: '#f5a623', info: '#4a90e2' };
const colourOf = (severity: string) => COLOURS[severity] ?? '#9b9b9b';

/** Block Kit's limits: a section's text, its fields and each field's text (longer is refused as invalid_blocks). */
const SLACK_SECTION_TEXT = 3000;
const SLACK_SECTION_FIELDS = 10;
const SLACK_FIELD_TEXT = 2000;

/**
 * Slack incoming webhook: `text` (the fallback shown in notifications) and Block Kit `blocks`
 * (https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks).
 */
export function slackPayload(s: AlertSummary) {
  return {
    // Message text is mrkdwn too: the headline (a rule's description, written by operators) is escaped like the blocks.
    text: `${escapeSlack(s.headline)} <${s.link}|Open in console>`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${clip(escapeSlack(s.headline), SLACK_SECTION_TEXT - 2)}*` } },
      {
        type: 'section',
        fields: s.facts.slice(0, SLACK_SECTION_FIELDS).map((f) => ({
          type: 'mrkdwn',
          text: clip(`*${escapeSlack(f.title)}*\n${escapeSlack(f.value)}`, SLACK_FIELD_TEXT),
        })),
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in console' }, url: s.link }],
      },
    ],
  };
}

/** At most `max` characters (code points), the last one an ellipsis when cut; never inside an escape (`&amp;`). */
function clip(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .replace(/&[a-z]{0,3}$/, '')}…`;
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Microsoft Teams (Workflows / incoming webhook): an Adaptive Card in the message envelope,
 * `{type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive", content: {…}}]}`
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
 */
export function teamsPayload(s: AlertSummary) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: s.headline,
              weight: 'Bolder',
              wrap: true,
              color: s.severity === 'critical' ? 'Attention' : s.severity === 'warning' ? 'Warning' : 'Default',
            },
            { type: 'FactSet', facts: s.facts.map((f) => ({ title: f.title, value: f.value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open in console', url: s.link }],
        },
      },
    ],
  };
}

/**
 * Mattermost incoming webhook: `text` plus Slack-style message `attachments`
 * (https://developers.mattermost.com/integrate/webhooks/incoming/,
 * https://developers.mattermost.com/integrate/reference/message-attachments/).
 */
export function mattermostPayload(s: AlertSummary) {
  return {
    username: 'citypulse',
    text: `${s.headline} [Open in console](${s.link})`,
    attachments: [
      {
        fallback: s.headline,
        color: colourOf(s.severity),
        title: s.headline,
        title_link: s.link,
        fields: s.facts.map((f) => ({ title: f.title, value: f.value, short: true })),
      },
    ],
  };
}
