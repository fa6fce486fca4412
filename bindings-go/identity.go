package net

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/hex"
	"runtime"
	"sync"
	"unsafe"
)

// Sizes of the identity and token wire forms.
const (
	SeedLen      = C.NET_SEED_LEN
	EntityIDLen  = C.NET_ENTITY_ID_LEN
	SignatureLen = C.NET_SIGNATURE_LEN
	TokenLen     = C.NET_TOKEN_LEN
)

// EntityID is an ed25519 public key: who an identity is on the mesh.
type EntityID [EntityIDLen]byte

// String is the lowercase hex form.
func (e EntityID) String() string { return hex.EncodeToString(e[:]) }

// NodeID is the 64-bit node id derived from the entity id
// (ErrInvalidEntityID when the bytes are not an ed25519 key).
func (e EntityID) NodeID() (uint64, error) {
	r := C.netgo_entity_node_id((*C.uint8_t)(unsafe.Pointer(&e[0])), C.size_t(len(e)))
	if r.code < 0 {
		return 0, errorOf(r.code, r.err)
	}
	return uint64(r.value), nil
}

// Verify checks a signature made by Identity.Sign over msg
// (ErrInvalidSignature when it does not verify).
func (e EntityID) Verify(msg, sig []byte) error {
	return statusErr(C.netgo_verify_signature((*C.uint8_t)(unsafe.Pointer(&e[0])), C.size_t(len(e)),
		bytesPtr(msg), C.size_t(len(msg)), bytesPtr(sig), C.size_t(len(sig))))
}

// Identity is an ed25519 keypair. Its public parts are read once when it
// is created; Close releases the secret inside libnet (a cleanup does it
// for an unreachable Identity, only as a safety net).
type Identity struct {
	// mu guards ptr: libnet keeps no registry of identities, so Close
	// must wait for calls using the pointer (read-locked) to finish.
	mu         sync.RWMutex
	ptr        *C.net_identity_t
	cleanup    runtime.Cleanup
	entityID   EntityID
	nodeID     uint64
	originHash uint64
}

// GenerateIdentity makes a new random identity.
func GenerateIdentity() (*Identity, error) {
	return identityOf(C.netgo_identity_generate())
}

// IdentityFromSeed derives the identity of a 32-byte secret seed
// (ErrInvalidLength for any other length).
func IdentityFromSeed(seed []byte) (*Identity, error) {
	r := C.netgo_identity_from_seed(bytesPtr(seed), C.size_t(len(seed)))
	runtime.KeepAlive(seed)
	return identityOf(r)
}

func identityOf(r C.netgo_ptr) (*Identity, error) {
	if r.ptr == nil {
		return nil, errorOf(-1, r.err)
	}
	p := (*C.net_identity_t)(r.ptr)
	pub := C.netgo_identity_public(p)
	if pub.code < 0 {
		C.net_identity_free(p)
		return nil, errorOf(pub.code, pub.err)
	}
	id := &Identity{nodeID: uint64(pub.node_id), originHash: uint64(pub.origin_hash)}
	for i := range id.entityID {
		id.entityID[i] = byte(pub.entity_id[i])
	}
	id.ptr = p
	id.cleanup = runtime.AddCleanup(id, func(p *C.net_identity_t) { C.net_identity_free(p) }, p)
	return id, nil
}

// Close releases the identity. Idempotent; signing and issuing return
// ErrClosed afterwards (the public parts stay readable).
func (id *Identity) Close() {
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.ptr != nil {
		id.cleanup.Stop()
		C.net_identity_free(id.ptr)
		id.ptr = nil
	}
}

// with runs f on the live pointer, or returns ErrClosed.
func (id *Identity) with(f func(p *C.net_identity_t) error) error {
	id.mu.RLock()
	defer id.mu.RUnlock()
	if id.ptr == nil {
		return closedError("identity")
	}
	err := f(id.ptr)
	runtime.KeepAlive(id)
	return err
}

// EntityID is the identity's public key.
func (id *Identity) EntityID() EntityID { return id.entityID }

// NodeID is the 64-bit node id derived from the public key.
func (id *Identity) NodeID() uint64 { return id.nodeID }

// OriginHash is the 64-bit origin hash derived from the public key.
func (id *Identity) OriginHash() uint64 { return id.originHash }

// Seed is the 32-byte secret seed (secret material: handle with care).
func (id *Identity) Seed() ([]byte, error) {
	out := make([]byte, SeedLen)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_identity_to_seed(p, bytesPtr(out), C.size_t(len(out))))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MeshPublicKey is the 32-byte static key a mesh node with this identity
// listens under: what a peer dials (MeshTransport.PeerPublicKey,
// MeshNode.Connect). It follows from the seed, so it can be handed out
// before the node starts.
func (id *Identity) MeshPublicKey() ([]byte, error) {
	out := make([]byte, 32)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_identity_mesh_public_key(p, bytesPtr(out), C.size_t(len(out))))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Sign signs msg; EntityID.Verify checks the 64-byte signature.
func (id *Identity) Sign(msg []byte) ([]byte, error) {
	sig := make([]byte, SignatureLen)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_identity_sign(p, bytesPtr(msg), C.size_t(len(msg)), bytesPtr(sig), C.size_t(len(sig))))
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}
