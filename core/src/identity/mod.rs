//! Identities, node ids and permission tokens.

mod error;

pub use error::{IdentityError, TokenError};
