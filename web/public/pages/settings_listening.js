// From a brand to its listening (docs/LISTENING.md): the sources ecoute proposes for one
// brand, grouped by kind, each with why it is proposed, those already watched marked with a
// link to their source; an administrator ticks some and accepts them, which also reads the
// brand's recent past once (the back-fill, whose outcome shows here). And the search-feed
// templates, a Settings section of their own.
//
//   renderListening(section, brandName, ctx)  fills `section` (the brand page mounts it)
//   templatesSection(ctx)                     a Settings section, id "templates-section"

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { errorText } from '../errors.js';
import { formField, formFields } from '../forms.js';
import { addStrings, formatDate, t } from '../i18n.js';

addStrings({
  en: {
    'listen.title': 'Listening',
    'listen.intro': 'Sources ecoute proposes for {brand}. Tick those to watch and accept them: ecoute then also reads the brand’s recent past once.',
    'listen.readonly': 'Only an administrator can accept proposals.',
    'listen.kind.jetstream': 'Bluesky, the whole network',
    'listen.kind.mastodon_stream': 'Mastodon hashtags, live',
    'listen.kind.feed': 'Search feeds',
    'listen.kind.backfill': 'Searches of the recent past',
    'listen.kindHint.jetstream': 'One stream for every brand: only posts naming a brand of the catalog are kept.',
    'listen.kindHint.mastodon_stream': 'Posts with these hashtags, as they are written, on the instances of the server’s settings.',
    'listen.kindHint.feed': 'The search-feed templates of the settings, filled with the brand’s names.',
    'listen.kindHint.backfill': 'Accepted, a search is also read again every 15 minutes.',
    'listen.noMastodon': 'No Mastodon instance is configured: an administrator lists some in the server’s settings ([listen] mastodon_instances).',
    'listen.noFeed': 'No search-feed template yet: add one under “Search-feed templates” in the settings.',
    'listen.col.source': 'Source',
    'listen.col.why': 'Why',
    'listen.col.state': 'State',
    'listen.watched': 'watched',
    'listen.watchedLink': 'Watched: source {id}',
    'listen.proposed': 'proposed',
    'listen.from.name': 'its name “{from}”',
    'listen.from.alias': 'its alias “{from}”',
    'listen.from.handle': 'its account {from}',
    'listen.reason.network_stream': 'Every post written on Bluesky, for all brands at once; the catalog keeps those that name one.',
    'listen.reason.hashtag': 'The hashtag #{tag}, from {from}, live on {instance}.',
    'listen.reason.template': 'The template “{template}”, searching {from}.',
    'listen.reason.search': 'Bluesky’s search for {from}: the last {days} days are read when you accept.',
    'listen.reason.tag_timeline': 'The recent posts of #{tag} on {instance}, from {from}: the last {days} days are read when you accept.',
    'listen.accept': 'Accept selected',
    'listen.again': 'Read the recent past again',
    'listen.noneTicked': 'Tick at least one proposal.',
    'listen.accepted.one': '1 source added. The recent past is being read in the background.',
    'listen.accepted.other': '{count} sources added. The recent past is being read in the background.',
    'listen.refused': 'Not added: {url}: {error}',
    'listen.queued': 'The recent past is being read in the background.',
    'listen.backfill.title': 'Recent past',
    'listen.backfill.never': 'Not read yet: it is read when proposals are accepted.',
    'listen.backfill.running': 'Reading the recent past…',
    'listen.backfill.done': 'Read on {date}: {posts} new posts ({kept} of the {read} read name the brand, from {searches} searches).',
    'listen.backfill.errors': 'Searches that failed:',
    'error.code.not_proposed': 'This source is not proposed for this brand (anymore): reload the page.',
    'ftpl.title': 'Search-feed templates',
    'ftpl.intro': 'Web addresses of searches that answer a feed, with {query} where the search terms go (https://news.example/rss?q={query}). Each brand is then proposed one feed per name and alias.',
    'ftpl.name': 'Name',
    'ftpl.url': 'Address with {query}',
    'ftpl.urlHint': 'Replaced by each name or alias of the brand, encoded, in quotes when it has several words.',
    'ftpl.format': 'Format',
    'ftpl.enabled': 'Proposed',
    'ftpl.add': 'Add a template',
    'ftpl.editTitle': 'Edit the template “{name}”',
    'ftpl.added': 'Template “{name}” added.',
    'ftpl.saved': 'Template “{name}” saved.',
    'ftpl.deleted': 'Template “{name}” deleted.',
    'ftpl.empty': 'No template yet.',
    'error.code.missing_query': 'Put {query} in the address, where the search terms go.',
    'error.code.unknown_template': 'This template was deleted meanwhile: reload the page.',
    'error.code.duplicate_template': 'This address is already a template.',
  },
  fr: {
    'listen.title': 'Écoute',
    'listen.intro': 'Sources qu’ecoute propose pour {brand}. Cochez celles à surveiller et acceptez-les : ecoute lit alors aussi, une fois, le passé récent de la marque.',
    'listen.readonly': 'Seul un administrateur peut accepter des propositions.',
    'listen.kind.jetstream': 'Bluesky, tout le réseau',
    'listen.kind.mastodon_stream': 'Mots-dièse Mastodon, en direct',
    'listen.kind.feed': 'Flux de recherche',
    'listen.kind.backfill': 'Recherches du passé récent',
    'listen.kindHint.jetstream': 'Un seul flux pour toutes les marques : seuls les messages qui nomment une marque du catalogue sont gardés.',
    'listen.kindHint.mastodon_stream': 'Les messages portant ces mots-dièse, au fil de leur écriture, sur les instances des réglages du serveur.',
    'listen.kindHint.feed': 'Les modèles de flux de recherche des réglages, remplis avec les noms de la marque.',
    'listen.kindHint.backfill': 'Acceptée, une recherche est aussi relue toutes les 15 minutes.',
    'listen.noMastodon': 'Aucune instance Mastodon n’est configurée : un administrateur en indique dans les réglages du serveur ([listen] mastodon_instances).',
    'listen.noFeed': 'Aucun modèle de flux de recherche pour l’instant : ajoutez-en un sous « Modèles de flux de recherche » dans les réglages.',
    'listen.col.source': 'Source',
    'listen.col.why': 'Pourquoi',
    'listen.col.state': 'État',
    'listen.watched': 'surveillée',
    'listen.watchedLink': 'Surveillée : source {id}',
    'listen.proposed': 'proposée',
    'listen.from.name': 'son nom « {from} »',
    'listen.from.alias': 'son alias « {from} »',
    'listen.from.handle': 'son compte {from}',
    'listen.reason.network_stream': 'Tous les messages écrits sur Bluesky, pour toutes les marques à la fois ; le catalogue garde ceux qui en nomment une.',
    'listen.reason.hashtag': 'Le mot-dièse #{tag}, tiré de {from}, en direct sur {instance}.',
    'listen.reason.template': 'Le modèle « {template} », qui cherche {from}.',
    'listen.reason.search': 'La recherche de Bluesky sur {from} : les {days} derniers jours sont lus quand vous acceptez.',
    'listen.reason.tag_timeline': 'Les messages récents de #{tag} sur {instance}, tiré de {from} : les {days} derniers jours sont lus quand vous acceptez.',
    'listen.accept': 'Accepter la sélection',
    'listen.again': 'Relire le passé récent',
    'listen.noneTicked': 'Cochez au moins une proposition.',
    'listen.accepted.one': '1 source ajoutée. Le passé récent est lu en arrière-plan.',
    'listen.accepted.other': '{count} sources ajoutées. Le passé récent est lu en arrière-plan.',
    'listen.refused': 'Non ajoutée : {url} : {error}',
    'listen.queued': 'Le passé récent est lu en arrière-plan.',
    'listen.backfill.title': 'Passé récent',
    'listen.backfill.never': 'Pas encore lu : il l’est quand des propositions sont acceptées.',
    'listen.backfill.running': 'Lecture du passé récent…',
    'listen.backfill.done': 'Lu le {date} : {posts} nouveaux messages ({kept} des {read} lus nomment la marque, sur {searches} recherches).',
    'listen.backfill.errors': 'Recherches en échec :',
    'error.code.not_proposed': 'Cette source n’est pas (ou plus) proposée pour cette marque : rechargez la page.',
    'ftpl.title': 'Modèles de flux de recherche',
    'ftpl.intro': 'Adresses de recherches qui répondent par un flux, avec {query} à la place des termes cherchés (https://news.example/rss?q={query}). Chaque marque se voit alors proposer un flux par nom et par alias.',
    'ftpl.name': 'Nom',
    'ftpl.url': 'Adresse avec {query}',
    'ftpl.urlHint': 'Remplacé par chaque nom ou alias de la marque, encodé, entre guillemets s’il a plusieurs mots.',
    'ftpl.format': 'Format',
    'ftpl.enabled': 'Proposé',
    'ftpl.add': 'Ajouter un modèle',
    'ftpl.editTitle': 'Modifier le modèle « {name} »',
    'ftpl.added': 'Modèle « {name} » ajouté.',
    'ftpl.saved': 'Modèle « {name} » enregistré.',
    'ftpl.deleted': 'Modèle « {name} » supprimé.',
    'ftpl.empty': 'Aucun modèle pour l’instant.',
    'error.code.missing_query': 'Mettez {query} dans l’adresse, à la place des termes cherchés.',
    'error.code.unknown_template': 'Ce modèle a été supprimé entre-temps : rechargez la page.',
    'error.code.duplicate_template': 'Cette adresse est déjà un modèle.',
  },
});

