/**
 * How the proposal is arranged for reading: trust levels, sections, the filter, folded
 * warnings and capped file lists. Pure functions of plain values, unit-tested alone.
 */
import { IProposedRequirement, ProposalNote, Trust } from './tokens';

/** The sections of the proposal, in the order they are shown. */
export type SectionId = 'decide' | 'write' | 'suggested' | 'optional' | 'local';

export const SECTION_ORDER: SectionId[] = [
  'decide',
  'write',
  'suggested',
  'optional',
  'local'
];

/**
 * The start of a warning that waits for the user (the server's core.resolve.DECISION): a
 * guess, a package that needs a system library, a line the REES does not resolve with.
 */
export const DECISION = 'needs a decision: ';

/** Whether a row carries a warning that waits for the user's decision. */
export function needsDecision(row: IProposedRequirement): boolean {
  return row.warnings.some(warning => warning.startsWith(DECISION));
}

/** Rules whose answer is a known name for the import (not a bare guess). */
const KNOWN_RULES = new Set(['override', 'mapping', 'install-hint', 'added']);

/**
 * The trust level of a row when the server sends none: installed in the kernel's
 * environment = verified; named by a rule that knows the name (override, bundled
 * mapping, an install line, added by hand) = known; local code = local; any other
 * guess = unverified.
 */
export function fallbackTrust(row: IProposedRequirement): Trust {
  if (row.rule === 'local' || row.source === 'local') {
    return 'local';
  }
  if (row.installed_version) {
    return 'verified';
  }
  return KNOWN_RULES.has(row.rule) ? 'known' : 'unverified';
}

/** The row's trust level: the server's when it sends one, else the fallback. */
export function trustOf(row: IProposedRequirement): Trust {
  return row.trust ?? fallbackTrust(row);
}

/** Which section a row belongs to. */
export function sectionOf(row: IProposedRequirement): SectionId {
  const trust = trustOf(row);
  if (trust === 'local' || row.kind === 'type-checking') {
    return 'local';
  }
  if (row.rule === 'implicit') {
    return 'suggested';
  }
  if (row.kind === 'optional') {
    return 'optional';
  }
  if (row.rule === 'added') {
    return 'write';
  }
  // known rows are written (unpinned, with their warning); guesses, ambiguous names and
  // rows whose warning asks for a decision (a system library, a line the REES does not
  // resolve with) wait for the user, ticked or not, so a click never moves them
  if (trust === 'unverified' || row.candidates.length > 0 || needsDecision(row)) {
    return 'decide';
  }
  return 'write';
}

export interface ISection {
  id: SectionId;
  rows: IProposedRequirement[];
}

/** Rows in their sections (every section, in order; empty ones included). */
export function groupRows(rows: IProposedRequirement[]): ISection[] {
  const sections = new Map<SectionId, IProposedRequirement[]>(
    SECTION_ORDER.map(id => [id, []])
  );
  for (const row of rows) {
    sections.get(sectionOf(row))!.push(row);
  }
  return SECTION_ORDER.map(id => ({ id, rows: sections.get(id)! }));
}

/**
 * Whether a row matches the filter text: every word must appear in the name, one of
 * its modules, or one of the files that import it (case-insensitive).
 */
export function matchesFilter(row: IProposedRequirement, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return true;
  }
  const haystack = [row.name, ...row.modules, ...row.sites.map(site => site.path)]
    .join('\n')
    .toLowerCase();
  return words.every(word => haystack.includes(word));
}

export function filterRows(
  rows: IProposedRequirement[],
  query: string
): IProposedRequirement[] {
  return rows.filter(row => matchesFilter(row, query));
}

/** One warning of a row with the modules it was repeated for folded in. */
export interface IFoldedWarning {
  /** The message as written for its first module. */
  message: string;
  /** The modules the same message was given for (first one first); empty if none. */
  modules: string[];
}

/**
 * Fold warnings that differ only by the quoted module name into one: 60 copies of
 * "'Bio.PDB.X' is not installed…" become one message with 60 modules. A quoted name
 * counts as a module when its top-level package is one of the row's modules'.
 */
export function foldWarnings(warnings: string[], modules: string[]): IFoldedWarning[] {
  const tops = new Set(modules.map(module => module.split('.')[0]));
  const isModule = (text: string) =>
    /^[A-Za-z_][\w.]*$/.test(text) && tops.has(text.split('.')[0]);
  const folded = new Map<string, IFoldedWarning>();
  for (const warning of warnings) {
    const quoted = /'([^']+)'/g;
    let key = warning;
    let module: string | null = null;
    let match: RegExpExecArray | null;
    while ((match = quoted.exec(warning)) !== null) {
      if (isModule(match[1])) {
        module = match[1];
        key =
          warning.slice(0, match.index) + '\u0000' + warning.slice(match.index + match[0].length);
        break;
      }
    }
    const entry = folded.get(key);
    if (entry) {
      if (module && !entry.modules.includes(module)) {
        entry.modules.push(module);
      }
    } else {
      folded.set(key, { message: warning, modules: module ? [module] : [] });
    }
  }
  return [...folded.values()];
}

