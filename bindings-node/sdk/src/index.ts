// @net-mesh/sdk: the TypeScript SDK of Net over the native @net-mesh/core.

export { NetNode } from './node';
export { Receipt } from './receipt';
export { EventStream } from './stream';
export { TypedChannel } from './channel';
export { prometheusText } from './metrics';
export {
  MeshNode,
  type MeshNodeConfig,
  type OpenStreamOptions,
  type MeshStream,
  type StreamStats,
  type MeshStats,
  type MeshPeer,
  type PeerState,
  type Reliability,
} from './mesh';
export {
  Identity,
  PermissionToken,
  PermissionToken as Token,
  channelHash,
  channelWireHash,
  type Scope,
  type When,
  type IssueTokenOptions,
  type IssueTokenAtOptions,
  type DelegateOptions,
} from './identity';
export {
  NetError,
  BackpressureError,
  NotConnectedError,
  HandshakeError,
  TimeoutError,
  IdentityError,
  TokenError,
  type TokenErrorKind,
  type IdentityErrorKind,
  type HandshakeErrorKind,
  RedexError,
  CortexError,
  NetDbError,
} from './errors';
export {
  Redex,
  RedexFile,
  RedexTailStream,
  NetDb,
  TasksAdapter,
  MemoriesAdapter,
  WatchStream,
  TaskStatus,
  type RedexFileConfig,
  type RedexEvent,
  type RepairReport,
  type Task,
  type Memory,
  type TaskFilter,
  type MemoryFilter,
  type TaskOrder,
  type MemoryOrder,
  type SnapshotAndWatch,
  type NetDbConfig,
} from './cortex';
export type {
  NetEvent,
  NetEvent as Event,
  PollRequest,
  PollResponse,
  SubscribeOptions,
  NetNodeConfig,
  TransportConfig,
  MemoryTransportConfig,
  MeshTransportConfig,
  RedisTransportConfig,
  JetStreamTransportConfig,
  Stats,
} from './types';
export { RedisStreamDedup } from './dedup';
