// Settings: teams, the queues of a brand. A manager sees and changes the teams of their
// brands (the server checks it): name, brand, members picked among the people allowed on
// the brand (GET /assignees?brand=), and whether new cases go to the members in turn.

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { addStrings, t } from '../i18n.js';
import { errorText } from '../errors.js';

addStrings({
  en: {
    'teams.title': 'Teams',
    'teams.intro': 'A team is a queue of one brand: cases can be assigned to it (“team:name”), and with round-robin each new case of the brand goes to its next member in turn.',
    'teams.name': 'Team name',
    'teams.brand': 'Brand',
    'teams.members': 'Members',
    'teams.roundRobin': 'Round-robin',
    'teams.roundRobinHelp': 'Give each new case of the brand to the next active member in turn.',
    'teams.noMembers': 'No one may work on this brand yet.',
    'teams.add': 'Add a team',
    'teams.edit': 'Edit',
    'teams.editTitle': 'Edit team {name}',
    'teams.created': 'Team “{name}” created.',
    'teams.saved': 'Team “{name}” saved.',
    'teams.deleted': 'Team “{name}” deleted.',
    'teams.empty': 'No team yet.',
    'teams.actions': 'Actions',
    'error.code.invalid_team_name': 'Give the team a name of 1 to 64 characters.',
    'error.code.invalid_member': '{name} may not work on this brand: choose enabled agents, managers or admins of the brand.',
    'error.code.team_exists': 'This brand already has a team with this name.',
  },
  fr: {
    'teams.title': 'Équipes',
    'teams.intro': 'Une équipe est une file d’une marque : on peut lui attribuer des dossiers (« team:nom ») et, avec le tour de rôle, chaque nouveau dossier de la marque va au membre suivant.',
    'teams.name': 'Nom de l’équipe',
    'teams.brand': 'Marque',
    'teams.members': 'Membres',
    'teams.roundRobin': 'Tour de rôle',
    'teams.roundRobinHelp': 'Attribuer chaque nouveau dossier de la marque au membre actif suivant, à tour de rôle.',
    'teams.noMembers': 'Personne ne peut encore travailler sur cette marque.',
    'teams.add': 'Ajouter une équipe',
    'teams.edit': 'Modifier',
    'teams.editTitle': 'Modifier l’équipe {name}',
    'teams.created': 'Équipe « {name} » créée.',
    'teams.saved': 'Équipe « {name} » enregistrée.',
    'teams.deleted': 'Équipe « {name} » supprimée.',
    'teams.empty': 'Aucune équipe pour l’instant.',
    'teams.actions': 'Actions',
    'error.code.invalid_team_name': 'Donnez à l’équipe un nom de 1 à 64 caractères.',
    'error.code.invalid_member': '{name} ne peut pas travailler sur cette marque : choisissez des agents, responsables ou administrateurs actifs de la marque.',
    'error.code.team_exists': 'Cette marque a déjà une équipe de ce nom.',
  },
});

// The team form, for a new team or over `team`; `done(body)` sends it.
function teamForm(ctx, brands, team, done, cancel) {
  const titleId = newId('team');
  const name = h('input', { id: newId('team-name'), required: true, 'aria-required': 'true', autocomplete: 'off', maxlength: '64', value: team ? team.name : '' });
  const brand = h('select', { id: newId('team-brand') }, brands.map((b) => h('option', { value: b, selected: team && team.brand === b }, b)));
  const robin = h('input', { type: 'checkbox', id: newId('team-rr'), checked: Boolean(team && team.round_robin) });
  const robinHelp = `${robin.id}-help`;
  robin.setAttribute('aria-describedby', robinHelp);
  const members = h('fieldset', { class: 'checks team-members' });
  const error = h('p', { class: 'error', role: 'alert' });
  let chosen = new Set(team ? team.members : []);

  async function loadMembers() {
    clear(members);
    members.append(h('legend', {}, t('teams.members')));
    try {
      const data = await api('GET', `/assignees?brand=${encodeURIComponent(brand.value)}`);
      const users = (data && data.users) || [];
      if (!users.length) members.append(h('p', { class: 'note' }, t('teams.noMembers')));
      for (const u of users) {
        const box = h('input', { type: 'checkbox', id: newId('member'), value: u.name, checked: chosen.has(u.name) });
        box.addEventListener('change', () => (box.checked ? chosen.add(u.name) : chosen.delete(u.name)));
        members.append(h('span', { class: 'check' }, box, h('label', { for: box.id }, u.name)));
      }
    } catch (err) {
      members.append(h('p', { class: 'error' }, errorText(err)));
    }
  }
  brand.addEventListener('change', () => {
    chosen = new Set();
    loadMembers();
  });
  loadMembers();

  const form = h(
    'form',
    { class: 'create team-form', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, team ? t('teams.editTitle', { name: team.name }) : t('teams.add')),
    h('div', { class: 'field' }, h('label', { for: name.id }, t('teams.name'), h('span', { 'aria-hidden': 'true' }, ' *')), name),
    h('div', { class: 'field' }, h('label', { for: brand.id }, t('teams.brand')), brand),
    h('div', { class: 'field check' }, robin, h('label', { for: robin.id }, t('teams.roundRobin')), h('p', { class: 'hint', id: robinHelp }, t('teams.roundRobinHelp'))),
    members,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, team ? t('common.save') : t('common.add')), cancel ? h('button', { type: 'button', class: 'secondary', onclick: cancel }, t('common.cancel')) : null),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await done({ name: name.value.trim(), brand: brand.value, round_robin: robin.checked, members: [...chosen] });
      if (!team) {
        name.value = '';
        robin.checked = false;
        chosen = new Set();
        loadMembers();
      }
    } catch (err) {
      error.textContent = errorText(err);
      if (err.field === 'name') name.focus();
    }
  });
  return form;
}

