import { describe, expect, it } from 'vitest';

import { IInstallVerdict, INotebookVerdict, IVerification } from '../tokens';
import {
  cellNumber,
  progressFraction,
  proposalHasRees,
  sortedVerdicts,
  verdictClass
} from '../verification';

function verdict(path: string, ok: boolean, reesFault = false): INotebookVerdict {
  return { path, imports: [], executed: null, seconds: null, failures: [], ok, rees_fault: reesFault };
}

const install: IInstallVerdict = {
  ok: true,
  installer: 'uv',
  requirements: [],
  failures: [],
  left_out: [],
  output: '',
  seconds: 1,
  cached: false
};

function verification(fields: Partial<IVerification>): IVerification {
  return {
    root: '',
    rees_files: ['binder/requirements.txt'],
    python_version: '3.11',
    python: 'python3.11',
    python_used: '3.11',
    environment: 'abc',
    install,
    notebooks: [],
    notes: [],
    ran: false,
    ok: true,
    rees_fault: false,
    unreachable: false,
    summary: '',
    ...fields
  };
}

describe('progressFraction', () => {
  it.each([
    [{ done: 3, total: 12 }, 0.25],
    [{ done: 0, total: 1 }, null],
    [{ done: 0, total: 0 }, null],
    [{ done: 5, total: 4 }, 1]
  ])('%o -> %s', (counts, expected) => {
    expect(progressFraction({ phase: 'running', message: '', ...counts })).toBe(expected);
  });
});

describe('verdictClass', () => {
  it.each([
    [{}, 'ok'],
    [{ ok: false }, 'not-rees'],
    [{ ok: false, rees_fault: true }, 'rees'],
    [{ ok: false, unreachable: true }, 'unverified']
  ])('%o -> %s', (fields, expected) => {
    expect(verdictClass(verification(fields as Partial<IVerification>))).toBe(expected);
  });
});

describe('sortedVerdicts', () => {
  it("puts the REES's faults first, then other failures, then the rest by path", () => {
    const sorted = sortedVerdicts([
      verdict('b.ipynb', true),
      verdict('a.ipynb', true),
      verdict('c.ipynb', false),
      verdict('d.ipynb', false, true)
    ]);
    expect(sorted.map(v => v.path)).toEqual(['d.ipynb', 'c.ipynb', 'a.ipynb', 'b.ipynb']);
  });
});

describe('cellNumber', () => {
  it('counts cells from one', () => {
    const failure = {
      kind: 'timeout' as const,
      message: '',
      module: null,
      suggestion: null,
      line: null,
      reason: null,
      rees_fault: false
    };
    expect(cellNumber({ ...failure, cell: 0 })).toBe(1);
    expect(cellNumber({ ...failure, cell: null })).toBeNull();
  });
});

describe('proposalHasRees', () => {
  it('is true when a row was read from the existing file', () => {
    const proposal = {
      root: '',
      python_version: '3.11',
      environment: '',
      requirements: [{ in_file: true } as any],
      issues: [],
      files: [],
      local_modules: [],
      notes: []
    };
    expect(proposalHasRees(proposal)).toBe(true);
    expect(proposalHasRees({ ...proposal, requirements: [] })).toBe(false);
    expect(proposalHasRees(null)).toBe(false);
  });
});
