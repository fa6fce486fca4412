// Quickstart: a node, a few events, a page of them back, a live stream,
// an identity and a permission token — the Go face of Net in one file.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

type reading struct {
	Sensor string  `json:"sensor"`
	Value  float64 `json:"value"`
}

func main() {
	ctx := context.Background()
	node, err := net.NewNode(net.Config{Shards: 4, Backpressure: net.DropOldest})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()

	receipt, err := node.EmitRaw([]byte(`{"token":"hello"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("emitted into shard %d at sequence %d\n", receipt.Shard, receipt.Sequence)
	for i, v := range []float64{21.5, 22.0, 22.75} {
		if _, err := node.Emit(reading{Sensor: fmt.Sprintf("t%d", i), Value: v}); err != nil {
			log.Fatal(err)
		}
	}
	stored, err := node.EmitRawBatch([][]byte{[]byte(`{"batch":1}`), []byte(`{"batch":2}`)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("a batch stored %d events in one shard\n", stored)

	// Poll pages through what the node retains; NextCursor resumes.
	if err := node.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	page, err := node.Poll(ctx, net.PollRequest{Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("polled %d events, resume at %q\n", len(page.Events), page.NextCursor)

	// Events streams new events as they arrive, for a range loop.
	go func() {
		time.Sleep(50 * time.Millisecond)
		node.Emit(reading{Sensor: "live", Value: 23.5})
	}()
	streamCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for ev, err := range node.Events(streamCtx, net.EventsOptions{Cursor: page.NextCursor}) {
		if err != nil {
			log.Fatal(err)
		}
		var r reading
		if err := ev.Decode(&r); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("live event %s: %s = %.2f\n", ev.ID, r.Sensor, r.Value)
		break
	}

	// Identities sign; tokens grant a scope on a channel.
	alice, err := net.GenerateIdentity()
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close()
	bob, err := net.IdentityFromSeed(make([]byte, net.SeedLen))
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()
	fmt.Printf("alice is node %016x, bob is %s…\n", alice.NodeID(), bob.EntityID().String()[:16])

	token, err := alice.IssueToken(bob.EntityID(), net.ScopeSubscribe, "sensors/temp", time.Hour, 0)
	if err != nil {
		log.Fatal(err)
	}
	info, err := net.ParseToken(token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("token of %d bytes grants %s until %s; verify: %v\n",
		len(token), info.Scope, info.NotAfter.UTC().Format(time.RFC3339), token.Verify())

	token[100] ^= 1 // tamper with the signature
	if err := token.Verify(); errors.Is(err, net.ErrInvalidSignature) {
		fmt.Println("a tampered token is refused:", err)
	} else {
		log.Fatalf("tampered token: %v", err)
	}

	if err := node.Close(); err != nil {
		log.Fatal(err)
	}
	if _, err := node.EmitRaw([]byte(`{}`)); errors.Is(err, net.ErrClosed) {
		fmt.Println("after Close:", err)
	}
}
