// The SDK's transports, persistent producer nonce and Redis Streams dedup
// helper, against real servers. The addresses are the seed's
// (redis://localhost:6379, nats://localhost:4222) unless NET_REDIS_URL /
// NET_NATS_URL name others, as tests/servers/run_with_servers.py does for
// `make test-backends`:
//
//	tests/servers/run_with_servers.py -- go run ./transports
//
// The encrypted mesh transport runs in examples/go/mesh_pair.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	net "github.com/net-mesh/net/bindings-go"
)

func envOr(name, seed string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return seed
}

func roundTrip(name string, cfg net.Config) {
	node, err := net.NewNode(cfg)
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	defer node.Close()
	for i := range 3 {
		if _, err := node.Emit(map[string]any{"transport": name, "index": i}); err != nil {
			log.Fatal(err)
		}
	}
	if err := node.Flush(context.Background()); err != nil {
		log.Fatal(err)
	}
	page, err := node.Poll(context.Background(), net.PollRequest{Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d events read back\n", name, len(page.Events))
}

func main() {
	redisURL := envOr("NET_REDIS_URL", "redis://localhost:6379")
	natsURL := envOr("NET_NATS_URL", "nats://localhost:4222")

	// Transports: in-memory (the default), Redis Streams, NATS JetStream.
	roundTrip("memory", net.Config{Shards: 4})
	roundTrip("redis", net.Config{Redis: &net.RedisTransport{URL: redisURL}})
	roundTrip("jetstream", net.Config{JetStream: &net.JetStreamTransport{URL: natsURL}})

	// Persistent producer nonce: a producer restarted with the same nonce
	// file writes the same dedup ids.
	dir, err := os.MkdirTemp("", "net-transports-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for range 2 {
		node, err := net.NewNode(net.Config{
			Shards:            4,
			Redis:             &net.RedisTransport{URL: redisURL, Prefix: "nonce"},
			ProducerNoncePath: filepath.Join(dir, "producer.nonce"),
		})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := node.Emit(map[string]int{"order": 1}); err != nil {
			log.Fatal(err)
		}
		if err := node.Close(); err != nil { // drains: the event is stored
			log.Fatal(err)
		}
	}

	// Redis Streams consumer-side dedup helper. Bring your own Redis
	// client: here redis-cli, which comes with the server.
	dedup, err := net.NewRedisStreamDedup(600_000)
	if err != nil {
		log.Fatal(err)
	}
	defer dedup.Close()
	processed := 0
	for shard := range 4 {
		out, err := exec.Command("redis-cli", "-u", redisURL, "--json", "XRANGE", fmt.Sprintf("nonce:shard:%d", shard), "-", "+").Output()
		if err != nil {
			log.Fatal(err)
		}
		var entries [][]json.RawMessage
		if err := json.Unmarshal(out, &entries); err != nil {
			log.Fatal(err)
		}
		for _, entry := range entries {
			var fields []string
			if err := json.Unmarshal(entry[1], &fields); err != nil {
				log.Fatal(err)
			}
			for i := 0; i+1 < len(fields); i += 2 {
				if fields[i] != "dedup_id" {
					continue
				}
				if dup, err := dedup.IsDuplicate(fields[i+1]); err != nil {
					log.Fatal(err)
				} else if !dup {
					processed++
				}
			}
		}
	}
	fmt.Printf("dedup: %d of 2 entries processed, %d id remembered\n", processed, dedup.Len())
}
