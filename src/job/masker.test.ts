import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '../../test/support/split-at.ts';
import type { JobVariable } from '../gitlab/job-payload.ts';
import {
  createMasker,
  defaultTokenPrefixes,
  maskingPhrases,
  normalisePhrases,
  tokenPrefixes,
  type MaskerOptions,
} from './masker.ts';
import { PhraseMasker } from './phrase-masker.ts';
import { TokenMasker } from './token-masker.ts';
import { UrlParamMasker } from './url-param-masker.ts';
import { UserinfoMasker } from './userinfo-masker.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Write `chunks` through a fresh masker and return everything it emitted. */
function run(options: MaskerOptions, chunks: Uint8Array[]): string {
  const masker = createMasker(options);
  const out: Uint8Array[] = chunks.map((c) => masker.write(c));
  out.push(masker.flush());
  return decoder.decode(concatAll(out));
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `|` marks a write boundary, as in gitlab-runner's masker_test. */
function runTable(input: string, options: MaskerOptions): string {
  return run(
    options,
    input.split('|').map((part) => encoder.encode(part)),
  );
}

const phrasesOnly = (phrases: string[]): MaskerOptions => ({ phrases, tokenPrefixes: [] });

describe('masking phrases (gitlab-runner TestMasking)', () => {
  it.each([
    ['empty secrets have no affect', [''], 'empty secrets have no affect'],
    ['no escaping at all', [], 'no escaping at all'],
    ['secrets', ['secrets'], '[MASKED]'],
    ['secret|s', ['secrets'], '[MASKED]'],
    ['s|ecrets', ['secrets'], '[MASKED]'],
    ['secretssecrets', ['secrets'], '[MASKED][MASKED]'],
    ['ssecrets', ['secrets'], 's[MASKED]'],
    ['s|secrets', ['secrets'], 's[MASKED]'],
    ['at the start of the buffer', ['at'], '[MASKED] the start of the buffer'],
    ['in the middle of the buffer', ['middle'], 'in the [MASKED] of the buffer'],
    ['at the end of the buffer', ['buffer'], 'at the end of the [MASKED]'],
    [
      'all values are masked',
      ['all', 'values', 'are', 'masked'],
      '[MASKED] [MASKED] [MASKED] [MASKED]',
    ],
    [
      'prefixed and suffixed: xfoox ybary ffoo barr ffooo bbarr',
      ['foo', 'bar'],
      'prefixed and suffixed: x[MASKED]x y[MASKED]y f[MASKED] [MASKED]r f[MASKED]o b[MASKED]r',
    ],
    [
      'prefix|ed, su|ffi|xed |and split|:| xfo|ox y|bary ffo|o ba|rr ffooo b|barr',
      ['foo', 'bar'],
      'prefixed, suffixed and split: x[MASKED]x y[MASKED]y f[MASKED] [MASKED]r f[MASKED]o b[MASKED]r',
    ],
    [
      'sp|lit al|l val|ues ar|e |mask|ed',
      ['split', 'all', 'values', 'are', 'masked'],
      '[MASKED] [MASKED] [MASKED] [MASKED] [MASKED]',
    ],
    [
      'prefix_mask mask prefix_|mask prefix_ma|sk mas|k',
      ['mask', 'prefix_mask'],
      '[MASKED] [MASKED] [MASKED] [MASKED] [MASKED]',
    ],
    [
      'overlap: this is the en| foobar',
      ['this is the end', 'en foobar', 'en'],
      'overlap: this is the [MASKED]',
    ],
    ['  padded  ', ['  padded  '], '  [MASKED]  '],
  ])('%j with %j', (input, values, expected) => {
    expect(runTable(input, phrasesOnly(values))).toBe(expected);
  });

  it('masks a 16000-byte secret written in two halves', () => {
    const half = '_'.repeat(8000);
    expect(runTable(`large secret: ${half}|${half}`, phrasesOnly([half + half]))).toBe(
      'large secret: [MASKED]',
    );
  });

  it('masks every variable of TestVariablesMasking', () => {
    const input =
      'This is the secret message cont@ining :secret duplicateValues ffixx prefix prefix_mask suffix mask_suffix middle dd';
    const values = [
      'is',
      'duplicateValue',
      'duplicateValue',
      ':secret',
      'cont@ining',
      'fix',
    ].concat(['prefix', 'prefix_mask', 'suffix', 'mask_suffix', 'dd', 'middle']);
    expect(runTable(input, phrasesOnly(values))).toBe(
      'Th[MASKED] [MASKED] the secret message [MASKED] [MASKED] [MASKED]s f[MASKED]x [MASKED] [MASKED] [MASKED] [MASKED] [MASKED] [MASKED]',
    );
  });

  it('masks a secret whose own start repeats inside it (aab in aaab)', () => {
    expect(runTable('a|a|a|b', phrasesOnly(['aab']))).toBe('a[MASKED]');
  });

  it('masks a value split in the middle of a multi-byte character', () => {
    const bytes = encoder.encode('pw: ünïcode!\n');
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 9), bytes.subarray(9)];
    expect(run(phrasesOnly(['ünïcode']), chunks)).toBe('pw: [MASKED]!\n');
  });
});

