import type { ReactNode } from 'react';
import { PageHeader } from '../../components/page-header.js';

export function DashboardPage(): ReactNode {
  return <PageHeader title="Dashboard" />;
}
