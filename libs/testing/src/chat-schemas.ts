/**
 * What each chat product documents for an incoming-webhook message, as checks that list every problem of a body
 * (an empty list: the body is one the product accepts). Tests assert `toEqual([])`, so a failure names what broke.
 * Only the parts of each schema citypulse's messages use are modelled, but those completely: the keys a product
 * knows (Slack refuses a block with an unknown key as `invalid_blocks`), required fields, enumerations and the
 * documented length limits.
 *
 * - Slack: https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks (section:
 *   text ≤ 3000 characters or 1–10 fields of ≤ 2000; actions: ≤ 25 elements), .../block-kit/block-elements#button
 *   (text plain_text ≤ 75, url ≤ 3000), .../block-kit/composition-objects#text, ≤ 50 blocks per message; mrkdwn
 *   and the message `text` escape `&`, `<` and `>` (https://api.slack.com/reference/surfaces/formatting#escaping),
 *   `<url|label>` being a link.
 * - Microsoft Teams (learn.microsoft.com, "Create an Incoming Webhook" / connectors-using): the envelope
 *   `{type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null,
 *   content: card}]}`, messages ≤ 28 KB; the Adaptive Card schema (https://adaptivecards.io/explorer/): TextBlock.text,
 *   FactSet.facts[].title/value, Action.OpenUrl.url required; colors and weights enumerated; Teams renders card
 *   versions up to 1.5.
 * - Mattermost: https://developers.mattermost.com/integrate/webhooks/incoming/ (text, channel, username, icon_url,
 *   icon_emoji, attachments, type, props, priority; text required without attachments) and
 *   https://developers.mattermost.com/integrate/reference/message-attachments/ (fallback required; color a hex code
 *   or good/warning/danger; fields of title, value, short).
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
/** A value as a problem names it: a string as it is, anything else as JSON. */
const show = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

function unknownKeys(where: string, value: Json, allowed: readonly string[], problems: string[]): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) problems.push(`${where}: unknown key "${key}" (allowed: ${allowed.join(', ')})`);
}

function text(where: string, value: unknown, max: number, problems: string[]): value is string {
  if (!isString(value) || value.length === 0) {
    problems.push(`${where}: must be a non-empty string`);
    return false;
  }
  if ([...value].length > max) problems.push(`${where}: ${[...value].length} characters, at most ${max}`);
  return true;
}

/**
 * Slack mrkdwn: `&`, `<` and `>` appear only escaped (`&amp;`, `&lt;`, `&gt;`) or in a control sequence such as a
 * link `<https://…|label>`.
 */
function slackEscapingProblems(where: string, value: string, problems: string[]): void {
  const bare = value.replace(/<(?:https?:\/\/[^\s|<>]+)(?:\|[^<>]*)?>/g, '').replace(/&(?:amp|lt|gt);/g, '');
  const stray = bare.match(/[<>&]/g);
  if (stray) problems.push(`${where}: unescaped ${[...new Set(stray)].join(' ')} in mrkdwn`);
}

const SLACK_TEXT_KEYS = ['type', 'text', 'emoji', 'verbatim'] as const;

