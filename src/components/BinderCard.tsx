/**
 * The Binder card: a rendered badge, the notebook, ref and interface the link opens,
 * the snippet in Markdown, reStructuredText or HTML with Copy, a link button, the
 * README insertion, and the DOI and nbgitpuller variants.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import badgeSvg from '../../style/icons/binder-badge.svg';
import { notebooksOf, refChoices, SNIPPET_FORMATS, SnippetFormat } from '../badge';
import { diffLineClass } from '../formatters';
import { canonicalName } from '../formatters';
import { ReesModel } from '../model';
import { BinderMode } from '../tokens';
import { ActionButton, InlineError, Select, useId } from './Controls';

/** The badge image, shipped with the extension so that it shows offline. */
export const BADGE_IMAGE = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(badgeSvg)}`;

export interface IBinderCardProps {
  model: ReesModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
}

function DiffLines(props: { diff: string }): JSX.Element {
  return (
    <pre className="jp-rees-diff">
      {props.diff.split('\n').map((line, i) => (
        <div key={i} className={diffLineClass(line)}>
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}

/** A text field that reports its value on Enter or when it loses focus. */
function CommitField(props: {
  label: string;
  value: string;
  placeholder?: string;
  list?: string;
  onCommit: (value: string) => void;
}): JSX.Element {
  const id = useId('jp-rees-field');
  const [value, setValue] = React.useState(props.value);
  React.useEffect(() => setValue(props.value), [props.value]);
  const commit = () => {
    if (value.trim() !== props.value) {
      props.onCommit(value.trim());
    }
  };
  return (
    <div className="jp-rees-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        className="jp-mod-styled jp-rees-input"
        value={value}
        list={props.list}
        placeholder={props.placeholder}
        title={value}
        onChange={event => setValue(event.target.value)}
        onBlur={commit}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            event.preventDefault();
            commit();
          }
        }}
      />
    </div>
  );
}

function SnippetTabs(props: IBinderCardProps & { snippets: { [key: string]: string } }): JSX.Element {
  const { trans } = props;
  const [format, setFormat] = React.useState<SnippetFormat>('markdown');
  const [copied, setCopied] = React.useState(false);
  const tabsId = useId('jp-rees-snippet');
  const text = props.snippets[format] ?? '';
  const label = SNIPPET_FORMATS.find(([f]) => f === format)?.[1] ?? format;
  return (
    <div className="jp-rees-snippets">
      <div className="jp-rees-tabs" role="tablist" aria-label={trans.__('Badge format')}>
        {SNIPPET_FORMATS.map(([value, name]) => (
          <button
            key={value}
            role="tab"
            id={`${tabsId}-${value}`}
            aria-selected={value === format}
            aria-controls={`${tabsId}-panel`}
            tabIndex={value === format ? 0 : -1}
            className={'jp-rees-tab' + (value === format ? ' jp-mod-active' : '')}
            onClick={() => {
              setFormat(value);
              setCopied(false);
            }}
            onKeyDown={event => {
              const i = SNIPPET_FORMATS.findIndex(([f]) => f === format);
              const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
              if (step) {
                const next = SNIPPET_FORMATS[(i + step + SNIPPET_FORMATS.length) % SNIPPET_FORMATS.length][0];
                setFormat(next);
                document.getElementById(`${tabsId}-${next}`)?.focus();
              }
            }}
          >
            {name}
          </button>
        ))}
      </div>
      <textarea
        id={`${tabsId}-panel`}
        role="tabpanel"
        aria-labelledby={`${tabsId}-${format}`}
        className="jp-mod-styled jp-rees-badge-text"
        readOnly
        value={text}
        aria-label={trans.__('Binder badge %1', label)}
      />
      <div className="jp-rees-row">
        <button
          className="jp-mod-styled jp-mod-accept jp-rees-copy"
          onClick={() => {
            props.copy(text);
            setCopied(true);
            Notification.success(trans.__('Copied the %1 badge', label), {
              autoClose: 2500
            });
          }}
        >
          {trans.__('Copy %1', label)}
        </button>
        <span className="jp-rees-copied" role="status">
          {copied ? trans.__('Copied') : ''}
        </span>
      </div>
    </div>
  );
}

/** DOI and nbgitpuller variants of the link. */
function Variants(props: IBinderCardProps): JSX.Element {
  const { model, trans } = props;
  const options = model.badgeOptions;
  return (
    <details className="jp-rees-variants" open={!model.badge?.link}>
      <summary>{trans.__('Other links: an archived copy (DOI), nbgitpuller')}</summary>
      <CommitField
        label={trans.__('DOI')}
        value={options.doi ?? ''}
        placeholder={trans.__('e.g. 10.5281/zenodo.1234')}
        onCommit={doi => void model.setBadgeOptions({ doi })}
      />
      <div className="jp-rees-hint">
        {trans.__(
          'nbgitpuller: open this repository inside another repository’s image (it must install nbgitpuller).'
        )}
      </div>
      <CommitField
        label={trans.__('Environment repository')}
        value={options.env_repo ?? ''}
        placeholder="https://github.com/owner/environment"
        onCommit={env_repo => void model.setBadgeOptions({ env_repo, doi: '' })}
      />
      <CommitField
        label={trans.__('Its ref')}
        value={options.env_ref ?? ''}
        placeholder="HEAD"
        onCommit={env_ref => void model.setBadgeOptions({ env_ref })}
      />
    </details>
  );
}

export function BinderCard(props: IBinderCardProps): JSX.Element | null {
  const { model, trans } = props;
  const badge = model.badge;
  const refsId = useId('jp-rees-refs');
  if (!badge) {
    return null;
  }
  const files = model.proposal?.files ?? [];
  const notebooks = notebooksOf(files);
  const options = model.badgeOptions;
  const mode: BinderMode = options.mode ?? badge.mode ?? 'lab';
  const hasVoila = model.rows.some(
    row => row.included && canonicalName(row.name) === 'voila'
  );
  const busy = model.busy !== null;
  return (
    <section className="jp-rees-binder-card" aria-label={trans.__('Binder badge')}>
      <h3>{trans.__('Binder badge')}</h3>
      {badge.link && (
        <a
          className="jp-rees-badge-preview"
          href={badge.link}
          target="_blank"
          rel="noopener noreferrer"
          title={badge.link}
        >
          <img src={BADGE_IMAGE} alt={trans.__('Launch on Binder')} width={109} height={20} />
        </a>
      )}
      <div className="jp-rees-binder-fields">
        <Select
          label={trans.__('Opens')}
          value={model.badgeNotebook}
          options={[
            ['', trans.__('(no file: the lab)')],
            ...notebooks.map(file => [file, file] as [string, string])
          ]}
          disabled={busy}
          onChange={notebook => void model.setBadgeOptions({ notebook })}
        />
        <Select
          label={trans.__('In')}
          value={mode}
          options={[
            ['lab', trans.__('JupyterLab')],
            ['doc', trans.__('JupyterLab, one document')],
            ['classic', trans.__('classic notebook')],
            ['voila', trans.__('Voilà dashboard')]
          ]}
          disabled={busy}
          onChange={value => void model.setBadgeOptions({ mode: value as BinderMode })}
        />
        {badge.repository !== false && !options.doi && (
          <>
            <CommitField
              label={trans.__('Ref')}
              value={options.ref ?? badge.ref ?? ''}
              placeholder={trans.__('branch, tag or commit')}
              list={refsId}
              onCommit={ref => void model.setBadgeOptions({ ref })}
            />
            <datalist id={refsId}>
              {refChoices(badge).map(ref => (
                <option key={ref} value={ref} />
              ))}
            </datalist>
          </>
        )}
      </div>
      {mode === 'voila' && !hasVoila && (
        <div className="jp-rees-note jp-mod-warning">
          {trans.__('Voilà must be installed on Binder: add the voila package to the REES.')}
        </div>
      )}
      <InlineError message={model.errorFrom === 'linking' ? model.error : null} />
      {badge.message && <div className="jp-rees-note jp-mod-warning">{badge.message}</div>}
      {badge.notes.map(note => (
        <div key={note} className="jp-rees-note jp-mod-warning" role="status">
          {note}
        </div>
      ))}
      {badge.link && badge.snippets && (
        <>
          <SnippetTabs {...props} snippets={badge.snippets} />
          <a
            className="jp-rees-button-link"
            href={badge.link}
            target="_blank"
            rel="noopener noreferrer"
          >
            {trans.__('Open on Binder')}
          </a>
        </>
      )}
      {badge.link && badge.readme && badge.readme.status !== 'unchanged' && (
        <details className="jp-rees-readme">
          <summary>{trans.__('Add the badge to %1', badge.readme.path)}</summary>
          <DiffLines diff={badge.readme.diff} />
          <ActionButton
            accept
            className="jp-rees-add-badge"
            label={trans.__('Add to %1', badge.readme.path)}
            disabledReason={busy ? trans.__('Wait for the current step to finish') : null}
            onClick={() => void model.addBadgeToReadme()}
          />
        </details>
      )}
      {badge.readme && badge.readme.status === 'unchanged' && (
        <div className="jp-rees-note">{trans.__('%1 has this badge.', badge.readme.path)}</div>
      )}
      <Variants {...props} />
    </section>
  );
}
