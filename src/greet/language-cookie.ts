/**
 * The visitor's language, remembered in a cookie so that a later request
 * without `lang` greets in it. Browsers send it cross-origin only with
 * `credentials: 'include'` and only when the policy allows credentials.
 */
import { GREETINGS } from './languages.js';

export const LANGUAGE_COOKIE = 'greet_lang';
const ONE_YEAR = 365 * 24 * 3600;

/** The remembered language, if the Cookie header holds a supported one (anything else is ignored). */
export function rememberedLanguage(cookieHeader: string | undefined): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const [name, value] = pair.split('=').map((part) => part.trim());
    if (name === LANGUAGE_COOKIE && value !== undefined && Object.hasOwn(GREETINGS, value)) {
      return value;
    }
  }
  return undefined;
}

/** The Set-Cookie value remembering `lang` (a validated language code, never raw input). */
export function languageCookie(lang: string): string {
  return `${LANGUAGE_COOKIE}=${lang}; Path=/greet; Max-Age=${ONE_YEAR}; HttpOnly; SameSite=Lax`;
}
