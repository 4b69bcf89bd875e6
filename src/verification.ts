/**
 * Pure helpers for the Verify card: progress, verdict classes, failing cells.
 */
import {
  IJobProgress,
  INotebookVerdict,
  IProposal,
  IVerification,
  IVerifyFailure
} from './tokens';

/** done/total in [0, 1] when the phase counts steps, else null (indeterminate). */
export function progressFraction(progress: IJobProgress): number | null {
  if (progress.total <= 1) {
    return null;
  }
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

/** 'ok' | 'not-rees' (failures outside the REES) | 'rees' (its fault) | 'unverified'. */
export function verdictClass(
  verification: IVerification
): 'ok' | 'not-rees' | 'rees' | 'unverified' {
  if (verification.unreachable) {
    return 'unverified';
  }
  if (verification.rees_fault) {
    return 'rees';
  }
  return verification.ok ? 'ok' : 'not-rees';
}

/** Notebooks with failures first (the REES's fault before the rest), then by path. */
export function sortedVerdicts(notebooks: INotebookVerdict[]): INotebookVerdict[] {
  const rank = (n: INotebookVerdict) => (n.rees_fault ? 0 : n.ok ? 2 : 1);
  return [...notebooks].sort(
    (a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path)
  );
}

/** The failure's cell as people count it (1-based), or null. */
export function cellNumber(failure: IVerifyFailure): number | null {
  return failure.cell === null || failure.cell === undefined ? null : failure.cell + 1;
}

/**
 * Whether the folder already has a REES, as far as the proposal tells: a row read from
 * an existing file (``in_file``), when the server reviews against it.
 */
export function proposalHasRees(proposal: IProposal | null): boolean {
  if (!proposal) {
    return false;
  }
  return proposal.requirements.some(
    row => (row as unknown as { in_file?: boolean }).in_file === true
  );
}
