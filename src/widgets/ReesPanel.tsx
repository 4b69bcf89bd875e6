import { Dialog, ReactWidget, UseSignal, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ActionButton, InlineError, Select } from '../components/Controls';
import { BinderCard } from '../components/BinderCard';
import { ProposalView } from '../components/ProposalView';
import { VerifyCard } from '../components/VerifyCard';
import {
  binderSummaryText,
  changeLabel,
  diffLineClass,
  isValidName,
  isValidSpecifier,
  joinPath
} from '../formatters';
import { Busy, ReesModel } from '../model';
import { IFileChange, ILocation, PinPolicy, ReesFormat } from '../tokens';
import { proposalHasRees } from '../verification';

export interface IReesPanelOptions {
  model: ReesModel;
  trans: TranslationBundle;
  /**
   * Open a file (server-root relative) at a notebook cell or a line; ``asText`` opens
   * it in the text editor (a notebook that is not valid JSON).
   */
  openSite: (path: string, cell: number | null, line: number, asText?: boolean) => void;
  /** Copy text to the clipboard. */
  copy: (text: string) => void;
}

/**
 * The "Make reproducible" sidebar content.
 */
export class ReesPanel extends ReactWidget {
  constructor(private readonly _options: IReesPanelOptions) {
    super();
    this.addClass('jp-rees-panel');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._options.model.stateChanged}>
        {() => <ReesView {...this._options} />}
      </UseSignal>
    );
  }
}

function ReesView(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const proposal = model.proposal;
  const open = (site: ILocation, asText = false) =>
    props.openSite(joinPath(model.scannedPath, site.path), site.cell, site.line, asText);
  const focus = useResultFocus(model);
  const scanning = model.busy === 'scanning';
  const errorAt = (action: Busy) => (model.errorFrom === action ? model.error : null);
  return (
    <div className="jp-rees-view">
      <div className="jp-rees-visually-hidden" role="status" aria-live="polite">
        {focus.announcement}
      </div>
      <form
        className="jp-rees-row jp-rees-folder"
        onSubmit={event => {
          event.preventDefault();
          if (model.busy === null) {
            void model.scan();
          }
        }}
      >
        <label htmlFor="jp-rees-folder-input">{trans.__('Folder')}</label>
        <input
          id="jp-rees-folder-input"
          className="jp-mod-styled jp-rees-input"
          value={model.folder}
          placeholder={trans.__('(server root)')}
          title={model.folder}
          onChange={event => (model.folder = event.target.value)}
        />
        <ActionButton
          type="submit"
          accept
          className="jp-rees-scan"
          label={trans.__('Scan')}
          disabledReason={
            model.busy !== null ? trans.__('Wait for the current step to finish') : null
          }
        />
        <InlineError message={errorAt('scanning')} />
      </form>
      <Options {...props} />
      {scanning && <ScanProgress {...props} />}
      {!model.busy && model.scanCancelled && (
        <div className="jp-rees-note" role="status">
          {trans.__('Scan cancelled: the results shown are from before.')}
        </div>
      )}
      {model.busy && !scanning && (
        <div className="jp-rees-busy" role="status">
          {scanning
            ? trans.__('Scanning notebooks and reading the environment…')
            : model.busy === 'previewing'
              ? trans.__('Preparing the preview…')
              : model.busy === 'committing'
                ? trans.__('Committing…')
                : trans.__('Writing…')}
        </div>
      )}
      {model.errorFrom === null && <InlineError message={model.error} />}
      {proposal && (
        <div
          className={'jp-rees-results' + (scanning ? ' jp-mod-stale' : '')}
          aria-busy={scanning}
        >
          {scanning && (
            <div className="jp-rees-stale-label">
              {trans.__('Results of the previous scan (a new scan is running)')}
            </div>
          )}
          <ProposalView
            key={model.scannedPath}
            model={model}
            trans={trans}
            proposal={proposal}
            open={open}
            changed={model.changedRows}
            summaryRef={focus.summary}
          />
          <AddRequirement {...props} />
          <Actions {...props} />
        </div>
      )}
      {model.changes && (
        <Preview {...props} changes={model.changes} headingRef={focus.preview} />
      )}
      {model.written && (
        <Written {...props} written={model.written} headingRef={focus.written} />
      )}
      {proposal && (model.written || proposalHasRees(proposal)) && (
        <VerifyCard
          key={model.scannedPath}
          path={model.scannedPath}
          trans={trans}
          open={(path, cell) => props.openSite(path, cell, 1)}
        />
      )}
      <BinderCard model={model} trans={trans} copy={props.copy} />
    </div>
  );
}