function slackTextObject(where: string, value: unknown, max: number, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where}: must be a text object`);
    return;
  }
  unknownKeys(where, value, SLACK_TEXT_KEYS, problems);
  if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
    problems.push(`${where}.type: "${show(value.type)}", not plain_text or mrkdwn`);
  if (value.type === 'mrkdwn' && 'emoji' in value) problems.push(`${where}: emoji is for plain_text only`);
  if (value.type === 'plain_text' && 'verbatim' in value) problems.push(`${where}: verbatim is for mrkdwn only`);
  if (text(`${where}.text`, value.text, max, problems) && value.type === 'mrkdwn')
    slackEscapingProblems(`${where}.text`, value.text, problems);
}

/** The problems of a Slack incoming-webhook body whose button opens `link`. */
export function slackMessageProblems(body: unknown, link: string): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ['body: must be a JSON object'];
  unknownKeys('body', body, ['text', 'blocks', 'attachments', 'thread_ts', 'mrkdwn', 'unfurl_links'], problems);
  // With blocks, `text` is the notification's fallback: Slack asks for it.
  if (text('text', body.text, 40_000, problems)) slackEscapingProblems('text', body.text, problems);
  if (!Array.isArray(body.blocks) || body.blocks.length === 0 || body.blocks.length > 50) {
    problems.push('blocks: must be an array of 1 to 50 blocks');
    return problems;
  }
  let buttons = 0;
  body.blocks.forEach((block: unknown, i) => {
    const where = `blocks.${i}`;
    if (!isObject(block)) return void problems.push(`${where}: must be an object`);
    if (block.block_id !== undefined) text(`${where}.block_id`, block.block_id, 255, problems);
    if (block.type === 'section') {
      unknownKeys(where, block, ['type', 'text', 'fields', 'block_id', 'accessory', 'expand'], problems);
      if (block.text === undefined && block.fields === undefined) problems.push(`${where}: needs text or fields`);
      if (block.text !== undefined) slackTextObject(`${where}.text`, block.text, 3000, problems);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0 || block.fields.length > 10)
          problems.push(`${where}.fields: must be an array of 1 to 10 text objects`);
        else
          block.fields.forEach((field: unknown, j) => slackTextObject(`${where}.fields.${j}`, field, 2000, problems));
      }
    } else if (block.type === 'actions') {
      unknownKeys(where, block, ['type', 'elements', 'block_id'], problems);
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25)
        return void problems.push(`${where}.elements: must be an array of 1 to 25 elements`);
      block.elements.forEach((element: unknown, j) => {
        const at = `${where}.elements.${j}`;
        if (!isObject(element) || element.type !== 'button')
          return void problems.push(`${at}: only buttons are expected`);
        buttons++;
        unknownKeys(
          at,
          element,
          ['type', 'text', 'action_id', 'url', 'value', 'style', 'confirm', 'accessibility_label'],
          problems,
        );
        slackTextObject(`${at}.text`, element.text, 75, problems);
        if (isObject(element.text) && element.text.type !== 'plain_text')
          problems.push(`${at}.text: a button's text is plain_text`);
        if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger')
          problems.push(`${at}.style: primary or danger`);
        if (text(`${at}.url`, element.url, 3000, problems) && element.url !== link)
          problems.push(`${at}.url: ${show(element.url)}, not the alert's link ${link}`);
      });
    } else {
      problems.push(`${where}.type: "${show(block.type)}" is not a block citypulse sends (section, actions)`);
    }
  });
  if (buttons !== 1) problems.push(`expected one button to the alert, found ${buttons}`);
  if (isString(body.text) && !body.text.includes(`<${link}|`)) problems.push(`text: no link <${link}|…>`);
  return problems;
}

const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const TEXT_COLORS = ['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention'];
const TEXT_WEIGHTS = ['Default', 'Lighter', 'Bolder'];
const TEXT_SIZES = ['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'];

/** The problems of a Microsoft Teams webhook body: one Adaptive Card whose Action.OpenUrl opens `link`. */
export function teamsMessageProblems(body: unknown, link: string): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ['body: must be a JSON object'];
  const bytes = Buffer.byteLength(JSON.stringify(body));
  if (bytes > 28 * 1024) problems.push(`body: ${bytes} bytes, Teams takes at most 28 KB`);
  unknownKeys('body', body, ['type', 'attachments'], problems);
  if (body.type !== 'message') problems.push(`type: "${show(body.type)}", not "message"`);
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1)
    return [...problems, 'attachments: must hold exactly one card'];
  const attachment: unknown = body.attachments[0];
  if (!isObject(attachment)) return [...problems, 'attachments.0: must be an object'];
  unknownKeys('attachments.0', attachment, ['contentType', 'contentUrl', 'content'], problems);
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive')
    problems.push(`attachments.0.contentType: "${show(attachment.contentType)}"`);
  if ('contentUrl' in attachment && attachment.contentUrl !== null)
    problems.push('attachments.0.contentUrl: null for an inline card');
  const card = attachment.content;
  if (!isObject(card)) return [...problems, 'attachments.0.content: must be an Adaptive Card object'];
  const at = 'attachments.0.content';
  unknownKeys(
    at,
    card,
    ['$schema', 'type', 'version', 'body', 'actions', 'msteams', 'fallbackText', 'speak'],
    problems,
  );
  if (card.type !== 'AdaptiveCard') problems.push(`${at}.type: "${show(card.type)}", not AdaptiveCard`);
  if (card.$schema !== CARD_SCHEMA) problems.push(`${at}.$schema: not ${CARD_SCHEMA}`);
  if (!isString(card.version) || !/^1\.[0-5]$/.test(card.version))
    problems.push(`${at}.version: "${show(card.version)}", Teams renders 1.0 to 1.5`);
  if (!Array.isArray(card.body) || card.body.length === 0) problems.push(`${at}.body: must be a non-empty array`);
  else
    card.body.forEach((element: unknown, i) => {
      const where = `${at}.body.${i}`;
      if (!isObject(element)) return void problems.push(`${where}: must be an object`);
      if (element.type === 'TextBlock') {
        unknownKeys(
          where,
          element,
          ['type', 'text', 'weight', 'wrap', 'color', 'size', 'isSubtle', 'maxLines', 'spacing', 'separator', 'id'],
          problems,
        );
        text(`${where}.text`, element.text, 28 * 1024, problems);
        if (element.color !== undefined && !TEXT_COLORS.includes(show(element.color)))
          problems.push(`${where}.color: "${show(element.color)}" is not one of ${TEXT_COLORS.join(', ')}`);
        if (element.weight !== undefined && !TEXT_WEIGHTS.includes(show(element.weight)))
          problems.push(`${where}.weight: "${show(element.weight)}"`);
        if (element.size !== undefined && !TEXT_SIZES.includes(show(element.size)))
          problems.push(`${where}.size: "${show(element.size)}"`);
        if (element.wrap !== undefined && typeof element.wrap !== 'boolean') problems.push(`${where}.wrap: boolean`);
      } else if (element.type === 'FactSet') {
        unknownKeys(where, element, ['type', 'facts', 'spacing', 'separator', 'id'], problems);
        if (!Array.isArray(element.facts) || element.facts.length === 0)
          return void problems.push(`${where}.facts: must be a non-empty array`);
        element.facts.forEach((fact: unknown, j) => {
          if (!isObject(fact)) return void problems.push(`${where}.facts.${j}: must be an object`);
          unknownKeys(`${where}.facts.${j}`, fact, ['title', 'value'], problems);
          if (!isString(fact.title)) problems.push(`${where}.facts.${j}.title: must be a string`);
          if (!isString(fact.value)) problems.push(`${where}.facts.${j}.value: must be a string`);
        });
      } else {
        problems.push(`${where}.type: "${show(element.type)}" is not an element citypulse sends`);
      }
    });
  if (!Array.isArray(card.actions) || card.actions.length !== 1)
    return [...problems, `${at}.actions: expected one Action.OpenUrl`];
  const action: unknown = card.actions[0];
  if (!isObject(action) || action.type !== 'Action.OpenUrl')
    return [...problems, `${at}.actions.0: must be an Action.OpenUrl`];
  unknownKeys(`${at}.actions.0`, action, ['type', 'title', 'url', 'id', 'style', 'iconUrl'], problems);
  if (!isString(action.title)) problems.push(`${at}.actions.0.title: must be a string`);
  if (action.url !== link) problems.push(`${at}.actions.0.url: ${show(action.url)}, not the alert's link ${link}`);
  return problems;
}

