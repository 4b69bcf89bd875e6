/**
 * One distribution of the proposal: include it or not, its pin, where the pin comes
 * from, one warning (repeats for submodules folded in) and the files that use it.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { displayName, isValidSpecifier, siteLabel, usedIn } from '../formatters';
import { foldWarnings, provenance } from '../grouping';
import { ReesModel } from '../model';
import { ILocation, IProposedRequirement } from '../tokens';
import { CappedList } from './Controls';

export interface IRowProps {
  model: ReesModel;
  trans: TranslationBundle;
  row: IProposedRequirement;
  environment: string;
  /** Changed by the last live re-scan. */
  changed: boolean;
  /** Changes with each scan: the "used in" list closes again. */
  scanId: number;
  open: (site: ILocation) => void;
}

/** The row's warnings folded into one block: the first message, the rest on demand. */
function RowWarning(props: {
  row: IProposedRequirement;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { row, trans } = props;
  const folded = foldWarnings(row.warnings, row.modules);
  const [open, setOpen] = React.useState(false);
  if (folded.length === 0) {
    return null;
  }
  const first = folded[0];
  const extraModules = Math.max(first.modules.length - 1, 0);
  const extraMessages = folded.length - 1;
  const hasMore = extraModules > 0 || extraMessages > 0;
  const more = [
    extraModules > 0
      ? trans._n('the same for %1 more module', 'the same for %1 more modules', extraModules, extraModules)
      : '',
    extraMessages > 0
      ? trans._n('%1 more warning', '%1 more warnings', extraMessages, extraMessages)
      : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className="jp-rees-warning">
      <span aria-hidden="true">⚠ </span>
      {first.message}
      {hasMore && (
        <>
          {' '}
          <button
            className="jp-rees-link jp-rees-more"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? trans.__('show less') : `(${more})`}
          </button>
        </>
      )}
      {open && (
        <ul className="jp-rees-warning-more">
          {extraModules > 0 && (
            <li>
              {trans.__('Also for: %1', first.modules.slice(1).join(', '))}
            </li>
          )}
          {folded.slice(1).map(warning => (
            <li key={warning.message}>
              {warning.message}
              {warning.modules.length > 1
                ? ' ' + trans.__('(and %1 more modules)', warning.modules.length - 1)
                : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Where a row stands against the REES already in the folder (none for a new row). */
function statusLabel(trans: TranslationBundle, row: IProposedRequirement): string {
  switch (row.status) {
    case 'kept':
      return trans.__('in the REES');
    case 'left-out':
      return trans.__('left out');
    case 'unused':
      return trans.__('not imported any more');
    case 'own':
      return trans.__('your line');
    default:
      return '';
  }
}

export function RequirementRow(props: IRowProps): JSX.Element {
  const { model, trans, row } = props;
  const [specifier, setSpecifier] = React.useState(row.specifier);
  React.useEffect(() => setSpecifier(row.specifier), [row.specifier]);
  const valid = isValidSpecifier(specifier);
  const name = displayName(row);
  const title = [
    name,
    row.modules.length ? trans.__('imports: %1', row.modules.slice(0, 10).join(', ') + (row.modules.length > 10 ? ' …' : '')) : '',
    row.rule ? trans.__('found by: %1', row.rule) : '',
    row.candidates.length
      ? trans.__('other candidates: %1', row.candidates.join(', '))
      : ''
  ]
    .filter(Boolean)
    .join('\n');
  const origin = provenance(row, props.environment).join(' · ');
  return (
    <li
      className={
        'jp-rees-requirement' +
        (row.included ? '' : ' jp-mod-excluded') +
        (props.changed ? ' jp-mod-changed' : '')
      }
      data-name={row.name}
      data-status={row.status ?? 'new'}
    >
      <div className="jp-rees-requirement-main">
        <input
          type="checkbox"
          checked={row.included}
          aria-label={trans.__('Include %1', name)}
          onChange={event => model.setIncluded(row.name, event.target.checked)}
        />
        <span className="jp-rees-name" title={title}>
          {name}
        </span>
        <input
          className={
            'jp-mod-styled jp-rees-pin' + (valid ? '' : ' jp-mod-invalid')
          }
          value={specifier}
          placeholder={trans.__('any')}
          aria-label={trans.__('Pin for %1', name)}
          aria-invalid={!valid}
          title={valid ? specifier : trans.__('Not a version specifier, e.g. ==1.2')}
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
        <span className="jp-rees-provenance" title={origin}>
          {origin}
        </span>
        {statusLabel(trans, row) && (
          <span className="jp-rees-tag jp-rees-status-tag" title={row.in_file ?? undefined}>
            {statusLabel(trans, row)}
          </span>
        )}
        {props.changed && (
          <span className="jp-rees-tag jp-rees-changed-tag">{trans.__('changed')}</span>
        )}
        {model.isAdded(row.name) && (
          <>
            <span className="jp-rees-tag">{trans.__('added')}</span>
            <button
              className="jp-rees-link"
              aria-label={trans.__('Remove %1', name)}
              onClick={() => model.removeAdded(row.name)}
            >
              {trans.__('remove')}
            </button>
          </>
        )}
      </div>
      <RowWarning row={row} trans={trans} />
      {row.sites.length > 0 && (
        <details key={props.scanId} className="jp-rees-used-in">
          <summary title={usedIn(row.sites, 1000)}>
            {trans.__('used in %1', usedIn(row.sites))}
          </summary>
          <CappedList
            className="jp-rees-sites"
            items={row.sites}
            max={5}
            trans={trans}
            render={(site: ILocation) => (
              <button
                className="jp-rees-link"
                title={siteLabel(site)}
                onClick={() => props.open(site)}
              >
                {siteLabel(site)}
              </button>
            )}
          />
        </details>
      )}
    </li>
  );
}