const KINDS = ['jetstream', 'mastodon_stream', 'feed', 'backfill'];
const TEMPLATE_FORMATS = ['feed', 'auto', 'html', 'jsonl', 'mastodon', 'bluesky'];
const POLL_MS = 1500;

// Why a proposal is proposed, in the user's language (the server's English otherwise).
function reasonText(p) {
  const params = { ...(p.params || {}) };
  if (params.from_kind) params.from = t(`listen.from.${params.from_kind}`, { from: params.from });
  const key = `listen.reason.${p.reason_code}`;
  const text = t(key, params);
  return text === key ? p.reason : text;
}

// Shows the source's row in the Settings sources list, when the page has it.
function sourceLink(id) {
  return h(
    'a',
    {
      href: '#/settings',
      class: 'source-link',
      'data-source-id': String(id),
      onclick: (e) => {
        const row = document.querySelector(`#settings-sources tr[data-id="${id}"]`);
        if (!row) return; // the link goes to the settings
        e.preventDefault();
        row.setAttribute('tabindex', '-1');
        row.scrollIntoView({ block: 'center' });
        row.focus();
      },
    },
    t('listen.watchedLink', { id }),
  );
}

function kindTable(kind, proposals, admin, boxes) {
  const headingId = newId('listen');
  const rows = proposals.map((p) => {
    const box = h('input', { type: 'checkbox', id: newId('prop'), value: p.url, checked: p.accepted, disabled: p.accepted || !admin });
    if (!p.accepted && admin) boxes.push(box);
    return h(
      'tr',
      { 'data-url': p.url, 'data-kind': kind, class: p.accepted ? 'accepted' : null },
      h('th', { scope: 'row' }, h('span', { class: 'check' }, box, h('label', { for: box.id }, p.label)), h('br'), h('code', { class: 'url' }, p.url)),
      h('td', {}, reasonText(p)),
      h('td', {}, p.accepted && p.source_id ? sourceLink(p.source_id) : t('listen.proposed')),
    );
  });
  return h(
    'div',
    { class: 'listen-kind', 'data-kind': kind },
    h('h4', { id: headingId }, t(`listen.kind.${kind}`)),
    h('p', { class: 'hint' }, t(`listen.kindHint.${kind}`)),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': headingId },
      h(
        'table',
        { class: 'settings-table' },
        h('caption', { class: 'visually-hidden' }, t(`listen.kind.${kind}`)),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('listen.col.source')), h('th', { scope: 'col' }, t('listen.col.why')), h('th', { scope: 'col' }, t('listen.col.state')))),
        h('tbody', {}, rows),
      ),
    ),
  );
}