describe('writeParts', () => {
  it('gives the same bytes as write, in pieces', () => {
    const options: MaskerOptions = { phrases: ['secret'], tokenPrefixes: tokenPrefixes() };
    const chunks = ['a sec', 'ret and glpat-abc ?private_token=x', ' https://u:p@h\n'].map((c) =>
      encoder.encode(c),
    );
    const viaParts = createMasker(options);
    const pieces = chunks.flatMap((c) => viaParts.writeParts(c)).concat(viaParts.flushParts());
    expect(decoder.decode(concatAll(pieces))).toBe(run(options, chunks));
    expect(pieces.length).toBeGreaterThan(chunks.length);
  });
});

describe('flush', () => {
  it('releases the held tail and leaves the masker usable', () => {
    const masker = createMasker({ phrases: ['secret'], tokenPrefixes: tokenPrefixes() });
    expect(decoder.decode(masker.write(encoder.encode('a sec')))).toBe('a ');
    expect(decoder.decode(masker.flush())).toBe('sec');
    expect(decoder.decode(masker.write(encoder.encode('glpat-abc')))).toBe('glpat-[MASKED]');
    expect(decoder.decode(masker.flush())).toBe('');
    expect(decoder.decode(masker.write(encoder.encode('x secret\n')))).toBe('x [MASKED]\n');
  });
});

describe('the holdback rule', () => {
  it('releases text at once when it cannot start a secret', () => {
    const masker = createMasker(phrasesOnly(['secret']));
    expect(decoder.decode(masker.write(encoder.encode('hello\n')))).toBe('hello\n');
  });

  it('holds only the possible start of a secret', () => {
    const masker = createMasker(phrasesOnly(['secret']));
    expect(decoder.decode(masker.write(encoder.encode('a sec')))).toBe('a ');
    expect(decoder.decode(masker.write(encoder.encode('ond\n')))).toBe('second\n');
  });

  it('releases a held token prefix at a newline', () => {
    const masker = createMasker({ phrases: [], tokenPrefixes: defaultTokenPrefixes });
    expect(decoder.decode(masker.write(encoder.encode('x glpa')))).toBe('x ');
    expect(decoder.decode(masker.write(encoder.encode('\n')))).toBe('glpa\n');
  });

  it('shows a token as masked before it has ended', () => {
    const masker = createMasker({ phrases: [], tokenPrefixes: defaultTokenPrefixes });
    expect(decoder.decode(masker.write(encoder.encode('t=glpat-abc')))).toBe('t=glpat-[MASKED]');
    expect(decoder.decode(masker.write(encoder.encode('def ok\n')))).toBe(' ok\n');
  });
});

