import { z } from 'zod';

/** Field types shared by the parts of config.ts: an empty variable counts as unset. */

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optionalText = z.preprocess(blankIsUnset, z.string().trim().min(1).optional());

export const optionalUrl = z.preprocess(
  blankIsUnset,
  z.string().trim().url('expected an http(s):// URL').refine((v) => /^https?:/.test(v), 'expected an http(s):// URL').optional(),
);
