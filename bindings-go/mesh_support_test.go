package net

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Helpers shared by the mesh tests: nodes on 127.0.0.1:0 and the
// connect/accept pair between them.

var (
	psk42 = bytes.Repeat([]byte{0x42}, 32)
	psk01 = bytes.Repeat([]byte{0x01}, 32)
)

// testMeshConfig is quick to notice a silent peer, so tests of liveness
// do not wait out the defaults.
func testMeshConfig(psk []byte) MeshConfig {
	return MeshConfig{
		BindAddr:          "127.0.0.1:0",
		PSK:               psk,
		HandshakeTimeout:  2 * time.Second,
		HeartbeatInterval: 100 * time.Millisecond,
		SuspectAfter:      400 * time.Millisecond,
		DeadAfter:         1200 * time.Millisecond,
	}
}

func newMeshNode(t testing.TB, cfg MeshConfig) *MeshNode {
	t.Helper()
	n, err := NewMeshNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// handshake has dialer connect to listener (which accepts concurrently)
// with the given key and id; it returns both sides' errors.
func handshake(ctx context.Context, dialer, listener *MeshNode, key []byte, id uint64) (connectErr, acceptErr error) {
	accepted := make(chan error, 1)
	go func() {
		_, err := listener.Accept(ctx, dialer.NodeID())
		accepted <- err
	}()
	connectErr = dialer.Connect(ctx, listener.LocalAddr(), key, id)
	return connectErr, <-accepted
}

// meshPair is two started nodes with a session between them.
func meshPair(t testing.TB) (a, b *MeshNode) {
	t.Helper()
	a, b = newMeshNode(t, testMeshConfig(psk42)), newMeshNode(t, testMeshConfig(psk42))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cerr, aerr := handshake(ctx, a, b, b.PublicKey(), b.NodeID()); cerr != nil || aerr != nil {
		t.Fatalf("handshake: connect %v, accept %v", cerr, aerr)
	}
	for _, n := range []*MeshNode{a, b} {
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// openBoth opens stream id on both nodes: a's side and b's side.
func openBoth(t testing.TB, a, b *MeshNode, id uint64, cfg StreamConfig) (ab, ba *Stream) {
	t.Helper()
	ab, err := a.OpenStream(b.NodeID(), id, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ba, err = b.OpenStream(a.NodeID(), id, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ab.Close(); ba.Close() })
	return ab, ba
}

// within returns a context that ends after d, cancelled at test end.
func within(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 10 ms for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// openSmallWindow opens stream 9 from a to b with a window of 4 packets,
// where b holds 2 unread messages before it stops acknowledging: a fifth
// message in flight meets back-pressure. Both ends close with the test.
func openSmallWindow(t testing.TB, a, b *MeshNode) (in, out *Stream) {
	t.Helper()
	in, err := b.OpenStream(a.NodeID(), 9, StreamConfig{ReceiveCapacity: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	out, err = a.OpenStream(b.NodeID(), 9, StreamConfig{Window: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	return in, out
}
