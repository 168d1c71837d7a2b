package delta

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// DefaultRetention is how long Vacuum keeps files by default: Delta's week, the same as
// checkpoints keep tombstones, so a reader of a week-old version still finds its files.
const DefaultRetention = 7 * 24 * time.Hour

// Vacuumed reports what Vacuum did to a table.
type Vacuumed struct {
	// Version is the table version whose live files were kept.
	Version int64
	// Deleted are the keys of the files removed, relative to the table root, in key order.
	Deleted []string
	// Bytes is the size of the deleted files.
	Bytes int64
	// Live counts the data files of the version, all kept.
	Live int
}

// Vacuum deletes the table's data files that no reader needs: files removed longer ago than
// retain, and files no commit references (left by a writer killed before its commit) last
// changed longer ago than retain, since a writer in progress uploads its files before it commits.
// The log is never touched, and a damaged table is refused, so its files stay for inspection.
func (t *Table) Vacuum(ctx context.Context, retain time.Duration) (Vacuumed, error) {
	if retain < 0 {
		return Vacuumed{}, fmt.Errorf("vacuum table %s: retention %s is negative; give 0 or more, such as 168h", t.root, retain)
	}
	if t.root == "" {
		return Vacuumed{}, fmt.Errorf("vacuum: a table at the root of its store shares it with other tables; vacuum only tables under a prefix")
	}
	snap, err := t.Snapshot(ctx)
	if err != nil {
		return Vacuumed{}, fmt.Errorf("vacuum: %w", err)
	}
	now := t.now()
	horizon := now.Add(-retain)
	keep := map[string]bool{}
	for _, f := range snap.Files {
		keep[f.Path] = true
	}
	tombstones, err := t.tombstones(ctx, snap)
	if err != nil {
		return Vacuumed{}, fmt.Errorf("vacuum: %w", err)
	}
	for _, r := range tombstones {
		if time.UnixMilli(r.DeletionTimestamp).After(horizon) {
			keep[r.Path] = true
		}
	}
	prefix := t.key("")
	objs, err := t.store.List(ctx, prefix)
	if err != nil {
		return Vacuumed{}, fmt.Errorf("vacuum table %s: %w", t.root, err)
	}
	v := Vacuumed{Version: snap.Version, Deleted: []string{}, Live: len(snap.Files)}
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Key, prefix)
		if strings.HasPrefix(rel, logFolder) || strings.Contains(rel, "/"+logFolder) || keep[rel] || keep[url.PathEscape(rel)] || o.Modified.After(horizon) {
			continue
		}
		if err := t.store.Delete(ctx, o.Key); err != nil {
			return v, fmt.Errorf("vacuum table %s: %w", t.root, err)
		}
		v.Deleted = append(v.Deleted, rel)
		v.Bytes += o.Size
	}
	return v, nil
}
