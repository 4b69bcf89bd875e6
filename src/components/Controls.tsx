/**
 * Small controls shared by the sidebar's parts: labelled selects in JupyterLab's style,
 * buttons that say why they are disabled, capped lists and messages, errors placed next
 * to the action that caused them.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { capFileLists, capList } from '../grouping';

let nextId = 0;
/** A stable id for label/aria wiring. */
export function useId(prefix: string): string {
  const ref = React.useRef<string>();
  if (!ref.current) {
    ref.current = `${prefix}-${++nextId}`;
  }
  return ref.current;
}

/** A labelled drop-down with JupyterLab's select styling (arrow included). */
export function Select(props: {
  label: string;
  value: string;
  options: [value: string, label: string][];
  onChange: (value: string) => void;
  className?: string;
  disabled?: boolean;
  title?: string;
}): JSX.Element {
  const id = useId('jp-rees-select');
  return (
    <div className={'jp-rees-field ' + (props.className ?? '')}>
      <label htmlFor={id}>{props.label}</label>
      <HTMLSelect
        id={id}
        className="jp-rees-select"
        value={props.value}
        disabled={props.disabled}
        title={props.title}
        options={props.options.map(([value, label]) => ({ value, label }))}
        onChange={event => props.onChange(event.target.value)}
      />
    </div>
  );
}

/**
 * A button that stays focusable when it cannot act, looks disabled, and says why in its
 * tooltip and accessible description.
 */
export function ActionButton(props: {
  label: string;
  onClick?: () => void;
  /** Why the button cannot act now; null when it can. */
  disabledReason: string | null;
  className?: string;
  type?: 'button' | 'submit';
  accept?: boolean;
  buttonRef?: React.Ref<HTMLButtonElement>;
}): JSX.Element {
  const reasonId = useId('jp-rees-reason');
  const disabled = props.disabledReason !== null;
  return (
    <>
      <button
        ref={props.buttonRef}
        type={props.type ?? 'button'}
        className={
          'jp-mod-styled ' +
          (props.accept ? 'jp-mod-accept ' : '') +
          (disabled ? 'jp-mod-disabled ' : '') +
          (props.className ?? '')
        }
        aria-disabled={disabled || undefined}
        aria-describedby={disabled ? reasonId : undefined}
        title={props.disabledReason ?? undefined}
        onClick={event => {
          if (disabled) {
            event.preventDefault();
            return;
          }
          props.onClick?.();
        }}
      >
        {props.label}
      </button>
      {disabled && (
        <span id={reasonId} className="jp-rees-visually-hidden">
          {props.disabledReason}
        </span>
      )}
    </>
  );
}

/** An error shown where the action was, announced to screen readers. */
export function InlineError(props: { message: string | null }): JSX.Element | null {
  if (!props.message) {
    return null;
  }
  return (
    <div className="jp-rees-error" role="alert">
      {props.message}
    </div>
  );
}

/** A list of items capped to the first ``max`` with an "and N more" toggle. */
export function CappedList<T>(props: {
  items: T[];
  max?: number;
  trans: TranslationBundle;
  render: (item: T, index: number) => React.ReactNode;
  className?: string;
  label?: string;
}): JSX.Element {
  const [open, setOpen] = React.useState(false);
  const { shown, more } = capList(props.items, props.max ?? 3);
  const items = open ? props.items : shown;
  return (
    <ul className={'jp-rees-capped ' + (props.className ?? '')} aria-label={props.label}>
      {items.map((item, i) => (
        <li key={i}>{props.render(item, i)}</li>
      ))}
      {more > 0 && (
        <li>
          <button
            className="jp-rees-link jp-rees-more"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? props.trans.__('show fewer') : props.trans.__('and %1 more', more)}
          </button>
        </li>
      )}
    </ul>
  );
}

/** A message whose file lists are capped, with a toggle to show them whole. */
export function CappedText(props: {
  text: string;
  trans: TranslationBundle;
  className?: string;
}): JSX.Element {
  const [open, setOpen] = React.useState(false);
  const capped = capFileLists(props.text);
  return (
    <div className={props.className}>
      {open ? capped.full : capped.short}
      {capped.hidden > 0 && (
        <>
          {' '}
          <button
            className="jp-rees-link jp-rees-more"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? props.trans.__('show fewer') : props.trans.__('show all')}
          </button>
        </>
      )}
    </div>
  );
}
