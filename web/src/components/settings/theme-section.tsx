/** Light / dark / system theme, stored in localStorage. */
import { useState } from 'react';
import { getTheme, setTheme, type Theme } from '../../theme';
import { Section } from './section';

const OPTIONS: Theme[] = ['light', 'dark', 'system'];

export function ThemeSection() {
  const [theme, setLocal] = useState<Theme>(getTheme());
  return (
    <Section title="Appearance">
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Theme</legend>
        {OPTIONS.map((option) => (
          <label key={option} className="flex items-center gap-1.5 capitalize">
            <input
              type="radio"
              name="theme"
              value={option}
              checked={theme === option}
              onChange={() => {
                setTheme(option);
                setLocal(option);
              }}
            />
            {option}
          </label>
        ))}
      </fieldset>
    </Section>
  );
}
