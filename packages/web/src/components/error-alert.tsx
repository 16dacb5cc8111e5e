import { Alert, Code, List } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client.js';

/** The server's message, with its field errors, and the stable error code for support. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }): ReactNode {
  if (!error) return null;
  return (
    <Alert
      color="red"
      variant="light"
      title={title ?? 'Something went wrong'}
      data-testid="error-alert"
    >
      {errorMessage(error)}
      {error instanceof ApiError && error.fields.length > 0 && (
        <List size="sm" mt={4}>
          {error.fields.map((field) => (
            <List.Item key={`${field.path}:${field.message}`}>
              <Code>{field.path.replace(/^body\./, '')}</Code> {field.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
