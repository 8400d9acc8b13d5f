/** The greetings the API speaks, by lower-case language code. */
export const GREETINGS: Readonly<Record<string, string>> = { en: 'Hello', es: 'Hola', fr: 'Bonjour' };

export const DEFAULT_LANGUAGE = 'en';

export const LANGUAGE_CODES: readonly string[] = Object.keys(GREETINGS);
