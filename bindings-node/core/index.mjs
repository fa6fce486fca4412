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
} = native;
export default native;