function backfillBlock(outcome) {
  const el = h('div', { class: 'listen-backfill', 'aria-live': 'polite' }, h('h4', {}, t('listen.backfill.title')));
  if (!outcome) {
    el.append(h('p', { class: 'note' }, t('listen.backfill.never')));
    return el;
  }
  if (outcome.running) {
    el.append(h('p', { class: 'note' }, t('listen.backfill.running')));
    return el;
  }
  el.append(h('p', { class: 'note' }, t('listen.backfill.done', { date: formatDate(outcome.at), posts: outcome.posts, kept: outcome.kept, read: outcome.read, searches: outcome.searches })));
  if (outcome.errors && outcome.errors.length) {
    el.append(h('p', { class: 'hint' }, t('listen.backfill.errors')), h('ul', { class: 'listen-errors' }, outcome.errors.map((e) => h('li', {}, e))));
  }
  return el;
}

// Fills `section` with the proposals of `brandName`; administrators accept them.
export async function renderListening(section, brandName, ctx) {
  const admin = ctx.user && ctx.user.role === 'admin';
  const path = `/brands/${encodeURIComponent(brandName)}/listening`;
  const status = h('p', { class: 'note', role: 'status' });
  const body = h('div', { class: 'listen-body' });
  let timer = null;
  clear(section);
  section.classList.add('listening');
  section.append(h('h3', {}, t('listen.title')), h('p', { class: 'hint' }, t('listen.intro', { brand: brandName })), admin ? null : h('p', { class: 'note' }, t('listen.readonly')), status, body);

  const say = (message, isError = false) => {
    status.className = isError ? 'error' : 'note';
    status.textContent = message || '';
  };
  const alive = () => section.isConnected && (!ctx.isCurrent || ctx.isCurrent());

  async function send(accept) {
    say('');
    try {
      const result = await api('POST', path, { accept });
      const lines = [];
      if (accept.length) lines.push(t(result.created.length === 1 ? 'listen.accepted.one' : 'listen.accepted.other', { count: result.created.length }));
      else lines.push(t('listen.queued'));
      for (const e of result.errors || []) lines.push(t('listen.refused', { url: e.url, error: errorText({ ...e.error, status: 400 }) }));
      say(lines.join(' '), (result.errors || []).length > 0);
      await load();
    } catch (err) {
      say(errorText(err), true);
    }
  }

  async function load() {
    clearTimeout(timer);
    let data;
    try {
      data = await api('GET', path);
    } catch (err) {
      if (!alive()) return;
      clear(body);
      body.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
      return;
    }
    if (!alive()) return;
    clear(body);
    const boxes = [];
    for (const kind of KINDS) {
      const mine = data.proposals.filter((p) => p.kind === kind);
      if (mine.length) body.append(kindTable(kind, mine, admin, boxes));
      else if (kind === 'mastodon_stream' && !(data.mastodon_instances || []).length) body.append(h('p', { class: 'note listen-none' }, t('listen.noMastodon')));
      else if (kind === 'feed') body.append(h('p', { class: 'note listen-none' }, t('listen.noFeed')));
    }
    if (admin) {
      const accept = h('button', { type: 'button', class: 'listen-accept', disabled: boxes.length === 0 }, t('listen.accept'));
      accept.addEventListener('click', () => {
        const urls = boxes.filter((b) => b.checked).map((b) => b.value);
        if (!urls.length) say(t('listen.noneTicked'), true);
        else send(urls);
      });
      const again = h('button', { type: 'button', class: 'secondary listen-again', onclick: () => send([]) }, t('listen.again'));
      body.append(h('div', { class: 'buttons' }, accept, ' ', again));
    }
    body.append(backfillBlock(data.last_backfill));
    if (data.last_backfill && data.last_backfill.running) timer = setTimeout(load, POLL_MS);
  }

  await load();
}

