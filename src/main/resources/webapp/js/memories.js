// Mem0 memories: a scope (user, agent or run id) browsed oldest first, searched by meaning with scores, and each
// memory's history of changes.
import { h, clear, toast, formatDate } from './dom.js';
import { api, query } from './api.js';

export class MemoriesView {
  constructor() {
    this.kind = h('select', { 'aria-label': 'Scope kind', id: 'scope-kind' },
      h('option', { value: 'user_id' }, 'user'), h('option', { value: 'agent_id' }, 'agent'),
      h('option', { value: 'run_id' }, 'run'));
    this.scope = h('input', { placeholder: 'e.g. alice', id: 'scope-id', 'aria-label': 'Scope id', required: true });
    this.search = h('input', { type: 'search', placeholder: 'Search these memories (optional)', id: 'memory-query',
      'aria-label': 'Search memories' });
    this.heading = h('p', { class: 'muted list-head' }, 'Choose a scope: Mem0 keeps memories per user, agent or run id.');
    this.list = h('ul', { class: 'memories' });
    this.more = h('button', { class: 'ghost small', hidden: true, onclick: () => this.browse(false) }, 'Load more');
    const form = h('form', { class: 'scope-row card', onsubmit: (e) => {
      e.preventDefault();
      if (this.search.value.trim()) this.find();
      else this.browse(true);
    } }, this.kind, this.scope, this.search, h('button', { class: 'primary', type: 'submit', id: 'memory-go' }, 'Show'));
    this.element = h('div', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Memories'),
        h('p', { class: 'muted' }, 'The Mem0 side of Engram: facts extracted from conversations by POST /memories.')),
      form, this.heading, this.list, this.more);
    this.cursor = null;
  }

  show() {}

  close() {}

  scopeParams() {
    return { [this.kind.value]: this.scope.value.trim() };
  }

  async browse(fresh) {
    if (fresh) {
      this.cursor = null;
      clear(this.list);
    }
    try {
      const page = await api('GET', `/memories${query({ ...this.scopeParams(), limit: 50, cursor: this.cursor })}`);
      page.results.forEach((m) => this.list.append(this.item(m)));
      this.cursor = page.next_cursor;
      this.more.hidden = !this.cursor;
      this.heading.textContent = this.list.children.length
        ? `Memories of ${this.kind.selectedOptions[0].text} ${this.scope.value.trim()}, oldest first`
        : 'No memories in this scope.';
    } catch (e) {
      this.heading.textContent = e.message;
    }
  }

  async find() {
    try {
      const answer = await api('POST', '/search', { query: this.search.value.trim(), ...this.scopeParams(), limit: 30 });
      clear(this.list, answer.results.map((m) => this.item(m)));
      this.more.hidden = true;
      this.heading.textContent = answer.results.length ? `${answer.results.length} matches, best first (cosine score)`
        : 'Nothing matches.';
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  item(m) {
    const history = h('ol', { class: 'history', hidden: true });
    const toggle = h('button', { class: 'ghost small', 'aria-expanded': 'false' }, 'History');
    toggle.addEventListener('click', async () => {
      const open = history.hidden;
      history.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (!open || history.children.length) return;
      try {
        const rows = await api('GET', `/memories/${m.id}/history`);
        clear(history, rows.map((r) => h('li', {}, h('span', { class: `pill ${r.event.toLowerCase()}` }, r.event),
          r.old_memory ? h('del', {}, r.old_memory) : null, r.new_memory ? h('span', {}, r.new_memory) : null,
          h('span', { class: 'muted' }, formatDate(r.created_at)))));
      } catch (e) {
        clear(history, h('li', { class: 'form-error' }, e.message));
      }
    });
    return h('li', { class: 'memory card' },
      h('div', { class: 'memory-text' }, m.memory),
      h('div', { class: 'passage-meta muted' },
        typeof m.score === 'number' ? h('span', { class: 'score' }, m.score.toFixed(3)) : null,
        m.actor_id ? h('span', { class: 'pill' }, m.actor_id) : null,
        h('span', {}, formatDate(m.updated_at || m.created_at)), h('div', { class: 'spacer' }), toggle),
      history);
  }
}
