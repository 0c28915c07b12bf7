import { useEffect, useState } from 'preact/hooks';

const BASE = '/console';

export function currentPage(): string {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return rest.replace(/^\/+|\/+$/g, '') || '';
}

export function navigate(page: string): void {
  history.pushState(null, '', `${BASE}/${page}`);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePage(): string {
  const [page, setPage] = useState(currentPage());
  useEffect(() => {
    const update = () => setPage(currentPage());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return page;
}
