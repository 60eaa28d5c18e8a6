// What the server writes in English for the timeline and the escalations, said in the
// user's language: who acted ("rule:sla" is "SLA rule", "agent:marie" is "marie"), the
// reasons the engine gives for what it did, and the known names of escalation levels.
// Anything not known (a reason an agent typed, a level named in the configuration) is
// shown as written.

import { addStrings, getLang, label, t } from './i18n.js';

addStrings({
  en: {
    'actor.rule': 'rule {name}',
    'actor.rule.sla': 'SLA rule',
    'actor.rule.sent': 'sent from ecoute',
    'actor.rule.edit': 'post edit',
    'actor.rule.reply': 'reply rule',
    'actor.rule.link': 'link rule',
    'actor.rule.same_author': 'same-author rule',
    'actor.rule.complaint': 'complaint rule',
    'actor.rule.question': 'question rule',
    'escalation.agent': 'agent',
    'escalation.supervisor': 'supervisor',
    'escalation.manager': 'manager',
    'escalation.director': 'director',
    'reason.brandAnswered': 'the brand answered',
    'reason.solved': 'the customer says the problem is solved',
    'reason.praises': 'the customer praises the brand',
    'reason.complainsAgain': 'the customer complains again',
    'reason.edited': 'the post was edited',
    'reason.noFirstResponse': 'no first response within {time}',
    'filter.allTopics': 'All',
    'filter.allBrands': 'All',
  },
  fr: {
    'actor.rule': 'règle {name}',
    'actor.rule.sla': 'règle SLA',
    'actor.rule.sent': 'envoi depuis ecoute',
    'actor.rule.edit': 'modification du message',
    'actor.rule.reply': 'règle de réponse',
    'actor.rule.link': 'règle de lien',
    'actor.rule.same_author': 'règle du même auteur',
    'actor.rule.complaint': 'règle de plainte',
    'actor.rule.question': 'règle de question',
    'escalation.agent': 'agent',
    'escalation.supervisor': 'superviseur',
    'escalation.manager': 'responsable',
    'escalation.director': 'directeur',
    'reason.brandAnswered': 'la marque a répondu',
    'reason.solved': 'le client dit que le problème est réglé',
    'reason.praises': 'le client fait l’éloge de la marque',
    'reason.complainsAgain': 'le client se plaint de nouveau',
    'reason.edited': 'le message a été modifié',
    'reason.noFirstResponse': 'pas de première réponse en {time}',
    'filter.allTopics': 'Tous',
    'filter.allBrands': 'Toutes',
  },
});

const known = (key) => t(key) !== key;

// "agent:marie" → "marie"; "rule:sla" → "SLA rule"; anything else as it is.
export function actorName(actor) {
  const text = String(actor || '');
  const cut = text.indexOf(':');
  if (cut < 0) return text;
  const kind = text.slice(0, cut);
  const name = text.slice(cut + 1);
  if (kind === 'rule') return known(`actor.rule.${name}`) ? t(`actor.rule.${name}`) : t('actor.rule', { name });
  if (kind === 'agent' || kind === 'manager' || kind === 'admin' || kind === 'viewer') return name;
  return text;
}

// An escalation level's name, translated when it is one of the usual ones.
export function escalationName(name) {
  const key = `escalation.${String(name || '').toLowerCase()}`;
  return name && known(key) ? t(key) : name || '';
}

const FIXED = {
  'the brand answered': 'reason.brandAnswered',
  'the customer says the problem is solved': 'reason.solved',
  'the customer praises the brand': 'reason.praises',
  'the customer complains again': 'reason.complainsAgain',
  'the post was edited': 'reason.edited',
};
const ROLES = ['opening', 'follow_up', 'comment', 'brand_reply', 'resolution'];
const STANCES = ['complaint', 'praise', 'resolution', 'question', 'neutral'];
const UNITS = { s: 'dur.s', m: 'dur.min', min: 'dur.min', h: 'dur.h', d: 'dur.d' };

// "2 h 10 min" as the server writes it, in the user's language.
function duration(text) {
  return text.replace(/(\d+)\s*(min|m|s|h|d)\b/g, (m, n, unit) => t(UNITS[unit], { n }));
}

// A reason the engine wrote, in the user's language; a reason a person typed stays as it is.
export function eventReason(reason) {
  const text = String(reason || '');
  if (!text || getLang() === 'en') return text;
  if (FIXED[text]) return t(FIXED[text]);
  if (ROLES.includes(text)) return label('role', text);
  const breach = text.match(/^no first response within ([^()]+?)(\s*\(.*\))?$/);
  if (breach) return t('reason.noFirstResponse', { time: duration(breach[1]) }) + (breach[2] || '');
  const stance = text.match(/^(complaint|praise|resolution|question|neutral)(:.*)?$/);
  if (stance && STANCES.includes(stance[1])) return label('stance', stance[1]) + (stance[2] || '');
  return text;
}
