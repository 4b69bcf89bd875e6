/**
 * Verify: rebuild the folder's REES in a clean environment on the server, as Binder
 * would, and show per notebook whether its imports resolve there (and, optionally,
 * whether it runs), with live progress and Cancel.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { cancelJob, getJob, startVerify } from '../api';
import { joinPath } from '../formatters';
import {
  IJob,
  IJobProgress,
  INotebookVerdict,
  IVerification,
  IVerifyFailure,
  IVerifyReply,
  VerifyFailureKind
} from '../tokens';
import { cellNumber, progressFraction, sortedVerdicts, verdictClass } from '../verification';
import { ActionButton, InlineError } from './Controls';

const POLL_MS = 500;

export interface IVerifyCardProps {
  /** The folder to verify, relative to the server root. */
  path: string;
  trans: TranslationBundle;
  /** Open a notebook (server-root relative) at a cell. */
  open: (path: string, cell: number | null) => void;
}

export function VerifyCard(props: IVerifyCardProps): JSX.Element {
  const { path, trans } = props;
  const [run, setRun] = React.useState(false);
  const [job, setJob] = React.useState<IJob<IVerifyReply> | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const running = job !== null && job.state === 'running';
  const current = React.useRef<IJob<IVerifyReply> | null>(null);
  current.current = job;

  // Follow the job while it runs.
  React.useEffect(() => {
    if (!job || job.state !== 'running') {
      return;
    }
    let stopped = false;
    const timer = window.setTimeout(async () => {
      try {
        const next = await getJob<IVerifyReply>(job.id);
        if (!stopped) {
          setJob(next);
        }
      } catch (reason) {
        if (!stopped) {
          setError((reason as Error).message);
          setJob(null);
        }
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [job]);

  // A card that goes away stops its job: nobody would see the result.
  React.useEffect(
    () => () => {
      const last = current.current;
      if (last && last.state === 'running') {
        void cancelJob(last.id).catch(() => undefined);
      }
    },
    []
  );

  const start = async () => {
    setError(null);
    try {
      setJob(await startVerify(path, { run }));
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  const cancel = async () => {
    if (!job) {
      return;
    }
    try {
      setJob(await cancelJob<IVerifyReply>(job.id));
    } catch (reason) {
      setError((reason as Error).message);
    }
  };

  const verification = job?.state === 'done' ? (job.result?.verification ?? null) : null;
  return (
    <section className="jp-rees-verify" aria-label={trans.__('Verify')}>
      <h3>{trans.__('Verify the REES')}</h3>
      <div className="jp-rees-note">
        {trans.__(
          'Rebuild the REES in a clean environment, as Binder would, and check every notebook against it.'
        )}
      </div>
      <div className="jp-rees-row">
        <label className="jp-rees-verify-run">
          <input
            type="checkbox"
            checked={run}
            disabled={running}
            onChange={event => setRun(event.target.checked)}
          />
          {trans.__('Also run the notebooks')}
        </label>
        {running ? (
          <button
            className="jp-mod-styled jp-mod-reject jp-rees-verify-cancel"
            disabled={job?.cancelling === true}
            onClick={() => void cancel()}
          >
            {job?.cancelling ? trans.__('Cancelling…') : trans.__('Cancel')}
          </button>
        ) : (
          <ActionButton
            accept
            className="jp-rees-verify-start"
            label={trans.__('Verify')}
            disabledReason={null}
            onClick={() => void start()}
          />
        )}
      </div>
      {running && job && <Progress progress={job.progress} trans={trans} />}
      <InlineError message={error} />
      {job?.state === 'failed' && <InlineError message={job.error?.message ?? null} />}
      {job?.state === 'cancelled' && (
        <div className="jp-rees-note" role="status">
          {trans.__('Verification cancelled.')}
        </div>
      )}
      {verification && (
        <Verdict
          verification={verification}
          trans={trans}
          openCell={(notebook, cell) => props.open(joinPath(path, notebook), cell)}
        />
      )}
    </section>
  );
}

function phaseText(progress: IJobProgress, trans: TranslationBundle): string {
  switch (progress.phase) {
    case 'queued':
      return trans.__('Waiting for the server…');
    case 'reading':
    case 'scanning':
      return trans.__('Scanning the notebooks…');
    case 'environment':
      return trans.__('Creating a clean environment…');
    case 'installing':
      return trans.__('Installing the REES…');
    case 'imports':
      return trans.__('Checking imports (%1 of %2)', progress.done, progress.total);
    case 'running':
      return trans.__(
        'Running notebook %1 of %2',
        Math.min(progress.done + 1, progress.total),
        progress.total
      );
    default:
      return trans.__('Verifying…');
  }
}

function Progress(props: { progress: IJobProgress; trans: TranslationBundle }): JSX.Element {
  const fraction = progressFraction(props.progress);
  const text = phaseText(props.progress, props.trans);
  return (
    <div className="jp-rees-verify-progress" role="status" aria-live="polite">
      <progress
        max={1}
        value={fraction ?? undefined}
        aria-label={props.trans.__('Verification progress')}
      />
      <span title={props.progress.message}>{text}</span>
    </div>
  );
}

function kindLabel(kind: VerifyFailureKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'missing-module':
      return trans.__('Missing module');
    case 'install-failed':
      return trans.__('Does not install');
    case 'index-unreachable':
      return trans.__('Package index unreachable');
    case 'timeout':
      return trans.__('Timeout');
    default:
      return trans.__('Error');
  }
}

function verdictText(verification: IVerification, trans: TranslationBundle): string {
  switch (verdictClass(verification)) {
    case 'ok':
      return verification.ran
        ? trans.__('The REES builds and every notebook runs in it.')
        : trans.__('The REES builds and every import resolves in it.');
    case 'rees':
      return trans.__('The REES is at fault: fix it before sharing the link.');
    case 'unverified':
      return trans.__(
        'Could not verify: the package index could not be reached (this says nothing about the REES).'
      );
    default:
      return trans.__('The REES builds; some notebooks failed for reasons outside the REES.');
  }
}

function Verdict(props: {
  verification: IVerification;
  trans: TranslationBundle;
  openCell: (notebook: string, cell: number | null) => void;
}): JSX.Element {
  const { verification, trans } = props;
  const install = verification.install;
  return (
    <div className={`jp-rees-verify-result jp-mod-${verdictClass(verification)}`}>
      <div className="jp-rees-verify-summary" role="status">
        {verdictText(verification, trans)}
      </div>
      <div className="jp-rees-note">
        {trans.__(
          '%1 · Python %2 · built with %3 in %4 s',
          verification.rees_files.join(', '),
          verification.python_used,
          install.installer,
          install.seconds.toFixed(1)
        )}
      </div>
      {verification.notes.map(note => (
        <div key={note} className="jp-rees-note jp-mod-warning">
          {note}
        </div>
      ))}
      {install.failures.map((failure, i) => (
        <div key={i} className="jp-rees-verify-failure">
          <strong>{kindLabel(failure.kind, trans)}</strong>{' '}
          {failure.line && <code>{failure.line}</code>}
          <pre className="jp-rees-verify-message">{failure.message}</pre>
        </div>
      ))}
      <ul className="jp-rees-verify-notebooks">
        {sortedVerdicts(verification.notebooks).map(notebook => (
          <NotebookLine
            key={notebook.path}
            notebook={notebook}
            trans={trans}
            openCell={props.openCell}
          />
        ))}
      </ul>
    </div>
  );
}

function NotebookLine(props: {
  notebook: INotebookVerdict;
  trans: TranslationBundle;
  openCell: (notebook: string, cell: number | null) => void;
}): JSX.Element {
  const { notebook, trans } = props;
  const mark = notebook.ok ? trans.__('ok') : notebook.rees_fault ? trans.__('REES') : trans.__('failed');
  return (
    <li
      className={
        'jp-rees-verify-notebook ' +
        (notebook.ok ? 'jp-mod-ok' : notebook.rees_fault ? 'jp-mod-rees' : 'jp-mod-not-rees')
      }
    >
      <span className="jp-rees-verify-mark">{mark}</span>{' '}
      <span className="jp-rees-verify-path">{notebook.path}</span>
      {notebook.executed && notebook.seconds !== null && (
        <span className="jp-rees-note"> {trans.__('ran in %1 s', notebook.seconds.toFixed(1))}</span>
      )}
      {notebook.failures.map((failure, i) => (
        <FailureLine
          key={i}
          failure={failure}
          trans={trans}
          open={() => props.openCell(notebook.path, failure.cell)}
        />
      ))}
    </li>
  );
}

function FailureLine(props: {
  failure: IVerifyFailure;
  trans: TranslationBundle;
  open: () => void;
}): JSX.Element {
  const { failure, trans } = props;
  const cell = cellNumber(failure);
  return (
    <div className="jp-rees-verify-failure">
      <strong>{kindLabel(failure.kind, trans)}</strong>{' '}
      {cell !== null && (
        <button className="jp-rees-link jp-rees-verify-cell" onClick={props.open}>
          {trans.__('cell %1', cell)}
        </button>
      )}{' '}
      <span>{failure.message}</span>
      {!failure.rees_fault && (
        <span className="jp-rees-note"> {trans.__('(not the REES’s fault)')}</span>
      )}
    </div>
  );
}
