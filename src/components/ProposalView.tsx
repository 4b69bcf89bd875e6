/**
 * The proposal as sections: a summary line, notes and problems with capped file lists,
 * a filter box, and one collapsible section per trust level with bulk actions.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { siteLabel } from '../formatters';
import {
  environmentLabel,
  filterRows,
  groupRows,
  ISection,
  noteParts,
  SectionId,
  summaryCounts
} from '../grouping';
import { ReesModel } from '../model';
import { ILocation, IProposal, IScanIssue } from '../tokens';
import { CappedList, CappedText, useId } from './Controls';
import { RequirementRow } from './RequirementRow';

export interface IProposalViewProps {
  model: ReesModel;
  trans: TranslationBundle;
  proposal: IProposal;
  /** Open a site of the scanned folder (problems in unreadable files open as text). */
  open: (site: ILocation, asText?: boolean) => void;
  /** Names of rows the last live re-scan changed. */
  changed: Set<string>;
  /** Receives the summary element, to move focus there after a scan. */
  summaryRef?: React.Ref<HTMLDivElement>;
}

function sectionTitle(trans: TranslationBundle, id: SectionId): string {
  switch (id) {
    case 'decide':
      return trans.__('Needs a decision');
    case 'write':
      return trans.__('Will be written');
    case 'suggested':
      return trans.__('Suggested');
    case 'optional':
      return trans.__('Optional');
    default:
      return trans.__('Local / ignored');
  }
}

function sectionHint(trans: TranslationBundle, id: SectionId): string {
  switch (id) {
    case 'decide':
      return trans.__(
        'Not installed in the environment, a guessed name, a package that needs system libraries, or a line the REES does not resolve with: check each one.'
      );
    case 'write':
      return trans.__('Installed in the environment and pinned from it.');
    case 'suggested':
      return trans.__('Needed by calls or magics, though nothing imports them.');
    case 'optional':
      return trans.__('Imported inside try/except: the code runs without them.');
    default:
      return trans.__('Local code and type-checking imports: not written.');
  }
}

/** Problems found while scanning, first three shown. */
function Issues(props: {
  issues: IScanIssue[];
  trans: TranslationBundle;
  open: (site: ILocation, asText?: boolean) => void;
}): JSX.Element {
  const { issues, trans } = props;
  return (
    <details className="jp-rees-issues">
      <summary>
        {trans._n(
          '%1 problem found while scanning',
          '%1 problems found while scanning',
          issues.length,
          issues.length
        )}
      </summary>
      <CappedList
        items={issues}
        trans={trans}
        render={(issue: IScanIssue) => (
          <>
            <button
              className="jp-rees-link"
              title={
                issue.kind === 'unreadable'
                  ? trans.__('Open %1 as text', issue.location.path)
                  : siteLabel(issue.location)
              }
              onClick={() =>
                props.open(issue.location, issue.kind === 'unreadable')
              }
            >
              {siteLabel(issue.location)}
            </button>
            : {issue.message}
          </>
        )}
      />
    </details>
  );
}

