//! Socket addresses accepted by the mesh API.

use std::net::SocketAddr;

use crate::error::{Result, SdkError};

/// Anything that names one UDP address: `"127.0.0.1:9000"`, a `String`,
/// a [`SocketAddr`]. Text must be a literal `ip:port` (no DNS lookup on
/// the caller's thread).
pub trait ToMeshAddr {
    /// The address, or `InvalidArgument`.
    fn to_mesh_addr(&self) -> Result<SocketAddr>;
}

impl ToMeshAddr for SocketAddr {
    fn to_mesh_addr(&self) -> Result<SocketAddr> {
        Ok(*self)
    }
}

impl ToMeshAddr for str {
    fn to_mesh_addr(&self) -> Result<SocketAddr> {
        self.parse().map_err(|_| SdkError::InvalidArgument(format!("{self:?} is not an ip:port address")))
    }
}

impl ToMeshAddr for &str {
    fn to_mesh_addr(&self) -> Result<SocketAddr> {
        (**self).to_mesh_addr()
    }
}

impl ToMeshAddr for String {
    fn to_mesh_addr(&self) -> Result<SocketAddr> {
        self.as_str().to_mesh_addr()
    }
}
