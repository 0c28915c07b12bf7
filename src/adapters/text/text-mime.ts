/** MIME types the text extractors read, without parameters. */
export const TEXT_MIME = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain',
  rtf: 'application/rtf',
  rtfText: 'text/rtf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
} as const;

/** `Text/Plain; charset=UTF-8` → `{ type: 'text/plain', charset: 'utf-8' }`. */
export function parseMime(mimeType: string): { type: string; charset?: string } {
  const [type, ...params] = mimeType.split(';').map((part) => part.trim());
  const charset = params
    .map((param) => /^charset\s*=\s*"?([^";]+)"?$/i.exec(param)?.[1])
    .find((value) => value !== undefined);
  return { type: (type ?? '').toLowerCase(), charset: charset?.toLowerCase() };
}

/** The reason of an aborted signal, as fetch and streams reject with it. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