describe('token prefixes (gitlab-runner TestTokenMasking)', () => {
  const opts = (extra: string[] = []): MaskerOptions => ({
    phrases: [],
    tokenPrefixes: tokenPrefixes(extra),
  });
  it.each([
    ['commodo glpat-imperdiet in voluptate', 'commodo glpat-[MASKED] in voluptate'],
    ['velit esseglpat-imperdiet', 'velit esseglpat-[MASKED]'],
    ['glpat-imperdiet Lorem', 'glpat-[MASKED] Lorem'],
    ['esseglpat-imperdiet=_-. end Lorem', 'esseglpat-[MASKED] end Lorem'],
    ['glpat-impglpat-erdiet Lorem', 'glpat-[MASKED] Lorem'],
    [
      'glpat|-imperdiet Lorem commodo gl|pat-imperdiet in',
      'glpat-[MASKED] Lorem commodo glpat-[MASKED] in',
    ],
    ['glpat| -imperdiet Lorem ipsum', 'glpat -imperdiet Lorem ipsum'],
    [
      'Lorglpat-ipsu dolor sit amglp|at-t, consglpat-ctg|lpat-tur adipiscing glpat-lit, sglpat-|d do',
      'Lorglpat-[MASKED] dolor sit amglpat-[MASKED], consglpat-[MASKED] adipiscing glpat-[MASKED], sglpat-[MASKED] do',
    ],
    ['Lorglpat- ipsu laborglpat-=_ x', 'Lorglpat- ipsu laborglpat-[MASKED] x'],
    ['runner glrt-t1_abc and glrtr-xyz', 'runner glrt-[MASKED] and glrtr-[MASKED]'],
    ['cookie _gitlab_session=abc123;', 'cookie _gitlab_session=[MASKED];'],
    ['at the end glpat-', 'at the end glpat-'],
  ])('%j', (input, expected) => {
    expect(runTable(input, opts())).toBe(expected);
  });

  it('masks a custom prefix from the payload', () => {
    expect(runTable('Lortok-ipsu dolor t|ok-t', opts(['tok-']))).toBe(
      'Lortok-[MASKED] dolor tok-[MASKED]',
    );
  });

  it('masks every custom prefix of gitlab-runner’s masking build test', () => {
    // buildtest/masking.go: TOKEN_REVEALS with the job's prefixes glpat-, mytoken:, foobar-.
    expect(
      runTable(
        'glpat-abcdef mytoken:ghijklmno foobar-pqrstuvwxyz',
        opts(['glpat-', 'mytoken:', 'foobar-']),
      ),
    ).toBe('glpat-[MASKED] mytoken:[MASKED] foobar-[MASKED]');
  });

  it('takes at most 15 prefixes, shortest first, then bytewise, as GitLab’s runner does', () => {
    const prefixes = tokenPrefixes(['mask1-', 'mask2-', 'glpat-', 'zz-']);
    expect(prefixes).toHaveLength(15);
    expect(prefixes.slice(0, 3)).toEqual(['zz-', 'gldt-', 'glft-']);
    // The longest defaults give way: 16 distinct prefixes, the 17-character one is left out.
    expect(prefixes).not.toContain('_gitlab_session=');
    expect(prefixes).toContain('mask1-');
    expect(runTable('a mask1-x mask2-y', opts(['mask1-', 'mask2-']))).toBe(
      'a mask1-[MASKED] mask2-[MASKED]',
    );
  });
});