// ---- the templates --------------------------------------------------------------------------

function templateForm(fields, onSubmit, onCancel) {
  const title = h('h3', {}, t('ftpl.add'));
  const submit = h('button', { type: 'submit' }, t('common.add'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: onCancel }, t('common.cancel'));
  const el = h('form', { class: 'create', id: 'templates-form', novalidate: true }, title, h('p', { class: 'hint wide' }, t('form.requiredNote')), Object.values(fields).map((f) => f.el), h('div', { class: 'buttons' }, submit, ' ', cancel));
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit();
  });
  return { el, title, submit, cancel };
}

// The templates' table, each row with Edit and Delete.
function templateTable(templates, edit, remove) {
  const cols = ['ftpl.name', 'ftpl.url', 'ftpl.format', 'ftpl.enabled', 'settings.actions'];
  const actions = (x) =>
    h(
      'td',
      { class: 'row-actions' },
      h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit', 'aria-label': `${t('common.edit')} ${x.name}`, onclick: () => edit(x) }, t('common.edit')),
      h('button', { type: 'button', class: 'danger small', 'data-action': 'delete', 'aria-label': `${t('common.delete')} ${x.name}`, onclick: () => remove(x) }, t('common.delete')),
    );
  return h(
    'table',
    { class: 'settings-table' },
    h('caption', { class: 'visually-hidden' }, t('ftpl.title')),
    h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
    h(
      'tbody',
      {},
      templates.map((x) =>
        h(
          'tr',
          { 'data-id': x.id },
          h('th', { scope: 'row' }, x.name),
          h('td', {}, h('code', { class: 'url' }, x.url_template)),
          h('td', {}, x.format),
          h('td', {}, x.enabled ? `✓ ${t('common.yes')}` : `✗ ${t('common.no')}`),
          actions(x),
        ),
      ),
    ),
  );
}

