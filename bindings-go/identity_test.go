package net

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestIdentityLifecycle(t *testing.T) {
	a, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.EntityID() == b.EntityID() || a.NodeID() == b.NodeID() || a.OriginHash() == 0 {
		t.Fatal("two generated identities look alike")
	}
	seed, err := a.Seed()
	if err != nil {
		t.Fatal(err)
	}
	again, err := IdentityFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.EntityID() != a.EntityID() || again.NodeID() != a.NodeID() || again.OriginHash() != a.OriginHash() {
		t.Fatal("the seed does not reproduce the identity")
	}
	sig, err := a.Sign([]byte("hello"))
	if err != nil || len(sig) != SignatureLen {
		t.Fatalf("sign: %x, %v", sig, err)
	}
	if err := a.EntityID().Verify([]byte("hello"), sig); err != nil {
		t.Fatal(err)
	}
	if err := a.EntityID().Verify([]byte("hellO"), sig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("other message: %v", err)
	}
	if err := b.EntityID().Verify([]byte("hello"), sig); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("other signer: %v", err)
	}
	if err := a.EntityID().Verify([]byte("hello"), sig[:10]); !errors.Is(err, ErrInvalidLength) {
		t.Fatalf("short signature: %v", err)
	}

	id := a.EntityID()
	a.Close()
	a.Close() // idempotent
	if a.EntityID() != id {
		t.Fatal("public parts must stay readable after Close")
	}
	if _, err := a.Sign([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("sign after Close: %v", err)
	}
	if _, err := a.Seed(); !errors.Is(err, ErrClosed) {
		t.Fatalf("seed after Close: %v", err)
	}
	if _, err := a.IssueToken(b.EntityID(), ScopePublish, "c", time.Minute, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("issue after Close: %v", err)
	}
}

func TestBadSeedsAndEntityIDs(t *testing.T) {
	for _, seed := range [][]byte{nil, make([]byte, 31), make([]byte, 33)} {
		if id, err := IdentityFromSeed(seed); !errors.Is(err, ErrInvalidLength) || id != nil {
			t.Errorf("seed of %d bytes: %v", len(seed), err)
		}
	}
	// The identity point is a weak key: it can never name an entity.
	bad := EntityID{1}
	if _, err := bad.NodeID(); !errors.Is(err, ErrInvalidEntityID) {
		t.Errorf("invalid entity id: %v", err)
	}
}

func TestTokensIssueParseVerifyDelegate(t *testing.T) {
	root, _ := GenerateIdentity()
	mid, _ := GenerateIdentity()
	leaf, _ := GenerateIdentity()
	defer root.Close()
	defer mid.Close()
	defer leaf.Close()

	parent, err := root.IssueToken(mid.EntityID(), ScopePublish|ScopeSubscribe|ScopeDelegate, "sensors/temp", time.Hour, 1)
	if err != nil || len(parent) != TokenLen {
		t.Fatalf("issue: %d bytes, %v", len(parent), err)
	}
	if err := parent.Verify(); err != nil {
		t.Fatal(err)
	}
	if err := VerifyToken(parent); err != nil {
		t.Fatal(err)
	}
	info, err := parent.Info()
	if err != nil {
		t.Fatal(err)
	}
	hash, _, _ := ChannelHash("sensors/temp")
	if info.Issuer != root.EntityID() || info.Subject != mid.EntityID() || info.ChannelHash != hash ||
		info.Scope != ScopePublish|ScopeSubscribe|ScopeDelegate || info.DelegationDepth != 1 ||
		info.NotAfter.Sub(info.NotBefore) != time.Hour {
		t.Fatalf("parsed %+v", info)
	}
	if info.Scope.String() != "publish|subscribe|delegate" {
		t.Fatalf("scope text %q", info.Scope)
	}
	if err := parent.VerifyAt(info.NotAfter); !errors.Is(err, ErrExpired) {
		t.Fatalf("at not_after: %v", err)
	}
	if err := parent.VerifyAt(info.NotBefore.Add(-time.Second)); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("before not_before: %v", err)
	}

	child, err := mid.Delegate(parent, leaf.EntityID(), ScopeSubscribe, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := VerifyChain([]Token{parent, child}, now); err != nil {
		t.Fatalf("chain: %v", err)
	}
	if _, err := leaf.Delegate(child, root.EntityID(), ScopeSubscribe, time.Minute); !errors.Is(err, ErrDelegationNotAllowed) {
		t.Fatalf("delegating without the delegate scope: %v", err)
	}
	if _, err := root.Delegate(parent, leaf.EntityID(), ScopeSubscribe, time.Minute); !errors.Is(err, ErrDelegationNotAllowed) {
		t.Fatalf("delegating someone else's token: %v", err)
	}
	if err := VerifyChain(nil, now); !errors.Is(err, ErrInvalidFormat) {
		t.Fatalf("empty chain: %v", err)
	}
	if err := VerifyChain([]Token{parent, child[:100]}, now); !errors.Is(err, ErrInvalidFormat) {
		t.Fatalf("short link: %v", err)
	}

	// Tampering with any signed byte breaks the signature.
	for _, at := range []int{0, 40, 64, 70, 90, 120} {
		bad := bytes.Clone(parent)
		bad[at] ^= 0x01
		if err := Token(bad).Verify(); err == nil {
			t.Errorf("tampered byte %d still verifies", at)
		}
	}
	if _, err := ParseToken(parent[:12]); !errors.Is(err, ErrInvalidFormat) {
		t.Fatalf("short token: %v", err)
	}
	if _, err := root.IssueToken(mid.EntityID(), ScopePublish, "", time.Minute, 0); !errors.Is(err, ErrInvalidChannel) {
		t.Fatalf("empty channel: %v", err)
	}
	if _, err := root.IssueToken(mid.EntityID(), 0, "c", time.Minute, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty scope: %v", err)
	}
}

// libnet has no registry of identities, so Close must wait for calls in
// flight: signers racing Close get a signature or ErrClosed, never a
// crash (run under -race and valgrind-free C).
func TestIdentityCloseRacingSigners(t *testing.T) {
	id, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sig, err := id.Sign([]byte("racing"))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil || id.EntityID().Verify([]byte("racing"), sig) != nil {
					t.Errorf("sign racing Close: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	id.Close()
	wg.Wait()
}
