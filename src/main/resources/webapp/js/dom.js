// Small DOM helpers: elements are built with h(), text always goes in as text (never as HTML).

/** h('button', {class: 'x', onclick: fn, disabled: true}, 'Save', child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'text') {
      el.textContent = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value') {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A short message in the corner; errors stay longer. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 3500);
}

/** A modal dialog; resolves with the form's values, or null when cancelled. */
export function dialog(title, body, { submit = 'OK', danger = false, onOpen } = {}) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', {}, title), body, error,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'ghost', value: 'cancel', onclick: () => dlg.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, submit)));
    const dlg = h('dialog', { class: 'modal' }, form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      dlg.close('ok');
    });
    dlg.addEventListener('close', () => {
      const values = Object.fromEntries(new FormData(form).entries());
      dlg.remove();
      resolve(dlg.returnValue === 'ok' ? values : null);
    });
    document.body.append(dlg);
    dlg.showModal();
    if (onOpen) onOpen(form);
  });
}

export async function confirmAction(title, message, submit) {
  return (await dialog(title, h('p', {}, message), { submit, danger: true })) !== null;
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input,
    hint ? h('span', { class: 'hint' }, hint) : null);
}

export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function shortTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A button that shows it is busy while its action runs, and reports the action's failure. */
export function busy(button, action) {
  return async (...args) => {
    if (button.disabled) return;
    button.disabled = true;
    button.classList.add('busy');
    try {
      return await action(...args);
    } catch (e) {
      toast(e.message || String(e), 'error');
    } finally {
      button.disabled = false;
      button.classList.remove('busy');
    }
  };
}
