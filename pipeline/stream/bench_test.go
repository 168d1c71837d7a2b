package stream

import (
	"strconv"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// BenchmarkPutToCommitted measures, with the default trigger, how long a pin put into its
// stream takes to be committed to its table: each op puts one record and waits until the job's
// status counts its row.
func BenchmarkPutToCommitted(b *testing.B) {
	r := newMemReader(Streams(uid), 1)
	j, stop := runJob(b, r, newMemStore(), Trigger(DefaultTrigger), Tables(record.TablePin))
	defer stop()
	rows := source.Generate(1000, 1)
	stream := StreamName(uid, record.TablePin)
	b.ResetTimer()
	for i := range b.N {
		r.put(stream, strconv.Itoa(i), rows[i%len(rows)].Pin.AppendJSON(nil))
		for j.Status().Tables[0].Rows <= int64(i) {
			time.Sleep(100 * time.Microsecond)
		}
	}
}