describe('URL parameters and credentials', () => {
  const opts: MaskerOptions = { phrases: [], tokenPrefixes: [] };
  it.each([
    [
      'https://example.com/?id=123&X-Amz-Signature=abc|def&private_token=xyz end',
      'https://example.com/?id=123&X-Amz-Signature=[MASKED]&private_token=[MASKED] end',
    ],
    [
      'GET /feed?rss_token=foo&rss_token=bar\n',
      'GET /feed?rss_token=[MASKED]&rss_token=[MASKED]\n',
    ],
    ['?authenticity_token=&next', '?authenticity_token=[MASKED]&next'],
    ['?priv|ate_tok|en=s3cr|et', '?private_token=[MASKED]'],
    ['?private=1&token=2', '?private=1&token=2'],
    ['git clone https://user:s3cret@host/x.git', 'git clone https://user:[MASKED]@host/x.git'],
    [
      'https://gitlab-ci-token:abc|def@gitlab.example.com',
      'https://gitlab-ci-token:[MASKED]@gitlab.example.com',
    ],
    ['https://host:8080/path and user@host', 'https://host:8080/path and user@host'],
    ['https://user@host/ only user', 'https://user@host/ only user'],
  ])('%j', (input, expected) => {
    expect(runTable(input, opts)).toBe(expected);
  });
});

describe('stages see the masks of earlier stages', () => {
  it('masks a masked value inside a secret URL parameter once', () => {
    const options: MaskerOptions = { phrases: ['s3cret'], tokenPrefixes: [] };
    expect(runTable('GET /?private_token=s3cret&page=2', options)).toBe(
      'GET /?private_token=[MASKED]&page=2',
    );
  });

  it('keeps a job token in a clone URL masked once', () => {
    const options: MaskerOptions = { phrases: ['tok3n-value'], tokenPrefixes: tokenPrefixes() };
    expect(runTable('https://gitlab-ci-token:tok3n-value@host/p.git', options)).toBe(
      'https://gitlab-ci-token:[MASKED]@host/p.git',
    );
  });

  it('lets a job prefix that occurs in "[MASKED]" apply to it, as the Go stack of writers does', () => {
    const options: MaskerOptions = { phrases: ['s3cret'], tokenPrefixes: ['MA'] };
    expect(runTable('x s3cret y', options)).toBe('x [MA[MASKED]] y');
  });
});

/** Independent definition of phrase masking: all occurrences, overlapping ones joined. */
function referencePhraseMask(text: string, phrases: string[]): string {
  const runs: [number, number][] = [];
  for (const p of normalisePhrases(phrases)) {
    for (let i = text.indexOf(p); i !== -1; i = text.indexOf(p, i + 1))
      runs.push([i, i + p.length]);
  }
  runs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of runs) {
    const top = merged.at(-1);
    if (top && r[0] < top[1]) top[1] = Math.max(top[1], r[1]);
    else merged.push([...r]);
  }
  let out = '';
  let pos = 0;
  for (const [s, e] of merged) {
    out += text.slice(pos, s) + '[MASKED]';
    pos = e;
  }
  return out + text.slice(pos);
}

