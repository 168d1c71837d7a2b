package stream

import (
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// TestACrashAtAnyPointLosesAndDuplicatesNothing stops the job at each step of committing a
// micro-batch, as kill -9 would, and starts a new job on the same checkpoint: every record is
// in its table exactly once.
func TestACrashAtAnyPointLosesAndDuplicatesNothing(t *testing.T) {
	pinTable := TableName(uid, record.TablePin)
	second := batchName(1)
	for _, c := range []struct {
		name string
		// after is true when the write the crash follows is done.
		after bool
		key   func(string) bool
	}{
		{"before planning", false, func(k string) bool { return strings.HasSuffix(k, pinTable+"/offsets/"+second) }},
		{"after planning", true, func(k string) bool { return strings.HasSuffix(k, pinTable+"/offsets/"+second) }},
		{"while uploading the data file", true, secondDataFile(pinTable)},
		{"after the Delta commit", true, func(k string) bool { return k == pinTable+"/_delta_log/"+"00000000000000000001.json" }},
		{"after the quarantine", true, func(k string) bool { return strings.HasPrefix(k, QuarantinePrefix+pinTable+"/") }},
		{"before the commit marker", false, func(k string) bool { return strings.HasSuffix(k, pinTable+"/commits/"+second) }},
		{"after the commit marker", true, func(k string) bool { return strings.HasSuffix(k, pinTable+"/commits/"+second) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newMemReader(Streams(uid), 2)
			store := newMemStore()
			rows := source.Generate(120, 7)
			p := posted{}
			post(r, rows[:40], p)
			failing := newFailingStore(store, c.after, c.key)
			j, stop := runJob(t, r, failing)
			waitFor(t, j, "the first micro-batch", func(st Status) bool { return st.Tables[0].MicroBatch >= 0 })
			r.put(StreamName(uid, record.TablePin), "bad", []byte("not json"))
			post(r, rows[40:80], p)
			<-failing.fired
			stop()

			post(r, rows[80:], p)
			j, stop = runJob(t, r, store)
			waitFor(t, j, "every record after the restart", func(st Status) bool {
				return holds(counts(p))(st) && st.Tables[0].Quarantined == 1
			})
			stop()
			checkExactlyOnce(t, store, p)
		})
	}
}

// secondDataFile matches the upload of table's second data file, micro-batch 1's or later's.
func secondDataFile(table string) func(string) bool {
	files := 0
	return func(k string) bool {
		if strings.HasPrefix(k, table+"/part-") {
			files++
		}
		return files == 2
	}
}
