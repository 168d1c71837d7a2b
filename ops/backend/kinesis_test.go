package backend

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/stream"
)

// streamNames lists the streams b's Kinesis client sees.
func streamNames(ctx context.Context, b *Backends) ([]string, error) {
	list, err := b.Kinesis.Streams(ctx)
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	return names, err
}

func TestAttachedKinesisClientFollowsTheOwner(t *testing.T) {
	dir := t.TempDir()
	first := open(t, dir)
	attached := open(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	want := stream.Streams("0a1b2c3d4e5f")
	if got := attached.Streams(); !slices.Equal(got, want) {
		t.Errorf("Streams() = %v, want %v", got, want)
	}
	if names, err := streamNames(ctx, attached); err != nil || !slices.Equal(names, []string{want[1], want[0], want[2]}) {
		t.Fatalf("the attached process lists the streams %v, %v; want the pipeline's three", names, err)
	}
	before := first.Stack.Endpoints().Kinesis
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stopped := "the pintui that owned " + dir + " (pid " + strconv.Itoa(os.Getpid()) + ") has stopped"
	if _, err := streamNames(ctx, attached); err == nil || !strings.Contains(err.Error(), stopped) {
		t.Errorf("streams with the owner gone: %v, want %q", err, stopped)
	}

	second := open(t, dir)
	for deadline := time.Now().Add(5 * time.Second); !attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if after := second.Stack.Endpoints().Kinesis; after == before {
		t.Fatalf("the new owner serves Kinesis at %s as the old one did; the test needs another port", after)
	}
	if names, err := streamNames(ctx, attached); err != nil || len(names) != 3 {
		t.Errorf("streams after reattaching: %v, %v; want the pipeline's three from the new owner", names, err)
	}
}
