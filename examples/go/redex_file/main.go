// A raw RedEX file: the seed's "Raw RedEX file" walk-through in Go —
// append and batch-append to a persistent log, tail it (backfill, then
// live), and the typed error for a bad name.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "net-redex-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	redex, err := net.NewRedex(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer redex.Close()
	file, err := redex.OpenFile("analytics/clicks", net.RedexFileConfig{
		Persistent:         true,
		FsyncIntervalMs:    100, // or FsyncEveryN: 1000
		RetentionMaxEvents: 1_000_000,
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, net.ErrRedexCorrupt) names the segment and offset
	}
	defer file.Close()

	seq, err := file.Append([]byte(`{"url":"/home"}`))
	if err != nil {
		log.Fatal(err)
	}
	// AppendBatch reports ok=false (and no seq) for an empty batch.
	first, ok, err := file.AppendBatch([][]byte{[]byte(`{"url":"/docs"}`), []byte(`{"url":"/blog"}`), []byte(`{"url":"/about"}`)})
	if err != nil || !ok {
		log.Fatal("append batch: ", ok, err)
	}
	// The tail backfills the retained range, then streams live appends.
	for event, err := range file.Tail(ctx, 0) {
		if err != nil {
			log.Fatal(err)
		}
		var click struct{ URL string }
		if err := json.Unmarshal(event.Payload, &click); err != nil {
			log.Fatal(err)
		}
		fmt.Println(event.Seq, click.URL)
		if event.Seq == first+2 {
			break // releases the native tail
		}
	}
	fmt.Printf("append: %d, append batch: %d\n", seq, first)

	if _, err := redex.OpenFile("Not A Channel!", net.RedexFileConfig{}); errors.Is(err, net.ErrInvalidChannel) {
		fmt.Println("bad name:", err)
	} else {
		log.Fatal("a bad name was not refused as invalid_channel: ", err)
	}
}
