/** Light/dark theme, kept in `localStorage.theme` (`light` | `dark` | `system`). */
export type Theme = 'light' | 'dark' | 'system';

export function getTheme(): Theme {
  const value = localStorage.getItem('theme');
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(theme: Theme = getTheme()): void {
  const dark =
    theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', Boolean(dark));
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  localStorage.setItem('theme', theme);
  applyTheme(theme);
}
