import type { FastifyRequest } from 'fastify';
import type { MerklePort } from '../store/port.js';
import { assertOrganizationReader, type Principal } from './permissions.js';
import { invalidParameter, Problem } from './problem.js';
import { organizationFor } from './route-helpers.js';

/**
 * What every read of an organization's Merkle tree checks: the caller reads the whole
 * organization, and the sizes asked for are trees that exist.
 */

/** Where the tree's routes live: beside the organization's audit log. */
export const TREE_PATH = '/api/v1/organizations/:org/audit-logs';

/** The caller, if an owner or organization-wide admin of the organization in the path. */
export function treeReader(request: FastifyRequest): Principal {
  const principal = organizationFor(request, (request.params as { org: string }).org);
  assertOrganizationReader(principal, "reading the organization's Merkle tree");
  return principal;
}

/** `size`, if the organization's tree has that many leaves; else a 400 naming `param`. */
export async function sealedSize(
  merkle: MerklePort,
  orgId: number,
  size: number,
  param: string,
): Promise<number> {
  const sealed = await merkle.size(orgId);
  if (size > sealed) throw invalidParameter(param, `the tree has ${sealed} leaves, not ${size}`);
  return size;
}

/**
 * The list filter `tree_size=N`: the highest sequence number among the first N leaves (0 when
 * N is 0), so the list holds exactly the events the checkpoint of that size covers.
 */
export async function treeSizeSeq(principal: Principal, merkle: MerklePort, size: number): Promise<number> {
  assertOrganizationReader(principal, 'the tree_size filter');
  const orgId = principal.organization.id;
  if ((await sealedSize(merkle, orgId, size, 'tree_size')) === 0) return 0;
  const seq = await merkle.seqAt(orgId, size - 1);
  if (seq === undefined) throw new Error(`the tree of organization ${orgId} has no leaf ${size - 1}`);
  return seq;
}

export function noCheckpoint(detail: string): Problem {
  return new Problem(404, 'no-checkpoint', 'No checkpoint', detail);
}
