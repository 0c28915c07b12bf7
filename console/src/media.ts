import { useEffect, useState } from 'preact/hooks';
import { mediaWorkerActive, request } from './api';

export const streamUrl = (fileId: string) => `/api/v1/storage/stream/${fileId}`;

/**
 * A URL an <img>/<video> can load: the /stream URL itself when the service worker adds the token
 * (Range and seeking work), or else a blob of the whole file fetched with the token.
 */
export function useMediaUrl(fileId: string | null, forceBlob = false): { url: string | null; error: unknown } {
  const [state, setState] = useState<{ url: string | null; error: unknown }>({ url: null, error: null });
  useEffect(() => {
    if (!fileId) return setState({ url: null, error: null });
    if (!forceBlob && mediaWorkerActive()) return setState({ url: streamUrl(fileId), error: null });
    let revoked = false;
    let objectUrl: string | null = null;
    request(streamUrl(fileId))
      .then((res) => res.blob())
      .then((blob) => {
        if (revoked) return;
        objectUrl = URL.createObjectURL(blob);
        setState({ url: objectUrl, error: null });
      })
      .catch((error) => !revoked && setState({ url: null, error }));
    return () => {
      revoked = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [fileId, forceBlob]);
  return state;
}
