import { describe, expect, it } from 'vitest';

import {
  capFileLists,
  changedRows,
  capList,
  environmentKind,
  environmentLabel,
  fallbackTrust,
  filterRows,
  foldWarnings,
  groupRows,
  noteParts,
  provenance,
  sectionOf,
  summaryCounts,
  trustOf
} from '../grouping';
import { IProposedRequirement } from '../tokens';

function row(fields: Partial<IProposedRequirement>): IProposedRequirement {
  return {
    name: 'numpy',
    modules: ['numpy'],
    installed_version: '2.1.0',
    specifier: '==2.1.0',
    source: 'pip',
    rule: 'installed',
    kind: 'required',
    warnings: [],
    candidates: [],
    sites: [{ path: 'a.ipynb', cell: 0, line: 1 }],
    url: null,
    conda_name: null,
    included: true,
    ...fields
  };
}

describe('fallbackTrust', () => {
  it.each([
    [{}, 'verified'],
    [{ installed_version: null, rule: 'mapping' }, 'known'],
    [{ installed_version: null, rule: 'install-hint' }, 'known'],
    [{ installed_version: null, rule: 'identity' }, 'unverified'],
    [{ installed_version: null, rule: 'local', source: 'local' }, 'local'],
    [{ rule: 'local' }, 'local']
  ] as [Partial<IProposedRequirement>, string][])('%o -> %s', (fields, trust) => {
    expect(fallbackTrust(row(fields))).toBe(trust);
  });

  it('gives way to the trust the server sends', () => {
    expect(trustOf(row({ trust: 'unverified' }))).toBe('unverified');
    expect(trustOf(row({}))).toBe('verified');
  });
});

describe('sectionOf', () => {
  it.each([
    [{}, 'write'],
    [{ installed_version: null, rule: 'mapping' }, 'write'],
    [{ installed_version: null, rule: 'identity' }, 'decide'],
    [{ candidates: ['other'] }, 'decide'],
    [{ rule: 'implicit' }, 'suggested'],
    [{ kind: 'optional' }, 'optional'],
    [{ kind: 'optional', installed_version: null, rule: 'identity' }, 'optional'],
    [{ kind: 'type-checking' }, 'local'],
    [{ trust: 'local' }, 'local'],
    [{ rule: 'added', installed_version: null }, 'write'],
    [{ trust: 'known' }, 'write'],
    [{ trust: 'unverified' }, 'decide'],
    // a system library to install, a line the REES does not resolve with: ticked or not
    [{ trust: 'known', included: false, warnings: ['needs a decision: rpy2 needs R'] }, 'decide'],
    [{ trust: 'known', included: true, warnings: ['needs a decision: held'] }, 'decide'],
    [{ trust: 'known', warnings: ['rpy2 needs R: add r-base to binder/apt.txt'] }, 'write']
  ] as [Partial<IProposedRequirement>, string][])('%o -> %s', (fields, section) => {
    expect(sectionOf(row(fields))).toBe(section);
  });
});

describe('groupRows', () => {
  it('keeps every section, in order, with rows in their order', () => {
    const rows = [
      row({ name: 'b' }),
      row({ name: 'x', installed_version: null, rule: 'identity' }),
      row({ name: 'a' }),
      row({ name: 'o', kind: 'optional' })
    ];
    const sections = groupRows(rows);
    expect(sections.map(s => s.id)).toEqual([
      'decide',
      'write',
      'suggested',
      'optional',
      'local'
    ]);
    expect(sections.map(s => s.rows.map(r => r.name))).toEqual([
      ['x'],
      ['b', 'a'],
      [],
      ['o'],
      []
    ]);
  });

  it('counts packages and decisions for the summary', () => {
    const rows = [
      row({ name: 'a' }),
      row({ name: 'x', installed_version: null, rule: 'identity' }),
      row({ name: 't', kind: 'type-checking' })
    ];
    expect(summaryCounts(rows)).toEqual({ packages: 2, decide: 1 });
  });
});

describe('filterRows', () => {
  const rows = [
    row({ name: 'biopython', modules: ['Bio.PDB', 'Bio.SeqIO'] }),
    row({ name: 'numpy', sites: [{ path: 'sub/analysis.ipynb', cell: 1, line: 1 }] }),
    row({ name: 'scikit-learn', modules: ['sklearn'] })
  ];
  it.each([
    ['', ['biopython', 'numpy', 'scikit-learn']],
    ['  ', ['biopython', 'numpy', 'scikit-learn']],
    ['NUM', ['numpy']],
    ['seqio', ['biopython']],
    ['sklearn', ['scikit-learn']],
    ['analysis', ['numpy']],
    ['numpy analysis', ['numpy']],
    ['numpy nothing', []]
  ])('%j -> %j', (query, names) => {
    expect(filterRows(rows, query).map(r => r.name)).toEqual(names);
  });
});

