package emulate

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestRetriesARecordTheGatewayCouldNotFinish answers every other post with the gateway's
// per-record 50003, a produce that ran out of time: the emulator posts it again and every
// record lands once.
func TestRetriesARecordTheGatewayCouldNotFinish(t *testing.T) {
	s := newStack(t)
	s.fail = func(w http.ResponseWriter, n int) bool {
		if n%2 == 0 {
			return false
		}
		w.Header().Set("Content-Type", "application/vnd.kafka.v2+json")
		_, _ = w.Write([]byte(`{"offsets":[{"partition":null,"offset":null,"error_code":50003,"error":"produce: context deadline exceeded"}],"key_schema_id":null,"value_schema_id":null}`))
		return true
	}
	b, err := NewBatch(testRows(), s.server.URL, Options{UID: uid, Count: 5, Backoff: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Sent() != 15 || st.Failed() != 0 || s.seen.Load() != 30 || len(s.posts) != 15 {
		t.Fatalf("stats %+v after %d requests, %d produced; want 15 sent, none failed, 30 requests", st, s.seen.Load(), len(s.posts))
	}
	if n := len(s.consume(t, uid+".user", 5)); n != 5 {
		t.Fatalf("%d users, want 5", n)
	}
}
