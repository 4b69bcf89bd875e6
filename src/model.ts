/**
 * State of the Make reproducible sidebar: the folder, the proposal as the user reviews
 * it, the preview and what was written. No DOM; the widget renders it.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  canonicalName,
  expectedHashes,
  isValidSpecifier,
  reviewed
} from './formatters';
import { defaultNotebook } from './badge';
import { changedRows, DECISION } from './grouping';
import {
  IBadgeOptions,
  IBadgeReply,
  IBuildCheckReply,
  IJob,
  IBinderSummary,
  IChangesReply,
  ICommitReply,
  ICommitResult,
  IFileChange,
  IKernel,
  IProposal,
  IProposalReply,
  IProposedRequirement,
  IReesNote,
  IWriteRequest,
  PinPolicy,
  ReesFormat
} from './tokens';

/** The server calls the model needs (replaceable in tests). */
export interface IReesApi {
  getProposal(
    path: string,
    options: {
      kernel?: string;
      pin?: PinPolicy;
      overrides?: { [module: string]: string };
    }
  ): Promise<IProposalReply>;
  getKernels(): Promise<IKernel[]>;
  previewRees(request: IWriteRequest): Promise<IChangesReply>;
  writeRees(request: IWriteRequest): Promise<IChangesReply>;
  getBadge(path: string, options: IBadgeOptions): Promise<IBadgeReply>;
  checkBuild?(request: IWriteRequest): Promise<IBuildCheckReply>;
  /** Scans as server jobs (progress, cancel); absent or answering 404: plain GET. */
  startScan?(
    path: string,
    options: {
      kernel?: string;
      pin?: PinPolicy;
      overrides?: { [module: string]: string };
    }
  ): Promise<IJob<IProposalReply>>;
  getJob?<T>(id: string): Promise<IJob<T>>;
  cancelJob?<T>(id: string): Promise<IJob<T>>;
  writeBadge(
    path: string,
    link: string,
    expected: { [path: string]: string | null }
  ): Promise<IChangesReply>;
  commitFiles(
    path: string,
    files: string[],
    message: string
  ): Promise<ICommitReply>;
}

/** How often a running job's progress is asked for. */
const POLL_MS = 250;

export type Busy =
  | 'scanning'
  | 'previewing'
  | 'writing'
  | 'committing'
  | 'checking'
  | 'linking'
  | null;

interface IEdit {
  included?: boolean;
  specifier?: string;
}

/** What the panel keeps across page reloads (JSON, saved in the state database). */
export interface IReesSnapshot {
  folder: string;
  scannedPath: string;
  proposal: IProposal;
  edits: [string, IEdit][];
  added: IProposedRequirement[];
}

export class ReesModel {
  constructor(private readonly _api: IReesApi) {}

  /** Emitted whenever anything the panel shows changes. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** The folder to scan, relative to the server root. */
  get folder(): string {
    return this._folder;
  }
  set folder(value: string) {
    if (value !== this._folder) {
      this._folder = value;
      this._emit();
    }
  }

  get pin(): PinPolicy {
    return this._pin;
  }
  get format(): ReesFormat {
    return this._format;
  }
  get target(): string {
    return this._target;
  }
  get kernel(): string {
    return this._kernel;
  }
  get kernels(): IKernel[] {
    return this._kernels;
  }
  get busy(): Busy {
    return this._busy;
  }
  get error(): string | null {
    return this._error;
  }
  get proposal(): IProposal | null {
    return this._proposal;
  }
  /** The folder the proposal was made for (server-root relative). */
  get scannedPath(): string {
    return this._scannedPath;
  }
  get changes(): IFileChange[] | null {
    return this._changes;
  }
  get written(): IFileChange[] | null {
    return this._written;
  }
  get badge(): IBadgeReply | null {
    return this._badge;
  }
  /** Notes of the last preview (files Binder would ignore, hidden root files…). */
  get notes(): IReesNote[] {
    return this._notes;
  }
  /** Files the user chose to delete because Binder would ignore them. */
  get remove(): string[] {
    return [...this._remove];
  }
  /** repo2docker's view of the written folder (null when not checked). */
  get binderSummary(): IBinderSummary | null {
    return this._binderSummary;
  }
  get committed(): ICommitResult | null {
    return this._committed;
  }
  /** Files written in this session of the panel, in the order written. */
  get toCommit(): string[] {
    return [...this._toCommit];
  }

