/**
 * The portal's routes. Filters, paging, sorting and the open tab are search parameters, validated
 * here, so every view is a URL. Pages read their parameters through `getRouteApi(path)`.
 */
import { createRootRoute, createRoute, createRouter, Outlet } from '@tanstack/react-router';
import {
  MANAGED_BY_LIST,
  PLATFORM_LIST,
  POLICY_PLATFORM_LIST,
  PROFILE_LIST,
  REPORT_STATUS_LIST,
} from './domain/labels.js';
import { AssetRulesPage } from './features/asset-rules/asset-rules-page.js';
import { AuditPage, type AuditSearch } from './features/audit/audit-page.js';
import { DashboardPage } from './features/dashboard/dashboard-page.js';
import { DEVICE_TABS, DevicePage, type DeviceTab } from './features/devices/device-page.js';
import { DevicesPage } from './features/devices/devices-page.js';
import { DEVICE_SORT_KEYS, type DevicesSearch } from './features/devices/devices-search.js';
import { GroupPage } from './features/groups/group-page.js';
import { GroupsPage, type GroupsSearch } from './features/groups/groups-page.js';
import { NewGroupPage } from './features/groups/new-group-page.js';
import { NewPolicyPage, type NewPolicySearch } from './features/policies/new-policy-page.js';
import { PoliciesPage, type PoliciesSearch } from './features/policies/policies-page.js';
import { POLICY_TABS, type PolicyTab } from './features/policies/policy-editor.js';
import { PolicyPage } from './features/policies/policy-page.js';
import { SettingsPage } from './features/settings/settings-page.js';
import { AppLayout } from './features/shell/app-layout.js';
import { NotFoundPage } from './features/shell/not-found-page.js';
import { SignInPage } from './features/sign-in/sign-in-page.js';
import { UsersPage } from './features/users/users-page.js';
import { requirePermission, requireSession } from './routes/auth-guard.js';
import { optionalOneOf, optionalPositiveInt, optionalString } from './routes/search.js';

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

const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/settings',
  validateSearch: (search: Record<string, unknown>): { tab?: 'onboarding' } => ({
    tab: search.tab === 'onboarding' ? 'onboarding' : undefined,
  }),
  component: SettingsPage,
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
  component: AuditPage,
});

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/users',
  beforeLoad: () => requirePermission('manage-users'),
  component: UsersPage,
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
  component: DevicesPage,
});

const deviceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/devices/$deviceId',
  validateSearch: (search: Record<string, unknown>): { tab?: DeviceTab } => ({
    tab: optionalOneOf(search.tab, DEVICE_TABS),
  }),
  component: DevicePage,
});

const policiesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/policies',
  validateSearch: (search: Record<string, unknown>): PoliciesSearch => ({
    platform: optionalOneOf(search.platform, POLICY_PLATFORM_LIST),
    profile: optionalOneOf(search.profile, PROFILE_LIST),
    search: optionalString(search.search),
  }),
  component: PoliciesPage,
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
  component: NewPolicyPage,
});

const policyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/policies/$policyId',
  validateSearch: (search: Record<string, unknown>): { tab?: PolicyTab } => ({
    tab: optionalOneOf(search.tab, POLICY_TABS),
  }),
  component: PolicyPage,
});

const groupsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups',
  validateSearch: (search: Record<string, unknown>): GroupsSearch => ({
    kind: optionalOneOf(search.kind, ['assigned', 'dynamic'] as const),
    search: optionalString(search.search),
    page: optionalPositiveInt(search.page),
  }),
  component: GroupsPage,
});

const newGroupRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups/new',
  beforeLoad: () => requirePermission('edit-groups'),
  component: NewGroupPage,
});

const groupRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/groups/$groupId',
  component: GroupPage,
});

const assetRulesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/asset-rules',
  component: AssetRulesPage,
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
