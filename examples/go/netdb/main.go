// NetDb: the seed's "CortEX & NetDb" walk-through in Go — create a task,
// wait for the fold, paint a snapshot and react to changes, a plain watch,
// and the state folded back from disk after a reopen.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

func render(tasks []net.Task) {
	titles := make([]string, len(tasks))
	for i, t := range tasks {
		titles[i] = t.Title
	}
	fmt.Println("pending:", strings.Join(titles, ", "))
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	redex := must(net.NewRedex("")) // in memory
	defer redex.Close()
	db := must(net.OpenNetDb(redex, net.NetDbConfig{Origin: 0xABCDEF01, WithTasks: true, WithMemories: true}))
	defer db.Close()

	// CRUD through the domain API; every mutation returns its seq.
	seq, err := db.Tasks().Create(1, "write docs", 100)
	if err == nil {
		err = db.Tasks().WaitForSeq(ctx, seq) // wait for the fold to apply
	}
	if e := (*net.Error)(nil); errors.As(err, &e) {
		log.Fatalf("adapter error (%s): %v", e.Kind, err)
	}

	// Snapshot + watch: one atomic call, no race.
	snapshot, updates, err := db.Tasks().SnapshotAndWatch(ctx, net.TaskFilter{Status: net.TaskPending})
	if err != nil {
		log.Fatal(err)
	}
	render(snapshot)
	go func() { // another writer
		time.Sleep(10 * time.Millisecond)
		_, _ = db.Tasks().Create(2, "ship it", 200)
	}()
	for batch, err := range updates {
		if err != nil {
			log.Fatal(err)
		}
		render(batch)
		if len(batch) == 2 {
			break // ends the watch and releases it
		}
	}

	// A plain watch: the current result, then one batch per change.
	for batch, err := range must(db.Tasks().Watch(ctx, net.TaskFilter{TitleContains: "ship"})) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("watch:", batch[0].Title)
		break
	}

	// On disk, the state survives a restart.
	dir := must(os.MkdirTemp("", "net-netdb-example-"))
	defer os.RemoveAll(dir)
	for round := 0; round < 2; round++ {
		r := must(net.NewRedex(dir))
		d := must(net.OpenNetDb(r, net.NetDbConfig{Origin: 0xABCDEF01, Persistent: true, WithTasks: true}))
		if round == 0 {
			if err := d.Tasks().WaitForSeq(ctx, must(d.Tasks().Create(7, "survive a restart", 1))); err != nil {
				log.Fatal(err)
			}
		} else {
			tasks := must(d.Tasks().List(net.TaskFilter{}))
			fmt.Println("after reopen:", tasks[0].Title)
		}
		if err := errors.Join(d.Close(), r.Close()); err != nil {
			log.Fatal(err)
		}
	}
}