/** A progress bar with counts while a folder is scanned, and Cancel. */
function ScanProgress(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const job = model.progress?.progress;
  const total = job?.total ?? 0;
  const done = Math.min(job?.done ?? 0, total);
  const known = total > 0 && job?.phase === 'scanning';
  const text = !job
    ? trans.__('Scanning notebooks and reading the environment…')
    : job.phase === 'environment'
      ? trans.__('Reading the kernel’s environment…')
      : known
        ? trans.__('%1 of %2 files scanned', done, total)
        : trans.__('Scanning…');
  return (
    <div className="jp-rees-progress">
      <div
        className={'jp-rees-progress-bar' + (known ? '' : ' jp-mod-indeterminate')}
        role="progressbar"
        aria-label={trans.__('Scan progress')}
        aria-valuemin={0}
        aria-valuemax={known ? total : undefined}
        aria-valuenow={known ? done : undefined}
        aria-valuetext={text}
      >
        <div
          className="jp-rees-progress-fill"
          style={{ width: known ? `${(100 * done) / total}%` : undefined }}
        />
      </div>
      <div className="jp-rees-row">
        <span className="jp-rees-busy" role="status">
          {text}
        </span>
        {model.canCancel && (
          <button
            className="jp-mod-styled jp-mod-reject jp-rees-cancel-scan"
            onClick={() => void model.cancelScan()}
          >
            {trans.__('Cancel scan')}
          </button>
        )}
      </div>
    </div>
  );
}

/**
 * After Scan, Preview or Write ends, move focus to its result and announce it.
 */
function useResultFocus(model: ReesModel): {
  summary: React.RefObject<HTMLDivElement>;
  preview: React.RefObject<HTMLHeadingElement>;
  written: React.RefObject<HTMLHeadingElement>;
  announcement: string;
} {
  const summary = React.useRef<HTMLDivElement>(null);
  const preview = React.useRef<HTMLHeadingElement>(null);
  const written = React.useRef<HTMLHeadingElement>(null);
  const previous = React.useRef<Busy>(null);
  const [announcement, setAnnouncement] = React.useState('');
  React.useEffect(() => {
    const before = previous.current;
    previous.current = model.busy;
    if (before === null || model.busy !== null) {
      return;
    }
    if (model.error) {
      setAnnouncement(model.error);
      return;
    }
    const target =
      before === 'scanning'
        ? summary.current
        : before === 'previewing'
          ? preview.current
          : before === 'writing'
            ? written.current
            : null;
    if (target) {
      target.focus();
      setAnnouncement(target.textContent ?? '');
    }
  });
  return { summary, preview, written, announcement };
}

/** A styled text field whose accessible name is ``label``. */
function TextInput(props: {
  className: string;
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <input
      className={`jp-mod-styled ${props.className}`}
      placeholder={props.placeholder}
      aria-label={props.label}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
    />
  );
}

function Options(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const kernels: [string, string][] = model.kernels.map(kernel => [
    kernel.name,
    kernel.display_name
  ]);
  return (
    <div className="jp-rees-options">
      <Select
        label={trans.__('Environment')}
        value={model.kernel}
        options={[['', trans.__("Notebooks' kernel")], ...kernels]}
        onChange={value => void model.setKernel(value)}
      />
      <Select
        label={trans.__('Pin')}
        value={model.pin}
        options={[
          ['==', trans.__('exact (==)')],
          ['~=', trans.__('compatible (~=)')],
          ['>=', trans.__('minimum (>=)')],
          ['none', trans.__('none')]
        ]}
        onChange={value => void changePin(model, trans, value as PinPolicy)}
      />
      <Select
        label={trans.__('Format')}
        value={model.format}
        options={[
          ['requirements', 'requirements.txt'],
          ['environment', 'environment.yml']
        ]}
        onChange={value => model.setFormat(value as ReesFormat)}
      />
    </div>
  );
}