  /** Choose to delete (or keep) a file Binder would ignore; previews again. */
  async setRemove(path: string, remove: boolean): Promise<void> {
    if (remove) {
      this._remove.add(path);
    } else {
      this._remove.delete(path);
    }
    await this.preview();
  }

  /** A badge for an archived copy (Zenodo, Figshare… DOI) when there is no git remote. */
  async badgeFromDoi(doi: string): Promise<void> {
    await this._run('writing', async () => {
      this._badgeOptions = { ...this._badgeOptions, doi: doi.trim() };
      this._badge = await this._api.getBadge(this._scannedPath, this._badgeQuery());
    });
  }

  /** Insert the badge into the README, as its preview showed. */
  async addBadgeToReadme(): Promise<void> {
    const badge = this._badge;
    if (!badge || !badge.link || !badge.readme) {
      return;
    }
    const readme = badge.readme;
    await this._run('writing', async () => {
      await this._api.writeBadge(this._scannedPath, badge.link as string, {
        [readme.path]: readme.old_sha256
      });
      this._addToCommit([readme.path]);
      this._badge = await this._api.getBadge(this._scannedPath, this._badgeQuery());
    });
  }

  /** Commit exactly the files written from this panel. */
  async commit(message: string): Promise<void> {
    const files = this.toCommit;
    if (files.length === 0) {
      this._error = 'Nothing written to commit yet.';
      this._emit();
      return;
    }
    await this._run('committing', async () => {
      const reply = await this._api.commitFiles(this._scannedPath, files, message);
      this._committed = reply.commit;
      this._toCommit = [];
      this._badge = await this._api.getBadge(this._scannedPath, this._badgeQuery());
    });
  }

  /**
   * The rows as reviewed: the proposal with the user's edits, then added packages. A row
   * the last preview held back (the REES does not resolve with it) is shown unticked, with
   * the resolver's reason, until the user ticks it to write it anyway.
   */
  get rows(): IProposedRequirement[] {
    return this._reviewedRows().map(row => {
      const reason = this._held.get(canonicalName(row.name));
      if (reason === undefined) {
        return row;
      }
      const forced = this._forced.has(canonicalName(row.name));
      const warning =
        `${DECISION}with ${row.name} the REES does not resolve for Python ` +
        `${this._proposal?.python_version ?? ''}: ${reason}. ` +
        (forced ? 'Written anyway, as you chose.' : 'Not written; tick it to write it anyway.');
      return { ...row, included: forced, warnings: [warning, ...row.warnings] };
    });
  }

  /** Rows the last preview held back and the user did not tick again. */
  get heldRows(): string[] {
    return [...this._held.keys()].filter(key => !this._forced.has(key));
  }

  private _reviewedRows(): IProposedRequirement[] {
    if (!this._proposal) {
      return [];
    }
    const rows = this._proposal.requirements.map(row => {
      const edit = this._edits.get(canonicalName(row.name)) || {};
      return { ...row, ...edit };
    });
    return rows.concat(this._added);
  }

  get includedCount(): number {
    return this.rows.filter(row => row.included).length;
  }

  /** Whether a row was added by hand (and so can be removed). */
  isAdded(name: string): boolean {
    const key = canonicalName(name);
    return this._added.some(row => canonicalName(row.name) === key);
  }

  async loadKernels(): Promise<void> {
    try {
      this._kernels = await this._api.getKernels();
      this._emit();
    } catch (error) {
      // Kernels are optional: the proposal falls back to the notebooks' own kernel.
      console.warn('jupyter-rees-ui: could not list kernels', error);
    }
  }

  /** Read pins from another kernel's environment (rescans when a proposal is shown). */
  setKernel(name: string): Promise<void> {
    this._kernel = name;
    return this._proposal ? this.scan() : Promise.resolve(this._emit());
  }

