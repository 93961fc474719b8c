/**
 * The ArchiveWriter of the notice archives, with fflate (already the layer's ZIP reader for bulk
 * uploads). Entries are STORED, not deflated: the notices' content streams are compressed inside
 * the PDF already, so deflating again costs CPU for a few per cent. Classic ZIP (no ZIP64): an
 * archive part holds at most 5,000 entries and well under 4 GB (shared/domain/notice/batch.ts).
 */
import { zipSync, type Zippable } from 'fflate';
import type { ArchiveWriter } from '../use-cases/notices/ports';

/** the entries' modification time: fixed, so the same notices always make the same bytes */
const ENTRY_TIME = new Date('2020-01-01T00:00:00Z');

export const zipArchive: ArchiveWriter = (entries) => {
  const files: Zippable = {};
  for (const { name, bytes } of entries) {
    if (name in files) throw new Error(`two archive entries named ${name}`);
    files[name] = [bytes, { level: 0, mtime: ENTRY_TIME }];
  }
  return zipSync(files);
};
