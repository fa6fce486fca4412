package net

/*
#include "shim.h"
*/
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

// Scope is a set of token rights.
type Scope uint32

// The scope bits of the token wire form.
const (
	ScopePublish   Scope = C.NET_SCOPE_PUBLISH
	ScopeSubscribe Scope = C.NET_SCOPE_SUBSCRIBE
	ScopeDelegate  Scope = C.NET_SCOPE_DELEGATE
	ScopeAdmin     Scope = C.NET_SCOPE_ADMIN
)

var scopeNames = []struct {
	bit  Scope
	name string
}{{ScopePublish, "publish"}, {ScopeSubscribe, "subscribe"}, {ScopeDelegate, "delegate"}, {ScopeAdmin, "admin"}}

// Names lists the scope's rights in bit order ("publish", "subscribe", ...).
func (s Scope) Names() []string {
	var out []string
	for _, n := range scopeNames {
		if s&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func (s Scope) String() string { return strings.Join(s.Names(), "|") }

// Token is a permission token in its 161-byte wire form: the issuer
// grants the subject a scope on one channel for a time window.
type Token []byte

// TokenInfo holds a token's decoded fields.
type TokenInfo struct {
	Issuer          EntityID
	Subject         EntityID
	Scope           Scope
	ChannelHash     uint32
	NotBefore       time.Time // inclusive
	NotAfter        time.Time // exclusive
	DelegationDepth uint8
	Nonce           uint64
}

// ParseToken decodes a token's fields without checking its signature
// (ErrInvalidFormat for bytes that are not a token).
func ParseToken(b []byte) (TokenInfo, error) {
	r := C.netgo_token_parse(bytesPtr(b), C.size_t(len(b)))
	if r.code < 0 {
		return TokenInfo{}, errorOf(r.code, r.err)
	}
	info := TokenInfo{
		Scope:           Scope(r.info.scope),
		ChannelHash:     uint32(r.info.channel_hash),
		NotBefore:       time.Unix(int64(r.info.not_before), 0),
		NotAfter:        time.Unix(int64(r.info.not_after), 0),
		DelegationDepth: uint8(r.info.delegation_depth),
		Nonce:           uint64(r.info.nonce),
	}
	copy(info.Issuer[:], unsafe.Slice((*byte)(unsafe.Pointer(&r.info.issuer[0])), EntityIDLen))
	copy(info.Subject[:], unsafe.Slice((*byte)(unsafe.Pointer(&r.info.subject[0])), EntityIDLen))
	return info, nil
}

// Info decodes the token (see ParseToken).
func (t Token) Info() (TokenInfo, error) { return ParseToken(t) }

// Verify checks the token's signature and validity window now. The error
// says why it was refused: ErrInvalidFormat, ErrInvalidSignature,
// ErrNotYetValid, ErrExpired.
func (t Token) Verify() error {
	return statusErr(C.netgo_token_verify(bytesPtr(t), C.size_t(len(t))))
}

// VerifyAt is Verify at the given time (whole seconds).
func (t Token) VerifyAt(at time.Time) error {
	return statusErr(C.netgo_token_verify_at(bytesPtr(t), C.size_t(len(t)), unixSecs(at)))
}

// VerifyToken verifies b as a token now (see Token.Verify).
func VerifyToken(b []byte) error { return Token(b).Verify() }

// VerifyChain verifies a delegation chain, root first, at the given time:
// every link on its own, then each child against its parent
// (ErrDelegationNotAllowed, ErrDelegationExhausted, ...). An empty chain
// is ErrInvalidFormat.
func VerifyChain(chain []Token, at time.Time) error {
	flat := make([]byte, 0, len(chain)*TokenLen)
	for _, t := range chain {
		if len(t) != TokenLen {
			return &Error{Kind: ErrInvalidFormat.Kind, Message: "a chain link is not 161 bytes", Code: -13}
		}
		flat = append(flat, t...)
	}
	return statusErr(C.netgo_token_verify_chain(bytesPtr(flat), C.size_t(len(chain)), unixSecs(at)))
}

func unixSecs(t time.Time) C.uint64_t {
	if s := t.Unix(); s > 0 {
		return C.uint64_t(s)
	}
	return 0
}

// IssueToken grants subject the scope on channel for ttl (whole seconds,
// at least one: ErrZeroTTL otherwise), re-delegable delegationDepth times.
func (id *Identity) IssueToken(subject EntityID, scope Scope, channel string, ttl time.Duration, delegationDepth uint8) (Token, error) {
	out := make(Token, TokenLen)
	ch := []byte(channel)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_issue_token(p, (*C.uint8_t)(unsafe.Pointer(&subject[0])), C.size_t(len(subject)),
			C.uint32_t(scope), (*C.char)(unsafe.Pointer(bytesPtr(ch))), C.size_t(len(ch)),
			C.uint64_t(ttl/time.Second), C.uint8_t(delegationDepth), bytesPtr(out), C.size_t(len(out))))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TokenFields are every field of a token chosen by the issuer, for
// IssueTokenAt.
type TokenFields struct {
	Subject         EntityID
	Scope           Scope
	ChannelHash     uint32 // see ChannelHash
	NotBefore       time.Time
	NotAfter        time.Time
	DelegationDepth uint8
	Nonce           uint64
}

// IssueTokenAt issues a token with every field given: deterministic, for
// replayable tests and golden vectors. Nothing is validated; a window that
// ends before it starts gives bytes ParseToken refuses.
func (id *Identity) IssueTokenAt(f TokenFields) (Token, error) {
	out := make(Token, TokenLen)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_issue_token_at(p, (*C.uint8_t)(unsafe.Pointer(&f.Subject[0])), C.size_t(len(f.Subject)),
			C.uint32_t(f.Scope), C.uint32_t(f.ChannelHash), unixSecs(f.NotBefore), unixSecs(f.NotAfter),
			C.uint8_t(f.DelegationDepth), C.uint64_t(f.Nonce), bytesPtr(out), C.size_t(len(out))))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delegate issues a child of parent (which must name this identity as its
// subject and grant ScopeDelegate) to subject, with a subset of the
// parent's scope, one less delegation depth and at most its expiry.
func (id *Identity) Delegate(parent Token, subject EntityID, scope Scope, ttl time.Duration) (Token, error) {
	out := make(Token, TokenLen)
	err := id.with(func(p *C.net_identity_t) error {
		return statusErr(C.netgo_delegate_token(p, bytesPtr(parent), C.size_t(len(parent)),
			(*C.uint8_t)(unsafe.Pointer(&subject[0])), C.size_t(len(subject)), C.uint32_t(scope),
			C.uint64_t(ttl/time.Second), bytesPtr(out), C.size_t(len(out))))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChannelHash validates a channel name and returns its 32-bit hash (the
// one tokens carry) and 16-bit wire hash (ErrInvalidChannel for a bad name).
func ChannelHash(name string) (hash uint32, wire uint16, err error) {
	b := []byte(name)
	r := C.netgo_channel_hash((*C.char)(unsafe.Pointer(bytesPtr(b))), C.size_t(len(b)))
	if r.code < 0 {
		return 0, 0, errorOf(r.code, r.err)
	}
	return uint32(r.hash), uint16(r.wire_hash), nil
}
