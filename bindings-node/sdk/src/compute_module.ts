// @net-mesh/sdk/compute: the seed's module path for the compute surface:
// DaemonRuntime, DaemonHandle, MigrationHandle, the daemon shapes and the
// errors. The same classes as the package's top level (one definition each).

export * from './compute';
export { NetError } from './errors';
