/**
 * The portal's routes. Filters, paging, sorting and the open tab are search parameters, validated
 * here, so every view is a URL. Pages read their parameters through `getRouteApi(path)`.
 */
import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { readSession } from './api/session.js';
import {
  MANAGED_BY_LIST,
  PLATFORM_LIST,
  POLICY_PLATFORM_LIST,
  PROFILE_LIST,
  REPORT_STATUS_LIST,
} from './domain/labels.js';
import type { AuditSearch } from './features/audit/audit-page.js';
import {
  DEVICE_SORT_KEYS,
  DEVICE_TABS,
  type DevicesSearch,
  type DeviceTab,
} from './features/devices/devices-search.js';
import type { GroupsSearch } from './features/groups/groups-page.js';
import {
  type NewPolicySearch,
  POLICY_TABS,
  type PoliciesSearch,
  type PolicyTab,
} from './features/policies/policy-search.js';
import { AppLayout } from './features/shell/app-layout.js';
import { NotFoundPage } from './features/shell/not-found-page.js';
import { SignInPage } from './features/sign-in/sign-in-page.js';
import { requirePermission, requireSession } from './routes/auth-guard.js';
import { optionalOneOf, optionalPositiveInt, optionalString } from './routes/search.js';

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  // Signed in already: nothing to do here.
  beforeLoad: () => {
    if (readSession()) throw redirect({ to: '/' });
  },
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
  // Each page is its own chunk, loaded when first visited.
  component: lazyRouteComponent(
    () => import('./features/dashboard/dashboard-page.js'),
    'DashboardPage',
  ),
});

const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/settings',
  validateSearch: (search: Record<string, unknown>): { tab?: 'onboarding' } => ({
    tab: search.tab === 'onboarding' ? 'onboarding' : undefined,
  }),
  component: lazyRouteComponent(
    () => import('./features/settings/settings-page.js'),
    'SettingsPage',
  ),
});

const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/audit',
  validateSearch: (search: Record<string, unknown>): AuditSearch => ({
    actor: optionalString(search.actor),
    action: optionalString(search.action),
    objectType: optionalString(search.objectType),
    objectId: optionalString(search.objectId),
    since: optionalString(search.since),
    until: optionalString(search.until),
    page: optionalPositiveInt(search.page),
    pageSize: optionalPositiveInt(search.pageSize, 200),
  }),
  component: lazyRouteComponent(() => import('./features/audit/audit-page.js'), 'AuditPage'),
});

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/users',
  beforeLoad: () => requirePermission('manage-users'),
  component: lazyRouteComponent(() => import('./features/users/users-page.js'), 'UsersPage'),
});

const devicesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/devices',
  validateSearch: (search: Record<string, unknown>): DevicesSearch => ({
    search: optionalString(search.search),
    platform: optionalOneOf(search.platform, PLATFORM_LIST),
    enrollmentStatus: optionalString(search.enrollmentStatus),
    managedBy: optionalOneOf(search.managedBy, MANAGED_BY_LIST),
    reportStatus: optionalOneOf(search.reportStatus, REPORT_STATUS_LIST),
    tag: optionalString(search.tag),
    group: optionalString(search.group),
    notSeenForMinutes: optionalPositiveInt(search.notSeenForMinutes),
    sort: optionalOneOf(search.sort, DEVICE_SORT_KEYS),
    order: optionalOneOf(search.order, ['asc', 'desc'] as const),
    page: optionalPositiveInt(search.page),
    pageSize: optionalPositiveInt(search.pageSize, 500),
  }),
  component: lazyRouteComponent(() => import('./features/devices/devices-page.js'), 'DevicesPage'),
});

const deviceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/devices/$deviceId',
  validateSearch: (search: Record<string, unknown>): { tab?: DeviceTab } => ({
    tab: optionalOneOf(search.tab, DEVICE_TABS),
  }),
  component: lazyRouteComponent(() => import('./features/devices/device-page.js'), 'DevicePage'),
});

const policiesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/policies',
  validateSearch: (search: Record<string, unknown>): PoliciesSearch => ({
    platform: optionalOneOf(search.platform, POLICY_PLATFORM_LIST),
    profile: optionalOneOf(search.profile, PROFILE_LIST),
    search: optionalString(search.search),
  }),
  component: lazyRouteComponent(
    () => import('./features/policies/policies-page.js'),
    'PoliciesPage',
  ),
});

const newPolicyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/policies/new',
  beforeLoad: () => requirePermission('edit-policies'),
  validateSearch: (search: Record<string, unknown>): NewPolicySearch => ({
    platform: optionalOneOf(search.platform, POLICY_PLATFORM_LIST),
    profile: optionalOneOf(search.profile, PROFILE_LIST),
    tab: optionalOneOf(search.tab, POLICY_TABS),
  }),
  component: lazyRouteComponent(
    () => import('./features/policies/new-policy-page.js'),
    'NewPolicyPage',
  ),
});

const policyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/policies/$policyId',
  validateSearch: (search: Record<string, unknown>): { tab?: PolicyTab } => ({
    tab: optionalOneOf(search.tab, POLICY_TABS),
  }),
  component: lazyRouteComponent(() => import('./features/policies/policy-page.js'), 'PolicyPage'),
});

const groupsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups',
  validateSearch: (search: Record<string, unknown>): GroupsSearch => ({
    kind: optionalOneOf(search.kind, ['assigned', 'dynamic'] as const),
    search: optionalString(search.search),
    page: optionalPositiveInt(search.page),
  }),
  component: lazyRouteComponent(() => import('./features/groups/groups-page.js'), 'GroupsPage'),
});

const newGroupRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups/new',
  beforeLoad: () => requirePermission('edit-groups'),
  validateSearch: (search: Record<string, unknown>): { rule?: string } => ({
    rule: optionalString(search.rule),
  }),
  component: lazyRouteComponent(
    () => import('./features/groups/new-group-page.js'),
    'NewGroupPage',
  ),
});

const groupRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups/$groupId',
  component: lazyRouteComponent(() => import('./features/groups/group-page.js'), 'GroupPage'),
});

const assetRulesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/asset-rules',
  component: lazyRouteComponent(
    () => import('./features/asset-rules/asset-rules-page.js'),
    'AssetRulesPage',
  ),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    dashboardRoute,
    devicesRoute,
    deviceRoute,
    policiesRoute,
    newPolicyRoute,
    policyRoute,
    groupsRoute,
    newGroupRoute,
    groupRoute,
    assetRulesRoute,
    settingsRoute,
    auditRoute,
    usersRoute,
  ]),
]);

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
