// The chat with one agent over its WebSocket (/api/agents/{id}/ws): the user's message shows at once; the agent's
// monologue, tool calls with their returns, and messages stream in live (token by token), each element keyed by the
// stored message it comes from. A dropped socket reconnects by itself and reloads the newest history, merged by those
// keys, so nothing is shown twice or lost; older history loads page by page when scrolling up.
import { h, toast } from './dom.js';
import { bubble, monologue, tool, notice, chronological, parseCall, prettyArgs, packagedNote, describeError }
  from './items.js';
import { api, socketUrl, query, ApiError } from './api.js';

const PAGE = 30;
const SEND_MESSAGE = 'send_message';
const MEMORY_TOOLS = /^(core_memory_|memory_)/;

export class Chat {
  constructor(agent, hooks) {
    this.agent = agent;
    this.hooks = hooks;
    this.items = new Map(); // key -> {el, date}
    this.openCalls = []; // live tool items waiting for their return, oldest first
    this.callsById = new Map(); // tool_call_id -> tool item (history)
    this.oldestCursor = null;
    this.hasMore = true;
    this.loadingOlder = false;
    this.socket = null;
    this.closed = false;
    this.attempt = 0;
    this.running = 0;
    this.hideNextReturn = 0;

    this.title = h('h2', { class: 'chat-title' }, agent.name);
    this.status = h('span', { class: 'conn', 'data-state': 'connecting' }, 'Connecting…');
    this.log = h('div', { class: 'log', role: 'log', 'aria-label': 'Conversation', tabindex: '0' });
    this.older = h('div', { class: 'older muted' });
    this.thinking = h('div', { class: 'thinking', hidden: true }, h('span', { class: 'dots' }, h('i'), h('i'), h('i')),
      'Working…');
    this.log.append(this.older, this.thinking);
    this.log.addEventListener('scroll', () => {
      if (this.log.scrollTop < 80) this.loadOlder();
    });
    this.input = h('textarea', { class: 'composer-input', rows: 1, placeholder: `Message ${agent.name}…`,
      'aria-label': 'Message', id: 'composer' });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener('input', () => this.fitInput());
    this.sendButton = h('button', { class: 'primary send', id: 'send', onclick: () => this.send(),
      'aria-label': 'Send' }, 'Send');
    const back = h('button', { class: 'ghost icon-only back', onclick: hooks.onBack, 'aria-label': 'Back to agents' },
      '‹');
    const actions = h('div', { class: 'chat-actions' },
      h('button', { class: 'ghost', id: 'rename-agent', onclick: hooks.onRename }, 'Rename'),
      h('button', { class: 'ghost danger-text', id: 'delete-agent', onclick: hooks.onDelete }, 'Delete'),
      h('button', { class: 'ghost side-toggle', id: 'toggle-side', onclick: hooks.onToggleSide }, 'Memory'));
    this.element = h('div', { class: 'chat' },
      h('div', { class: 'chat-head' }, back, this.title, this.status, h('div', { class: 'spacer' }), actions),
      this.log,
      h('div', { class: 'composer' }, this.input, this.sendButton),
      h('p', { class: 'composer-hint muted' }, 'Enter sends · Shift+Enter for a new line'));
  }