function AddRequirement(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const [name, setName] = React.useState('');
  const [specifier, setSpecifier] = React.useState('');
  const [message, setMessage] = React.useState<string | null>(null);
  return (
    <form
      className="jp-rees-row jp-rees-add"
      onSubmit={event => {
        event.preventDefault();
        if (!isValidName(name.trim())) {
          setMessage(trans.__('Not a package name: %1', name));
          return;
        }
        if (!isValidSpecifier(specifier)) {
          setMessage(trans.__('Not a version specifier: %1', specifier));
          return;
        }
        const error = model.addRequirement(name, specifier);
        setMessage(error);
        if (!error) {
          setName('');
          setSpecifier('');
        }
      }}
    >
      <TextInput
        className="jp-rees-input"
        placeholder={trans.__('Add a package')}
        label={trans.__('Package to add')}
        value={name}
        onChange={setName}
      />
      <TextInput
        className="jp-rees-pin"
        placeholder="==1.0"
        label={trans.__('Pin of the package to add')}
        value={specifier}
        onChange={setSpecifier}
      />
      <button type="submit" className="jp-mod-styled">
        {trans.__('Add')}
      </button>
      {message && (
        <div className="jp-rees-error" role="alert">
          {message}
        </div>
      )}
    </form>
  );
}

/** A pin-policy change asks before replacing pins typed by hand. */
async function changePin(
  model: ReesModel,
  trans: TranslationBundle,
  pin: PinPolicy
): Promise<void> {
  const typed = model.handTypedPins;
  if (typed.length === 0) {
    return model.setPin(pin);
  }
  const result = await showDialog({
    title: trans.__('Replace the pins typed by hand?'),
    body: trans.__(
      'The new pin policy would replace the pins you typed for: %1',
      typed.join(', ')
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep them') }),
      Dialog.okButton({ label: trans.__('Replace') })
    ]
  });
  return model.setPin(pin, result.button.accept);
}

function Actions(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const reason =
    model.busy !== null
      ? trans.__('Wait for the current step to finish')
      : model.includedCount === 0
        ? trans.__('Include at least one package to preview')
        : model.proposal
          ? model.previewBlocked
          : null;
  return (
    <div className="jp-rees-row jp-rees-actions">
      <Select
        label={trans.__('Write into')}
        value={model.target}
        options={[
          ['binder', 'binder/'],
          ['.binder', '.binder/'],
          ['.', trans.__('the folder itself')]
        ]}
        onChange={value => model.setTarget(value)}
      />
      <ActionButton
        accept
        className="jp-rees-preview"
        label={trans.__('Preview REES')}
        disabledReason={reason}
        onClick={() => void model.preview()}
      />
      <ActionButton
        className="jp-rees-check-build"
        label={trans.__('Check with repo2docker')}
        disabledReason={reason}
        onClick={() => void model.checkBuild()}
      />
      <ActionButton
        className="jp-rees-get-badge"
        label={trans.__('Binder badge')}
        disabledReason={
          model.busy !== null ? trans.__('Wait for the current step to finish') : null
        }
        onClick={() => void model.loadBadge()}
      />
      <InlineError
        message={
          model.errorFrom === 'previewing' || model.errorFrom === 'checking'
            ? model.error
            : null
        }
      />
      {!model.written && <BuildVerdict {...props} />}
    </div>
  );
}

/**
 * repo2docker's verdict: before writing (on the previewed files, in a temporary copy)
 * or after. Says how to install repo2docker when the server does not have it.
 */
function BuildVerdict(props: IReesPanelOptions & { after?: boolean }): JSX.Element | null {
  const { model, trans } = props;
  const check = model.buildCheck;
  const summary = props.after && !check ? model.binderSummary : check?.binder ?? null;
  if (check && !check.available) {
    return (
      <div className="jp-rees-note jp-mod-warning jp-rees-binder-summary" role="status">
        {trans.__('repo2docker is not installed on the server, so Binder’s build cannot be checked here. Install it with:')}{' '}
        <code className="jp-rees-command">{check.install}</code>
      </div>
    );
  }
  if (!summary) {
    if (props.after && model.written) {
      return (
        <div className="jp-rees-row">
          <ActionButton
            className="jp-rees-check-build"
            label={trans.__('Check with repo2docker')}
            disabledReason={
              model.busy !== null ? trans.__('Wait for the current step to finish') : null
            }
            onClick={() => void model.checkBuild()}
          />
          <InlineError message={model.errorFrom === 'checking' ? model.error : null} />
        </div>
      );
    }
    return null;
  }
  return (
    <div
      className={
        'jp-rees-note jp-rees-binder-summary' + (summary.ok ? '' : ' jp-mod-warning')
      }
      role="status"
    >
      {check && !props.after ? trans.__('If written: ') : ''}
      {binderSummaryText(summary)}
    </div>
  );
}

