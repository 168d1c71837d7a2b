package local

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// runsPage is one page of runs/list.
type runsPage struct {
	Runs          []jobRun `json:"runs"`
	HasMore       bool     `json:"has_more"`
	NextPageToken string   `json:"next_page_token,omitempty"`
	PrevPageToken string   `json:"prev_page_token,omitempty"`
}

// maxRunsPage is the largest page runs/list gives, and what it gives by default.
const maxRunsPage = 25

// runsFilter is what runs/list was asked for.
type runsFilter struct {
	jobID                    int64
	activeOnly, completeOnly bool
	runType                  string
	from, to                 int64
}

func (f runsFilter) keeps(r *jobRun) bool {
	return (f.jobID == 0 || r.JobID == f.jobID) && (!f.activeOnly || !r.terminal()) &&
		(!f.completeOnly || r.terminal()) && (f.runType == "" || r.RunType == f.runType) &&
		(f.from == 0 || r.StartTime >= f.from) && (f.to == 0 || r.StartTime < f.to)
}

func readRunsFilter(r *http.Request) (runsFilter, error) {
	var f runsFilter
	var err error
	for _, p := range []struct {
		name string
		to   *int64
	}{{"job_id", &f.jobID}, {"start_time_from", &f.from}, {"start_time_to", &f.to}} {
		if *p.to, err = intParam(r, p.name); err != nil {
			return f, err
		}
	}
	if f.activeOnly, err = boolParam(r, "active_only"); err != nil {
		return f, err
	}
	if f.completeOnly, err = boolParam(r, "completed_only"); err != nil {
		return f, err
	}
	if f.activeOnly && f.completeOnly {
		return f, invalidParameter("active_only and completed_only cannot both be true")
	}
	f.runType = r.URL.Query().Get("run_type")
	return f, nil
}

func (w *workspace) listRuns(r *http.Request) (any, error) {
	filter, err := readRunsFilter(r)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(r, "limit")
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > maxRunsPage {
		return nil, invalidParameter("limit %d is out of range: give 1 to %d", limit, maxRunsPage)
	}
	if limit == 0 {
		limit = maxRunsPage
	}
	offset, err := intParam(r, "offset")
	if err != nil || offset < 0 {
		return nil, invalidParameter("offset %q is not a count of runs to skip", r.URL.Query().Get("offset"))
	}
	expand, err := boolParam(r, "expand_tasks")
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []int64
	for id, f := range w.runs {
		if filter.keeps(&f.Run) {
			ids = append(ids, id)
		}
	}
	// Newest first, as Databricks lists runs.
	slices.SortFunc(ids, func(a, b int64) int { return int(b - a) })
	page, err := pageOf(ids, r.URL.Query().Get("page_token"), int(offset), int(limit))
	if err != nil {
		return nil, err
	}
	page.Runs = []jobRun{}
	for _, id := range page.ids {
		page.Runs = append(page.Runs, w.view(&w.runs[id].Run, expand))
	}
	return page.runsPage, nil
}

// idPage is a page of run ids and the tokens around it.
type idPage struct {
	runsPage
	ids []int64
}

// pageOf cuts one page of limit runs out of ids (newest first): after offset, or before the run
// a next-page token names, or just newer than the run a previous-page token names.
func pageOf(ids []int64, token string, offset, limit int) (idPage, error) {
	start := min(offset, len(ids))
	if token != "" {
		kind, n, _ := strings.Cut(token, ":")
		at, err := strconv.ParseInt(n, 10, 64)
		if err != nil || (kind != "before" && kind != "after") {
			return idPage{}, invalidParameter("page_token %q is not a token runs/list gave", token)
		}
		// The index of the first run not newer than at.
		older, _ := slices.BinarySearchFunc(ids, at, func(id, at int64) int { return int(at - id) })
		if kind == "before" {
			start = older
			if older < len(ids) && ids[older] == at {
				start++
			}
		} else {
			start = max(older-limit, 0)
		}
	}
	end := min(start+limit, len(ids))
	p := idPage{ids: ids[start:end]}
	p.HasMore = end < len(ids)
	if p.HasMore {
		p.NextPageToken = fmt.Sprintf("before:%d", ids[end-1])
	}
	if start > 0 && end > start {
		p.PrevPageToken = fmt.Sprintf("after:%d", ids[start])
	}
	return p, nil
}
