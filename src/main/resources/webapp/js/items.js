// The elements of a conversation: message bubbles, the monologue, tool activity (collapsible, with its arguments and
// return), notices; and how the server's words become them. Each element's object carries `el`, its `date`, and the
// setters the chat calls as events, tokens and history arrive.
import { h, shortTime, formatDate } from './dom.js';

export function bubble(kind, text, date) {
  const body = h('div', { class: 'text' }, text);
  const time = h('time', { class: 'time muted' }, date ? shortTime(date) : '');
  const el = h('div', { class: `item ${kind}` }, h('div', { class: 'bubble' }, body, time));
  const item = {
    el, name: kind, text,
    setText: (t) => { item.text = t; body.textContent = t; el.classList.remove('streaming'); stamp(); },
    addText: (t) => { item.text = (item.text || '') + t; body.textContent = item.text; el.classList.add('streaming'); },
  };
  const stamp = () => { if (item.date) time.textContent = shortTime(item.date); time.title = formatDate(item.date); };
  el.item = item;
  if (kind === 'user') item.keyed = false;
  return item;
}

export function monologue(text) {
  const body = h('span', { class: 'text' }, text);
  const el = h('div', { class: 'item monologue' }, h('span', { class: 'tag' }, 'thinking'), body);
  const item = {
    el, name: 'monologue',
    setText: (t) => { item.text = t; body.textContent = t; el.classList.remove('streaming'); },
    addText: (t) => { item.text = (item.text || '') + t; body.textContent = item.text; el.classList.add('streaming'); },
  };
  el.item = item;
  return item;
}

export function tool(name) {
  const title = h('code', { class: 'call-name' }, name);
  const badge = h('span', { class: 'badge pending' }, 'running');
  const args = h('pre', { class: 'args' });
  const result = h('pre', { class: 'result', hidden: true });
  const el = h('div', { class: 'item tool' }, h('details', {},
    h('summary', {}, h('span', { class: 'tool-icon', 'aria-hidden': 'true' }, '⚙'), title, badge),
    h('div', { class: 'tool-body' }, h('div', { class: 'label' }, 'Arguments'), args,
      h('div', { class: 'label result-label', hidden: true }, 'Result'), result)));
  const item = {
    el, name,
    setCall: (n, a) => { item.name = n; title.textContent = n; args.textContent = a; },
    addArgs: (t) => { args.textContent += t; },
    setReturn: (value, status) => {
      result.hidden = false;
      el.querySelector('.result-label').hidden = false;
      result.textContent = value;
      const ok = status !== 'error';
      badge.className = `badge ${ok ? 'ok' : 'error'}`;
      badge.textContent = ok ? 'success' : 'error';
      el.classList.toggle('failed', !ok);
    },
  };
  el.item = item;
  return item;
}

export function notice(kind, text) {
  const el = h('div', { class: `item notice ${kind}`, role: kind === 'error' ? 'alert' : undefined }, text);
  const item = { el, name: kind, date: new Date().toISOString() };
  el.item = item;
  return item;
}

/** A newest-first page of history in reading order, each stored message's parts kept in their own order. */
export function chronological(page) {
  const groups = [];
  for (const m of page) {
    const last = groups[groups.length - 1];
    if (last && last[0].id === m.id) last.push(m);
    else groups.push([m]);
  }
  return groups.reverse().flat();
}

/** "name(python-style args)" as the /api socket words a call. */
export function parseCall(text) {
  const open = text.indexOf('(');
  if (open < 0) return { name: text, args: '' };
  return { name: text.slice(0, open), args: text.slice(open + 1, text.endsWith(')') ? -1 : undefined) };
}

export function prettyArgs(raw) {
  try {
    const args = JSON.parse(raw || '{}');
    delete args.request_heartbeat;
    return JSON.stringify(args, null, 2);
  } catch {
    return raw || '';
  }
}

/**
 * A notice MemGPT stores as a user message (login, system alert) as a short line, '' for a heartbeat (not shown),
 * null for a person's text.
 */
export function packagedNote(text) {
  if (!text.startsWith('{')) return null;
  try {
    const json = JSON.parse(text);
    if (json.type === 'heartbeat') return '';
    if (json.type === 'login') return 'user logged in';
    if (json.type === 'system_alert') return json.message || 'system alert';
    return json.type ? json.type.replace(/_/g, ' ') : null;
  } catch {
    return null;
  }
}

export function describeError(status, detail) {
  if (status === 503) return `The model is not available (503): ${detail}`;
  if (status === 502) return `The model failed (502): ${detail}`;
  if (status === 504) return `The model took too long (504): ${detail}`;
  return status ? `${detail} (${status})` : detail;
}
