// @net-mesh/sdk/mesh: the seed's module path for the mesh (its `net`
// module): the mesh node, its types and the errors its calls throw. The
// same classes as the package's top level (one definition each).

export * from './mesh';
export { NetError, BackpressureError, NotConnectedError, HandshakeError, TimeoutError, type HandshakeErrorKind, CapabilityError } from './errors';
