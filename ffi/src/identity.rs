//! Identities: `net_identity_*` and `net_verify_signature`.

use std::ffi::c_int;

use net_sdk::{EntityId, Identity};

use crate::status::FfiError;
use crate::{args, guard};

/// An ed25519 identity (opaque). Created by `net_identity_generate` or
/// `net_identity_from_seed`, released by `net_identity_free`.
pub struct NetIdentity {
    pub(crate) identity: Identity,
}

/// Size of an identity seed (secret), an entity id (public key) and a signature.
pub const NET_SEED_LEN: usize = 32;
pub const NET_ENTITY_ID_LEN: usize = 32;
pub const NET_SIGNATURE_LEN: usize = 64;

pub(crate) fn identity<'a>(id: *const NetIdentity) -> Result<&'a Identity, FfiError> {
    // SAFETY: NULL or a live identity from this library.
    unsafe { id.as_ref() }.map(|id| &id.identity).ok_or_else(|| FfiError::null("identity"))
}

pub(crate) fn entity_id(ptr: *const u8, len: usize, what: &str) -> Result<EntityId, FfiError> {
    Ok(EntityId::from_bytes(args::bytes(ptr, len, what)?)?)
}

/// A new random identity, owned by the caller; release with `net_identity_free`.
#[no_mangle]
pub extern "C" fn net_identity_generate() -> *mut NetIdentity {
    guard::pointer(|| Ok(Box::into_raw(Box::new(NetIdentity { identity: Identity::generate() }))))
}

/// The identity derived from a 32-byte secret seed (`seed_len` must be 32;
/// kind `invalid_length` otherwise). Owned by the caller; release with
/// `net_identity_free`. NULL on failure.
#[no_mangle]
pub extern "C" fn net_identity_from_seed(seed: *const u8, seed_len: usize) -> *mut NetIdentity {
    guard::pointer(|| {
        let seed = args::array::<NET_SEED_LEN>(seed, seed_len, "seed")?;
        Ok(Box::into_raw(Box::new(NetIdentity { identity: Identity::from_seed(seed) })))
    })
}

/// Release an identity. NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_identity_free(id: *mut NetIdentity) {
    guard::guarded(
        |_| (),
        || {
            if !id.is_null() {
                // SAFETY: non-NULL pointers come from `Box::into_raw` above.
                drop(unsafe { Box::from_raw(id) });
            }
            Ok(())
        },
    )
}

/// Copy the 32-byte secret seed into `out` (`out_len` >= 32). Secret material.
#[no_mangle]
pub extern "C" fn net_identity_to_seed(id: *const NetIdentity, out: *mut u8, out_len: usize) -> c_int {
    guard::status(|| args::write_bytes(&identity(id)?.to_bytes(), out, out_len, "out"))
}

/// Copy the 32-byte entity id (ed25519 public key) into `out` (`out_len` >= 32).
#[no_mangle]
pub extern "C" fn net_identity_entity_id(id: *const NetIdentity, out: *mut u8, out_len: usize) -> c_int {
    guard::status(|| args::write_bytes(identity(id)?.entity_id().as_bytes(), out, out_len, "out"))
}

/// Copy the 32-byte static key a mesh node with this identity listens
/// under into `out` (`out_len` >= 32): what a peer dials, known from the
/// seed before the node starts.
#[no_mangle]
pub extern "C" fn net_identity_mesh_public_key(id: *const NetIdentity, out: *mut u8, out_len: usize) -> c_int {
    guard::status(|| args::write_bytes(&identity(id)?.mesh_public_key(), out, out_len, "out"))
}

/// Write the identity's 64-bit node id to `*out`.
#[no_mangle]
pub extern "C" fn net_identity_node_id(id: *const NetIdentity, out: *mut u64) -> c_int {
    guard::status(|| {
        *args::out(out, "out")? = identity(id)?.node_id();
        Ok(())
    })
}

/// Write the identity's 64-bit origin hash to `*out`.
#[no_mangle]
pub extern "C" fn net_identity_origin_hash(id: *const NetIdentity, out: *mut u64) -> c_int {
    guard::status(|| {
        *args::out(out, "out")? = identity(id)?.origin_hash();
        Ok(())
    })
}

/// Sign `msg` (`msg_len` bytes) and write the 64-byte signature to `sig_out`.
#[no_mangle]
pub extern "C" fn net_identity_sign(
    id: *const NetIdentity,
    msg: *const u8,
    msg_len: usize,
    sig_out: *mut u8,
    sig_out_len: usize,
) -> c_int {
    guard::status(|| {
        let identity = identity(id)?;
        let msg = args::bytes(msg, msg_len, "msg")?;
        args::write_bytes(&identity.sign(msg), sig_out, sig_out_len, "sig_out")
    })
}

/// Check a 64-byte signature over `msg` by the 32-byte `entity_id`.
/// Returns 0 when it verifies, `NET_ERR_IDENTITY` (kind `invalid_signature`,
/// `invalid_entity_id` or `invalid_length`) when it does not.
#[no_mangle]
pub extern "C" fn net_verify_signature(
    entity: *const u8,
    entity_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> c_int {
    guard::status(|| {
        let entity = entity_id(entity, entity_len, "entity_id")?;
        let msg = args::bytes(msg, msg_len, "msg")?;
        let sig = args::bytes(sig, sig_len, "sig")?;
        Ok(entity.verify(msg, sig)?)
    })
}

/// Write the node id derived from a 32-byte entity id to `*out`.
#[no_mangle]
pub extern "C" fn net_entity_node_id(entity: *const u8, entity_len: usize, out: *mut u64) -> c_int {
    guard::status(|| {
        let value = entity_id(entity, entity_len, "entity_id")?.node_id();
        *args::out(out, "out")? = value;
        Ok(())
    })
}
