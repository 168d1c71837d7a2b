package app

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// heldTicks keeps the polls screens schedule, for the test to deliver one when it likes.
type heldTicks struct {
	mu    sync.Mutex
	polls map[screen.ID]tea.Msg
}

func (h *heldTicks) tick(_ time.Duration, msg tea.Msg) tea.Cmd {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := msg.(screen.PollMsg); ok {
		if h.polls == nil {
			h.polls = map[screen.ID]tea.Msg{}
		}
		h.polls[p.Screen] = p
	}
	return nil
}

// next is the latest poll screen id scheduled, as a command that delivers it.
func (h *heldTicks) next(t *testing.T, id screen.ID) tea.Cmd {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	msg, ok := h.polls[id]
	if !ok {
		t.Fatalf("screen %d scheduled no poll", id)
	}
	delete(h.polls, id)
	return func() tea.Msg { return msg }
}

func newHeldModel(t *testing.T, r screen.Runner) (*Model, *heldTicks) {
	t.Helper()
	h := &heldTicks{}
	m, err := New(context.Background(), Deps{Runner: r, Profile: "local", DataDir: fixture.DataDir, Now: clock, Width: 120, Height: 40, Tick: h.tick})
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	return m, h
}

func TestTablesRefetchTheOpenTableOnANewVersion(t *testing.T) {
	r := fixture.New()
	m, h := newHeldModel(t, r)
	press(m, "8", "j", "enter")
	if out := plain(m); !strings.Contains(out, "batch · version 0 ·") {
		t.Fatalf("the open pin table does not say its version:\n%s", out)
	}
	asked := len(r.Lines())
	drive(m, h.next(t, screen.Tables))
	if got := r.Lines()[asked:]; len(got) != 1 || got[0] != "tables" {
		t.Fatalf("a poll with no new version ran %q, want only tables", got)
	}
	r.NewVersion("0a1b2c3d4e5f_pin_batch")
	asked = len(r.Lines())
	drive(m, h.next(t, screen.Tables))
	want := []string{"tables", "schema 0a1b2c3d4e5f_pin_batch", "preview 0a1b2c3d4e5f_pin_batch --limit 20 --offset 0"}
	if got := r.Lines()[asked:]; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the poll after a new version ran %q, want %q", got, want)
	}
	if out := plain(m); !strings.Contains(out, "batch · version 1 (new) ·") {
		t.Fatalf("the title does not say the version is new:\n%s", out)
	}
	press(m, "esc")
	if out := plain(m); !strings.Contains(strings.Join(strings.Fields(out), " "), "0a1b2c3d4e5f_pin_batch batch 11,001 1 1") {
		t.Errorf("the list does not show the new version:\n%s", out)
	}
	press(m, "1")
	asked = len(r.Lines())
	drive(m, h.next(t, screen.Tables))
	if got := r.Lines()[asked:]; len(got) != 0 {
		t.Errorf("the hidden Tables screen polled: %q", got)
	}
}

func TestRealTablesRefetchAfterASecondBatchRun(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate batch --count 10 --rate 0", "wait emulator", "wait landings >= 30", "batch run")
	m, h := newHeldModel(t, reg)
	press(m, "8", "j", "enter") // the pin table, after the geo table
	pins := func() command.TableInfo {
		res, err := reg.Run(context.Background(), "tables")
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range res.Data.([]command.TableInfo) {
			if ti.Table == "0a1b2c3d4e5f_pin_batch" {
				return ti
			}
		}
		t.Fatal("tables lists no pin table")
		return command.TableInfo{}
	}
	first := pins()
	if out := plain(m); !strings.Contains(out, "batch · version "+itoa(first.Version)+" ·") {
		t.Fatalf("the open pin table does not say its version %d:\n%s", first.Version, out)
	}
	run(t, reg, "emulate batch --count 10 --rate 0", "wait emulator", "wait landings >= 60", "batch run")
	second := pins()
	if second.Version == first.Version {
		t.Fatalf("a second batch run left the pin table at version %d", first.Version)
	}
	drive(m, h.next(t, screen.Tables))
	out := plain(m)
	if !strings.Contains(out, "batch · version "+itoa(second.Version)+" (new) ·") || !strings.Contains(out, " of "+itoa(second.Rows)+" ") {
		t.Fatalf("after the second batch run the open pin table does not show version %d (new) of %d rows:\n%s", second.Version, second.Rows, out)
	}
}

func TestTablesStreamTableRowsGrowOnAPoll(t *testing.T) {
	m, h := newHeldModel(t, fixture.New())
	press(m, "8")
	pins := func() string {
		for _, l := range strings.Split(plain(m), "\n") {
			if strings.Contains(l, "0a1b2c3d4e5f_pin_table") {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("Tables lists no pin stream table:\n%s", plain(m))
		return ""
	}
	// The fixture's pin stream table holds 38 rows at its first answer and 62 at its second,
	// three micro-batches later.
	if got, want := pins(), "0a1b2c3d4e5f_pin_table stream 38 3 4"; got != want {
		t.Fatalf("first answer: %q, want %q", got, want)
	}
	drive(m, h.next(t, screen.Tables))
	if got, want := pins(), "0a1b2c3d4e5f_pin_table stream 62 +24 6 7"; got != want {
		t.Fatalf("after a poll: %q, want %q", got, want)
	}
}

func TestRealTablesShowTheStreamTablesGrowing(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate stream --count 10 --rate 0", "wait emulator stream", "wait rows 0a1b2c3d4e5f_pin_table >= 10")
	m, h := newHeldModel(t, reg)
	press(m, "8")
	// pins is the first n words of the pin stream table's line.
	pins := func(n int) string {
		for _, l := range strings.Split(plain(m), "\n") {
			if f := strings.Fields(l); len(f) >= n && f[0] == "0a1b2c3d4e5f_pin_table" {
				return strings.Join(f[:n], " ")
			}
		}
		t.Fatalf("Tables lists no pin stream table:\n%s", plain(m))
		return ""
	}
	if got := pins(3); got != "0a1b2c3d4e5f_pin_table stream 10" {
		t.Fatalf("after 10 draws the pin stream table shows %q, want 10 rows", got)
	}
	run(t, reg, "emulate stream --count 5 --rate 0", "wait emulator stream", "wait rows 0a1b2c3d4e5f_pin_table >= 15")
	drive(m, h.next(t, screen.Tables))
	if got := pins(4); got != "0a1b2c3d4e5f_pin_table stream 15 +5" {
		t.Fatalf("after 5 more draws and a poll the pin stream table shows %q, want 15 rows, 5 more", got)
	}
}
