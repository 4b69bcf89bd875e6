import { requestAPI } from './request';
import {
  IBadgeOptions,
  IBadgeReply,
  IBuildCheckReply,
  IChangesReply,
  ICommitReply,
  IJob,
  IKernel,
  IProposalReply,
  IVerifyReply,
  IWriteRequest,
  PinPolicy
} from './tokens';

function query(params: { [key: string]: string | undefined }): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      search.set(key, value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function getProposal(
  path: string,
  options: {
    kernel?: string;
    pin?: PinPolicy;
    overrides?: { [module: string]: string };
  } = {}
): Promise<IProposalReply> {
  const overrides =
    options.overrides && Object.keys(options.overrides).length
      ? JSON.stringify(options.overrides)
      : undefined;
  return requestAPI<IProposalReply>(
    'proposal' + query({ path, kernel: options.kernel, pin: options.pin, overrides })
  );
}

export async function getKernels(): Promise<IKernel[]> {
  const reply = await requestAPI<{ kernels: IKernel[] }>('kernels');
  return reply.kernels;
}

export function previewRees(request: IWriteRequest): Promise<IChangesReply> {
  return requestAPI<IChangesReply>('preview', {
    method: 'POST',
    body: JSON.stringify(request)
  });
}

export function writeRees(request: IWriteRequest): Promise<IChangesReply> {
  return requestAPI<IChangesReply>('write', {
    method: 'POST',
    body: JSON.stringify(request)
  });
}

export function getBadge(
  path: string,
  options: IBadgeOptions = {}
): Promise<IBadgeReply> {
  return requestAPI<IBadgeReply>('badge' + query({ path, ...options }));
}

/** repo2docker's verdict on what the request would write (nothing is written). */
export function checkBuild(request: IWriteRequest): Promise<IBuildCheckReply> {
  return requestAPI<IBuildCheckReply>('check-build', {
    method: 'POST',
    body: JSON.stringify(request)
  });
}

export function writeBadge(
  path: string,
  link: string,
  expected: { [path: string]: string | null }
): Promise<IChangesReply> {
  return requestAPI<IChangesReply>('badge', {
    method: 'POST',
    body: JSON.stringify({ path, link, expected })
  });
}

export function commitFiles(
  path: string,
  files: string[],
  message: string
): Promise<ICommitReply> {
  return requestAPI<ICommitReply>('commit', {
    method: 'POST',
    body: JSON.stringify({ path, files, message })
  });
}

/** Start verifying the folder's REES in the background (POST verify). */
export async function startVerify(
  path: string,
  options: { run?: boolean; timeout?: number } = {}
): Promise<IJob<IVerifyReply>> {
  const reply = await requestAPI<{ job: IJob<IVerifyReply> }>('verify', {
    method: 'POST',
    body: JSON.stringify({ path, run: options.run ?? false, timeout: options.timeout ?? 300 })
  });
  return reply.job;
}

/** Start a scan in the background (POST scan): its result is the proposal reply. */
export async function startScan(
  path: string,
  options: { kernel?: string; pin?: PinPolicy; overrides?: { [module: string]: string } } = {}
): Promise<IJob<IProposalReply>> {
  const reply = await requestAPI<{ job: IJob<IProposalReply> }>('scan', {
    method: 'POST',
    body: JSON.stringify({ path, ...options })
  });
  return reply.job;
}

/** A job's state, progress and result (GET jobs/<id>). */
export function getJob<T>(id: string): Promise<IJob<T>> {
  return requestAPI<IJob<T>>(`jobs/${encodeURIComponent(id)}`);
}

/** Cancel a job (DELETE jobs/<id>); answers once it stopped, or with cancelling set. */
export function cancelJob<T>(id: string): Promise<IJob<T>> {
  return requestAPI<IJob<T>>(`jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
