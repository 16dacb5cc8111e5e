/**
 * Tables of the portal: TanStack Table for columns and sorting state, Mantine for the look.
 * Server-side mode (the default for fleet-sized lists) sorts and pages on the server: the table
 * only renders the page it was given and reports sort/page changes to the caller, who keeps them
 * in the URL.
 */
import {
  Group,
  LoadingOverlay,
  Pagination,
  Paper,
  ScrollArea,
  Select,
  Table,
  Text,
} from '@mantine/core';
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { type ReactNode, useState } from 'react';

export interface TableSort {
  readonly id: string;
  readonly desc: boolean;
}

export interface ServerPaging {
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly onPageChange: (page: number) => void;
  readonly onPageSizeChange?: (pageSize: number) => void;
}

export interface DataTableProps<T> {
  readonly columns: ColumnDef<T, unknown>[];
  readonly data: readonly T[];
  readonly rowKey: (row: T) => string;
  /** Server-side sorting: the current sort and where to send changes. Omit to sort in the browser. */
  readonly sort?: TableSort | null;
  readonly onSortChange?: (sort: TableSort | null) => void;
  readonly paging?: ServerPaging;
  readonly loading?: boolean;
  readonly empty?: ReactNode;
  readonly testId?: string;
}

function SortMark({ direction }: { direction: false | 'asc' | 'desc' }): ReactNode {
  if (direction === 'asc') return <span aria-hidden>▲</span>;
  if (direction === 'desc') return <span aria-hidden>▼</span>;
  return (
    <span aria-hidden style={{ opacity: 0.25 }}>
      ↕
    </span>
  );
}

export function DataTable<T>(props: DataTableProps<T>): ReactNode {
  const serverSorting = props.onSortChange !== undefined;
  const [localSorting, setLocalSorting] = useState<SortingState>([]);
  const sorting: SortingState = serverSorting
    ? props.sort
      ? [{ id: props.sort.id, desc: props.sort.desc }]
      : []
    : localSorting;

  const table = useReactTable<T>({
    columns: props.columns,
    data: props.data as T[],
    getRowId: props.rowKey,
    state: { sorting },
    manualSorting: serverSorting,
    enableSortingRemoval: true,
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      if (serverSorting) {
        const first = next[0];
        props.onSortChange?.(first ? { id: first.id, desc: first.desc } : null);
      } else {
        setLocalSorting(next);
      }
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: serverSorting ? undefined : getSortedRowModel(),
  });

  const rows = table.getRowModel().rows;
  const paging = props.paging;
  const pages = paging ? Math.max(1, Math.ceil(paging.total / paging.pageSize)) : 1;

  return (
    <Paper withBorder bg="white" pos="relative" data-testid={props.testId}>
      <LoadingOverlay visible={props.loading === true} overlayProps={{ blur: 0, opacity: 0.4 }} />
      <ScrollArea type="auto">
        <Table striped highlightOnHover stickyHeader>
          <Table.Thead>
            {table.getHeaderGroups().map((headerGroup) => (
              <Table.Tr key={headerGroup.id}>
                {headerGroup.headers.map((header) => {
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  const sortable = header.column.getCanSort();
                  const direction = header.column.getIsSorted();
                  return (
                    <Table.Th
                      key={header.id}
                      aria-sort={
                        direction === 'asc'
                          ? 'ascending'
                          : direction === 'desc'
                            ? 'descending'
                            : undefined
                      }
                      style={{ whiteSpace: 'nowrap' }}
                    >
                      {sortable ? (
                        <button
                          type="button"
                          className="palisade-sort-button"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          {label}
                          <SortMark direction={direction} />
                        </button>
                      ) : (
                        label
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.id} data-row-id={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <Table.Td key={cell.id}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {rows.length === 0 && !props.loading && (
        <Text ta="center" c="dimmed" size="sm" p="lg">
          {props.empty ?? 'Nothing to show.'}
        </Text>
      )}
      {paging && (
        <Group
          justify="space-between"
          px="sm"
          py={6}
          style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}
        >
          <Text size="xs" c="dimmed" data-testid="table-total">
            {paging.total === 0
              ? 'No results'
              : `${(paging.page - 1) * paging.pageSize + 1}–${Math.min(paging.page * paging.pageSize, paging.total)} of ${paging.total.toLocaleString()}`}
          </Text>
          <Group gap="xs">
            {paging.onPageSizeChange && (
              <Select
                aria-label="Rows per page"
                w={90}
                data={['25', '50', '100', '200']}
                value={String(paging.pageSize)}
                allowDeselect={false}
                onChange={(value) => value && paging.onPageSizeChange?.(Number(value))}
              />
            )}
            <Pagination
              size="sm"
              total={pages}
              value={Math.min(paging.page, pages)}
              onChange={paging.onPageChange}
              withEdges
            />
          </Group>
        </Group>
      )}
    </Paper>
  );
}
