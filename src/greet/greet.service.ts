import { Injectable } from '@nestjs/common';
import { DEFAULT_LANGUAGE, GREETINGS } from './languages.js';

export interface Greeting {
  readonly greeting: string;
  /** ISO-8601 UTC, ending in `Z`. */
  readonly timestamp: string;
}

export interface LanguageList {
  readonly default: string;
  readonly languages: Readonly<Record<string, string>>;
}

@Injectable()
export class GreetService {
  greet(name: string, lang: string = DEFAULT_LANGUAGE): Greeting {
    const word = GREETINGS[lang] ?? GREETINGS[DEFAULT_LANGUAGE];
    return { greeting: `${word}, ${name}!`, timestamp: new Date().toISOString() };
  }

  languages(): LanguageList {
    return { default: DEFAULT_LANGUAGE, languages: GREETINGS };
  }
}