describe('masking properties', () => {
  // Lower-case secrets over a small alphabet collide and overlap often; they cannot be formed
  // across "[MASKED]", so a secret in the output could only be a leak.
  const secret = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 6 });
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', ' ', '\n'), maxLength: 80 });

  it('never leaks a secret and alters nothing else, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 4 }),
        text,
        fc.array(fc.nat(), { maxLength: 8 }),
        (secrets, input, cuts) => {
          const bytes = encoder.encode(input);
          const out = run(phrasesOnly(secrets), splitAt(bytes, cuts));
          expect(out).toBe(referencePhraseMask(input, secrets));
          for (const s of secrets) expect(out).not.toContain(s);
        },
      ),
      { seed: 42, numRuns: 800 },
    );
  });

  it('gives the same output byte by byte as in one write', () => {
    fc.assert(
      fc.property(fc.array(secret, { minLength: 1, maxLength: 3 }), text, (secrets, input) => {
        const bytes = encoder.encode(input);
        const oneByOne = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
        expect(run(phrasesOnly(secrets), oneByOne)).toBe(run(phrasesOnly(secrets), [bytes]));
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('masks a secret at every byte boundary', () => {
    const secretValue = 'Zq9-secret.value';
    const line = `token ${secretValue} done\n`;
    const bytes = encoder.encode(line);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out = run(phrasesOnly([secretValue]), [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(out).toBe('token [MASKED] done\n');
    }
  });

  it('is independent of chunking for large chunks after a held tail', () => {
    // Chunks over 2 KiB that follow a held tail take their own path (stream-rewriter WINDOW):
    // chunks end inside secrets, tokens, keys and credentials, then a long chunk follows.
    const piece = fc.constantFrom(
      'se',
      'cret ',
      'glp',
      'at-x ',
      '?priv',
      'ate_token=v ',
      'https://u:',
      'p@h ',
      'y'.repeat(1500),
      '\n',
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(piece, { minLength: 1, maxLength: 6 }), { maxLength: 12 }),
        (groups) => {
          const options: MaskerOptions = { phrases: ['secret'], tokenPrefixes: tokenPrefixes() };
          const chunks = groups.map((g) => encoder.encode(g.join('')));
          const whole = encoder.encode(groups.flat().join(''));
          const out = run(options, chunks);
          expect(out).toBe(run(options, [whole]));
          expect(out).not.toContain('secret');
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('the whole pipeline is independent of chunking', () => {
    const unit = fc.constantFrom(
      ...'ab?&=:/@ \n'.split(''),
      'glpat-',
      'private_token=',
      'https://u:p@h',
      'gl',
      'ab',
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (input, cuts) => {
          // 'MA' occurs inside "[MASKED]": masks of earlier stages must then be rescanned.
          const options: MaskerOptions = {
            phrases: ['ab', 'bab'],
            tokenPrefixes: tokenPrefixes(['MA']),
          };
          const bytes = encoder.encode(input);
          expect(run(options, splitAt(bytes, cuts))).toBe(run(options, [bytes]));
        },
      ),
      { seed: 9, numRuns: 1000 },
    );
  });
});

describe('createMasker sharing "=" positions between stages', () => {
  it('equals the stages run one after another on the whole output, any chunking', () => {
    // The URL-parameter stage's search for `=` serves the token stage (`_gitlab_session=`);
    // the reference runs independent stages, each searching for itself.
    const unit = fc.constantFrom(
      ...'ab?&=;:/@ \n'.split(''),
      '_gitlab_session=',
      '_gitlab_sess',
      'private_token=',
      'rss_tok',
      'glpat-',
      'https://u:p@h',
      'sec',
    );
    const prefixes = tokenPrefixes(['a=']);
    const reference = (input: string): string => {
      let bytes: Uint8Array = encoder.encode(input);
      for (const stage of [
        new PhraseMasker(['secret']),
        new UrlParamMasker(),
        new TokenMasker(prefixes),
        new UserinfoMasker(),
      ]) {
        bytes = concatAll([stage.write(bytes), stage.flush()]);
      }
      return decoder.decode(bytes);
    };
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (input, cuts) => {
          const options: MaskerOptions = { phrases: ['secret'], tokenPrefixes: prefixes };
          const out = run(options, splitAt(encoder.encode(input), cuts));
          expect(out).toBe(reference(input));
        },
      ),
      { seed: 21, numRuns: 1000 },
    );
  });
});

describe('maskingPhrases', () => {
  const v = (key: string, value: string, masked = true, file = false): JobVariable => ({
    key,
    value,
    masked,
    file,
    public: false,
    raw: false,
  });

  it('takes masked values, file contents and the job token, trimmed and distinct', () => {
    const phrases = maskingPhrases(
      [
        v('A', ' s3cret-value '),
        v('B', 'public', false),
        v('C', 's3cret-value'),
        v('F', 'key-data', true, true),
        v('E', '  '),
      ],
      { jobToken: 'job-token-123' },
    );
    expect(phrases).toEqual(['job-token-123', 's3cret-value', 'key-data']);
  });
});
