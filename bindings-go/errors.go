package net

import (
	"errors"
	"fmt"
)

// Error is every failure reported by libnet: a stable Kind string, the same
// in every Net binding ("backpressure", "invalid_signature", ...), the
// library's human-readable Message, and the net.h status Code (negative).
//
// Compare with the sentinels through errors.Is, which matches on Kind:
//
//	if errors.Is(err, net.ErrBackpressure) { ... }
//
// and reach the details through errors.As:
//
//	var e *net.Error
//	if errors.As(err, &e) { log.Print(e.Kind, e.Message) }
type Error struct {
	Kind    string
	Message string
	Code    int
	// cause is what the error stands for in Go terms when it has one: the
	// context error behind a "timeout" or "cancelled" from a ctx.
	cause error
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "net: " + e.Kind
	}
	return fmt.Sprintf("net: %s: %s", e.Kind, e.Message)
}

// Is reports whether target is an *Error of the same Kind, so a sentinel
// matches every error of its kind whatever the message. ErrHandshake
// matches every handshake failure (wrong_psk, unknown_static_key, ...).
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Kind == e.Kind || t.Kind == ErrHandshake.Kind && handshakeKinds[e.Kind]
}

// Unwrap is the Go error the failure stands for, if any: a ctx's
// context.DeadlineExceeded or context.Canceled behind kinds "timeout" and
// "cancelled", so errors.Is works with both this package's sentinels and
// the context package's.
func (e *Error) Unwrap() error { return e.cause }

func sentinel(kind string) *Error { return &Error{Kind: kind} }

// Sentinels for errors.Is, one per stable kind.
var (
	// The node is closed (Close was called, or it was shut down).
	ErrClosed = sentinel("closed")
	// A shard's ring is full and the policy is FailProducer.
	ErrBackpressure = sentinel("backpressure")
	// A configuration value is out of range or unknown.
	ErrInvalidConfig = sentinel("invalid_config")
	// A poll or subscription cursor this node did not produce.
	ErrInvalidCursor = sentinel("invalid_cursor")
	// An argument is not acceptable.
	ErrInvalidArgument = sentinel("invalid_argument")
	// Text (an event, a channel name) is not valid UTF-8.
	ErrInvalidUTF8 = sentinel("invalid_utf8")
	// An event or configuration is not valid JSON.
	ErrInvalidJSON = sentinel("invalid_json")
	// A seed, entity id or signature has the wrong length.
	ErrInvalidLength = sentinel("invalid_length")
	// 32 bytes that are not an ed25519 public key.
	ErrInvalidEntityID = sentinel("invalid_entity_id")
	// A signature or a token signature does not verify.
	ErrInvalidSignature = sentinel("invalid_signature")
	// Bytes that are not a well-formed 161-byte token.
	ErrInvalidFormat = sentinel("invalid_format")
	// A token's not_after has passed.
	ErrExpired = sentinel("expired")
	// A token's not_before is still in the future.
	ErrNotYetValid = sentinel("not_yet_valid")
	// A child token was asked of a parent with delegation depth 0.
	ErrDelegationExhausted = sentinel("delegation_exhausted")
	// The parent token does not allow this delegation.
	ErrDelegationNotAllowed = sentinel("delegation_not_allowed")
	// No valid token grants the scope on the channel.
	ErrNotAuthorized = sentinel("not_authorized")
	// A token was asked for with a time-to-live under one second.
	ErrZeroTTL = sentinel("zero_ttl")
	// A channel name was refused.
	ErrInvalidChannel = sentinel("invalid_channel")
	// A panic inside libnet was caught at its boundary.
	ErrRuntimePanic = sentinel("runtime_panic")

	// Mesh: the peer is dead, closed or unknown, or the stream is closed.
	ErrNotConnected = sentinel("not_connected")
	// Mesh: a handshake failed. It matches every handshake kind below;
	// the error's Kind says which.
	ErrHandshake = sentinel("handshake")
	// Mesh handshake: the peer uses a different pre-shared key.
	ErrWrongPSK = sentinel("wrong_psk")
	// Mesh handshake: the dialed public key is not the peer's static key.
	ErrUnknownStaticKey = sentinel("unknown_static_key")
	// Mesh handshake: the peer's identity is not the node id dialed.
	ErrIdentityMismatch = sentinel("identity_mismatch")
	// Mesh handshake: the peer refused this node.
	ErrHandshakeRefused = sentinel("handshake_refused")
	// Mesh: a message is larger than a stream accepts (64 KiB).
	ErrMessageTooLarge = sentinel("message_too_large")
	// A time limit passed: a ctx deadline (the error then also matches
	// context.DeadlineExceeded) or libnet's own (handshake timeout).
	ErrTimeout = sentinel("timeout")
	// The call's ctx was cancelled (the error also matches
	// context.Canceled).
	ErrCancelled = sentinel("cancelled")
	// A socket or other operating-system failure (e.g. a taken address).
	ErrIO = sentinel("io")
	// The storage backend failed (e.g. the Redis or NATS server is unreachable).
	ErrBackend = sentinel("backend")
	// A Redis or NATS server refused the credentials (the message names
	// the URL without its password).
	ErrAuthFailed = sentinel("auth_failed")
	// The producer nonce file exists but holds no nonce; it is left as is.
	ErrCorruptNonce = sentinel("corrupt_nonce")

	// Capabilities: a set the schema refuses (the message lists why).
	ErrInvalidCapabilities = sentinel("invalid_capabilities")
	// Capabilities: a predicate that is not well formed.
	ErrInvalidPredicate = sentinel("invalid_predicate")
	// Capabilities: a net-where header value that does not decode.
	ErrInvalidHeader = sentinel("invalid_header")
	// Capabilities: a subnet or subnet policy out of range.
	ErrInvalidSubnet = sentinel("invalid_subnet")
	// Capabilities: announcement bytes that do not decode.
	ErrMalformedAnnouncement = sentinel("malformed_announcement")
	// Capabilities: an announcement signed by a key that is not its origin's.
	ErrOriginMismatch = sentinel("origin_mismatch")
	// Capabilities: an announcement older than the one already known.
	ErrStaleVersion = sentinel("stale_version")
	// Capabilities: an announcement forwarded over the hop limit.
	ErrHopLimit = sentinel("hop_limit")
	// Capabilities: an announcement larger than a message may be.
	ErrAnnouncementTooLarge = sentinel("announcement_too_large")
)

// handshakeKinds are the kinds ErrHandshake matches.
var handshakeKinds = map[string]bool{
	ErrWrongPSK.Kind:         true,
	ErrUnknownStaticKey.Kind: true,
	ErrIdentityMismatch.Kind: true,
	ErrHandshakeRefused.Kind: true,
	"handshake_malformed":    true,
}

// closedError is what a call on a closed handle returns.
func closedError(what string) error {
	return &Error{Kind: ErrClosed.Kind, Message: what + " is closed", Code: -8}
}
