// The side panel of an agent: its core memory blocks (edited in place, refreshed when the agent edits them), its
// archival memory (browse, search with scores, insert, delete), recall search, and the sources attached to it.
import { h, clear, toast, busy, confirmAction, formatDate } from './dom.js';
import { api, query } from './api.js';

export class SidePanel {
  constructor(agent) {
    this.agent = agent;
    this.onClose = () => {};
    this.tabs = {
      core: { label: 'Core memory', view: new CoreMemory(agent) },
      archival: { label: 'Archival', view: new Archival(agent) },
      recall: { label: 'Recall', view: new Recall(agent) },
      sources: { label: 'Sources', view: new AttachedSources(agent) },
    };
    this.body = h('div', { class: 'side-body' });
    this.buttons = Object.entries(this.tabs).map(([name, t]) => h('button', { role: 'tab', class: 'tab small',
      dataset: { side: name }, 'aria-selected': 'false', onclick: () => this.select(name) }, t.label));
    this.element = h('div', { class: 'side' },
      h('div', { class: 'side-head' }, h('nav', { role: 'tablist', class: 'tabs' }, this.buttons),
        h('button', { class: 'ghost icon-only close-side', 'aria-label': 'Close panel', onclick: () => this.onClose() },
          '×')),
      this.body);
  }

  start() {
    this.select('core');
  }

  select(name) {
    this.buttons.forEach((b) => b.setAttribute('aria-selected', String(b.dataset.side === name)));
    clear(this.body, this.tabs[name].view.element);
    this.tabs[name].view.show();
  }

  blocksChanged() {
    this.tabs.core.view.refresh();
  }
}

class CoreMemory {
  constructor(agent) {
    this.agent = agent;
    this.editors = new Map();
    this.element = h('div', { class: 'blocks' }, h('p', { class: 'muted' }, 'Loading…'));
    this.loaded = false;
  }

  show() {
    if (!this.loaded) this.refresh();
  }

  /** Reloads the blocks; a block being edited keeps the edit and says that the agent changed it. */
  async refresh() {
    let blocks;
    try {
      blocks = await api('GET', `/v1/agents/${this.agent.id}/core-memory/blocks`);
    } catch (e) {
      clear(this.element, h('p', { class: 'form-error' }, e.message));
      return;
    }
    if (!this.loaded) clear(this.element, h('p', { class: 'hint' },
      'What the agent always keeps in mind. It edits these itself; you can too.'));
    this.loaded = true;
    for (const b of blocks) {
      let editor = this.editors.get(b.label);
      if (!editor) {
        editor = new BlockEditor(this.agent, b);
        this.editors.set(b.label, editor);
        this.element.append(editor.element);
      } else {
        editor.update(b);
      }
    }
  }
}

class BlockEditor {
  constructor(agent, block) {
    this.agent = agent;
    this.block = block;
    this.text = h('textarea', { class: 'block-text', rows: 5, 'aria-label': `${block.label} block`,
      dataset: { label: block.label } });
    this.count = h('span', { class: 'count' });
    this.note = h('span', { class: 'note muted' });
    this.save = h('button', { class: 'primary small', hidden: true }, 'Save');
    this.revert = h('button', { class: 'ghost small', hidden: true, onclick: () => this.reset() }, 'Revert');
    this.save.addEventListener('click', busy(this.save, () => this.store()));
    this.text.addEventListener('input', () => this.changed());
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.save.click();
      if (e.key === 'Escape') this.reset();
    });
    this.element = h('section', { class: 'block', dataset: { label: block.label } },
      h('div', { class: 'block-head' }, h('h3', {}, block.label), this.count),
      this.text,
      h('div', { class: 'block-foot' }, this.note, h('div', { class: 'spacer' }), this.revert, this.save));
    this.reset();
  }

  dirty() {
    return this.text.value !== this.block.value;
  }

  update(block) {
    const agentChanged = block.value !== this.block.value;
    if (this.dirty()) {
      this.block = block;
      if (agentChanged) this.note.textContent = 'The agent changed this block while you were editing it.';
      this.changed();
      return;
    }
    this.block = block;
    this.reset();
    if (agentChanged) {
      this.element.classList.add('flash');
      this.note.textContent = 'Updated by the agent';
      setTimeout(() => this.element.classList.remove('flash'), 1500);
    }
  }

  reset() {
    this.text.value = this.block.value;
    this.changed();
  }

  changed() {
    const n = this.text.value.length;
    const limit = this.block.limit;
    this.count.textContent = `${n.toLocaleString()} / ${limit.toLocaleString()}`;
    this.count.classList.toggle('over', n > limit);
    const dirty = this.dirty();
    this.save.hidden = !dirty;
    this.revert.hidden = !dirty;
    this.save.disabled = n > limit;
    if (!dirty && this.note.textContent.startsWith('The agent')) this.note.textContent = '';
    this.text.style.height = 'auto';
    this.text.style.height = `${Math.min(this.text.scrollHeight + 2, 360)}px`;
  }

  async store() {
    const value = this.text.value;
    const saved = await api('PATCH', `/v1/agents/${this.agent.id}/core-memory/blocks/${encodeURIComponent(this.block.label)}`,
      { value });
    this.block = { ...this.block, value: saved.value ?? value, limit: saved.limit ?? this.block.limit };
    this.note.textContent = 'Saved';
    this.reset();
  }
}