  /**
   * Pins typed by hand in this review (rows whose pin differs from the one proposed
   * or written): a pin-policy change asks before replacing them.
   */
  get handTypedPins(): string[] {
    return this.rows
      .filter(row => {
        const edit = this._edits.get(canonicalName(row.name));
        return edit?.specifier !== undefined || (this.isAdded(row.name) && row.specifier);
      })
      .map(row => row.name);
  }

  /**
   * Take another pin policy: rescan (cheap, the scan is cached) and give every row the
   * policy's pin, rows the REES pins its own way included (the user asked to update).
   * With ``replaceTyped`` false, pins typed by hand are kept.
   */
  setPin(pin: PinPolicy, replaceTyped = true): Promise<void> {
    this._pin = pin;
    for (const edit of this._edits.values()) {
      if (replaceTyped) {
        delete edit.specifier;
      }
    }
    this._updatePins = true;
    return this._proposal ? this.scan() : Promise.resolve(this._emit());
  }

  /** Rows whose pin is not a valid version specifier, with the reason. */
  get invalidPins(): { name: string; reason: string }[] {
    return this.rows
      .filter(row => row.included && !row.url && !isValidSpecifier(row.specifier))
      .map(row => ({
        name: row.name,
        reason: `${row.name}: '${row.specifier}' is not a version specifier (e.g. ==1.2, ~=1.2, >=1.2, or empty)`
      }));
  }

  /** Why Preview cannot run now (null when it can). */
  get previewBlocked(): string | null {
    const invalid = this.invalidPins;
    if (invalid.length) {
      return invalid.map(i => i.reason).join('; ');
    }
    if (!this._proposal) {
      return 'Scan a folder first.';
    }
    return null;
  }

  /** Import -> distribution overrides from the settings (applied at the next scan). */
  setOverrides(overrides: { [module: string]: string }): void {
    this._overrides = { ...overrides };
  }

  setFormat(format: ReesFormat): void {
    this._format = format;
    this._invalidate();
  }

  setTarget(target: string): void {
    this._target = target;
    this._invalidate();
  }

  async scan(): Promise<void> {
    const folder = this._folder;
    await this._run('scanning', async () => {
      let reply: IProposalReply | null;
      try {
        reply = await this._fetchProposal(folder);
      } catch (error) {
        // Never leave the previous folder's proposal active: Preview would write there.
        this._proposal = null;
        this._scannedPath = '';
        this._changes = null;
        this._written = null;
        this._badge = null;
        this._edits.clear();
        this._added = [];
        throw error;
      }
      if (reply === null) {
        return; // cancelled: the previous proposal stays
      }
      if (this._updatePins) {
        this._updatePins = false;
        for (const row of reply.proposal.requirements) {
          const key = canonicalName(row.name);
          if (row.proposed_specifier !== undefined && row.proposed_specifier !== null) {
            const edit = this._edits.get(key) || {};
            if (edit.specifier === undefined) {
              this._edits.set(key, { ...edit, specifier: row.proposed_specifier });
            }
          }
        }
      }
      const previous = this._proposal;
      this._changedRows =
        previous && reply.path === this._scannedPath
          ? changedRows(previous.requirements, reply.proposal.requirements)
          : new Set<string>();
      this._buildCheck = null;
      if (reply.path !== this._scannedPath) {
        this._held.clear();
        this._forced.clear();
        this._badgeOptions = {};
        this._edits.clear();
        this._added = [];
        this._remove.clear();
        this._toCommit = [];
        this._committed = null;
      }
      // a package added by hand and since written is now a row of the REES itself
      const named = new Set(reply.proposal.requirements.map(row => canonicalName(row.name)));
      this._added = this._added.filter(row => !named.has(canonicalName(row.name)));
      this._proposal = reply.proposal;
      this._scannedPath = reply.path;
      this._changes = null;
      this._written = null;
      this._badge = null;
    });
  }

  setIncluded(name: string, included: boolean): void {
    this._force(name, included);
    this._edit(name, { included });
  }

