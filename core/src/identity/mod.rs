//! Identities, node ids and permission tokens.
//!
//! - [`Identity`]: an ed25519 keypair from a 32-byte seed; signs and issues tokens.
//! - [`EntityId`]: the public key, and the node id / origin hash derived from it.
//! - [`TokenScope`]: the rights a token grants.
//! - [`PermissionToken`]: a signed grant with a 161-byte wire form.
//! - delegation: [`Identity::delegate`] and [`PermissionToken::verify_chain`].
//! - [`TokenCache`]: verified tokens keyed by subject and channel.

mod batch;
mod cache;
mod delegation;
mod entity;
mod error;
mod keypair;
mod scope;
mod token;

pub(crate) use batch::{verify_strict_many, Signed};
pub use cache::TokenCache;
pub use entity::EntityId;
pub(crate) use entity::verify_strict_with;
pub use error::{IdentityError, TokenError};
pub use keypair::Identity;
pub use scope::TokenScope;
pub use token::{PermissionToken, MESSAGE_SIGNING_TAG, TOKEN_SIGNING_TAG};
