import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { signIn } from '../../api/auth.js';
import { ApiError, errorMessage } from '../../api/client.js';
import { ROLE_LABELS } from '../../api/roles.js';

const route = getRouteApi('/sign-in');

/** Only paths inside the portal are followed after sign-in (never another origin). */
function safeRedirect(target: string | undefined): string {
  return target?.startsWith('/') && !target.startsWith('//') && !target.startsWith('/sign-in')
    ? target
    : '/';
}

export function SignInPage(): ReactNode {
  const { redirect } = route.useSearch();
  const navigate = useNavigate();
  const form = useForm({
    mode: 'controlled',
    initialValues: { username: '', password: '', tenant: '' },
    validate: {
      username: (value) => (value.trim() ? null : 'Enter your user name'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });
  // The tenant is asked for only when the user name exists in several tenants (the server says so).
  const [askTenant, setAskTenant] = useState(false);
  const mutation = useMutation({
    mutationFn: (values: { username: string; password: string; tenant: string }) =>
      signIn({
        username: values.username.trim(),
        password: values.password,
        ...(values.tenant.trim() ? { tenant: values.tenant.trim() } : {}),
      }),
    onSuccess: async (session) => {
      notifications.show({
        message: `Signed in as ${session.user.username} — ${ROLE_LABELS[session.user.role]}`,
      });
      await navigate({ href: safeRedirect(redirect) });
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        const fields = error.fieldMap();
        if (fields.tenant) setAskTenant(true);
        form.setErrors(fields);
      }
    },
  });

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder p="lg" w={360} shadow="xs">
        <form onSubmit={form.onSubmit((values) => mutation.mutate(values))} noValidate>
          <Stack gap="sm">
            <div>
              <Title order={3}>Palisade</Title>
              <Text size="sm" c="dimmed">
                Sign in to the security settings console
              </Text>
            </div>
            {mutation.isError && (
              <Alert color="red" variant="light" data-testid="sign-in-error">
                {errorMessage(mutation.error)}
              </Alert>
            )}
            <TextInput
              label="User name"
              autoComplete="username"
              autoFocus
              {...form.getInputProps('username')}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              {...form.getInputProps('password')}
            />
            {askTenant && (
              <TextInput
                label="Tenant"
                description="Your user name exists in several organisations: name yours (id or name)."
                {...form.getInputProps('tenant')}
              />
            )}
            <Button type="submit" loading={mutation.isPending} size="sm">
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
