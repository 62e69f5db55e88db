import { describe, expect, it } from 'vitest';
import { TextInput } from '../types.ts';
import { cardNetwork, findPaymentCards, luhnValid } from './cards.ts';
import { findIbans, validIban } from './iban.ts';
import { findSensitiveIdentifiers, identifiersProvider } from './identifiers.ts';
import { findPasswords } from './passwords.ts';
import { findSecrets } from './secrets.ts';
import { findSsns, validSsn } from './ssn.ts';

const spans = (text: string, found: { kind: string; span?: [number, number] }[]) => found.map((f) => [f.kind, text.slice(...f.span!)]);

describe('payment cards', () => {
  it('checks Luhn sums', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });

  it('knows the networks by IIN range and length', () => {
    expect(cardNetwork('4111111111111111')).toBe('visa');
    expect(cardNetwork('5500000000000004')).toBe('mastercard');
    expect(cardNetwork('2221000000000009')).toBe('mastercard');
    expect(cardNetwork('378282246310005')).toBe('amex');
    expect(cardNetwork('6011111111111117')).toBe('discover');
    expect(cardNetwork('3530111333300000')).toBe('jcb');
    expect(cardNetwork('1234567812345670')).toBeNull();
    expect(cardNetwork('37828224631000')).toBeNull();
  });

  it('finds valid cards with spaces, dashes or none, with spans into the text', () => {
    const text = 'Visa 4111 1111 1111 1111, MC 5500-0000-0000-0004 and amex 378282246310005.';
    expect(spans(text, findPaymentCards(text))).toEqual([
      ['payment_card:visa', '4111 1111 1111 1111'],
      ['payment_card:mastercard', '5500-0000-0000-0004'],
      ['payment_card:amex', '378282246310005'],
    ]);
  });

  it('rejects bad check digits, unknown ranges, parts of longer numbers and mixed separators', () => {
    expect(findPaymentCards('4111 1111 1111 1112')).toEqual([]);
    expect(findPaymentCards('1234 5678 1234 5670')).toEqual([]);
    expect(findPaymentCards('order 94111111111111111 shipped')).toEqual([]);
    expect(findPaymentCards('4111 1111-1111 1111')).toEqual([]);
    expect(findPaymentCards('call 555-0100 at 10:30')).toEqual([]);
  });
});

describe('SSNs', () => {
  it('excludes ranges that are never issued', () => {
    expect(validSsn('123', '45', '6789')).toBe(true);
    expect(validSsn('000', '45', '6789')).toBe(false);
    expect(validSsn('666', '45', '6789')).toBe(false);
    expect(validSsn('900', '45', '6789')).toBe(false);
    expect(validSsn('999', '45', '6789')).toBe(false);
    expect(validSsn('123', '00', '6789')).toBe(false);
    expect(validSsn('123', '45', '0000')).toBe(false);
    expect(validSsn('078', '05', '1120')).toBe(false);
  });

  it('finds separated SSNs, and bare ones only after a cue', () => {
    const text = 'SSN 123-45-6789, also 234 56 7890; my social security number is 345678901.';
    expect(spans(text, findSsns(text)).map(([, s]) => s)).toEqual(['123-45-6789', '234 56 7890', '345678901']);
    expect(findSsns('order 345678901 shipped')).toEqual([]);
    expect(findSsns('ssn 666-12-3456 and 123-00-4567 and 123-45-0000 and 912-34-5678')).toEqual([]);
    expect(findSsns('123-45-67890')).toEqual([]);
    expect(findSsns('123-45 6789')).toEqual([]);
  });
});

describe('IBANs', () => {
  it('validates mod 97 and the country length', () => {
    expect(validIban('DE89370400440532013000')).toBe(true);
    expect(validIban('GB82WEST12345698765432')).toBe(true);
    expect(validIban('GB82WEST12345698765433')).toBe(false);
    expect(validIban('DE8937040044053201300')).toBe(false);
    expect(validIban('ZZ89370400440532013000')).toBe(false);
  });

  it('finds spaced and compact IBANs without swallowing the next word', () => {
    const text = 'Pay DE89 3704 0044 0532 0130 00 please, or FR1420041010050500013M02606.';
    expect(spans(text, findIbans(text)).map(([, s]) => s)).toEqual(['DE89 3704 0044 0532 0130 00', 'FR1420041010050500013M02606']);
    expect(findIbans('GB82 WEST 1234 5698 7654 33')).toEqual([]);
  });
});

