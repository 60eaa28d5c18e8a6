// Settings: the brand catalog (docs/BRANDS.md). Everyone who opens the settings reads the
// brands with their aliases, accounts and domains; an administrator adds, edits and deletes
// them. Before saving, Preview runs the definition over the newest stored posts and shows
// the posts it would match and those the definition in force matches that it would lose,
// the matched words highlighted. A brand's edit view also holds the sources proposed for it
// (settings_listening.js, when the server's dashboard has it).

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { errorText } from '../errors.js';
import { formField, formFields } from '../forms.js';
import { addStrings, formatDate, t } from '../i18n.js';

addStrings({
  en: {
    'catalog.title': 'Brands',
    'catalog.intro': 'The brands ecoute listens for, and every way people write them. A change applies at once to the posts that arrive next; stored posts keep their analysis. Rules, users, templates and searches accept a brand’s name or any alias (brand:voltaire finds “Voltaire Énergie”).',
    'catalog.aliases': 'Aliases',
    'catalog.handles': 'Accounts',
    'catalog.domains': 'Domains',
    'catalog.not': 'Not the brand',
    'catalog.commonWord': 'The name is also a common word',
    'catalog.commonWordHint': 'It then counts only with a sign of the brand nearby: a capital letter mid-sentence, one of its accounts or domains, another alias, a word of a topic.',
    'catalog.listHint': 'Separate them with commas or new lines.',
    'catalog.notHint': 'Phrases that look like the brand but are not (“Orange mécanique”), separated with new lines or commas.',
    'catalog.origin': 'Defined by',
    'catalog.origin.file': 'the catalog file',
    'catalog.origin.api': 'Settings',
    'catalog.updated': 'Changed',
    'catalog.add': 'Add a brand',
    'catalog.editTitle': 'Edit “{name}”',
    'catalog.preview': 'Preview',
    'catalog.previewing': 'Analyzing the latest posts…',
    'catalog.previewSummary': '{matched} of the latest {scanned} posts name “{name}”.',
    'catalog.previewLost': '{n} posts named “{name}” as it is defined now would no longer be.',
    'catalog.previewNoneLost': 'No post named by the brand as it is defined now would be lost.',
    'catalog.previewMatched': 'Posts it names',
    'catalog.previewLostTitle': 'Posts it would no longer name',
    'catalog.previewFirst': 'The first {n} are shown.',
    'catalog.added': 'Brand “{name}” added: new posts are analyzed with it.',
    'catalog.saved': 'Brand “{name}” saved: new posts are analyzed with it.',
    'catalog.deleted': 'Brand “{name}” deleted: its posts and cases stay.',
    'catalog.confirmDelete': 'Delete the brand “{name}”? New posts will no longer be matched to it; its posts and cases stay.',
    'catalog.entry': 'Entry {n} (“{value}”):',
    'catalog.listening': 'Sources for this brand',
    'error.code.empty_entry': 'An entry is empty: remove it.',
    'error.code.too_many': 'Too many entries: {max} at most.',
    'error.code.no_letters': 'Give at least one letter or digit.',
    'error.code.invalid_domain': '“{value}” is not a site name such as example.com.',
    'error.code.name_fixed': 'A brand’s name cannot change: add the new name as an alias instead.',
    'catalog.clash': 'Already the name or an alias of “{brand}”.',
  },
  fr: {
    'catalog.title': 'Marques',
    'catalog.intro': 'Les marques qu’écoute ecoute, et toutes les façons de les écrire. Un changement s’applique aussitôt aux messages qui arrivent ensuite ; les messages déjà enregistrés gardent leur analyse. Les règles, les utilisateurs, les modèles et la recherche acceptent le nom d’une marque ou l’un de ses alias (brand:voltaire trouve « Voltaire Énergie »).',
    'catalog.aliases': 'Alias',
    'catalog.handles': 'Comptes',
    'catalog.domains': 'Domaines',
    'catalog.not': 'Pas la marque',
    'catalog.commonWord': 'Le nom est aussi un mot courant',
    'catalog.commonWordHint': 'Il ne compte alors qu’avec un signe de la marque à proximité : une majuscule en milieu de phrase, l’un de ses comptes ou domaines, un autre alias, un mot d’un sujet.',
    'catalog.listHint': 'Séparez-les par des virgules ou des retours à la ligne.',
    'catalog.notHint': 'Expressions qui ressemblent à la marque sans l’être (« Orange mécanique »), séparées par des retours à la ligne ou des virgules.',
    'catalog.origin': 'Défini par',
    'catalog.origin.file': 'le fichier du catalogue',
    'catalog.origin.api': 'les réglages',
    'catalog.updated': 'Modifié',
    'catalog.add': 'Ajouter une marque',
    'catalog.editTitle': 'Modifier « {name} »',
    'catalog.preview': 'Aperçu',
    'catalog.previewing': 'Analyse des derniers messages…',
    'catalog.previewSummary': '{matched} des {scanned} derniers messages nomment « {name} ».',
    'catalog.previewLost': '{n} messages qui nomment « {name} » selon sa définition actuelle ne la nommeraient plus.',
    'catalog.previewNoneLost': 'Aucun message qui nomme la marque selon sa définition actuelle ne serait perdu.',
    'catalog.previewMatched': 'Messages qu’elle nomme',
    'catalog.previewLostTitle': 'Messages qu’elle ne nommerait plus',
    'catalog.previewFirst': 'Les {n} premiers sont affichés.',
    'catalog.added': 'Marque « {name} » ajoutée : les nouveaux messages sont analysés avec elle.',
    'catalog.saved': 'Marque « {name} » enregistrée : les nouveaux messages sont analysés avec elle.',
    'catalog.deleted': 'Marque « {name} » supprimée : ses messages et ses dossiers restent.',
    'catalog.confirmDelete': 'Supprimer la marque « {name} » ? Les nouveaux messages ne lui seront plus attribués ; ses messages et ses dossiers restent.',
    'catalog.entry': 'Entrée {n} (« {value} ») :',
    'catalog.listening': 'Sources de cette marque',
    'error.code.empty_entry': 'Une entrée est vide : supprimez-la.',
    'error.code.too_many': 'Trop d’entrées : {max} au plus.',
    'error.code.no_letters': 'Donnez au moins une lettre ou un chiffre.',
    'error.code.invalid_domain': '« {value} » n’est pas un nom de site comme exemple.fr.',
    'error.code.name_fixed': 'Le nom d’une marque ne peut pas changer : ajoutez plutôt le nouveau nom comme alias.',
    'catalog.clash': 'Déjà le nom ou un alias de « {brand} ».',
  },
});

