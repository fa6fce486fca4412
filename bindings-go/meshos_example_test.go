package net_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

// upper is a stateless daemon: it answers each event with its payload in
// capitals and fails on an empty one.
type upper struct{}

func (upper) Process(ev net.CausalEvent) ([][]byte, error) {
	if len(ev.Payload) == 0 {
		return nil, errors.New("nothing to shout")
	}
	out := make([]byte, len(ev.Payload))
	for i, c := range ev.Payload {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return [][]byte{out}, nil
}

// The body of this example is the MeshOS section of README.md, character
// for character (readme_test.go holds them together).
func ExampleMeshOsDaemonSdk() {
	sdk, err := net.StartMeshOs(net.MeshOsConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer sdk.Close()
	h, err := sdk.Register("upper", [32]byte{1}, upper{}, net.DaemonOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	outs, _ := sdk.Deliver(h.ID(), net.CausalEvent{Origin: 9, Sequence: 1, Payload: []byte("hello")})
	fmt.Printf("%s\n", outs[0])
	_, err = sdk.Deliver(h.ID(), net.CausalEvent{Origin: 9, Sequence: 2})
	fmt.Println(errors.Is(err, net.ErrProcessFailed), errors.Unwrap(err))

	sdk.SendControl(h.ID(), net.DaemonControl{Kind: net.ControlDrainStart, Grace: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _ := h.NextControl(ctx)
	fmt.Println(c.Kind, c.Grace)

	h.GracefulShutdown(10 * time.Millisecond)
	_, err = sdk.Deliver(h.ID(), net.CausalEvent{Origin: 9, Sequence: 3, Payload: []byte("late")})
	fmt.Println(errors.Is(err, net.ErrDaemonNotFound))
	// Output:
	// HELLO
	// true nothing to shout
	// DrainStart 1s
	// true
}
