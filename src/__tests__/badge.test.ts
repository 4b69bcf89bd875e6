import { describe, expect, it } from 'vitest';

import { defaultNotebook, notebooksOf, refChoices } from '../badge';

describe('defaultNotebook', () => {
  it.each([
    [['b.ipynb', 'helpers.py', 'a.ipynb'], 'a.ipynb'],
    [['sub/z.IPYNB', 'sub/y.py'], 'sub/z.IPYNB'],
    [['helpers.py'], ''],
    [[], '']
  ])('%j -> %j', (files, notebook) => {
    expect(defaultNotebook(files)).toBe(notebook);
  });

  it('lists only notebooks, sorted', () => {
    expect(notebooksOf(['b.ipynb', 'x.py', 'a.ipynb'])).toEqual(['a.ipynb', 'b.ipynb']);
  });
});

describe('refChoices', () => {
  it('puts the link ref first, then branches and tags, once each', () => {
    expect(
      refChoices({
        path: '',
        link: null,
        notes: [],
        ref: 'main',
        refs: { branches: ['main', 'draft'], tags: ['v1'] }
      })
    ).toEqual(['main', 'draft', 'v1']);
    expect(refChoices(null)).toEqual([]);
  });
});