  /** Ticking a held row writes it anyway; unticking it holds it back again. */
  private _force(name: string, included: boolean): void {
    const key = canonicalName(name);
    if (!this._held.has(key)) {
      return;
    }
    if (included) {
      this._forced.add(key);
    } else {
      this._forced.delete(key);
    }
  }

  /** Include (or leave out) several rows at once, e.g. a whole section. */
  setIncludedMany(names: string[], included: boolean): void {
    for (const name of names) {
      const key = canonicalName(name);
      this._force(name, included);
      const added = this._added.find(row => canonicalName(row.name) === key);
      if (added) {
        added.included = included;
      } else {
        this._edits.set(key, { ...(this._edits.get(key) || {}), included });
      }
    }
    this._invalidate();
  }

  /** What the Binder card asked for (notebook, ref, mode, DOI, nbgitpuller). */
  get badgeOptions(): IBadgeOptions {
    return { ...this._badgeOptions };
  }

  /** The notebook the link opens: the one picked, else the folder's first. */
  get badgeNotebook(): string {
    return this._badgeOptions.notebook ?? defaultNotebook(this._proposal?.files ?? []);
  }

  /** Change what the badge links to and fetch it again. */
  async setBadgeOptions(options: IBadgeOptions): Promise<void> {
    this._badgeOptions = { ...this._badgeOptions, ...options };
    await this.loadBadge();
  }

  /** Fetch the Binder link and badge for the scanned folder (nothing is written). */
  async loadBadge(): Promise<void> {
    await this._run('linking', async () => {
      this._badge = await this._api.getBadge(this._scannedPath, this._badgeQuery());
    });
  }

  /** repo2docker's verdict on the reviewed rows before writing (null: not asked yet). */
  get buildCheck(): IBuildCheckReply | null {
    return this._buildCheck;
  }

  /** Ask repo2docker what Binder would build from the reviewed rows. */
  async checkBuild(): Promise<void> {
    const check = this._api.checkBuild;
    if (!check) {
      return;
    }
    await this._run('checking', async () => {
      this._buildCheck = await check.call(this._api, this._request());
    });
  }

  /** Progress of the running scan job (null when none, or the server has no jobs). */
  get progress(): IJob | null {
    return this._job;
  }

  /** Whether the running scan can be cancelled (the server runs it as a job). */
  get canCancel(): boolean {
    return this._job !== null && this._job.state === 'running' && !!this._api.cancelJob;
  }

  /** Stop the running scan, on the server too; the previous proposal stays. */
  async cancelScan(): Promise<void> {
    const job = this._job;
    if (!job || !this._api.cancelJob) {
      return;
    }
    this._cancelled = true;
    this._emit();
    await this._api.cancelJob(job.id);
  }

  /** Whether the last scan was cancelled (the proposal shown is from before). */
  get scanCancelled(): boolean {
    return this._scanCancelled;
  }

  /** The proposal as reviewed, to restore after a reload (null: nothing scanned). */
  snapshot(): IReesSnapshot | null {
    if (!this._proposal) {
      return null;
    }
    return {
      folder: this._folder,
      scannedPath: this._scannedPath,
      proposal: this._proposal,
      edits: [...this._edits.entries()],
      added: this._added
    };
  }

  /** Show a saved proposal again (unless a scan already replaced it). */
  restore(snapshot: IReesSnapshot): void {
    if (this._proposal || this._busy || !snapshot?.proposal) {
      return;
    }
    this._folder = snapshot.folder ?? snapshot.scannedPath;
    this._scannedPath = snapshot.scannedPath;
    this._proposal = snapshot.proposal;
    this._edits = new Map(snapshot.edits ?? []);
    this._added = snapshot.added ?? [];
    this._emit();
  }

  /**
   * Scan again when a file of the scanned folder was saved (the server's scan cache
   * makes it incremental); rows that changed are marked. Skipped while busy.
   */
  async rescanIfScanned(path: string): Promise<void> {
    if (!this._proposal || this._busy) {
      return;
    }
    const folder = this._scannedPath;
    const inside = folder === '' || path === folder || path.startsWith(folder + '/');
    if (!inside) {
      return;
    }
    const previousFolder = this._folder;
    this._folder = folder;
    try {
      await this.scan();
    } finally {
      this._folder = previousFolder;
      this._emit();
    }
  }

