import { Button } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { EmptyState } from '../../components/empty-state.js';

export function NotFoundPage(): ReactNode {
  return (
    <EmptyState
      title="This page does not exist"
      action={
        <Button component={Link} to="/" variant="light">
          Go to the dashboard
        </Button>
      }
    >
      The address may be mistyped, or the object it pointed to was deleted.
    </EmptyState>
  );
}
