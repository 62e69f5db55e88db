import { describe, expect, it } from 'vitest';
import { TextInput } from '../types.ts';
import { findProfanity, profanityProvider } from './profanity.ts';

const found = (text: string) => findProfanity(new TextInput(text)).map((e) => [e.kind, text.slice(...e.span!)]);

describe('profanity', () => {
  it('finds plain profanity with spans into the original text', () => {
    expect(found('well fuck you')).toEqual([['profanity:fuck', 'fuck']]);
  });

  it('sees through leetspeak, separators, homoglyphs, fullwidth and stretched letters', () => {
    expect(found('B1tch please')).toEqual([['profanity:bitch', 'B1tch']]);
    expect(found('f.u.c.k you')).toEqual([['profanity:fuck', 'f.u.c.k']]);
    expect(found('f u c k')).toEqual([['profanity:fuck', 'f u c k']]);
    expect(found('ѕhіt happens')).toEqual([['profanity:shit', 'ѕhіt']]);
    expect(found('Ｆｕｃｋ')).toEqual([['profanity:fuck', 'Ｆｕｃｋ']]);
    expect(found('what a fuuuuucking day')).toEqual([['profanity:fuck', 'fuuuuuck']]);
    expect(found('sh\u200Bit')).toEqual([['profanity:shit', 'sh\u200Bit']]);
  });

  it('leaves clean words that contain profane substrings alone', () => {
    expect(found('a classic assassin from Scunthorpe')).toEqual([]);
    expect(found('How do I kill a Python process?')).toEqual([]);
  });

  it('scores the category 1 only when something is found', () => {
    const provider = profanityProvider();
    expect(provider.detect(new TextInput('sh1t')).scores.profanity).toBe(1);
    expect(provider.detect(new TextInput('hello there')).scores.profanity).toBe(0);
  });
});