/** The problems of a Mattermost incoming-webhook body with one attachment titled with a link to `link`. */
export function mattermostMessageProblems(body: unknown, link: string): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ['body: must be a JSON object'];
  unknownKeys(
    'body',
    body,
    ['text', 'channel', 'username', 'icon_url', 'icon_emoji', 'attachments', 'type', 'props', 'priority'],
    problems,
  );
  if (body.username !== undefined) text('username', body.username, 64, problems);
  if (body.text === undefined && body.attachments === undefined)
    problems.push('body: text is required without attachments');
  if (body.text !== undefined && text('text', body.text, 16_383, problems) && !body.text.includes(`](${link})`))
    problems.push(`text: no markdown link to ${link}`);
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1)
    return [...problems, 'attachments: expected one attachment'];
  const a: unknown = body.attachments[0];
  if (!isObject(a)) return [...problems, 'attachments.0: must be an object'];
  unknownKeys(
    'attachments.0',
    a,
    [
      'fallback',
      'color',
      'pretext',
      'text',
      'author_name',
      'author_link',
      'author_icon',
      'title',
      'title_link',
      'fields',
      'image_url',
      'thumb_url',
      'footer',
      'footer_icon',
    ],
    problems,
  );
  text('attachments.0.fallback', a.fallback, 16_383, problems);
  if (a.color !== undefined && !/^(#[0-9a-fA-F]{6}|good|warning|danger)$/.test(show(a.color)))
    problems.push(`attachments.0.color: "${show(a.color)}", not a hex code nor good/warning/danger`);
  text('attachments.0.title', a.title, 16_383, problems);
  if (a.title_link !== link) problems.push(`attachments.0.title_link: ${show(a.title_link)}, not ${link}`);
  if (a.fields !== undefined) {
    if (!Array.isArray(a.fields)) problems.push('attachments.0.fields: must be an array');
    else
      a.fields.forEach((field: unknown, j) => {
        const where = `attachments.0.fields.${j}`;
        if (!isObject(field)) return void problems.push(`${where}: must be an object`);
        unknownKeys(where, field, ['title', 'value', 'short'], problems);
        if (!isString(field.title)) problems.push(`${where}.title: must be a string`);
        if (!isString(field.value)) problems.push(`${where}.value: must be a string`);
        if (field.short !== undefined && typeof field.short !== 'boolean')
          problems.push(`${where}.short: must be a boolean`);
      });
  }
  return problems;
}
