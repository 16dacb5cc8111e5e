export {
  decideEnrollment,
  defaultTenantSettings,
  type EnrollmentContext,
  identityActionOf,
} from './decide.js';
export {
  describeEnrollmentStatus,
  ENROLLMENT_STATUSES,
  type EnrollmentStatusDefinition,
  type EnrollmentStatusName,
  enrollmentStatusNamed,
} from './statuses.js';
export {
  compareVersions,
  isComparableVersion,
  MIN_AGENT_VERSIONS,
  MIN_LINUX_VERSIONS,
  MIN_OS_VERSIONS,
  MIN_SERVER_CORE_VERSION,
} from './versions.js';
