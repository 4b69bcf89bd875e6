import { describe, expect, it } from 'vitest';

import {
  binderSummaryText,
  canonicalName,
  changeLabel,
  diffLineClass,
  displayName,
  expectedHashes,
  isValidName,
  isValidSpecifier,
  joinPath,
  siteLabel,
  usedIn
} from '../formatters';
import { IFileChange } from '../tokens';

describe('joinPath', () => {
  it.each([
    ['', 'a.ipynb', 'a.ipynb'],
    ['demo', 'a.ipynb', 'demo/a.ipynb'],
    ['demo/', './sub/a.ipynb', 'demo/sub/a.ipynb']
  ])('%s + %s = %s', (folder, rel, expected) => {
    expect(joinPath(folder, rel)).toBe(expected);
  });
});

describe('siteLabel', () => {
  it('counts cells from one for people', () => {
    expect(siteLabel({ path: 'a.ipynb', cell: 0, line: 2 })).toBe(
      'a.ipynb · cell 1, line 2'
    );
  });
  it('gives only the line for plain files', () => {
    expect(siteLabel({ path: 'lib.py', cell: null, line: 12 })).toBe(
      'lib.py · line 12'
    );
  });
});

describe('usedIn', () => {
  const site = (path: string) => ({ path, cell: 0, line: 1 });
  it('lists distinct file names', () => {
    expect(usedIn([site('x/a.ipynb'), site('x/a.ipynb'), site('b.ipynb')])).toBe(
      'a.ipynb, b.ipynb'
    );
  });
  it('shortens long lists', () => {
    expect(usedIn(['a', 'b', 'c', 'd'].map(site))).toBe('a, b and 2 more');
  });
});

describe('isValidSpecifier', () => {
  it.each(['', '==1.2.3', '~=2.1', '>=1,<2', '==2.*', '===1.0'])('accepts %s', s => {
    expect(isValidSpecifier(s)).toBe(true);
  });
  it.each(['1.2', '=>1', '==', 'latest', '>=1;<2'])('refuses %s', s => {
    expect(isValidSpecifier(s)).toBe(false);
  });
});

describe('names', () => {
  it('normalises like PEP 503', () => {
    expect(canonicalName('Scikit_Learn.Extra')).toBe('scikit-learn-extra');
  });
  it.each([
    ['numpy', true],
    ['scikit-learn', true],
    ['-bad', false],
    ['two words', false]
  ])('%s is a name: %s', (name, ok) => {
    expect(isValidName(name)).toBe(ok);
  });
});

describe('displayName', () => {
  it('is the name alone without extras', () => {
    expect(displayName({ name: 'numpy' })).toBe('numpy');
  });
  it('adds sorted extras', () => {
    expect(displayName({ name: 'pandas', extras: ['excel', 'aws'] })).toBe(
      'pandas[aws,excel]'
    );
  });
});

describe('changes', () => {
  const change = (path: string, status: IFileChange['status'], sha: string | null) =>
    ({ path, status, old_sha256: sha, old: null, new: '', diff: '' }) as IFileChange;
  it('labels each change', () => {
    expect(changeLabel(change('binder/runtime.txt', 'create', null))).toBe(
      'binder/runtime.txt: new file'
    );
  });
  it('carries the previewed hashes', () => {
    expect(
      expectedHashes([change('a', 'update', 'h1'), change('b', 'create', null)])
    ).toEqual({ a: 'h1', b: null });
  });
});

describe('diffLineClass', () => {
  it.each([
    ['+++ b/binder/requirements.txt', 'jp-rees-diff-meta'],
    ['--- /dev/null', 'jp-rees-diff-meta'],
    ['@@ -0,0 +1,4 @@', 'jp-rees-diff-meta'],
    ['+numpy==2.4.6', 'jp-rees-diff-add'],
    ['-numpy==1.0', 'jp-rees-diff-del'],
    [' pandas==3.1.1', '']
  ])('%s', (line, cls) => {
    expect(diffLineClass(line)).toBe(cls);
  });
});

describe('binderSummaryText', () => {
  it('says what Binder will build', () => {
    expect(
      binderSummaryText({
        buildpack: 'PythonBuildPack',
        python_version: '3.11',
        requirements: [
          { name: 'numpy', file: 'binder/requirements.txt', reached: true }
        ]
      })
    ).toBe(
      'Binder will build this folder with the Python buildpack and Python 3.11; all 1 requirements reach the image.'
    );
  });
  it('names what will not be installed', () => {
    expect(
      binderSummaryText({
        buildpack: 'CondaBuildPack',
        python_version: null,
        requirements: [{ name: 'numpy', file: 'requirements.txt', reached: false }]
      })
    ).toMatch(/will not install: numpy/);
  });
  it('says how to install repo2docker when the server lacks it', () => {
    const message =
      "repo2docker not installed: pip install 'jupyter_rees_ui[repo2docker]' to see what Binder would build";
    expect(binderSummaryText({ installed: false, message })).toBe(message);
  });
});
