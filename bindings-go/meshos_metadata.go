package net

import (
	"encoding/json"
	"fmt"
)

// DaemonMetadata is what a daemon may know of where it runs (libnet's
// metadata JSON, parsed): its node, itself, and the node's peers.
type DaemonMetadata struct {
	NodeID     uint64 `json:"node_id"`
	DaemonID   uint64 `json:"daemon_id"`
	DaemonName string `json:"daemon_name"`
	// Health and Saturation are what the supervisor last sampled.
	Health     DaemonHealth `json:"health"`
	Saturation float32      `json:"saturation"`
	// MaintenanceState is the node's; Kind is "active",
	// "entering_maintenance", "maintenance", "exiting_maintenance",
	// "drain_failed", "recovery" or "unknown".
	MaintenanceState MaintenanceState `json:"maintenance_state"`
	// Capabilities are the tags this daemon publishes.
	Capabilities []string   `json:"capabilities"`
	Peers        []PeerView `json:"peers"`
}

// MaintenanceState is a node's maintenance state: Kind plus the fields
// that kind carries (absent ones are zero).
type MaintenanceState struct {
	Kind                string  `json:"kind"`
	SinceMs             uint64  `json:"since_ms,omitempty"`
	DeadlineRemainingMs *uint64 `json:"deadline_remaining_ms,omitempty"`
	Reason              string  `json:"reason,omitempty"`
}

// PeerView is one of the node's peers as the daemon sees it.
type PeerView struct {
	NodeID uint64 `json:"node_id"`
	// Health is its liveness: "alive", "suspect" or "dead".
	Health string `json:"health"`
	// CapabilitySet is the tags it announces.
	CapabilitySet []string `json:"capability_set"`
}

// UnmarshalJSON reads the snake_case name libnet writes.
func (h *DaemonHealth) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch s {
	case "healthy":
		*h = Healthy
	case "degraded":
		*h = Degraded
	case "unhealthy":
		*h = Unhealthy
	default:
		return fmt.Errorf("net meshos: unknown daemon health %q", s)
	}
	return nil
}

// MarshalJSON writes the same name.
func (h DaemonHealth) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }
