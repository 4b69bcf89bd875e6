/**
 * The JSON contract of the server extension (mirrors jupyter_rees_ui/core/model.py).
 */

export namespace CommandIDs {
  export const open = 'jupyter-rees-ui:open';
  export const scanFolder = 'jupyter-rees-ui:scan-folder';
}

export type ImportKind = 'required' | 'optional' | 'type-checking';

/** A proposal-wide note; older servers send plain text. */
export interface IProposalNote {
  message: string;
  /** The files the note is about (the sidebar caps the list). */
  files?: string[];
  code?: string;
}
export type ProposalNote = string | IProposalNote;

export interface ILocation {
  path: string;
  cell: number | null;
  line: number;
}

export interface IScanIssue {
  location: ILocation;
  kind: string;
  message: string;
}

/**
 * How far a proposal row is vouched for: 'verified' (installed in the kernel's
 * environment or confirmed on the package index), 'known' (not installed, named with
 * certainty), 'unverified' (a guess: needs a decision), 'local' (never written).
 */
export const TRUST_LEVELS = ['verified', 'known', 'unverified', 'local'] as const;
export type Trust = (typeof TRUST_LEVELS)[number];

export interface IProposedRequirement {
  name: string;
  modules: string[];
  installed_version: string | null;
  specifier: string;
  source: string;
  rule: string;
  kind: ImportKind;
  warnings: string[];
  candidates: string[];
  sites: ILocation[];
  url: string | null;
  conda_name: string | null;
  included: boolean;
  /** Extras an install line asked for, e.g. ['excel'] for pandas[excel]. */
  extras?: string[];
  /** How far the row is vouched for; 'unverified' rows are not included by default. */
  trust: Trust;
  /** PEP 508 environment marker written after the line ('' = none). */
  marker: string;
  /** Where the row stands against the REES already in the folder. */
  status?: RowStatus;
  /** The line as written in the existing REES (null when not in it). */
  in_file?: string | null;
  /** The pin as reviewed; a row whose specifier differs was edited. */
  written_specifier?: string | null;
  /** The pin policy's pin, for a row the REES pins its own way. */
  proposed_specifier?: string | null;
}

export interface IProposal {
  root: string;
  python_version: string;
  environment: string;
  requirements: IProposedRequirement[];
  issues: IScanIssue[];
  files: string[];
  local_modules: string[];
  notes: ProposalNote[];
  /** Canonical name -> version of every distribution in the kernel's environment. */
  installed?: { [name: string]: { version: string; specifier: string } };
}

export interface IProposalReply {
  /** The scanned folder, relative to the server root ('' = root). */
  path: string;
  proposal: IProposal;
}

export interface IKernel {
  name: string;
  display_name: string;
  language: string;
  python: string | null;
}

export interface IFileChange {
  path: string;
  old: string | null;
  new: string | null;
  diff: string;
  old_sha256: string | null;
  status: 'create' | 'update' | 'unchanged' | 'delete';
  /** Requirements whose line the change adds, changes or removes. */
  pins: IPinChange[];
  /** What the change means beyond the diff. */
  notes: IReesNote[];
}

/** A requirement whose line differs between the old and the new file (null: absent). */
export interface IPinChange {
  name: string;
  old: string | null;
  new: string | null;
}

/** Something to know before writing (e.g. a file Binder would ignore). */
export interface IReesNote {
  level: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  paths: string[];
}

/** What repo2docker (so Binder) would build, checked by its own code after a write. */
export interface IBinderSummary {
  /** false when jupyter-repo2docker is missing on the server; then only message is set. */
  installed?: boolean;
  /** How to install the check, e.g. "repo2docker not installed: pip install …". */
  message?: string;
  buildpack?: string;
  binder_dir?: string;
  python_version?: string | null;
  files_used?: string[];
  requirements?: { name: string; file: string; reached: boolean }[];
  error?: string | null;
  ok?: boolean;
}

/** A row the preview held back: with it the REES does not resolve. */
export interface IHeldRow {
  name: string;
  /** The resolver's message, on one line. */
  reason: string;
}

/** What the resolver said about the previewed REES (lines not pinned from the kernel). */
export interface IResolutionCheck {
  /** true: resolves (with the held rows left out); false: does not; null: not asked. */
  ok: boolean | null;
  tool: string;
  python_version: string;
  checked: string[];
  message: string;
  attempts: number;
}

export interface IChangesReply {
  path: string;
  changes: IFileChange[];
  notes?: IReesNote[];
  /** After a write: repo2docker's view, or how to install it (installed: false). */
  binder?: IBinderSummary | null;
  /** Preview: rows left out because the REES does not resolve with them. */
  held?: IHeldRow[];
  /** Preview: the resolution check (null when every line is pinned from the kernel). */
  resolution?: IResolutionCheck | null;
}

export interface IBadgeReply {
  path: string;
  /** The Binder link, or null with a message saying why there is none. */
  link: string | null;
  message?: string;
  notes: string[];
  /** Whether the folder is inside a git repository (so the commit step applies). */
  repository?: boolean;
  remotes?: string[];
  remote?: string;
  ref?: string;
  pushed?: boolean | null;
  snippets?: { markdown: string; rst: string; html: string };
  /** What inserting the badge into the README would change. */
  readme?: IFileChange;
  /** Branches and tags to offer as the link's ref. */
  refs?: { branches: string[]; tags: string[] } | null;
  mode?: BinderMode;
}

/** What the Binder card asks the badge for. */
export interface IBadgeOptions {
  /** The file Binder opens, relative to the folder; '' opens JupyterLab's default. */
  notebook?: string;
  ref?: string;
  remote?: string;
  mode?: BinderMode;
  doi?: string;
  /** nbgitpuller: open this folder's repository in this environment repository. */
  env_repo?: string;
  env_ref?: string;
}

