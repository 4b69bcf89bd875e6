import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  binderSummaryText,
  changeLabel,
  diffLineClass,
  displayName,
  isValidName,
  isValidSpecifier,
  joinPath,
  siteLabel,
  usedIn
} from '../formatters';
import { ReesModel } from '../model';
import {
  IFileChange,
  ILocation,
  IProposedRequirement,
  PinPolicy,
  ReesFormat
} from '../tokens';

export interface IReesPanelOptions {
  model: ReesModel;
  trans: TranslationBundle;
  /** Open a file (server-root relative) at a notebook cell. */
  openSite: (path: string, cell: number | null, line: number) => void;
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
  const open = (site: ILocation) =>
    props.openSite(joinPath(model.scannedPath, site.path), site.cell, site.line);
  return (
    <div className="jp-rees-view">
      <form
        className="jp-rees-row jp-rees-folder"
        onSubmit={event => {
          event.preventDefault();
          void model.scan();
        }}
      >
        <label htmlFor="jp-rees-folder-input">{trans.__('Folder')}</label>
        <input
          id="jp-rees-folder-input"
          className="jp-mod-styled jp-rees-input"
          value={model.folder}
          placeholder={trans.__('(server root)')}
          onChange={event => (model.folder = event.target.value)}
        />
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-rees-scan"
          disabled={model.busy !== null}
        >
          {trans.__('Scan')}
        </button>
      </form>
      <Options {...props} />
      {model.busy && (
        <div className="jp-rees-busy" role="status">
          {model.busy === 'scanning'
            ? trans.__('Scanning notebooks and reading the environment…')
            : model.busy === 'previewing'
              ? trans.__('Preparing the preview…')
              : trans.__('Writing…')}
        </div>
      )}
      {model.error && (
        <div className="jp-rees-error" role="alert">
          {model.error}
        </div>
      )}
      {proposal && (
        <>
          <div className="jp-rees-summary">
            {trans._n(
              '%1 file scanned',
              '%1 files scanned',
              proposal.files.length,
              proposal.files.length
            )}
            {' · Python '}
            {proposal.python_version}
            {proposal.environment ? ` · ${proposal.environment}` : ''}
          </div>
          {proposal.notes.map(note => (
            <div key={note} className="jp-rees-note">
              {note}
            </div>
          ))}
          {proposal.issues.length > 0 && (
            <details className="jp-rees-issues">
              <summary>
                {trans._n(
                  '%1 problem found while scanning',
                  '%1 problems found while scanning',
                  proposal.issues.length,
                  proposal.issues.length
                )}
              </summary>
              <ul>
                {proposal.issues.map((issue, i) => (
                  <li key={i}>
                    <button
                      className="jp-rees-link"
                      onClick={() => open(issue.location)}
                    >
                      {siteLabel(issue.location)}
                    </button>
                    : {issue.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <RequirementsTable {...props} open={open} />
          <AddRequirement {...props} />
          <Actions {...props} />
        </>
      )}
      {model.changes && <Preview {...props} changes={model.changes} />}
      {model.written && <Written {...props} written={model.written} />}
    </div>
  );
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

/** A labelled drop-down. */
function Choice(props: {
  label: string;
  value: string;
  options: [value: string, label: string][];
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <label>
      {props.label}
      <select
        className="jp-mod-styled"
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
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
      <Choice
        label={trans.__('Environment')}
        value={model.kernel}
        options={[['', trans.__("Notebooks' kernel")], ...kernels]}
        onChange={value => void model.setKernel(value)}
      />
      <Choice
        label={trans.__('Pin')}
        value={model.pin}
        options={[
          ['==', trans.__('exact (==)')],
          ['~=', trans.__('compatible (~=)')],
          ['>=', trans.__('minimum (>=)')],
          ['none', trans.__('none')]
        ]}
        onChange={value => void model.setPin(value as PinPolicy)}
      />
      <Choice
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

function RequirementsTable(
  props: IReesPanelOptions & { open: (site: ILocation) => void }
): JSX.Element {
  const { model, trans } = props;
  const rows = model.rows;
  if (rows.length === 0) {
    return (
      <div className="jp-rees-empty">
        {trans.__('No third-party imports found in this folder.')}
      </div>
    );
  }
  return (
    <ul className="jp-rees-requirements" aria-label={trans.__('Proposed requirements')}>
      {rows.map(row => (
        <RequirementRow key={row.name} {...props} row={row} />
      ))}
    </ul>
  );
}

function RequirementRow(
  props: IReesPanelOptions & {
    row: IProposedRequirement;
    open: (site: ILocation) => void;
  }
): JSX.Element {
  const { model, trans, row } = props;
  const [specifier, setSpecifier] = React.useState(row.specifier);
  React.useEffect(() => setSpecifier(row.specifier), [row.specifier]);
  const valid = isValidSpecifier(specifier);
  const title = [
    row.modules.length ? trans.__('imports: %1', row.modules.join(', ')) : '',
    row.rule ? trans.__('found by: %1', row.rule) : '',
    row.candidates.length
      ? trans.__('other candidates: %1', row.candidates.join(', '))
      : ''
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <li
      className={
        'jp-rees-requirement' + (row.included ? '' : ' jp-mod-excluded')
      }
      data-name={row.name}
    >
      <div className="jp-rees-requirement-main">
        <input
          type="checkbox"
          checked={row.included}
          aria-label={trans.__('Include %1', row.name)}
          onChange={event => model.setIncluded(row.name, event.target.checked)}
        />
        <span className="jp-rees-name" title={title}>
          {displayName(row)}
        </span>
        <input
          className={
            'jp-mod-styled jp-rees-pin' + (valid ? '' : ' jp-mod-invalid')
          }
          value={specifier}
          placeholder={trans.__('any')}
          aria-label={trans.__('Pin for %1', row.name)}
          aria-invalid={!valid}
          title={valid ? '' : trans.__('Not a version specifier, e.g. ==1.2')}
          onChange={event => setSpecifier(event.target.value)}
          onBlur={() => valid && model.setSpecifier(row.name, specifier)}
          onKeyDown={event => {
            if (event.key === 'Enter' && valid) {
              model.setSpecifier(row.name, specifier);
            }
          }}
        />
      </div>
      <div className="jp-rees-requirement-meta">
        <span className="jp-rees-version">
          {row.installed_version
            ? trans.__('installed %1', row.installed_version)
            : trans.__('not installed')}
        </span>
        {row.rule === 'implicit' ? (
          <span className="jp-rees-tag">{trans.__('suggested')}</span>
        ) : (
          row.kind !== 'required' && <span className="jp-rees-tag">{row.kind}</span>
        )}
        {row.source !== 'pip' && (
          <span className="jp-rees-tag">{row.source}</span>
        )}
        {model.isAdded(row.name) && (
          <button
            className="jp-rees-link"
            onClick={() => model.removeAdded(row.name)}
          >
            {trans.__('remove')}
          </button>
        )}
      </div>
      {row.warnings.map(warning => (
        <div key={warning} className="jp-rees-warning">
          ⚠ {warning}
        </div>
      ))}
      {row.sites.length > 0 && (
        <details className="jp-rees-used-in">
          <summary>{trans.__('used in %1', usedIn(row.sites))}</summary>
          <ul className="jp-rees-sites">
            {row.sites.map((site, i) => (
              <li key={i}>
                <button
                  className="jp-rees-link"
                  onClick={() => props.open(site)}
                >
                  {siteLabel(site)}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
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

function Actions(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  return (
    <div className="jp-rees-row jp-rees-actions">
      <Choice
        label={trans.__('Write into')}
        value={model.target}
        options={[
          ['binder', 'binder/'],
          ['.binder', '.binder/'],
          ['.', trans.__('the folder itself')]
        ]}
        onChange={value => model.setTarget(value)}
      />
      <button
        className="jp-mod-styled jp-mod-accept jp-rees-preview"
        disabled={model.busy !== null || model.includedCount === 0}
        onClick={() => void model.preview()}
      >
        {trans.__('Preview REES')}
      </button>
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
  props: IReesPanelOptions & { changes: IFileChange[] }
): JSX.Element {
  const { model, trans, changes } = props;
  const pending = changes.filter(change => change.status !== 'unchanged');
  return (
    <section className="jp-rees-preview-section" aria-label={trans.__('Preview')}>
      <h3>{trans.__('What writing will change')}</h3>
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
        <button
          className="jp-mod-styled jp-mod-accept jp-rees-write"
          disabled={model.busy !== null || pending.length === 0}
          onClick={() => void model.write()}
        >
          {pending.length === 0
            ? trans.__('Nothing to write')
            : trans._n('Write %1 file', 'Write %1 files', pending.length, pending.length)}
        </button>
        <button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => model.discardPreview()}
        >
          {trans.__('Cancel')}
        </button>
      </div>
    </section>
  );
}

function DoiForm(props: IReesPanelOptions): JSX.Element {
  const { model, trans } = props;
  const [doi, setDoi] = React.useState('');
  return (
    <form
      className="jp-rees-row jp-rees-doi"
      onSubmit={event => {
        event.preventDefault();
        if (doi.trim()) {
          void model.badgeFromDoi(doi);
        }
      }}
    >
      <TextInput
        className="jp-rees-input"
        placeholder={trans.__('or a DOI, e.g. 10.5281/zenodo.1234')}
        label={trans.__('DOI of an archived copy')}
        value={doi}
        onChange={setDoi}
      />
      <button type="submit" className="jp-mod-styled" disabled={model.busy !== null}>
        {trans.__('Make badge')}
      </button>
    </form>
  );
}

function Written(
  props: IReesPanelOptions & { written: IFileChange[] }
): JSX.Element {
  const { model, trans, written } = props;
  const badge = model.badge;
  const [message, setMessage] = React.useState('');
  return (
    <section className="jp-rees-written" aria-label={trans.__('Written')}>
      <h3>{trans.__('REES written')}</h3>
      <ul>
        {written.map(change => (
          <li key={change.path}>{changeLabel(change)}</li>
        ))}
      </ul>
      {model.binderSummary && (
        <div
          className={
            'jp-rees-note jp-rees-binder-summary' +
            (model.binderSummary.ok ? '' : ' jp-mod-warning')
          }
        >
          {binderSummaryText(model.binderSummary)}
        </div>
      )}
      {badge && (
        <div className="jp-rees-badge">
          <h3>{trans.__('Binder badge')}</h3>
          {badge.link && badge.snippets ? (
            <>
              <textarea
                className="jp-mod-styled jp-rees-badge-text"
                readOnly
                value={badge.snippets.markdown}
                aria-label={trans.__('Binder badge Markdown')}
              />
              <div className="jp-rees-row">
                <button
                  className="jp-mod-styled"
                  onClick={() => props.copy(badge.snippets?.markdown ?? '')}
                >
                  {trans.__('Copy Markdown')}
                </button>
                <a
                  className="jp-rees-link"
                  href={badge.link}
                  target="_blank"
                  rel="noopener noreferrer"
                >
                  {trans.__('Open the link')}
                </a>
              </div>
              {badge.readme && badge.readme.status !== 'unchanged' && (
                <details className="jp-rees-readme">
                  <summary>
                    {trans.__('Add the badge to %1', badge.readme.path)}
                  </summary>
                  <DiffView diff={badge.readme.diff} />
                  <button
                    className="jp-mod-styled jp-mod-accept jp-rees-add-badge"
                    disabled={model.busy !== null}
                    onClick={() => void model.addBadgeToReadme()}
                  >
                    {trans.__('Add to %1', badge.readme.path)}
                  </button>
                </details>
              )}
              {badge.readme && badge.readme.status === 'unchanged' && (
                <div className="jp-rees-note">
                  {trans.__('%1 has this badge.', badge.readme.path)}
                </div>
              )}
            </>
          ) : null}
          {badge.message && <div className="jp-rees-note">{badge.message}</div>}
          {!badge.link && <DoiForm {...props} />}
          {badge.notes.map(note => (
            <div key={note} className="jp-rees-note">
              {note}
            </div>
          ))}
        </div>
      )}
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
