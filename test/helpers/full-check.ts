import { checkAllLeaves, type FullCheckResult, type LeafSource } from '../../src/verify/full-check.js';
import type { Fixture } from './server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';

export interface CheckedTree {
  tree: { sealed_size: number; checkpoint: { size: number; root: string } };
  result: FullCheckResult;
}

/**
 * The core of `audit verify --full` over the latest checkpoint, reading `/tree` and `/tree/leaves`
 * through the fixture as the organization's admin (an erased owner's token may be gone).
 */
export async function checkAllLeavesAsAdmin(f: Fixture): Promise<CheckedTree> {
  const read = (url: string) => f.request({ method: 'GET', url, token: f.tokens.admin });
  const tree = (await read(`${BASE}/tree`)).json().data as CheckedTree['tree'];
  const source: LeafSource = {
    pageSize: 1000,
    page: async (start, end) => {
      const answer = (await read(`${BASE}/tree/leaves?start=${start}&end=${end}`)).json();
      return { length: answer.data.length, row: (i: number) => answer.data[i], unsealed: answer.unsealed };
    },
  };
  const result = await checkAllLeaves(
    source,
    tree.checkpoint.size,
    Buffer.from(tree.checkpoint.root, 'base64'),
  );
  return { tree, result };
}
