/** The authenticated shell: sidebar navigation, the page, and the WebSocket connection. */
import { useEffect } from 'react';
import { Outlet } from 'react-router';
import { socket } from '../ws/socket';
import { Sidebar } from './sidebar';

export function AppLayout() {
  useEffect(() => {
    socket.connect();
  }, []);
  return (
    <div className="flex h-full min-w-[1024px]">
      <Sidebar />
      <main className="flex min-w-0 flex-1 flex-col overflow-auto">
        <Outlet />
      </main>
    </div>
  );
}
