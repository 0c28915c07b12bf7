import { DownloadSignature, type SignedDownload } from '../../../src/application/storage/delivery/download-signature';

describe('DownloadSignature', () => {
  const signer = new DownloadSignature('a-secret-of-sufficient-length-0123456789');
  const download: SignedDownload = { fileId: 'f1', expires: 1_700_000_000, disposition: 'attachment', filename: 'a.pdf' };
  const before = new Date(1_699_999_000_000);

  it('accepts its own signature before expiry', () => {
    expect(() => signer.verify(download, signer.sign(download), before)).not.toThrow();
  });

  it.each<[string, Partial<SignedDownload>]>([
    ['file', { fileId: 'f2' }],
    ['expiry', { expires: 1_800_000_000 }],
    ['disposition', { disposition: 'inline' }],
    ['filename', { filename: 'b.pdf' }],
  ])('rejects a changed %s', (_what, change) => {
    const signature = signer.sign(download);
    expect(() => signer.verify({ ...download, ...change }, signature, before)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
  });

  it('rejects another secret, garbage and an expired URL', () => {
    const other = new DownloadSignature('another-secret-of-sufficient-length-000');
    expect(() => signer.verify(download, other.sign(download), before)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    expect(() => signer.verify(download, 'x', before)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    expect(() => signer.verify(download, signer.sign(download), new Date(1_700_000_001_000))).toThrow(
      expect.objectContaining({ details: { reason: 'expired' } }),
    );
  });
});