export function teamsSection(ctx) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status' });
  const holder = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': headingId });
  const formHolder = h('div', {});
  const el = h('section', { class: 'settings-section', id: 'settings-teams', 'aria-labelledby': headingId }, h('h2', { id: headingId }, t('teams.title')), h('p', { class: 'hint' }, t('teams.intro')), status, holder, formHolder);
  let brands = [];

  function say(text) {
    status.className = 'note';
    status.textContent = text;
    if (ctx.announce) ctx.announce(text);
  }

  function showCreate() {
    clear(formHolder);
    if (brands.length) {
      formHolder.append(teamForm(ctx, brands, null, async (body) => {
        const made = await api('POST', '/teams', body);
        say(t('teams.created', { name: made.name }));
        await reload();
      }));
    }
  }

  function edit(team) {
    clear(formHolder);
    const form = teamForm(ctx, brands, team, async (body) => {
      const saved = await api('PATCH', `/teams/${team.id}`, body);
      say(t('teams.saved', { name: saved.name }));
      showCreate();
      await reload();
    }, showCreate);
    formHolder.append(form);
    form.querySelector('input').focus();
  }

  async function remove(team) {
    if (!window.confirm(t('common.confirmDelete', { name: team.name }))) return;
    try {
      await api('DELETE', `/teams/${team.id}`);
      say(t('teams.deleted', { name: team.name }));
      await reload();
    } catch (err) {
      status.className = 'error';
      status.textContent = errorText(err);
    }
  }

  async function reload() {
    try {
      const data = await api('GET', '/teams');
      if (ctx.isCurrent && !ctx.isCurrent()) return;
      const teams = (data && data.teams) || [];
      clear(holder);
      if (!teams.length) {
        holder.append(h('p', { class: 'note' }, t('teams.empty')));
        return;
      }
      holder.append(
        h(
          'table',
          { class: 'settings-table teams-table' },
          h('caption', { class: 'visually-hidden' }, t('teams.title')),
          h('thead', {}, h('tr', {}, [t('teams.name'), t('teams.brand'), t('teams.members'), t('teams.roundRobin'), t('teams.actions')].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            teams.map((team) =>
              h(
                'tr',
                { 'data-team': team.name },
                h('td', {}, team.name),
                h('td', {}, team.brand),
                h('td', {}, team.members.length ? team.members.join(', ') : t('common.none')),
                h('td', {}, team.round_robin ? `✓ ${t('common.yes')}` : `✗ ${t('common.no')}`),
                h(
                  'td',
                  { class: 'row-actions' },
                  h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('teams.edit')} ${team.name}`, onclick: () => edit(team) }, t('teams.edit')),
                  h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('common.delete')} ${team.name}`, onclick: () => remove(team) }, t('common.delete')),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      status.className = 'error';
      status.textContent = errorText(err);
    }
  }

  ctx.brands().then(
    (list) => {
      brands = list.map((b) => b.name);
      showCreate();
    },
    () => {},
  );
  reload();
  return el;
}
