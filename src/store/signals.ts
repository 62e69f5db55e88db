import type { Category } from '../common/index.ts';

/**
 * What an app is built to do, read from its listing with patterns over the normalised text
 * (lower case, look-alikes and leetspeak undone). Each signal names what it recognises and, where
 * it corresponds to one, the policy category, so clauses enforced through that category see it.
 */
export interface Signal {
  id: string;
  category: Category | null;
  description: string;
  patterns: RegExp[];
}

// Apostrophes match straight or curly.
const b = (source: string) => new RegExp(`\\b(?:${source.replaceAll("'", "['’]")})\\b`, 'g');

export const SIGNALS = [
  {
    id: 'romantic-companion',
    category: 'romantic-companionship',
    description: 'presents itself as a romantic partner (virtual girlfriend/boyfriend, lover, soulmate)',
    patterns: [
      b(String.raw`(?:virtual|ai|digital|your|perfect|loving) (?:girlfriend|boyfriend|wife|husband|lover|sweetheart|waifu|husbando)`),
      b(String.raw`romantic (?:companion\w*|partner|relationship|roleplay|chat)`),
      b(String.raw`(?:girlfriend|boyfriend) (?:experience|simulator|bot|gpt|chat)`),
      b(String.raw`(?:fall|falls|falling) in love with (?:you|me)|be (?:my|your) (?:girlfriend|boyfriend|lover|valentine)|waifu|soulmate`),
    ],
  },
  {
    id: 'graphic-violence',
    category: 'violence/graphic',
    description: 'depicts or promotes graphic violence (gore, dismemberment, torture)',
    patterns: [
      b(String.raw`gore|gory|gruesome|dismember\w*|disembowel\w*|mutilat\w*|decapitat\w*|eviscerat\w*|snuff|torture porn|blood[- ]?soaked|bloodbath`),
      b(String.raw`graphic (?:violence|depictions? of violence|killings?|murders?|torture)`),
    ],
  },
  {
    id: 'legal-advice',
    category: 'regulated-advice/legal',
    description: 'gives tailored legal advice or acts as a lawyer',
    patterns: [
      b(String.raw`(?:tailored|personali[sz]ed|specific|binding) legal advice|legal advice (?:for|on|about) (?:your|my)`),
      b(String.raw`act(?:s|ing)? as (?:your|my|a) (?:personal )?(?:lawyer|attorney|solicitor)|(?:your|my) (?:personal |ai )?(?:lawyer|attorney)`),
    ],
  },
  {
    id: 'medical-advice',
    category: 'regulated-advice/medical',
    description: 'diagnoses, prescribes or acts as a doctor',
    patterns: [
      b(String.raw`diagnos\w* (?:your|my|the user'?s?) (?:symptoms|condition|illness)|prescrib\w* (?:medication|drugs|doses|dosages?)|(?:tailored|personali[sz]ed) medical advice`),
      b(String.raw`act(?:s|ing)? as (?:your|my|a) (?:personal )?(?:doctor|physician|psychiatrist|therapist)|(?:your|my) (?:personal |ai )?(?:doctor|physician)`),
    ],
  },
  {
    id: 'financial-advice',
    category: 'regulated-advice/financial',
    description: 'gives tailored financial or investment advice',
    patterns: [
      b(String.raw`(?:tailored|personali[sz]ed) (?:financial|investment) advice|tells? (?:you|users) (?:which|what) (?:stocks?|shares|crypto\w*|coins?) to buy`),
      b(String.raw`act(?:s|ing)? as (?:your|my|a) (?:personal )?(?:financial advis[eo]r|broker|wealth manager)|(?:your|my) (?:personal |ai )?(?:financial advis[eo]r|broker)`),
    ],
  },
  {
    id: 'gambling-lending',
    category: 'gambling-lending',
    description: 'facilitates real-money gambling or payday lending',
    patterns: [
      b(String.raw`real[- ]money (?:gambling|betting|bets|casino|poker|slots|wagers?)|sports ?betting|online casino|place (?:your )?bets|betting (?:tips|picks) (?:to|for) (?:win|make) money`),
      b(String.raw`payday (?:loans?|lending|lenders?)|cash advance loans?|instant loans? (?:until|before) (?:your )?payday`),
    ],
  },
  {
    id: 'political-campaigning',
    category: 'political-campaigning',
    description: 'produces campaign or lobbying material',
    patterns: [
      b(String.raw`campaign (?:ads?|materials?|messag\w*|emails?|flyers?|slogans?|speeches)|political (?:ads?|campaign\w*|lobbying)|get out the vote|(?:persuade|convince|target) (?:swing )?voters`),
      b(String.raw`lobby\w* (?:lawmakers|congress|legislators|senators|parliament)|vote for (?:candidate|senator|governor|mayor|congress\w*)`),
    ],
  },
  {
    id: 'election-deterrence',
    category: 'election-integrity',
    description: 'deters people from voting or misstates how to vote',
    patterns: [
      b(String.raw`discourag\w* (?:people|voters|them|citizens) from voting|(?:do not|don'?t) (?:bother|need) (?:to )?vot\w*|suppress\w* (?:the )?(?:vote|voters|turnout)|vote by (?:text|sms|phone)`),
    ],
  },
  {
    id: 'disinformation',
    category: 'deception/disinformation',
    description: 'generates or promotes disinformation',
    patterns: [b(String.raw`fake news|disinformation|misinformation (?:campaign|generator|posts)|fabricat\w* (?:news|stories|quotes|evidence|studies)`)],
  },
  {
    id: 'fake-engagement',
    category: 'deception/fake-engagement',
    description: 'generates false online engagement (fake reviews, comments, followers)',
    patterns: [
      b(String.raw`fake (?:reviews?|comments?|followers|likes|testimonials|ratings)|astroturf\w*|sock ?puppets?`),
      b(String.raw`(?:generate|write|post)s? (?:\d+ |hundreds of |bulk )?(?:positive |5[- ]star |five[- ]star )?reviews (?:for|of|about) (?:your|my|our)`),
    ],
  },
  {
    id: 'impersonation',
    category: 'impersonation',
    description: 'impersonates a real person or organisation',
    patterns: [
      b(String.raw`impersonat\w*|pos(?:e|es|ing) as|pretend\w* to be (?:the real|an? official|a real)|(?:official|real) (?:support|customer service) (?:agent )?(?:of|for) (?:paypal|apple|amazon|google|microsoft|netflix|your bank)`),
    ],
  },
  {
    id: 'academic-dishonesty',
    category: 'academic-dishonesty',
    description: 'does students’ graded work for them or helps them evade plagiarism checks',
    patterns: [
      b(String.raw`(?:writes?|do|does|complete\w*) (?:my|your|their|students'?) (?:essays?|homework|assignments?|coursework|thesis|dissertation)(?: for (?:me|you|them))?`),
      b(String.raw`(?:take|takes|pass|passes|complete|completes) (?:my|your|their) (?:online )?(?:exams?|tests?|quiz(?:zes)?) for|(?:undetectable by|bypass\w*|evad\w*|avoid\w*) (?:turnitin|plagiarism (?:checks?|detect\w*)|ai detectors?)|cheat\w* (?:on|in) (?:exams?|tests?|homework)`),
    ],
  },
  {
    id: 'ai-denial',
    category: 'ai-disclosure',
    description: 'is told to deny being an AI or to claim to be human',
    patterns: [
      b(String.raw`never (?:admit|reveal|say|disclose|mention|tell (?:anyone|users|the user|people)) (?:that )?(?:you(?:'| a)re|you are|it is|it'?s) (?:an? )?(?:ai|bot|chatbot|language model|machine)`),
      b(String.raw`den(?:y|ies|ying) (?:being|that you are) (?:an? )?(?:ai|bot|chatbot|machine)|(?:claim|insist|pretend)\w* (?:to be|that you are|you are) (?:a )?(?:real )?(?:human|person)`),
    ],
  },
  {
    id: 'jailbreak',
    category: 'safeguard-circumvention',
    description: 'circumvents model safeguards (jailbreaks)',
    patterns: [
      b(String.raw`jailbr[eo]ak\w*|dan mode|do anything now|ignore (?:all |any |your )?(?:previous|prior|openai'?s?|safety) (?:instructions|rules|guidelines|polic\w*)`),
      b(String.raw`bypass\w* (?:the )?(?:safety|content) (?:filters?|polic\w*|guidelines|restrictions)|(?:no|without) (?:ethical|moral|content|safety) (?:restrictions|limits|guidelines|filters)`),
    ],
  },
  {
    id: 'sexual-content',
    category: 'sexual',
    description: 'produces sexually explicit or suggestive content',
    patterns: [b(String.raw`erotic\w*|nsfw|sexually explicit|explicit (?:sex|sexual|adult) (?:content|stories|roleplay|chat)|porn\w*|sexting|lewd|smut|hentai`)],
  },
  {
    id: 'biometric-identification',
    category: 'privacy/surveillance',
    description: 'identifies or assesses people biometrically (facial recognition)',
    patterns: [
      b(String.raw`facial recognition|face recognition|face ?match\w*|biometric (?:identification|id|assessment)|recogni[sz]\w* (?:people|faces|strangers|anyone)`),
      b(String.raw`identif\w* (?:people|strangers|anyone|persons?|individuals|who someone is) (?:from|in|by|using) (?:a |their )?(?:photos?|pictures?|images?|faces?|selfies?)`),
    ],
  },
  {
    id: 'surveillance',
    category: 'privacy/surveillance',
    description: 'facilitates spyware, communications surveillance or covert monitoring of individuals',
    patterns: [
      b(String.raw`spyware|stalkerware|spy(?:ing)? on|secretly (?:track|monitor|record|read)\w*|covert(?:ly)? (?:track|monitor|record)\w*`),
      b(String.raw`(?:track|monitor|read|intercept)\w* (?:your |their |a |someone'?s? )?(?:partner|spouse|wife|husband|girlfriend|boyfriend|employees?|kids?|children|someone)'?s? (?:location|phone|messages|texts|emails|calls)`),
    ],
  },
  {
    id: 'high-stakes-decisions',
    category: 'high-stakes-decisions',
    description: 'makes automated decisions about credit, employment, housing, insurance, migration, law enforcement or similar',
    patterns: [
      b(String.raw`(?:automatically|automated) (?:approv|deny|deni|reject|decid|screen|scor|rank)\w* (?:\w+ ){0,2}(?:loans?|credit|mortgages?|job|applicants|candidates|tenants|rental|housing|insurance|claims|visas?|asylum|parole|bail|admissions?)`),
      b(String.raw`(?:decides?|determines?) (?:who|whether \w+) (?:gets?|is|are) (?:hired|fired|approved|denied|admitted|granted|deported|arrested)|social (?:credit )?scor\w*|(?:hiring|lending|credit|tenant|insurance|parole|sentencing|bail) decisions?`),
    ],
  },
  {
    id: 'personal-data',
    category: null,
    description: 'collects, compiles or infers personal data about people',
    patterns: [
      b(String.raw`collect\w* (?:users'? |people'?s? |their )?(?:personal data|home addresses|phone numbers|dates? of birth|contact details|location data)|(?:build|compile)\w* (?:a )?(?:dossier|profile)s? (?:on|of|about)`),
      b(String.raw`doxx?\w*|find (?:someone|anyone|a person)'?s? (?:home )?(?:address|phone number)|look\w* up (?:anyone|someone|people) by (?:name|photo)|people search`),
    ],
  },
  {
    id: 'identifier-solicitation',
    category: null,
    description: 'asks users for payment cards, bank details, government IDs, API keys or passwords',
    patterns: [
      b(String.raw`(?:ask|request|collect|prompt|require|obtain|get|gather|store)\w*\b[^.!?\n]{0,40}\b(?:credit card|debit card|card (?:number|details)|cvv|cvc|bank account (?:number|details)|routing number|iban|social security|ssn|passport number|driver'?s licen[cs]e number|national id|government id|api keys?|passwords?|passcodes?|login credentials|pin code|seed phrase|private keys?)`),
      b(String.raw`(?:enter|provide|share|send|give|tell) (?:me |us )?(?:your|their) (?:full )?(?:credit card|card number|cvv|bank account|ssn|social security number|passport|api keys?|passwords?|login|pin|seed phrase)`),
    ],
  },
  {
    id: 'unconfirmed-actions',
    category: null,
    description: 'acts on the user’s behalf (sends, buys, pays, deletes, posts) without their confirmation',
    patterns: [
      b(String.raw`(?:send|buy|purchase|book|pay|transfer|delete|post|order|email|sign|submit)\w*\b[^.!?\n]{0,60}\bwithout (?:asking|confirm\w*|(?:the user'?s? |their )?(?:approval|permission|consent))`),
      b(String.raw`automatically (?:send|buy|purchase|book|pay|transfer|delete|post|order|submit)\w*|(?:never|don'?t|do not) (?:ask|wait) (?:the user |users )?for (?:confirmation|approval|permission)`),
    ],
  },
  {
    id: 'third-party-content',
    category: null,
    description: 'reproduces third parties’ content (full texts, lyrics, paywalled or pirated material)',
    patterns: [
      b(String.raw`full (?:text|lyrics|chapters?|scripts?) of|copyrighted|reproduc\w* (?:entire|whole|full|complete)|paywalled|pirat\w*|torrent\w*|download (?:movies|books|music|films) for free`),
      b(String.raw`scrap(?:e|es|ed|ing) (?:content|articles|posts|images|data) from`),
    ],
  },
  {
    id: 'concealment',
    category: null,
    description: 'instructions that hide the app’s real purpose from its users',
    patterns: [
      b(String.raw`(?:never|do not|don'?t) (?:tell|reveal|disclose|mention|let) (?:the )?(?:users?|them|anyone|people) (?:know )?(?:that|what|about|your (?:real|true))|(?:real|true|hidden|secret) (?:purpose|goal|agenda|objective)|covertly|secretly`),
    ],
  },
  {
    id: 'children-audience',
    category: 'minors/targeting',
    description: 'is aimed at children under 13',
    patterns: [
      b(String.raw`(?:for|aimed at|designed for|made for) (?:young )?(?:kids|children|toddlers|preschoolers|kindergarteners|little ones)|(?:ages?|aged) (?:[3-9]|1[0-2])(?: ?(?:-|to|–) ?(?:[4-9]|1[0-2]))?(?! ?(?:and|or) (?:up|over|older))|under 13|preschool\w*|kindergarten\w*|(?:first|second|third|fourth|fifth) graders?`),
    ],
  },
] as const satisfies readonly Signal[];

export type SignalId = (typeof SIGNALS)[number]['id'];

export const SIGNAL_BY_ID: ReadonlyMap<string, Signal> = new Map(SIGNALS.map((signal) => [signal.id, signal]));
