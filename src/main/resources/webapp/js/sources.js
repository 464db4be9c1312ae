// Sources: create, upload files (progress until the background job completes or fails, with its error), delete.
import { h, clear, toast, busy, confirmAction, field, formatDate } from './dom.js';
import { api, upload, ApiError } from './api.js';

const POLL_MS = 700;

export class SourcesView {
  constructor() {
    this.list = h('div', { class: 'source-list' });
    this.name = h('input', { name: 'name', required: true, placeholder: 'e.g. handbook', id: 'source-name' });
    this.description = h('input', { name: 'description', placeholder: 'optional' });
    const create = h('button', { class: 'primary', type: 'submit' }, 'Create source');
    const form = h('form', { class: 'card create-source', onsubmit: (e) => {
      e.preventDefault();
      busy(create, () => this.create())();
    } }, h('h2', {}, 'New source'), field('Name', this.name), field('Description', this.description), create);
    this.element = h('div', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Sources'),
        h('p', { class: 'muted' }, 'Documents the server splits into passages and embeds. Attach a source to an'
          + ' agent (its Sources tab) to make them part of its archival memory. Files: .txt, .md, .json, .jsonl, .pdf.')),
      h('div', { class: 'page-grid' }, this.list, form));
    this.timers = new Set();
  }

  show() {
    this.reload();
  }

  close() {
    this.timers.forEach((t) => clearTimeout(t));
  }

  async reload() {
    try {
      const { sources } = await api('GET', '/api/sources');
      clear(this.list, sources.length ? sources.map((s) => this.card(s))
        : h('p', { class: 'muted empty-note' }, 'No sources yet.'));
    } catch (e) {
      clear(this.list, h('p', { class: 'form-error' }, e.message));
    }
  }

  async create() {
    const name = this.name.value.trim();
    if (!name) return;
    await api('POST', '/api/sources', { name, description: this.description.value.trim() || undefined });
    this.name.value = '';
    this.description.value = '';
    toast(`Source ${name} created`);
    await this.reload();
  }

  card(s) {
    const file = h('input', { type: 'file', accept: '.txt,.md,.json,.jsonl,.pdf', class: 'file-input',
      'aria-label': `Upload a file to ${s.name}` });
    const jobs = h('ul', { class: 'jobs' });
    const stats = h('span', { class: 'muted' }, counts(s));
    file.addEventListener('change', () => {
      for (const f of file.files) this.upload(s, f, jobs, stats);
      file.value = '';
    });
    const del = h('button', { class: 'ghost small danger-text' }, 'Delete');
    del.addEventListener('click', busy(del, async () => {
      if (!await confirmAction('Delete source', `Delete ${s.name} with its documents and passages?`, 'Delete')) return;
      await api('DELETE', `/api/sources/${s.id}`);
      toast(`Deleted ${s.name}`);
      await this.reload();
    }));
    const attached = s.metadata_.attached_agents || [];
    return h('section', { class: 'card source', dataset: { source: s.name } },
      h('div', { class: 'source-head' }, h('h3', {}, s.name), h('div', { class: 'spacer' }), del),
      s.description ? h('p', {}, s.description) : null,
      h('p', { class: 'source-stats' }, stats,
        attached.length ? h('span', { class: 'muted' }, ` · attached to ${attached.map((a) => a.name).join(', ')}`) : null),
      h('label', { class: 'upload' }, h('span', { class: 'button-like' }, 'Upload a file…'), file),
      jobs);
  }

  async upload(source, file, jobs, stats) {
    const bar = h('progress', { max: 1, value: 0 });
    const state = h('span', { class: 'job-state' }, 'uploading');
    const row = h('li', { class: 'job', dataset: { file: file.name } }, h('span', { class: 'job-name' }, file.name), bar,
      state);
    jobs.prepend(row);
    let job;
    try {
      job = await upload(`/api/sources/${source.id}/upload`, file, (p) => { bar.value = p; });
    } catch (e) {
      fail(row, state, e instanceof ApiError ? e.message : String(e));
      return;
    }
    bar.value = 1;
    bar.removeAttribute('value'); // indeterminate while the server reads and embeds
    state.textContent = 'processing';
    const poll = async () => {
      try {
        job = await api('GET', `/api/sources/status/${job.id}`);
      } catch (e) {
        fail(row, state, e.message);
        return;
      }
      if (job.status === 'completed') {
        bar.max = 1;
        bar.value = 1;
        row.classList.add('done');
        const n = job.metadata_ && job.metadata_.num_passages;
        state.textContent = `completed${n !== undefined ? ` · ${plural(n, 'passage')}` : ''}`;
        const fresh = await api('GET', `/api/sources/${source.id}`).catch(() => null);
        if (fresh) stats.textContent = counts(fresh);
      } else if (job.status === 'failed') {
        fail(row, state, (job.metadata_ && job.metadata_.error) || 'the job failed');
      } else {
        const t = setTimeout(() => { this.timers.delete(t); poll(); }, POLL_MS);
        this.timers.add(t);
      }
    };
    poll();
  }
}

function fail(row, state, message) {
  row.classList.add('failed');
  row.querySelector('progress').remove();
  state.textContent = `failed: ${message}`;
  state.setAttribute('role', 'alert');
}

function counts(s) {
  const m = s.metadata_ || {};
  return `${plural(m.num_documents ?? 0, 'document')} · ${plural(m.num_passages ?? 0, 'passage')} · created`
    + ` ${formatDate(s.created_at)}`;
}

function plural(n, word) {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