function DiffView(props: { diff: string }): JSX.Element {
  return (
    <pre className="jp-rees-diff">
      {props.diff.split('\n').map((line, i) => {
        const cls = diffLineClass(line);
        return (
          <div key={i} className={cls}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}

function Preview(
  props: IReesPanelOptions & {
    changes: IFileChange[];
    headingRef: React.Ref<HTMLHeadingElement>;
  }
): JSX.Element {
  const { model, trans, changes } = props;
  const pending = changes.filter(change => change.status !== 'unchanged');
  return (
    <section className="jp-rees-preview-section" aria-label={trans.__('Preview')}>
      <h3 tabIndex={-1} ref={props.headingRef}>
        {trans.__('What writing will change')}
      </h3>
      {model.notes.map(note => (
        <div key={note.code + note.message} className={`jp-rees-note jp-mod-${note.level}`}>
          {note.message}
          {note.code === 'ignored-file' &&
            note.paths.map(path => (
              <label key={path} className="jp-rees-remove">
                <input
                  type="checkbox"
                  checked={model.remove.includes(path)}
                  onChange={event => void model.setRemove(path, event.target.checked)}
                />
                {trans.__('Delete %1', path)}
              </label>
            ))}
        </div>
      ))}
      {changes.map(change => (
        <details key={change.path} open={change.status !== 'unchanged'}>
          <summary>{changeLabel(change)}</summary>
          {change.status !== 'unchanged' && <DiffView diff={change.diff} />}
        </details>
      ))}
      <div className="jp-rees-row">
        <ActionButton
          accept
          className="jp-rees-write"
          label={
            pending.length === 0
              ? trans.__('Nothing to write')
              : trans._n('Write %1 file', 'Write %1 files', pending.length, pending.length)
          }
          disabledReason={
            model.busy !== null
              ? trans.__('Wait for the current step to finish')
              : pending.length === 0
                ? trans.__('The REES files already say this')
                : null
          }
          onClick={() => void model.write()}
        />
        <button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => model.discardPreview()}
        >
          {trans.__('Cancel')}
        </button>
        <InlineError message={model.errorFrom === 'writing' ? model.error : null} />
      </div>
    </section>
  );
}

function Written(
  props: IReesPanelOptions & {
    written: IFileChange[];
    headingRef: React.Ref<HTMLHeadingElement>;
  }
): JSX.Element {
  const { model, trans, written } = props;
  const badge = model.badge;
  const [message, setMessage] = React.useState('');
  return (
    <section className="jp-rees-written" aria-label={trans.__('Written')}>
      <h3 tabIndex={-1} ref={props.headingRef}>
        {trans.__('REES written')}
      </h3>
      <ul>
        {written.map(change => (
          <li key={change.path}>{changeLabel(change)}</li>
        ))}
      </ul>
      <BuildVerdict {...props} after />
      {model.toCommit.length > 0 && badge?.repository !== false && (
        <form
          className="jp-rees-commit"
          onSubmit={event => {
            event.preventDefault();
            void model.commit(message);
          }}
        >
          <h3>{trans.__('Commit')}</h3>
          <div className="jp-rees-note">{model.toCommit.join(', ')}</div>
          <div className="jp-rees-row">
            <TextInput
              className="jp-rees-input"
              placeholder={trans.__('Add Binder configuration (REES)')}
              label={trans.__('Commit message')}
              value={message}
              onChange={setMessage}
            />
            <button
              type="submit"
              className="jp-mod-styled jp-mod-accept"
              disabled={model.busy !== null}
            >
              {trans._n(
                'Commit %1 file',
                'Commit %1 files',
                model.toCommit.length,
                model.toCommit.length
              )}
            </button>
          </div>
        </form>
      )}
      {model.committed && (
        <div className="jp-rees-committed" role="status">
          {trans.__(
            'Committed %1 on %2.',
            model.committed.sha.slice(0, 8),
            model.committed.branch ?? trans.__('a detached HEAD')
          )}{' '}
          {model.committed.note}
        </div>
      )}
    </section>
  );
}
