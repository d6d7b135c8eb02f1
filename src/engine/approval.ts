/** Answers that count as "yes" at a confirmation step (anything else denies). */
export function isApproval(answer: string): boolean {
  return ['yes', 'confirm', 'confirmed', 'approve', 'approved', 'true', 'y', '1', 'ok'].includes(
    answer.trim().toLowerCase(),
  );
}
