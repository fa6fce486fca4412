// @net-mesh/sdk/meshos: the seed's module path for the MeshOS daemon SDK:
// MeshOsDaemonSdk, MeshOsDaemonHandle, the MeshOsDaemon shape,
// DaemonHealth, CapabilityAdvert. The same classes as the package's top
// level (one definition each).

export * from './meshos';
export { NetError } from './errors';
