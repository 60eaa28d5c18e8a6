// An API error as a sentence in the user's language: the server's error code (and, when
// it has one, the field at fault) picks a translated message; the server's own English
// message is the last resort, for a code this interface does not know yet.
//
// Messages are looked up, most specific first: 'error.code.<code>.<field>',
// 'error.code.<code>', then by HTTP status. Feature modules add their codes' messages with
// addStrings (i18n.js).

import { ApiError } from './api.js';
import { addStrings, keysOf, t } from './i18n.js';

// The codes of the API's refusals (docs/SERVER.md), general then by field.
addStrings({
  en: {
    'error.code.invalid_argument': 'The request was refused: {message}',
    'error.code.invalid_json': 'The request could not be read.',
    'error.code.required': 'Fill in this field.',
    'error.code.required.brands': 'Choose at least one brand.',
    'error.code.wrong_type': 'This value is not of the expected kind.',
    'error.code.too_long': 'Too long: {max} bytes at most.',
    'error.code.too_small': 'Too small: at least {min}.',
    'error.code.too_small.interval_seconds': 'Too often: at least {min} seconds between two reads.',
    'error.code.out_of_range': 'Give a whole number from {min} to {max}.',
    'error.code.unknown_value': 'Unknown value “{value}”.',
    'error.code.invalid_url': 'Give a web address that starts with http:// or https://, without a user name or password.',
    'error.code.url_not_allowed': 'This address leads inside the network: the server’s outbound policy refuses it.',
    'error.code.unknown_format': 'Unknown format: choose one from the list.',
    'error.code.unknown_brand': '“{brand}” is not a brand of the catalog.',
    'error.code.unknown_topic': 'Unknown topic “{topic}”.',
    'error.code.unknown_stance': 'Unknown stance.',
    'error.code.unknown_role': 'Unknown role: choose one from the list.',
    'error.code.brands_required': 'Choose the user’s brands, or give them every brand: a user without brands sees no case.',
    'error.code.not_your_brand': 'Choose among your own brands only.',
    'error.code.invalid_secret': 'This secret cannot be read: “whsec_” must be followed by a key in base64.',
    'error.code.secret_too_short': 'The secret is too short: at least {min} bytes.',
    'error.code.name_taken': 'This name is already taken.',
    'error.code.invalid_name': 'Use only lower-case letters a-z, digits and . _ @ -',
    'error.code.invalid_email': 'Give an e-mail address such as name@example.com.',
    'error.code.invalid_text': 'This text holds characters that are not allowed.',
    'error.code.password_too_short': 'The password is too short: at least {min} characters.',
    'error.code.weak_password': 'This password is too easy to guess: use several unrelated words.',
    'error.code.password_is_name': 'The password must not be the user name.',
    'error.code.invalid_password': 'This password is not accepted.',
    'error.code.cannot_delete_self': 'You cannot delete your own account.',
    'error.code.invalid_query': 'The query cannot be read (column {column}). Check the quotes, brackets and filters.',
    'error.code.invalid_date': 'Not a date: give 7d, 30d or a date such as 2026-10-01.',
    'error.code.invalid_lang': 'A language code such as fr, en or pt-BR, or nothing.',
    'error.code.unknown_variable': 'Unknown variable: use {{customer}}, {{brand}}, {{case}} or {{agent}}.',
    'error.code.channel_unavailable': 'The customer did not write on this channel: choose another.',
    'error.code.post_not_in_case': 'This post is not in this case.',
    'error.code.not_found': 'Not found, or you are not allowed to see it.',
    'error.code.permission_denied': 'You are not allowed to do this.',
    'error.code.unauthenticated': 'Your session has ended: sign in again.',
    'error.code.csrf': 'The page is out of date: reload it and try again.',
    'error.code.method_not_allowed': 'This action is not available here.',
    'error.code.too_many_requests': 'Too many attempts: wait a moment and try again.',
    'error.code.failed_precondition': 'This cannot be done in the current state: {message}',
    'error.code.already_exists': 'This already exists.',
    'error.code.unavailable': 'The service is unavailable for a moment: try again.',
    'error.code.internal': 'The server failed: the administrator will find the details in its log.',
    'error.code.network': 'The server cannot be reached.',
  },
  fr: {
    'error.code.invalid_argument': 'La requête a été refusée : {message}',
    'error.code.invalid_json': 'La requête est illisible.',
    'error.code.required': 'Remplissez ce champ.',
    'error.code.required.brands': 'Choisissez au moins une marque.',
    'error.code.wrong_type': 'Cette valeur n’est pas du type attendu.',
    'error.code.too_long': 'Trop long : {max} octets au plus.',
    'error.code.too_small': 'Trop petit : au moins {min}.',
    'error.code.too_small.interval_seconds': 'Trop fréquent : au moins {min} secondes entre deux lectures.',
    'error.code.out_of_range': 'Donnez un nombre entier de {min} à {max}.',
    'error.code.unknown_value': 'Valeur inconnue : « {value} ».',
    'error.code.invalid_url': 'Donnez une adresse web qui commence par http:// ou https://, sans nom d’utilisateur ni mot de passe.',
    'error.code.url_not_allowed': 'Cette adresse mène à l’intérieur du réseau : la politique de sortie du serveur la refuse.',
    'error.code.unknown_format': 'Format inconnu : choisissez-en un dans la liste.',
    'error.code.unknown_brand': '« {brand} » n’est pas une marque du catalogue.',
    'error.code.unknown_topic': 'Sujet inconnu : « {topic} ».',
    'error.code.unknown_stance': 'Ton inconnu.',
    'error.code.unknown_role': 'Rôle inconnu : choisissez-en un dans la liste.',
    'error.code.brands_required': 'Choisissez les marques de l’utilisateur, ou donnez-lui toutes les marques : sans marque, il ne voit aucun dossier.',
    'error.code.not_your_brand': 'Choisissez uniquement parmi vos marques.',
    'error.code.invalid_secret': 'Ce secret est illisible : « whsec_ » doit être suivi d’une clé en base64.',
    'error.code.secret_too_short': 'Le secret est trop court : au moins {min} octets.',
    'error.code.name_taken': 'Ce nom est déjà pris.',
    'error.code.invalid_name': 'Utilisez uniquement des lettres minuscules a-z, des chiffres et . _ @ -',
    'error.code.invalid_email': 'Donnez une adresse e-mail comme nom@exemple.fr.',
    'error.code.invalid_text': 'Ce texte contient des caractères interdits.',
    'error.code.password_too_short': 'Le mot de passe est trop court : au moins {min} caractères.',
    'error.code.weak_password': 'Ce mot de passe est trop facile à deviner : utilisez plusieurs mots sans rapport entre eux.',
    'error.code.password_is_name': 'Le mot de passe ne doit pas être le nom d’utilisateur.',
    'error.code.invalid_password': 'Ce mot de passe n’est pas accepté.',
    'error.code.cannot_delete_self': 'Vous ne pouvez pas supprimer votre propre compte.',
    'error.code.invalid_query': 'La requête est illisible (colonne {column}). Vérifiez les guillemets, les parenthèses et les filtres.',
    'error.code.invalid_date': 'Ce n’est pas une date : donnez 7d, 30d ou une date comme 2026-10-01.',
    'error.code.invalid_lang': 'Un code de langue comme fr, en ou pt-BR, ou rien.',
    'error.code.unknown_variable': 'Variable inconnue : utilisez {{customer}}, {{brand}}, {{case}} ou {{agent}}.',
    'error.code.channel_unavailable': 'Le client n’a pas écrit sur ce canal : choisissez-en un autre.',
    'error.code.post_not_in_case': 'Ce message ne fait pas partie de ce dossier.',
    'error.code.not_found': 'Introuvable, ou vous n’avez pas le droit de le voir.',
    'error.code.permission_denied': 'Vous n’avez pas le droit de faire cela.',
    'error.code.unauthenticated': 'Votre session a pris fin : reconnectez-vous.',
    'error.code.csrf': 'La page n’est plus à jour : rechargez-la et réessayez.',
    'error.code.method_not_allowed': 'Cette action n’est pas disponible ici.',
    'error.code.too_many_requests': 'Trop de tentatives : patientez un instant puis réessayez.',
    'error.code.failed_precondition': 'Impossible dans l’état actuel : {message}',
    'error.code.already_exists': 'Cela existe déjà.',
    'error.code.unavailable': 'Le service est momentanément indisponible : réessayez.',
    'error.code.internal': 'Le serveur a échoué : l’administrateur trouvera les détails dans son journal.',
    'error.code.network': 'Le serveur est injoignable.',
  },
});

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