// Settings: the search-feed templates (administrators), saved as a whole list.
export function templatesSection(ctx) {
  if (!ctx.user || ctx.user.role !== 'admin') return null;
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status', id: 'settings-templates-status' });
  const holder = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': headingId });
  const fields = {
    name: formField(t('ftpl.name'), h('input', { name: 'name', autocomplete: 'off', maxlength: '100' }), { required: true }),
    url_template: formField(t('ftpl.url'), h('input', { type: 'url', name: 'url_template', autocomplete: 'off' }), { required: true, hint: t('ftpl.urlHint') }),
    format: formField(t('ftpl.format'), h('select', { name: 'format' }, TEMPLATE_FORMATS.map((x) => h('option', { value: x }, x)))),
    enabled: formField(t('ftpl.enabled'), h('input', { type: 'checkbox', name: 'enabled' })),
  };
  const f = formFields(fields);
  let templates = [];
  let editing = null;

  const say = (message, isError = false) => {
    status.className = isError ? 'error' : 'note';
    status.textContent = message || '';
  };
  const form = templateForm(fields, submit, reset);
  const el = h('section', { class: 'settings-section', id: 'templates-section', 'aria-labelledby': headingId }, h('h2', { id: headingId }, t('ftpl.title')), h('p', { class: 'hint' }, t('ftpl.intro')), status, holder, form.el);

  function reset() {
    editing = null;
    f.clear();
    fields.name.input.value = '';
    fields.url_template.input.value = '';
    fields.format.input.value = 'feed';
    fields.enabled.input.checked = true;
    form.title.textContent = t('ftpl.add');
    form.submit.textContent = t('common.add');
    form.cancel.hidden = true;
  }

  function edit(item) {
    reset();
    editing = item;
    fields.name.input.value = item.name;
    fields.url_template.input.value = item.url_template;
    fields.format.input.value = item.format;
    fields.enabled.input.checked = item.enabled;
    form.title.textContent = t('ftpl.editTitle', { name: item.name });
    form.submit.textContent = t('common.save');
    form.cancel.hidden = false;
    form.el.scrollIntoView({ block: 'nearest' });
    fields.name.input.focus();
  }

  const plain = (x) => ({ id: x.id, name: x.name, url_template: x.url_template, format: x.format, enabled: x.enabled });

  // Saves `list`; an error about `index` goes under the form's field when it is the item edited.
  async function save(list, index, done) {
    say('');
    try {
      const result = await api('PUT', '/listening/templates', { templates: list });
      templates = result.templates || [];
      draw();
      say(done);
      return true;
    } catch (err) {
      if (index !== null && err && err.params && String(err.params.index) === String(index)) f.showError(err, status);
      else say(errorText(err), true);
      return false;
    }
  }

  async function submit() {
    if (!f.checkRequired()) return;
    const item = { name: fields.name.input.value.trim(), url_template: fields.url_template.input.value.trim(), format: fields.format.input.value, enabled: fields.enabled.input.checked };
    const list = templates.map(plain);
    let index = list.length;
    if (editing) {
      index = list.findIndex((x) => x.id === editing.id);
      list[index] = { ...item, id: editing.id };
    } else {
      list.push(item);
    }
    const wasEditing = editing;
    if (await save(list, index, t(wasEditing ? 'ftpl.saved' : 'ftpl.added', { name: item.name }))) reset();
  }

  function remove(item) {
    if (!window.confirm(t('common.confirmDelete', { name: item.name }))) return;
    save(
      templates.filter((x) => x.id !== item.id).map(plain),
      null,
      t('ftpl.deleted', { name: item.name }),
    );
  }

  function draw() {
    clear(holder);
    holder.append(templates.length ? templateTable(templates, edit, remove) : h('p', { class: 'note' }, t('ftpl.empty')));
  }

  async function load() {
    try {
      const data = await api('GET', '/listening/templates');
      if (ctx.isCurrent && !ctx.isCurrent()) return;
      templates = data.templates || [];
      draw();
    } catch (err) {
      clear(holder);
      holder.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  }

  reset();
  load();
  return el;
}
