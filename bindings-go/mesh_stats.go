package net

/*
#include "mesh_shim.h"
*/
import "C"

import (
	"runtime"
	"time"
)

// MeshStats are a node's counters.
type MeshStats struct {
	// DatagramsReceived and DatagramsSent count datagrams of any kind.
	DatagramsReceived, DatagramsSent uint64
	// Tampered counts packets that failed authentication (dropped).
	Tampered uint64
	// Replayed counts authentic packets refused as replays.
	Replayed uint64
	// Malformed counts datagrams that were not packets, or for no session.
	Malformed uint64
	// HandshakesCompleted and HandshakesFailed count handshakes.
	HandshakesCompleted, HandshakesFailed uint64
	// PendingHandshakes are sessions whose peer has not confirmed yet.
	PendingHandshakes uint64
	// Sessions are the live sessions.
	Sessions uint64
	// ReceivePanics and MaintenancePanics count panics the node's
	// background tasks caught and survived.
	ReceivePanics, MaintenancePanics uint64
}

// StreamStats are one stream's live counters.
type StreamStats struct {
	// TxSeq is the next sequence number this side sends; RxSeq the next
	// it expects.
	TxSeq, RxSeq uint64
	// InFlight packets are sent and not yet acknowledged, of at most Window.
	InFlight uint64
	Window   uint32
	// BackpressureEvents counts sends refused for want of window room.
	BackpressureEvents uint64
	// Retransmits counts packets sent again after a timeout.
	Retransmits uint64
	// MessagesSent were accepted for sending; MessagesReceived delivered
	// to this side's inbox, where Inbox of them wait for Recv.
	MessagesSent, MessagesReceived, Inbox uint64
	// SRTT is the smoothed round-trip time (0 before a sample).
	SRTT time.Duration
}

// Stats reads the node's counters.
func (n *MeshNode) Stats() (MeshStats, error) {
	h := n.h()
	if h == 0 {
		return MeshStats{}, closedError("mesh node")
	}
	var s C.net_mesh_stats_t
	err := statusErr(C.netgo_mesh_stats(h, &s))
	runtime.KeepAlive(n)
	if err != nil {
		return MeshStats{}, err
	}
	return MeshStats{
		DatagramsReceived:   uint64(s.datagrams_received),
		DatagramsSent:       uint64(s.datagrams_sent),
		Tampered:            uint64(s.tampered),
		Replayed:            uint64(s.replayed),
		Malformed:           uint64(s.malformed),
		HandshakesCompleted: uint64(s.handshakes_completed),
		HandshakesFailed:    uint64(s.handshakes_failed),
		PendingHandshakes:   uint64(s.pending_handshakes),
		Sessions:            uint64(s.sessions),
		ReceivePanics:       uint64(s.receive_panics),
		MaintenancePanics:   uint64(s.maintenance_panics),
	}, nil
}

// StreamStats reads the counters of stream id with peer; ErrNotConnected
// when that stream was closed or never opened on the peer's session.
func (n *MeshNode) StreamStats(peer, id uint64) (StreamStats, error) {
	h := n.h()
	if h == 0 {
		return StreamStats{}, closedError("mesh node")
	}
	var s C.net_mesh_stream_stats_t
	err := statusErr(C.netgo_mesh_stream_stats(h, C.uint64_t(peer), C.uint64_t(id), &s))
	runtime.KeepAlive(n)
	if err != nil {
		return StreamStats{}, err
	}
	return StreamStats{
		TxSeq:              uint64(s.tx_seq),
		RxSeq:              uint64(s.rx_seq),
		InFlight:           uint64(s.in_flight),
		Window:             uint32(s.window),
		BackpressureEvents: uint64(s.backpressure_events),
		Retransmits:        uint64(s.retransmits),
		MessagesSent:       uint64(s.messages_sent),
		MessagesReceived:   uint64(s.messages_received),
		Inbox:              uint64(s.inbox),
		SRTT:               time.Duration(s.srtt_us) * time.Microsecond,
	}, nil
}
