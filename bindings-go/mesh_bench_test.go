package net

import (
	"context"
	"encoding/binary"
	"testing"
	"time"
)

// Mesh benchmarks: two nodes on loopback, one reliable stream, 64-byte
// messages. Throughput counts messages RECEIVED by the peer: the clock
// runs from the first send until the receiving goroutine holds the last
// message, and every message carries its sequence number, checked on
// arrival (a lost or reordered message fails the benchmark). The stream
// configuration is the core's criterion bench's (window 8192 packets,
// receive capacity 65,536, 1400-byte datagrams).

var meshBenchStream = StreamConfig{Window: 8192, ReceiveCapacity: 1 << 16}

// benchPair is meshPair with the default liveness timing: a busy machine
// must not make the peers think each other dead mid-run.
func benchPair(b *testing.B) (*MeshNode, *MeshNode) {
	cfg := MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk42}
	x, y := newMeshNode(b, cfg), newMeshNode(b, cfg)
	if cerr, aerr := handshake(within(b, 10*time.Second), x, y, y.PublicKey(), y.NodeID()); cerr != nil || aerr != nil {
		b.Fatal(cerr, aerr)
	}
	for _, n := range []*MeshNode{x, y} {
		if err := n.Start(); err != nil {
			b.Fatal(err)
		}
	}
	return x, y
}

// receiveAll reads n sequence-numbered messages, checking their order,
// and reports the time the last one arrived (or the first failure).
func receiveAll(rx *Stream, n int, done chan<- time.Time, failed chan<- error) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		m, err := rx.Recv(ctx)
		if err != nil {
			failed <- err
			return
		}
		if got := binary.LittleEndian.Uint64(m); got != uint64(i) || len(m) != 64 {
			failed <- &Error{Kind: "bench", Message: "message out of order or resized"}
			return
		}
	}
	done <- time.Now()
}

// throughput sends b.N messages with send (which gets the next `per`
// messages, already numbered) and reports messages received per second.
func throughput(b *testing.B, per int, send func(s *Stream, msgs [][]byte) error) {
	x, y := benchPair(b)
	tx, rx := openBoth(b, x, y, 1, meshBenchStream)
	// One buffer per in-flight group, numbered in place before each send.
	msgs := make([][]byte, per)
	for i := range msgs {
		msgs[i] = make([]byte, 64)
	}
	done, failed := make(chan time.Time, 1), make(chan error, 1)
	go receiveAll(rx, b.N, done, failed)
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		k := min(per, b.N-sent)
		for i := range k {
			binary.LittleEndian.PutUint64(msgs[i], uint64(sent+i))
		}
		if err := send(tx, msgs[:k]); err != nil {
			b.Fatal(err)
		}
		sent += k
	}
	var end time.Time
	select {
	case end = <-done:
	case err := <-failed:
		b.Fatal(err)
	case <-time.After(30 * time.Second):
		b.Fatal("messages never arrived")
	}
	b.StopTimer()
	st, _ := tx.Stats()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.N)/end.Sub(start).Seconds(), "received-msgs/s")
	b.ReportMetric(float64(st.BackpressureEvents), "backpressure-events")
	b.ReportMetric(float64(st.Retransmits), "retransmits")
}

// Batches of 64 with SendBlocking: waits out a full window.
func BenchmarkMeshStream64Bx64(b *testing.B) {
	ctx := context.Background()
	throughput(b, 64, func(s *Stream, msgs [][]byte) error { return s.SendBlocking(ctx, msgs) })
}

// One message per call with SendBlocking.
func BenchmarkMeshStream64Bx1(b *testing.B) {
	ctx := context.Background()
	throughput(b, 1, func(s *Stream, msgs [][]byte) error { return s.SendBlocking(ctx, msgs) })
}

// Request/response: 64 bytes out on stream 1, echoed back on stream 2 by
// a goroutine on the peer; each op is one round trip, individually timed
// for p50 / p99. The contexts never end (Background), so no call needs a
// cancellation token; the echo goroutine ends when the nodes close.
func BenchmarkMeshRTT64B(b *testing.B) {
	x, y := benchPair(b)
	cfg := StreamConfig{Window: 64}
	reqTx, reqRx := openBoth(b, x, y, 1, cfg)
	respRx, respTx := openBoth(b, x, y, 2, cfg)
	ctx := context.Background()
	go func() {
		for {
			m, err := reqRx.Recv(ctx)
			if err != nil {
				return
			}
			if err := respTx.SendBlocking(ctx, [][]byte{m}); err != nil {
				return
			}
		}
	}()
	req := make([]byte, 64)
	round := func() {
		if err := reqTx.SendBlocking(ctx, [][]byte{req}); err != nil {
			b.Fatal(err)
		}
		if _, err := respRx.Recv(ctx); err != nil {
			b.Fatal(err)
		}
	}
	benchRoundTrips(b, 2000, round)
}
