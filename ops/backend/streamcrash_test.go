package backend

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/stream"
)

// pinPutter puts numbered pins into the local Kinesis and remembers which were acknowledged.
type pinPutter struct {
	stream string
	acked  map[int64]bool
	tried  map[int64]bool
}

// put puts pins from…from+n-1 through client; a call the server does not answer leaves them
// tried but not acknowledged.
func (p *pinPutter) put(client *kinesis.Client, from, n int) {
	entries := make([]kinesis.Entry, n)
	for i := range entries {
		ind := int64(from + i)
		p.tried[ind] = true
		entries[i] = kinesis.Entry{PartitionKey: strconv.FormatInt(ind, 10), Data: fmt.Appendf(nil, `{"index": %d, "category": "travel"}`, ind)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	puts, err := client.PutRecords(ctx, p.stream, entries)
	if err != nil {
		return
	}
	for i, put := range puts {
		if !put.Failed() {
			p.acked[int64(from+i)] = true
		}
	}
}

func localKinesis(t *testing.T, b *Backends) *kinesis.Client {
	t.Helper()
	c, err := kinesis.New(context.Background(), kinesis.Settings{Endpoint: b.Stack.Endpoints().Kinesis})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestKilledOwnerWhileTheStreamJobCommitsLosesAndDuplicatesNothing puts pins into the local
// Kinesis while the owner's stream job commits them, kills the owner with SIGKILL in the middle
// of it, and starts a new owner: every acknowledged pin is in the pin stream table exactly once.
func TestKilledOwnerWhileTheStreamJobCommitsLosesAndDuplicatesNothing(t *testing.T) {
	dir := seeded(t)
	owner := exec.Command(os.Args[0], "-test.run=^$")
	owner.Env = append(os.Environ(), ownerEnv+"="+dir)
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Process.Kill(); owner.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("owner process: %q %v", line, err)
	}
	attached := open(t, dir)
	p := &pinPutter{stream: stream.StreamName(attached.cfg.UID, record.TablePin), acked: map[int64]bool{}, tried: map[int64]bool{}}
	client := localKinesis(t, attached)
	next := 0
	// Pins go in until the job has committed a few micro-batches, then the owner dies with
	// more arriving and a micro-batch on its way.
	for deadline := time.Now().Add(60 * time.Second); ; next += 20 {
		p.put(client, next, 20)
		if st := attached.StreamJob(); len(st.Status.Tables) > 0 && st.Status.Tables[0].MicroBatch >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the owner's stream job committed too little in 60s: %+v", attached.StreamJob())
		}
	}
	p.put(client, next+20, 20)
	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	owner.Wait()

	restarted := open(t, dir)
	p.put(localKinesis(t, restarted), next+40, 20)
	table := delta.Open(objstore.NewDir(restarted.cfg.LakehouseDir()), stream.TableName(restarted.cfg.UID, record.TablePin))
	ctx := context.Background()
	var seen map[int64]int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rows, err := delta.Read[record.CleanPin](ctx, table)
		seen = map[int64]int{}
		for _, r := range rows {
			seen[r.Ind]++
		}
		if err == nil && holdsAll(seen, p.acked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart the pin table holds %d rows (%v), want the %d acknowledged pins", len(rows), err, len(p.acked))
		}
	}
	for ind := range p.acked {
		if seen[ind] != 1 {
			t.Errorf("acknowledged pin %d is in the table %d times", ind, seen[ind])
		}
	}
	for ind, n := range seen {
		if n != 1 || !p.tried[ind] {
			t.Errorf("pin %d is in the table %d times (put: %v)", ind, n, p.tried[ind])
		}
	}
}

func holdsAll(seen map[int64]int, acked map[int64]bool) bool {
	for ind := range acked {
		if seen[ind] == 0 {
			return false
		}
	}
	return true
}
