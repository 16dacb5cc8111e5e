import {
  AppShell,
  Badge,
  Box,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../api/roles.js';
import { clearSession } from '../../api/session.js';
import { usePermissions, useSession } from '../../api/use-session.js';

interface NavItem {
  readonly to: string;
  readonly label: string;
  /** Shown only when true for the signed-in role. */
  readonly visible?: boolean;
}

function NavItems({ items }: { items: readonly NavItem[] }): ReactNode {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  return items
    .filter((item) => item.visible !== false)
    .map((item) => {
      const active = item.to === '/' ? pathname === '/' : pathname.startsWith(item.to);
      return (
        <NavLink
          key={item.to}
          component={Link}
          to={item.to}
          label={item.label}
          active={active}
          variant="light"
          py={6}
        />
      );
    });
}

/** The frame of every page after sign-in: navigation on the left, who is signed in on top. */
export function AppLayout(): ReactNode {
  const session = useSession();
  const { can } = usePermissions();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const signOut = async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // The session may already be gone; signing out locally is what matters.
    }
    clearSession();
    queryClient.clear();
    await navigate({ to: '/sign-in', search: {} });
  };

  const items: NavItem[] = [
    { to: '/', label: 'Dashboard' },
    { to: '/devices', label: 'Devices' },
    { to: '/groups', label: 'Groups' },
    { to: '/policies', label: 'Policies' },
    { to: '/asset-rules', label: 'Asset rules' },
    { to: '/settings', label: 'Settings' },
    { to: '/audit', label: 'Audit log' },
    { to: '/users', label: 'Users and roles', visible: can('manage-users') },
  ];

  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap={8}>
            <Text fw={700} size="sm" c="indigo.8">
              Palisade
            </Text>
            {session && (
              <Text size="sm" c="dimmed" data-testid="tenant-name">
                {session.tenant.name}
              </Text>
            )}
          </Group>
          {session && (
            <Group gap="sm">
              <Text size="sm" data-testid="signed-in-user">
                {session.user.displayName || session.user.username}
              </Text>
              <Tooltip label={ROLE_DESCRIPTIONS[session.user.role]} multiline w={260}>
                <Badge color="gray" data-testid="signed-in-role">
                  {ROLE_LABELS[session.user.role]}
                </Badge>
              </Tooltip>
              <Button variant="subtle" color="gray" onClick={() => void signOut()}>
                Sign out
              </Button>
            </Group>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p={6}>
        <ScrollArea>
          <nav aria-label="Main">
            <NavItems items={items} />
          </nav>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Box maw={1400}>
          <Outlet />
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
