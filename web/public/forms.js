// Forms that say what they need and what went wrong, beside the field: required fields
// marked (a visible asterisk, `required` and aria-required), each error under its field
// (aria-invalid, aria-describedby), the focus moved to the first field in error, and the
// API's refusals placed on the field they name (errors.js turns them into sentences).
//
//   const f = formFields({ name: formField(t('f.name'), h('input', {}), { required: true }) });
//   if (!f.checkRequired()) return;           // marks the empty required fields
//   try { ... } catch (err) { f.showError(err, statusLine); }

import { h, newId } from './dom.js';
import { errorText } from './errors.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'form.requiredNote': 'Fields marked * are required.',
    'form.missing': 'Fill in this field.',
    'form.missingChoice': 'Tick at least one box.',
  },
  fr: {
    'form.requiredNote': 'Les champs marqués d’un * sont obligatoires.',
    'form.missing': 'Remplissez ce champ.',
    'form.missingChoice': 'Cochez au moins une case.',
  },
});

function describe(el, ids) {
  const all = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  for (const id of ids) if (id && !all.includes(id)) all.push(id);
  if (all.length) el.setAttribute('aria-describedby', all.join(' '));
}

// One labelled input with its hint and its error line. Returns {el, input, set(message),
// value(), focus(), empty()}.
export function formField(text, input, { required = false, hint = '' } = {}) {
  const id = input.id || newId('fld');
  input.id = id;
  const error = h('p', { id: `${id}-error`, class: 'error field-error' });
  const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  describe(input, [hintEl && hintEl.id, error.id]);
  if (required) {
    input.required = true;
    input.setAttribute('aria-required', 'true');
  }
  const mark = required ? h('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *') : null;
  const labelEl = h('label', { for: id }, text, mark);
  const isCheck = input.type === 'checkbox';
  const el = h('div', { class: isCheck ? 'field check' : 'field' }, isCheck ? [input, labelEl] : [labelEl, hintEl, input], error);
  return {
    el,
    input,
    required,
    set(message) {
      error.textContent = message || '';
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
    empty: () => (input.type === 'checkbox' ? false : !String(input.value).trim()),
    focus: () => input.focus(),
  };
}

// A group of checkboxes, one per value, with its legend, hint and error line. Returns the
// field interface of formField plus values(), setValues(list) and setDisabled(bool);
// `missing` is the key of the message for a required group left empty.
export function checkGroup(legend, values, labelOf, { required = false, hint = '', name = '', missing = 'form.missingChoice' } = {}) {
  const id = newId('grp');
  const error = h('p', { id: `${id}-error`, class: 'error field-error' });
  const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  const boxes = values.map((v) => h('input', { type: 'checkbox', value: v, id: newId('chk'), name: name || null }));
  const mark = required ? h('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *') : null;
  const el = h(
    'fieldset',
    { class: 'checks', id, 'data-field': name || null },
    h('legend', {}, legend, mark),
    hintEl,
    h(
      'div',
      { class: 'check-list' },
      boxes.map((box) => h('span', { class: 'check' }, box, h('label', { for: box.id }, labelOf(box.value)))),
    ),
    error,
  );
  describe(el, [hintEl && hintEl.id, error.id]);
  for (const box of boxes) describe(box, [error.id]);
  return {
    el,
    required,
    values: () => boxes.filter((b) => b.checked).map((b) => b.value),
    setValues(list) {
      for (const b of boxes) b.checked = (list || []).includes(b.value);
    },
    setDisabled(disabled) {
      el.disabled = disabled;
    },
    set(message) {
      error.textContent = message || '';
      for (const b of boxes) {
        if (message) b.setAttribute('aria-invalid', 'true');
        else b.removeAttribute('aria-invalid');
      }
    },
    empty: () => !el.disabled && boxes.every((b) => !b.checked),
    focus: () => boxes.length && boxes[0].focus(),
    missing,
  };
}

// The fields of one form, by the API's field names: required checks, errors placed by
// field, focus on the first in error.
export function formFields(fields) {
  const list = Object.values(fields);
  const api = {
    fields,
    clear() {
      for (const f of list) f.set('');
    },
    // Marks the required fields left empty; false (and the focus on the first) if any.
    checkRequired() {
      api.clear();
      let first = null;
      for (const f of list) {
        if (f.required && f.empty()) {
          f.set(t(f.missing || 'form.missing'));
          first = first || f;
        }
      }
      if (first) first.focus();
      return !first;
    },
    // An API error: under its field when the form has it (focused), else on `line`.
    showError(err, line) {
      const field = err && err.field && fields[err.field];
      if (field) {
        field.set(errorText(err));
        field.focus();
        return;
      }
      if (line) {
        line.className = 'error';
        line.textContent = errorText(err);
      }
    },
  };
  return api;
}
