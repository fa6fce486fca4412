// The Go peer of tests/cross (protocol: tests/cross/README.md).
//
//	peer_go dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]
//	peer_go bus-dial|bus-accept emit|poll COUNT PSK_HEX
//	peer_go caps PSK_HEX
//
// Built by `make test-cross` into target/cross/peer_go.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

const (
	handshakeTimeout = 10 * time.Second // connect / accept: the other process is already up
	recvTimeout      = 30 * time.Second // one message; the driver's deadline is the real bound
)

// hello is what each peer tells the other through the driver.
type hello struct {
	Addr      string `json:"addr"`
	PublicKey string `json:"public_key"`
	NodeID    string `json:"node_id"`
}

// result is the one line the driver judges.
type result struct {
	OK       bool   `json:"ok"`
	Received int    `json:"received,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Error    string `json:"error,omitempty"`
}

// payload is message i: i as 8 bytes little-endian, then filler that
// depends on i, so a message under the wrong index cannot pass. The last
// one is 12,000 bytes, larger than one default datagram.
func payload(i, count int) []byte {
	size := 8 + i%200
	if i == count-1 {
		size = 12000
	}
	b := make([]byte, size)
	binary.LittleEndian.PutUint64(b, uint64(i))
	for j := 8; j < size; j++ {
		b[j] = byte(i*7 + j)
	}
	return b
}

func failure(err error) result {
	kind := "unknown"
	var e *net.Error
	if errors.As(err, &e) {
		kind = e.Kind
	}
	return result{Kind: kind, Error: err.Error()}
}

func emit(v any) {
	line, _ := json.Marshal(v)
	os.Stdout.Write(append(line, '\n'))
}

func receive(in *net.Stream, count int) result {
	for i := range count {
		ctx, cancel := context.WithTimeout(context.Background(), recvTimeout)
		got, err := in.Recv(ctx)
		cancel()
		if err != nil {
			return failure(err)
		}
		if !bytes.Equal(got, payload(i, count)) {
			head := int64(-1)
			if len(got) >= 8 {
				head = int64(binary.LittleEndian.Uint64(got))
			}
			return result{Kind: "mismatch", Error: fmt.Sprintf("message %d: got %d bytes with index %d", i, len(got), head)}
		}
	}
	return result{OK: true, Received: count}
}

func exchange(node *net.MeshNode, role string, peer hello, streamID uint64, count int) result {
	peerID, err := strconv.ParseUint(peer.NodeID, 10, 64)
	if err != nil {
		return result{Kind: "bad_hello", Error: err.Error()}
	}
	key, err := hex.DecodeString(peer.PublicKey)
	if err != nil {
		return result{Kind: "bad_hello", Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	if role == "dial" {
		err = node.Connect(ctx, peer.Addr, key, peerID)
	} else {
		_, err = node.Accept(ctx, peerID)
	}
	cancel()
	if err != nil {
		return failure(err)
	}
	if err := node.Start(); err != nil {
		return failure(err)
	}
	stream, err := node.OpenStream(peerID, streamID, net.StreamConfig{Reliability: net.Reliable})
	if err != nil {
		return failure(err)
	}
	// The stream stays open until node.Close, after the driver's go: closing
	// it now could stop retransmissions the other side still waits for.
	// Send and receive at once: a side that only sent would fill the
	// other's receive queue and stall both (flow control).
	received := make(chan result, 1)
	go func() { received <- receive(stream, count) }()
	for i := range count {
		if err := stream.SendBlocking(context.Background(), [][]byte{payload(i, count)}); err != nil {
			return failure(err)
		}
	}
	return <-received
}

func run() int {
	if len(os.Args) == 3 && os.Args[1] == "caps" {
		psk, err := hex.DecodeString(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		return runCaps(psk)
	}
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: peer_go dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]")
		return 2
	}
	role := os.Args[1]
	if role == "bus-dial" || role == "bus-accept" {
		count, err1 := strconv.Atoi(os.Args[3])
		psk, err2 := hex.DecodeString(os.Args[4])
		if err := errors.Join(err1, err2); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		return runBus(role, os.Args[2], count, psk)
	}
	streamID, err1 := strconv.ParseUint(os.Args[2], 10, 64)
	count, err2 := strconv.Atoi(os.Args[3])
	psk, err3 := hex.DecodeString(os.Args[4])
	if err := errors.Join(err1, err2, err3); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if len(os.Args) > 5 && os.Args[5] == "--bad-psk" {
		for i := range psk {
			psk[i] ^= 0xff // another mesh's key
		}
	}
	// HandshakeTimeout too: it caps Accept's wait below a longer ctx deadline.
	node, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk, HandshakeTimeout: handshakeTimeout})
	if err != nil {
		emit(failure(err))
		return 1
	}
	defer node.Close()
	emit(hello{Addr: node.LocalAddr(), PublicKey: hex.EncodeToString(node.PublicKey()), NodeID: strconv.FormatUint(node.NodeID(), 10)})

	stdin := bufio.NewReader(os.Stdin)
	line, err := stdin.ReadBytes('\n')
	var peer hello
	if err == nil {
		err = json.Unmarshal(line, &peer)
	}
	var res result
	if err != nil {
		res = result{Kind: "bad_hello", Error: err.Error()}
	} else {
		res = exchange(node, role, peer, streamID, count)
	}
	emit(res)
	// Stay up until the driver closes stdin: closing early would end the
	// session under a peer that is still receiving.
	io.Copy(io.Discard, stdin)
	if !res.OK {
		return 1
	}
	return 0
}

func main() { os.Exit(run()) }
