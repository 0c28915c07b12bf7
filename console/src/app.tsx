import { useEffect, useState } from 'preact/hooks';
import { onSessionChange, session, signOut } from './api';
import { navigate, usePage } from './router';
import { SignIn } from './pages/sign-in';
import { Overview } from './pages/overview';
import { Files } from './pages/files';
import { Audit } from './pages/audit';
import { Transformations } from './pages/transformations';
import { Backups } from './pages/backups';
import { Database } from './pages/database';
import { Cdn } from './pages/cdn';

interface PageDef {
  id: string;
  title: string;
  admin: boolean;
  view: () => preact.JSX.Element;
}

const PAGES: PageDef[] = [
  { id: 'overview', title: 'Overview', admin: true, view: () => <Overview /> },
  { id: 'database', title: 'Database', admin: true, view: () => <Database /> },
  { id: 'files', title: 'Files', admin: false, view: () => <Files /> },
  { id: 'transformations', title: 'Transformations', admin: false, view: () => <Transformations /> },
  { id: 'cdn', title: 'CDN', admin: false, view: () => <Cdn /> },
  { id: 'backups', title: 'Backups', admin: true, view: () => <Backups /> },
  // Everyone: an admin sees the whole trail and its verification, a user their own activity.
  { id: 'audit', title: 'Audit', admin: false, view: () => <Audit /> },
];

export function App() {
  const [, rerender] = useState(0);
  useEffect(() => onSessionChange(() => rerender((n) => n + 1)), []);
  const page = usePage();
  const s = session();
  if (!s) return <SignIn />;
  const isAdmin = s.role === 'admin';
  const visible = PAGES.filter((p) => isAdmin || !p.admin);
  const wanted = PAGES.find((p) => p.id === page);
  const fallback = visible[0]!;
  let content: preact.JSX.Element;
  if (!wanted) content = fallback.view();
  else if (wanted.admin && !isAdmin)
    content = (
      <section class="page" aria-labelledby="denied-title">
        <h1 id="denied-title">Not available</h1>
        <p class="notice">The {wanted.title} page is for administrators. You are signed in as <strong>{s.role}</strong>.</p>
        <button type="button" onClick={() => navigate(fallback.id)}>Go to {fallback.title}</button>
      </section>
    );
  else content = wanted.view();
  const active = wanted && (!wanted.admin || isAdmin) ? wanted.id : wanted ? '' : fallback.id;
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Visiobook console</span>
        <nav aria-label="Pages">
          {visible.map((p) => (
            <a
              href={`/console/${p.id}`}
              aria-current={active === p.id ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(p.id);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span class="who">
          <span class="role" data-role={s.role}>{s.role}</span> <span class="email">{s.email ?? s.userId}</span>
          <button type="button" class="small" onClick={() => signOut()}>Sign out</button>
        </span>
      </header>
      <main>{content}</main>
    </div>
  );
}
