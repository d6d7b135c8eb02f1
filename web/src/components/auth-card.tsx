/** The centred card used by the login and setup pages. */
import type { ReactNode } from 'react';
import { ui } from './ui';

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <section className={`${ui.card} w-full max-w-sm space-y-4`} aria-labelledby="auth-title">
        <p className="text-2xl font-bold text-sky-700 dark:text-sky-400">Pipelit</p>
        <h1 id="auth-title" className={ui.h1}>
          {title}
        </h1>
        {children}
      </section>
    </main>
  );
}
