//! The Noise handshake that opens a session.
//!
//! Pattern `Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s` (via `snow`): the
//! initiator knows the responder's static x25519 key in advance (the
//! `public_key()` it was given) and both mix in the mesh's 32-byte PSK.
//!
//! Noise authenticates static x25519 keys; Net names nodes by their ed25519
//! identity. Each side therefore sends, inside its encrypted handshake
//! payload, its entity id and an ed25519 signature over its own static
//! key. The receiver verifies the signature against the static key Noise
//! authenticated, so a peer can only claim an identity whose secret key it
//! holds, and then checks the node id derived from that entity id against
//! the one it expects.
//!
//! ```text
//! initiator                                   responder
//! HandshakeInit  [my index | e, es, s, ss, {entity, sig}]  ->
//!                <-  HandshakeResponse [my index | e, ee, se, psk, {entity, sig}]
//! Data (heartbeat: key confirmation)                       ->
//! ```
//! The responder keeps its half as *pending* until the first authentic
//! `Data` packet proves the initiator derived the same keys (a wrong PSK
//! shows only at the initiator, which then sends a `Reject`); pending
//! halves expire after the handshake timeout. So a failed handshake leaves
//! no session on either side.

use snow::{Builder, HandshakeState};

use super::error::HandshakeError;
use crate::identity::{EntityId, Identity};

/// The Noise protocol name.
pub const NOISE_PARAMS: &str = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
const PROLOGUE: &[u8] = b"net-mesh v1";
const BINDING_CONTEXT: &[u8] = b"net-mesh static key binding v1";
const STATIC_CONTEXT: &str = "net mesh x25519 static key v1";
const PAYLOAD_LEN: usize = 32 + 64;
const MAX_MSG: usize = 512;

/// A node's static x25519 keypair, derived from its identity seed so one
/// secret (the seed) names the node and keys its handshakes.
#[derive(Clone)]
pub struct StaticKeys {
    secret: [u8; 32],
    /// The public half: what a peer needs to dial this node.
    pub public: [u8; 32],
}

impl Drop for StaticKeys {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl StaticKeys {
    /// Derive the static keypair of `identity`.
    pub fn derive(identity: &Identity) -> Self {
        let mut seed = identity.to_bytes();
        let secret = blake3::derive_key(STATIC_CONTEXT, &seed);
        zeroize::Zeroize::zeroize(&mut seed);
        let public = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(secret)).to_bytes();
        Self { secret, public }
    }
}

impl Identity {
    /// The static x25519 public key a mesh node with this identity
    /// listens under: what a peer passes to `connect` or puts in a mesh
    /// transport's `peer_public_key`. Derived from the seed, so it can be
    /// published before the node starts.
    pub fn mesh_public_key(&self) -> [u8; 32] {
        StaticKeys::derive(self).public
    }
}

fn binding_message(static_public: &[u8]) -> Vec<u8> {
    [BINDING_CONTEXT, static_public].concat()
}

fn binding_payload(identity: &Identity, keys: &StaticKeys) -> [u8; PAYLOAD_LEN] {
    let mut out = [0u8; PAYLOAD_LEN];
    out[..32].copy_from_slice(identity.entity_id().as_bytes());
    out[32..].copy_from_slice(&identity.sign(&binding_message(&keys.public)));
    out
}

/// Check a peer's payload against the static key Noise authenticated.
fn verify_binding(payload: &[u8], remote_static: Option<&[u8]>) -> Result<EntityId, HandshakeError> {
    if payload.len() != PAYLOAD_LEN {
        return Err(HandshakeError::Malformed);
    }
    let remote_static = remote_static.ok_or(HandshakeError::Malformed)?;
    let entity = EntityId::from_bytes(&payload[..32]).map_err(|_| HandshakeError::IdentityMismatch)?;
    entity
        .verify(&binding_message(remote_static), &payload[32..])
        .map_err(|_| HandshakeError::IdentityMismatch)?;
    Ok(entity)
}

fn split_index(body: &[u8]) -> Result<(u32, &[u8]), HandshakeError> {
    if body.len() < 4 {
        return Err(HandshakeError::Malformed);
    }
    Ok((u32::from_le_bytes(body[..4].try_into().expect("4 bytes")), &body[4..]))
}

/// What a completed handshake yields: the peer, its session index and the
/// two directional keys.
pub struct Established {
    /// The peer's authenticated identity.
    pub peer_entity: EntityId,
    /// The index the peer chose; it goes in the header of what we send it.
    pub peer_index: u32,
    /// Key sealing what we send.
    pub send: [u8; 32],
    /// Key opening what we receive.
    pub recv: [u8; 32],
}