/** repo2docker's verdict on the previewed REES, before writing. */
export interface IBuildCheckReply {
  path: string;
  /** False when jupyter-repo2docker is not installed on the server. */
  available: boolean;
  /** The command that installs it. */
  install: string;
  binder: IBinderSummary | null;
}

export interface ICommitResult {
  sha: string;
  branch: string | null;
  message: string;
  files: string[];
  pushed: boolean;
  upstream: string | null;
  note: string;
}

export interface ICommitReply {
  path: string;
  commit: ICommitResult;
}

/*
 * The vocabulary, as defined once by the enums of jupyter_rees_ui/core/model.py
 * (tests/test_vocabulary.py fails when these lists differ from them).
 */
export const PIN_POLICIES = ['==', '~=', '>=', 'none'] as const;
export type PinPolicy = (typeof PIN_POLICIES)[number];
export const REES_FORMATS = ['requirements', 'environment'] as const;
export const BINDER_MODES = ['lab', 'doc', 'classic', 'voila'] as const;
export type BinderMode = (typeof BINDER_MODES)[number];
export type ReesFormat = (typeof REES_FORMATS)[number];
export const TARGETS = ['binder', '.binder', '.'] as const;
export type Target = (typeof TARGETS)[number];
export const REES_FILE_NAMES = [
  'requirements.txt',
  'runtime.txt',
  'environment.yml',
  'environment.yaml',
  'Pipfile',
  'Pipfile.lock'
] as const;
export type ReesFileName = (typeof REES_FILE_NAMES)[number];
/**
 * Where a reviewed row stands: new (proposed, not in the file), kept (in the file and
 * still needed, its pin as written), left-out (recorded as left out), unused (in the
 * file, not imported any more), own (the user's own line).
 */
export const ROW_STATUSES = ['new', 'kept', 'left-out', 'unused', 'own'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

/** A row as the user reviewed it, sent back for preview/write. */
export interface IReviewedRequirement {
  name: string;
  extras?: string[];
  specifier: string;
  url: string | null;
  source: string;
  conda_name: string | null;
  included: boolean;
  /** PEP 508 environment marker ('' or absent = none). */
  marker?: string;
  trust?: Trust;
  status?: RowStatus;
  in_file?: string | null;
  written_specifier?: string | null;
  /** The kernel's version: a row pinned to it is not resolved again before writing. */
  installed_version?: string | null;
}

export interface IWriteRequest {
  path: string;
  requirements: IReviewedRequirement[];
  python_version: string;
  format: ReesFormat;
  target: string;
  expected?: { [path: string]: string | null };
  /** Configuration files to delete (ones Binder would ignore). */
  remove?: string[];
  /** Rows to leave out for now: the preview's held rows the user did not force in. */
  hold?: string[];
  /** Held rows the user wants written anyway. */
  force?: string[];
}

// ----------------------------------------------------------------------------- jobs

/** A background job's state ('running' includes waiting for a free worker). */
export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface IJobProgress {
  /** queued | scanning | environment | reading | installing | imports | running | done */
  phase: string;
  done: number;
  total: number;
  message: string;
}

/** GET jobs/<id>; POST scan and POST verify answer {job: IJob}. */
export interface IJob<T = unknown> {
  id: string;
  kind: 'scan' | 'verify';
  state: JobState;
  progress: IJobProgress;
  /** A cancel was asked and the work has not stopped yet. */
  cancelling: boolean;
  /** When done: a scan's is the proposal reply, a verification's IVerifyReply. */
  result: T | null;
  error: { message: string; kind: string } | null;
}

// ----------------------------------------------------------------------------- verify

/** Only 'missing-module' and 'install-failed' are the REES's fault. */
export type VerifyFailureKind =
  | 'missing-module'
  | 'install-failed'
  | 'index-unreachable'
  | 'timeout'
  | 'runtime-error';

export interface IVerifyFailure {
  kind: VerifyFailureKind;
  message: string;
  module: string | null;
  /** The requirement line to add, when one is known. */
  suggestion: string | null;
  /** The REES line the installer refused. */
  line: string | null;
  /** Index among all cells of the notebook. */
  cell: number | null;
  /** For runtime errors: data | network | code | conda. */
  reason: string | null;
  rees_fault: boolean;
}

export interface IImportCheck {
  module: string;
  status: 'ok' | 'missing' | 'error' | 'skipped' | 'optional-missing';
  message: string;
  cell: number | null;
  line: number;
}

export interface INotebookVerdict {
  /** Relative to the verified folder. */
  path: string;
  imports: IImportCheck[];
  /** null: not run. */
  executed: boolean | null;
  seconds: number | null;
  failures: IVerifyFailure[];
  ok: boolean;
  rees_fault: boolean;
}

export interface IInstallVerdict {
  ok: boolean;
  installer: 'uv' | 'pip';
  requirements: string[];
  failures: IVerifyFailure[];
  /** Refused lines left out to check the rest. */
  left_out: string[];
  output: string;
  seconds: number;
  cached: boolean;
}

export interface IVerification {
  root: string;
  rees_files: string[];
  python_version: string;
  python: string;
  python_used: string;
  environment: string;
  install: IInstallVerdict;
  notebooks: INotebookVerdict[];
  notes: string[];
  ran: boolean;
  ok: boolean;
  rees_fault: boolean;
  unreachable: boolean;
  summary: string;
}

export interface IVerifyReply {
  path: string;
  verification: IVerification;
}