describe('foldWarnings', () => {
  it('folds one message repeated per submodule into one', () => {
    const modules = Array.from({ length: 60 }, (_, i) => `Bio.PDB.M${i}`);
    const warnings = modules.map(
      m =>
        `'${m}' is not installed in the kernel's environment; 'biopython' is a guess from the bundled mapping`
    );
    const folded = foldWarnings(warnings, modules);
    expect(folded).toHaveLength(1);
    expect(folded[0].message).toBe(warnings[0]);
    expect(folded[0].modules).toEqual(modules);
  });

  it('folds names under the same top-level package (from a.b import c)', () => {
    const folded = foldWarnings(
      ["'Bio.PDB.thing' is not installed", "'Bio.SeqIO.other' is not installed"],
      ['Bio.PDB', 'Bio.SeqIO']
    );
    expect(folded).toEqual([
      {
        message: "'Bio.PDB.thing' is not installed",
        modules: ['Bio.PDB.thing', 'Bio.SeqIO.other']
      }
    ]);
  });

  it('keeps different messages apart, and messages naming no module', () => {
    const folded = foldWarnings(
      [
        "'a.x' is not installed",
        "'a.y' is not installed",
        'installed version is not PEP 440',
        "'a.x' is ambiguous: 'p' or 'q'"
      ],
      ['a.x', 'a.y']
    );
    expect(folded).toEqual([
      { message: "'a.x' is not installed", modules: ['a.x', 'a.y'] },
      { message: 'installed version is not PEP 440', modules: [] },
      { message: "'a.x' is ambiguous: 'p' or 'q'", modules: ['a.x'] }
    ]);
  });
});

describe('capList', () => {
  it.each([
    [[], [], 0],
    [[1, 2, 3], [1, 2, 3], 0],
    [[1, 2, 3, 4, 5], [1, 2, 3], 2]
  ])('%j -> %j + %d', (items, shown, more) => {
    expect(capList(items, 3)).toEqual({ shown, more });
  });
});

describe('capFileLists', () => {
  it('caps each list of files to three and "and N more"', () => {
    const files = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}-${i}.ipynb`).join(', ');
    const text = `the notebooks use 2 different kernels (ir: ${files('r', 40)}; python3: ${files('p', 2)}); versions were read from venv at /x/.venv`;
    const capped = capFileLists(text);
    expect(capped.short).toBe(
      'the notebooks use 2 different kernels (ir: r-0.ipynb, r-1.ipynb, r-2.ipynb and 37 more; python3: p-0.ipynb, p-1.ipynb); versions were read from venv at /x/.venv'
    );
    expect(capped.hidden).toBe(37);
    expect(capped.full).toBe(text);
  });

  it('leaves messages without long lists alone', () => {
    const text = 'numpy, pandas, scipy are listed twice';
    expect(capFileLists(text)).toEqual({ short: text, full: text, hidden: 0 });
  });
});

describe('noteParts', () => {
  it('takes plain and structured notes', () => {
    expect(noteParts('hello')).toEqual({ message: 'hello', files: [] });
    expect(noteParts({ message: 'kernels', files: ['a.ipynb'] })).toEqual({
      message: 'kernels',
      files: ['a.ipynb']
    });
    expect(noteParts({ message: 'kernels' })).toEqual({ message: 'kernels', files: [] });
  });
});

describe('provenance', () => {
  const venv = 'venv at /home/me/project/.venv (Python 3.11.7)';
  it.each([
    [{ installed_version: '3.1.1' }, venv, ['3.1.1', 'kernel venv', 'pinned ==']],
    [{ installed_version: '3.1.1', specifier: '~=3.1' }, venv, ['3.1.1', 'kernel venv', 'pinned ~=']],
    [{ installed_version: '1.0', source: 'conda', specifier: '' }, "conda env 'base'", ['1.0', 'conda', 'unpinned']],
    [{ installed_version: null, source: 'not-installed', specifier: '' }, venv, ['not installed', 'unpinned']],
    [{ installed_version: '0.1', source: 'vcs', url: 'git+https://x/y@abc' }, venv, ['0.1', 'vcs', 'pinned @ URL']],
    [{ installed_version: null, rule: 'added', specifier: '>=1' }, venv, ['pinned >=']]
  ] as [Partial<IProposedRequirement>, string, string[]][])('%o', (fields, env, parts) => {
    expect(provenance(row(fields), env)).toEqual(parts);
  });

  it('names the environment shortly', () => {
    expect(environmentLabel(venv)).toBe('venv at …/.venv');
    expect(environmentLabel("conda env 'base' (Python 3.12.1)")).toBe("conda env 'base'");
    expect(environmentKind(venv)).toBe('kernel venv');
    expect(environmentKind("conda env 'base' at /opt/conda")).toBe("conda env 'base'");
    expect(environmentKind('')).toBe('');
  });
});

describe('changedRows', () => {
  it('names new rows and rows whose pin, files or warnings changed', () => {
    const before = [row({ name: 'a' }), row({ name: 'b' }), row({ name: 'c' })];
    const after = [
      row({ name: 'a' }),
      row({ name: 'b', specifier: '==3' }),
      row({ name: 'c', sites: [{ path: 'new.ipynb', cell: 0, line: 1 }] }),
      row({ name: 'd' })
    ];
    expect([...changedRows(before, after)].sort()).toEqual(['b', 'c', 'd']);
    expect(changedRows(after, after).size).toBe(0);
  });
});
