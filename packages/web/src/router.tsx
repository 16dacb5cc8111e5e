/**
 * The portal's routes. Filters, paging, sorting and the open tab are search parameters, validated
 * here, so every view is a URL. Pages read their parameters through `getRouteApi(path)`.
 */
import { createRootRoute, createRoute, createRouter, Outlet } from '@tanstack/react-router';
import { DashboardPage } from './features/dashboard/dashboard-page.js';
import { AppLayout } from './features/shell/app-layout.js';
import { NotFoundPage } from './features/shell/not-found-page.js';
import { SignInPage } from './features/sign-in/sign-in-page.js';
import { requireSession } from './routes/auth-guard.js';
import { optionalString } from './routes/search.js';

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({
    redirect: optionalString(search.redirect),
  }),
  component: SignInPage,
});

/** Every route below needs a session. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: ({ location }) => requireSession(location),
  component: AppLayout,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  component: DashboardPage,
});

const routeTree = rootRoute.addChildren([signInRoute, appRoute.addChildren([dashboardRoute])]);

export const router = createRouter({
  routeTree,
  defaultPreload: false,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
