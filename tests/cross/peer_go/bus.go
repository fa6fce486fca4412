package main

// The bus cases of the Go peer (protocol: tests/cross/README.md, "The bus
// over the mesh"): a Node whose transport is a mesh link to the other peer
// either emits COUNT events or polls until it holds them.

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	gonet "net"
	"os"
	"strconv"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

const pollDeadline = 120 * time.Second // the driver's own deadline is the real bound

// busResult is the bus cases' one result line.
type busResult struct {
	OK       bool   `json:"ok"`
	Emitted  int    `json:"emitted,omitempty"`
	Received int    `json:"received,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Error    string `json:"error,omitempty"`
}

func busFailure(err error) busResult {
	f := failure(err)
	return busResult{Kind: f.Kind, Error: f.Error}
}

func freeUDPAddr() (string, error) {
	c, err := gonet.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().String(), nil
}

// pollAll polls until count events are held: each {"i": n} exactly once,
// in increasing order within its shard.
func pollAll(node *net.Node, count int) busResult {
	deadline := time.Now().Add(pollDeadline)
	for {
		seen := map[int]bool{}
		last := map[uint16]int{}
		cursor := ""
		for {
			page, err := node.Poll(context.Background(), net.PollRequest{Limit: 4096, Cursor: cursor})
			if err != nil {
				return busFailure(err)
			}
			for _, e := range page.Events {
				var v struct{ I int }
				if err := json.Unmarshal(e.Raw, &v); err != nil {
					return busResult{Kind: "mismatch", Error: err.Error()}
				}
				if prev, ok := last[e.Shard]; seen[v.I] || ok && prev >= v.I {
					return busResult{Kind: "mismatch", Error: fmt.Sprintf("event %d repeated or out of order", v.I)}
				}
				seen[v.I] = true
				last[e.Shard] = v.I
			}
			cursor = page.NextCursor
			if !page.HasMore {
				break
			}
		}
		if len(seen) >= count {
			return busResult{OK: true, Received: len(seen)}
		}
		if time.Now().After(deadline) {
			return busResult{Kind: "timeout", Error: fmt.Sprintf("%d of %d events arrived", len(seen), count)}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// busJob runs on a node already linked to the peer.
func busJob(node *net.Node, job string, count int) busResult {
	if job != "emit" {
		return pollAll(node, count)
	}
	for i := range count {
		if _, err := node.EmitString(fmt.Sprintf(`{"i":%d}`, i)); err != nil {
			return busFailure(err)
		}
	}
	if err := node.Flush(context.Background()); err != nil {
		return busFailure(err)
	}
	return busResult{OK: true, Emitted: count}
}

func runBus(role, job string, count int, psk []byte) int {
	me, err := net.GenerateIdentity()
	if err != nil {
		emit(busFailure(err))
		return 1
	}
	addr := "127.0.0.1:0"
	if role == "bus-accept" {
		if addr, err = freeUDPAddr(); err != nil {
			emit(busFailure(err))
			return 1
		}
	}
	key, err := me.MeshPublicKey()
	if err != nil {
		emit(busFailure(err))
		return 1
	}
	emit(hello{Addr: addr, PublicKey: hex.EncodeToString(key), NodeID: strconv.FormatUint(me.NodeID(), 10)})

	stdin := bufio.NewReader(os.Stdin)
	var peer hello
	line, err := stdin.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &peer)
	}
	var peerID uint64
	var peerKey []byte
	if err == nil {
		peerID, err = strconv.ParseUint(peer.NodeID, 10, 64)
	}
	if err == nil {
		peerKey, err = hex.DecodeString(peer.PublicKey)
	}
	var res busResult
	var node *net.Node
	if err != nil {
		res = busResult{Kind: "bad_hello", Error: err.Error()}
	} else {
		link := &net.MeshTransport{Bind: addr, PSK: psk, Identity: me, PeerNodeID: peerID, HandshakeTimeout: handshakeTimeout}
		if role == "bus-dial" {
			link.Peer, link.PeerPublicKey = peer.Addr, peerKey
		}
		if node, err = net.NewNode(net.Config{Shards: 4, Mesh: link}); err != nil {
			res = busFailure(err)
		} else {
			res = busJob(node, job, count)
		}
	}
	emit(res)
	io.Copy(io.Discard, stdin) // stay up until the driver's go
	if node != nil {
		node.Close() // an emitter's close waits for the peer's acks
	}
	if !res.OK {
		return 1
	}
	return 0
}
