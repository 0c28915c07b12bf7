/**
 * File names as they may appear in an object key: no path separators or traversal, no control or
 * invisible characters, bounded length. What is left is only ever a label; the id makes the key unique.
 */
export function sanitizeFileName(name: string): { base: string; extension: string } {
  const leaf = name.split(/[\\/]/).pop() ?? '';
  const cleaned = leaf
    .normalize('NFC')
    // Control characters (C0, DEL, C1) and bidi/zero-width tricks.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .trim();
  const dot = cleaned.lastIndexOf('.');
  const rawBase = dot > 0 ? cleaned.slice(0, dot) : cleaned;
  const rawExt = dot > 0 ? cleaned.slice(dot + 1) : '';
  const base = rawBase.replace(/\.+/g, '.').replace(/^[.\s]+|[.\s]+$/g, '').replace(/\s+/g, '_').slice(0, 100) || 'file';
  const extension = rawExt.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 10);
  return { base, extension };
}

/**
 * A name as a label (original_name, later Content-Disposition): the last path segment, without control
 * or bidi/zero-width characters; the sanitized key name when nothing else is left.
 */
export function displayFileName(name: string): string {
  const leaf = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').trim();
  if (leaf && leaf !== '.' && leaf !== '..') return leaf.slice(0, 255);
  const { base, extension } = sanitizeFileName(name);
  return `${base}${extension ? `.${extension}` : ''}`;
}

/** 002's layout: users/{user}/projects/{project}/{name}_{id}.{ext} ("none" without a project). */
export function objectKeyFor(userId: string, projectId: string | null, fileId: string, originalName: string, fallbackExtension = ''): string {
  const { base, extension } = sanitizeFileName(originalName);
  const ext = extension || fallbackExtension;
  return `users/${userId}/projects/${projectId ?? 'none'}/${base}_${fileId}${ext ? `.${ext}` : ''}`;
}