  /** Rows that differ from the previous scan of the same folder. */
  get changedRows(): Set<string> {
    return this._changedRows;
  }

  /** The action whose failure ``error`` describes (to show it next to that action). */
  get errorFrom(): Busy {
    return this._errorFrom;
  }

  setSpecifier(name: string, specifier: string): void {
    this._edit(name, { specifier: specifier.trim() });
  }

  /**
   * Add a package by hand. Returns an error message, or null when added.
   */
  addRequirement(name: string, specifier = ''): string | null {
    const key = canonicalName(name.trim());
    if (!key) {
      return 'Enter a package name.';
    }
    if (this.rows.some(row => canonicalName(row.name) === key)) {
      return `${name.trim()} is already in the list.`;
    }
    // looked up in the kernel's environment, pinned as the policy says
    const installed = this._proposal?.installed?.[key] ?? null;
    this._added.push({
      name: name.trim(),
      modules: [],
      installed_version: installed?.version ?? null,
      specifier: specifier.trim() || (installed?.specifier ?? ''),
      source: 'pip',
      rule: 'added',
      kind: 'required',
      warnings: [],
      candidates: [],
      sites: [],
      url: null,
      conda_name: null,
      included: true,
      trust: 'known',
      marker: ''
    });
    this._invalidate();
    return null;
  }

  removeAdded(name: string): void {
    const key = canonicalName(name);
    this._added = this._added.filter(row => canonicalName(row.name) !== key);
    this._invalidate();
  }

  /** Ask the server what writing would change (refused while a pin is invalid). */
  async preview(): Promise<void> {
    const blocked = this.previewBlocked;
    if (blocked) {
      this._error = blocked;
      this._errorFrom = 'previewing';
      this._changes = null;
      this._emit();
      return;
    }
    await this._run('previewing', async () => {
      // the server asks the resolver again: nothing held back in advance
      const reply = await this._api.previewRees({ ...this._request(), hold: [] });
      this._changes = reply.changes;
      this._notes = reply.notes ?? [];
      this._written = null;
      // what the resolver held back now, and the rows the user forced in before
      const held = new Map(
        (reply.held ?? []).map(row => [canonicalName(row.name), row.reason] as [string, string])
      );
      for (const key of this._forced) {
        const reason = this._held.get(key);
        if (reason !== undefined && !held.has(key)) {
          held.set(key, reason);
        }
      }
      this._held = held;
    });
  }

  discardPreview(): void {
    this._changes = null;
    this._emit();
  }

  /** Write what the preview showed; refused by the server if a file changed since. */
  async write(): Promise<void> {
    if (!this._changes) {
      this._error = 'Preview the changes before writing.';
      this._emit();
      return;
    }
    const expected = expectedHashes(this._changes);
    await this._run('writing', async () => {
      const reply = await this._api.writeRees({ ...this._request(), expected });
      this._written = reply.changes;
      this._binderSummary = reply.binder ?? null;
      this._addToCommit(reply.changes.map(change => change.path));
      this._committed = null;
      this._changes = null;
      try {
        this._badge = await this._api.getBadge(this._scannedPath, this._badgeQuery());
      } catch (error) {
        this._badge = {
          path: this._scannedPath,
          link: null,
          notes: [],
          message: `No Binder badge: ${(error as Error).message}`
        };
      }
    });
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _request(): IWriteRequest {
    if (!this._proposal) {
      throw new Error('Scan a folder first.');
    }
    return {
      path: this._scannedPath,
      // every row with its decision: an unticked row leaves the file (and is recorded
      // as left out when the proposal had it); held rows go in ``hold``, not unticked
      requirements: reviewed(this._reviewedRows()),
      python_version: this._proposal.python_version,
      format: this._format,
      target: this._target,
      remove: this.remove,
      hold: this.heldRows,
      force: [...this._forced]
    };
  }

  /**
   * The proposal for a folder: as a server job with progress when the server offers
   * jobs, else one request. Null when the user cancelled the scan.
   */
  private async _fetchProposal(folder: string): Promise<IProposalReply | null> {
    const options = {
      kernel: this._kernel || undefined,
      pin: this._pin,
      overrides: this._overrides
    };
    this._cancelled = false;
    this._scanCancelled = false;
    const { startScan, getJob } = this._api;
    if (!startScan || !getJob || this._jobsMissing) {
      return this._api.getProposal(folder, options);
    }
    let job: IJob<IProposalReply>;
    try {
      job = await startScan.call(this._api, folder, options);
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        this._jobsMissing = true; // an older server: no jobs endpoint
        return this._api.getProposal(folder, options);
      }
      throw error;
    }
    try {
      while (job.state === 'running') {
        this._job = job;
        this._emit();
        await new Promise(resolve => setTimeout(resolve, POLL_MS));
        job = await getJob.call(this._api, job.id) as IJob<IProposalReply>;
      }
    } finally {
      this._job = null;
    }
    if (job.state === 'cancelled' || this._cancelled) {
      this._scanCancelled = true;
      return null;
    }
    if (job.state === 'failed' || !job.result) {
      throw new Error(job.error?.message || 'The scan failed.');
    }
    return job.result;
  }