  async start() {
    await this.loadOlder();
    this.scrollToEnd();
    this.connect();
    this.input.focus();
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.socket) this.socket.close(1000, 'left the chat');
  }

  renamed(name) {
    this.agent.name = name;
    this.title.textContent = name;
    this.input.placeholder = `Message ${name}…`;
  }

  // the socket

  connect() {
    if (this.closed) return;
    this.setStatus('connecting', this.attempt ? 'Reconnecting…' : 'Connecting…');
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.agent.id));
    } catch {
      this.retry();
      return;
    }
    this.socket = ws;
    ws.addEventListener('open', () => {
      const again = this.attempt > 0;
      this.attempt = 0;
      this.setStatus('open', 'Connected');
      if (again) this.catchUp();
      // a run that was going when the socket dropped goes on, and is stored step by step: follow it for a while
      if (again && this.runAtDrop) {
        this.runAtDrop = false;
        for (const ms of [2000, 5000, 10000, 20000]) setTimeout(() => { if (!this.closed) this.catchUp(); }, ms);
      }
    });
    ws.addEventListener('message', (e) => this.onFrame(e.data));
    ws.addEventListener('close', () => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.running > 0) {
        this.runAtDrop = true;
        this.running = 0;
        this.showThinking();
      }
      this.retry();
    });
  }

  retry() {
    if (this.closed) return;
    this.attempt++;
    const delay = Math.min(8000, 400 * 2 ** Math.min(this.attempt, 5)) * (0.75 + Math.random() / 2);
    this.setStatus('closed', `Disconnected, retrying in ${Math.ceil(delay / 1000)} s`);
    this.retryTimer = setTimeout(() => this.probeThenConnect(), delay);
  }

  /** Checks the agent and the session over HTTP first: a handshake refusal says nothing to a browser. */
  async probeThenConnect() {
    try {
      await api('GET', `/api/agents/${this.agent.id}/config`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        this.setStatus('closed', 'This agent no longer exists');
        return;
      }
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return; // sign-in is showing
      this.retry(); // unreachable, or still starting
      return;
    }
    this.connect();
  }

  setStatus(state, text) {
    this.status.dataset.state = state;
    this.status.textContent = text;
    this.sendButton.disabled = state !== 'open';
  }

  send() {
    const text = this.input.value.trim();
    if (!text) return;
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      toast('Not connected yet: your message is kept in the box.', 'error');
      return;
    }
    this.socket.send(JSON.stringify({ message: text, role: 'user', stream_tokens: true }));
    this.input.value = '';
    this.fitInput();
    const item = bubble('user', text, new Date().toISOString());
    item.el.classList.add('pending');
    this.pendingUser = this.pendingUser || [];
    this.pendingUser.push({ item, text });
    this.append(null, item);
    this.running++;
    this.showThinking();
    this.scrollToEnd();
  }

  onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    const stick = this.nearEnd();
    if ('delta' in frame) {
      this.onDelta(frame);
    } else if ('done' in frame) {
      this.finishRun();
      this.hooks.onRunDone();
    } else if ('error' in frame) {
      this.finishRun();
      this.append(null, notice('error', describeError(frame.status, frame.error)));
    } else {
      this.onEvent(frame);
    }
    if (stick) this.scrollToEnd();
  }

  finishRun() {
    this.running = Math.max(0, this.running - 1);
    if (this.pendingUser && this.pendingUser.length) this.pendingUser.shift().item.el.classList.remove('pending');
    this.openCalls = [];
    this.showThinking();
  }

  onEvent(frame) {
    if ('internal_monologue' in frame) {
      this.upsert(`${frame.id}:monologue`, frame.date, () => monologue(''), (it) => it.setText(frame.internal_monologue));
    } else if ('assistant_message' in frame) {
      this.upsert(`${frame.id}:assistant`, frame.date, () => bubble('assistant', ''),
        (it) => it.setText(frame.assistant_message));
    } else if ('function_call' in frame) {
      const call = parseCall(frame.function_call);
      if (call.name === SEND_MESSAGE) {
        this.hideNextReturn++;
        return;
      }
      const item = this.upsert(`${frame.id}:call`, frame.date, () => tool(call.name),
        (it) => it.setCall(call.name, call.args));
      if (!this.openCalls.includes(item)) this.openCalls.push(item);
    } else if ('function_return' in frame) {
      if (this.hideNextReturn > 0) {
        this.hideNextReturn--;
        return;
      }
      const call = this.openCalls.shift();
      if (call) {
        call.setReturn(frame.function_return, frame.status);
        this.items.set(`${frame.id}:return`, call);
        if (MEMORY_TOOLS.test(call.name)) this.hooks.onMemoryTool();
      } else {
        this.upsert(`${frame.id}:return`, frame.date, () => tool('(result)'),
          (it) => it.setReturn(frame.function_return, frame.status));
      }
    }
  }

  onDelta(frame) {
    if (frame.delta === 'internal_monologue') {
      this.upsert(`${frame.id}:monologue`, null, () => monologue(''), (it) => it.addText(frame.text, true));
    } else if (frame.delta === 'assistant_message') {
      this.upsert(`${frame.id}:assistant`, null, () => bubble('assistant', ''), (it) => it.addText(frame.text, true));
    } else if (frame.delta === 'function_call' && frame.name && frame.name !== SEND_MESSAGE) {
      this.upsert(`${frame.id}:call`, null, () => tool(frame.name), (it) => it.addArgs(frame.text));
    }
  }

  /** The item of `key`, made by `make` when it is new (appended), then updated by `update`. */
  upsert(key, date, make, update) {
    let item = this.items.get(key);
    if (!item) {
      item = make();
      item.date = date || new Date().toISOString();
      this.append(key, item);
    } else if (date) {
      item.date = date;
    }
    update(item);
    return item;
  }

  append(key, item) {
    if (key) this.items.set(key, item);
    this.log.insertBefore(item.el, this.thinking);
  }

  showThinking() {
    this.thinking.hidden = this.running === 0;
  }

  // history

  async loadOlder() {
    if (this.loadingOlder || !this.hasMore) return;
    this.loadingOlder = true;
    this.older.textContent = 'Loading earlier messages…';
    let loaded = false;
    const before = this.log.scrollHeight - this.log.scrollTop;
    try {
      const page = await api('GET', `/v1/agents/${this.agent.id}/messages${query({ limit: PAGE, order: 'desc',
        after: this.oldestCursor })}`);
      if (page.length) this.oldestCursor = page[page.length - 1].id;
      this.hasMore = page.length >= PAGE;
      const first = this.older.nextSibling;
      for (const m of chronological(page)) this.fromHistory(m, (item) => this.log.insertBefore(item.el, first));
      this.older.textContent = this.hasMore ? '' : (this.items.size ? 'Beginning of the conversation' : '');
      this.log.scrollTop = this.log.scrollHeight - before;
      loaded = true;
    } catch (e) {
      this.older.textContent = `Could not load history: ${e.message}`;
    } finally {
      this.loadingOlder = false;
    }
    // a page too short to scroll could never be scrolled up to load the next one
    const visible = this.log.clientHeight > 0;
    if (loaded && visible && this.hasMore && this.log.scrollHeight <= this.log.clientHeight) await this.loadOlder();
  }

  /** After a reconnect: the newest history, merged into what is shown (by key; new items in date order). */
  async catchUp() {
    let page;
    try {
      page = await api('GET', `/v1/agents/${this.agent.id}/messages${query({ limit: PAGE, order: 'desc' })}`);
    } catch {
      return;
    }
    const stick = this.nearEnd();
    for (const m of chronological(page)) {
      this.fromHistory(m, (item) => {
        const later = [...this.log.querySelectorAll('.item')].find((el) => el.item && Date.parse(el.item.date) > Date.parse(item.date)
          && !el.classList.contains('pending'));
        this.log.insertBefore(item.el, later || this.thinking);
      });
    }
    this.pendingUser = [];
    this.log.querySelectorAll('.pending').forEach((el) => el.classList.remove('pending'));
    if (stick) this.scrollToEnd();
  }

  /** One Letta history message as an item: updates the shown one with its key, or places a new one. */
  fromHistory(m, place) {
    const id = m.id.replace(/^message-/, '');
    const put = (key, make, update) => {
      let item = this.items.get(key);
      if (!item) {
        item = make();
        item.date = m.date;
        this.items.set(key, item);
        place(item);
      }
      update(item);
      return item;
    };
    switch (m.message_type) {
      case 'user_message': {
        const text = typeof m.content === 'string' ? m.content : (m.content || []).map((c) => c.text || '').join('');
        const note = packagedNote(text);
        if (note === '') return; // a heartbeat: the live chat does not show them either
        if (note) {
          put(`${id}:user`, () => notice('system', note), () => {});
          return;
        }
        const pending = (this.pendingUser || []).find((p) => p.text === text);
        if (pending && !this.items.has(`${id}:user`)) {
          this.pendingUser.splice(this.pendingUser.indexOf(pending), 1);
          pending.item.el.classList.remove('pending');
          this.items.set(`${id}:user`, pending.item);
          return;
        }
        if (!this.items.has(`${id}:user`) && this.adoptShownUser(id, text)) return;
        put(`${id}:user`, () => bubble('user', text, m.date), () => {});
        return;
      }
      case 'reasoning_message':
        put(`${id}:monologue`, () => monologue(''), (it) => it.setText(m.reasoning));
        return;
      case 'assistant_message': {
        const text = typeof m.content === 'string' ? m.content : (m.content || []).map((c) => c.text || '').join('');
        put(`${id}:assistant`, () => bubble('assistant', ''), (it) => it.setText(text));
        return;
      }
      case 'tool_call_message': {
        const call = m.tool_call || {};
        const item = put(`${id}:call`, () => tool(call.name), (it) => it.setCall(call.name, prettyArgs(call.arguments)));
        if (call.tool_call_id) this.callsById.set(call.tool_call_id, item);
        return;
      }
      case 'tool_return_message': {
        const call = this.callsById.get(m.tool_call_id);
        if (call) {
          if (!this.items.has(`${id}:return`)) this.items.set(`${id}:return`, call);
          call.setReturn(m.tool_return, m.status);
        } else {
          put(`${id}:return`, () => tool('(result)'), (it) => it.setReturn(m.tool_return, m.status));
        }
        return;
      }
      default:
    }
  }

  /** A user message shown live (no id then) that history now names: it takes the key instead of a second copy. */
  adoptShownUser(id, text) {
    for (const el of this.log.querySelectorAll('.item.user')) {
      if (!el.item.keyed && el.item.text === text) {
        el.item.keyed = true;
        this.items.set(`${id}:user`, el.item);
        return true;
      }
    }
    return false;
  }

  // scrolling and the composer

  nearEnd() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 120;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  fitInput() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }
}
