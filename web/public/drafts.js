// Drafts kept in the browser (localStorage), per user and per case, field by field, until
// they are sent or discarded: a live update, a reload or a trip to another page loses
// nothing. A field's value is saved as it is typed; bindDraft() wires a field to its draft
// and gives the "draft saved" hint with its "Discard draft" control.

import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'draft.saved': 'Draft saved in this browser.',
    'draft.discard': 'Discard draft',
    'draft.discarded': 'Draft discarded.',
  },
  fr: {
    'draft.saved': 'Brouillon enregistré dans ce navigateur.',
    'draft.discard': 'Abandonner le brouillon',
    'draft.discarded': 'Brouillon abandonné.',
  },
});

const PREFIX = 'ecoute.draft';

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function write(key, fields) {
  try {
    if (Object.keys(fields).length) localStorage.setItem(key, JSON.stringify(fields));
    else localStorage.removeItem(key);
  } catch {
    // storage full or refused: the draft lives as long as the page
  }
}

// The drafts of one user on one case: get, set (an empty value removes), remove, has.
export function caseDrafts(user, caseId) {
  const key = `${PREFIX}:${user}:${caseId}`;
  return {
    get: (field) => read(key)[field],
    has: (field) => read(key)[field] !== undefined,
    set(field, value) {
      const fields = read(key);
      const empty = value === undefined || value === null || value === '';
      if (empty) delete fields[field];
      else fields[field] = value;
      write(key, fields);
    },
    remove(field) {
      const fields = read(key);
      delete fields[field];
      write(key, fields);
    },
  };
}

// Keeps `input`'s value (an input or textarea) as draft `field` of `drafts`: restored now
// when there is one, saved on each change. Returns {control, sent, discard, sync}: control
// is the hint and its "Discard draft" button (shown while a draft is kept); sent() forgets
// the draft once its content went to the server (the caller empties the field); discard()
// empties the field and forgets it; `onChange()` after each of these.
export function bindDraft(drafts, field, input, { announce = () => {}, onChange = () => {} } = {}) {
  const saved = drafts.get(field);
  if (typeof saved === 'string' && saved) input.value = saved;
  const id = `${input.id || field}-draft`;
  const button = h('button', { type: 'button', class: 'link-button draft-discard', 'data-draft': field }, t('draft.discard'));
  const control = h('p', { class: 'draft-state', id, 'data-draft': field, hidden: true }, h('span', { class: 'hint' }, t('draft.saved')), ' ', button);

  function sync() {
    control.hidden = !drafts.has(field);
  }
  function discard() {
    input.value = '';
    drafts.remove(field);
    sync();
    input.dispatchEvent(new Event('draft-discarded'));
    announce(t('draft.discarded'));
    onChange();
  }
  input.addEventListener('input', () => {
    drafts.set(field, input.value.trim() ? input.value : '');
    sync();
    onChange();
  });
  button.addEventListener('click', () => {
    discard();
    input.focus();
  });
  sync();
  return {
    control,
    sync,
    discard,
    sent() {
      drafts.remove(field);
      sync();
      onChange();
    },
  };
}