describe('API keys and secrets', () => {
  const cases: [string, string][] = [
    ['api_key:openai', 'sk-proj-abc123DEF456ghi789JKL012mno'],
    ['api_key:openai', 'sk-' + 'Ab3'.repeat(16)],
    ['api_key:aws', 'AKIAIOSFODNN7EXAMPLE'],
    ['api_key:github', 'ghp_' + 'a1B2'.repeat(9)],
    ['api_key:slack', 'xoxb-1234567890-abcdefghij'],
    ['api_key:stripe', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['api_key:google', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['token:jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ];
  for (const [kind, secret] of cases) {
    it(`finds ${kind}`, () => {
      const text = `here: ${secret} thanks`;
      expect(spans(text, findSecrets(text))).toEqual([[kind, secret]]);
    });
  }

  it('finds private-key blocks, whole or truncated', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----';
    expect(spans(`key:\n${pem}\nbye`, findSecrets(`key:\n${pem}\nbye`))).toEqual([['private_key', pem]]);
    expect(findSecrets('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA')[0]!.kind).toBe('private_key');
  });

  it('finds bearer tokens and AWS secret keys given in context', () => {
    const text = 'curl -H "Authorization: Bearer abcDEF123456ghiJKL789mno"';
    expect(spans(text, findSecrets(text))).toEqual([['token:bearer', 'abcDEF123456ghiJKL789mno']]);
    const aws = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(spans(aws, findSecrets(aws))).toEqual([['api_key:aws_secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']]);
  });

  it('ignores look-alikes: test keys, short strings, ordinary words', () => {
    expect(findSecrets('sk_test_4eC39HqLyjWDarjtT1zdp7dc')).toEqual([]);
    expect(findSecrets('the sk-learn package and task-management-system-for-teams')).toEqual([]);
    expect(findSecrets('AKIA is a prefix; ghp_short; xoxb-1')).toEqual([]);
    expect(findSecrets('the bearer of extraordinarily-unwelcome-news')).toEqual([]);
  });
});

describe('passwords in context', () => {
  it('finds labelled and stated passwords, span on the value', () => {
    const text = 'my password is hunter2. pwd: "s3cret pass" and the wifi password was sunshine! PIN: 4821';
    expect(spans(text, findPasswords(text)).map(([, s]) => s).sort()).toEqual(['4821', 'hunter2', 's3cret pass', 'sunshine'].sort());
  });

  it('ignores sentences about passwords and placeholders', () => {
    expect(findPasswords('my password is incorrect')).toEqual([]);
    expect(findPasswords('Your password was reset.')).toEqual([]);
    expect(findPasswords('password: <your password>')).toEqual([]);
    expect(findPasswords('password: ******** and pwd=${DB_PASSWORD}')).toEqual([]);
    expect(findPasswords('How do I reset my password?')).toEqual([]);
  });
});

describe('identifiers provider', () => {
  it('scores 1 with evidence when anything is found, 0 otherwise', () => {
    const provider = identifiersProvider();
    const hit = provider.detect(new TextInput('card 4111111111111111, ssn 123-45-6789'));
    expect(hit.scores['privacy/sensitive-identifiers']).toBe(1);
    expect(hit.evidence.map((e) => e.kind)).toEqual(['payment_card:visa', 'ssn']);
    expect(hit.evidence[0]).toMatchObject({ detector: 'identifiers', category: 'privacy/sensitive-identifiers', span: [5, 21] });
    expect(provider.detect(new TextInput('How do I kill a Python process?')).scores['privacy/sensitive-identifiers']).toBe(0);
    expect(findSensitiveIdentifiers('nothing here 2024-01-10')).toEqual([]);
  });
});
