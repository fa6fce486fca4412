// ESM entry of @net-mesh/core: the same native module as index.js (the
// CommonJS loader), with named exports.
import native from './index.js';

export const {
  NetNode,
  Subscription,
  Identity,
  Token,
  MeshNode,
  MeshStream,
  RedisStreamDedup,
  channelHash,
  channelWireHash,
  channelWrap,
  channelOpen,
  verifySignature,
  lastReceipt,
  receiptScratch,
  liveSubscriptions,
  Redex,
  RedexFile,
  RedexTail,
  NetDb,
  Tasks,
  Memories,
  TasksWatch,
  MemoriesWatch,
  prometheusText,
} = native;
export default native;
