package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/record"
)

// timeLayout is RFC 3339 in UTC with milliseconds, the project's wire form of a time.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// optionsJSON is emulate.Options as the control endpoint carries it; the HTTP client stays in
// the process that runs the emulator.
type optionsJSON struct {
	UID          string  `json:"uid"`
	Count        int64   `json:"count"`
	Rate         float64 `json:"rate"`
	Faithful     bool    `json:"faithful"`
	Workers      int     `json:"workers"`
	Seed         int64   `json:"seed"`
	Retries      int     `json:"retries"`
	BackoffMS    int64   `json:"backoff_ms"`
	MaxBackoffMS int64   `json:"max_backoff_ms"`
}

func toOptionsJSON(o emulate.Options) optionsJSON {
	return optionsJSON{UID: o.UID, Count: o.Count, Rate: o.Rate, Faithful: o.Faithful, Workers: o.Workers, Seed: o.Seed,
		Retries: o.Retries, BackoffMS: o.Backoff.Milliseconds(), MaxBackoffMS: o.MaxBackoff.Milliseconds()}
}

func (o optionsJSON) options() emulate.Options {
	return emulate.Options{UID: o.UID, Count: o.Count, Rate: o.Rate, Faithful: o.Faithful, Workers: o.Workers, Seed: o.Seed,
		Retries: o.Retries, Backoff: time.Duration(o.BackoffMS) * time.Millisecond, MaxBackoff: time.Duration(o.MaxBackoffMS) * time.Millisecond}
}

type tableJSON struct {
	Table  string `json:"table"`
	Sent   int64  `json:"sent"`
	Failed int64  `json:"failed"`
}

type statsJSON struct {
	Iterations int64       `json:"iterations"`
	Tables     []tableJSON `json:"tables"`
	LastError  string      `json:"last_error"`
	History    []float64   `json:"history"`
}

type stateJSON struct {
	Running bool        `json:"running"`
	Options optionsJSON `json:"options"`
	Stats   statsJSON   `json:"stats"`
	Started string      `json:"started"`
	Error   string      `json:"error,omitempty"`
}

// MarshalJSON writes the state with snake_case keys, the start time in RFC 3339 UTC with
// milliseconds and Err as its text; Options.Client is left out.
func (s EmulatorState) MarshalJSON() ([]byte, error) {
	w := stateJSON{
		Running: s.Running,
		Options: toOptionsJSON(s.Options),
		Stats: statsJSON{Iterations: s.Stats.Iterations, Tables: []tableJSON{}, LastError: s.Stats.LastError,
			History: append([]float64{}, s.Stats.History...)},
	}
	for _, t := range s.Stats.Tables {
		w.Stats.Tables = append(w.Stats.Tables, tableJSON{Table: string(t.Table), Sent: t.Sent, Failed: t.Failed})
	}
	if !s.Started.IsZero() {
		w.Started = s.Started.UTC().Format(timeLayout)
	}
	if s.Err != nil {
		w.Error = s.Err.Error()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote; an error text becomes an error value again.
func (s *EmulatorState) UnmarshalJSON(data []byte) error {
	var w stateJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	st := EmulatorState{Running: w.Running, Options: w.Options.options(),
		Stats: emulate.Stats{Iterations: w.Stats.Iterations, LastError: w.Stats.LastError}}
	for _, t := range w.Stats.Tables {
		st.Stats.Tables = append(st.Stats.Tables, emulate.TableStats{Table: record.Table(t.Table), Sent: t.Sent, Failed: t.Failed})
	}
	if len(w.Stats.History) > 0 {
		st.Stats.History = w.Stats.History
	}
	if w.Started != "" {
		started, err := time.Parse(timeLayout, w.Started)
		if err != nil {
			return fmt.Errorf("emulator state: started %q: %w", w.Started, err)
		}
		st.Started = started
	}
	if w.Error != "" {
		st.Err = errors.New(w.Error)
	}
	*s = st
	return nil
}
