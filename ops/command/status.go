package command

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/source"
)

// Component is one row of `status`: a part of the pipeline, its state and a counter of the
// records that went through it, from which the console draws rates.
type Component struct {
	Component string `json:"component"`
	// State is ready, running, empty, down or not started.
	State  string `json:"state"`
	Detail string `json:"detail"`
	// Count is a monotonic counter of records through the component, or -1 if it has none.
	Count int64 `json:"count"`
}

// The component states.
const (
	StateReady      = "ready"
	StateRunning    = "running"
	StateEmpty      = "empty"
	StateDown       = "down"
	StateNotStarted = "not started"
)

func (env *Env) statusCommand() *Command {
	return &Command{
		Name: "status",
		Help: "Show each component of the pipeline with its state, detail and record counter.",
		Run: func(ctx context.Context, _ *Invocation) (*Result, error) {
			comps := []Component{env.sourceStatus(ctx)}
			comps = append(comps, env.pipelineStatus(ctx)...)
			comps = append(comps, env.lakehouseStatus(ctx))
			res := &Result{Columns: []string{"component", "state", "detail", "count"}, Data: comps}
			for _, c := range comps {
				count := ""
				if c.Count >= 0 {
					count = strconv.FormatInt(c.Count, 10)
				}
				res.Rows = append(res.Rows, []string{c.Component, c.State, c.Detail, count})
			}
			return res, nil
		},
	}
}

func (env *Env) sourceStatus(ctx context.Context) Component {
	c := Component{Component: "source", Count: -1}
	src, err := source.Open(ctx, env.Config.SourceURL())
	if errors.Is(err, source.ErrNotSeeded) {
		c.State, c.Detail = StateEmpty, "not seeded yet: run `seed`"
		return c
	}
	if err != nil {
		c.State, c.Detail = StateDown, err.Error()
		return c
	}
	defer src.Close()
	n, err := src.Count(ctx)
	switch {
	case err != nil:
		c.State, c.Detail = StateDown, err.Error()
	case n == 0:
		c.State, c.Detail = StateEmpty, "no rows in "+src.Name()+": run `seed`"
	default:
		c.State, c.Detail, c.Count = StateReady, fmt.Sprintf("%d rows in %s", n, src.Name()), n
	}
	return c
}

func (env *Env) lakehouseStatus(ctx context.Context) Component {
	c := Component{Component: "lakehouse", Count: -1}
	store := env.lakehouse()
	roots, err := delta.ListTables(ctx, store, "")
	if err != nil {
		c.State, c.Detail = StateDown, err.Error()
		return c
	}
	if len(roots) == 0 {
		c.State, c.Detail = StateEmpty, "no tables: run `batch run`"
		return c
	}
	var rows int64
	for _, root := range roots {
		if snap, err := delta.Open(store, root).Snapshot(ctx); err == nil {
			n, _ := snap.NumRecords()
			rows += n
		}
	}
	c.State, c.Detail, c.Count = StateReady, fmt.Sprintf("%d tables in %s", len(roots), env.Config.LakehouseDir()), rows
	return c
}
