/**
 * Pure helpers of the Binder card: which notebook a link opens by default, the tabs of
 * badge snippets, and what the ref picker offers.
 */
import { IBadgeReply } from './tokens';

/** The notebooks of a scanned folder, in order: the card's notebook choices. */
export function notebooksOf(files: string[]): string[] {
  return files.filter(file => file.toLowerCase().endsWith('.ipynb')).sort();
}

/** The notebook a link opens unless the user picks one: the folder's first, or none. */
export function defaultNotebook(files: string[]): string {
  return notebooksOf(files)[0] ?? '';
}

export type SnippetFormat = 'markdown' | 'rst' | 'html';
export const SNIPPET_FORMATS: [SnippetFormat, string][] = [
  ['markdown', 'Markdown'],
  ['rst', 'reStructuredText'],
  ['html', 'HTML']
];

/** The refs to offer: the link's own first, then branches, then tags, no repeats. */
export function refChoices(badge: IBadgeReply | null): string[] {
  const refs: string[] = [];
  const add = (ref: string | undefined | null) => {
    if (ref && !refs.includes(ref)) {
      refs.push(ref);
    }
  };
  add(badge?.ref);
  badge?.refs?.branches.forEach(add);
  badge?.refs?.tags.forEach(add);
  return refs;
}
