import { describe, expect, it } from 'vitest';

import { IReesApi, ReesModel } from '../model';
import { IProposalReply, IProposedRequirement, IWriteRequest } from '../tokens';

function row(name: string, version: string): IProposedRequirement {
  return {
    name,
    modules: [name],
    installed_version: version,
    specifier: `==${version}`,
    source: 'pip',
    rule: 'installed',
    kind: 'required',
    warnings: [],
    candidates: [],
    sites: [{ path: 'a.ipynb', cell: 0, line: 1 }],
    url: null,
    conda_name: null,
    included: true,
    trust: 'verified',
    marker: ''
  };
}

class FakeApi implements IReesApi {
  requests: IWriteRequest[] = [];
  files: { [path: string]: string } = {};
  async getProposal(path: string): Promise<IProposalReply> {
    return {
      path,
      proposal: {
        root: path,
        python_version: '3.11',
        environment: 'test',
        requirements: [row('numpy', '1.26.4'), row('pandas', '2.2.0')],
        issues: [],
        files: ['a.ipynb'],
        local_modules: [],
        notes: [],
        installed: {
          numpy: { version: '1.26.4', specifier: '==1.26.4' },
          scipy: { version: '1.14.0', specifier: '==1.14.0' }
        }
      }
    };
  }
  async getKernels() {
    return [];
  }
  async previewRees(request: IWriteRequest) {
    this.requests.push(request);
    return {
      path: request.path,
      changes: [
        {
          path: 'binder/requirements.txt',
          old: null,
          new: '',
          diff: '+x',
          old_sha256: null,
          status: 'create' as const
        }
      ]
    };
  }
  async writeRees(request: IWriteRequest) {
    this.requests.push(request);
    if (request.expected?.['binder/requirements.txt'] !== null) {
      throw new Error('not previewed');
    }
    return {
      path: request.path,
      changes: [
        {
          path: 'binder/requirements.txt',
          old: null,
          new: 'numpy==1.26.4\n',
          diff: '',
          old_sha256: null,
          status: 'create' as const
        }
      ]
    };
  }
  commits: string[][] = [];
  async getBadge(path: string, options: { doi?: string } = {}) {
    if (options.doi) {
      return { path, link: `https://mybinder.org/v2/zenodo/${options.doi}/`, notes: [] };
    }
    return { path, link: null, notes: [], message: 'no remote' };
  }
  async writeBadge(path: string) {
    return { path, changes: [] };
  }
  async commitFiles(path: string, files: string[], message: string) {
    this.commits.push(files);
    return {
      path,
      commit: {
        sha: 'abc',
        branch: 'main',
        message,
        files,
        pushed: false,
        upstream: null,
        note: 'push'
      }
    };
  }
}

