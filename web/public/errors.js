// An API error as a sentence in the user's language: the server's error code (and, when
// it has one, the field at fault) picks a translated message; the server's own English
// message is the last resort, for a code this interface does not know yet.
//
// Messages are looked up, most specific first: 'error.code.<code>.<field>',
// 'error.code.<code>', then by HTTP status. Feature modules add their codes' messages with
// addStrings (i18n.js).

import { ApiError } from './api.js';
import { keysOf, t } from './i18n.js';

function known(key) {
  return keysOf('en').includes(key);
}

export function errorText(err) {
  if (!(err instanceof ApiError)) return t('error.generic', { message: err && err.message ? err.message : String(err) });
  const vars = { ...err.params, field: err.field, message: err.message };
  if (err.code && err.field && known(`error.code.${err.code}.${err.field}`)) return t(`error.code.${err.code}.${err.field}`, vars);
  if (err.code && known(`error.code.${err.code}`)) return t(`error.code.${err.code}`, vars);
  if (err.status === 0) return t('error.network');
  if (err.status === 403) return t('error.forbidden');
  if (err.status === 404) return t('error.notfound');
  return t('error.generic', vars);
}