class Archival {
  constructor(agent) {
    this.agent = agent;
    this.after = null;
    this.searchInput = h('input', { type: 'search', placeholder: 'Search archival memory', id: 'archival-query',
      'aria-label': 'Search archival memory' });
    this.results = h('ul', { class: 'passages' });
    this.more = h('button', { class: 'ghost small', hidden: true, onclick: () => this.browse(false) }, 'Load more');
    this.newText = h('textarea', { rows: 3, placeholder: 'Text to remember (long text is split into passages)',
      id: 'archival-new', 'aria-label': 'New passage' });
    const add = h('button', { class: 'primary small', id: 'archival-add' }, 'Insert');
    add.addEventListener('click', busy(add, () => this.insert()));
    const form = h('form', { class: 'search-row', onsubmit: (e) => {
      e.preventDefault();
      this.search();
    } }, this.searchInput, h('button', { class: 'small', type: 'submit' }, 'Search'),
    h('button', { class: 'ghost small', type: 'button', onclick: () => {
      this.searchInput.value = '';
      this.browse(true);
    } }, 'All'));
    this.heading = h('p', { class: 'muted list-head' });
    this.element = h('div', { class: 'archival' }, form, h('div', { class: 'insert' }, this.newText, add),
      this.heading, this.results, this.more);
    this.loaded = false;
  }

  show() {
    if (!this.loaded) this.browse(true);
    this.loaded = true;
  }

  async browse(fresh) {
    if (fresh) {
      this.after = null;
      clear(this.results);
    }
    try {
      const page = await api('GET', `/api/agents/${this.agent.id}/archival${query({ limit: 20, after: this.after })}`);
      const list = page.archival_memory;
      if (list.length) this.after = list[list.length - 1].id;
      this.more.hidden = list.length < 20;
      list.forEach((p) => this.results.append(this.passage(p)));
      this.heading.textContent = this.results.children.length ? 'All passages, oldest first'
        : 'No passages yet. The agent stores some with archival_memory_insert; you can insert some here.';
    } catch (e) {
      this.heading.textContent = e.message;
    }
  }

