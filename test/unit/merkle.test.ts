import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, leafHash, nodeHash, nodeHashBinary } from '../../src/domain/merkle/hashes.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { verifyConsistency, verifyInclusion } from '../../src/domain/merkle/verify.js';

const VECTORS = join(import.meta.dirname, '../fixtures/merkle-vectors');

/** The RFC 6962 test leaves and the roots of their first 0…8 (transparency-dev/merkle testonly). */
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const tree = inMemorySubtrees(LEAVES.map(leafHash));

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function cases<T>(kind: string): { file: string; vector: T }[] {
  const dir = join(VECTORS, kind);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, vector: JSON.parse(readFileSync(join(dir, file), 'utf8')) as T }));
}
const b64 = (text: string) => Buffer.from(text, 'base64');

describe('the Merkle tree of RFC 9162', () => {
  it('has the published roots for the test leaves at every size from 0 to 8', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    expect(ROOTS.map((_, size) => rootAt(size, tree).toString('hex'))).toEqual(ROOTS);
  });

  const inclusion = cases<InclusionCase>('inclusion');
  it(`checks each of the ${inclusion.length} published inclusion vectors as they say (valid passes, every mutation fails)`, () => {
    expect(inclusion.length).toBeGreaterThan(80);
    const wrong = inclusion.filter(({ vector }) => {
      const valid = verifyInclusion(
        vector.leafIdx,
        vector.treeSize,
        b64(vector.leafHash),
        (vector.proof ?? []).map(b64),
        b64(vector.root),
      );
      return valid === vector.wantErr;
    });
    expect(wrong.map(({ file, vector }) => `${file}: ${vector.desc}`)).toEqual([]);
  });

  const consistency = cases<ConsistencyCase>('consistency');
  it(`checks each of the ${consistency.length} published consistency vectors as they say`, () => {
    expect(consistency.length).toBeGreaterThan(80);
    const wrong = consistency.filter(({ vector }) => {
      const valid = verifyConsistency(
        vector.size1,
        vector.size2,
        b64(vector.root1),
        b64(vector.root2),
        (vector.proof ?? []).map(b64),
      );
      return valid === vector.wantErr;
    });
    expect(wrong.map(({ file, vector }) => `${file}: ${vector.desc}`)).toEqual([]);
  });

  it('makes the published valid proofs over the test leaves, byte for byte', () => {
    const happy = [
      ...inclusion.filter(
        ({ vector }) => !vector.wantErr && vector.treeSize <= 8 && vector.root === rootB64(vector.treeSize),
      ),
    ];
    expect(happy.length).toBeGreaterThan(3);
    for (const { vector } of happy) {
      expect(
        inclusionProof(vector.leafIdx, vector.treeSize, tree).map((hash) => hash.toString('base64')),
      ).toEqual(vector.proof ?? []);
    }
    const consistent = consistency.filter(
      ({ vector }) => !vector.wantErr && vector.size2 <= 8 && vector.root2 === rootB64(vector.size2),
    );
    expect(consistent.length).toBeGreaterThan(3);
    for (const { vector } of consistent) {
      expect(
        consistencyProof(vector.size1, vector.size2, tree).map((hash) => hash.toString('base64')),
      ).toEqual(vector.proof ?? []);
    }
  });

  it('every proof it makes checks out, and fails for another leaf, size or root (trees up to 300 leaves)', () => {
    const leaves = Array.from({ length: 301 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
    const big = inMemorySubtrees(leaves);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, a, b) => {
        const index = a % size;
        const root = rootAt(size, big);
        const path = inclusionProof(index, size, big);
        expect(verifyInclusion(index, size, leaves[index] as Buffer, path, root)).toBe(true);
        expect(verifyInclusion(index, size, leaves[(index + 1) % 300] as Buffer, path, root)).toBe(false);
        expect(verifyInclusion(index, size + 1, leaves[index] as Buffer, path, rootAt(size + 1, big))).toBe(
          false,
        );
        const first = 1 + (b % size);
        const proof = consistencyProof(first, size, big);
        expect(verifyConsistency(first, size, rootAt(first, big), root, proof)).toBe(true);
        if (first < size) {
          const other = Buffer.from(rootAt(first, big));
          other[0] = (other[0] as number) ^ 1;
          expect(verifyConsistency(first, size, other, root, proof)).toBe(false);
        }
      }),
      { numRuns: 400, seed: 0x9162 },
    );
  });

  it('refuses to make a proof for a leaf outside the tree or a prefix longer than the tree', () => {
    expect(() => inclusionProof(8, 8, tree)).toThrow(RangeError);
    expect(() => consistencyProof(5, 4, tree)).toThrow(RangeError);
  });
});

function rootB64(size: number): string {
  return Buffer.from(ROOTS[size] as string, 'hex').toString('base64');
}

describe('the one-shot tree hashes', () => {
  const textbook = (prefix: number, ...parts: Uint8Array[]) =>
    createHash('sha256')
      .update(Buffer.from([prefix]))
      .update(Buffer.concat(parts))
      .digest();

  it('hash a node as SHA-256(0x01 || left || right), each call its own buffer, any length of input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 70 }),
        fc.uint8Array({ minLength: 0, maxLength: 70 }),
        (left, right) => {
          expect(nodeHash(left, right).equals(textbook(0x01, left, right))).toBe(true);
        },
      ),
    );
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    const first = nodeHash(a, b);
    const second = nodeHash(b, a);
    expect(first.equals(textbook(0x01, a, b))).toBe(true);
    expect(second.equals(textbook(0x01, b, a))).toBe(true);
  });

  it("hash a node given as 'binary' text as nodeHash hashes its bytes, 32-byte hashes and any other length", () => {
    const hashBytes = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 0, maxLength: 70 }),
    );
    fc.assert(
      fc.property(hashBytes, hashBytes, (left, right) => {
        const [a, b] = [Buffer.from(left), Buffer.from(right)];
        const binary = nodeHashBinary(a.toString('binary'), b.toString('binary'));
        expect(Buffer.from(binary, 'binary').equals(textbook(0x01, a, b))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('hash a leaf as SHA-256(0x00 || bytes), empty and long leaves too', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.alloc(100_000, 7), Buffer.from('{"v":1}')])
      expect(leafHash(bytes).equals(textbook(0x00, bytes))).toBe(true);
  });
});