describe('ReesModel', () => {
  it('keeps the user edits in the request', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    model.folder = 'demo';
    await model.scan();
    model.setIncluded('pandas', false);
    model.setSpecifier('numpy', '>=1.26');
    expect(model.addRequirement('ipywidgets', '==8.1.0')).toBeNull();
    await model.preview();
    const request = fake.requests[0];
    // every row goes with its decision: the unticked one leaves the file
    expect(
      request.requirements.map(r => `${r.name}${r.specifier}:${r.included}`)
    ).toEqual(['numpy>=1.26:true', 'pandas==2.2.0:false', 'ipywidgets==8.1.0:true']);
    expect(request.python_version).toBe('3.11');
  });

  it('shows rows the preview held back under a decision, and writes them only when ticked', async () => {
    const fake = new FakeApi();
    const previewRees = fake.previewRees.bind(fake);
    fake.previewRees = async (request: IWriteRequest) => {
      const reply = await previewRees(request);
      const forced = request.force ?? [];
      return {
        ...reply,
        held: forced.includes('pandas') ? [] : [{ name: 'pandas', reason: 'pandas 2 needs numpy<1' }]
      };
    };
    const model = new ReesModel(fake);
    model.folder = 'demo';
    await model.scan();
    await model.preview();
    expect(fake.requests[0].hold).toEqual([]); // the server decides afresh at each preview
    const pandas = model.rows.find(r => r.name === 'pandas')!;
    expect(pandas.included).toBe(false);
    expect(pandas.warnings[0]).toMatch(/^needs a decision: .*pandas 2 needs numpy<1.*tick it/);
    expect(model.heldRows).toEqual(['pandas']);
    await model.write();
    // written without it, as previewed; sent ticked (not recorded as the user's choice)
    const write = fake.requests[1];
    expect(write.hold).toEqual(['pandas']);
    expect(write.requirements.find(r => r.name === 'pandas')?.included).toBe(true);
    // ticking it writes it anyway: the next preview forces it, and it stays a decision
    model.setIncluded('pandas', true);
    await model.preview();
    expect(fake.requests[2].force).toEqual(['pandas']);
    const forced = model.rows.find(r => r.name === 'pandas')!;
    expect(forced.included).toBe(true);
    expect(forced.warnings[0]).toMatch(/Written anyway/);
    expect(model.heldRows).toEqual([]);
  });

  it('a package added by hand and then written is one row after a re-scan', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    model.folder = 'demo';
    await model.scan();
    expect(model.addRequirement('scipy')).toBeNull();
    // the re-scan finds scipy in the written REES: a row of the file, not a second one
    const getProposal = fake.getProposal.bind(fake);
    fake.getProposal = async (path: string) => {
      const reply = await getProposal(path);
      const scipy = { ...row('scipy', '1.14.0'), modules: [], sites: [], status: 'unused' as const };
      reply.proposal.requirements.push(scipy);
      return reply;
    };
    await model.scan();
    expect(model.rows.map(r => r.name)).toEqual(['numpy', 'pandas', 'scipy']);
    expect(model.isAdded('scipy')).toBe(false);
  });

  it('refuses a duplicate package', async () => {
    const model = new ReesModel(new FakeApi());
    await model.scan();
    expect(model.addRequirement('NumPy')).toMatch(/already/);
  });

  it('drops a stale preview when the rows change', async () => {
    const model = new ReesModel(new FakeApi());
    await model.scan();
    await model.preview();
    expect(model.changes).not.toBeNull();
    model.setIncluded('numpy', false);
    expect(model.changes).toBeNull();
  });

  it('writes only after a preview, with its hashes', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    await model.scan();
    await model.write();
    expect(model.error).toMatch(/Preview/);
    await model.preview();
    await model.write();
    expect(model.error).toBeNull();
    expect(model.written?.map(c => c.path)).toEqual(['binder/requirements.txt']);
    expect(model.badge?.message).toBe('no remote');
  });

  it('commits exactly the files it wrote', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    await model.commit('x');
    expect(model.error).toMatch(/Nothing written/);
    await model.scan();
    await model.preview();
    await model.write();
    await model.commit('Add REES');
    expect(fake.commits).toEqual([['binder/requirements.txt']]);
    expect(model.committed?.sha).toBe('abc');
    expect(model.toCommit).toEqual([]);
  });

  it('reports server errors and stays usable', async () => {
    const fake = new FakeApi();
    fake.getProposal = async () => {
      throw new Error('path is outside the server root');
    };
    const model = new ReesModel(fake);
    await model.scan();
    expect(model.error).toBe('path is outside the server root');
    expect(model.busy).toBeNull();
  });

  it('makes a badge from a DOI when there is no remote', async () => {
    const model = new ReesModel(new FakeApi());
    await model.scan();
    await model.preview();
    await model.write();
    expect(model.badge?.link).toBeNull();
    await model.badgeFromDoi(' 10.5281/zenodo.1234 ');
    expect(model.badge?.link).toBe('https://mybinder.org/v2/zenodo/10.5281/zenodo.1234/');
  });

  it('blocks Preview with the reason while a pin is invalid', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    await model.scan();
    model.setSpecifier('numpy', 'latest');
    expect(model.previewBlocked).toMatch(/numpy: 'latest' is not a version specifier/);
    await model.preview();
    expect(fake.requests).toEqual([]);
    expect(model.error).toMatch(/latest/);
    model.setIncluded('numpy', false); // an unticked row does not block
    expect(model.previewBlocked).toBeNull();
  });

  it('clears the previous proposal when a scan fails', async () => {
    const fake = new FakeApi();
    const model = new ReesModel(fake);
    model.folder = 'one';
    await model.scan();
    expect(model.proposal).not.toBeNull();
    fake.getProposal = async () => {
      throw new Error('no such folder');
    };
    model.folder = 'two';
    await model.scan();
    expect(model.error).toBe('no such folder');
    expect(model.proposal).toBeNull();
    expect(model.rows).toEqual([]);
  });

  it("looks an added package up in the kernel's environment", async () => {
    const model = new ReesModel(new FakeApi());
    await model.scan();
    expect(model.addRequirement('SciPy')).toBeNull();
    const scipy = model.rows.find(r => r.name === 'SciPy');
    expect(scipy?.installed_version).toBe('1.14.0');
    expect(scipy?.specifier).toBe('==1.14.0');
    expect(model.addRequirement('not-there')).toBeNull();
    expect(model.rows.find(r => r.name === 'not-there')?.installed_version).toBeNull();
  });

  it('a pin-policy change can keep pins typed by hand', async () => {
    const model = new ReesModel(new FakeApi());
    await model.scan();
    model.setSpecifier('numpy', '>=1.20');
    expect(model.handTypedPins).toEqual(['numpy']);
    await model.setPin('~=', false);
    expect(model.rows.find(r => r.name === 'numpy')?.specifier).toBe('>=1.20');
    await model.setPin('==', true);
    expect(model.rows.find(r => r.name === 'numpy')?.specifier).toBe('==1.26.4');
    expect(model.handTypedPins).toEqual([]);
  });
});