/** The first ``max`` items and how many more there are. */
export function capList<T>(items: T[], max = 3): { shown: T[]; more: number } {
  if (items.length <= max) {
    return { shown: items, more: 0 };
  }
  return { shown: items.slice(0, max), more: items.length - max };
}

/** A message whose file lists are shortened; ``full`` is the whole text. */
export interface ICappedText {
  short: string;
  full: string;
  /** How many file names the short text leaves out (0: nothing was cut). */
  hidden: number;
}

const FILE_NAME = String.raw`[^\s,;:()]+\.(?:ipynb|py|md|Rmd|R|jl|txt)`;
const FILE_LIST = new RegExp(`${FILE_NAME}(?:, ${FILE_NAME})+`, 'g');

/**
 * Cap every comma-separated list of file names in a message to its first ``max``
 * names and "and N more".
 */
export function capFileLists(text: string, max = 3): ICappedText {
  let hidden = 0;
  const short = text.replace(FILE_LIST, list => {
    const names = list.split(', ');
    if (names.length <= max) {
      return list;
    }
    hidden += names.length - max;
    return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
  });
  return { short, full: text, hidden };
}

/** A proposal note in one shape: its message and the files it is about. */
export interface INoteParts {
  message: string;
  files: string[];
}

/** Structured notes as they are; plain-text ones with their file lists capped. */
export function noteParts(note: ProposalNote): INoteParts {
  if (typeof note === 'string') {
    return { message: note, files: [] };
  }
  return { message: note.message, files: note.files ?? [] };
}

/** A short name for the environment pins come from: 'venv at …/.venv' etc. */
export function environmentLabel(environment: string): string {
  return environment
    .replace(/\s*\(Python [^)]*\)\s*$/, '')
    .replace(/(?:\/[^\s/]+){2,}/g, path => `…/${path.split('/').pop()}`);
}

/** The environment's kind for a row's provenance: 'kernel venv', 'conda env'. */
export function environmentKind(environment: string): string {
  const kind = environment.split(/ at |\s*\(/)[0].trim();
  if (!kind) {
    return '';
  }
  return /^(venv|virtualenv|python)/i.test(kind) ? `kernel ${kind}` : kind;
}

/**
 * Where a row's pin comes from, as short parts: the installed version, the environment
 * (or what the source is when not pip) and the pin policy ('pinned ==').
 */
export function provenance(
  row: IProposedRequirement,
  environment: string
): string[] {
  const parts: string[] = [];
  if (row.installed_version) {
    parts.push(row.installed_version);
    if (row.source === 'pip') {
      const kind = environmentKind(environment);
      if (kind) {
        parts.push(kind);
      }
    }
  } else if (row.rule !== 'added') {
    parts.push('not installed');
  }
  if (row.source !== 'pip' && row.source !== 'not-installed') {
    parts.push(row.source);
  }
  const operator = /^\s*(===|==|~=|>=|<=|!=|<|>)/.exec(row.specifier);
  if (row.url) {
    parts.push('pinned @ URL');
  } else if (operator) {
    parts.push(`pinned ${operator[1]}`);
  } else {
    parts.push('unpinned');
  }
  return parts;
}

/** Counts for the summary line. */
export function summaryCounts(rows: IProposedRequirement[]): {
  packages: number;
  decide: number;
} {
  return {
    packages: rows.filter(row => sectionOf(row) !== 'local').length,
    decide: rows.filter(row => sectionOf(row) === 'decide').length
  };
}

/**
 * Names of the rows that differ between two proposals of the same folder: new rows, and
 * rows whose pin, installed version, files or warnings changed.
 */
export function changedRows(
  before: IProposedRequirement[],
  after: IProposedRequirement[]
): Set<string> {
  const old = new Map(before.map(row => [row.name, row]));
  const changed = new Set<string>();
  const sites = (row: IProposedRequirement) =>
    row.sites.map(site => `${site.path}:${site.cell}:${site.line}`).join('|');
  for (const row of after) {
    const was = old.get(row.name);
    if (
      !was ||
      was.specifier !== row.specifier ||
      was.installed_version !== row.installed_version ||
      sites(was) !== sites(row) ||
      was.warnings.join('|') !== row.warnings.join('|')
    ) {
      changed.add(row.name);
    }
  }
  return changed;
}
