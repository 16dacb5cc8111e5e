import type { ReactNode } from 'react';
import { EmptyState } from '../../components/empty-state.js';
import { ButtonLink } from '../../components/links.js';

export function NotFoundPage(): ReactNode {
  return (
    <EmptyState
      title="This page does not exist"
      action={
        <ButtonLink to="/" variant="light">
          Go to the dashboard
        </ButtonLink>
      }
    >
      The address may be mistyped, or the object it pointed to was deleted.
    </EmptyState>
  );
}
