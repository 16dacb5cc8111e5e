import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import './portal.css';
import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { setUnauthorizedHandler } from './api/client.js';
import { queryClient } from './api/query-client.js';
import { router } from './router.js';
import { theme } from './theme.js';

// A 401 means the session expired or was revoked: drop cached data and go back to sign-in,
// remembering where the administrator was.
setUnauthorizedHandler(() => {
  queryClient.clear();
  const here = router.state.location.href;
  if (router.state.location.pathname !== '/sign-in') {
    void router.navigate({ to: '/sign-in', search: { redirect: here } });
  }
});

const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root element');

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <ModalsProvider>
          <Notifications position="bottom-right" />
          <RouterProvider router={router} />
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
