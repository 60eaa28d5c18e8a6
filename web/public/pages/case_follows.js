// The comments ecoute follows under the case's web posts (docs/LISTENING.md, "Comments under
// a complaint"): for each article, where its comments are read and when they are checked
// next. Mounted by the case page in <section id="case-follows">, for agents; hidden while
// nothing is followed.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { addStrings, formatDuration, t } from '../i18n.js';

addStrings({
  en: {
    'caseFollows.title': 'Comments followed',
    'caseFollows.following': 'Following the comments at {host} — next check in {when}.',
    'caseFollows.due': 'Following the comments at {host} — checking now.',
    'caseFollows.failing': 'Following the comments at {host}, but the last check failed: trying again in {when}.',
    'caseFollows.none': 'No comments to follow at {host}.',
    'caseFollows.error': 'The page at {host} could not be read: ecoute will try again.',
    'caseFollows.stopped': 'No longer following the comments at {host}.',
    'caseFollows.removed': 'The comments at {host} are no longer followed: their source was removed.',
    'caseFollows.how.blogger': 'Blogger comment feed',
    'caseFollows.how.discourse': 'forum topic feed',
    'caseFollows.how.linked_feed': 'comment feed of the post',
    'caseFollows.how.wordpress_feed': 'WordPress comment feed',
    'caseFollows.how.embedded': 'the page itself',
    'caseFollows.how.site_comments_feed': 'the site’s comment feed',
  },
  fr: {
    'caseFollows.title': 'Commentaires suivis',
    'caseFollows.following': 'Suivi des commentaires sur {host} — prochaine vérification dans {when}.',
    'caseFollows.due': 'Suivi des commentaires sur {host} — vérification en cours.',
    'caseFollows.failing': 'Suivi des commentaires sur {host}, mais la dernière vérification a échoué : nouvel essai dans {when}.',
    'caseFollows.none': 'Aucun commentaire à suivre sur {host}.',
    'caseFollows.error': 'La page sur {host} n’a pas pu être lue : ecoute réessaiera.',
    'caseFollows.stopped': 'Les commentaires sur {host} ne sont plus suivis.',
    'caseFollows.removed': 'Les commentaires sur {host} ne sont plus suivis : leur source a été supprimée.',
    'caseFollows.how.blogger': 'flux des commentaires Blogger',
    'caseFollows.how.discourse': 'flux du sujet du forum',
    'caseFollows.how.linked_feed': 'flux des commentaires de l’article',
    'caseFollows.how.wordpress_feed': 'flux des commentaires WordPress',
    'caseFollows.how.embedded': 'la page elle-même',
    'caseFollows.how.site_comments_feed': 'flux des commentaires du site',
  },
});

function line(f, now) {
  const host = f.host || f.article_url;
  if (f.state !== 'following' || !f.source) return t(`caseFollows.${['none', 'error', 'stopped', 'removed'].includes(f.state) ? f.state : 'none'}`, { host });
  const seconds = Math.round((Date.parse(f.source.next_poll_at) - now) / 1000);
  if (seconds <= 0) return t('caseFollows.due', { host });
  const when = formatDuration(seconds < 60 ? 60 : seconds);
  return t(f.source.failures > 0 ? 'caseFollows.failing' : 'caseFollows.following', { host, when });
}

function item(f, now) {
  const how = f.kind ? t(`caseFollows.how.${f.kind}`) : '';
  return h(
    'li',
    { class: `follow follow-${f.state}` },
    h('a', { href: f.article_url, rel: 'noopener noreferrer', target: '_blank' }, line(f, now)),
    how && f.state === 'following' ? h('span', { class: 'hint' }, ` (${how})`) : null,
  );
}

// Draws the case's follows in `el`; hides it while there are none.
export function renderFollows(el, caseData, ctx) {
  const id = caseData.case.id;
  el.hidden = true;
  api('GET', `/cases/${id}/follows`).then(
    (out) => {
      if (!ctx.isCurrent()) return;
      clear(el);
      const follows = (out && out.follows) || [];
      if (!follows.length) return;
      const now = Date.parse(out.now) || Date.now();
      el.append(h('h2', {}, t('caseFollows.title')), h('ul', { class: 'follows' }, follows.map((f) => item(f, now))));
      el.hidden = false;
    },
    () => {},
  );
}
