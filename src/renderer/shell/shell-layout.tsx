// The window of an enrolled Mac: the sidebar and the page beside it.
import { Outlet } from 'react-router';
import { Sidebar } from './sidebar';

export function ShellLayout() {
  return (
    <div className="shell">
      <Sidebar />
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
