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
    'reason.noNextResponse': 'no next response within {time}',
    'reason.priorityAtLeast': 'priority ≥ {n}',
    'reason.businessHours': 'business hours',
    'filter.allTopics': 'All',
    'filter.allBrands': 'All',
    'why.stanceTo': '{stance} to {brand}',
    'why.stanceFor': '{stance} for {brand}',
    'why.stanceWith': '{stance} with {brand}',
    'why.amount': 'amount: {amount}',
    'why.waited': 'waited {time}',
    'why.followers': 'audience: {n} followers',
    'why.comments': '{n} comments',
    'why.shares': '{n} shares',
    'signal.legal': 'legal threat',
    'signal.media': 'media threat',
    'signal.repeated': 'repeated failed contacts',
    'signal.waiting': 'long wait',
    'signal.humiliation': 'humiliation',
    'signal.discrimination': 'discrimination',
    'signal.stranded': 'stranded',
    'reply.counterFree.one': '{n} character',
    'reply.counterFree.other': '{n} characters',
    'reply.counter.one': '{n} / {limit} character',
    'reply.counter.other': '{n} / {limit} characters',
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
    'reason.noNextResponse': 'pas de réponse suivante en {time}',
    'reason.priorityAtLeast': 'priorité ≥ {n}',
    'reason.businessHours': 'heures ouvrées',
    'filter.allTopics': 'Tous',
    'filter.allBrands': 'Toutes',
    'why.stanceTo': '{stance} adressée à {brand}',
    'why.stanceFor': '{stance} pour {brand}',
    'why.stanceWith': '{stance} avec {brand}',
    'why.amount': 'montant : {amount}',
    'why.waited': 'attente de {time}',
    'why.followers': 'audience : {n} abonnés',
    'why.comments': '{n} commentaires',
    'why.shares': '{n} partages',
    'signal.legal': 'menace de poursuites',
    'signal.media': 'menace de médiatisation',
    'signal.repeated': 'contacts répétés sans succès',
    'signal.waiting': 'longue attente',
    'signal.humiliation': 'humiliation',
    'signal.discrimination': 'discrimination',
    'signal.stranded': 'bloqué sur place',
    'reply.counterFree.one': '{n} caractère',
    'reply.counterFree.other': '{n} caractères',
    'reply.counter.one': '{n} / {limit} caractère',
    'reply.counter.other': '{n} / {limit} caractères',
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
  const breach = text.match(/^no (first|next) response within ([^()]+?)(\s*\(.*\))?$/);
  if (breach) {
    // "(Fnac, priority ≥ 70, business hours)": the policy's scope.
    const scope = (breach[3] || '').replace(/priority ≥ (\d+)/, (m, n) => t('reason.priorityAtLeast', { n })).replace('business hours', t('reason.businessHours'));
    return t(breach[1] === 'next' ? 'reason.noNextResponse' : 'reason.noFirstResponse', { time: duration(breach[2]) }) + scope;
  }
  const stance = text.match(/^(complaint|praise|resolution|question|neutral)(:.*)?$/);
  if (stance && STANCES.includes(stance[1])) return label('stance', stance[1]) + (stance[2] || '');
  return text;
}

// The analysis's topic and signal names as it writes them in its reasons.
const TOPIC_NAMES = {
  billing: 'billing',
  delay: 'delay',
  'customer support': 'support',
  'product defect': 'product_defect',
  cancellation: 'cancellation',
  contract: 'contract',
  'staff attitude': 'staff_attitude',
  delivery: 'delivery',
  outage: 'outage',
  other: 'other',
};
const SIGNALS = {
  'legal threat': 'signal.legal',
  'media threat': 'signal.media',
  'repeated failed contacts': 'signal.repeated',
  'long wait': 'signal.waiting',
  humiliation: 'signal.humiliation',
  discrimination: 'signal.discrimination',
  stranded: 'signal.stranded',
};

// A reason the analysis gives for a priority ("complaint to Jeanerie", "delivery",
// "amount: 120 €", "legal threat ("avocat")"), in the user's language.
export function priorityReason(reason) {
  const text = String(reason || '');
  if (!text || getLang() === 'en') return text;
  if (TOPIC_NAMES[text]) return label('topic', TOPIC_NAMES[text]);
  if (STANCES.includes(text)) return label('stance', text);
  let m = text.match(/^(complaint|praise|resolution|question) (to|for|with) (.+)$/);
  if (m) return t(`why.stance${m[2][0].toUpperCase()}${m[2].slice(1)}`, { stance: label('stance', m[1]), brand: m[3] });
  m = text.match(/^amount: (.+)$/);
  if (m) return t('why.amount', { amount: m[1] });
  m = text.match(/^waited (.+)$/);
  if (m) return t('why.waited', { time: m[1] });
  m = text.match(/^audience: (\d+) followers$/);
  if (m) return t('why.followers', { n: m[1] });
  m = text.match(/^(\d+) (comments|shares)$/);
  if (m) return t(`why.${m[2]}`, { n: m[1] });
  m = text.match(/^(.+?)( \(".*"\))$/);
  if (m && SIGNALS[m[1]]) return t(SIGNALS[m[1]]) + m[2];
  return text;
}
