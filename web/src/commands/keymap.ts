/** Matches keyboard events against command shortcuts (`Mod` = Ctrl, or Cmd on macOS). */
import type { EditorCommand } from './types';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function matchesShortcut(event: KeyboardEvent, shortcut: string): boolean {
  const parts = shortcut.split('+');
  const key = parts.pop()!.toLowerCase();
  const mod = parts.includes('Mod');
  const shift = parts.includes('Shift');
  const modPressed = isMac ? event.metaKey : event.ctrlKey;
  if (mod !== modPressed || shift !== event.shiftKey || event.altKey) return false;
  const pressed = event.key.toLowerCase();
  if (pressed === key) return true;
  // Shift changes `event.key` for digits (Shift+1 → '!'); compare the physical key then.
  return event.code === `Digit${key}` || event.code === `Key${key.toUpperCase()}`;
}

/** True when typing in a form field, where editor shortcuts must not fire. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function commandForEvent(event: KeyboardEvent, commands: EditorCommand[]): EditorCommand | undefined {
  return commands.find((c) => c.shortcut?.some((s) => matchesShortcut(event, s)));
}

/** A readable shortcut for menus and tooltips. */
export function shortcutLabel(shortcut: string): string {
  return shortcut.replace('Mod', isMac ? '⌘' : 'Ctrl');
}
