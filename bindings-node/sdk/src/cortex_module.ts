// @net-mesh/sdk/cortex: the seed's module path for RedEX and CortEX/NetDb:
// the files, the adapters, NetDb, their types and the errors they throw.
// The same classes as the package's top level (one definition each).

export * from './cortex';
export { NetError, RedexError, CortexError, NetDbError } from './errors';
