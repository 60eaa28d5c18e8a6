// Keyboard shortcuts: one registry for the whole dashboard. Pages register their own with
// registerShortcut(key, descriptionKey, handler, {scope}) and unregister them when they
// leave (the function it returns). A shortcut fires wherever the focus is, selects,
// checkboxes and buttons included, except in a text field (text inputs, textareas,
// contenteditable) and while a dialog is open; Escape leaves a text field. A key of two
// words ("g i") is a sequence: the first, then the second within 1.5 s. `?` opens the
// cheat sheet, listing what is registered now.

import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'keys.title': 'Keyboard shortcuts',
    'keys.intro': 'They work wherever the focus is, except while typing in a text field: Esc leaves the field first.',
    'keys.scope.global': 'Everywhere',
    'keys.scope.inbox': 'Inbox',
    'keys.scope.case': 'Case page',
    'keys.or': 'or',
    'keys.then': 'then',
    'keys.close': 'Close',
    'keys.help': 'Show the keyboard shortcuts',
    'keys.search': 'Search',
    'keys.inbox': 'Go to the inbox',
    'keys.inbox.next': 'Next case',
    'keys.inbox.previous': 'Previous case',
    'keys.inbox.select': 'Select the case for a bulk action',
  },
  fr: {
    'keys.title': 'Raccourcis clavier',
    'keys.intro': 'Ils fonctionnent où que soit le focus, sauf pendant la saisie dans un champ de texte : Échap quitte d’abord le champ.',
    'keys.scope.global': 'Partout',
    'keys.scope.inbox': 'Boîte de réception',
    'keys.scope.case': 'Page d’un dossier',
    'keys.or': 'ou',
    'keys.then': 'puis',
    'keys.close': 'Fermer',
    'keys.help': 'Afficher les raccourcis clavier',
    'keys.search': 'Rechercher',
    'keys.inbox': 'Aller à la boîte de réception',
    'keys.inbox.next': 'Dossier suivant',
    'keys.inbox.previous': 'Dossier précédent',
    'keys.inbox.select': 'Sélectionner le dossier pour une action groupée',
  },
});

const SCOPES = ['global', 'inbox', 'case'];
const SEQUENCE_MS = 1500;
// Input types that take no typing: shortcuts fire on them.
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

const shortcuts = [];
let pending = '';
let pendingTimer = 0;
let enabled = () => true;

// Adds a shortcut; returns the function that removes it.
export function registerShortcut(key, descriptionKey, handler, { scope = 'global' } = {}) {
  const entry = { key, descriptionKey, handler, scope };
  shortcuts.push(entry);
  return () => {
    const at = shortcuts.indexOf(entry);
    if (at >= 0) shortcuts.splice(at, 1);
  };
}

export function registeredShortcuts() {
  return shortcuts.map(({ key, descriptionKey, scope }) => ({ key, descriptionKey, scope }));
}

// Whether keys typed in `el` are text: there shortcuts do not fire.
export function isTextField(el) {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  return el.tagName === 'INPUT' && !NOT_TEXT.has((el.getAttribute('type') || 'text').toLowerCase());
}

function fire(entry, event) {
  if (entry.handler(event) === false) return;
  event.preventDefault();
}

function onKeydown(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || !enabled()) return;
  const target = event.target;
  if (isTextField(target)) {
    // Esc leaves the field (in a dialog, Esc closes the dialog instead).
    if (event.key === 'Escape' && !target.closest('dialog')) target.blur();
    return;
  }
  if (document.querySelector('dialog[open]') || event.key.length !== 1) return;
  clearTimeout(pendingTimer);
  if (pending) {
    const sequence = shortcuts.find((s) => s.key === `${pending} ${event.key}`);
    pending = '';
    if (sequence) {
      fire(sequence, event);
      return;
    }
  }
  if (shortcuts.some((s) => s.key.startsWith(`${event.key} `))) {
    pending = event.key;
    pendingTimer = setTimeout(() => {
      pending = '';
    }, SEQUENCE_MS);
    event.preventDefault();
    return;
  }
  // The latest registered wins: a page's own over the global ones.
  const entry = [...shortcuts].reverse().find((s) => s.key === event.key);
  if (entry) fire(entry, event);
}

function keyLabel(key) {
  const parts = key.split(' ');
  const out = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(` ${t('keys.then')} `);
    out.push(h('kbd', {}, part));
  });
  return out;
}

// The cheat sheet: the registered shortcuts by scope, those of one description together.
export function openCheatSheet() {
  document.getElementById('shortcuts-dialog')?.remove();
  const opener = document.activeElement;
  const groups = SCOPES.map((scope) => {
    const rows = [];
    for (const s of shortcuts.filter((x) => x.scope === scope)) {
      const row = rows.find((r) => r.descriptionKey === s.descriptionKey);
      if (row) row.keys.push(s.key);
      else rows.push({ descriptionKey: s.descriptionKey, keys: [s.key] });
    }
    if (!rows.length) return null;
    return [
      h('h3', { id: `shortcuts-${scope}` }, t(`keys.scope.${scope}`)),
      h(
        'dl',
        { class: 'shortcut-list', 'aria-labelledby': `shortcuts-${scope}` },
        rows.map((r) =>
          h(
            'div',
            { class: 'shortcut', 'data-keys': r.keys.join(',') },
            h('dt', {}, r.keys.map((k, i) => [i > 0 ? ` ${t('keys.or')} ` : null, keyLabel(k)])),
            h('dd', {}, t(r.descriptionKey)),
          ),
        ),
      ),
    ];
  });
  const close = h('button', { type: 'button', id: 'shortcuts-close' }, t('keys.close'));
  const dialog = h(
    'dialog',
    { id: 'shortcuts-dialog', class: 'dialog shortcuts', 'aria-labelledby': 'shortcuts-h', 'aria-describedby': 'shortcuts-intro' },
    h('h2', { id: 'shortcuts-h' }, t('keys.title')),
    h('p', { class: 'hint', id: 'shortcuts-intro' }, t('keys.intro')),
    groups,
    h('div', { class: 'buttons' }, close),
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  return dialog;
}

// Listens on the document, once; `isEnabled()` says whether shortcuts apply (signed in).
export function installKeys(isEnabled) {
  enabled = isEnabled || (() => true);
  document.addEventListener('keydown', onKeydown);
  registerShortcut('?', 'keys.help', () => {
    openCheatSheet();
  });
}

// ---- the inbox's order, for "next case" and "previous case" on a case page ----

const ORDER_KEY = 'ecoute.caseOrder';

// The case ids in the order the inbox shows them.
export function rememberCaseOrder(ids) {
  try {
    sessionStorage.setItem(ORDER_KEY, JSON.stringify(ids.slice(0, 1000)));
  } catch {
    // storage full or refused: next/previous then ask the server
  }
}

export function caseOrder() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(ORDER_KEY) || '[]');
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch {
    return [];
  }
}