fn split(mut hs: HandshakeState) -> ([u8; 32], [u8; 32]) {
    // Initiator: (send, recv) = (k1, k2); the responder mirrors it.
    let (k1, k2) = hs.dangerously_get_raw_split();
    if hs.is_initiator() {
        (k1, k2)
    } else {
        (k2, k1)
    }
}

/// The initiator's half of a handshake in progress.
pub struct Initiator {
    hs: HandshakeState,
    /// The node the responder must prove to be; `None` trusts whichever
    /// identity holds the static key dialled.
    expected_node: Option<u64>,
    /// The body of the `HandshakeInit` packet (retransmitted unchanged).
    pub hello: Vec<u8>,
}

impl Initiator {
    /// Start a handshake to the node whose static key is `peer_static`
    /// (and, when given, whose node id is `expected_node`); `local_index`
    /// names the session on our side.
    pub fn start(
        identity: &Identity,
        keys: &StaticKeys,
        psk: &[u8; 32],
        peer_static: &[u8; 32],
        expected_node: Option<u64>,
        local_index: u32,
    ) -> Self {
        let mut hs = Builder::new(NOISE_PARAMS.parse().expect("valid noise params"))
            .local_private_key(&keys.secret)
            .remote_public_key(peer_static)
            .prologue(PROLOGUE)
            .psk(2, psk)
            .build_initiator()
            .expect("static configuration is valid");
        let mut hello = local_index.to_le_bytes().to_vec();
        let mut msg = [0u8; MAX_MSG];
        let n = hs.write_message(&binding_payload(identity, keys), &mut msg).expect("message fits");
        hello.extend_from_slice(&msg[..n]);
        Self { hs, expected_node, hello }
    }

    /// Process the responder's `HandshakeResponse` body.
    pub fn finish(mut self, body: &[u8]) -> Result<Established, HandshakeError> {
        let (peer_index, msg) = split_index(body)?;
        let mut payload = [0u8; MAX_MSG];
        // The reply is the first message keyed by the PSK: if the static
        // keys matched (the responder answered) a failure here is the PSK.
        let n = self.hs.read_message(msg, &mut payload).map_err(|_| HandshakeError::WrongPsk)?;
        let peer_entity = verify_binding(&payload[..n], self.hs.get_remote_static())?;
        if self.expected_node.is_some_and(|n| n != peer_entity.node_id()) {
            return Err(HandshakeError::IdentityMismatch);
        }
        let (send, recv) = split(self.hs);
        Ok(Established { peer_entity, peer_index, send, recv })
    }
}

/// The responder's view of a `HandshakeInit` it has read.
pub struct Hello {
    hs: HandshakeState,
    /// The initiator's authenticated identity.
    pub peer_entity: EntityId,
    /// The initiator's session index.
    pub peer_index: u32,
}

/// Read a `HandshakeInit` body. Fails with `UnknownStaticKey` when it was
/// not sealed to our static key, `IdentityMismatch` when the sender's
/// identity does not vouch for its static key.
pub fn read_hello(keys: &StaticKeys, psk: &[u8; 32], body: &[u8]) -> Result<Hello, HandshakeError> {
    let (peer_index, msg) = split_index(body)?;
    let mut hs = Builder::new(NOISE_PARAMS.parse().expect("valid noise params"))
        .local_private_key(&keys.secret)
        .prologue(PROLOGUE)
        .psk(2, psk)
        .build_responder()
        .expect("static configuration is valid");
    let mut payload = [0u8; MAX_MSG];
    let n = hs.read_message(msg, &mut payload).map_err(|_| HandshakeError::UnknownStaticKey)?;
    let peer_entity = verify_binding(&payload[..n], hs.get_remote_static())?;
    Ok(Hello { hs, peer_entity, peer_index })
}