const LISTS = ['aliases', 'handles', 'domains', 'not'];
const PREVIEW_POSTS = 1000;

// "a, b\nc" -> ["a", "b", "c"]
export function splitList(text) {
  return String(text || '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const listText = (value) => (Array.isArray(value) && value.length ? value.join(', ') : t('common.none'));

// `text` with each occurrence of `words` (any case) in a <mark>.
export function highlighted(text, words) {
  const wanted = (words || []).filter(Boolean).map((w) => w.toLowerCase());
  if (!wanted.length) return [text];
  const lower = text.toLowerCase();
  const parts = [];
  let at = 0;
  while (at < text.length) {
    let best = -1;
    let length = 0;
    for (const w of wanted) {
      const found = lower.indexOf(w, at);
      if (found >= 0 && (best < 0 || found < best || (found === best && w.length > length))) {
        best = found;
        length = w.length;
      }
    }
    if (best < 0) break;
    if (best > at) parts.push(text.slice(at, best));
    parts.push(h('mark', { class: 'cue-brand' }, text.slice(best, best + length)));
    at = best + length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

// An API refusal of a brand as a sentence: a clash names the other brand, and an error on
// one entry of a list ("aliases[2]") says which.
function brandError(err, sent) {
  const field = String((err && err.field) || '').replace(/^brand\./, '');
  let text = err && err.code === 'already_exists' && err.params && err.params.brand ? t('catalog.clash', err.params) : errorText(err);
  const entry = field.match(/^(\w+)\[(\d+)\]$/);
  if (entry && sent && Array.isArray(sent[entry[1]])) {
    const n = Number(entry[2]);
    text = `${t('catalog.entry', { n: n + 1, value: sent[entry[1]][n] ?? '' })} ${text}`;
  }
  return { field: entry ? entry[1] : field, text };
}

function previewList(title, posts, total) {
  if (!posts.length) return null;
  return h(
    'div',
    { class: 'brand-preview-list' },
    h('h4', {}, title),
    total > posts.length ? h('p', { class: 'hint' }, t('catalog.previewFirst', { n: posts.length })) : null,
    h(
      'ol',
      { class: 'hits' },
      posts.map((p) =>
        h(
          'li',
          { class: 'hit', 'data-post-id': p.id },
          h('div', { class: 'hit-head' }, h('strong', {}, p.author || t('common.none')), p.published_at ? h('span', { class: 'note' }, formatDate(p.published_at)) : null),
          h('p', { class: 'snippet' }, highlighted(p.text, p.words)),
        ),
      ),
    ),
  );
}

function showPreview(box, result) {
  clear(box);
  const lost = result.lost_count || 0;
  box.append(
    h('p', { id: 'brand-preview-summary' }, t('catalog.previewSummary', { matched: result.matched, scanned: result.scanned, name: result.brand })),
    h('p', { class: 'note', id: 'brand-preview-lost' }, lost ? t('catalog.previewLost', { n: lost, name: result.brand }) : t('catalog.previewNoneLost')),
    previewList(t('catalog.previewMatched'), result.posts || [], result.matched),
    previewList(t('catalog.previewLostTitle'), result.lost || [], lost),
  );
}

// The form: a new brand, or the one given to edit(). `saved(brand, isNew)` runs after a save.
function brandForm(ctx, saved) {
  const area = (name) => h('textarea', { name, rows: '2', autocomplete: 'off' });
  const fields = {
    name: formField(t('col.brand'), h('input', { name: 'name', autocomplete: 'off', maxlength: '200' }), { required: true }),
    aliases: formField(t('catalog.aliases'), area('aliases'), { hint: t('catalog.listHint') }),
    handles: formField(t('catalog.handles'), area('handles'), { hint: t('catalog.listHint') }),
    domains: formField(t('catalog.domains'), area('domains'), { hint: t('catalog.listHint') }),
    not: formField(t('catalog.not'), area('not'), { hint: t('catalog.notHint') }),
    common_word: formField(t('catalog.commonWord'), h('input', { type: 'checkbox', name: 'common_word' }), { hint: t('catalog.commonWordHint') }),
  };
  const f = formFields(fields);
  const v = (k) => fields[k].input;
  const titleId = newId('brand-form');
  const title = h('h3', { id: titleId }, t('catalog.add'));
  const line = h('p', { class: 'note wide', role: 'status', id: 'brand-form-status' });
  const previewButton = h('button', { type: 'button', class: 'secondary', id: 'brand-preview-button' }, t('catalog.preview'));
  const submit = h('button', { type: 'submit' }, t('common.add'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.cancel'));
  const preview = h('div', { class: 'wide', id: 'brand-preview', 'aria-live': 'polite' });
  const listening = h('div', { class: 'wide' });
  const el = h(
    'form',
    { class: 'create', id: 'brands-form', novalidate: true, 'aria-labelledby': titleId },
    title,
    h('p', { class: 'hint wide' }, t('form.requiredNote')),
    Object.values(fields).map((x) => x.el),
    h('div', { class: 'buttons' }, previewButton, ' ', submit, ' ', cancel),
    line,
    preview,
    listening,
  );
  let editing = null;

  const read = () => {
    const body = { name: v('name').value.trim(), common_word: v('common_word').checked };
    for (const k of LISTS) body[k] = splitList(v(k).value);
    return body;
  };
  const say = (text, isError = false) => {
    line.className = isError ? 'error wide' : 'note wide';
    line.textContent = text || '';
  };
  const fail = (err, sent) => {
    const { field, text } = brandError(err, sent);
    if (fields[field]) {
      fields[field].set(text);
      fields[field].focus();
    } else {
      say(text, true);
    }
  };
  const fill = (b) => {
    v('name').value = b ? b.name : '';
    for (const k of LISTS) v(k).value = b ? (b[k] || []).join('\n') : '';
    v('common_word').checked = Boolean(b && b.common_word);
  };
  const reset = () => {
    editing = null;
    f.clear();
    fill(null);
    v('name').disabled = false;
    title.textContent = t('catalog.add');
    submit.textContent = t('common.add');
    cancel.hidden = true;
    clear(preview);
    clear(listening);
    say('');
  };

  previewButton.addEventListener('click', async () => {
    say('');
    if (!f.checkRequired()) return;
    const body = read();
    clear(preview);
    preview.append(h('p', { class: 'note' }, t('catalog.previewing')));
    try {
      showPreview(preview, await api('POST', '/brands/preview', { brand: body, limit: PREVIEW_POSTS }));
    } catch (err) {
      clear(preview);
      fail(err, body);
    }
  });
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    say('');
    if (!f.checkRequired()) return;
    const body = read();
    const wasEditing = editing;
    try {
      const result = wasEditing ? await api('PUT', `/brands/${encodeURIComponent(wasEditing.name)}`, body) : await api('POST', '/brands', body);
      reset();
      await saved(result, !wasEditing);
    } catch (err) {
      fail(err, body);
    }
  });
  cancel.addEventListener('click', reset);
  reset();

  return {
    el,
    edit(brand) {
      reset();
      editing = brand;
      fill(brand);
      // The name is the brand's identity (users, rules, teams and stored posts name it).
      v('name').disabled = true;
      title.textContent = t('catalog.editTitle', { name: brand.name });
      submit.textContent = t('common.save');
      cancel.hidden = false;
      const section = h('section', { id: 'brand-listening', 'aria-label': t('catalog.listening') });
      listening.append(section);
      import('./settings_listening.js').then((m) => m.renderListening(section, brand.name, ctx), () => {});
      el.scrollIntoView({ block: 'nearest' });
      v('aliases').focus();
    },
  };
}

// The section: the table of brands and, for an administrator, the form.
export function brandsSection(ctx, admin) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status', id: 'settings-brands-status' });
  const holder = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': headingId });
  const el = h('section', { class: 'settings-section', id: 'settings-brands', 'aria-labelledby': headingId }, h('h2', { id: headingId }, t('catalog.title')), h('p', { class: 'hint' }, t('catalog.intro')), status, holder);

  const say = (text, isError = false) => {
    status.className = isError ? 'error' : 'note';
    status.textContent = text || '';
    if (text && !isError && ctx.announce) ctx.announce(text);
  };
  // Other pages keep the list of brands for the session: they read it again.
  const changed = () => {
    if (ctx.bus) ctx.bus.dispatchEvent(new Event('brands-changed'));
  };

  let form = null;
  async function remove(brand) {
    if (!window.confirm(t('catalog.confirmDelete', { name: brand.name }))) return;
    try {
      await api('DELETE', `/brands/${encodeURIComponent(brand.name)}`);
      changed();
      say(t('catalog.deleted', { name: brand.name }));
      await reload();
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const row = (b) =>
    h(
      'tr',
      { 'data-brand': b.name },
      h('th', { scope: 'row' }, b.name),
      h('td', {}, listText(b.aliases)),
      h('td', {}, listText(b.handles)),
      h('td', {}, listText(b.domains)),
      h('td', {}, t(`catalog.origin.${b.origin === 'file' ? 'file' : 'api'}`)),
      h('td', {}, formatDate(b.updated_at)),
      admin
        ? h(
            'td',
            { class: 'row-actions' },
            h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit', 'aria-label': `${t('common.edit')} ${b.name}`, onclick: () => form.edit(b) }, t('common.edit')),
            h('button', { type: 'button', class: 'danger small', 'data-action': 'delete', 'aria-label': `${t('common.delete')} ${b.name}`, onclick: () => remove(b) }, t('common.delete')),
          )
        : null,
    );

  async function reload() {
    try {
      const data = await api('GET', '/brands');
      if (!ctx.isCurrent()) return;
      const brands = (data && data.brands) || [];
      clear(holder);
      if (!brands.length) {
        holder.append(h('p', { class: 'note' }, t('settings.empty')));
        return;
      }
      const heads = ['col.brand', 'catalog.aliases', 'catalog.handles', 'catalog.domains', 'catalog.origin', 'catalog.updated'];
      if (admin) heads.push('settings.actions');
      holder.append(
        h(
          'table',
          { class: 'settings-table brands-table' },
          h('caption', { class: 'visually-hidden' }, t('catalog.title')),
          h('thead', {}, h('tr', {}, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, brands.map(row)),
        ),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(holder);
      holder.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  }

  if (admin) {
    form = brandForm(ctx, async (brand, isNew) => {
      changed();
      say(t(isNew ? 'catalog.added' : 'catalog.saved', { name: brand.name }));
      await reload();
    });
    el.append(form.el);
  }
  reload();
  return el;
}
