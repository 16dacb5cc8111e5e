import type { ManagedBy, Platform, ReportStatus } from '@palisade/core';
import type { DeviceListQuery } from '../../api/types.js';

export type DeviceSortKey = NonNullable<DeviceListQuery['sort']>;
export const DEVICE_SORT_KEYS: readonly DeviceSortKey[] = [
  'hostname',
  'lastCheckInAt',
  'platform',
  'enrollmentStatus',
];

/** The device list's URL: every filter, the sort and the page. */
export type DevicesSearch = {
  search?: string;
  platform?: Platform;
  enrollmentStatus?: string;
  managedBy?: ManagedBy;
  reportStatus?: ReportStatus;
  tag?: string;
  group?: string;
  notSeenForMinutes?: number;
  sort?: DeviceSortKey;
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
};

/** The tabs of a device page, kept in the URL (`?tab=policies`). */
export const DEVICE_TABS = ['overview', 'policies', 'properties', 'check-ins'] as const;
export type DeviceTab = (typeof DEVICE_TABS)[number];
