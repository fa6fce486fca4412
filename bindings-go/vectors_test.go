package net

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The golden vectors every face of Net checks byte for byte
// (tests/vectors/README.md describes the format).

func loadVectors(t *testing.T, name string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "tests", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func decimal(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("bad decimal %q: %v", s, err)
	}
	return n
}

func entityOf(t *testing.T, s string) EntityID {
	var e EntityID
	if copy(e[:], unhex(t, s)) != EntityIDLen {
		t.Fatalf("entity id %q is not 32 bytes", s)
	}
	return e
}

func TestVectorsIdentity(t *testing.T) {
	var file struct {
		Cases []struct {
			Seed          string `json:"seed"`
			EntityID      string `json:"entity_id"`
			NodeID        string `json:"node_id"`
			NodeIDHex     string `json:"node_id_hex"`
			OriginHash    string `json:"origin_hash"`
			OriginHashHex string `json:"origin_hash_hex"`
			Message       string `json:"message"`
			Signature     string `json:"signature"`
		} `json:"cases"`
	}
	loadVectors(t, "identity.json", &file)
	if len(file.Cases) == 0 {
		t.Fatal("no identity vectors")
	}
	for _, c := range file.Cases {
		id, err := IdentityFromSeed(unhex(t, c.Seed))
		if err != nil {
			t.Fatal(err)
		}
		if got := id.EntityID().String(); got != c.EntityID {
			t.Errorf("seed %s: entity id %s, want %s", c.Seed, got, c.EntityID)
		}
		if id.NodeID() != decimal(t, c.NodeID) || fmt.Sprintf("%016x", id.NodeID()) != c.NodeIDHex {
			t.Errorf("seed %s: node id %d, want %s", c.Seed, id.NodeID(), c.NodeID)
		}
		if id.OriginHash() != decimal(t, c.OriginHash) || fmt.Sprintf("%016x", id.OriginHash()) != c.OriginHashHex {
			t.Errorf("seed %s: origin hash %d, want %s", c.Seed, id.OriginHash(), c.OriginHash)
		}
		if derived, err := id.EntityID().NodeID(); err != nil || derived != id.NodeID() {
			t.Errorf("EntityID.NodeID = %d, %v", derived, err)
		}
		sig, err := id.Sign(unhex(t, c.Message))
		if err != nil || !bytes.Equal(sig, unhex(t, c.Signature)) {
			t.Errorf("seed %s: signature %x, %v; want %s", c.Seed, sig, err, c.Signature)
		}
		if err := id.EntityID().Verify(unhex(t, c.Message), sig); err != nil {
			t.Errorf("own signature does not verify: %v", err)
		}
		seed, err := id.Seed()
		if err != nil || hex.EncodeToString(seed) != c.Seed {
			t.Errorf("seed round trip: %x, %v", seed, err)
		}
		id.Close()
	}
}

type validToken struct {
	Name            string   `json:"name"`
	IssuerSeed      string   `json:"issuer_seed"`
	IssuerEntityID  string   `json:"issuer_entity_id"`
	SubjectEntityID string   `json:"subject_entity_id"`
	Scope           []string `json:"scope"`
	ScopeBits       uint32   `json:"scope_bits"`
	Channel         string   `json:"channel"`
	ChannelHash     uint32   `json:"channel_hash"`
	NotBefore       int64    `json:"not_before"`
	NotAfter        int64    `json:"not_after"`
	DelegationDepth uint8    `json:"delegation_depth"`
	Nonce           string   `json:"nonce"`
	Token           string   `json:"token"`
	VerifyAt        int64    `json:"verify_at"`
}

type tokenVectors struct {
	Valid   []validToken `json:"valid"`
	Invalid []struct {
		Name     string `json:"name"`
		Token    string `json:"token"`
		VerifyAt int64  `json:"verify_at"`
		Kind     string `json:"kind"`
	} `json:"invalid"`
	Chains []struct {
		Name     string   `json:"name"`
		Links    []string `json:"links"`
		VerifyAt int64    `json:"verify_at"`
		Kind     *string  `json:"kind"`
	} `json:"chains"`
}

// loadTokenVectors reads tokens.json; every section must have cases.
func loadTokenVectors(t *testing.T) tokenVectors {
	var file tokenVectors
	loadVectors(t, "tokens.json", &file)
	if len(file.Valid) == 0 || len(file.Invalid) == 0 || len(file.Chains) == 0 {
		t.Fatal("tokens.json has an empty section")
	}
	return file
}

