/** How many leading bytes a sniffer needs (file-type reads at most 4100). */
export const SNIFF_BYTES = 4100;

/** The MIME type the leading bytes of a file show, whatever its name or declared type says; null when unknown. */
export interface ContentSniffer {
  sniff(head: Buffer): Promise<string | null>;
}