impl Hello {
    /// Answer: the `HandshakeResponse` body and the session keys.
    pub fn respond(mut self, identity: &Identity, keys: &StaticKeys, local_index: u32) -> (Vec<u8>, Established) {
        let mut reply = local_index.to_le_bytes().to_vec();
        let mut msg = [0u8; MAX_MSG];
        let n = self.hs.write_message(&binding_payload(identity, keys), &mut msg).expect("message fits");
        reply.extend_from_slice(&msg[..n]);
        let (send, recv) = split(self.hs);
        (reply, Established { peer_entity: self.peer_entity, peer_index: self.peer_index, send, recv })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Side {
        id: Identity,
        keys: StaticKeys,
    }

    fn side(seed: u8) -> Side {
        let id = Identity::from_seed([seed; 32]);
        let keys = StaticKeys::derive(&id);
        Side { id, keys }
    }

    #[test]
    fn completes_with_matching_keys_and_identities() {
        let (a, b) = (side(1), side(2));
        let psk = [7u8; 32];
        let init = Initiator::start(&a.id, &a.keys, &psk, &b.keys.public, Some(b.id.node_id()), 11);
        let hello = read_hello(&b.keys, &psk, &init.hello).unwrap();
        assert_eq!(hello.peer_entity, *a.id.entity_id());
        assert_eq!(hello.peer_index, 11);
        let (reply, rb) = hello.respond(&b.id, &b.keys, 22);
        let ra = init.finish(&reply).unwrap();
        assert_eq!(ra.peer_entity, *b.id.entity_id());
        assert_eq!(ra.peer_index, 22);
        assert_eq!((ra.send, ra.recv), (rb.recv, rb.send), "directional keys mirror");
        assert_ne!(ra.send, ra.recv);
        assert_eq!(StaticKeys::derive(&a.id).public, a.keys.public, "static key is stable per identity");
    }

    #[test]
    fn wrong_psk_fails_at_the_initiator() {
        let (a, b) = (side(1), side(2));
        let init = Initiator::start(&a.id, &a.keys, &[1; 32], &b.keys.public, Some(b.id.node_id()), 1);
        let (reply, _) = read_hello(&b.keys, &[2; 32], &init.hello).unwrap().respond(&b.id, &b.keys, 2);
        assert_eq!(init.finish(&reply).err(), Some(HandshakeError::WrongPsk));
    }

    #[test]
    fn wrong_static_key_and_wrong_node_id_fail() {
        let (a, b, c) = (side(1), side(2), side(3));
        let psk = [0u8; 32];
        // Dialing b's address with c's key: b cannot read the hello.
        let init = Initiator::start(&a.id, &a.keys, &psk, &c.keys.public, Some(b.id.node_id()), 1);
        assert_eq!(read_hello(&b.keys, &psk, &init.hello).err(), Some(HandshakeError::UnknownStaticKey));
        // Right key, but expecting another node id.
        let init = Initiator::start(&a.id, &a.keys, &psk, &b.keys.public, Some(c.id.node_id()), 1);
        let (reply, _) = read_hello(&b.keys, &psk, &init.hello).unwrap().respond(&b.id, &b.keys, 2);
        assert_eq!(init.finish(&reply).err(), Some(HandshakeError::IdentityMismatch));
        assert_eq!(read_hello(&b.keys, &psk, &[1, 2]).err(), Some(HandshakeError::Malformed));
    }

    #[test]
    fn a_dial_by_key_alone_learns_the_responders_identity() {
        let (a, b) = (side(1), side(2));
        let psk = [5u8; 32];
        assert_eq!(b.id.mesh_public_key(), b.keys.public);
        let init = Initiator::start(&a.id, &a.keys, &psk, &b.id.mesh_public_key(), None, 1);
        let (reply, _) = read_hello(&b.keys, &psk, &init.hello).unwrap().respond(&b.id, &b.keys, 2);
        assert_eq!(init.finish(&reply).unwrap().peer_entity.node_id(), b.id.node_id());
    }

    #[test]
    fn an_impostor_cannot_claim_another_identity() {
        // The impostor holds its own static key but presents b's entity id
        // with a signature it made itself: the binding does not verify.
        let (a, b, mallory) = (side(1), side(2), side(9));
        let psk = [0u8; 32];
        let mut forged = [0u8; PAYLOAD_LEN];
        forged[..32].copy_from_slice(b.id.entity_id().as_bytes());
        forged[32..].copy_from_slice(&mallory.id.sign(&binding_message(&mallory.keys.public)));
        let mut hs = Builder::new(NOISE_PARAMS.parse().unwrap())
            .local_private_key(&mallory.keys.secret)
            .remote_public_key(&a.keys.public)
            .prologue(PROLOGUE)
            .psk(2, &psk)
            .build_initiator()
            .unwrap();
        let mut body = 5u32.to_le_bytes().to_vec();
        let mut msg = [0u8; MAX_MSG];
        let n = hs.write_message(&forged, &mut msg).unwrap();
        body.extend_from_slice(&msg[..n]);
        assert_eq!(read_hello(&a.keys, &psk, &body).err(), Some(HandshakeError::IdentityMismatch));
    }
}
