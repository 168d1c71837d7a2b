package backend

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/stream"
)

// oneShardKinesis holds each stream as one shard in memory.
type oneShardKinesis struct {
	mu      sync.Mutex
	records map[string][]stream.Record
}

func (k *oneShardKinesis) put(name string, data string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	recs := k.records[name]
	k.records[name] = append(recs, stream.Record{Sequence: strconv.Itoa(len(recs) + 1), Arrival: time.Now(), PartitionKey: "k", Data: []byte(data)})
}

func (k *oneShardKinesis) Shards(context.Context, string) ([]string, error) {
	return []string{"shardId-000000000000"}, nil
}

func (k *oneShardKinesis) Iterator(_ context.Context, name, _, after string) (string, error) {
	pos := 0
	if after != "" {
		pos, _ = strconv.Atoi(after)
	}
	return fmt.Sprintf("%s %d", name, pos), nil
}

func (k *oneShardKinesis) Records(_ context.Context, iterator string, limit int) ([]stream.Record, string, time.Duration, error) {
	var name string
	var pos int
	if _, err := fmt.Sscanf(iterator, "%s %d", &name, &pos); err != nil {
		return nil, "", 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	recs := k.records[name][pos:]
	recs = recs[:min(len(recs), limit)]
	return append([]stream.Record(nil), recs...), fmt.Sprintf("%s %d", name, pos+len(recs)), 0, nil
}

// readFrom makes b's stream job read k.
func readFrom(b *Backends, k stream.Reader) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.streamReader = k
}

func TestAttachedProcessRunsTheStreamJobInTheOwner(t *testing.T) {
	dir := seeded(t)
	owner := open(t, dir)
	attached := open(t, dir)
	owner.StopStreamJob()
	k := &oneShardKinesis{records: map[string][]stream.Record{}}
	readFrom(owner, k)
	pins := stream.StreamName(owner.cfg.UID, record.TablePin)
	for i := range 5 {
		k.put(pins, fmt.Sprintf(`{"index": %d, "category": "travel"}`, i))
	}
	k.put(pins, "not json")

	if started, err := attached.StartStreamJob(); err != nil || !started {
		t.Fatalf("start from the attached process: %v, %v; want started", started, err)
	}
	if started, err := attached.StartStreamJob(); err != nil || started {
		t.Errorf("second start: %v, %v; want it already running", started, err)
	}
	var st StreamJobState
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st = attached.StreamJob()
		if len(st.Status.Tables) == 3 && st.Status.Tables[0].Rows == 5 && st.Status.Tables[0].Quarantined == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the attached process never saw the owner's job append 5 pins: %+v", st)
		}
	}
	if !st.Ran || !st.Running || st.Err != "" || st.Status.Trigger != owner.cfg.StreamTrigger() || st.Status.Tables[0].Table != stream.TableName(owner.cfg.UID, record.TablePin) {
		t.Errorf("state seen from the attached process: %+v", st)
	}
	if stopped, err := attached.StopStreamJob(); err != nil || !stopped {
		t.Fatalf("stop from the attached process: %v, %v", stopped, err)
	}
	if st := owner.StreamJob(); !st.Ran || st.Running || st.Status.Tables[0].MicroBatch < 0 {
		t.Errorf("owner's state after the stop: %+v", st)
	}
	if stopped, err := attached.StopStreamJob(); err != nil || stopped {
		t.Errorf("second stop: %v, %v; want nothing to stop", stopped, err)
	}
}

func TestStreamJobWithoutKinesisSaysWhatToDo(t *testing.T) {
	b := open(t, seeded(t))
	b.StopStreamJob()
	readFrom(b, nil)
	if _, err := b.StartStreamJob(); err != errNoKinesis {
		t.Fatalf("start without Kinesis: %v", err)
	}
	if st := b.StreamJob(); st.Running || st.Err != errNoKinesis.Error() {
		t.Errorf("state: %+v", st)
	}
}