function Section(
  props: IProposalViewProps & {
    section: ISection;
    expandedByUser: boolean;
    filtering: boolean;
    scanId: number;
    setOpen: (open: boolean) => void;
    openSite: (site: ILocation) => void;
  }
): JSX.Element {
  const { model, trans, section } = props;
  const listId = useId('jp-rees-section');
  const title = sectionTitle(trans, section.id);
  const names = section.rows.map(row => row.name);
  const expanded = props.expandedByUser || props.filtering;
  const allIn = section.rows.every(row => row.included);
  const allOut = section.rows.every(row => !row.included);
  return (
    <section
      className="jp-rees-section"
      data-section={section.id}
      aria-label={title}
    >
      <div className="jp-rees-section-header">
        <button
          className="jp-rees-section-toggle"
          aria-expanded={expanded}
          aria-controls={listId}
          title={sectionHint(trans, section.id)}
          onClick={() => props.setOpen(!props.expandedByUser)}
        >
          {expanded ? (
            <caretDownIcon.react tag="span" className="jp-rees-caret" />
          ) : (
            <caretRightIcon.react tag="span" className="jp-rees-caret" />
          )}
          <span className="jp-rees-section-title">{title}</span>
          <span className="jp-rees-count">{section.rows.length}</span>
        </button>
        <span className="jp-rees-bulk">
          <button
            className="jp-rees-link"
            disabled={allIn}
            aria-label={trans.__('Include all in %1', title)}
            onClick={() => model.setIncludedMany(names, true)}
          >
            {trans.__('include all')}
          </button>
          <button
            className="jp-rees-link"
            disabled={allOut}
            aria-label={trans.__('Leave out all in %1', title)}
            onClick={() => model.setIncludedMany(names, false)}
          >
            {trans.__('leave out all')}
          </button>
        </span>
      </div>
      {expanded && (
        <ul id={listId} className="jp-rees-requirements">
          {section.rows.map(row => (
            <RequirementRow
              key={row.name}
              model={model}
              trans={trans}
              row={row}
              environment={props.proposal.environment}
              changed={props.changed.has(row.name)}
              scanId={props.scanId}
              open={props.openSite}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

const DEFAULT_OPEN: { [id in SectionId]: boolean } = {
  decide: true,
  write: true,
  suggested: false,
  optional: false,
  local: false
};

/** A number that changes with each new proposal (each scan). */
function useScanId(proposal: IProposal): number {
  const last = React.useRef<{ proposal: IProposal; id: number }>({ proposal, id: 0 });
  if (last.current.proposal !== proposal) {
    last.current = { proposal, id: last.current.id + 1 };
  }
  return last.current.id;
}

export function ProposalView(props: IProposalViewProps): JSX.Element {
  const { model, trans, proposal } = props;
  const scanId = useScanId(proposal);
  const [query, setQuery] = React.useState('');
  const [open, setOpen] = React.useState(DEFAULT_OPEN);
  const rows = model.rows;
  const counts = summaryCounts(rows);
  const shown = filterRows(rows, query);
  const sections = groupRows(shown).filter(section => section.rows.length > 0);
  const filtering = query.trim() !== '';
  const environment = environmentLabel(proposal.environment);
  return (
    <div className="jp-rees-proposal">
      <div
        className="jp-rees-summary"
        tabIndex={-1}
        ref={props.summaryRef}
        aria-label={trans.__('Proposal summary')}
      >
        <div className="jp-rees-summary-main">
          {[
            trans._n('%1 package', '%1 packages', counts.packages, counts.packages),
            trans._n(
              '%1 needs a decision',
              '%1 need a decision',
              counts.decide,
              counts.decide
            ),
            environment ? trans.__('pins from %1', environment) : ''
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
        <div className="jp-rees-summary-detail">
          {trans._n(
            '%1 file scanned',
            '%1 files scanned',
            proposal.files.length,
            proposal.files.length
          )}
          {' · '}
          {trans.__('Python %1', proposal.python_version)}
        </div>
      </div>
      {proposal.notes.map((note, i) => {
        const parts = noteParts(note);
        return parts.files.length > 0 ? (
          <div key={i} className="jp-rees-note">
            {parts.message}
            <CappedList
              className="jp-rees-note-files"
              items={parts.files}
              trans={trans}
              render={(file: string) => file}
            />
          </div>
        ) : (
          <CappedText
            key={i}
            className="jp-rees-note"
            text={parts.message}
            trans={trans}
          />
        );
      })}
      {proposal.issues.length > 0 && (
        <Issues issues={proposal.issues} trans={trans} open={props.open} />
      )}
      {rows.length === 0 ? (
        <div className="jp-rees-empty">
          {trans.__('No third-party imports found in this folder.')}
        </div>
      ) : (
        <>
          <input
            type="search"
            className="jp-mod-styled jp-rees-filter"
            placeholder={trans.__('Filter packages, modules, files')}
            aria-label={trans.__('Filter the proposal')}
            value={query}
            onChange={event => setQuery(event.target.value)}
          />
          {filtering && (
            <div className="jp-rees-filter-count" role="status">
              {trans.__('%1 of %2 shown', shown.length, rows.length)}
            </div>
          )}
          <div
            className="jp-rees-sections"
            aria-label={trans.__('Proposed requirements')}
          >
            {sections.map(section => (
              <Section
                key={section.id}
                {...props}
                section={section}
                expandedByUser={open[section.id]}
                filtering={filtering}
                scanId={scanId}
                setOpen={value => setOpen({ ...open, [section.id]: value })}
                openSite={site => props.open(site)}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
