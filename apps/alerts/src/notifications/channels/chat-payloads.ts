import type { AlertSummary } from './alert-summary.js';

const COLOURS: Record<string, string> = { critical: '#d0021b', warning: '#f5a623', info: '#4a90e2' };
const colourOf = (severity: string) => COLOURS[severity] ?? '#9b9b9b';

/**
 * Slack incoming webhook: `text` (the fallback shown in notifications) and Block Kit `blocks`
 * (https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks).
 */
export function slackPayload(s: AlertSummary) {
  return {
    text: `${s.headline} <${s.link}|Open in console>`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(s.headline)}*` } },
      {
        type: 'section',
        fields: s.facts.map((f) => ({ type: 'mrkdwn', text: `*${escapeSlack(f.title)}*\n${escapeSlack(f.value)}` })),
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in console' }, url: s.link }],
      },
    ],
  };
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