  async search() {
    const q = this.searchInput.value.trim();
    if (!q) return this.browse(true);
    try {
      const page = await api('GET', `/api/agents/${this.agent.id}/archival${query({ query: q, limit: 20 })}`);
      clear(this.results, page.archival_memory.map((p) => this.passage(p)));
      this.more.hidden = true;
      this.heading.textContent = page.archival_memory.length
        ? `${page.archival_memory.length} best matches (hybrid score)` : 'Nothing matches.';
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async insert() {
    const text = this.newText.value.trim();
    if (!text) return;
    const answer = await api('POST', `/api/agents/${this.agent.id}/archival`, { content: text });
    this.newText.value = '';
    toast(`Stored ${answer.ids.length} passage${answer.ids.length === 1 ? '' : 's'}`);
    this.searchInput.value = '';
    await this.browse(true);
  }

  passage(p) {
    const del = h('button', { class: 'ghost small danger-text', 'aria-label': 'Delete passage' }, 'Delete');
    const li = h('li', { class: 'passage', dataset: { id: p.id } },
      h('div', { class: 'passage-text' }, p.contents ?? p.text),
      h('div', { class: 'passage-meta muted' },
        typeof p.score === 'number' ? h('span', { class: 'score', title: 'relevance score' }, p.score.toFixed(3)) : null,
        p.source_id ? h('span', { class: 'pill' }, 'from a source') : null,
        h('span', {}, formatDate(p.created_at)), h('div', { class: 'spacer' }), p.source_id ? null : del));
    del.addEventListener('click', busy(del, async () => {
      if (!await confirmAction('Delete passage', 'Delete this passage from archival memory?', 'Delete')) return;
      await api('DELETE', `/api/agents/${this.agent.id}/archival${query({ id: p.id })}`);
      li.remove();
      toast('Passage deleted');
    }));
    return li;
  }
}

class Recall {
  constructor(agent) {
    this.agent = agent;
    this.input = h('input', { type: 'search', placeholder: 'Search past messages', id: 'recall-query',
      'aria-label': 'Search past messages' });
    this.results = h('ul', { class: 'passages' });
    this.heading = h('p', { class: 'muted list-head' }, 'Finds past messages the way the agent\'s conversation_search does.');
    this.element = h('div', { class: 'recall' }, h('form', { class: 'search-row', onsubmit: (e) => {
      e.preventDefault();
      this.search();
    } }, this.input, h('button', { class: 'small', type: 'submit' }, 'Search')), this.heading, this.results);
  }

  show() {
    this.input.focus();
  }

  async search() {
    const q = this.input.value.trim();
    if (!q) return;
    try {
      const page = await api('GET', `/api/agents/${this.agent.id}/recall${query({ query: q, limit: 30 })}`);
      this.heading.textContent = page.messages.length ? `${page.messages.length} messages` : 'Nothing matches.';
      clear(this.results, page.messages.map((m) => h('li', { class: 'passage' },
        h('div', { class: 'passage-text' }, readable(m)),
        h('div', { class: 'passage-meta muted' }, h('span', { class: 'pill' }, m.role), formatDate(m.created_at)))));
    } catch (e) {
      toast(e.message, 'error');
    }
  }
}

/** A stored message's words: a user's packed message, or what the agent said through send_message. */
function readable(m) {
  if (m.role === 'user' && m.text && m.text.startsWith('{')) {
    try {
      return JSON.parse(m.text).message ?? m.text;
    } catch {
      return m.text;
    }
  }
  const said = (m.tool_calls || []).filter((c) => c.function.name === 'send_message').map((c) => {
    try {
      return JSON.parse(c.function.arguments).message;
    } catch {
      return '';
    }
  }).filter(Boolean);
  return [m.text, ...said].filter(Boolean).join('\n');
}

class AttachedSources {
  constructor(agent) {
    this.agent = agent;
    this.list = h('ul', { class: 'source-toggles' });
    this.element = h('div', { class: 'attached' },
      h('p', { class: 'hint' }, 'An attached source\'s passages become part of this agent\'s archival memory.'),
      this.list);
  }

  async show() {
    try {
      const { sources } = await api('GET', '/api/sources');
      if (!sources.length) {
        clear(this.list, h('li', { class: 'muted' }, 'No sources yet: create one in the Sources tab.'));
        return;
      }
      clear(this.list, sources.map((s) => this.toggle(s)));
    } catch (e) {
      clear(this.list, h('li', { class: 'form-error' }, e.message));
    }
  }

  toggle(s) {
    const attached = (s.metadata_.attached_agents || []).some((a) => a.id === this.agent.id);
    const box = h('input', { type: 'checkbox', checked: attached, dataset: { source: s.name } });
    box.addEventListener('change', async () => {
      box.disabled = true;
      const verb = box.checked ? 'attach' : 'detach';
      try {
        await api('POST', `/api/sources/${s.id}/${verb}${query({ agent_id: this.agent.id })}`);
        toast(`${box.checked ? 'Attached' : 'Detached'} ${s.name}`);
      } catch (e) {
        box.checked = !box.checked;
        toast(e.message, 'error');
      } finally {
        box.disabled = false;
      }
    });
    return h('li', {}, h('label', { class: 'toggle' }, box, h('span', {}, s.name),
      h('span', { class: 'muted' }, `${s.metadata_.num_passages} passage${s.metadata_.num_passages === 1 ? '' : 's'}`)));
  }
}
