/** `get_datetime()` → `YYYY-MM-DD HH:MM:SS TZ` in the tool's configured time zone. */
import { type AgentTool, obj, type ToolFactory } from './types.js';

export function formatDateTime(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

export const datetimeTool: ToolFactory = (b): AgentTool[] => {
  const timeZone = String(b.config.timezone || 'UTC');
  return [
    {
      name: 'get_datetime',
      description: `Get the current date and time (${timeZone}).`,
      parameters: obj({}),
      nodeId: b.toolNode.nodeId,
      async execute() {
        try {
          return formatDateTime(new Date(), timeZone);
        } catch {
          return `Error: unknown time zone '${timeZone}'`;
        }
      },
    },
  ];
};
