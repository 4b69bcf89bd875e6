/**
 * Pure formatting of proposal data for display. No DOM, no JupyterLab: unit-tested alone.
 */
import {
  IBinderSummary,
  IFileChange,
  ILocation,
  IProposedRequirement,
  IReviewedRequirement
} from './tokens';

/** Join a folder ('' = server root) and a path relative to it. */
export function joinPath(folder: string, rel: string): string {
  const parts = [...folder.split('/'), ...rel.split('/')].filter(
    part => part !== '' && part !== '.'
  );
  return parts.join('/');
}

/** 'analysis.ipynb · cell 3, line 2' or 'helpers.py · line 12' (cells counted from 1). */
export function siteLabel(location: ILocation): string {
  if (location.cell === null || location.cell === undefined) {
    return `${location.path} · line ${location.line}`;
  }
  return `${location.path} · cell ${location.cell + 1}, line ${location.line}`;
}

/** The distinct files of a row's sites, in order of first appearance. */
export function siteFiles(sites: ILocation[]): string[] {
  const files: string[] = [];
  for (const site of sites) {
    if (!files.includes(site.path)) {
      files.push(site.path);
    }
  }
  return files;
}

/** A short text for the "used in" column: 'a.ipynb, b.ipynb' or 'a.ipynb and 3 more'. */
export function usedIn(sites: ILocation[], max = 2): string {
  const files = siteFiles(sites).map(path => path.split('/').pop() || path);
  if (files.length <= max) {
    return files.join(', ');
  }
  return `${files.slice(0, max).join(', ')} and ${files.length - max} more`;
}

/** A distribution name with its extras, as in a requirements line: 'pandas[excel]'. */
export function displayName(row: { name: string; extras?: string[] }): string {
  return row.extras?.length
    ? `${row.name}[${[...row.extras].sort().join(',')}]`
    : row.name;
}

const VERSION = '[A-Za-z0-9_.*+!-]+';
const CLAUSE = new RegExp(`^\\s*(===|==|~=|!=|<=|>=|<|>)\\s*${VERSION}\\s*$`);

/**
 * A quick check of a PEP 440 specifier typed by the user ('' means unpinned).
 * The server validates again with `packaging` before writing.
 */
export function isValidSpecifier(specifier: string): boolean {
  if (specifier.trim() === '') {
    return true;
  }
  return specifier.split(',').every(clause => CLAUSE.test(clause));
}

/** A PEP 508-ish distribution name check for the "add a package" field. */
export function isValidName(name: string): boolean {
  return /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/.test(name);
}

/** The normalised form of a distribution name (PEP 503). */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Rows as the user reviewed them, in the shape the server takes. */
export function reviewed(rows: IProposedRequirement[]): IReviewedRequirement[] {
  return rows.map(row => ({
    name: row.name,
    extras: row.extras ?? [],
    specifier: row.specifier,
    url: row.url,
    source: row.source,
    conda_name: row.conda_name,
    included: row.included,
    marker: row.marker ?? '',
    trust: row.trust,
    status: row.status ?? 'new',
    in_file: row.in_file ?? null,
    written_specifier: row.written_specifier ?? null,
    // a line pinned from the kernel needs no resolution check before writing
    installed_version: row.installed_version ?? null
  }));
}

/** 'binder/requirements.txt: new file' etc. */
export function changeLabel(change: IFileChange): string {
  switch (change.status) {
    case 'create':
      return `${change.path}: new file`;
    case 'update':
      return `${change.path}: changed`;
    case 'delete':
      return `${change.path}: deleted`;
    default:
      return `${change.path}: unchanged`;
  }
}

/** The hashes a write must carry: what the preview showed for each file. */
export function expectedHashes(changes: IFileChange[]): {
  [path: string]: string | null;
} {
  const expected: { [path: string]: string | null } = {};
  for (const change of changes) {
    expected[change.path] = change.old_sha256;
  }
  return expected;
}

/** The CSS class of one line of a unified diff. */
export function diffLineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) {
    return 'jp-rees-diff-meta';
  }
  if (line.startsWith('+')) {
    return 'jp-rees-diff-add';
  }
  if (line.startsWith('-')) {
    return 'jp-rees-diff-del';
  }
  return '';
}

/** One sentence on what Binder would build, from repo2docker's dry run. */
export function binderSummaryText(summary: IBinderSummary): string {
  if (summary.installed === false) {
    return summary.message ?? 'repo2docker is not installed on the server.';
  }
  if (summary.error) {
    return `repo2docker could not render this folder: ${summary.error}`;
  }
  const python = summary.python_version
    ? `Python ${summary.python_version}`
    : 'its default Python';
  const missed = (summary.requirements ?? []).filter(r => !r.reached);
  const buildpack = (summary.buildpack ?? '').replace(/BuildPack$/, '');
  const head = `Binder will build this folder with the ${buildpack} buildpack and ${python}`;
  if (missed.length) {
    return `${head}, but will not install: ${missed.map(r => r.name).join(', ')}.`;
  }
  const count = (summary.requirements ?? []).length;
  return `${head}; all ${count} requirements reach the image.`;
}