func TestVectorsValidTokens(t *testing.T) {
	file := loadTokenVectors(t)
	for _, v := range file.Valid {
		t.Run(v.Name, func(t *testing.T) {
			issuer, err := IdentityFromSeed(unhex(t, v.IssuerSeed))
			if err != nil {
				t.Fatal(err)
			}
			defer issuer.Close()
			if issuer.EntityID().String() != v.IssuerEntityID {
				t.Fatalf("issuer %s, want %s", issuer.EntityID(), v.IssuerEntityID)
			}
			hash, _, err := ChannelHash(v.Channel)
			if err != nil || hash != v.ChannelHash {
				t.Fatalf("channel hash %d, %v; want %d", hash, err, v.ChannelHash)
			}
			fields := TokenFields{
				Subject:         entityOf(t, v.SubjectEntityID),
				Scope:           Scope(v.ScopeBits),
				ChannelHash:     hash,
				NotBefore:       time.Unix(v.NotBefore, 0),
				NotAfter:        time.Unix(v.NotAfter, 0),
				DelegationDepth: v.DelegationDepth,
				Nonce:           decimal(t, v.Nonce),
			}
			token, err := issuer.IssueTokenAt(fields)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(token) != v.Token {
				t.Fatalf("issued %x\nwant   %s", []byte(token), v.Token)
			}
			info, err := ParseToken(unhex(t, v.Token))
			if err != nil {
				t.Fatal(err)
			}
			want := TokenInfo{
				Issuer: issuer.EntityID(), Subject: fields.Subject, Scope: fields.Scope, ChannelHash: hash,
				NotBefore: fields.NotBefore, NotAfter: fields.NotAfter, DelegationDepth: v.DelegationDepth, Nonce: fields.Nonce,
			}
			if info != want {
				t.Fatalf("parsed %+v\nwant   %+v", info, want)
			}
			if got := Scope(v.ScopeBits).Names(); !equalStrings(got, v.Scope) {
				t.Fatalf("scope names %v, want %v", got, v.Scope)
			}
			if err := token.VerifyAt(time.Unix(v.VerifyAt, 0)); err != nil {
				t.Fatalf("verify at %d: %v", v.VerifyAt, err)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVectorsInvalidTokens(t *testing.T) {
	file := loadTokenVectors(t)
	for _, v := range file.Invalid {
		t.Run(v.Name, func(t *testing.T) {
			token := Token(unhex(t, v.Token))
			err := token.VerifyAt(time.Unix(v.VerifyAt, 0))
			var e *Error
			if !errors.As(err, &e) || e.Kind != v.Kind {
				t.Fatalf("verify: %v, want kind %s", err, v.Kind)
			}
			if !errors.Is(err, sentinel(v.Kind)) {
				t.Fatalf("errors.Is(%v, kind %s) is false", err, v.Kind)
			}
			// Parsing alone fails exactly for the format errors.
			if _, perr := ParseToken(token); (perr != nil) != (v.Kind == "invalid_format") {
				t.Fatalf("parse: %v (kind %s)", perr, v.Kind)
			}
		})
	}
}

func TestVectorsChains(t *testing.T) {
	file := loadTokenVectors(t)
	for _, v := range file.Chains {
		t.Run(v.Name, func(t *testing.T) {
			chain := make([]Token, len(v.Links))
			for i, l := range v.Links {
				chain[i] = unhex(t, l)
			}
			err := VerifyChain(chain, time.Unix(v.VerifyAt, 0))
			if v.Kind == nil {
				if err != nil {
					t.Fatalf("valid chain refused: %v", err)
				}
				return
			}
			if !errors.Is(err, sentinel(*v.Kind)) {
				t.Fatalf("chain: %v, want kind %s", err, *v.Kind)
			}
		})
	}
}

func TestVectorsChannels(t *testing.T) {
	var file struct {
		Valid []struct {
			Name     string `json:"name"`
			Hash     uint32 `json:"hash"`
			WireHash uint16 `json:"wire_hash"`
		} `json:"valid"`
		Invalid []struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"invalid"`
	}
	loadVectors(t, "channels.json", &file)
	if len(file.Valid) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no channel vectors")
	}
	for _, v := range file.Valid {
		hash, wire, err := ChannelHash(v.Name)
		if err != nil || hash != v.Hash || wire != v.WireHash {
			t.Errorf("%q: %d %d %v; want %d %d", v.Name, hash, wire, err, v.Hash, v.WireHash)
		}
	}
	for _, v := range file.Invalid {
		if _, _, err := ChannelHash(v.Name); !errors.Is(err, sentinel(v.Kind)) || !errors.Is(err, ErrInvalidChannel) {
			t.Errorf("%q: %v, want kind %s", v.Name, err, v.Kind)
		}
	}
}
