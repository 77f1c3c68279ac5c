import { mattermostMessageProblems, slackMessageProblems, teamsMessageProblems } from '@citypulse/testing';
import type { AlertSummary } from './alert-summary.js';
import { mattermostPayload, slackPayload, teamsPayload } from './chat-payloads.js';

const LINK = 'https://console.example.org/console/#/alert/co2-high%3As-1%3A1796248906489';

function summary(headline: string, severity = 'critical'): AlertSummary {
  return {
    headline,
    facts: [
      { title: 'State', value: 'open' },
      { title: 'Device', value: 's-1 (env-sensor)' },
      { title: 'Where', value: 'beijing / bj-1' },
      { title: 'Opened', value: '2026-12-03T10:00:00.000Z' },
      { title: 'Rule', value: 'co2-high' },
      { title: 'Escalation level', value: '2' },
    ],
    link: LINK,
    severity,
    level: 2,
  };
}

/** The bodies as the receivers get them: JSON on the wire. */
const wire = (body: unknown) => JSON.parse(JSON.stringify(body));

describe('chat messages in each product’s documented schema', () => {
  it('sends Slack, Teams and Mattermost bodies their incoming webhooks accept, each linking to the alert', () => {
    for (const severity of ['critical', 'warning', 'info']) {
      const s = summary('[CRITICAL] CO₂ dangerous - s-1 in beijing/bj-1: co2 = 1600 (peak 1600)', severity);
      expect(slackMessageProblems(wire(slackPayload(s)), LINK)).toEqual([]);
      expect(teamsMessageProblems(wire(teamsPayload(s)), LINK)).toEqual([]);
      expect(mattermostMessageProblems(wire(mattermostPayload(s)), LINK)).toEqual([]);
    }
  });

  it('escapes a description’s markup in Slack’s mrkdwn and message text, and keeps a long one within Block Kit’s limits', () => {
    // Rule descriptions are written by operators: Slack must not read them as mentions or links.
    const hostile = summary(`[WARNING] <!channel> pumps & <https://evil.example|fans> ${'x'.repeat(3500)}`);
    const slack = wire(slackPayload(hostile));
    expect(slackMessageProblems(slack, LINK)).toEqual([]);
    expect(slack.text).toContain('&lt;!channel&gt; pumps &amp; &lt;https://evil.example|fans&gt;');
    expect([...slack.blocks[0].text.text]).toHaveLength(3000);
    expect(slack.blocks[0].text.text).toMatch(/^\*\[WARNING\] &lt;!channel&gt;.*x…\*$/);
    expect(teamsMessageProblems(wire(teamsPayload(hostile)), LINK)).toEqual([]);
    expect(mattermostMessageProblems(wire(mattermostPayload(hostile)), LINK)).toEqual([]);
  });

  it('finds what each product would refuse (the checks can fail)', () => {
    const slack = wire(slackPayload(summary('CO₂ high')));
    expect(slackMessageProblems({ ...slack, text: 'a <b> & c' }, LINK)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^text: unescaped < > &/)]),
    );
    const tooMany = structuredClone(slack);
    tooMany.blocks[1].fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(slackMessageProblems(tooMany, LINK)).toEqual(['blocks.1.fields: must be an array of 1 to 10 text objects']);
    const longButton = structuredClone(slack);
    longButton.blocks[2].elements[0].text.text = 'o'.repeat(76);
    expect(slackMessageProblems(longButton, LINK)).toEqual([
      'blocks.2.elements.0.text.text: 76 characters, at most 75',
    ]);
    const unknownKey = structuredClone(slack);
    unknownKey.blocks[0].title = 'x';
    expect(slackMessageProblems(unknownKey, LINK)).toEqual([expect.stringMatching(/^blocks\.0: unknown key "title"/)]);
    expect(slackMessageProblems(slack, `${LINK}x`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^blocks\.2\.elements\.0\.url: .* not the alert's link/)]),
    );

    const teams = wire(teamsPayload(summary('CO₂ high')));
    expect(teamsMessageProblems({ ...teams, text: 'x' }, LINK)).toEqual([
      expect.stringMatching(/^body: unknown key "text"/),
    ]);
    const oldCard = structuredClone(teams);
    oldCard.attachments[0].content.version = '1.6';
    oldCard.attachments[0].content.body[0].color = 'Red';
    oldCard.attachments[0].content.body[1].facts[0] = { title: 'State', value: 3 };
    expect(teamsMessageProblems(oldCard, LINK)).toEqual([
      'attachments.0.content.version: "1.6", Teams renders 1.0 to 1.5',
      expect.stringMatching(/^attachments\.0\.content\.body\.0\.color: "Red"/),
      'attachments.0.content.body.1.facts.0.value: must be a string',
    ]);
    const connectorCard = { '@type': 'MessageCard', summary: 'x', text: 'y' };
    expect(teamsMessageProblems(connectorCard, LINK).length).toBeGreaterThan(0);

    const mattermost = wire(mattermostPayload(summary('CO₂ high')));
    const noFallback = structuredClone(mattermost);
    delete noFallback.attachments[0].fallback;
    noFallback.attachments[0].color = 'red';
    noFallback.attachments[0].fields[0].short = 'yes';
    expect(mattermostMessageProblems(noFallback, LINK)).toEqual([
      'attachments.0.fallback: must be a non-empty string',
      'attachments.0.color: "red", not a hex code nor good/warning/danger',
      'attachments.0.fields.0.short: must be a boolean',
    ]);
    expect(mattermostMessageProblems({ ...mattermost, blocks: [] }, LINK)).toEqual([
      expect.stringMatching(/^body: unknown key "blocks"/),
    ]);
  });
});