  private _badgeQuery(): IBadgeOptions {
    return { ...this._badgeOptions, notebook: this.badgeNotebook };
  }

  private _addToCommit(paths: string[]): void {
    for (const path of paths) {
      if (!this._toCommit.includes(path)) {
        this._toCommit.push(path);
      }
    }
  }

  private _edit(name: string, edit: IEdit): void {
    const key = canonicalName(name);
    const added = this._added.find(row => canonicalName(row.name) === key);
    if (added) {
      Object.assign(added, edit);
    } else {
      this._edits.set(key, { ...(this._edits.get(key) || {}), ...edit });
    }
    this._invalidate();
  }

  /** Anything that changes what would be written drops a stale preview. */
  private _invalidate(): void {
    this._changes = null;
    this._buildCheck = null;
    this._emit();
  }

  private async _run(busy: Busy, work: () => Promise<void>): Promise<void> {
    if (this._busy) {
      return;
    }
    this._busy = busy;
    this._error = null;
    this._errorFrom = null;
    this._emit();
    try {
      await work();
    } catch (error) {
      this._error = (error as Error).message || String(error);
      this._errorFrom = busy;
    } finally {
      this._busy = null;
      this._emit();
    }
  }

  private _emit(): void {
    this._stateChanged.emit();
  }

  private _updatePins = false;
  private _folder = '';
  private _pin: PinPolicy = '==';
  private _format: ReesFormat = 'requirements';
  private _target = 'binder';
  private _kernel = '';
  private _overrides: { [module: string]: string } = {};
  private _kernels: IKernel[] = [];
  private _busy: Busy = null;
  private _error: string | null = null;
  private _errorFrom: Busy = null;
  private _changedRows = new Set<string>();
  private _badgeOptions: IBadgeOptions = {};
  private _job: IJob | null = null;
  private _jobsMissing = false;
  private _cancelled = false;
  private _scanCancelled = false;
  private _buildCheck: IBuildCheckReply | null = null;
  private _proposal: IProposal | null = null;
  private _scannedPath = '';
  private _edits = new Map<string, IEdit>();
  /** Rows the last preview held back (canonical name -> the resolver's reason). */
  private _held = new Map<string, string>();
  /** Held rows the user ticked again: written anyway. */
  private _forced = new Set<string>();
  private _added: IProposedRequirement[] = [];
  private _changes: IFileChange[] | null = null;
  private _written: IFileChange[] | null = null;
  private _badge: IBadgeReply | null = null;
  private _notes: IReesNote[] = [];
  private _remove = new Set<string>();
  private _toCommit: string[] = [];
  private _committed: ICommitResult | null = null;
  private _binderSummary: IBinderSummary | null = null;
  private _stateChanged = new Signal<this, void>(this);
}

